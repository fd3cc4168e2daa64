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
	}
	if (wr_is_ref(t)) {
		/* A few buffers, so one message may name several types. */
		static _Thread_local char names[4][40];
		static _Thread_local unsigned next;
		char *name = names[next++ % 4];
		const char *null = t & WE_REF_NONNULL ? "" : "null ";
		we_valtype top = wr_ref_top(t);
		if (t & WE_REF_TYPEIDX)
			snprintf(name, sizeof names[0], "(ref %s%u)", null,
			    WE_REF_TYPE_INDEX(t));
		else
			snprintf(name, sizeof names[0], "(ref %s%s)", null,
			    top == WE_FUNCREF         ? "func"
			        : top == WE_EXTERNREF ? "extern"
			                              : "exn");
		return name;
	}
	return "unknown type";
}
