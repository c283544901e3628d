/* pcap_writer.h — the pcap writer: an event observer that turns the bytes
 * each direction of each connection really carried (EV_CONN_OPEN, EV_WIRE,
 * EV_CONN_FIN, EV_CONN_RST) into a pcap file that reads like a capture of
 * real TCP: Ethernet + IPv4 or IPv6 + TCP, one TCP stream per connection.
 *
 * What goes on the synthetic wire:
 *   - EV_CONN_OPEN: SYN, SYN-ACK, ACK. Both SYNs carry MSS and window-scale
 *     (7) options; later segments advertise 65535 << 7 bytes.
 *   - EV_WIRE: the bytes cut into segments of at most the MSS, ACK on all,
 *     PSH on the last one. The receiver sends a pure ACK after every
 *     `ack_every` segments (delayed-ACK style) and after the last segment
 *     of the write if anything is still unacknowledged. A zero-length
 *     write puts nothing on the wire.
 *   - EV_CONN_FIN: FIN+ACK from the side that closed, ACKed by the peer;
 *     when both sides close, this gives the usual four-segment exchange.
 *   - EV_CONN_RST: RST+ACK from the side that reset; the stream ends there.
 *   - EV_PDU, EV_FAULT, EV_NOTE and unknown kinds are ignored (EV_PDU's
 *     bytes also arrive as EV_WIRE).
 * Every frame of one event carries that event's ts_ns (nanosecond pcap).
 * Sequence numbers start from an ISN derived from the connection id and
 * direction, IPv4 IDs count up per sender from a value derived the same
 * way, MAC addresses are locally administered and derived from the IP
 * address, TTL / hop limit is 64, IPv4 has DF set, and the IPv4 header and
 * TCP (IPv4 or IPv6 pseudo-header) checksums are correct: the same events
 * always give the same file.
 *
 * A writer holds all its state (no globals); one writer is used by one
 * thread at a time. Unless flush_each_event is set, a writer writes the
 * file in 1 MiB blocks from a thread of its own (signals blocked in it),
 * with O_DIRECT where the file system allows: the file is whole once
 * cap_writer_close returns, and a write error shows in the events that
 * follow it (and in close) rather than in the one that made the block.
 */
#ifndef HARNESS_CAPTURE_PCAP_WRITER_H
#define HARNESS_CAPTURE_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"

/* Return codes: 0 or one of these. */
enum cap_err {
	CAP_OK = 0,
	CAP_EINVAL = -1,    /* bad argument, option or event */
	CAP_EOPEN = -2,     /* the output file could not be created */
	CAP_EIO = -3,       /* writing the output failed (sticky) */
	CAP_ENOMEM = -4,    /* out of memory */
	CAP_ENOCONN = -5,   /* event for a connection that was never opened */
	CAP_EDUPCONN = -6,  /* EV_CONN_OPEN for a connection id already seen */
	CAP_ETOOMANY = -7,  /* more connections open at once than max_conns */
	CAP_ECLOSED = -8,   /* bytes or a close on a side already closed/reset */
	CAP_EFAMILY = -9,   /* endpoints neither AF_INET nor AF_INET6 */
};

#define CAP_DEFAULT_MSS4 1460u      /* IPv4 over a 1500-byte MTU */
#define CAP_DEFAULT_MSS6 1440u      /* IPv6 over a 1500-byte MTU */
#define CAP_MAX_MSS 65495u          /* 65535 - 20 (IPv4) - 20 (TCP) */
#define CAP_DEFAULT_ACK_EVERY 2u
#define CAP_MAX_ACK_EVERY 16u
#define CAP_DEFAULT_MAX_CONNS 1024u
#define CAP_MAX_CONNS (1u << 20)
#define CAP_SNAPLEN 262144u         /* more than the largest frame written */

/* Options; an all-zero struct (or NULL) means the defaults. */
struct cap_writer_opts {
	uint32_t mss;        /* 1..CAP_MAX_MSS for both families; 0: 1460 over
	                      * IPv4 and 1440 over IPv6 */
	uint32_t ack_every;  /* 1..CAP_MAX_ACK_EVERY; 0: CAP_DEFAULT_ACK_EVERY */
	uint32_t max_conns;  /* connections open at once, 1..CAP_MAX_CONNS;
	                      * 0: CAP_DEFAULT_MAX_CONNS */
	uint32_t isn_xor;    /* XORed into every initial sequence number */
	int flush_each_event; /* nonzero: flush the file after every event, so
	                       * a crashed run still leaves a readable capture */
};

struct cap_writer;

/* Create (truncate) the pcap file at path and write its header. On error,
 * *w is NULL, a negative code is returned and err (when errlen > 0) holds a
 * message that names the path. */
int cap_writer_open(struct cap_writer **w, const char *path,
		    const struct cap_writer_opts *opts, char *err, size_t errlen);

/* The observer callback (ctx is the struct cap_writer *). Returns 0 or a
 * negative cap_err; an event that fails writes nothing. After a write
 * error every later event returns CAP_EIO. */
int cap_writer_on_event(void *w, const struct event *ev);

/* The writer as an observer, for ev_bus_add(). */
struct ev_observer cap_writer_observer(struct cap_writer *w);

/* A message about the first error any event returned ("" if none). */
const char *cap_writer_errmsg(const struct cap_writer *w);

/* Frames made so far (written to the file by close at the latest). */
uint64_t cap_writer_frames(const struct cap_writer *w);

/* Flush, close and free (NULL is a no-op). Returns 0, or CAP_EIO if any
 * write to the file failed, now or before. */
int cap_writer_close(struct cap_writer *w);

const char *cap_strerror(int code);

#endif
