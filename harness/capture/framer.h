/* framer.h — iSCSI framing of a reassembled TCP stream: cuts each
 * direction of a connection into PDUs and emits them as EV_PDU events, with
 * the digests in force, the stream offset of each PDU's first byte, and the
 * frame number and time of the segment that completed it.
 *
 * Digests, per connection (both directions share them):
 *   - learnt from the login when the stream starts at the SYN: PDUs carry
 *     no digests until a Login Response with T=1, NSG=3 (Full Feature
 *     Phase) and status 0; then the HeaderDigest / DataDigest outcome of the
 *     login applies to every later PDU in both directions. The outcome is
 *     the target's answer (the value in the Login Responses, keys split
 *     over C=1 PDUs included); when the target offered the key and the
 *     initiator answered, the initiator's single value.
 *   - inferred from the bytes when the login is not in the capture (a
 *     stream that starts mid-way): the header digest is on when the CRC32C
 *     after a candidate BHS verifies, the data digest when the CRC32C after
 *     a data segment does; an EV_NOTE says each setting was inferred. A
 *     Login PDU found this way puts the connection back to learning.
 *
 * While a setting is still unknown, PDUs report it off (a PDU without a
 * data segment says nothing of the data digest). A non-login PDU while the
 * login is being learnt means its end was not captured: inference takes
 * over, as it does after a gap in the login.
 *
 * Synchronisation: a stream that starts mid-way, and every direction after
 * a gap, is scanned for the next plausible BHS: an opcode the direction's
 * sender may use, its reserved bits and bytes clear, F set where RFC 7143
 * draws it as 1, TotalAHSLength only on a SCSI Command, no data segment on
 * the opcodes that have none, and the header digest verifying when header
 * digests are on. A candidate is taken when its header digest verifies, or
 * it is a Login PDU whose data is key=value text; else, when its data
 * segment is at most 1 MiB and the next PDU chains (the bytes after it are
 * a plausible BHS too) or it ends exactly where the stream does. EV_RESYNC
 * says where (stream_offset) and how many bytes were skipped (len).
 *
 * In sync, every PDU is emitted, a garbage opcode included (rules judge
 * it), with these exceptions: a suspicious PDU (an opcode no side may send
 * in this direction, or a header digest that does not verify) with a data
 * segment over 256 KiB is taken as a length read from garbage; one whose
 * header digest fails, or that follows another suspicious PDU, must chain.
 * Otherwise framing resynchronises from the byte after its start.
 *
 * A PDU cut by a gap or by the end of the stream is reported as an EV_NOTE
 * naming the connection, direction, frame and stream offset.
 */
#ifndef HARNESS_CAPTURE_FRAMER_H
#define HARNESS_CAPTURE_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "pdu/keys.h"
#include "pdu/pdu.h"

/* Where events go, and the frame being read (stamped on every event).
 * counts[kind] counts what went out. */
struct framer_sink {
	struct ev_bus *bus;
	uint64_t frame;
	int64_t ts_ns;
	uint64_t counts[EV_RESYNC + 1];
};

/* Emit ev stamped with the sink's frame and time (unless ev->frame is
 * already set), counting it. */
void framer_emit(struct framer_sink *sink, struct event *ev);
/* Emit an EV_NOTE on conn (0: the capture as a whole). */
void framer_note(struct framer_sink *sink, uint32_t conn, enum ev_dir dir,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

enum framer_dg_mode {
	FRAMER_DG_LOGIN,   /* login in the capture: none until Full Feature Phase */
	FRAMER_DG_KNOWN,   /* learnt from the login */
	FRAMER_DG_INFER,   /* login not seen: inferred from the bytes */
};

/* A digest setting while it is being inferred. */
enum framer_tri { FRAMER_UNKNOWN = -1, FRAMER_OFF = 0, FRAMER_ON = 1 };

/* The per-connection half: digests and login learning. */
struct framer_conn {
	struct framer_sink *sink;
	uint32_t conn;
	enum framer_dg_mode mode;
	struct pdu_digests dg;          /* in force in FRAMER_DG_KNOWN */
	enum framer_tri hd, dd;         /* FRAMER_DG_INFER */
	/* login learning: the last HeaderDigest / DataDigest value each side
	 * sent ([dir]), and a key parser per direction */
	char hd_val[2][40], dd_val[2][40];
	struct pdu_kv_parser kv[2];
	bool kv_used[2];
};

/* The per-direction half: the bytes not yet framed. */
struct framer_dir {
	struct framer_conn *fc;
	enum ev_dir dir;
	bool started;
	bool in_sync;
	bool last_suspect;       /* the last PDU emitted was suspicious */
	uint8_t *buf;
	size_t cap, head, tail;  /* unframed bytes: buf[head..tail) */
	uint64_t off;            /* stream offset of buf[head] */
	size_t wait_for;         /* nothing to do before this many bytes */
	uint64_t skipped;        /* bytes skipped in the current resync */
	uint64_t skip_from;      /* where that resync started */
	uint64_t last_frame;     /* frame that brought the last bytes */
	uint64_t pdus;
	uint64_t resyncs;
};

/* mode: FRAMER_DG_LOGIN when the connection's start is in the capture,
 * FRAMER_DG_INFER otherwise. */
void framer_conn_init(struct framer_conn *fc, struct framer_sink *sink,
		      uint32_t conn, enum framer_dg_mode mode);
void framer_conn_free(struct framer_conn *fc);

/* in_sync: the first byte fed is a PDU boundary (stream start at a SYN). */
void framer_dir_init(struct framer_dir *fd, struct framer_conn *fc,
		     enum ev_dir dir, bool in_sync);
void framer_dir_free(struct framer_dir *fd);

#define FRAMER_ENOMEM (-4)

/* n bytes at stream offset off (contiguous with what came before, or the
 * first bytes after framer_dir_init / framer_gap). Returns 0, or
 * FRAMER_ENOMEM when the bytes could not be buffered (a note says so and
 * framing restarts after them). */
int framer_data(struct framer_dir *fd, uint64_t off, const uint8_t *p, size_t n);

/* n bytes from off are missing: a PDU in progress is cut (note), and
 * framing resynchronises after the gap. */
void framer_gap(struct framer_dir *fd, uint64_t off, uint64_t n);

/* The stream ends (FIN, RST, end of capture): a PDU in progress is cut
 * (note); why names the cause ("the FIN", "the end of the capture"). */
void framer_end(struct framer_dir *fd, const char *why);

/* Whether bhs[0..48) is a plausible BHS for a PDU sent in dir (the resync
 * test, without digest or chaining checks). */
bool framer_plausible_bhs(const uint8_t *bhs, enum ev_dir dir);

#endif
