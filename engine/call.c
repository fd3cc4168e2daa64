/* SPDX-License-Identifier: Apache-2.0 */
/*
 * call.c: the public call API (we_func_call, suspension and resumption,
 * traps and errors, fuel and interrupts) and calls into host functions.
 *
 * A store runs one invocation at a time. we_func_call on a store that is
 * running (a host function calling back into its own store) or suspended
 * fails with WE_CALL_ERROR ("store is busy"): a host function that needs
 * to re-enter should suspend instead. The execution state (struct wx_exec,
 * code.h) is allocated on the first call and kept for the next ones, and
 * across we_store_reset().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "code.h"

/* Host calls with up to this many results need no allocation. */
#define WX_HOST_RESULTS_INLINE 16

static we_call_status call_error(we_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static we_call_status
call_error(we_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	return WE_CALL_ERROR;
}

/*
 * Zeroed memory for a stack, mapped rather than calloc'd: the kernel gives
 * pages only as deep calls touch them, and a freed stack goes back at once
 * (calloc of a block that malloc's dynamic mmap threshold has come to
 * serve from the heap would clear all of it, 8 MiB, for every store).
 */
static void *
stack_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void
stack_unmap(void *p, size_t bytes)
{
	if (p != NULL)
		munmap(p, bytes);
}

static bool
ensure_exec(we_store *s)
{
	struct wx_exec *x;
	size_t nslots = s->config.max_stack_bytes / sizeof(wr_value);

	if (s->exec != NULL)
		return true;
	x = calloc(1, sizeof *x);
	if (x == NULL)
		return false;
	if (nslots < 16)
		nslots = 16;
	x->max_depth = s->config.max_call_depth;
	x->stack = stack_map(nslots * sizeof *x->stack);
	x->stack_end = x->stack != NULL ? x->stack + nslots : NULL;
	x->frames = stack_map((x->max_depth + 1) * sizeof *x->frames);
	if (x->stack == NULL || x->frames == NULL) {
		wx_exec_free(x);
		return false;
	}
	s->exec = x;
	return true;
}

void
wx_exec_free(struct wx_exec *x)
{
	if (x == NULL)
		return;
	stack_unmap(
	    x->stack, (size_t)(x->stack_end - x->stack) * sizeof *x->stack);
	stack_unmap(x->frames, (x->max_depth + 1) * sizeof *x->frames);
	free(x);
}

/* What compiling def costs in fuel (engine.h). */
static uint64_t
compile_fuel(const wm_funcdef *def)
{
	uint64_t bytes = (uint64_t)(def->body_end - def->body);

	return bytes * WE_FUEL_PER_COMPILED_BYTE + def->nlocals;
}

const wx_code *
wx_code_metered(we_store *s, const we_module *m, uint32_t func_index)
{
	const wm_funcdef *def = &m->funcs[func_index];
	const wx_code *code = __atomic_load_n(&def->code, __ATOMIC_ACQUIRE);

	if (code != NULL)
		return code;
	if (s->fuel_on) {
		/* Charged before the work, so a body too big for the fuel
		   left costs nothing but the trap. */
		uint64_t cost = compile_fuel(def);
		if (cost > s->fuel) {
			wr_trap(s, WE_TRAP_OUT_OF_FUEL,
			    "out of fuel compiling function %u (%llu fuel)",
			    func_index, (unsigned long long)cost);
			return NULL;
		}
		s->fuel -= cost;
	}
	code = wx_code_of(m, func_index);
	if (code == NULL)
		wr_trap(s, WE_TRAP_HOST, "out of memory compiling function %u",
		    func_index);
	return code;
}

/*
 * Values to their slots, one after another by width (a v128 takes two):
 * vals[0..n) to slots.
 */
static void
vals_to_slots(uint32_t n, const we_val *vals, wr_value *slots)
{
	for (uint32_t i = 0; i < n; i++) {
		wr_from_val(vals[i], slots);
		slots += wr_width(vals[i].type);
	}
}

/*
 * What a host sees of type t of inst's module (NULL: the host's own): as
 * wr_ref_top, but anyref for a reference to a struct or array type.
 */
static we_valtype
host_top(const we_instance *inst, we_valtype t)
{
	if (inst != NULL && wr_is_ref(t) && (t & WE_REF_TYPEIDX))
		return wm_heap_top(inst->module->typeinfo, t);
	return wr_ref_top(t);
}

/* The n values of types (of inst's module, or NULL) laid out from
 * slots, into out[0..n). */
static void
slots_to_vals(const we_instance *inst, uint32_t n, const we_valtype *types,
    const wr_value *slots, we_val *out)
{
	for (uint32_t i = 0; i < n; i++) {
		out[i] = wr_to_val(types[i], slots);
		out[i].type = host_top(inst, types[i]);
		slots += wr_width(types[i]);
	}
}

/* Whether reference v is null. */
static bool
ref_is_null(we_val v)
{
	return v.type == WE_FUNCREF ? v.of.funcref == NULL
	                            : v.of.externref == NULL;
}

/*
 * Whether reference v may be of type t, whose type index (a typed
 * function reference) is one of inst's module: null only when t admits
 * it, and a function only of that type or a subtype (wr_type_sub).
 */
static bool
ref_fits(const we_store *s, const we_instance *inst, we_valtype t, we_val v)
{
	if (ref_is_null(v))
		return !(t & WE_REF_NONNULL);
	if (wr_heap_is_bottom((uint32_t)t & 0xff))
		return false;
	/* A non-null any reference is an i31 or an object of the store. */
	if (host_top(inst, t) == WE_ANYREF) {
		uint32_t h = (uint32_t)t & ~(uint32_t)WE_REF_NONNULL;
		if (!wr_is_i31(v.of.externref) &&
		    wr_gc_find(s, v.of.externref) == NULL)
			return false;
		/* A host's own type names no type by index. */
		return wr_any_test(s, v.of.externref, h,
		    inst != NULL && (h & WE_REF_TYPEIDX)
		        ? inst->type_ids[WE_REF_TYPE_INDEX(h)]
		        : 0);
	}
	if (!(t & WE_REF_TYPEIDX))
		return true;
	return inst != NULL &&
	    wr_type_sub(inst->store, v.of.funcref->type_id,
	        inst->type_ids[WE_REF_TYPE_INDEX(t)]);
}

/*
 * Checks that vals match types (of inst's module, or the host's when
 * inst is NULL); names the first mismatch in s->error. A host sees any
 * function reference type as funcref (wr_ref_top).
 */
static bool
check_vals(we_store *s, const we_instance *inst, const char *what,
    const we_val *vals, size_t n, uint32_t ntypes, const we_valtype *types)
{
	if (n != ntypes) {
		call_error(s, "expected %u %s%s, got %zu", ntypes, what,
		    ntypes == 1 ? "" : "s", n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		/* A null for a typed reference may come as any reference
		   type: a struct type's used to be passed as a funcref (and
		   still is through the daemon, which describes it so). */
		if (vals[i].type != host_top(inst, types[i]) &&
		    !((types[i] & WE_REF_TYPEIDX) && wr_is_ref(types[i]) &&
		        wr_is_ref(vals[i].type) && ref_is_null(vals[i]))) {
			call_error(s, "%s %zu: expected %s, got %s", what, i,
			    we_valtype_name(types[i]),
			    we_valtype_name(vals[i].type));
			return false;
		}
		if (wr_is_ref(types[i]) &&
		    !ref_fits(s, inst, types[i], vals[i])) {
			call_error(s, "%s %zu: expected %s, got %s", what, i,
			    we_valtype_name(types[i]),
			    ref_is_null(vals[i]) ? "null"
			        : vals[i].type == WE_FUNCREF
			        ? "a function of another type"
			        : "a reference of another type");
			return false;
		}
	}
	return true;
}

static bool
reserve_pending_args(we_store *s, uint32_t n)
{
	we_val *p;

	if (n <= s->pending_cap)
		return true;
	p = realloc(s->pending_args, n * sizeof *p);
	if (p == NULL)
		return false;
	s->pending_args = p;
	s->pending_cap = n;
	return true;
}

/* The import names under which caller linked f, if it did. */
static void
import_names(const we_instance *caller, const we_func *f, const char **module,
    const char **name)
{
	const we_module *m;

	*module = NULL;
	*name = NULL;
	if (caller == NULL)
		return;
	m = caller->module;
	for (uint32_t j = 0; j < m->nfunc_imports; j++) {
		if (caller->funcs[j] != f)
			continue;
		for (uint32_t i = 0; i < m->nimports; i++)
			if (m->imports[i].kind == WE_EXTERN_FUNC &&
			    m->imports[i].index == j) {
				*module = m->imports[i].module;
				*name = m->imports[i].name;
				return;
			}
	}
}

static void
fill_pending(we_store *s, we_func *f, we_instance *caller, uint32_t nargs)
{
	s->pending.func = f;
	s->pending.type = f->type;
	s->pending.args = s->pending_args;
	s->pending.nargs = nargs;
	import_names(caller, f, &s->pending.module, &s->pending.name);
}

/* Checks a host function's results and stores them in slots. */
static we_host_status
take_host_results(
    we_store *s, const we_functype *t, const we_val *res, wr_value *slots)
{
	for (uint32_t i = 0; i < t->nresults; i++)
		if (res[i].type != t->results[i]) {
			wr_trap(s, WE_TRAP_HOST,
			    "host function returned %s for result %u, "
			    "expected %s",
			    we_valtype_name(res[i].type), i,
			    we_valtype_name(t->results[i]));
			return WE_HOST_TRAP;
		} else if (res[i].type == WE_ANYREF &&
		    !wr_host_ref_ok(s, t->results[i], res[i].of.externref)) {
			/* The guest reads what an anyref points to. */
			wr_trap(s, WE_TRAP_HOST,
			    "host function returned an anyref for result %u "
			    "that is not null, an i31 or an object of the "
			    "store",
			    i);
			return WE_HOST_TRAP;
		}
	vals_to_slots(t->nresults, res, slots);
	return WE_HOST_OK;
}

we_host_status
wx_call_host(we_store *s, we_func *f, we_instance *caller, wr_value *slots)
{
	const we_functype *t = f->type;
	we_val inline_res[WX_HOST_RESULTS_INLINE], *res = inline_res;
	char message[WE_MSG_MAX] = "";
	we_host_status st;
	we_hostcall hc;
	bool on;

	if (!reserve_pending_args(s, t->nparams) ||
	    (t->nresults > WX_HOST_RESULTS_INLINE &&
	        (res = calloc(t->nresults, sizeof *res)) == NULL)) {
		wr_trap(s, WE_TRAP_HOST,
		    "out of memory calling a host "
		    "function");
		return WE_HOST_TRAP;
	}
	slots_to_vals(NULL, t->nparams, t->params, slots, s->pending_args);
	for (uint32_t i = 0; i < t->nresults; i++) {
		memset(&res[i], 0, sizeof res[i]);
		res[i].type = t->results[i];
	}
	hc = (we_hostcall){.store = s,
	    .caller = caller,
	    .func = f,
	    .env = f->env,
	    .args = s->pending_args,
	    .nargs = t->nparams,
	    .results = res,
	    .nresults = t->nresults,
	    .message = message};
	/* The host may make objects (we_any_convert_extern) and keep them
	   in C locals, which no root sees: no collection until it returns. */
	on = s->gc.on;
	s->gc.on = false;
	st = f->host(&hc);
	s->gc.on = on;
	switch (st) {
	case WE_HOST_OK: st = take_host_results(s, t, res, slots); break;
	case WE_HOST_TRAP:
		message[WE_MSG_MAX - 1] = '\0';
		wr_trap(s, WE_TRAP_HOST, "%s",
		    message[0] ? message : "host function trapped");
		break;
	case WE_HOST_SUSPEND: fill_pending(s, f, caller, t->nparams); break;
	default:
		wr_trap(s, WE_TRAP_HOST,
		    "host function returned an unknown "
		    "status");
		st = WE_HOST_TRAP;
		break;
	}
	if (res != inline_res)
		free(res);
	return st;
}

/*
 * wx_run, with the collector allowed: while wasm code runs, every
 * reference the engine holds is in a root (collect.c).
 */
static wx_status
run_wasm(we_store *s, const wx_insn *ip, wr_value *fp)
{
	wx_status st;

	s->gc.on = true;
	s->gc.changed = true; /* the host may have dropped references */
	st = wx_run(s, ip, fp);
	s->gc.on = false;
	return st;
}

/* Turns the interpreter's status into the call's, copying results. */
static we_call_status
finish(we_store *s, wx_status st, we_val *results)
{
	struct wx_exec *x = s->exec;
	const we_functype *t = x->entry->type;

	switch (st) {
	case WX_DONE:
		s->state = WR_IDLE;
		slots_to_vals(
		    x->entry->inst, t->nresults, t->results, x->stack, results);
		return WE_CALL_OK;
	case WX_TRAP:
		s->state = WR_IDLE;
		x->depth = 0;
		return WE_CALL_TRAP;
	default: s->state = WR_SUSPENDED; return WE_CALL_SUSPENDED;
	}
}

static we_call_status
check_idle(we_store *s)
{
	if (s->state == WR_RUNNING)
		return call_error(s,
		    "store is busy: a call is running (a "
		    "host function may not call into its "
		    "own store)");
	if (s->state == WR_SUSPENDED)
		return call_error(s,
		    "store is busy: a call is suspended "
		    "(resume or abandon it first)");
	return WE_CALL_OK;
}

static void
clear_outcome(we_store *s)
{
	s->error[0] = '\0';
	s->trap.kind = WE_TRAP_NONE;
	s->trap.message[0] = '\0';
	s->trap.nframes = 0;
	memset(&s->pending, 0, sizeof s->pending);
}

static we_call_status
call_host_entry(we_store *s, we_func *f, we_val *results)
{
	struct wx_exec *x = s->exec;

	switch (wx_call_host(s, f, NULL, x->stack)) {
	case WE_HOST_OK: return finish(s, WX_DONE, results);
	case WE_HOST_TRAP: return finish(s, WX_TRAP, results);
	default:
		x->susp_ip = NULL;
		x->susp_fp = x->stack;
		x->susp_callee = f;
		return finish(s, WX_SUSPEND, results);
	}
}

we_call_status
we_func_call(we_store *s, we_func *f, const we_val *args, size_t nargs,
    we_val *results, size_t nresults)
{
	const we_functype *t;
	const wx_code *code;
	struct wx_exec *x;

	if (check_idle(s) != WE_CALL_OK)
		return WE_CALL_ERROR;
	clear_outcome(s);
	if (f == NULL)
		return call_error(s, "no function to call");
	if (f->inst != NULL && f->inst->store != s)
		return call_error(s, "the function belongs to another store");
	t = f->type;
	if (!check_vals(
	        s, f->inst, "argument", args, nargs, t->nparams, t->params))
		return WE_CALL_ERROR;
	if (nresults != t->nresults)
		return call_error(s, "expected room for %u results, got %zu",
		    t->nresults, nresults);
	if (!ensure_exec(s))
		return call_error(s, "out of memory for the call stack");
	x = s->exec;
	if ((size_t)(x->stack_end - x->stack) <
	    wr_slots_of(t->nparams, t->params) + 2)
		return call_error(s, "too many arguments for the stack");
	vals_to_slots(t->nparams, args, x->stack);
	x->entry = f;
	x->depth = 0;
	s->state = WR_RUNNING;
	if (f->host != NULL)
		return call_host_entry(s, f, results);
	code = wx_code_metered(s, f->inst->module, f->index);
	if (code == NULL)
		return finish(s, WX_TRAP, results);
	x->frames[0] = (wx_frame){
	    .code = code, .fp = x->stack, .inst = f->inst, .ret_ip = NULL};
	x->depth = 1;
	if (code->nslots > (size_t)(x->stack_end - x->stack)) {
		wr_trap(s, WE_TRAP_CALL_STACK_EXHAUSTED, "%s",
		    we_trap_kind_name(WE_TRAP_CALL_STACK_EXHAUSTED));
		wx_backtrace(s, code->insns);
		return finish(s, WX_TRAP, results);
	}
	return finish(s, run_wasm(s, code->insns, x->stack), results);
}

static bool
check_suspended(we_store *s, size_t nresults)
{
	if (s->state != WR_SUSPENDED) {
		call_error(s, "no suspended call to resume");
		return false;
	}
	if (nresults != s->exec->entry->type->nresults) {
		call_error(s, "expected room for %u results, got %zu",
		    s->exec->entry->type->nresults, nresults);
		return false;
	}
	return true;
}

we_call_status
we_resume(we_store *s, const we_val *host_results, size_t nhost_results,
    we_val *results, size_t nresults)
{
	struct wx_exec *x = s->exec;
	const we_functype *ht;

	if (!check_suspended(s, nresults))
		return WE_CALL_ERROR;
	ht = x->susp_callee->type;
	if (!check_vals(s, NULL, "host result", host_results, nhost_results,
	        ht->nresults, ht->results))
		return WE_CALL_ERROR;
	vals_to_slots(ht->nresults, host_results, x->susp_fp);
	clear_outcome(s);
	s->state = WR_RUNNING;
	if (x->susp_ip == NULL)
		return finish(s, WX_DONE, results);
	return finish(s,
	    run_wasm(s, x->susp_ip + 1, x->frames[x->depth - 1].fp), results);
}

we_call_status
we_resume_trap(
    we_store *s, const char *message, we_val *results, size_t nresults)
{
	struct wx_exec *x = s->exec;

	if (!check_suspended(s, nresults))
		return WE_CALL_ERROR;
	clear_outcome(s);
	wr_trap(s, WE_TRAP_HOST, "%s",
	    message && message[0] ? message : "host function trapped");
	if (x->susp_ip != NULL)
		wx_backtrace(s, x->susp_ip);
	return finish(s, WX_TRAP, results);
}

void
we_abandon(we_store *s)
{
	if (s->state != WR_SUSPENDED)
		return;
	memset(&s->pending, 0, sizeof s->pending);
	s->exec->depth = 0;
	s->state = WR_IDLE;
}

const we_trap *
we_store_trap(const we_store *s)
{
	return &s->trap;
}

const char *
we_store_error(const we_store *s)
{
	return s->error;
}

const we_pending *
we_store_pending(const we_store *s)
{
	return s->state == WR_SUSPENDED ? &s->pending : NULL;
}

const char *
we_trap_kind_name(we_trap_kind kind)
{
	switch (kind) {
	case WE_TRAP_NONE: return "no trap";
	case WE_TRAP_UNREACHABLE: return "unreachable";
	case WE_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
	case WE_TRAP_TABLE_OUT_OF_BOUNDS: return "out of bounds table access";
	case WE_TRAP_DIV_BY_ZERO: return "integer divide by zero";
	case WE_TRAP_INTEGER_OVERFLOW: return "integer overflow";
	case WE_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
	case WE_TRAP_INDIRECT_CALL_TYPE_MISMATCH:
		return "indirect call type mismatch";
	case WE_TRAP_UNDEFINED_ELEMENT: return "undefined element";
	case WE_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
	case WE_TRAP_CALL_STACK_EXHAUSTED: return "call stack exhausted";
	case WE_TRAP_OUT_OF_FUEL: return "out of fuel";
	case WE_TRAP_INTERRUPTED: return "interrupted";
	case WE_TRAP_HOST: return "host error";
	case WE_TRAP_EXCEPTION: return "uncaught exception";
	case WE_TRAP_NULL_REFERENCE: return "null reference";
	case WE_TRAP_CAST_FAILURE: return "cast failure";
	case WE_TRAP_ARRAY_OUT_OF_BOUNDS: return "out of bounds array access";
	}
	return "unknown trap";
}

void
we_store_set_fuel(we_store *s, uint64_t fuel)
{
	s->fuel_on = fuel != UINT64_MAX;
	s->fuel = fuel;
	s->fuel_set = fuel;
}

uint64_t
we_store_fuel_remaining(const we_store *s)
{
	return s->fuel_on ? s->fuel : UINT64_MAX;
}

uint64_t
we_store_fuel_consumed(const we_store *s)
{
	return s->fuel_on ? s->fuel_set - s->fuel : 0;
}

void
we_store_interrupt(we_store *s)
{
	atomic_store(&s->interrupt, 1);
}
