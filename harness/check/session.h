/* session.h — the session tracker of the check engine: what the engine
 * learns from the events about connections, sessions and tasks, which
 * every rule family reads (and never writes).
 *
 * Connections are grouped into sessions by what their logins say
 * (InitiatorName, ISID, TargetName, TSIH): the first connection logs in
 * with TSIH 0 and learns its TSIH from the Final-Response; a connection
 * with the session's ISID, names and TSIH and a new CID is added to it; one
 * with the CID of a live connection reinstates that connection (MCS-016);
 * a TSIH 0 login with the ISID and names of a session that still exists
 * reinstates the session (ERL0-001). A connection whose login is not in
 * the capture becomes its own "unknown session on connection N".
 *
 * The tracker updates its state after the families have seen a PDU, so a
 * family's on_pdu compares the PDU with what was known before it (the
 * StatSN expected, the task's DataSN so far, ...). The tracker always
 * follows what the wire says (a wrong DataSN becomes the new DataSN), so
 * one fault is reported once, not at every later PDU.
 *
 * Pure, like the whole engine: state only in these objects.
 */
#ifndef HARNESS_CHECK_SESSION_H
#define HARNESS_CHECK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "pdu/keys.h"
#include "pdu/pdu.h"

#define CHK_MAX_FAMILIES 16
#define CHK_TASK_BUCKETS 256
#define CHK_MAX_NOTES 200            /* notes kept per session */
/* The data segment bound during login (RFC 7143 §13.12: the default
 * MaxRecvDataSegmentLength is in force until Full Feature Phase). */
#define CHK_LOGIN_MRDSL 8192u

enum chk_phase {
	CHK_PHASE_UNKNOWN,  /* first PDU was not a login: phase not known */
	CHK_PHASE_LOGIN,    /* login in progress */
	CHK_PHASE_FFP,      /* Full Feature Phase */
	CHK_PHASE_LOGOUT,   /* a Logout Request was sent on it */
	CHK_PHASE_CLOSED,   /* logged out, refused, FIN or RST */
};

/* How a connection came into its session. */
enum chk_join_kind {
	CHK_JOIN_NEW,             /* TSIH 0: a new session (leading connection) */
	CHK_JOIN_ADD,             /* TSIH of an existing session, new CID */
	CHK_JOIN_REINSTATE_CONN,  /* TSIH and CID of a live connection (MCS-016) */
	CHK_JOIN_REINSTATE_SESSION, /* TSIH 0, ISID and names of a session that
				      still exists (ERL0-001); known once the
				      first Login Request's keys are read */
	CHK_JOIN_PARTIAL,         /* TSIH of a session whose login is not in
				     the capture: a session known only by its
				     ISID and TSIH */
	CHK_JOIN_UNKNOWN,         /* no login: "unknown session on connection N" */
};

enum chk_session_type {
	CHK_TYPE_UNKNOWN,
	CHK_TYPE_NORMAL,
	CHK_TYPE_DISCOVERY,
};

struct chk_session;
struct chk_text_block;

struct chk_conn {
	uint32_t id;                 /* event connection id */
	int cid;                     /* iSCSI CID, -1 until a Login Request */
	struct chk_session *sess;    /* NULL until its first PDU */
	enum chk_join_kind join;
	enum chk_phase phase;
	struct ev_endpoints ep;      /* EV_CONN_OPEN's, when ep_known: */
	bool ep_known;               /* written out only at export */
	bool opened;                 /* EV_CONN_OPEN seen */

	/* stream state, per direction (enum ev_dir) */
	bool pdu_seen[2];
	bool from_start[2];          /* first PDU in dir was the stream's first */
	bool start_missing[2];       /* the stream's start is not in the
					capture (EV_GAP / EV_RESYNC before its
					first PDU): learnt from there on */
	bool gap[2];                 /* bytes were lost after its first PDU
					(EV_GAP / EV_RESYNC) */
	uint64_t gap_frame[2];       /* frame of the first such event */
	bool fin[2], rst[2];         /* dir's side closed / reset */
	uint64_t close_frame;        /* frame of the first FIN or RST */

	/* login */
	bool login_seen;             /* a Login Request of it is in the capture */
	bool login_from_start;       /* ... and it was the connection's first PDU */
	bool leading;                /* it logged in with TSIH 0 */
	bool login_done;             /* Final-Response (T=1, NSG=3, 0x0000) */
	uint64_t login_done_frame;
	bool login_failed;           /* a Login Response with Status-Class != 0 */
	uint8_t status_class, status_detail;
	uint64_t login_failed_frame;
	uint8_t login_isid[6];
	uint16_t login_tsih;         /* TSIH of its first Login Request */
	uint32_t login_cmdsn;        /* CmdSN of its first Login Request */

	/* negotiated for this connection */
	struct pdu_digests digests;  /* in force (FFP) */
	bool digests_known;          /* login seen: digests is what was agreed */
	uint32_t mrdsl[2];           /* bound on PDUs travelling in dir: [I2T]
					is the target's declaration, [T2I]
					the initiator's */
	bool mrdsl_known[2];

	/* numbering on this connection (as the wire has it so far) */
	bool statsn_known;
	uint32_t last_statsn;        /* StatSN of the last numbered response */
	uint64_t numbered_mark;      /* the session's numbered count right
					after that response: numbered
					responses on other connections since
					= sess->numbered - numbered_mark */
	bool expstatsn_known;
	uint32_t last_expstatsn;     /* ExpStatSN of the last initiator PDU */
	uint32_t last_cmdsn_sent;    /* CmdSN of its last non-immediate command */
	bool cmdsn_sent;

	/* logout and reinstatement */
	bool logout_sent;            /* a Logout Request was sent on it */
	bool logged_out;             /* a Logout Response 0 closed it */
	uint64_t logged_out_frame;
	struct chk_conn *replaced_by;/* connection reinstatement */
	struct chk_conn *replaces;

	uint64_t pdus, first_frame, last_frame;
	uint64_t seq;                /* order of creation */

	struct chk_nego_state *nego; /* tracker-private: key parsing */
	void *fam[CHK_MAX_FAMILIES]; /* per-family state (family.h), */
	void *fam_block;             /* all of it in one allocation */
};

enum chk_task_state {
	CHK_TASK_OPEN,
	CHK_TASK_DONE,     /* its response (or status) was sent */
	CHK_TASK_ENDED,    /* ended without a response: aborted, rejected,
			      connection or session closed */
};

/* One R2T of a write task and how far the initiator answered it. */
struct chk_r2t {
	uint32_t ttt, r2tsn, offset, ddtl;
	uint64_t lun;
	uint32_t received;     /* Data-Out bytes for it so far */
	uint32_t next_offset;  /* where the next Data-Out should start */
	uint32_t next_datasn;  /* DataSN the next Data-Out should carry */
	bool done;             /* its F=1 Data-Out arrived */
	bool recovery;         /* asks again for a range asked before */
	uint64_t frame;        /* where it was sent */
	uint64_t order;        /* receipt order on its connection */
	struct chk_conn *conn;
};

/* One task: any request with a valid ITT (SCSI Command, NOP-Out with a
 * valid ITT, TMF, Text, Logout), keyed by ITT session-wide. */
struct chk_task {
	struct chk_task *next;       /* hash chain */
	struct chk_task *older, *newer; /* every task of the session, in the
					   order they were made */
	uint32_t itt;
	uint8_t opcode;              /* the request's opcode */
	struct chk_conn *conn;       /* allegiant connection */
	bool cmd_seen;               /* its request is in the capture */
	uint64_t frame;              /* frame of the request */
	uint32_t cmdsn;
	bool immediate;
	uint64_t lun;
	uint32_t edtl;
	bool read, write;
	uint8_t tmf_function;
	uint32_t ref_itt;            /* TMF: Referenced Task Tag */
	uint8_t logout_reason;
	uint16_t logout_cid;
	bool sendtargets;            /* Text: asks SendTargets */
	enum chk_task_state state;
	bool status_statsn_valid;
	uint32_t status_statsn;      /* StatSN of its response */
	struct chk_conn *status_conn;

	/* input (Data-In; for a bidirectional command R2Ts share the count) */
	uint32_t in_sn_next;         /* next DataSN (and R2TSN when bidi) */
	bool in_sn_known;
	uint32_t datain_pdus;        /* Data-In PDUs sent */
	uint32_t datain_count;       /* highest DataSN + 1 */
	uint32_t in_offset_next;     /* next Buffer Offset expected */
	bool in_offset_known;
	uint32_t in_seq_bytes;       /* bytes of the current Data-In sequence */
	bool in_seq_open;            /* a sequence has PDUs and no F=1 yet */
	uint32_t in_seq_end;         /* end offset of the last sequence */
	bool in_seq_ended;

	/* output */
	uint32_t imm_len;            /* immediate data in the command */
	uint32_t unsol_bytes;        /* immediate + unsolicited Data-Out */
	uint32_t unsol_next_offset;
	uint32_t unsol_next_datasn;
	bool unsol_done;             /* the unsolicited sequence ended (F=1) */
	bool unsol_dout_seen;
	uint32_t r2tsn_next;         /* next R2TSN (write-only commands) */
	bool r2t_seen;
	uint32_t r2t_end;            /* end of the furthest range asked */
	struct chk_r2t *r2ts;
	size_t n_r2t, cap_r2t;

	bool snack_seen;             /* a Data/R2T or R-Data SNACK asked again */
	bool reassigned;             /* TASK REASSIGN accepted */
	bool retried;                /* the command was sent again (retry) */
};

/* Why a session is what it is. */
struct chk_session {
	size_t index;                /* order of creation */
	char *initiator, *target;    /* iSCSI names, NULL until seen */
	uint8_t isid[6];
	bool isid_known;
	uint16_t tsih;
	bool tsih_known;
	enum chk_session_type type;
	bool leading_login_seen;     /* the login that created it is in the
					capture: session-wide rules apply */
	bool login_failed;           /* its leading login was refused */
	uint8_t fail_class, fail_detail;
	bool unknown;                /* from a connection without a login */
	uint32_t unknown_conn;       /* that connection's id */
	struct chk_session *reinstates;   /* the older session it replaced */
	struct chk_session *reinstated_by;
	bool closed;                 /* Logout reason 0 answered 0 */

	/* negotiated operational values (leading login) */
	struct pdu_key_params params;
	bool params_known;           /* the leading login completed in view */

	/* the CmdSN window as the initiator may know it: the highest
	 * ExpCmdSN/MaxCmdSN received on any connection (RFC 7143 §4.2.2.1) */
	bool window_known;
	uint32_t expcmdsn, maxcmdsn;
	/* the initiator's command numbering */
	bool cmdsn_known;
	uint32_t next_cmdsn;         /* the next non-immediate CmdSN */

	struct chk_task *tasks[CHK_TASK_BUCKETS];
	struct chk_task *oldest_task, *newest_task; /* the same tasks, listed:
						       walk from oldest_task */
	size_t n_tasks;

	struct chk_conn **conns;     /* in the order they joined */
	size_t n_conns, cap_conns;

	uint64_t pdus_by_opcode[64];
	uint64_t numbered;           /* numbered responses on all connections */

	/* negotiated outcomes, in order: entry i is keys[i] = values[i];
	 * name_lens[i] is strlen(keys[i]), which the tracker compares first,
	 * and value_rooms[i] the longest value values[i] has room for. The
	 * strings live in text, blocks that never move and go with the
	 * session. */
	struct chk_kv_list {
		char **keys, **values;
		size_t *name_lens, *value_rooms;
		size_t n, cap;
		struct chk_text_block *text;
	} keys;
	char **notes;
	size_t n_notes, cap_notes;
	uint64_t notes_dropped;      /* beyond CHK_MAX_NOTES */

	void *tally;                 /* engine-private: the verdict tallies */
	bool retired;                /* engine-private: ended and judged (every
					connection closed, nothing can join
					it); only what the report needs is
					kept */
	void *fam[CHK_MAX_FAMILIES]; /* per-family state (family.h), */
	void *fam_block;             /* all of it in one allocation */
};

/* ---- helpers every family may use ------------------------------------ */

/* Numbered responses and PDUs that take a CmdSN: pdu_is_numbered_response()
 * and pdu_takes_cmdsn() in pdu/pdu.h. */
/* A target opcode that carries ExpCmdSN and MaxCmdSN. */
bool chk_has_window(uint8_t opcode);

/* The task with this ITT, or NULL. */
struct chk_task *chk_task_find(const struct chk_session *s, uint32_t itt);
/* The connection of s with this CID that is still live (not closed, not
 * replaced), other than except; NULL if none. */
struct chk_conn *chk_conn_by_cid(const struct chk_session *s, int cid,
				 const struct chk_conn *except);
/* Connections of s in Full Feature Phase (or unknown phase) right now. */
/* A Logout Request that closes another connection of the session than
 * the one it travels on (reason 1 or 2, another CID): its ExpStatSN is
 * that connection's (RFC 7143 §11.14.4), not c's. */
bool chk_logout_names_other(const struct pdu_hdr *h, const struct chk_conn *c);
size_t chk_live_conns(const struct chk_session *s);
/* The stream of dir on c has had no gap so far. */
static inline bool chk_stream_ok(const struct chk_conn *c, enum ev_dir dir)
{
	return !c->gap[dir];
}
/* Neither stream of c has had a gap. */
static inline bool chk_conn_ok(const struct chk_conn *c)
{
	return !c->gap[EV_DIR_I2T] && !c->gap[EV_DIR_T2I];
}
/* Some connection of s has a gap in dir (session-wide chains break). */
bool chk_session_gap(const struct chk_session *s, enum ev_dir dir);

#endif
