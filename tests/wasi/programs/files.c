/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.c DIR: reads, lists, stats, writes and seeks files beneath DIR
 * (the test makes it: hello.txt, sub/inner.txt, ...). The output is the
 * same for the native build given the host path and the wasm build given
 * the preopen's guest name.
 *
 * files.c --escape DIR: tries to get out of DIR (.., absolute paths, a
 * symbolic link to outside) through wasi-libc and, in the wasm build,
 * through raw path_open calls on the preopen's fd, which wasi-libc's own
 * path handling cannot soften; every attempt must fail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

static char path[1024];

static const char *
at(const char *dir, const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void
cat_file(const char *dir, const char *name)
{
	char buf[256];
	size_t n;
	FILE *f = fopen(at(dir, name), "r");

	if (f == NULL) {
		printf("open %s: %s\n", name, strerror(errno));
		return;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	printf("%s (%zu bytes): %s", name, n, buf);
	fclose(f);
}

static int
compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_dir(const char *dir, const char *name)
{
	DIR *d = opendir(at(dir, name));
	char *names[64];
	size_t n = 0;
	struct dirent *e;

	if (d == NULL) {
		printf("opendir %s: %s\n", name, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, compare);
	printf("%s has %zu entries:", name, n);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char sub[512];

		snprintf(sub, sizeof sub, "%s/%s", name, names[i]);
		/* The parent of the preopen is outside it: not for a guest
		   to stat. */
		if (strcmp(names[i], "..") == 0)
			printf(" ..");
		else if (lstat(at(dir, sub), &st) != 0)
			printf(" %s(?)", names[i]);
		else
			printf(" %s(%s,%lld)", names[i],
			    S_ISDIR(st.st_mode) ? "dir" : "file",
			    S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
		free(names[i]);
	}
	printf("\n");
}

/*
 * Counts a directory too big for one fd_readdir buffer, so that reading
 * it resumes from cookies (and cuts entries at the buffer's end).
 */
static void
count_dir(const char *dir, const char *name)
{
	DIR *d = opendir(at(dir, name));
	size_t n = 0, bytes = 0;
	struct dirent *e;

	if (d == NULL) {
		printf("opendir %s: %s\n", name, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		n++;
		bytes += strlen(e->d_name);
	}
	closedir(d);
	printf("%s: %zu entries, %zu name bytes\n", name, n, bytes);
}

static void
write_and_seek(const char *dir)
{
	FILE *f = fopen(at(dir, "written.txt"), "w+");
	char buf[64] = {0};

	if (f == NULL) {
		printf("create written.txt: %s\n", strerror(errno));
		return;
	}
	fprintf(f, "0123456789abcdef\n");
	fseek(f, 10, SEEK_SET);
	printf("ftell after seek: %ld\n", ftell(f));
	if (fgets(buf, sizeof buf, f) != NULL)
		printf("read back from 10: %s", buf);
	fseek(f, -3, SEEK_END);
	printf("ftell at end-3: %ld\n", ftell(f));
	fclose(f);
	cat_file(dir, "written.txt");
}

static int
escape(const char *dir)
{
	const char *tries[] = {"../outside.txt", "sub/../../outside.txt",
	    "link-out", "link-out-dir/x.txt", "sub/../sub/../.."};
	int failures = 0;

	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		int fd = open(at(dir, tries[i]), O_RDONLY);

		printf(
		    "open %s: %s\n", tries[i], fd < 0 ? "refused" : "OPENED");
		failures += fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	failures += open("/etc/passwd", O_RDONLY) >= 0;
	printf("open /etc/passwd: %s\n", failures ? "OPENED?" : "refused");
#ifdef __wasi__
	{
		/* Straight to the host, on the first preopen (fd 3). */
		const char *raw[] = {"../outside.txt", "/etc/passwd",
		    "sub/../../outside.txt", "..", "link-out", "a/../../x"};

		for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
			__wasi_fd_t fd;
			__wasi_errno_t e = __wasi_path_open(3, 0, raw[i],
			    __WASI_OFLAGS_DIRECTORY * 0, __WASI_RIGHTS_FD_READ,
			    0, 0, &fd);

			printf("raw path_open %s: errno %u\n", raw[i], e);
			failures += e == 0;
		}
		{
			__wasi_fd_t fd;
			__wasi_errno_t e = __wasi_path_open(3, 0, "hello.txt",
			    0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);

			printf("raw path_open hello.txt: errno %u\n", e);
		}
	}
#endif
	return failures == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--escape") == 0)
		return escape(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: files [--escape] DIR\n");
		return 2;
	}
	cat_file(argv[1], "hello.txt");
	cat_file(argv[1], "sub/inner.txt");
	cat_file(argv[1], "missing.txt");
	list_dir(argv[1], ".");
	list_dir(argv[1], "sub");
	list_dir(argv[1], "hello.txt");
	count_dir(argv[1], "many");
	write_and_seek(argv[1]);
	return 0;
}
