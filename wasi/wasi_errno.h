/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_errno.h: WASI preview1's errno numbers (the values every WASI function
 * returns) and the mapping from the host's errno.
 *
 * Private to wasi/.
 */
#ifndef WS_ERRNO_H
#define WS_ERRNO_H

#include <stdint.h>

/* WS_ERRNO(name, wasi number): the whole preview1 list, in order. */
#define WS_ERRNO_LIST                                                          \
	WS_ERRNO(SUCCESS, 0)                                                   \
	WS_ERRNO(2BIG, 1)                                                      \
	WS_ERRNO(ACCES, 2)                                                     \
	WS_ERRNO(ADDRINUSE, 3)                                                 \
	WS_ERRNO(ADDRNOTAVAIL, 4)                                              \
	WS_ERRNO(AFNOSUPPORT, 5)                                               \
	WS_ERRNO(AGAIN, 6)                                                     \
	WS_ERRNO(ALREADY, 7)                                                   \
	WS_ERRNO(BADF, 8)                                                      \
	WS_ERRNO(BADMSG, 9)                                                    \
	WS_ERRNO(BUSY, 10)                                                     \
	WS_ERRNO(CANCELED, 11)                                                 \
	WS_ERRNO(CHILD, 12)                                                    \
	WS_ERRNO(CONNABORTED, 13)                                              \
	WS_ERRNO(CONNREFUSED, 14)                                              \
	WS_ERRNO(CONNRESET, 15)                                                \
	WS_ERRNO(DEADLK, 16)                                                   \
	WS_ERRNO(DESTADDRREQ, 17)                                              \
	WS_ERRNO(DOM, 18)                                                      \
	WS_ERRNO(DQUOT, 19)                                                    \
	WS_ERRNO(EXIST, 20)                                                    \
	WS_ERRNO(FAULT, 21)                                                    \
	WS_ERRNO(FBIG, 22)                                                     \
	WS_ERRNO(HOSTUNREACH, 23)                                              \
	WS_ERRNO(IDRM, 24)                                                     \
	WS_ERRNO(ILSEQ, 25)                                                    \
	WS_ERRNO(INPROGRESS, 26)                                               \
	WS_ERRNO(INTR, 27)                                                     \
	WS_ERRNO(INVAL, 28)                                                    \
	WS_ERRNO(IO, 29)                                                       \
	WS_ERRNO(ISCONN, 30)                                                   \
	WS_ERRNO(ISDIR, 31)                                                    \
	WS_ERRNO(LOOP, 32)                                                     \
	WS_ERRNO(MFILE, 33)                                                    \
	WS_ERRNO(MLINK, 34)                                                    \
	WS_ERRNO(MSGSIZE, 35)                                                  \
	WS_ERRNO(MULTIHOP, 36)                                                 \
	WS_ERRNO(NAMETOOLONG, 37)                                              \
	WS_ERRNO(NETDOWN, 38)                                                  \
	WS_ERRNO(NETRESET, 39)                                                 \
	WS_ERRNO(NETUNREACH, 40)                                               \
	WS_ERRNO(NFILE, 41)                                                    \
	WS_ERRNO(NOBUFS, 42)                                                   \
	WS_ERRNO(NODEV, 43)                                                    \
	WS_ERRNO(NOENT, 44)                                                    \
	WS_ERRNO(NOEXEC, 45)                                                   \
	WS_ERRNO(NOLCK, 46)                                                    \
	WS_ERRNO(NOLINK, 47)                                                   \
	WS_ERRNO(NOMEM, 48)                                                    \
	WS_ERRNO(NOMSG, 49)                                                    \
	WS_ERRNO(NOPROTOOPT, 50)                                               \
	WS_ERRNO(NOSPC, 51)                                                    \
	WS_ERRNO(NOSYS, 52)                                                    \
	WS_ERRNO(NOTCONN, 53)                                                  \
	WS_ERRNO(NOTDIR, 54)                                                   \
	WS_ERRNO(NOTEMPTY, 55)                                                 \
	WS_ERRNO(NOTRECOVERABLE, 56)                                           \
	WS_ERRNO(NOTSOCK, 57)                                                  \
	WS_ERRNO(NOTSUP, 58)                                                   \
	WS_ERRNO(NOTTY, 59)                                                    \
	WS_ERRNO(NXIO, 60)                                                     \
	WS_ERRNO(OVERFLOW, 61)                                                 \
	WS_ERRNO(OWNERDEAD, 62)                                                \
	WS_ERRNO(PERM, 63)                                                     \
	WS_ERRNO(PIPE, 64)                                                     \
	WS_ERRNO(PROTO, 65)                                                    \
	WS_ERRNO(PROTONOSUPPORT, 66)                                           \
	WS_ERRNO(PROTOTYPE, 67)                                                \
	WS_ERRNO(RANGE, 68)                                                    \
	WS_ERRNO(ROFS, 69)                                                     \
	WS_ERRNO(SPIPE, 70)                                                    \
	WS_ERRNO(SRCH, 71)                                                     \
	WS_ERRNO(STALE, 72)                                                    \
	WS_ERRNO(TIMEDOUT, 73)                                                 \
	WS_ERRNO(TXTBSY, 74)                                                   \
	WS_ERRNO(XDEV, 75)                                                     \
	WS_ERRNO(NOTCAPABLE, 76)

/* WS_ESUCCESS, WS_E2BIG, ... WS_ENOTCAPABLE. */
enum {
#define WS_ERRNO(name, num) WS_E##name = num,
	WS_ERRNO_LIST
#undef WS_ERRNO
};

/*
 * The WASI errno for a host errno value (EIO for one WASI has no name
 * for). Most names are the same on both sides, so the mapping is by name.
 */
uint32_t ws_errno_from_host(int host_errno);

#endif /* WS_ERRNO_H */
