/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.c: fixed descriptions of error codes and names of value types.
 */
#include <stdio.h>

#include <wasmd/engine.h>

#include "runtime.h"

static const char *const error_texts[] = {
#define WE_ERR(name, text) [(name)] = (text),
#include <wasmd/engine_errors.def>
#undef WE_ERR
};

const char *
we_strerror(we_err code)
{
	if ((unsigned)code >= WE_ERR__COUNT)
		return "unknown error";
	return error_texts[code];
}

/* The name of abstract heap type h in (ref null? h). */
static const char *
heap_name(uint32_t h)
{
	switch (h) {
	case WE_FUNCREF: return "func";
	case WE_EXTERNREF: return "extern";
	case WE_EXNREF: return "exn";
	case WE_ANYREF: return "any";
	case WE_NULLREF: return "none";
	case WE_NULLFUNCREF: return "nofunc";
	case WE_NULLEXTERNREF: return "noextern";
	case WE_NULLEXNREF: return "noexn";
	case WE_EQREF: return "eq";
	case WE_I31REF: return "i31";
	case WE_STRUCTREF: return "struct";
	case WE_ARRAYREF: return "array";
	}
	return "?";
}

const char *
we_valtype_name(we_valtype t)
{
	switch (t) {
	case WE_I32: return "i32";
	case WE_I64: return "i64";
	case WE_F32: return "f32";
	case WE_F64: return "f64";
	case WE_V128: return "v128";
	case WE_FUNCREF: return "funcref";
	case WE_EXTERNREF: return "externref";
	case WE_EXNREF: return "exnref";
	case WE_ANYREF: return "anyref";
	case WE_NULLREF: return "nullref";
	case WE_NULLFUNCREF: return "nullfuncref";
	case WE_NULLEXTERNREF: return "nullexternref";
	case WE_NULLEXNREF: return "nullexnref";
	case WE_EQREF: return "eqref";
	case WE_I31REF: return "i31ref";
	case WE_STRUCTREF: return "structref";
	case WE_ARRAYREF: return "arrayref";
	}
	if (wr_is_ref(t)) {
		/* A few buffers, so one message may name several types. */
		static _Thread_local char names[4][40];
		static _Thread_local unsigned next;
		char *name = names[next++ % 4];
		const char *null = t & WE_REF_NONNULL ? "" : "null ";
		if (t & WE_REF_TYPEIDX)
			snprintf(name, sizeof names[0], "(ref %s%u)", null,
			    WE_REF_TYPE_INDEX(t));
		else
			snprintf(name, sizeof names[0], "(ref %s%s)", null,
			    heap_name(t & 0xff));
		return name;
	}
	return "unknown type";
}
