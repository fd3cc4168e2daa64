/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c: a main() for fuzz targets in builds without libFuzzer. It feeds
 * LLVMFuzzerTestOneInput every regular file in the directories (or the
 * files) named on the command line, so a seed corpus or a crash reproducer
 * runs under the default and asan builds. Exits non-zero if it found no
 * input, so an empty corpus cannot pass unnoticed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path whole. own: the result (free()); NULL on failure. */
static uint8_t *
read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static int
replay_file(const char *path)
{
	size_t size = 0;
	uint8_t *data = read_file(path, &size);

	if (data == NULL) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 1;
}

/* Replays every regular file of dir; returns how many, or -1. */
static int
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int n = 0;

	if (d == NULL)
		return replay_file(dir);
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) < 0) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	int total = 0;

	for (int i = 1; i < argc; i++) {
		int n = replay_dir(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	printf("replay: %d inputs ran without a crash\n", total);
	return total > 0 ? 0 : 1;
}
