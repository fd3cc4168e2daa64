/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle_demo.c DATA SCRATCH: the README's worked example of files
 * through the daemon. Reads DATA/greeting.txt (a bundle, mounted
 * read-only), writes SCRATCH/note.txt (a scratch directory) and reads it
 * back, then tries to create a file in DATA, which a read-only bundle
 * refuses. Exits 1 when a step that must work fails.
 *
 * bundle_demo --fill DIR: writes DIR/fill in 1 MiB pieces until a write
 * fails (at most 1 GiB) and prints how many MiB went in: scratch lives in
 * the worker's memory, so its limit stops it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int
read_back(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		printf("open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL)
		printf("%s: %s", path, line);
	fclose(f);
	return 0;
}

static int
fill(const char *dir)
{
	static char piece[1 << 20];
	char path[512];
	int mib = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/fill", dir);
	if ((f = fopen(path, "w")) == NULL) {
		printf("create %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(piece, 'x', sizeof piece);
	while (mib < 1024 &&
	    fwrite(piece, 1, sizeof piece, f) == sizeof piece && fflush(f) == 0)
		mib++;
	printf("filled %d MiB: %s\n", mib, mib < 1024 ? strerror(errno) : "ok");
	fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	char data[512], note[512], denied[512];
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "--fill") == 0)
		return fill(argv[2]);
	if (argc != 3) {
		fprintf(stderr, "usage: bundle_demo DATA SCRATCH\n");
		return 2;
	}
	snprintf(data, sizeof data, "%s/greeting.txt", argv[1]);
	snprintf(note, sizeof note, "%s/note.txt", argv[2]);
	snprintf(denied, sizeof denied, "%s/new.txt", argv[1]);
	if (read_back(data) != 0)
		return 1;
	if ((f = fopen(note, "w")) == NULL) {
		printf("create %s: %s\n", note, strerror(errno));
		return 1;
	}
	fprintf(f, "written in scratch\n");
	fclose(f);
	if (read_back(note) != 0)
		return 1;
	f = fopen(denied, "w");
	printf("create %s: %s\n", denied, f == NULL ? strerror(errno) : "ok");
	if (f != NULL)
		fclose(f);
	return 0;
}
