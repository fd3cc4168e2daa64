/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wat.c: arbitrary bytes as WebAssembly text through libwasmd-wat;
 * whatever it accepts must come out as bytes the engine can decode (valid
 * or not), with no crash, leak or sanitizer report either way.
 */
#include <stdint.h>
#include <stdlib.h>

#include <wasmd/engine.h>

#include "wat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bin;
	size_t len;
	wat_error werr;
	we_error err;

	if (wat_to_wasm((const char *)data, size, &bin, &len, &werr) == 0) {
		we_module *m = we_module_new(bin, len, &err);

		we_module_free(m);
		free(bin);
	}
	return 0;
}
