/*
 * engine_decode_stub.c: stand-ins for wx_compile() and wx_code_free(), for
 * the decoder's unit test only, used while engine/compile.c does not exist
 * yet (engine_decode.cmake adds this file only then). They accept every
 * body and compile nothing.
 */
#include "runtime.h"

bool
wx_compile(we_module *m, uint32_t func_index, we_error *err)
{
	(void)m;
	(void)func_index;
	(void)err;
	return true;
}

void
wx_code_free(void *code)
{
	(void)code;
}
