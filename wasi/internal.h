/*
 * internal.h: what the files of wasi/ share: the context and its fd
 * table, the shape of one WASI function, the call state a function gets,
 * and bounds-checked access to the guest's memory.
 *
 * Private to wasi/. Who implements what:
 *   ctx.c    the context (configuration) and the fd table
 *   link.c   ws_imports(): host functions, signature checks, calls, guest
 *            memory access
 *   env.c    args_* and environ_*
 *   fd.c     fd_* on streams, files and directories
 *   path.c   path_open and path_filestat_get, confined to the preopens
 *   clock.c  clock_res_get, clock_time_get
 *   misc.c   random_get, proc_exit, sched_yield, poll_oneoff
 *   stubs.c  every other preview1 function (ENOSYS)
 */
#ifndef WS_INTERNAL_H
#define WS_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasi.h"
#include "wasi_errno.h"

/* ---- The fd table ------------------------------------------------------- */

typedef enum ws_fd_kind {
	WS_FD_FREE = 0,
	WS_FD_STDIN,  /* through ctx->stdio.read */
	WS_FD_STDOUT, /* through ctx->stdio.write (fd 1 or 2) */
	WS_FD_FILE,   /* a host file, host_fd */
	WS_FD_DIR,    /* a host directory, host_fd; preopen when guest_name */
} ws_fd_kind;

typedef struct ws_fd {
	ws_fd_kind kind;
	int host_fd;      /* own: for FILE and DIR */
	char *guest_name; /* own: the preopen's name, or NULL */
	DIR *dir;         /* own: fd_readdir's stream (on a dup), or NULL */
	uint16_t fdflags; /* WASI fdflags as last set */
	uint32_t stream;  /* for STDOUT: the guest fd number it writes as */
	bool tty;         /* for the streams */
} ws_fd;

struct ws_ctx {
	char **argv; /* own, each string too */
	uint32_t argc;
	char **env; /* own, each string too */
	uint32_t nenv;
	ws_fd *fds; /* own: indexed by guest fd */
	uint32_t nfds;
	ws_stdio stdio;
	uint64_t max_output; /* 0: unlimited */
	uint64_t output;     /* bytes written to the streams so far */
	bool output_exceeded;
	bool exited;
	uint32_t exit_code;
};

/* The entry of guest fd fd, or NULL when it is not open. */
ws_fd *ws_fd_get(ws_ctx *ctx, uint32_t fd);

/* A new entry (zeroed but for kind) at the lowest free fd; NULL: EMFILE. */
ws_fd *ws_fd_alloc(ws_ctx *ctx, ws_fd_kind kind, uint32_t *fd);

/* Closes the host side of an entry and marks it free. */
void ws_fd_release(ws_fd *f);

/* ---- One WASI function -------------------------------------------------- */

/* A function's result meaning "trap with c->message". */
#define WS_TRAP UINT32_MAX

/* What a WASI function gets: its context, arguments and the memory. */
typedef struct ws_call {
	ws_ctx *ctx;
	we_memory *mem;     /* the caller's memory, or NULL if it has none */
	const we_val *args; /* typed as the function's params */
	char *message;      /* WE_MSG_MAX bytes, for WS_TRAP */
} ws_call;

/* Returns a WASI errno, or WS_TRAP. */
typedef uint32_t (*ws_impl)(ws_call *c);

/*
 * One WASI function. params has one letter per parameter ('i' i32,
 * 'I' i64); every function returns an errno (i32) except those marked
 * noresult (proc_exit).
 */
typedef struct ws_fn {
	const char *name;
	const char *params;
	bool noresult;
	ws_impl impl;
} ws_fn;

/* Each file's functions, ended by an entry with a NULL name. */
extern const ws_fn ws_env_fns[];
extern const ws_fn ws_fd_fns[];
extern const ws_fn ws_path_fns[];
extern const ws_fn ws_clock_fns[];
extern const ws_fn ws_misc_fns[];
extern const ws_fn ws_stub_fns[];

/* ---- Arguments and guest memory ----------------------------------------- */

static inline uint32_t
ws_u32(const ws_call *c, unsigned i)
{
	return (uint32_t)c->args[i].of.i32;
}

static inline uint64_t
ws_u64(const ws_call *c, unsigned i)
{
	return (uint64_t)c->args[i].of.i64;
}

/*
 * The guest bytes [ptr, ptr + len), or NULL when any of them is outside
 * the memory (or there is no memory). Borrowed until the memory grows,
 * which cannot happen during a host call.
 */
uint8_t *ws_mem(ws_call *c, uint32_t ptr, uint64_t len);

/* Little-endian loads and stores; false when out of bounds. */
bool ws_load_u32(ws_call *c, uint32_t ptr, uint32_t *out);
bool ws_load_u64(ws_call *c, uint32_t ptr, uint64_t *out);
bool ws_store_u32(ws_call *c, uint32_t ptr, uint32_t v);
bool ws_store_u64(ws_call *c, uint32_t ptr, uint64_t v);

/* Little-endian helpers on host buffers (structures built before copying). */
void ws_put_u16(uint8_t *p, uint16_t v);
void ws_put_u32(uint8_t *p, uint32_t v);
void ws_put_u64(uint8_t *p, uint64_t v);
uint16_t ws_get_u16(const uint8_t *p);
uint32_t ws_get_u32(const uint8_t *p);
uint64_t ws_get_u64(const uint8_t *p);

/* ---- Shared WASI constants --------------------------------------------- */

enum {
	WS_FILETYPE_UNKNOWN = 0,
	WS_FILETYPE_BLOCK_DEVICE = 1,
	WS_FILETYPE_CHARACTER_DEVICE = 2,
	WS_FILETYPE_DIRECTORY = 3,
	WS_FILETYPE_REGULAR_FILE = 4,
	WS_FILETYPE_SOCKET_DGRAM = 5,
	WS_FILETYPE_SOCKET_STREAM = 6,
	WS_FILETYPE_SYMBOLIC_LINK = 7,
};

enum {
	WS_FDFLAG_APPEND = 1,
	WS_FDFLAG_DSYNC = 2,
	WS_FDFLAG_NONBLOCK = 4,
	WS_FDFLAG_RSYNC = 8,
	WS_FDFLAG_SYNC = 16,
};

#define WS_RIGHT_FD_READ (UINT64_C(1) << 1)
#define WS_RIGHT_FD_SEEK (UINT64_C(1) << 2)
#define WS_RIGHT_FD_TELL (UINT64_C(1) << 5)
#define WS_RIGHT_FD_WRITE (UINT64_C(1) << 6)
#define WS_RIGHTS_ALL ((UINT64_C(1) << 30) - 1)

/* The time of WASI clock id in ns; false for an unknown id (clock.c). */
bool ws_clock_now(uint32_t id, uint64_t *ns);

/* The WASI filetype of a host st_mode. */
uint8_t ws_filetype_of_mode(unsigned mode);

/*
 * Writes a 64-byte WASI filestat of host stat st to guest ptr. Returns
 * an errno.
 */
struct stat;
uint32_t ws_store_filestat(ws_call *c, uint32_t ptr, const struct stat *st);

#endif /* WS_INTERNAL_H */
