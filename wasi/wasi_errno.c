/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_errno.c: host errno to WASI errno. The names match one for one (WASI took
 * them from POSIX), so the table is generated from the same list as the
 * WASI numbers; the host's aliases (EWOULDBLOCK, EOPNOTSUPP) are the same
 * values on Linux and need no entry.
 */
#include "wasi_errno.h"

#include <errno.h>

/* Host errno names that WASI spells the same way ("E" + name). */
#define WS_HOST_ERRNOS                                                         \
	X(2BIG)                                                                \
	X(ACCES)                                                               \
	X(ADDRINUSE)                                                           \
	X(ADDRNOTAVAIL)                                                        \
	X(AFNOSUPPORT)                                                         \
	X(AGAIN)                                                               \
	X(ALREADY)                                                             \
	X(BADF)                                                                \
	X(BADMSG)                                                              \
	X(BUSY)                                                                \
	X(CANCELED)                                                            \
	X(CHILD)                                                               \
	X(CONNABORTED)                                                         \
	X(CONNREFUSED)                                                         \
	X(CONNRESET)                                                           \
	X(DEADLK)                                                              \
	X(DESTADDRREQ)                                                         \
	X(DOM)                                                                 \
	X(DQUOT)                                                               \
	X(EXIST)                                                               \
	X(FAULT)                                                               \
	X(FBIG)                                                                \
	X(HOSTUNREACH)                                                         \
	X(IDRM)                                                                \
	X(ILSEQ)                                                               \
	X(INPROGRESS)                                                          \
	X(INTR)                                                                \
	X(INVAL)                                                               \
	X(IO)                                                                  \
	X(ISCONN)                                                              \
	X(ISDIR)                                                               \
	X(LOOP)                                                                \
	X(MFILE)                                                               \
	X(MLINK)                                                               \
	X(MSGSIZE)                                                             \
	X(MULTIHOP)                                                            \
	X(NAMETOOLONG)                                                         \
	X(NETDOWN)                                                             \
	X(NETRESET)                                                            \
	X(NETUNREACH)                                                          \
	X(NFILE)                                                               \
	X(NOBUFS)                                                              \
	X(NODEV)                                                               \
	X(NOENT)                                                               \
	X(NOEXEC)                                                              \
	X(NOLCK)                                                               \
	X(NOLINK)                                                              \
	X(NOMEM)                                                               \
	X(NOMSG)                                                               \
	X(NOPROTOOPT)                                                          \
	X(NOSPC)                                                               \
	X(NOSYS)                                                               \
	X(NOTCONN)                                                             \
	X(NOTDIR)                                                              \
	X(NOTEMPTY)                                                            \
	X(NOTRECOVERABLE)                                                      \
	X(NOTSOCK)                                                             \
	X(NOTSUP)                                                              \
	X(NOTTY)                                                               \
	X(NXIO)                                                                \
	X(OVERFLOW)                                                            \
	X(OWNERDEAD)                                                           \
	X(PERM)                                                                \
	X(PIPE)                                                                \
	X(PROTO)                                                               \
	X(PROTONOSUPPORT)                                                      \
	X(PROTOTYPE)                                                           \
	X(RANGE)                                                               \
	X(ROFS)                                                                \
	X(SPIPE)                                                               \
	X(SRCH)                                                                \
	X(STALE)                                                               \
	X(TIMEDOUT)                                                            \
	X(TXTBSY)                                                              \
	X(XDEV)

uint32_t
ws_errno_from_host(int host_errno)
{
	switch (host_errno) {
	case 0: return WS_ESUCCESS;
#define X(name)                                                                \
	case E##name: return WS_E##name;
		WS_HOST_ERRNOS
#undef X
	default: return WS_EIO;
	}
}
