/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hooks.c: test-only host imports (hooks.h). Compiled only when CMake's
 * WASMD_TEST_HOOKS is on; a release wasmd-worker does not contain this
 * code at all.
 */
#include "hooks.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Makes a system call the sandbox refuses (a new socket), so the process
 * is killed with SIGSYS right here. Should it ever return, the sandbox is
 * not doing its job: trap loudly rather than pretend nothing happened.
 */
static we_host_status
forbidden_syscall(we_hostcall *call)
{
	long r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);

	if (r >= 0)
		close((int)r);
	strcpy(call->message,
	    "wasmd_test.forbidden_syscall: socket() was allowed: "
	    "the sandbox is not active");
	return WE_HOST_TRAP;
}

we_func *
wrk_hook_import(we_store *s, const we_importdesc *d)
{
	static const we_functype nothing = {0, 0, NULL, NULL};

	if (d->type.kind != WE_EXTERN_FUNC || d->module == NULL ||
	    d->name == NULL || strcmp(d->module, "wasmd_test") != 0 ||
	    strcmp(d->name, "forbidden_syscall") != 0 ||
	    d->type.of.func.nparams != 0 || d->type.of.func.nresults != 0)
		return NULL;
	return we_func_new_host(s, &nothing, forbidden_syscall, NULL, NULL);
}
