/* tcp_reasm.h — reassembly of one direction of a captured TCP connection
 * into the byte stream its receiver saw, with the holes a capture leaves.
 *
 * Positions are 64-bit stream offsets (0 = the first byte after the SYN, or
 * the first byte seen when the SYN is not in the capture), so sequence
 * numbers wrapping at 2^32 are invisible to the caller. What it handles:
 *   - in-order segments: delivered straight from the caller's buffer;
 *   - retransmissions, exact or partial: the first copy wins; retransmitted
 *     bytes are compared with what was delivered (a history of the last
 *     `history` bytes) and with what is buffered, and a difference is
 *     reported as a note;
 *   - out-of-order segments: buffered (copied) until the hole before them
 *     fills, at most `cap` bytes (with a per-segment overhead counted);
 *   - lost segments: a hole becomes a gap (missing byte count, then
 *     delivery goes on after it) when the peer's ACK proves the receiver got
 *     bytes the capture does not have and later data has arrived, when the
 *     buffer is over its cap, or when the stream is flushed (FIN
 *     acknowledged, RST, end of capture);
 *   - FIN: reported once every byte before it was delivered or declared
 *     missing; bytes past the FIN are ignored with a note;
 *   - segments starting more than 1 GiB ahead of the stream (no TCP window
 *     is larger) are dropped with a note.
 *
 * No clock and no I/O: the caller passes the frame number and time of each
 * segment and gets callbacks, synchronously, from inside the calls below.
 */
#ifndef HARNESS_CAPTURE_TCP_REASM_H
#define HARNESS_CAPTURE_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_REASM_DEFAULT_CAP (16u << 20)      /* out-of-order bytes buffered */
#define TCP_REASM_DEFAULT_HISTORY (64u << 10)  /* delivered bytes kept to compare */
#define TCP_REASM_MAX_AHEAD (1ull << 30)       /* the largest TCP window */
#define TCP_REASM_SEG_OVERHEAD 64u             /* counted per buffered segment */
#define TCP_REASM_MAX_NOTES 8                  /* notes per direction, then a count */

/* Where the reassembled stream goes. Every callback is optional. */
struct tcp_reasm_out {
	/* n bytes at stream offset off; p is valid during the call only */
	void (*data)(void *ctx, uint64_t off, const uint8_t *p, size_t n);
	/* n bytes from off are missing; why says how that is known */
	void (*gap)(void *ctx, uint64_t off, uint64_t n, const char *why);
	/* the FIN at stream offset off (sent in frame at ts_ns) is reached */
	void (*fin)(void *ctx, uint64_t off, uint64_t frame, int64_t ts_ns);
	/* something worth a line: a differing retransmission, data past FIN */
	void (*note)(void *ctx, const char *text);
	void *ctx;
};

/* Spare history rings, handed from one finished direction to the next new
 * one: a capture of many short connections then does not make the heap
 * shrink and grow again (page faults) for each of them. Owned by whoever
 * owns the reassemblers; zeroed to start, tcp_hist_pool_free() at the end. */
#define TCP_HIST_POOL_MAX 16

struct tcp_hist_pool {
	uint8_t *spare[TCP_HIST_POOL_MAX];
	size_t n;
	size_t size;     /* of every spare ring */
};

void tcp_hist_pool_free(struct tcp_hist_pool *pool);

struct tcp_reasm_cfg {
	size_t cap;      /* 0: TCP_REASM_DEFAULT_CAP */
	size_t history;  /* 0: TCP_REASM_DEFAULT_HISTORY; SIZE_MAX: none kept */
	struct tcp_hist_pool *pool; /* NULL: each ring malloc'd and freed */
};

struct tcp_reasm_seg;

/* Counters of one direction. */
struct tcp_reasm_stats {
	uint64_t delivered;      /* bytes delivered */
	uint64_t retransmitted;  /* bytes that arrived again */
	uint64_t differing;      /* retransmissions whose bytes differ */
	uint64_t out_of_order;   /* segments buffered ahead of a hole */
	uint64_t gaps, gap_bytes;
	uint64_t dropped;        /* segments ignored: past the FIN, too far ahead,
				    or no memory */
};

struct tcp_reasm {
	struct tcp_reasm_out out;
	size_t cap, history;
	bool started;            /* base_seq is set */
	uint32_t base_seq;       /* sequence number of stream offset 0 */
	uint64_t next;           /* first offset not yet delivered */
	bool acked_valid;
	uint64_t acked;          /* the peer has acknowledged up to here */
	bool fin_seen, fin_done;
	uint64_t fin_off;
	uint64_t fin_frame;
	int64_t fin_ts;
	struct tcp_reasm_seg *head, *tail; /* buffered, sorted, disjoint */
	size_t buffered;         /* bytes + per-segment overhead */
	uint8_t *hist;           /* ring: byte at offset o is hist[o % history] */
	struct tcp_hist_pool *pool; /* where hist comes from and goes back */
	uint64_t hist_from;      /* offsets [hist_from, next) are in the ring */
	unsigned notes;
	uint64_t notes_suppressed;
	struct tcp_reasm_stats st;
};

void tcp_reasm_init(struct tcp_reasm *r, const struct tcp_reasm_cfg *cfg,
		    const struct tcp_reasm_out *out);

/* Fix the sequence number of stream offset 0 (the ISN + 1 after a SYN, or
 * the sequence number of the first segment seen). Ignored once started. */
void tcp_reasm_start(struct tcp_reasm *r, uint32_t seq0);

/*
 * One segment: captured payload p[0..len) at sequence number seq, of which
 * wire_len bytes were on the wire (a snap length cut the rest: those become
 * a hole); fin when the FIN flag is set. Starts the stream at seq when not
 * started. frame / ts_ns are the segment's.
 */
void tcp_reasm_segment(struct tcp_reasm *r, uint32_t seq, const uint8_t *p,
		       size_t len, size_t wire_len, bool fin, uint64_t frame,
		       int64_t ts_ns);

/* The peer acknowledged every byte before sequence number ack. */
void tcp_reasm_ack(struct tcp_reasm *r, uint32_t ack);

/* No more segments will come (RST, end of capture, connection dropped):
 * every hole is declared a gap (why says why), every buffered byte is
 * delivered, bytes the peer acknowledged but the capture lacks become a
 * last gap, and the FIN is reported if it was seen. */
void tcp_reasm_flush(struct tcp_reasm *r, const char *why);

/* Free the buffers (the struct can be initialised again). */
void tcp_reasm_free(struct tcp_reasm *r);

#endif
