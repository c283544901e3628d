/* reader_conn.h — the TCP connection tracker of the capture reader: takes
 * decoded TCP segments in capture order, keeps a table of connections by
 * 4-tuple, decides which are iSCSI and which side is the target, runs the
 * reassembly (tcp_reasm.h) and framing (framer.h) of each direction, and
 * emits the connection's events: EV_CONN_OPEN, EV_PDU, EV_GAP, EV_RESYNC,
 * EV_CONN_FIN, EV_CONN_RST, EV_NOTE (and EV_WIRE when asked).
 *
 * Which connections are iSCSI, and which side is the target:
 *   - a side whose port is one of the target ports (3260 and the extra
 *     ones) is the target; when both are, the side that received the SYN
 *     (or sent the SYN-ACK), else the destination of the first segment;
 *   - otherwise, with the heuristic on, a connection whose initiator's
 *     first bytes (at the start of its stream, when the SYN is in the
 *     capture) are a plausible Login Request, or, mid-stream, whose first
 *     payload starts with a plausible BHS (the opcode says which side sent
 *     it) that ends in the segment where the next one starts, or runs past
 *     it; 16 payload segments without one and it is not iSCSI;
 *   - otherwise not iSCSI (counted, no events).
 *
 * Connection ids count up from first_conn_id in the order connections are
 * recognised as iSCSI (for port matches: their first segment). A
 * connection whose SYN is not in the capture starts at the first segment
 * seen, with a note, and its framing resynchronises. A SYN with a new
 * initial sequence number on a known 4-tuple (or any SYN after the
 * connection closed) starts a new connection; a retransmitted SYN is
 * ignored. After both FINs or a RST the connection's buffers are freed and
 * a small record of it stays to absorb late segments (until a new SYN, 300
 * s of capture time, RC_MAX_TOMBSTONES connections closed after it, or the
 * table is full): memory stays flat however many connections a capture
 * opens and closes one after another. At most max_conns connections
 * are tracked at once; beyond that the least recently active is dropped
 * (an iSCSI one with a note, as if the capture ended for it).
 */
#ifndef HARNESS_CAPTURE_READER_CONN_H
#define HARNESS_CAPTURE_READER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/capture/framer.h"
#include "harness/capture/reader_link.h"

#define RC_DEFAULT_TARGET_PORT 3260
#define RC_DEFAULT_MAX_CONNS 65536u
#define RC_TOMBSTONE_NS (300LL * 1000000000LL)
#define RC_MAX_TOMBSTONES 4096u
#define RC_HEURISTIC_TRIES 16

struct rc_opts {
	const uint16_t *ports;   /* target ports besides 3260 */
	size_t n_ports;
	bool heuristic;
	size_t reasm_cap;        /* per direction; 0: TCP_REASM_DEFAULT_CAP */
	size_t history;          /* per direction; 0: TCP_REASM_DEFAULT_HISTORY */
	uint32_t max_conns;      /* 0: RC_DEFAULT_MAX_CONNS */
	bool wire_events;        /* also emit EV_WIRE for reassembled bytes */
	uint32_t first_conn_id;  /* 0: 1 */
};

struct rc_stats {
	uint64_t iscsi_conns;
	uint64_t non_iscsi_conns;
	uint64_t stray_segments;   /* segments of no tracked connection (a bare
				      ACK, FIN or RST of an unknown one, or
				      after a close) */
	uint64_t evicted;          /* connections dropped to stay under max_conns */
	uint64_t gap_bytes;        /* bytes reported missing (EV_GAP) */
	uint64_t peak_tracked;     /* most connections tracked at once */
	uint64_t retransmitted_bytes;
	uint64_t differing_overlaps;
	uint64_t out_of_order_segments;
	uint64_t dropped_segments;
};

struct rc_tracker;

/* Returns 0, or -1 when out of memory. */
int rc_new(struct rc_tracker **t, const struct rc_opts *opts, struct framer_sink *sink);

/* One segment, stamped with sink->frame / sink->ts_ns. */
void rc_segment(struct rc_tracker *t, const struct rd_segment *seg);

/* The capture ends (why: "the end of the capture", or a damaged file):
 * every open iSCSI connection is flushed and gets a note that it was open
 * at the end; every connection is then forgotten. */
void rc_finish(struct rc_tracker *t, const char *why);

const struct rc_stats *rc_stats(const struct rc_tracker *t);

/* Connections tracked now (open or remembered as closed). */
size_t rc_tracked(const struct rc_tracker *t);

void rc_free(struct rc_tracker *t);

#endif
