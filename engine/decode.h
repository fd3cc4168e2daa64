/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decode.h: the module decoder's entry points, shared by module.c (which
 * owns the module's lifetime) and decode.c/names.c (which fill it in).
 *
 * Private to engine/.
 */
#ifndef WE_DECODE_H
#define WE_DECODE_H

#include "module.h"

/*
 * Decodes and validates m->bytes[0..m->len) into m, then validates and
 * compiles every function body with wx_compile(). On failure fills err and
 * returns false; m may then be partly filled and must be freed with
 * we_module_free(), which copes with any partial state.
 */
bool wd_decode(we_module *m, we_error *err);

/*
 * Reads the "name" custom section payload into m->name and m->func_names
 * (m->nfuncs must be final). A malformed name section is ignored as the
 * spec asks: nothing is kept from it and the module stays valid.
 */
void wn_parse_names(we_module *m, const uint8_t *data, size_t len);

#endif /* WE_DECODE_H */
