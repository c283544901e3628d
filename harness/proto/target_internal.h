/* target_internal.h — the target engine's state, shared by its files:
 * target_engine.c (connections, login, dispatch), target_send.c (building
 * and numbering PDUs, retention for SNACK), target_cmdsn.c (the CmdSN
 * window and in-order delivery), target_scsi.c (tasks: R2T, Data-Out,
 * Data-In, status), target_ctl.c (NOP, Text, Logout, TMF, Reject, Async)
 * and target_recovery.c (SNACK, connection and session failure, ERL 2
 * reassignment). Not for use outside proto/.
 */
#ifndef HARNESS_PROTO_TARGET_INTERNAL_H
#define HARNESS_PROTO_TARGET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/proto/target.h"
#include "harness/proto/text_target.h"
#include "pdu/keys.h"
#include "pdu/pdu.h"

#define TGT_TASK_BUCKETS 64
#define TGT_MAX_SESSION_CONNS 64 /* above any MaxConnections we offer */
#define TGT_MAX_R2T 16           /* outstanding R2Ts kept per task */

struct tgt;
struct tgt_sess;
struct tgt_task;

enum tgt_conn_state {
	TCONN_LOGIN,     /* login phase */
	TCONN_FFP,       /* Full Feature Phase */
	TCONN_CLOSING,   /* logged out or failed: closing, no more PDUs */
};

/* A numbered response kept for a Status SNACK until ExpStatSN passes it. */
struct tgt_retained {
	struct tgt_retained *next;
	uint32_t statsn;
	size_t len;
	struct pdu_digests dg;
	uint8_t bytes[];
};

struct tgt_conn {
	struct tgt *t;
	struct login_target_cfg login_cfg; /* the engine's, ctx = this */
	struct tgt_conn *next_all;      /* every connection of the engine */
	uint32_t id;                    /* the carrier's id */
	enum tgt_conn_state state;
	struct tgt_sess *sess;          /* set once bound by login */
	struct login_target *login;
	struct text_target *text;
	uint16_t cid;
	struct pdu_key_params params;   /* session values + this connection's */
	struct pdu_digests dg;          /* in force after login */
	uint32_t statsn;                /* next StatSN to send */
	uint32_t exp_statsn;            /* last ExpStatSN received */
	struct tgt_retained *retained;  /* oldest first (ERL >= 1) */
	struct tgt_retained **retained_tail;
	uint64_t login_timer, nop_timer;
	uint32_t nop_ttt;               /* ping outstanding, or reserved tag */
	uint64_t logout_deadline_timer; /* Async event 1 sent: ASYNC-003 */
	bool joining;                   /* counted in sess->joining */
	uint8_t *scratch;               /* PDU building buffer */
	size_t scratch_cap;
};

enum tgt_task_state {
	TTASK_QUEUED,    /* waiting for its CmdSN turn */
	TTASK_DATA_OUT,  /* collecting write data */
	TTASK_DONE,      /* status sent; kept until acknowledged (ERL >= 1) */
};

/* A range of write data asked for by one R2T. */
struct tgt_r2t {
	uint32_t ttt, r2tsn, offset, len;
	uint32_t next_datasn;
	bool recovery;
};

/* Byte ranges received, merged, sorted. */
struct tgt_ranges {
	uint32_t (*r)[2];
	size_t n, cap;
};

struct tgt_task {
	struct tgt_task *next_hash;
	struct tgt_task *next_queued;   /* CmdSN order queue */
	struct tgt_sess *sess;
	struct tgt_conn *conn;          /* allegiance; NULL while orphaned */
	uint16_t cid;                   /* allegiant connection's CID */
	enum tgt_task_state state;
	bool immediate;
	bool orphaned;                  /* its connection failed (ERL 2) */
	uint64_t orphan_deadline_timer;
	uint32_t itt, cmdsn;
	uint64_t lun;
	uint8_t cdb[16];
	bool read, write;
	uint32_t edtl;
	struct tgt_plan plan;
	uint8_t *buf;                   /* write data, or data in */
	uint32_t xfer;                  /* bytes of write data to collect */
	struct tgt_ranges got;
	uint32_t unsol_end;             /* unsolicited data ends here */
	uint32_t unsol_next_datasn;
	bool unsol_done;
	uint32_t next_r2t_offset;       /* solicited data asked up to here */
	uint32_t r2tsn;                 /* next R2TSN */
	struct tgt_r2t r2t[TGT_MAX_R2T];
	size_t n_r2t;
	struct tgt_result result;
	uint32_t data_in_len;
	uint32_t datasn;                /* Data-In PDUs sent (next DataSN) */
	uint32_t acked_datasn;          /* DataACK'd below this */
	uint32_t ack_ttt;               /* TTT of the Data-In with A=1 */
	uint32_t status_statsn;
	uint32_t snack_tag;
	bool status_sent;
	bool data_error;                /* ERL 0: write data lost; ends with
					   CHECK CONDITION once the data in
					   flight has come (ERL0-007) */
};

enum tgt_sess_state {
	TSESS_LOGIN,     /* leading login in progress */
	TSESS_FFP,
	TSESS_FAILED,    /* no connection left (ERL 2: waiting to be resumed) */
	TSESS_DEAD,      /* ended: freed from the loop, never looked up */
};

struct tgt_sess {
	struct tgt *t;
	struct tgt_sess *next;
	enum tgt_sess_state state;
	uint16_t tsih;
	uint64_t nexus;                 /* the backend's name for it */
	uint8_t isid[6];
	char initiator_name[PDU_KV_ISCSI_NAME_MAX + 1];
	bool discovery;
	struct pdu_key_params params;   /* session-wide, from the leading login */
	struct tgt_conn *conns[TGT_MAX_SESSION_CONNS];
	size_t n_conns;
	uint32_t exp_cmdsn;
	struct tgt_task *buckets[TGT_TASK_BUCKETS];
	uint32_t n_tasks;
	/* non-immediate PDUs ahead of a CmdSN gap, lowest CmdSN first */
	struct tgt_held *held;
	uint64_t retain_timer;          /* ERL 2: session kept this long */
	struct tgt_conn *login_conn;    /* the leading login, until it ends */
	uint32_t joining;               /* logins bound to it, not yet done:
					   it outlives its last connection
					   while one is on its way */
	uint64_t reap_timer;            /* TSESS_DEAD: frees it */
};

/* A PDU (other than a SCSI Command, whose task holds it) waiting for its
 * CmdSN turn. */
struct tgt_held {
	struct tgt_held *next;
	struct tgt_conn *conn;
	uint32_t cmdsn;
	struct tgt_task *task;          /* a SCSI Command's task, or NULL */
	size_t len;
	uint8_t bytes[];
};

struct tgt {
	struct tgt_cfg cfg;
	struct proto_io io;
	struct tgt_conn *conns;
	struct tgt_sess *sessions;
	struct tgt_sess *dead;          /* ended, freed from a 0 ms timer so
					   that no caller up the stack holds a
					   freed session */
	uint16_t next_tsih;
	uint64_t next_nexus;
	uint32_t next_ttt;
	struct tgt_stats stats;
};

/* ---- logging (target_engine.c) ---- */
void tgt_log(struct tgt *t, enum proto_log_level level, uint32_t conn,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct tgt_conn *tgt_conn_find(struct tgt *t, uint32_t id);
/* Fail conn (its transport goes; recovery per ERL). */
void tgt_conn_fail(struct tgt_conn *c, bool reset, const char *why);

/* ---- target_send.c ---- */
/* How a PDU's StatSN is filled. */
enum tgt_sn {
	TGT_SN_NEXT,  /* carry the next StatSN without taking it (SEQ-010) */
	TGT_SN_NEW,   /* a numbered response: take the next StatSN (SEQ-009) */
	TGT_SN_KEEP,  /* a resend: h->statsn is the original (ERL1-011) */
};
/* Fill StatSN per sn, ExpCmdSN and MaxCmdSN, then build and send. New
 * numbered responses are retained at ERL >= 1 for Status SNACK. */
int tgt_send(struct tgt_conn *c, struct pdu_hdr *h, const uint8_t *data,
	     size_t data_len, enum tgt_sn sn);
/* Send bytes already built (a retained response, resent). */
int tgt_send_raw(struct tgt_conn *c, const uint8_t *bytes, size_t len);
void tgt_window(const struct tgt_sess *s, uint32_t *exp, uint32_t *max);
/* A Target Transfer Tag not in use: never the reserved tag, nor 0. */
uint32_t tgt_next_ttt(struct tgt *t);
/* ExpStatSN arrived: drop retained responses below it. */
void tgt_ack_statsn(struct tgt_conn *c, uint32_t expstatsn);
void tgt_retained_free(struct tgt_conn *c);
void tgt_reject(struct tgt_conn *c, uint8_t reason, const uint8_t *bhs,
		uint32_t datasn);

/* ---- target_cmdsn.c ---- */
/* A PDU that takes a CmdSN arrived: deliver it now (returns 1), hold it
 * for later (0; the bytes are copied, or the task is queued), or drop it
 * (-1, out of the window or a duplicate: SEQ-004). */
int tgt_cmdsn_arrived(struct tgt_conn *c, const struct pdu_hdr *h,
		      const uint8_t *bytes, size_t len, struct tgt_task *task);
/* ExpCmdSN moved past a delivered command: deliver what was held. */
void tgt_cmdsn_drain(struct tgt_sess *s);
void tgt_held_drop_conn(struct tgt_sess *s, struct tgt_conn *c);
/* cmdsn counts as received though nothing is delivered for it (TMF-005). */
void tgt_cmdsn_skip(struct tgt_sess *s, uint32_t cmdsn);
void tgt_held_free(struct tgt_sess *s);

/* ---- target_scsi.c ---- */
void tgt_scsi_command(struct tgt_conn *c, const uint8_t *bytes, size_t len,
		      int parse_rc);
void tgt_task_start(struct tgt_task *task);   /* its CmdSN turn */
void tgt_data_out(struct tgt_conn *c, const uint8_t *bytes, size_t len,
		  int parse_rc);
struct tgt_task *tgt_task_find(struct tgt_sess *s, uint32_t itt);
void tgt_task_free(struct tgt_task *task);
/* Resend Data-In from DataSN from (renumbered from there when renumber),
 * then status; used by SNACK and reassignment. */
void tgt_task_resend_data(struct tgt_task *task, uint32_t from, uint32_t count);
void tgt_task_send_status(struct tgt_task *task);
/* Ask again for write data not yet received (recovery / reassignment). */
void tgt_task_solicit_missing(struct tgt_task *task, bool recovery);
void tgt_task_resend_r2t(struct tgt_task *task, uint32_t from, uint32_t count);
/* Status of tasks on conn acknowledged up to expstatsn: free them. */
void tgt_tasks_acked(struct tgt_conn *c, uint32_t expstatsn);
/* The task ends silently (its held CmdSN, if any, delivers nothing). */
void tgt_tasks_abort_one(struct tgt_task *task);
/* Every task of s (on lun, or all when all_luns) ends silently. */
size_t tgt_tasks_abort(struct tgt_sess *s, bool all_luns, uint64_t lun);

/* ---- target_ctl.c ---- */
void tgt_nop_out(struct tgt_conn *c, const uint8_t *bytes, size_t len);
void tgt_text_req(struct tgt_conn *c, const uint8_t *bytes, size_t len);
void tgt_logout_req(struct tgt_conn *c, const uint8_t *bytes, size_t len);
void tgt_tmf_req(struct tgt_conn *c, const uint8_t *bytes, size_t len);
void tgt_nop_schedule(struct tgt_conn *c);

/* ---- target_recovery.c ---- */
void tgt_snack(struct tgt_conn *c, const uint8_t *bytes, size_t len);
/* conn leaves its session: per ERL, its tasks end or wait (orphaned). */
void tgt_sess_conn_gone(struct tgt_conn *c, bool for_recovery);
/* The whole session ends: every connection closed, every task freed. */
void tgt_sess_close(struct tgt_sess *s, const char *why);
/* s ends: unlinked at once, its tasks freed, its memory freed later from
 * the loop. */
void tgt_sess_free(struct tgt_sess *s);
/* Free what tgt_sess_free left (engine teardown). */
void tgt_sess_reap_all(struct tgt *t);
/* TASK REASSIGN of itt onto c; returns the TMF response code (0: *task
 * is now allegiant to c; resume it after the TMF Response, ERL2-006). */
uint8_t tgt_task_reassign(struct tgt_conn *c, uint32_t itt,
			  struct tgt_task **task);
void tgt_task_resume(struct tgt_task *task, uint32_t expdatasn);

#endif
