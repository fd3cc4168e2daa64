/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmd_wat.c: wasmd-wat, the build's text-to-binary converter:
 *
 *   wasmd-wat IN.wat -o OUT.wasm
 *
 * converts one module in the WebAssembly text format with libwasmd-wat
 * and checks that the engine decodes and validates the result, so a
 * fixture the engine would refuse fails the build with its message. Used
 * by cmake/WasmdWat2Wasm.cmake for the examples and the test fixtures;
 * not installed (`wasmd run` and `wasmctl` read .wat files themselves).
 * Exit status 0, or 1 with "IN:LINE:COL: message" (or the engine's error)
 * on stderr, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <wasmd/engine.h>

#include "wat.h"

/* The bytes of path, or NULL with errno set. own: the result. */
static uint8_t *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		errno = errno ? errno : EINVAL;
		return NULL;
	}
	*len = (size_t)st.st_size;
	buf = malloc(*len + 1);
	if (buf == NULL || fread(buf, 1, *len, f) != *len) {
		int e = buf == NULL ? ENOMEM : EIO;

		free(buf);
		fclose(f);
		errno = e;
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Writes len bytes to path; false with errno set. */
static bool
write_all(const char *path, const uint8_t *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL)
		return false;
	ok = fwrite(bytes, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/* Whether the engine decodes and validates bytes; prints why not. */
static bool
engine_accepts(const char *in, const uint8_t *bytes, size_t len)
{
	we_error err;
	we_module *m = we_module_new(bytes, len, &err);

	if (m == NULL) {
		fprintf(stderr,
		    "wasmd-wat: %s: the engine refuses the module: "
		    "%s: %s\n",
		    in, we_strerror(err.code), err.message);
		return false;
	}
	we_module_free(m);
	return true;
}

int
main(int argc, char **argv)
{
	const char *in, *out;
	uint8_t *bytes;
	size_t len;
	char msg[512];

	if (argc != 4 || strcmp(argv[2], "-o") != 0) {
		fprintf(stderr, "usage: wasmd-wat IN.wat -o OUT.wasm\n");
		return 2;
	}
	in = argv[1];
	out = argv[3];
	if ((bytes = read_all(in, &len)) == NULL) {
		fprintf(stderr, "wasmd-wat: cannot read %s: %s\n", in,
		    strerror(errno));
		return 1;
	}
	if (wat_ensure_binary(&bytes, &len, in, msg, sizeof msg) < 0) {
		fprintf(stderr, "wasmd-wat: %s\n", msg);
		free(bytes);
		return 1;
	}
	if (!engine_accepts(in, bytes, len)) {
		free(bytes);
		return 1;
	}
	if (!write_all(out, bytes, len)) {
		fprintf(stderr, "wasmd-wat: cannot write %s: %s\n", out,
		    strerror(errno));
		free(bytes);
		remove(out);
		return 1;
	}
	free(bytes);
	return 0;
}
