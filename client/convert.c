/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.c: conversions between the protocol's messages and
 * libwasmd-client's public types (module descriptions, values, invoke
 * results), and the functions that free those public types.
 *
 * Replies come from the daemon, which the client trusts to be well-formed
 * but not to be of the same version: unknown enum values and missing
 * sub-messages are checked and reported as protocol errors, never assumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The strdup of a protobuf string, "" for NULL. own: free(). */
static char *
dup_str(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static bool
valtype_ok(int t)
{
	return t >= WASMD_I32 && t <= WASMD_ANYREF;
}

int
wc_value_from_pb(const Wasmd__Value *pb, wasmd_value *out)
{
	memset(out, 0, sizeof *out);
	if (pb == NULL || !valtype_ok((int)pb->type))
		return -1;
	out->type = (wasmd_valtype)pb->type;
	switch (out->type) {
	case WASMD_I32: out->of.f32_bits = (uint32_t)pb->bits; break;
	case WASMD_F32: out->of.f32_bits = (uint32_t)pb->bits; break;
	case WASMD_I64:
	case WASMD_F64: out->of.f64_bits = pb->bits; break;
	case WASMD_FUNCREF:
	case WASMD_EXTERNREF:
	case WASMD_EXNREF:
	case WASMD_ANYREF:
		out->is_null = pb->is_null;
		out->of.ref = pb->is_null ? 0 : pb->bits;
		if (out->type == WASMD_ANYREF && !pb->is_null && pb->is_i31) {
			if (pb->bits > 0x7fffffffu)
				return -1;
			out->is_i31 = true;
			out->of.i32 = (int32_t)((uint32_t)pb->bits << 1) >> 1;
		}
		break;
	case WASMD_V128:
		if (pb->v128.len != sizeof out->of.v128)
			return -1;
		memcpy(out->of.v128, pb->v128.data, sizeof out->of.v128);
		break;
	}
	return 0;
}

void
wc_value_to_pb(const wasmd_value *v, Wasmd__Value *pb)
{
	pb->type = (Wasmd__ValType)v->type;
	pb->is_null = false;
	pb->is_i31 = false;
	switch (v->type) {
	/* 32-bit values travel zero-extended in the 64-bit field. */
	case WASMD_I32:
	case WASMD_F32: pb->bits = v->of.f32_bits; break;
	case WASMD_I64:
	case WASMD_F64: pb->bits = v->of.f64_bits; break;
	case WASMD_V128:
		/* Borrows v's bytes, as the caller's values outlive the send. */
		pb->bits = 0;
		pb->v128.data = (uint8_t *)v->of.v128;
		pb->v128.len = sizeof v->of.v128;
		break;
	default:
		pb->is_null = v->is_null;
		pb->bits = v->is_null ? 0 : v->of.ref;
		if (v->type == WASMD_ANYREF && !v->is_null && v->is_i31) {
			pb->is_i31 = true;
			pb->bits = (uint32_t)v->of.i32 & 0x7fffffffu;
		}
		break;
	}
}

static int
valtypes_from_pb(
    const Wasmd__ValType *pb, size_t n, wasmd_valtype **out, size_t *nout)
{
	*out = calloc(n ? n : 1, sizeof **out);
	*nout = 0;
	if (*out == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!valtype_ok((int)pb[i]))
			return -1;
		(*out)[i] = (wasmd_valtype)pb[i];
	}
	*nout = n;
	return 0;
}

static void
externtype_clear(wasmd_externtype *t)
{
	free(t->func.params);
	free(t->func.results);
	free(t->text);
	memset(t, 0, sizeof *t);
}

/* Fills t from pb; on failure t holds only what externtype_clear frees. */
static int
externtype_from_pb(const Wasmd__ExternType *pb, wasmd_externtype *t)
{
	memset(t, 0, sizeof *t);
	if (pb == NULL || (int)pb->kind < 0 || (int)pb->kind > 3)
		return -1;
	t->kind = (wasmd_extern_kind)pb->kind;
	if (t->kind == WASMD_EXTERN_FUNC && pb->func != NULL &&
	    (valtypes_from_pb(pb->func->params, pb->func->n_params,
	         &t->func.params, &t->func.nparams) < 0 ||
	        valtypes_from_pb(pb->func->results, pb->func->n_results,
	            &t->func.results, &t->func.nresults) < 0))
		return -1;
	if (pb->limits != NULL) {
		t->min = pb->limits->min;
		t->max = pb->limits->max;
		t->has_max = pb->limits->has_max;
	}
	if ((t->kind == WASMD_EXTERN_TABLE || t->kind == WASMD_EXTERN_GLOBAL) &&
	    !valtype_ok((int)pb->val_type))
		return -1;
	t->valtype = (wasmd_valtype)pb->val_type;
	t->is_mutable = pb->mutable_;
	t->text = wc_externtype_text(t);
	return t->text != NULL ? 0 : -1;
}

void
wc_module_info_clear(wasmd_module_info *info)
{
	for (size_t i = 0; i < info->nnames; i++)
		free(info->names[i]);
	free(info->names);
	for (size_t i = 0; i < info->nimports; i++) {
		free(info->imports[i].module);
		free(info->imports[i].name);
		externtype_clear(&info->imports[i].type);
	}
	free(info->imports);
	for (size_t i = 0; i < info->nexports; i++) {
		free(info->exports[i].name);
		externtype_clear(&info->exports[i].type);
	}
	free(info->exports);
	memset(info, 0, sizeof *info);
}

static int
names_from_pb(const Wasmd__ModuleInfo *pb, wasmd_module_info *info)
{
	info->names = calloc(pb->n_names ? pb->n_names : 1, sizeof(char *));
	if (info->names == NULL)
		return -1;
	for (; info->nnames < pb->n_names; info->nnames++) {
		info->names[info->nnames] = dup_str(pb->names[info->nnames]);
		if (info->names[info->nnames] == NULL)
			return -1;
	}
	return 0;
}

/* Each entry is counted as soon as it is allocated, so a failure halfway
 * leaves something wc_module_info_clear() frees completely. */
static int
imports_from_pb(const Wasmd__ModuleInfo *pb, wasmd_module_info *info)
{
	info->imports =
	    calloc(pb->n_imports ? pb->n_imports : 1, sizeof *info->imports);
	if (info->imports == NULL)
		return -1;
	for (size_t i = 0; i < pb->n_imports; i++) {
		wasmd_import *im = &info->imports[i];

		info->nimports = i + 1;
		im->module = dup_str(pb->imports[i]->module);
		im->name = dup_str(pb->imports[i]->name);
		if (im->module == NULL || im->name == NULL ||
		    externtype_from_pb(pb->imports[i]->type, &im->type) < 0)
			return -1;
	}
	return 0;
}

static int
exports_from_pb(const Wasmd__ModuleInfo *pb, wasmd_module_info *info)
{
	info->exports =
	    calloc(pb->n_exports ? pb->n_exports : 1, sizeof *info->exports);
	if (info->exports == NULL)
		return -1;
	for (size_t i = 0; i < pb->n_exports; i++) {
		wasmd_export *ex = &info->exports[i];

		info->nexports = i + 1;
		ex->name = dup_str(pb->exports[i]->name);
		if (ex->name == NULL ||
		    externtype_from_pb(pb->exports[i]->type, &ex->type) < 0)
			return -1;
	}
	return 0;
}

wasmd_error
wc_module_info_from_pb(
    wasmd_conn *conn, const Wasmd__ModuleInfo *pb, wasmd_module_info *out)
{
	memset(out, 0, sizeof *out);
	if (pb == NULL)
		return wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon sent an empty module description");
	snprintf(out->digest, sizeof out->digest, "%s",
	    pb->digest != NULL ? pb->digest : "");
	out->size = pb->size;
	out->created_unix = pb->created_unix;
	snprintf(out->snapshot_digest, sizeof out->snapshot_digest, "%s",
	    pb->snapshot_digest != NULL ? pb->snapshot_digest : "");
	out->snapshot_size = pb->snapshot_size;
	if (names_from_pb(pb, out) < 0 || imports_from_pb(pb, out) < 0 ||
	    exports_from_pb(pb, out) < 0) {
		wc_module_info_clear(out);
		return wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon sent a module description this client cannot "
		    "read (unknown type, or out of memory)");
	}
	return WASMD_OK;
}

void
wasmd_module_info_free(wasmd_module_info *info)
{
	if (info == NULL)
		return;
	wc_module_info_clear(info);
	free(info);
}

void
wasmd_module_list_free(wasmd_module_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++)
		wc_module_info_clear(&list->modules[i]);
	free(list->modules);
	free(list);
}

const wasmd_export *
wasmd_module_info_export(const wasmd_module_info *info, const char *name)
{
	if (info == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < info->nexports; i++)
		if (strcmp(info->exports[i].name, name) == 0)
			return &info->exports[i];
	return NULL;
}

void
wasmd_result_free(wasmd_result *result)
{
	if (result == NULL)
		return;
	for (size_t i = 0; i < result->nframes; i++)
		free(result->frames[i].name);
	free(result->frames);
	free(result->results);
	free(result->trap_message);
	free(result->output[1]);
	free(result->output[2]);
	free(result);
}

static int
results_from_pb(const Wasmd__InvokeResult *pb, wasmd_result *r)
{
	r->results =
	    calloc(pb->n_results ? pb->n_results : 1, sizeof *r->results);
	if (r->results == NULL)
		return -1;
	for (; r->nresults < pb->n_results; r->nresults++)
		if (wc_value_from_pb(
		        pb->results[r->nresults], &r->results[r->nresults]) < 0)
			return -1;
	return 0;
}

static int
trap_from_pb(const Wasmd__Trap *pb, wasmd_result *r)
{
	r->frames = calloc(pb->n_frames ? pb->n_frames : 1, sizeof *r->frames);
	if (r->frames == NULL)
		return -1;
	/* A kind this client does not know is still a trap. */
	r->trap = (int)pb->kind > 0 && (int)pb->kind <= WASMD_TRAP_HOST
	    ? (wasmd_trap_kind)pb->kind
	    : WASMD_TRAP_HOST;
	free(r->trap_message);
	r->trap_message = dup_str(pb->message);
	if (r->trap_message == NULL)
		return -1;
	for (; r->nframes < pb->n_frames; r->nframes++) {
		const Wasmd__Frame *f = pb->frames[r->nframes];
		wasmd_frame *out = &r->frames[r->nframes];

		out->func_index = f->func_index;
		out->offset = f->offset;
		out->name = dup_str(f->name);
		if (out->name == NULL)
			return -1;
	}
	return 0;
}

wasmd_error
wc_result_from_pb(
    wasmd_conn *conn, const Wasmd__InvokeResult *pb, wasmd_result **out)
{
	wasmd_result *r = calloc(1, sizeof *r);

	if (r == NULL)
		return wc_fail(conn, WASMD_ERR_NOMEM, "out of memory");
	r->fuel_consumed = pb->fuel_consumed;
	r->elapsed_us = pb->elapsed_us;
	r->has_exit_code = pb->has_exit_code;
	r->exit_code = pb->exit_code;
	r->trap_message = strdup("");
	/* A Trap message with kind TRAP_NONE is treated as no trap. */
	if (r->trap_message == NULL || results_from_pb(pb, r) < 0 ||
	    (pb->trap != NULL &&
	        pb->trap->kind != WASMD__TRAP_KIND__TRAP_NONE &&
	        trap_from_pb(pb->trap, r) < 0)) {
		wasmd_result_free(r);
		return wc_fail(conn, WASMD_ERR_PROTOCOL,
		    "the daemon sent a result this client cannot read "
		    "(unknown value type, or out of memory)");
	}
	*out = r;
	return WASMD_OK;
}
