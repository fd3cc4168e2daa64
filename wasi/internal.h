/* SPDX-License-Identifier: Apache-2.0 */
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
 *   fd.c     fd_* on streams, directories and the fd table
 *   fd_file.c  fd_* on a file's contents and metadata (pread, pwrite,
 *            allocate, set_size, set_times, advise, sync)
 *   vfs.c    the file-system calls: the host's, or an in-memory tree's
 *   bundle.c  in-memory preopens: scratch, and bundles loaded from images
 *   resolve.c  turning a guest path into a host directory fd and a name,
 *            never leaving the preopen (symbolic links resolved inside)
 *   path.c   path_open, path_filestat_get and _set_times
 *   path_ops.c  creating, removing, renaming and linking by path
 *   clock.c  clock_res_get, clock_time_get
 *   misc.c   random_get, proc_exit, proc_raise, sched_yield
 *   poll.c   poll_oneoff on clocks and fds
 *   sock.c   sock_*: no socket is ever in the table (EBADF or ENOTSOCK)
 */
#ifndef WS_INTERNAL_H
#define WS_INTERNAL_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vfs.h"
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
	int host_fd;         /* own: for FILE and DIR */
	char *guest_name;    /* own: the preopen's name, or NULL */
	DIR *dir;            /* own: fd_readdir's stream (on a dup), or NULL */
	uint16_t fdflags;    /* WASI fdflags as last set */
	uint64_t rights;     /* what this fd may do (WS_RIGHT_*) */
	uint64_t inheriting; /* what fds opened through it may get */
	uint32_t stream;     /* for STDOUT: the guest fd number it writes as */
	bool tty;            /* for the streams */
} ws_fd;

struct ws_ctx {
	char **argv; /* own, each string too */
	uint32_t argc;
	char **env; /* own, each string too */
	uint32_t nenv;
	ws_fd *fds; /* own: indexed by guest fd */
	uint32_t nfds;
	ws_stdio stdio;
	int stdin_host_fd; /* borrowed: the fd behind stdin, or -1 (callbacks) */
	uint64_t max_output; /* 0: unlimited */
	uint64_t output;     /* bytes written to the streams so far */
	bool output_exceeded;
	bool exited;
	uint32_t exit_code;
	bool init_no_random;  /* ws_ctx_set_init: random_get traps */
	ws_vfs_account files; /* what the in-memory preopens hold (bundle.c) */
};

/* The entry of guest fd fd, or NULL when it is not open. */
ws_fd *ws_fd_get(ws_ctx *ctx, uint32_t fd);

/* A new entry (zeroed but for kind) at the lowest free fd; NULL: EMFILE. */
ws_fd *ws_fd_alloc(ws_ctx *ctx, ws_fd_kind kind, uint32_t *fd);

/*
 * Adds directory fd (own: closed on failure too) as preopen guest with
 * the given rights; false when out of memory or fds.
 */
bool ws_ctx_add_preopen_fd(ws_ctx *ctx, int fd, const char *guest,
    uint64_t rights, uint64_t inheriting);

/* Closes the host side of an entry and marks it free. */
void ws_fd_release(ws_fd *f);

/*
 * The entry of guest fd fd when it is open and has every right in need:
 * *rc is WS_EBADF when it is not open, WS_ENOTCAPABLE when a right is
 * missing (NULL then).
 */
ws_fd *ws_fd_with(ws_ctx *ctx, uint32_t fd, uint64_t need, uint32_t *rc);

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
extern const ws_fn ws_fd_file_fns[];
extern const ws_fn ws_path_fns[];
extern const ws_fn ws_path_ops_fns[];
extern const ws_fn ws_sock_fns[];
extern const ws_fn ws_poll_fns[];
extern const ws_fn ws_clock_fns[];
extern const ws_fn ws_misc_fns[];

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

/* The rights, one bit each in the order preview1 defines them. */
#define WS_RIGHT(n) (UINT64_C(1) << (n))
#define WS_RIGHT_FD_DATASYNC WS_RIGHT(0)
#define WS_RIGHT_FD_READ WS_RIGHT(1)
#define WS_RIGHT_FD_SEEK WS_RIGHT(2)
#define WS_RIGHT_FD_FDSTAT_SET_FLAGS WS_RIGHT(3)
#define WS_RIGHT_FD_SYNC WS_RIGHT(4)
#define WS_RIGHT_FD_TELL WS_RIGHT(5)
#define WS_RIGHT_FD_WRITE WS_RIGHT(6)
#define WS_RIGHT_FD_ADVISE WS_RIGHT(7)
#define WS_RIGHT_FD_ALLOCATE WS_RIGHT(8)
#define WS_RIGHT_PATH_CREATE_DIRECTORY WS_RIGHT(9)
#define WS_RIGHT_PATH_CREATE_FILE WS_RIGHT(10)
#define WS_RIGHT_PATH_LINK_SOURCE WS_RIGHT(11)
#define WS_RIGHT_PATH_LINK_TARGET WS_RIGHT(12)
#define WS_RIGHT_PATH_OPEN WS_RIGHT(13)
#define WS_RIGHT_FD_READDIR WS_RIGHT(14)
#define WS_RIGHT_PATH_READLINK WS_RIGHT(15)
#define WS_RIGHT_PATH_RENAME_SOURCE WS_RIGHT(16)
#define WS_RIGHT_PATH_RENAME_TARGET WS_RIGHT(17)
#define WS_RIGHT_PATH_FILESTAT_GET WS_RIGHT(18)
#define WS_RIGHT_PATH_FILESTAT_SET_SIZE WS_RIGHT(19)
#define WS_RIGHT_PATH_FILESTAT_SET_TIMES WS_RIGHT(20)
#define WS_RIGHT_FD_FILESTAT_GET WS_RIGHT(21)
#define WS_RIGHT_FD_FILESTAT_SET_SIZE WS_RIGHT(22)
#define WS_RIGHT_FD_FILESTAT_SET_TIMES WS_RIGHT(23)
#define WS_RIGHT_PATH_SYMLINK WS_RIGHT(24)
#define WS_RIGHT_PATH_REMOVE_DIRECTORY WS_RIGHT(25)
#define WS_RIGHT_PATH_UNLINK_FILE WS_RIGHT(26)
#define WS_RIGHT_POLL_FD_READWRITE WS_RIGHT(27)
#define WS_RIGHT_SOCK_SHUTDOWN WS_RIGHT(28)
#define WS_RIGHT_SOCK_ACCEPT WS_RIGHT(29)

/* What a regular file fd can do (read and write as its open mode allows). */
#define WS_RIGHTS_FILE                                                         \
	(WS_RIGHT_FD_DATASYNC | WS_RIGHT_FD_READ | WS_RIGHT_FD_SEEK |          \
	    WS_RIGHT_FD_FDSTAT_SET_FLAGS | WS_RIGHT_FD_SYNC |                  \
	    WS_RIGHT_FD_TELL | WS_RIGHT_FD_WRITE | WS_RIGHT_FD_ADVISE |        \
	    WS_RIGHT_FD_ALLOCATE | WS_RIGHT_FD_FILESTAT_GET |                  \
	    WS_RIGHT_FD_FILESTAT_SET_SIZE | WS_RIGHT_FD_FILESTAT_SET_TIMES |   \
	    WS_RIGHT_POLL_FD_READWRITE)
/*
 * What a directory fd can do. PATH_FILESTAT_SET_SIZE is path_open's
 * O_TRUNC (preview1 has no other way to truncate by path).
 */
#define WS_RIGHTS_DIR                                                          \
	(WS_RIGHT_FD_DATASYNC | WS_RIGHT_FD_FDSTAT_SET_FLAGS |                 \
	    WS_RIGHT_PATH_FILESTAT_SET_SIZE | WS_RIGHT_FD_SYNC |               \
	    WS_RIGHT_PATH_CREATE_DIRECTORY | WS_RIGHT_PATH_CREATE_FILE |       \
	    WS_RIGHT_PATH_LINK_SOURCE | WS_RIGHT_PATH_LINK_TARGET |            \
	    WS_RIGHT_PATH_OPEN | WS_RIGHT_FD_READDIR |                         \
	    WS_RIGHT_PATH_READLINK | WS_RIGHT_PATH_RENAME_SOURCE |             \
	    WS_RIGHT_PATH_RENAME_TARGET | WS_RIGHT_PATH_FILESTAT_GET |         \
	    WS_RIGHT_PATH_FILESTAT_SET_TIMES | WS_RIGHT_FD_FILESTAT_GET |      \
	    WS_RIGHT_FD_FILESTAT_SET_TIMES | WS_RIGHT_PATH_SYMLINK |           \
	    WS_RIGHT_PATH_REMOVE_DIRECTORY | WS_RIGHT_PATH_UNLINK_FILE |       \
	    WS_RIGHT_POLL_FD_READWRITE)
/* What a preopen passes on to what is opened beneath it. */
#define WS_RIGHTS_INHERITED (WS_RIGHTS_DIR | WS_RIGHTS_FILE)
/* The standard streams: no seeking (wasi-libc's isatty() looks at that). */
#define WS_RIGHTS_STDIN                                                        \
	(WS_RIGHT_FD_READ | WS_RIGHT_FD_FDSTAT_SET_FLAGS |                     \
	    WS_RIGHT_FD_FILESTAT_GET | WS_RIGHT_POLL_FD_READWRITE)
#define WS_RIGHTS_STDOUT                                                       \
	(WS_RIGHT_FD_WRITE | WS_RIGHT_FD_FDSTAT_SET_FLAGS |                    \
	    WS_RIGHT_FD_FILESTAT_GET | WS_RIGHT_POLL_FD_READWRITE)

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

/*
 * The two timespecs utimensat() and futimens() take for WASI's atim, mtim
 * and fstflags (fd_file.c): EINVAL for unknown flags or a time both set
 * and "now".
 */
uint32_t ws_times(
    uint64_t atim, uint64_t mtim, uint32_t fstflags, struct timespec ts[2]);

/* ---- Guest paths (resolve.c) -------------------------------------------- */

/* path_open's and path_filestat_get's lookupflags: follow a final link. */
#define WS_LOOKUP_SYMLINK_FOLLOW 1u

/*
 * A guest path resolved beneath a directory fd: the directory that holds
 * its last component and that component's name ("." when the path names
 * the starting directory or ends in ".."), with every symbolic link on the
 * way (and the last one when asked) followed inside the sandbox.
 */
typedef struct ws_target {
	int dirfd;               /* own: close with ws_target_close() */
	char name[NAME_MAX + 1]; /* one component, never containing '/' */
	bool must_dir;           /* the path ended with '/' */
} ws_target;

/*
 * Resolves guest path [ptr, ptr + len) beneath guest fd fd, which must be
 * a directory with right need. follow: follow a symbolic link in the last
 * component too. Never opens, creates or names anything outside the
 * directory: an absolute path, a ".." above it or a link whose target
 * would leave it is ENOTCAPABLE; more than 32 links on the way is ELOOP.
 * Returns an errno; on success t holds a directory fd to close.
 */
uint32_t ws_resolve(ws_call *c, uint32_t fd, uint64_t need, uint32_t ptr,
    uint32_t len, bool follow, ws_target *t);

/* The same, on a host path text (NUL-terminated) beneath host dir root. */
uint32_t ws_resolve_text(
    int root, const char *path, size_t len, bool follow, ws_target *t);

void ws_target_close(ws_target *t);

#endif /* WS_INTERNAL_H */
