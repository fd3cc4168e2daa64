/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox_user.c: who a confined worker is (sandbox.h): its own user, net,
 * ipc and mount namespaces where the kernel permits them, an unprivileged
 * uid and gid when the supervisor runs as root, and no capability at all,
 * the bounding set included. wrk_sandbox_enter() runs this step after
 * closing descriptors and before everything else, for two reasons:
 * changing the effective uid clears the parent-death signal and resets
 * dumpability, so those come after it; and unshare(2), setresuid(2) and
 * capset(2) are refused by the seccomp policy loaded last.
 *
 * Order, when started as root: unshare net, ipc and mount namespaces (root
 * may; the unprivileged user could not without a user namespace of its
 * own), drop every capability from the bounding set (which needs
 * CAP_SETPCAP, so while still root), drop supplementary groups, gid and
 * uid, then unshare a user namespace as that user. When started
 * unprivileged: one unshare of all four at once (the new user namespace
 * owns the others). Inside a new user namespace the process holds every
 * capability over that namespace, so all of them are dropped again last.
 *
 * Namespaces are optional: a kernel or a service manager may refuse them
 * (wasmd.service's RestrictNamespaces=yes does). Each refusal is left as
 * it is, and the supervisor reports what a worker got from outside
 * (/proc/PID/ns, daemon/isolation.c). A failed uid, gid or capability step
 * is fatal: such a worker would hold privileges seccomp alone guards.
 *
 * The identity is process-wide state: a zygote's children inherit its
 * namespaces and credentials, and (the zygote's policy refusing these
 * calls) must not try again; the applied flag, copied by fork, says so.
 */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static wrk_identity identity = {.namespaces = true};
static bool applied;

void
wrk_sandbox_set_identity(const wrk_identity *id)
{
	identity = *id;
}

/* Tries flags at once, then one by one; what is refused stays shared. */
static void
unshare_what_we_may(int flags)
{
	static const int each[] = {
	    CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWNS};

	if (unshare(flags) == 0)
		return;
	for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
		if (flags & each[i])
			(void)unshare(each[i]);
}

/*
 * Empties the bounding set. Without CAP_SETPCAP (an unprivileged process
 * outside any user namespace of its own) that is refused, and harmless:
 * such a process has no capability to lose, and no_new_privs keeps file
 * capabilities from adding any.
 */
static int
drop_bounding_set(bool must, char *err, size_t errlen)
{
	for (unsigned long cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL) /* past the kernel's last capability */
			break;
		if (errno == EPERM && !must)
			return 0;
		wrk_sandbox_err(err, errlen, "PR_CAPBSET_DROP(%lu): %s", cap,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether the effective, permitted or inheritable set holds anything. */
static bool
holds_capabilities(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) != 0)
		return true; /* cannot tell: clear them */
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective | data[i].permitted | data[i].inheritable)
			return true;
	return false;
}

/*
 * Empties the effective, permitted, inheritable and ambient sets. An
 * unprivileged process holds none already; capset(2) is then skipped, as
 * a service manager may refuse it (wasmd.service denies @privileged).
 */
static int
clear_capabilities(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof data);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) {
		wrk_sandbox_err(err, errlen, "PR_CAP_AMBIENT_CLEAR_ALL: %s",
		    strerror(errno));
		return -1;
	}
	if (!holds_capabilities())
		return 0;
	if (syscall(SYS_capset, &hdr, data) != 0) {
		wrk_sandbox_err(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Whether capset(2) works here: a filter (the unit's denies @privileged)
 * may refuse it. Setting the sets to what they are changes nothing.
 */
static bool
may_capset(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	return syscall(SYS_capget, &hdr, data) == 0 &&
	    syscall(SYS_capset, &hdr, data) == 0;
}

/* Root becomes identity.uid/gid with no supplementary group. */
static int
drop_user(char *err, size_t errlen)
{
	uid_t uid = identity.uid;
	gid_t gid = identity.gid;

	if (uid == 0 || gid == 0) {
		wrk_sandbox_err(err, errlen,
		    "refusing to run a worker as uid %lu gid %lu",
		    (unsigned long)uid, (unsigned long)gid);
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		wrk_sandbox_err(err, errlen,
		    "cannot become uid %lu gid %lu: %s", (unsigned long)uid,
		    (unsigned long)gid, strerror(errno));
		return -1;
	}
	/* Root must be gone for good: a saved uid 0 could come back. */
	if (setresuid(0, 0, 0) == 0 || geteuid() != uid) {
		wrk_sandbox_err(err, errlen, "uid %lu could become root again",
		    (unsigned long)uid);
		return -1;
	}
	return 0;
}

int
wrk_identity_apply(char *err, size_t errlen)
{
	const int others = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS;
	bool was_root, root;

	if (applied) /* a zygote's child: geteuid() would be refused too */
		return 0;
	was_root = root = geteuid() == 0;
	if (root && identity.namespaces)
		unshare_what_we_may(others);
	if (root && identity.set_user) {
		if (drop_bounding_set(true, err, errlen) < 0 ||
		    drop_user(err, errlen) < 0)
			return -1;
		root = false;
	}
	/* A user namespace only for a process that is no longer root (root
	 * in one would map to nobody and gain nothing), and only where the
	 * capabilities it grants can be dropped again. */
	if (!root && identity.namespaces && may_capset())
		unshare_what_we_may(
		    was_root ? CLONE_NEWUSER : CLONE_NEWUSER | others);
	/* Root that stays root (no worker-user) still loses every
	 * capability; so does any process inside a new user namespace. */
	if (drop_bounding_set(root, err, errlen) < 0 ||
	    clear_capabilities(err, errlen) < 0)
		return -1;
	applied = true;
	return 0;
}
