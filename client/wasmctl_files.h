/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasmctl_files.h: the files a guest of `wasmctl run` gets (wasmctl_files.c):
 *   --files SRC::GUEST     a bundle, read-only, at GUEST
 *   --files-rw SRC::GUEST  a private writable copy of a bundle
 *   --scratch GUEST        an empty writable directory
 * SRC is a local directory when it contains a '/' (./data, /srv/app) or
 * is "." or "..": it is packed and pushed first (stored like `wasmctl
 * bundle push`); otherwise it is a stored bundle's digest or unique
 * prefix. Included by wasmctl.c only.
 */
#ifndef WASMD_WASMCTL_FILES_H
#define WASMD_WASMCTL_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <wasmd/client.h>

typedef enum wasmctl_mount_kind {
	WASMCTL_FILES_RO,
	WASMCTL_FILES_RW,
	WASMCTL_SCRATCH,
} wasmctl_mount_kind;

/* The mounts asked for; zero-initialize, free with wasmctl_files_free(). */
typedef struct wasmctl_files {
	wasmd_mount *mounts; /* own: strings own too */
	size_t n;
} wasmctl_files;

/* Adds one option's mount (spec as given). -1 with err set when bad. */
int wasmctl_files_add(wasmctl_files *f, const char *spec,
    wasmctl_mount_kind kind, char *err, size_t errlen);

/*
 * Pushes the local directories among f's sources (each replaced by its
 * digest) and points opts at f's mounts (borrowed: f must outlive the
 * invoke). -1 with err set.
 */
int wasmctl_files_resolve(wasmctl_files *f, wasmd_conn *conn,
    wasmd_invoke_options *opts, char *err, size_t errlen);

/* Packs and pushes directory dir; digest gets its ref. -1 with err set. */
int wasmctl_files_push(wasmd_conn *conn, const char *dir, char digest[65],
    char *err, size_t errlen);

void wasmctl_files_free(wasmctl_files *f);

#endif /* WASMD_WASMCTL_FILES_H */
