/* golden_builder.h — building blocks for deterministic, protocol-correct
 * iSCSI sessions emitted as events (EV_CONN_OPEN, EV_WIRE + EV_PDU,
 * EV_CONN_FIN, EV_CONN_RST) on a fixed clock. A builder keeps what a real
 * initiator and target keep: the session-wide CmdSN window and, per
 * connection, the target's StatSN and the initiator's ExpStatSN, and it
 * applies each connection's digests once it is in Full Feature Phase.
 *
 * Used by golden.c (the every-opcode golden session) and golden_mcs.c (the
 * MC/S golden session).
 */
#ifndef HARNESS_CAPTURE_GOLDEN_BUILDER_H
#define HARNESS_CAPTURE_GOLDEN_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "pdu/pdu.h"

#define GB_MAX_DATA 8193
#define GB_MAX_PDU (PDU_BHS_LEN + 64 + 2 * PDU_DIGEST_LEN + GB_MAX_DATA + 3)

struct gb_conn {
	uint32_t id;            /* event connection id */
	uint16_t cid;           /* iSCSI CID */
	struct ev_endpoints ep;
	struct pdu_digests dg;  /* negotiated; applied in Full Feature Phase */
	bool full_feature;
	uint32_t statsn;        /* next StatSN the target sends here */
	uint32_t expstatsn;     /* next StatSN the initiator expects here */
};

struct gb_session {
	struct ev_bus *bus;
	int64_t now, step_ns;
	int rc;                 /* first error (0 if none) */
	uint32_t window;        /* MaxCmdSN - ExpCmdSN + 1 */
	uint32_t cmdsn;         /* the initiator's next CmdSN */
	uint32_t expcmdsn;      /* the target's ExpCmdSN */
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t next_itt;
	uint8_t wire[GB_MAX_PDU];
	uint8_t payload[GB_MAX_DATA]; /* a fixed byte pattern for data */
};

/* Start a session: clock at t0_ns advancing step_ns per event, CmdSN 1. */
void gb_session_init(struct gb_session *s, struct ev_bus *bus, int64_t t0_ns,
		     int64_t step_ns, uint32_t window, const uint8_t isid[6],
		     uint16_t tsih, uint32_t first_itt);

/* An IPv4 connection; the target's StatSN starts at first_statsn. */
void gb_conn_init(struct gb_conn *c, uint32_t id, uint16_t cid,
		  const uint8_t ini_ip[4], uint16_t ini_port,
		  const uint8_t tgt_ip[4], uint16_t tgt_port, uint32_t first_statsn);

/* Record rc as the session's error if it is negative and the first. */
void gb_note_rc(struct gb_session *s, int rc);

/* A connection event without bytes (EV_CONN_OPEN, EV_CONN_FIN, EV_CONN_RST). */
void gb_conn_event(struct gb_session *s, struct gb_conn *c, enum ev_kind kind,
		   enum ev_dir dir);

/* A header with the opcode and reserved ITT and TTT, everything else 0. */
struct pdu_hdr gb_hdr(uint8_t opcode);

/* Fill in CmdSN/ExpStatSN (initiator) or StatSN/ExpCmdSN/MaxCmdSN (target)
 * as the sender would, build the PDU and emit it as EV_WIRE and EV_PDU.
 * resend: a target PDU sent again keeps the StatSN already in h. */
void gb_send(struct gb_session *s, struct gb_conn *c, struct pdu_hdr *h,
	     bool resend, const uint8_t *ahs, size_t ahs_len,
	     const uint8_t *data, size_t data_len);

/* "key=value\0" for each pair of the NULL-terminated list (NULL: none),
 * as far as cap allows; returns the length used. */
size_t gb_text_keys(uint8_t *buf, size_t cap, const char *const *pairs);

/* One Login Request / Login Response pair with these NULL-terminated
 * "key=value" lists; ISID, CID, ITT echo and stages are filled in. */
void gb_login_step(struct gb_session *s, struct gb_conn *c,
		   struct pdu_hdr *req, const char *const *req_keys,
		   struct pdu_hdr *rsp, const char *const *rsp_keys);

#endif
