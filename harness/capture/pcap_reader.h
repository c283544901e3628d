/* pcap_reader.h — the capture reader: turns a pcap or pcapng file into the
 * events a live run produces, so every observer (rules, reports, the pcap
 * writer) works the same on a capture as on a run.
 *
 * The file is read with nanosecond timestamps, one frame at a time: a
 * classic pcap file in large reads into one buffer (pcap_records.h), a
 * pcapng file, a pipe or an old pcap variant through libpcap (memory stays
 * flat however long the capture is: per-connection state is freed when the
 * connection ends). Link types: Ethernet (802.1Q /
 * 802.1ad tags, stacked), Linux cooked SLL and SLL2, BSD loopback (NULL and
 * LOOP, the family word in either byte order), raw IP, raw IPv4, raw IPv6;
 * IPv4 with options, IPv6 with extension headers (reader_link.h). IP
 * fragments are counted, not reassembled (a fragmented segment becomes a
 * gap). TCP connections are tracked, recognised as iSCSI and reassembled
 * (reader_conn.h, tcp_reasm.h), and each direction is cut into PDUs
 * (framer.h).
 *
 * Events, in capture order, each stamped with the frame number (1 = the
 * first frame) and time of the frame being read when it was produced:
 *   EV_CONN_OPEN  when a connection is recognised as iSCSI (ep set, dir I2T)
 *   EV_PDU        per PDU: bytes, digests applied, stream_offset of its
 *                 first byte; frame = the segment that completed it
 *   EV_GAP        bytes of a direction missing from the capture (len, why)
 *   EV_RESYNC     framing restarted at a plausible BHS (len = bytes skipped)
 *   EV_CONN_FIN   a side's FIN (frame and time of the FIN segment)
 *   EV_CONN_RST   a side's RST
 *   EV_NOTE       digests inferred, a PDU cut by a gap or by the end, a
 *                 connection open at the end of the capture, a retransmission
 *                 whose bytes differ, malformed frames (conn 0), ...
 *   EV_WIRE       only with opts.wire_events: each run of reassembled bytes
 *                 (stream_offset set), so a pcap writer on the same bus can
 *                 rewrite the capture
 *
 * Errors name the file, the frame number and the byte offset in the file
 * (for a pipe, "offset unknown").
 */
#ifndef HARNESS_CAPTURE_PCAP_READER_H
#define HARNESS_CAPTURE_PCAP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/capture/pcap_writer.h"
#include "harness/event.h"

/* Return codes: 0, one of enum cap_err (pcap_writer.h: CAP_EINVAL,
 * CAP_EOPEN, CAP_ENOMEM) or one of these. */
enum cap_reader_err {
	CAP_EFORMAT = -20,    /* not a pcap / pcapng file, or an empty one */
	CAP_ELINK = -21,      /* a link type the reader does not decode */
	CAP_ETRUNCATED = -22, /* the file ends in the middle of a record */
	CAP_ECORRUPT = -23,   /* a record libpcap refuses (absurd length, bad
				 pcapng block) */
	CAP_EREAD = -24,      /* the file could not be read (I/O error) */
};

#define CAP_READER_MAX_PORTS 64

struct cap_reader_opts {
	const uint16_t *target_ports; /* iSCSI target ports besides 3260 */
	size_t n_target_ports;        /* at most CAP_READER_MAX_PORTS */
	bool heuristic;               /* recognise iSCSI on other ports too */
	size_t reasm_cap;             /* bytes buffered out of order per
					 direction before a gap is declared;
					 0: 16 MiB */
	size_t history;               /* delivered bytes kept per direction to
					 compare retransmissions with; 0: 64
					 KiB; SIZE_MAX: none */
	uint32_t max_conns;           /* connections tracked at once; 0: 65536 */
	bool wire_events;             /* also emit EV_WIRE */
	uint32_t first_conn_id;       /* 0: 1 */
	size_t read_buffer;           /* classic pcap: bytes of the buffer the
					 records are read into; 0: 512 KiB
					 (a record bigger than it grows it) */
};

/* What was read. */
struct cap_reader_stats {
	uint64_t frames;            /* frames read */
	uint64_t bytes;             /* their captured bytes */
	uint64_t tcp_frames;
	uint64_t non_tcp_frames;    /* not IP, or IP but not TCP */
	uint64_t malformed_frames;  /* headers that do not fit (a note each, up
				       to 16) */
	uint64_t fragments;         /* IP fragments (not reassembled) */
	uint64_t snapped_frames;    /* frames whose TCP payload the snap
				       length cut (their tail is a gap) */
	uint64_t oversize_records;  /* records longer than the file's snap
				       length (libpcap keeps the first part) */
	uint64_t iscsi_conns;
	uint64_t non_iscsi_conns;   /* TCP connections not recognised as iSCSI */
	uint64_t stray_segments;    /* segments of no followed connection */
	uint64_t evicted_conns;
	uint64_t peak_tracked_conns; /* most TCP connections tracked at once
					(open, or remembered as closed) */
	uint64_t retransmitted_bytes;
	uint64_t differing_overlaps;
	uint64_t out_of_order_segments;
	uint64_t pdus;
	uint64_t gaps;
	uint64_t gap_bytes;
	uint64_t resyncs;
	uint64_t notes;
	int64_t first_ts_ns, last_ts_ns;
};

struct cap_reader;

/* Open the capture at path. On error *r is NULL, a negative code is
 * returned and err (when errlen > 0) says what, naming the file. */
int cap_reader_open(struct cap_reader **r, const char *path,
		    const struct cap_reader_opts *opts, char *err, size_t errlen);

/* The same on an open stream (a pipe, an fmemopen buffer); name is used in
 * messages. The reader owns fp from here on, also when this fails. */
int cap_reader_open_file(struct cap_reader **r, FILE *fp, const char *name,
			 const struct cap_reader_opts *opts, char *err, size_t errlen);

/*
 * Read the whole capture, emitting events on bus in capture order. Returns
 * 0; or, for a file that is truncated or damaged, a negative code after
 * emitting the events of everything before the problem and closing out the
 * open connections (each gets a note), with cap_reader_errmsg() naming the
 * file, the frame number and the byte offset. Observer errors do not stop
 * the read (the bus keeps the first). A reader runs once (CAP_EINVAL after).
 */
int cap_reader_run(struct cap_reader *r, struct ev_bus *bus);

const struct cap_reader_stats *cap_reader_stats(const struct cap_reader *r);

/* The message of the last error ("" if none). */
const char *cap_reader_errmsg(const struct cap_reader *r);

/* The capture's link type (a DLT_ value). */
int cap_reader_link_type(const struct cap_reader *r);

/* Close the file and free everything (NULL is a no-op). */
void cap_reader_close(struct cap_reader *r);

/* A short text for a code of enum cap_reader_err or enum cap_err. */
const char *cap_reader_strerror(int code);

#endif
