/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi.h: libwasmd-wasi, the WASI preview1 (`wasi_snapshot_preview1`) host
 * functions that programs built for wasm32-wasi import (clang/wasi-libc,
 * Rust's std), on top of libwasmd-engine.
 *
 * Included by wasmd-worker (`run` mode, and later `serve`) and by tests;
 * never by the supervisor, which does not run WebAssembly.
 *
 * A ws_ctx is one guest's world: its arguments, environment, preopened
 * directories, standard streams and limits. Nothing reaches the host
 * unless the context says so: with no preopens there is no file system,
 * and the standard streams go through callbacks (by default stdin is at
 * end of file and output is dropped; ws_ctx_inherit_stdio() wires them to
 * this process's fds 0, 1 and 2).
 *
 * Use:
 *   ws_ctx *ctx = ws_ctx_new();
 *   ws_ctx_set_args(ctx, argc, argv); ws_ctx_add_env(ctx, "K=V");
 *   ws_ctx_add_preopen(ctx, "/host/dir", "/guest", err, sizeof err);
 *   ws_imports(ctx, store, module, &imports, &nimports, &werr);
 *   we_instance_new(store, module, imports, nimports, &werr); ... call _start
 *   if the call trapped and ws_ctx_exited(ctx, &code): the guest called
 *   proc_exit(code), which is how a WASI command ends.
 *   free(imports); we_store_free(store); ws_ctx_free(ctx);
 * The context must outlive every store it was linked into (the host
 * functions borrow it).
 *
 * Host system calls the functions make, for a seccomp allowlist: none for
 * the streams (the callbacks do their own I/O: read/write with the
 * inherited ones, and poll and ioctl(FIONREAD) on fd 0 for poll_oneoff);
 * clock_gettime, clock_getres, getrandom, nanosleep (poll_oneoff); and
 * only with preopens: openat, fstat, newfstatat, lseek,
 * close, fcntl, dup, getdents64, read, write, pread64, pwrite64, readlinkat,
 * mkdirat, unlinkat, symlinkat, renameat (or renameat2), linkat, utimensat,
 * ftruncate, fallocate, fadvise64, fsync, fdatasync.
 */
#ifndef WASMD_WASI_H
#define WASMD_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasmd/engine.h>

/* The import module name of WASI preview1. */
#define WS_MODULE "wasi_snapshot_preview1"

typedef struct ws_ctx ws_ctx;

/*
 * The guest's standard streams. Each callback may be NULL (stdin: end of
 * file; stdout/stderr: output dropped, still counted against the limit).
 *   read:  fills up to len bytes of buf; returns the count, 0 at end of
 *          file, or a negative host errno (-EAGAIN...).
 *   write: writes len bytes for guest fd 1 or 2; returns how many were
 *          taken (fewer is a short write) or a negative host errno.
 * is_tty says which of fds 0..2 the guest should see as a terminal (it
 * changes only buffering in wasi-libc).
 */
typedef struct ws_stdio {
	int64_t (*read)(void *env, uint8_t *buf, size_t len);
	int64_t (*write)(
	    void *env, uint32_t fd, const uint8_t *buf, size_t len);
	void *env; /* borrowed: passed to both callbacks */
	bool is_tty[3];
} ws_stdio;

/* own: the result, freed with ws_ctx_free(); NULL when out of memory. */
ws_ctx *ws_ctx_new(void);
void ws_ctx_free(ws_ctx *ctx);

/* The guest's argv (copied); argv[0] is the program name. */
bool ws_ctx_set_args(ws_ctx *ctx, int argc, char *const *argv);

/* One KEY=VALUE of the guest's environment (copied); false without '='. */
bool ws_ctx_add_env(ws_ctx *ctx, const char *kv);

/*
 * Opens host directory host and offers it to the guest as guest (the
 * next free fd from 3 on), read-write. The guest can reach only what is
 * beneath it: absolute paths, `..` above it and symbolic links whose
 * target would leave it are refused (links that stay inside are
 * followed). False
 * with a message in err (errlen bytes) when host cannot be opened as a
 * directory.
 */
bool ws_ctx_add_preopen(
    ws_ctx *ctx, const char *host, const char *guest, char *err, size_t errlen);

/*
 * In-memory preopens (bundle.c): no host path is ever named; the tree
 * lives in this process's heap and is gone with the context. Everything
 * the trees of one context hold (file bytes, names, links, and a bundle's
 * copy) is counted; past ws_ctx_set_max_file_bytes() a write or create
 * fails with ENOSPC (the daemon sets it to the invoke's memory limit).
 *
 * ws_ctx_add_scratch: an empty directory the guest may fill, as guest.
 *
 * ws_ctx_add_bundle: the tree of a bundle image (see below) as guest:
 * read-only (the guest may open, read, list and stat; anything that would
 * change the tree is ENOTCAPABLE) or, with writable, a private copy the
 * guest may change at will (create, write, rename, delete).
 *
 * A bundle image is "WSBUNDLE1\n" and then one record per entry, parents
 * before what they hold: a kind byte ('d' directory, 'f' file, 'l'
 * symbolic link), a u16 path length, the path (relative, components
 * separated by one '/', none empty, "." or ".."; no NUL), a u64 data
 * length and the data (a file's bytes, a link's target). Integers are
 * little-endian. Both return false with a message in err (errlen bytes)
 * for a malformed image, past the file bytes bound, or when memory runs
 * out.
 */
#define WS_BUNDLE_MAGIC "WSBUNDLE1\n"
void ws_ctx_set_max_file_bytes(ws_ctx *ctx, uint64_t max);
bool ws_ctx_add_scratch(
    ws_ctx *ctx, const char *guest, char *err, size_t errlen);
bool ws_ctx_add_bundle(ws_ctx *ctx, const char *guest, const uint8_t *image,
    size_t len, bool writable, char *err, size_t errlen);

/* The standard streams (copied; env stays borrowed). */
void ws_ctx_set_stdio(ws_ctx *ctx, const ws_stdio *stdio);

/* Streams on this process's fds 0, 1 and 2 (what `wasmd run` does). */
void ws_ctx_inherit_stdio(ws_ctx *ctx);

/*
 * Stops a guest that writes more than max bytes to stdout and stderr
 * together: the write that crosses the limit writes what fits and traps
 * with "output limit of N bytes exceeded". 0: no limit (the default).
 */
void ws_ctx_set_max_output(ws_ctx *ctx, uint64_t max);

/*
 * While init is set, the guest is being pre-initialised for a snapshot
 * (wasmd run --snapshot): random_get traps, unless allow_random, because
 * random bytes frozen into a snapshot would be the same in every instance
 * made from it (a hash-table seed shared by all tenants' calls).
 */
void ws_ctx_set_init(ws_ctx *ctx, bool init, bool allow_random);

/* Bytes the guest has written to stdout and stderr so far. */
uint64_t ws_ctx_output_bytes(const ws_ctx *ctx);

/*
 * True when the guest called proc_exit (the call trapped to unwind it);
 * *code is its argument.
 */
bool ws_ctx_exited(const ws_ctx *ctx, uint32_t *code);

/* True when the last trap was the output limit. */
bool ws_ctx_output_exceeded(const ws_ctx *ctx);

/*
 * Creates in s a host function for every function import of module m
 * from WS_MODULE and lists them in *out (*n entries), ready for
 * we_instance_new(). Every preview1 function is implemented; a name
 * preview1 does not define gets a stub of the imported type that returns
 * ENOSYS, so any WASI module links. Imports from other modules are left
 * out: the caller provides them or reports them.
 * Returns false with err filled (WE_ERR_LINK naming the import) when a
 * WASI function is imported with the wrong type, or WE_ERR_NOMEM.
 * own: *out (malloc'd; free() it after instantiating; the strings in it
 * are borrowed from m). ctx must outlive s.
 */
bool ws_imports(ws_ctx *ctx, we_store *s, const we_module *m, we_import **out,
    size_t *n, we_error *err);

#endif /* WASMD_WASI_H */
