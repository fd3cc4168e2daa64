/* SPDX-License-Identifier: Apache-2.0 */
/*
 * valtype.h: the type a value crosses as, between the engine and what
 * is outside it (the protocol, a command line). Included by convert.c and
 * local_run.c.
 */
#ifndef WASMD_WORKER_VALTYPE_H
#define WASMD_WORKER_VALTYPE_H

#include <wasmd/engine.h>

/*
 * A typed or non-null reference as the nullable abstract type above it
 * ((ref null $t) and (ref func) as funcref), as the engine's host API
 * sees them (the engine's wr_ref_top, runtime.h); any other type itself.
 */
static inline we_valtype
wrk_valtype_top(we_valtype t)
{
	if ((t & WE_REF_TYPEIDX) != 0)
		return WE_FUNCREF;
	switch ((we_valtype)(t & 0xff)) {
	case WE_NULLFUNCREF: return WE_FUNCREF;
	case WE_NULLEXTERNREF: return WE_EXTERNREF;
	case WE_NULLEXNREF: return WE_EXNREF;
	case WE_NULLREF:
	case WE_EQREF:
	case WE_I31REF:
	case WE_STRUCTREF:
	case WE_ARRAYREF: return WE_ANYREF;
	default: return (we_valtype)(t & 0xff);
	}
}

#endif
