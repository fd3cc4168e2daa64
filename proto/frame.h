/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.h: framing of wasmd protocol messages, shared by the client
 * library, the supervisor and the worker.
 *
 * A frame is a 4-byte big-endian length, then that many bytes of an encoded
 * Wasmd__Envelope (proto/wasmd.proto). The length is checked against a
 * maximum before anything is allocated. Decoders consume exactly one frame
 * and reject trailing garbage inside it.
 *
 * May be included by every process. Links libprotobuf-c only.
 */
#ifndef WASMD_PROTO_FRAME_H
#define WASMD_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wasmd.pb-c.h"

/*
 * Bump whenever wasmd.proto changes in a way an older peer would misread.
 * 3: Invoke.mounts (an older daemon would run the guest without its files).
 * 4: PushModule.init and Invoke.no_snapshot (an older daemon would store
 *    no snapshot, or run from one it was told not to).
 * 5: MemoryArg, MemoryBytes, MemoryRead and MemoryWrite name their memory
 *    (an older daemon would silently use its first exported memory);
 *    Value.is_i31 (an older one refuses it as a non-null anyref).
 * A daemon also serves clients of WP_PROTOCOL_VERSION_MIN and later, each
 * in its own version (its hello is answered with it): a version 4 client
 * never names a memory but 0, which means the same to both.
 */
#define WP_PROTOCOL_VERSION 5
#define WP_PROTOCOL_VERSION_MIN 4

#define WP_HEADER_SIZE 4
#define WP_FRAME_MAX_DEFAULT (256u << 20) /* large enough for big modules */

/*
 * Decoding a frame of N bytes may allocate at most
 * N * WP_DECODE_FACTOR + WP_DECODE_SLACK bytes; a frame that needs more
 * (e.g. millions of empty repeated messages) is rejected as WP_BAD.
 */
#define WP_DECODE_FACTOR 4u
#define WP_DECODE_SLACK (16u << 20)

/*
 * The most bytes one MemoryRead may ask for: the supervisor holds the
 * answer for the client, so larger ranges are read in pieces (the client
 * library does so); a larger request is answered with an error.
 */
#define WP_MEMORY_READ_MAX (1u << 20)

/*
 * The most guest memory one HostCall carries: its MemoryArg ranges
 * together (the worker traps a call asking for more, without relaying it).
 */
#define WP_HOSTCALL_MEMORY_MAX (16u << 20)

/*
 * The largest frame body a worker sends that is not a ModuleInfo (wasmd(8),
 * SECURITY). What a worker legitimately sends is small but for a HostCall's
 * memory (WP_HOSTCALL_MEMORY_MAX) and values (an invoke's results, a host
 * call's arguments: about 20 bytes each, as many as the function type
 * declares): WP_HOSTCALL_MEMORY_MAX plus 1 MiB for the values, which
 * covers tens of thousands. Everything else is bounded smaller: an
 * Output frame carries at most 4 KiB, a MemoryReply WP_MEMORY_READ_MAX, an
 * error or trap a few KiB. A worker whose reply would be larger sends an
 * Error ERR_LIMIT instead; the supervisor kills one that sends a larger
 * frame. A push's ModuleInfo may be larger, up to the daemon's
 * --max-module-info (plus WP_REPLY_INFO_SLACK for its envelope).
 */
#define WP_REPLY_MAX (WP_HOSTCALL_MEMORY_MAX + (1u << 20))
#define WP_REPLY_INFO_SLACK (4u << 10)

/*
 * Encodes env as one frame (header included).
 * own: the result, freed with free(); NULL when out of memory.
 */
uint8_t *wp_frame_pack(const Wasmd__Envelope *env, size_t *len);

typedef enum wp_parse {
	WP_NEED_MORE, /* buf holds less than one whole frame */
	WP_FRAME,     /* *out is one envelope; *consumed bytes were used */
	WP_TOO_BIG,   /* the header announces more than max bytes */
	WP_BAD,       /* the frame does not decode; err says why */
} wp_parse;

/*
 * Parses the first frame in buf[0..len). On WP_FRAME, *out is the decoded
 * envelope (own: free with wasmd__envelope__free_unpacked(*out, NULL)) and
 * *consumed the frame's size. On WP_TOO_BIG or WP_BAD, err (errlen bytes)
 * says why, for a log line or an Error reply.
 */
wp_parse wp_frame_parse(const uint8_t *buf, size_t len, size_t max,
    Wasmd__Envelope **out, size_t *consumed, char *err, size_t errlen);

/*
 * Blocking helpers for the client library and the worker. Both retry on
 * EINTR and handle short reads and writes. Return 0 on success, -1 with
 * err filled on failure (a closed peer reads as "connection closed").
 * own: *out from wp_read_envelope, as for wp_frame_parse.
 */
int wp_write_envelope(
    int fd, const Wasmd__Envelope *env, char *err, size_t errlen);
int wp_read_envelope(
    int fd, size_t max, Wasmd__Envelope **out, char *err, size_t errlen);

/*
 * wp_read_envelope() for a peer that may pass one descriptor with a frame
 * (SCM_RIGHTS on the frame's first bytes; the supervisor sends a worker a
 * module's memfd so). *passed is that descriptor (own: the caller closes
 * it; close-on-exec), or -1 when none came. Extra descriptors are closed.
 */
int wp_read_envelope_fd(int fd, size_t max, Wasmd__Envelope **out, int *passed,
    char *err, size_t errlen);

/*
 * One sendmsg() of (the first bytes of) buf with the descriptor fd attached
 * (SCM_RIGHTS), flags as for sendmsg() (MSG_NOSIGNAL is added), retried on
 * EINTR: what sendmsg() returns. The descriptor stays the caller's.
 * wp_send_with_fds(): the same with nfds (1 to WP_FDS_MAX) descriptors, in
 * order (the supervisor sends a module's stored file and its snapshot's).
 */
#define WP_FDS_MAX 2
ssize_t wp_send_with_fd(
    int sock, const void *buf, size_t len, int fd, int flags);
ssize_t wp_send_with_fds(int sock, const void *buf, size_t len, const int *fds,
    size_t nfds, int flags);

/*
 * A buffered reader of frames from one peer (the worker reading its
 * supervisor): a small frame that came in one write is read with one
 * recvmsg(), header and body together, instead of one read for each, and
 * decoded where it lies. Bytes read past a frame wait in buf for the next.
 * Descriptors (SCM_RIGHTS) that come while a frame is read are that
 * frame's: the peer must send a descriptor only on the first byte of a
 * frame and only when everything it sent before has been read (the
 * supervisor sends a module's memfd with a job to an idle worker).
 */
#define WP_READER_BUF 8192

typedef struct wp_reader {
	int fd;
	size_t start,
	    end; /* the bytes read and not consumed: buf[start..end) */
	uint8_t buf[WP_READER_BUF];
} wp_reader;

void wp_reader_init(wp_reader *r, int fd);

/*
 * The next envelope from r, as wp_read_envelope_fd() (passed may be NULL:
 * descriptors that come are then closed). Returns 0, or -1 with err.
 */
int wp_reader_next(wp_reader *r, size_t max, Wasmd__Envelope **out, int *passed,
    char *err, size_t errlen);
/*
 * The same keeping up to WP_FDS_MAX descriptors in passed (an array of
 * that many, or NULL), in the order they were sent, -1 in the slots left
 * (own: the caller closes them).
 */
int wp_reader_next_fds(wp_reader *r, size_t max, Wasmd__Envelope **out,
    int *passed, char *err, size_t errlen);

#endif /* WASMD_PROTO_FRAME_H */
