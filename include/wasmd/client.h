/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmd/client.h: the public API of libwasmd-client, the library that talks
 * to the wasmd daemon over its Unix socket.
 *
 * Included by applications, by wasmctl and by tests. It does not depend on
 * the engine (no engine header, no engine library): values and types here
 * are the client's own, converted to and from the wire protocol.
 *
 * Model (libpq/hiredis style): wasmd_connect() returns an opaque
 * connection whose wasmd_status() says whether it is usable and whose
 * wasmd_errmsg() describes the last error. Every call blocks until its
 * reply arrives and returns a wasmd_error (WASMD_OK on success); errors the
 * daemon reports keep their protocol code and message. A guest trap is not
 * an error: wasmd_invoke() returns WASMD_OK and a result whose trap kind is
 * set. A connection is used by one thread at a time.
 *
 * Event loops: wasmd_invoke_send() starts an invoke and returns; the
 * caller's loop watches wasmd_fd() and calls wasmd_process(), which runs
 * the invoke's callback when its reply arrives (wasmd/client_libevent.h
 * does this for libevent).
 *
 * Ownership: "own" results are the caller's and are freed with the function
 * named next to them; "borrowed" pointers stay owned by the library and
 * live as long as the connection (or until the next call, where noted).
 */
#ifndef WASMD_CLIENT_H
#define WASMD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WASMD_CLIENT_API __attribute__((visibility("default")))
#define WASMD_CLIENT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WASMD_CLIENT_API
#define WASMD_CLIENT_PRINTF(f, a)
#endif

/* ---- Errors ------------------------------------------------------------ */

/*
 * Codes 1..15 mirror the protocol's ErrorCode (proto/wasmd.proto) with the
 * same numbers; codes from 100 are found by the client itself.
 */
#define WASMD_ERRORS(X)                                                        \
	X(WASMD_OK, 0, "success")                                              \
	X(WASMD_ERR_BAD_REQUEST, 1, "malformed or unexpected request")         \
	X(WASMD_ERR_VERSION, 2, "incompatible protocol version")               \
	X(WASMD_ERR_NOT_FOUND, 3, "no such module")                            \
	X(WASMD_ERR_INVALID_MODULE, 4, "invalid module")                       \
	X(WASMD_ERR_LIMIT, 5, "limit exceeded")                                \
	X(WASMD_ERR_MISSING_EXPORT, 6, "no such export")                       \
	X(WASMD_ERR_BAD_ARGUMENTS, 7, "arguments do not match the export")     \
	X(WASMD_ERR_LINK, 8, "imports cannot be satisfied")                    \
	X(WASMD_ERR_TIMEOUT, 9, "deadline exceeded")                           \
	X(WASMD_ERR_OUT_OF_MEMORY, 10, "out of memory in the worker")          \
	X(WASMD_ERR_SANDBOX_VIOLATION, 11, "sandbox violation")                \
	X(WASMD_ERR_CRASH, 12, "the worker crashed")                           \
	X(WASMD_ERR_INTERNAL, 13, "internal daemon error")                     \
	X(WASMD_ERR_UNAVAILABLE, 14, "daemon unavailable")                     \
	X(WASMD_ERR_DENIED, 15, "permission denied")                           \
	X(WASMD_ERR_IO, 100, "connection failed or closed")                    \
	X(WASMD_ERR_PROTOCOL, 101, "unexpected reply from the daemon")         \
	X(WASMD_ERR_NOMEM, 102, "out of memory")                               \
	X(WASMD_ERR_INVALID, 103, "invalid argument")                          \
	X(WASMD_ERR_OUT_OF_BOUNDS, 104, "guest memory access out of bounds")

typedef enum wasmd_error {
#define WASMD_ERROR_ENUM(name, num, text) name = (num),
	WASMD_ERRORS(WASMD_ERROR_ENUM)
#undef WASMD_ERROR_ENUM
} wasmd_error;

/* A short fixed description of a code ("no such module"); never NULL. */
WASMD_CLIENT_API const char *wasmd_strerror(wasmd_error code);

/* ---- Values and types -------------------------------------------------- */

typedef enum wasmd_valtype {
	WASMD_I32 = 0, /* the numbers match the protocol's ValType */
	WASMD_I64 = 1,
	WASMD_F32 = 2,
	WASMD_F64 = 3,
	WASMD_FUNCREF = 4,
	WASMD_EXTERNREF = 5,
	WASMD_V128 = 6,
	WASMD_EXNREF = 7, /* 3.0: only null crosses (is_null) */
	WASMD_ANYREF = 8, /* 3.0: null or an i31 (is_i31) crosses */
} wasmd_valtype;

/*
 * A typed value. Floats may be read as numbers or as their exact bits (the
 * union members overlap); NaN payloads travel bit for bit. References
 * cannot cross processes: a reference is null (is_null) or an opaque
 * handle in of.ref. An anyref (or eqref, i31ref) may also hold an i31
 * reference, which is a value: is_i31 is set and of.i32 is its value
 * sign-extended from 31 bits (i31.get_s); a guest's struct or array does
 * not cross. A v128 is its 16 bytes in memory order (of.v128[0] is the
 * low byte of lane 0).
 */
typedef struct wasmd_value {
	wasmd_valtype type;
	union {
		int32_t i32;
		int64_t i64;
		float f32;
		double f64;
		uint32_t f32_bits;
		uint64_t f64_bits;
		uint64_t ref;
		uint8_t v128[16];
	} of;
	bool is_null; /* references only */
	bool is_i31;  /* WASMD_ANYREF only: an i31 reference in of.i32 */
} wasmd_value;

/*
 * "i32", "i64", "f32", "f64", "funcref", "externref", "v128"; "?"
 * otherwise.
 */
WASMD_CLIENT_API const char *wasmd_valtype_name(wasmd_valtype type);

/* Parses a type name as above. Returns 0, or -1 for an unknown name. */
WASMD_CLIENT_API int wasmd_valtype_parse(const char *name, wasmd_valtype *out);

/*
 * Parses text as a value of the given type into *out.
 *   i32, i64: decimal (optionally signed) or 0x hex; unsigned spellings up
 *             to 2^32-1 / 2^64-1 are accepted and wrap ("4294967295" is -1).
 *   f32, f64: decimal or hex floats, "inf", "-inf", "nan" (canonical),
 *             "nan:0xPAYLOAD" and "-nan..." with an explicit sign; values
 *             out of range are rejected, never rounded to infinity.
 *   funcref, externref: "null"; an externref may also be a handle number.
 *   exnref: "null". anyref: "null" or "i31:N", an i31 reference, N from
 *         -2^30 to 2^31-1 (values from 2^30 wrap, as ref.i31 does).
 *   v128: one 128-bit hex literal, "0x" and exactly 32 hex digits, read as
 *         a little-endian number (as wasmtime prints it): the last two
 *         digits are byte 0, the low byte of lane 0.
 * Returns 0, or -1 with err (errlen bytes, may be NULL) saying why.
 */
WASMD_CLIENT_API int wasmd_value_parse(wasmd_valtype type, const char *text,
    wasmd_value *out, char *err, size_t errlen);

/*
 * Formats v into buf (snprintf-like: returns the length the text needs,
 * writes at most len bytes, always terminated when len > 0).
 *   i32, i64: signed decimal. f32, f64: the shortest decimal that reads
 *   back to the same bits ("0.1", "-0", "inf"); NaNs as "nan" when the
 *   payload is canonical, else "nan:0x..." (with "-" for a set sign bit).
 *   References: "null", or "ref:HANDLE" (externref handle in decimal);
 *   an i31 as "i31:N" (N sign-extended from 31 bits).
 *   v128: "0x" and 32 lowercase hex digits, as wasmd_value_parse reads.
 * WASMD_VALUE_TEXT_MAX bytes are always enough.
 */
#define WASMD_VALUE_TEXT_MAX 64
WASMD_CLIENT_API size_t wasmd_value_format(
    const wasmd_value *v, char *buf, size_t len);

typedef enum wasmd_extern_kind {
	WASMD_EXTERN_FUNC = 0,
	WASMD_EXTERN_TABLE = 1,
	WASMD_EXTERN_MEMORY = 2,
	WASMD_EXTERN_GLOBAL = 3,
} wasmd_extern_kind;

typedef struct wasmd_functype {
	size_t nparams;
	size_t nresults;
	wasmd_valtype *params;  /* nparams entries */
	wasmd_valtype *results; /* nresults entries */
} wasmd_functype;

/*
 * The type of an import or export, structured and as readable text in the
 * WebAssembly text format: "(func (param i32 i32) (result i64))",
 * "(memory 1 16)", "(table 0 funcref)", "(global (mut i32))".
 */
typedef struct wasmd_externtype {
	wasmd_extern_kind kind;
	wasmd_functype func; /* WASMD_EXTERN_FUNC */
	uint32_t min;        /* TABLE (elements), MEMORY (64 KiB pages) */
	uint32_t max;        /* valid when has_max */
	bool has_max;
	wasmd_valtype valtype; /* TABLE (element), GLOBAL */
	bool is_mutable;       /* GLOBAL */
	char *text;            /* never NULL */
} wasmd_externtype;

typedef struct wasmd_import {
	char *module;
	char *name;
	wasmd_externtype type;
} wasmd_import;

typedef struct wasmd_export {
	char *name;
	wasmd_externtype type;
} wasmd_export;

/* A stored module, as push, inspect and list describe it. */
typedef struct wasmd_module_info {
	char digest[65]; /* lowercase hex sha256, NUL-terminated */
	uint64_t size;   /* bytes */
	uint64_t created_unix;
	size_t nnames;
	char **names; /* nnames names that point at this digest */
	size_t nimports;
	wasmd_import *imports;
	size_t nexports;
	wasmd_export *exports;
	/*
	 * Its pre-initialized snapshot (wasmd_push_with(), init), which
	 * every fresh invoke starts from: the lowercase hex sha256 of its
	 * bytes and their size; "" and 0 when it has none.
	 */
	char snapshot_digest[65];
	uint64_t snapshot_size;
} wasmd_module_info;

/* Frees an info from wasmd_push() or wasmd_inspect(); NULL is a no-op. */
WASMD_CLIENT_API void wasmd_module_info_free(wasmd_module_info *info);

/* Finds an export by name. borrowed: from info; NULL if there is none. */
WASMD_CLIENT_API const wasmd_export *wasmd_module_info_export(
    const wasmd_module_info *info, const char *name);

typedef struct wasmd_module_list {
	size_t count;
	wasmd_module_info *modules; /* count entries */
} wasmd_module_list;

/* Frees a list from wasmd_list(); NULL is a no-op. */
WASMD_CLIENT_API void wasmd_module_list_free(wasmd_module_list *list);

/* ---- Connections ------------------------------------------------------- */

typedef struct wasmd_conn wasmd_conn;

typedef enum wasmd_conn_status {
	WASMD_CONNECTION_OK = 0,
	WASMD_CONNECTION_BAD = 1, /* never connected, or the link broke */
} wasmd_conn_status;

/*
 * The address used when none is given: $WASMD_HOST if set, else
 * "unix://$XDG_RUNTIME_DIR/wasmd/wasmd.sock", or
 * "unix:///run/wasmd/wasmd.sock" as root or without XDG_RUNTIME_DIR.
 * own: free() it; NULL when out of memory.
 */
WASMD_CLIENT_API char *wasmd_default_address(void);

/*
 * Connects to the daemon at addr ("unix:///path/to/sock" or a plain path;
 * NULL for wasmd_default_address()) and exchanges Hello. Always returns a
 * connection (NULL only when out of memory): check wasmd_status(), and
 * read wasmd_errmsg() when it is WASMD_CONNECTION_BAD.
 * own: close with wasmd_close().
 */
WASMD_CLIENT_API wasmd_conn *wasmd_connect(const char *addr);

/* Closes the socket and frees conn; NULL is a no-op. Callbacks of pending
 * asynchronous requests run first, with WASMD_ERR_IO. */
WASMD_CLIENT_API void wasmd_close(wasmd_conn *conn);

WASMD_CLIENT_API wasmd_conn_status wasmd_status(const wasmd_conn *conn);

/*
 * The last error's message, e.g. "no module matches 'foo'"; "" after a
 * success. borrowed: valid until the next call on conn. Never NULL.
 */
WASMD_CLIENT_API const char *wasmd_errmsg(const wasmd_conn *conn);

/* The last error's code (WASMD_OK after a success). */
WASMD_CLIENT_API wasmd_error wasmd_errcode(const wasmd_conn *conn);

/* What the daemon said in Hello. borrowed: live as long as conn; "" when
 * not connected. */
WASMD_CLIENT_API const char *wasmd_server_software(const wasmd_conn *conn);
WASMD_CLIENT_API const char *wasmd_tenant(const wasmd_conn *conn);

/* The socket's fd, for an event loop to watch (see wasmd_process()); -1
 * once the connection is broken or closed. */
WASMD_CLIENT_API int wasmd_fd(const wasmd_conn *conn);

/* ---- Requests ---------------------------------------------------------- */

/*
 * Stores len bytes of a module under its sha256 (and name when name is
 * non-NULL and not ""). The daemon validates it first. On success *out
 * (when out is non-NULL) gets the module's description.
 * own: *out, freed with wasmd_module_info_free().
 */
WASMD_CLIENT_API wasmd_error wasmd_push(wasmd_conn *conn, const void *wasm,
    size_t len, const char *name, wasmd_module_info **out);

/* Lists the caller's modules. own: *out, wasmd_module_list_free(). */
WASMD_CLIENT_API wasmd_error wasmd_list(
    wasmd_conn *conn, wasmd_module_list **out);

/*
 * Describes the module ref names: a 64-hex digest, a unique prefix of at
 * least 12 hex digits, or a name. own: *out, wasmd_module_info_free().
 */
WASMD_CLIENT_API wasmd_error wasmd_inspect(
    wasmd_conn *conn, const char *ref, wasmd_module_info **out);

/* What wasmd_remove_scoped() removes. A digest (or unique prefix) always
 * names the module, removed with every name pointing at it. */
typedef enum wasmd_remove_scope {
	/* A name: that name only, and the module too when no other name
	 * points at it (as `docker rmi TAG`). */
	WASMD_REMOVE_REF = 0,
	/* A name: that name only, never the module (WASMD_ERR_NOT_FOUND for
	 * a digest). */
	WASMD_REMOVE_NAME_ONLY = 1,
	/* The module ref names, with every name pointing at it. */
	WASMD_REMOVE_ALL_NAMES = 2,
} wasmd_remove_scope;

/* Removes what ref names, as WASMD_REMOVE_REF. */
WASMD_CLIENT_API wasmd_error wasmd_remove(wasmd_conn *conn, const char *ref);

/* Removes what ref names within scope. */
WASMD_CLIENT_API wasmd_error wasmd_remove_scoped(
    wasmd_conn *conn, const char *ref, wasmd_remove_scope scope);

/*
 * The daemon's statistics in the Prometheus text format (client/stats.c):
 * the caller's tenant, or with all the whole daemon (its administrators
 * only: WASMD_ERR_DENIED otherwise). own: *text, free().
 */
WASMD_CLIENT_API wasmd_error wasmd_stats(
    wasmd_conn *conn, bool all, char **text);

/*
 * Bundles: trees of files for WASI guests, stored by the daemon per
 * tenant (content-addressed, counted in the tenant's stored bytes with
 * its modules) and mounted into an invoke's guest in the worker's memory
 * (wasmd_invoke_options.mounts). No host path of the daemon's machine is
 * ever visible to a guest.
 */

/*
 * Packs the host directory dir (files, directories and symbolic links;
 * anything else is an error) into a bundle image, the same bytes for the
 * same tree. own: *image, free(). On failure err (errlen bytes) says why.
 */
WASMD_CLIENT_API wasmd_error wasmd_bundle_pack(
    const char *dir, void **image, size_t *len, char *err, size_t errlen);

/*
 * Stores a bundle image; digest (65 bytes, may be NULL) gets its sha256 in
 * hex, the ref to mount it by. Pushing the same image again is harmless.
 * WASMD_ERR_LIMIT past the tenant's stored-bytes quota.
 */
WASMD_CLIENT_API wasmd_error wasmd_push_bundle(
    wasmd_conn *conn, const void *image, size_t len, char digest[65]);

/* Forgets the bundle ref names (digest or unique 12+ hex prefix). */
WASMD_CLIENT_API wasmd_error wasmd_remove_bundle(
    wasmd_conn *conn, const char *ref);

/*
 * One preopened directory of a WASI guest:
 *   bundle:   a stored bundle's digest (or unique prefix); NULL or "": an
 *             empty scratch directory, writable
 *   guest:    the directory name the guest sees ("/data", ".")
 *   writable: the bundle as a private copy the guest may change; its
 *             changes vanish with the invoke, the stored bundle never
 *             changes. Read-only otherwise.
 * Files live in the worker's memory: they count against the invoke's
 * memory limit.
 */
typedef struct wasmd_mount {
	const char *bundle;
	const char *guest;
	bool writable;
} wasmd_mount;

/* Per-invocation limits; 0 in a field means the daemon's default. */
typedef struct wasmd_limits {
	uint64_t fuel;
	uint64_t max_memory_bytes;
	uint32_t timeout_ms;
} wasmd_limits;

/*
 * Options of wasmd_push_with(). Initialize with WASMD_PUSH_OPTIONS_INIT:
 * `size` records the struct's size the caller was compiled with.
 *   name:   as wasmd_push()'s (NULL or "": none)
 *   init:   pre-initialization: the export (taking and returning nothing)
 *           the daemon runs once, in a sandboxed worker under the limits
 *           below, before it stores a snapshot of the instance's memory,
 *           globals and tables; every fresh invoke then starts from that
 *           snapshot. NULL or "": "wizer.initialize" when the module
 *           exports it, else no snapshot. Pushing stored bytes again with
 *           an init runs it again and replaces the snapshot.
 *   no_init: no snapshot, not even the default one (and a stored
 *           module's snapshot is removed)
 *   init_allow_random: WASI random_get may run during init (by default
 *           it traps: bytes frozen into a snapshot are shared by every
 *           instance, such as a hash seed)
 *   limits: the initializer's fuel, memory and wall clock (0: the
 *           daemon's defaults)
 *   init_stub_imports: function imports other than WASI are linked, for
 *           the initializer only, to stubs that trap if called (by default
 *           such an import fails the push: no client serves it during
 *           init). For a module whose boot never calls its host bridge;
 *           invokes still need a client that serves those imports.
 */
typedef struct wasmd_push_options {
	size_t size; /* sizeof(wasmd_push_options) */
	const char *name;
	const char *init;
	bool no_init;
	bool init_allow_random;
	wasmd_limits limits;
	bool init_stub_imports;
} wasmd_push_options;

#ifdef __cplusplus
#define WASMD_PUSH_OPTIONS_INIT                                                \
	{                                                                      \
		sizeof(wasmd_push_options)                                     \
	}
#else
#define WASMD_PUSH_OPTIONS_INIT                                                \
	{                                                                      \
		.size = sizeof(wasmd_push_options)                             \
	}
#endif

/* As wasmd_push(), with options (NULL: as wasmd_push() without a name). */
WASMD_CLIENT_API wasmd_error wasmd_push_with(wasmd_conn *conn, const void *wasm,
    size_t len, const wasmd_push_options *opts, wasmd_module_info **out);

/*
 * Receives what a WASI guest writes, as it writes it: fd is 1 (stdout) or
 * 2 (stderr); data (len bytes, not NUL-terminated) is borrowed for the
 * call only. It runs from the call that reads the frame (wasmd_invoke(),
 * wasmd_process() or another blocking call on the connection), before
 * the invoke's result.
 */
typedef void (*wasmd_output_cb)(
    int fd, const void *data, size_t len, void *arg);

/* ---- Host functions served by the client ------------------------------- */

/*
 * A host import the guest may call, served by a callback in this process.
 * The daemon's worker suspends the guest at the call, the callback runs
 * here (from wasmd_invoke() while it waits, or from wasmd_process()), and
 * its results (or its failure, which becomes a TRAP_HOST trap) resume the
 * guest. Several calls nested in one invocation arrive one after another.
 * The time the guest waits for the callback counts against its wall-clock
 * limit (limits.timeout_ms): a client that never answers gets
 * WASMD_ERR_TIMEOUT and the worker is killed.
 */
typedef struct wasmd_host_call wasmd_host_call;

/*
 * A pointer+length pair of a host function's parameters (indexes into
 * type.params; both must be i32), pointing into the guest's memory number
 * memory: its index in the module, as the module's instructions name its
 * memories (imported ones first); 0, the only memory of a single-memory
 * module, when left out of an initializer. The worker sends the guest
 * memory bytes [ptr, ptr+len) along with each call, so reading a string
 * argument costs no extra round trip (wasmd_host_call_mem_arg()). An
 * out-of-bounds pair, one naming a memory the module lacks, or pairs whose
 * lengths add up to more than 16 MiB in one call make the guest trap
 * without calling the callback.
 */
typedef struct wasmd_mem_arg {
	uint32_t ptr_param;
	uint32_t len_param;
	uint32_t memory;
} wasmd_mem_arg;

/*
 * The callback: args (borrowed, valid during the call) are nargs values of
 * the declared parameter types; results[0..nresults) come typed as the
 * declared results and zeroed, for the callback to fill. Return 0 on
 * success; anything else makes the guest trap with the message given to
 * wasmd_host_call_fail() (or "host function failed"). The callback may use
 * the wasmd_host_call_*() and wasmd_host_memory_*() functions with call,
 * and start asynchronous requests on the connection; it must not close
 * the connection.
 */
typedef int (*wasmd_host_fn)(wasmd_host_call *call, const wasmd_value *args,
    size_t nargs, wasmd_value *results, size_t nresults, void *user);

/*
 * One host import. The array of wasmd_host_func given in the options is
 * copied; what its entries point to (module, name, type's arrays,
 * mem_args, user) is borrowed until the invocation (or the instance)
 * that declared them ends.
 */
typedef struct wasmd_host_func {
	const char *module;
	const char *name;
	wasmd_functype type; /* must equal the module's import type */
	wasmd_host_fn fn;
	void *user; /* passed to fn */
	size_t nmem_args;
	const wasmd_mem_arg *mem_args; /* nmem_args pairs, or NULL */
} wasmd_host_func;

/*
 * Options of wasmd_invoke(). Initialize with WASMD_INVOKE_OPTIONS_INIT (or
 * wasmd_invoke_options_init()): `size` records the struct's size the caller
 * was compiled with, so later versions can add fields (such as host
 * function callbacks) without breaking callers built against this one.
 */
typedef struct wasmd_invoke_options {
	size_t size; /* sizeof(wasmd_invoke_options) */
	wasmd_limits limits;
	/*
	 * WASI preview1, for a module that imports wasi_snapshot_preview1
	 * (all borrowed for the call; NULL/0: none). The guest has no file
	 * system in the daemon; its clocks and randomness are the worker's.
	 *   argv, argc:  the guest's argv (argv[0] is the program's name)
	 *   env, nenv:   its environment, "KEY=VALUE" strings
	 *   stdin_data, stdin_len: its whole stdin, then end of file (it
	 *                travels in the request: at most a frame's size)
	 *   command:     the export is a WASI command's _start: its return
	 *                is exit code 0 (see wasmd_result.exit_code)
	 *   max_output_bytes: stop the guest past this much output (0: the
	 *                daemon's --max-output, which is also the maximum)
	 *   output, output_arg: where stdout and stderr go as they are
	 *                written; NULL: collected into the result
	 *                (wasmd_result.output)
	 */
	const char *const *argv;
	size_t argc;
	const char *const *env;
	size_t nenv;
	const void *stdin_data;
	size_t stdin_len;
	bool command;
	uint64_t max_output_bytes;
	wasmd_output_cb output;
	void *output_arg;
	/*
	 * Host imports this client serves (the array is copied, its contents
	 * borrowed: see wasmd_host_func). An import of the module that is
	 * neither listed here nor provided by the daemon (WASI) fails the
	 * invoke with WASMD_ERR_LINK.
	 */
	const wasmd_host_func *host_funcs;
	size_t nhost_funcs;
	/*
	 * WASI: bit n set makes the guest see its fd n (0..2) as a terminal
	 * (wasmctl sets the bits of its own terminals): a guest's libc then
	 * line-buffers stdout, so each line streams as it is printed.
	 */
	unsigned tty_fds;
	/*
	 * WASI: the guest's preopened directories, in order (see
	 * wasmd_mount; the array and its strings are borrowed for the call).
	 */
	const struct wasmd_mount *mounts;
	size_t nmounts;
	/*
	 * Run from the plain module even when it has a snapshot (see
	 * wasmd_push_with()): data segments and the start function run as
	 * if it had none. (A live instance, wasmd_instance_create(), always
	 * starts from the plain module.)
	 */
	bool no_snapshot;
} wasmd_invoke_options;

/* Designated in C, so that -Wextra does not ask for every later field. */
#ifdef __cplusplus
#define WASMD_INVOKE_OPTIONS_INIT                                              \
	{                                                                      \
		sizeof(wasmd_invoke_options),                                  \
		{                                                              \
			0, 0, 0                                                \
		}                                                              \
	}
#else
#define WASMD_INVOKE_OPTIONS_INIT                                              \
	{                                                                      \
		.size = sizeof(wasmd_invoke_options)                           \
	}
#endif

WASMD_CLIENT_API void wasmd_invoke_options_init(wasmd_invoke_options *opts);

typedef enum wasmd_trap_kind {
	WASMD_TRAP_NONE = 0, /* the call returned; the numbers match TrapKind */
	WASMD_TRAP_UNREACHABLE = 1,
	WASMD_TRAP_MEMORY_OUT_OF_BOUNDS = 2,
	WASMD_TRAP_TABLE_OUT_OF_BOUNDS = 3,
	WASMD_TRAP_DIV_BY_ZERO = 4,
	WASMD_TRAP_INTEGER_OVERFLOW = 5,
	WASMD_TRAP_INVALID_CONVERSION = 6,
	WASMD_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 7,
	WASMD_TRAP_UNDEFINED_ELEMENT = 8,
	WASMD_TRAP_UNINITIALIZED_ELEMENT = 9,
	WASMD_TRAP_CALL_STACK_EXHAUSTED = 10,
	WASMD_TRAP_OUT_OF_FUEL = 11,
	WASMD_TRAP_INTERRUPTED = 12,
	WASMD_TRAP_HOST = 13,
} wasmd_trap_kind;

/*
 * Inside a host callback (call is valid only until the callback returns):
 * the connection, and the function being called (borrowed).
 */
WASMD_CLIENT_API wasmd_conn *wasmd_host_call_conn(const wasmd_host_call *call);
WASMD_CLIENT_API const wasmd_host_func *wasmd_host_call_func(
    const wasmd_host_call *call);

/*
 * The guest memory bytes of the function's mem_args[i], sent with the
 * call. borrowed: valid until the callback returns; NULL when i is out of
 * range. *addr (may be NULL) gets the guest address, *len the length.
 */
WASMD_CLIENT_API const uint8_t *wasmd_host_call_mem_arg(
    const wasmd_host_call *call, size_t i, uint32_t *addr, size_t *len);

/*
 * Queues a write of len bytes (copied) at guest address addr of memory 0,
 * applied in order before the guest resumes (sent with the reply: no extra
 * round trip). If one turns out to be out of bounds the guest traps
 * instead of resuming. WASMD_ERR_NOMEM when out of memory.
 * wasmd_host_call_write_in(): the same in the guest's memory number memory
 * (its index, as wasmd_mem_arg.memory).
 */
WASMD_CLIENT_API wasmd_error wasmd_host_call_write(
    wasmd_host_call *call, uint64_t addr, const void *data, size_t len);
WASMD_CLIENT_API wasmd_error wasmd_host_call_write_in(wasmd_host_call *call,
    uint32_t memory, uint64_t addr, const void *data, size_t len);

/*
 * Reads or writes the guest's memory 0 now (one round trip each); the _in
 * forms, its memory number memory (its index, as wasmd_mem_arg.memory).
 * An out-of-bounds range, or a memory the module lacks, returns
 * WASMD_ERR_OUT_OF_BOUNDS with nothing read or written, and the guest is
 * unharmed. Other errors: the invocation ended meanwhile (e.g.
 * WASMD_ERR_TIMEOUT) or the connection broke. wasmd_errmsg() says more.
 */
WASMD_CLIENT_API wasmd_error wasmd_host_memory_read(
    wasmd_host_call *call, uint64_t addr, void *buf, size_t len);
WASMD_CLIENT_API wasmd_error wasmd_host_memory_write(
    wasmd_host_call *call, uint64_t addr, const void *data, size_t len);
WASMD_CLIENT_API wasmd_error wasmd_host_memory_read_in(wasmd_host_call *call,
    uint32_t memory, uint64_t addr, void *buf, size_t len);
WASMD_CLIENT_API wasmd_error wasmd_host_memory_write_in(wasmd_host_call *call,
    uint32_t memory, uint64_t addr, const void *data, size_t len);

/*
 * Sets the message of the trap the callback's failure causes, printf-
 * style; returns -1 so a callback can `return wasmd_host_call_fail(...)`.
 */
WASMD_CLIENT_API int wasmd_host_call_fail(
    wasmd_host_call *call, const char *fmt, ...) WASMD_CLIENT_PRINTF(2, 3);

/* A short name of a trap kind ("unreachable", "out of fuel"); never NULL. */
WASMD_CLIENT_API const char *wasmd_trap_kind_name(wasmd_trap_kind kind);

/* One backtrace entry, innermost first. */
typedef struct wasmd_frame {
	uint32_t func_index;
	char *name; /* from the name section; "" when unknown */
	uint32_t offset;
} wasmd_frame;

typedef struct wasmd_result {
	size_t nresults;
	wasmd_value *results; /* empty after a trap */
	wasmd_trap_kind trap; /* WASMD_TRAP_NONE: the call returned */
	char *trap_message;   /* "" when no trap */
	size_t nframes;
	wasmd_frame *frames; /* backtrace of the trap */
	uint64_t fuel_consumed;
	uint64_t elapsed_us;
	/*
	 * A WASI guest that called proc_exit(N), or a command (options'
	 * command) that returned (0): has_exit_code and its code. A
	 * proc_exit is not a trap.
	 */
	bool has_exit_code;
	uint32_t exit_code;
	/*
	 * What the guest wrote to stdout (output[1]) and stderr (output[2])
	 * when no output callback was given; output[0] is unused. Each is
	 * NUL-terminated after output_len[i] bytes (NULL when nothing).
	 */
	char *output[3];
	size_t output_len[3];
} wasmd_result;

/* Frees a result from wasmd_invoke(); NULL is a no-op. */
WASMD_CLIENT_API void wasmd_result_free(wasmd_result *result);

/*
 * Calls export_name of module ref with nargs args (borrowed) under opts
 * (NULL: the daemon's defaults). Returns WASMD_OK with *out set when the
 * call ran, whether it returned or trapped (see out->trap), or an error
 * such as WASMD_ERR_MISSING_EXPORT, WASMD_ERR_BAD_ARGUMENTS,
 * WASMD_ERR_TIMEOUT. The guest's calls to the host functions of
 * opts->host_funcs run their callbacks from here while it waits.
 * own: *out, freed with wasmd_result_free().
 */
WASMD_CLIENT_API wasmd_error wasmd_invoke(wasmd_conn *conn, const char *ref,
    const char *export_name, const wasmd_value *args, size_t nargs,
    const wasmd_invoke_options *opts, wasmd_result **out);

/* ---- Event-loop use ---------------------------------------------------- */

/*
 * Called once when an asynchronous invoke finishes: rc and result as
 * wasmd_invoke() would return them (result is NULL unless rc is WASMD_OK;
 * own: the callback frees it with wasmd_result_free()). During the call
 * wasmd_errmsg(conn) describes rc. The callback may start asynchronous
 * requests on conn, and blocking ones when it runs from wasmd_process();
 * it must not close conn. When the connection breaks or is closed,
 * every pending callback runs with an error (WASMD_ERR_IO or the daemon's
 * code).
 */
typedef void (*wasmd_invoke_cb)(
    wasmd_conn *conn, wasmd_error rc, wasmd_result *result, void *arg);

/*
 * Sends an invoke like wasmd_invoke() and returns without waiting for its
 * reply; cb(conn, ..., arg) runs from wasmd_process() (or from a blocking
 * call on conn that happens to read the reply). Several invokes may be in
 * flight on one connection. Sending blocks until the request is written.
 * Returns WASMD_OK once sent; on an error cb is not called.
 */
WASMD_CLIENT_API wasmd_error wasmd_invoke_send(wasmd_conn *conn,
    const char *ref, const char *export_name, const wasmd_value *args,
    size_t nargs, const wasmd_invoke_options *opts, wasmd_invoke_cb cb,
    void *arg);

/*
 * Call when wasmd_fd(conn) is readable: reads what has arrived without
 * blocking, answers host calls and runs the callbacks of finished
 * requests. Returns WASMD_OK, or the error that broke the connection (the
 * pending callbacks have then run; stop watching the fd).
 */
WASMD_CLIENT_API wasmd_error wasmd_process(wasmd_conn *conn);

/* How many asynchronous requests wait for their reply. */
WASMD_CLIENT_API size_t wasmd_pending(const wasmd_conn *conn);

/* ---- Instances that live across calls ---------------------------------- */

/*
 * By default every invoke gets a fresh instance. A live instance instead
 * keeps its memory and globals across invokes: it is created once, in a
 * worker of its own that serves only it (and only this connection), and
 * lives until wasmd_instance_drop() or until the connection closes (or its
 * worker dies: a call past its deadline kills it). Its limits are fixed
 * at creation: fuel and timeout per call, memory for the instance's life.
 * One call runs at a time: calls sent meanwhile (wasmd_instance_invoke_send)
 * wait their turn in order, each call's timeout starting when it runs; if
 * the instance ends first they fail with WASMD_ERR_NOT_FOUND. Each live
 * instance counts against the daemon's per-tenant concurrency limit
 * (--max-concurrent), and so does each call running or waiting.
 */
typedef struct wasmd_instance wasmd_instance;

/*
 * Instantiates module ref under opts (limits and host functions; NULL:
 * the daemon's defaults and no host functions; the WASI fields are not
 * used). The host function table is copied; what it points to is
 * borrowed until the instance is dropped.
 * own: *out, ended and freed by wasmd_instance_drop(), which must come
 * before wasmd_close(conn).
 */
WASMD_CLIENT_API wasmd_error wasmd_instance_create(wasmd_conn *conn,
    const char *ref, const wasmd_invoke_options *opts, wasmd_instance **out);

/* The daemon's handle of the instance (unique on its connection). */
WASMD_CLIENT_API uint64_t wasmd_instance_id(const wasmd_instance *inst);

/* As wasmd_invoke(), calling export_name of the live instance. */
WASMD_CLIENT_API wasmd_error wasmd_instance_invoke(wasmd_instance *inst,
    const char *export_name, const wasmd_value *args, size_t nargs,
    wasmd_result **out);

/* As wasmd_invoke_send(), calling export_name of the live instance. */
WASMD_CLIENT_API wasmd_error wasmd_instance_invoke_send(wasmd_instance *inst,
    const char *export_name, const wasmd_value *args, size_t nargs,
    wasmd_invoke_cb cb, void *arg);

/*
 * Ends the instance in the daemon (its worker is killed) and frees inst,
 * whatever the outcome; NULL is a no-op. Host calls of its calls still in
 * flight are refused from then on. On a broken connection it only frees.
 */
WASMD_CLIENT_API wasmd_error wasmd_instance_drop(wasmd_instance *inst);

#ifdef __cplusplus
}
#endif

#endif /* WASMD_CLIENT_H */
