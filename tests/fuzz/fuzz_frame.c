/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_frame.c: the frame decoder as the supervisor sees a client's bytes.
 * Parses frames one after another until the input is used up or rejected,
 * and re-encodes every envelope it accepts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FRAME_MAX (1u << 20)

/*
 * Re-encodes an accepted envelope. Parsing the result back is not required
 * to succeed: protobuf-c keeps unknown fields it accepted (even with field
 * number 0) and writes them out as they came, which it then refuses.
 */
static void
repack(const Wasmd__Envelope *env)
{
	size_t len;
	uint8_t *frame = wp_frame_pack(env, &len);

	if (frame != NULL && len < WP_HEADER_SIZE)
		__builtin_trap();
	free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	char err[128];

	while (off < size) {
		Wasmd__Envelope *env = NULL;
		size_t used = 0;
		wp_parse r = wp_frame_parse(data + off, size - off,
		    FUZZ_FRAME_MAX, &env, &used, err, sizeof(err));
		if (r != WP_FRAME)
			break;
		if (used == 0 || used > size - off)
			__builtin_trap();
		repack(env);
		wasmd__envelope__free_unpacked(env, NULL);
		off += used;
	}
	return 0;
}
