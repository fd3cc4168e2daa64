/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simd.h: the SIMD operations of opcodes.def (its WX_VOP, WX_VLD and WX_VST
 * rows), one out-of-line function wxs_N per row, defined in simd.c and
 * called by interp.c's handler of row N. Keeping the lane loops out of the
 * interpreter's dispatch function keeps that function (and its compile
 * time, sanitizers included) about the size it was without SIMD.
 *
 * Private to engine/ (interp.c, simd.c).
 *
 * Where an instruction's operands are (filled in by compile.c):
 *   WX_VOP  a = result slot, b = first operand, c = second operand, d =
 *           third operand (three-operand rows) or the lane index.
 *   WX_VLD  a = result slot, b = address, c = memarg offset, d = lane
 *           index; a lane load reads the vector it changes at a + 1.
 *   WX_VST  a = address, b = the v128, c = memarg offset, d = lane index.
 * The result slot may be one of the operand slots: every function reads
 * all of its operands before it writes.
 *
 * A load or store returns false, having touched nothing, when the access
 * is out of bounds of the size bytes at mem.
 */
#ifndef WE_SIMD_H
#define WE_SIMD_H

#include <stdbool.h>

#include "code.h"

#define WX_VOP(N, code, text, sig, lanes)                                      \
	void wxs_##N(wr_value *fp, const wx_insn *ip);
#define WX_VLD(N, code, text, align, lanes)                                    \
	bool wxs_##N(                                                          \
	    wr_value *fp, const wx_insn *ip, uint8_t *mem, uint64_t size);
#define WX_VST(N, code, text, align, lanes)                                    \
	bool wxs_##N(                                                          \
	    wr_value *fp, const wx_insn *ip, uint8_t *mem, uint64_t size);
#include "opcodes.def"

/*
 * The lane shapes as GCC/Clang vector types, for the rows interp.c
 * computes inline (simdhot.def). Slots are only 8-byte aligned: values
 * are copied in and out with memcpy.
 */
typedef uint8_t wxv_u8 __attribute__((vector_size(16)));
typedef uint16_t wxv_u16 __attribute__((vector_size(16)));
typedef uint32_t wxv_u32 __attribute__((vector_size(16)));
typedef uint64_t wxv_u64 __attribute__((vector_size(16)));
typedef int8_t wxv_i8 __attribute__((vector_size(16)));
typedef int16_t wxv_i16 __attribute__((vector_size(16)));
typedef int32_t wxv_i32 __attribute__((vector_size(16)));
typedef int64_t wxv_i64 __attribute__((vector_size(16)));
typedef float wxv_f32 __attribute__((vector_size(16)));
typedef double wxv_f64 __attribute__((vector_size(16)));

/*
 * i8x16.shuffle: fp[a..a+2) := lanes of fp[b..b+2) and fp[c..c+2) chosen
 * by the 16 indices (each below 32) of ip[1], an X_DATA.
 */
void wxs_shuffle(wr_value *fp, const wx_insn *ip);

#endif /* WE_SIMD_H */
