/*
 * path.c: path_open and path_filestat_get, confined beneath the directory
 * fd they are given (a preopen, or a directory opened from one).
 *
 * A guest path is resolved here, never by the host's path lookup: it must
 * be relative; "." and ".." are applied to the list of components first,
 * and a ".." that would climb above the starting directory is refused with
 * ENOTCAPABLE; then each directory on the way is opened with openat() and
 * O_NOFOLLOW, so a symbolic link cannot lead outside either (symbolic
 * links are never followed, a deliberate limit).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	WS_OFLAG_CREAT = 1,
	WS_OFLAG_DIRECTORY = 2,
	WS_OFLAG_EXCL = 4,
	WS_OFLAG_TRUNC = 8,
};

/* Rights that need a writable host fd (fd_write, fd_allocate, set_size). */
#define WS_RIGHTS_WRITING                                                      \
	(WS_RIGHT_FD_WRITE | UINT64_C(1) << 8 | UINT64_C(1) << 22)
/* Rights that need a readable one (fd_read, fd_readdir). */
#define WS_RIGHTS_READING (WS_RIGHT_FD_READ | UINT64_C(1) << 14)

/* A path split into the components that remain after "." and "..". */
typedef struct ws_path {
	char *text;   /* own: the copy the components point into */
	char **comps; /* own: the components */
	size_t n;
	bool must_dir; /* ends with "/", "/." or "/.." */
} ws_path;

static void
path_free(ws_path *p)
{
	free(p->text);
	free(p->comps);
}

/* Pushes one raw component; ".." pops and may not climb above the root. */
static uint32_t
path_push(ws_path *p, char *comp)
{
	if (comp[0] == '\0' || strcmp(comp, ".") == 0)
		return WS_ESUCCESS;
	if (strcmp(comp, "..") == 0) {
		if (p->n == 0)
			return WS_ENOTCAPABLE;
		p->n--;
		return WS_ESUCCESS;
	}
	if (strlen(comp) > NAME_MAX)
		return WS_ENAMETOOLONG;
	p->comps[p->n++] = comp;
	return WS_ESUCCESS;
}

/* Copies guest path [ptr, ptr + len) and splits it. */
static uint32_t
path_parse(ws_call *c, uint32_t ptr, uint32_t len, ws_path *p)
{
	const uint8_t *src = ws_mem(c, ptr, len);
	char *save = NULL, *comp, *last = NULL;
	uint32_t rc = WS_ESUCCESS;

	memset(p, 0, sizeof *p);
	if (src == NULL)
		return WS_EFAULT;
	if (len == 0)
		return WS_ENOENT;
	if (len > PATH_MAX)
		return WS_ENAMETOOLONG;
	if (memchr(src, '\0', len) != NULL)
		return WS_EILSEQ;
	if (src[0] == '/')
		return WS_ENOTCAPABLE;
	p->text = malloc((size_t)len + 1);
	p->comps = calloc((size_t)len / 2 + 1, sizeof *p->comps);
	if (p->text == NULL || p->comps == NULL)
		return WS_ENOMEM;
	memcpy(p->text, src, len);
	p->text[len] = '\0';
	p->must_dir = p->text[len - 1] == '/';
	for (comp = strtok_r(p->text, "/", &save); comp != NULL && rc == 0;
	     comp = strtok_r(NULL, "/", &save)) {
		last = comp;
		rc = path_push(p, comp);
	}
	if (last != NULL && (strcmp(last, ".") == 0 || strcmp(last, "..") == 0))
		p->must_dir = true;
	return rc;
}

/*
 * Opens every directory of p but the last component, beneath root, and
 * returns the last one's parent in *parent (own) and its name in *name
 * ("." when p names root itself).
 */
static uint32_t
path_walk(int root, const ws_path *p, int *parent, const char **name)
{
	int cur = fcntl(root, F_DUPFD_CLOEXEC, 0), next;

	if (cur < 0)
		return ws_errno_from_host(errno);
	for (size_t i = 0; i + 1 < p->n; i++) {
		next = openat(cur, p->comps[i],
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int e = errno;

			close(cur);
			return ws_errno_from_host(e);
		}
		close(cur);
		cur = next;
	}
	*parent = cur;
	*name = p->n == 0 ? "." : p->comps[p->n - 1];
	return WS_ESUCCESS;
}

/* The host directory fd behind guest fd fd, or -1. */
static int
dir_host_fd(ws_call *c, uint32_t fd, uint32_t *rc)
{
	ws_fd *f = ws_fd_get(c->ctx, fd);

	*rc = f == NULL ? WS_EBADF : f->kind != WS_FD_DIR ? WS_ENOTDIR : 0;
	return *rc == 0 ? f->host_fd : -1;
}

/* The host open(2) flags of path_open's oflags, rights and fdflags. */
static int
open_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags, bool must_dir)
{
	bool wr = (rights & WS_RIGHTS_WRITING) != 0;
	bool rd = (rights & WS_RIGHTS_READING) != 0 || !wr;
	int fl = O_NOFOLLOW | O_CLOEXEC;

	if (oflags & WS_OFLAG_DIRECTORY || must_dir)
		fl |= O_DIRECTORY | O_RDONLY;
	else
		fl |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
	fl |= oflags & WS_OFLAG_CREAT ? O_CREAT : 0;
	fl |= oflags & WS_OFLAG_EXCL ? O_EXCL : 0;
	fl |= oflags & WS_OFLAG_TRUNC ? O_TRUNC : 0;
	fl |= fdflags & WS_FDFLAG_APPEND ? O_APPEND : 0;
	fl |= fdflags & WS_FDFLAG_NONBLOCK ? O_NONBLOCK : 0;
	fl |= fdflags & WS_FDFLAG_DSYNC ? O_DSYNC : 0;
	fl |= fdflags & WS_FDFLAG_SYNC ? O_SYNC : 0;
	fl |= fdflags & WS_FDFLAG_RSYNC ? O_RSYNC : 0;
	return fl;
}

/* Adds host fd hfd (own) to the table and stores the guest fd at ptr. */
static uint32_t
install_fd(ws_call *c, int hfd, uint16_t fdflags, uint32_t ptr)
{
	struct stat st;
	uint32_t gfd;
	ws_fd *f;

	if (fstat(hfd, &st) != 0) {
		int e = errno;

		close(hfd);
		return ws_errno_from_host(e);
	}
	f = ws_fd_alloc(
	    c->ctx, S_ISDIR(st.st_mode) ? WS_FD_DIR : WS_FD_FILE, &gfd);
	if (f == NULL) {
		close(hfd);
		return WS_EMFILE;
	}
	f->host_fd = hfd;
	f->fdflags = fdflags;
	ws_store_u32(c, ptr, gfd);
	return WS_ESUCCESS;
}

/*
 * path_open(fd, dirflags, path, path_len, oflags, rights_base,
 * rights_inheriting, fdflags, opened_fd)
 */
static uint32_t
path_open(ws_call *c)
{
	uint32_t rc, out = ws_u32(c, 8), fdflags = ws_u32(c, 7);
	int root = dir_host_fd(c, ws_u32(c, 0), &rc), parent = -1, hfd;
	const char *name;
	ws_path p;

	if (root < 0)
		return rc;
	if (ws_mem(c, out, 4) == NULL)
		return WS_EFAULT;
	rc = path_parse(c, ws_u32(c, 2), ws_u32(c, 3), &p);
	if (rc == WS_ESUCCESS)
		rc = path_walk(root, &p, &parent, &name);
	if (rc == WS_ESUCCESS) {
		hfd = openat(parent, name,
		    open_flags(ws_u32(c, 4), ws_u64(c, 5), fdflags, p.must_dir),
		    0666);
		rc = hfd < 0 ? ws_errno_from_host(errno)
		             : install_fd(c, hfd, (uint16_t)fdflags, out);
	}
	if (parent >= 0)
		close(parent);
	path_free(&p);
	return rc;
}

/* path_filestat_get(fd, lookupflags, path, path_len, filestat) */
static uint32_t
path_filestat_get(ws_call *c)
{
	uint32_t rc;
	int root = dir_host_fd(c, ws_u32(c, 0), &rc), parent = -1;
	const char *name;
	struct stat st;
	ws_path p;

	if (root < 0)
		return rc;
	rc = path_parse(c, ws_u32(c, 2), ws_u32(c, 3), &p);
	if (rc == WS_ESUCCESS)
		rc = path_walk(root, &p, &parent, &name);
	if (rc == WS_ESUCCESS) {
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			rc = ws_errno_from_host(errno);
		else if (p.must_dir && !S_ISDIR(st.st_mode))
			rc = WS_ENOTDIR;
		else
			rc = ws_store_filestat(c, ws_u32(c, 4), &st);
	}
	if (parent >= 0)
		close(parent);
	path_free(&p);
	return rc;
}

const ws_fn ws_path_fns[] = {
    {"path_open", "iiiiiIIii", false, path_open},
    {"path_filestat_get", "iiiii", false, path_filestat_get},
    {NULL, NULL, false, NULL},
};
