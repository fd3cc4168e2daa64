/*
 * stubs.c: the rest of WASI preview1, each with its exact type, answering
 * ENOSYS. They exist so that every WASI module links: a program that never
 * calls them runs, and one that does gets an error it can report rather
 * than a link failure. (A name missing from every table also gets an
 * ENOSYS stub, of whatever type the module imports it with: see link.c.)
 */
#include "internal.h"

static uint32_t
enosys(ws_call *c)
{
	return WS_ENOSYS;
}

const ws_fn ws_stub_fns[] = {
    {"fd_advise", "iIIi", false, enosys},
    {"fd_allocate", "iII", false, enosys},
    {"fd_datasync", "i", false, enosys},
    {"fd_fdstat_set_rights", "iII", false, enosys},
    {"fd_filestat_set_size", "iI", false, enosys},
    {"fd_filestat_set_times", "iIIi", false, enosys},
    {"fd_pread", "iiiIi", false, enosys},
    {"fd_pwrite", "iiiIi", false, enosys},
    {"fd_renumber", "ii", false, enosys},
    {"fd_sync", "i", false, enosys},
    {"path_create_directory", "iii", false, enosys},
    {"path_filestat_set_times", "iiiiIIi", false, enosys},
    {"path_link", "iiiiiii", false, enosys},
    {"path_readlink", "iiiiii", false, enosys},
    {"path_remove_directory", "iii", false, enosys},
    {"path_rename", "iiiiii", false, enosys},
    {"path_symlink", "iiiii", false, enosys},
    {"path_unlink_file", "iii", false, enosys},
    {"proc_raise", "i", false, enosys},
    {"sock_accept", "iii", false, enosys},
    {"sock_recv", "iiiiii", false, enosys},
    {"sock_send", "iiiii", false, enosys},
    {"sock_shutdown", "ii", false, enosys},
    {NULL, NULL, false, NULL},
};
