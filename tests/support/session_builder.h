/* session_builder.h — test helper for the check engine: synthesizes iSCSI
 * sessions as events (any number of connections, any keys, any PDU, with
 * CmdSN/StatSN/window kept the way a correct initiator and target keep
 * them unless a test says otherwise), runs the golden session through a
 * hook that can change, drop or add events, and reads verdicts back from
 * the report model.
 *
 * Every event a builder or the golden hook emits gets the next frame
 * number (1, 2, ...), so a test knows the frame a verdict must point at.
 */
#ifndef TESTS_SUPPORT_SESSION_BUILDER_H
#define TESTS_SUPPORT_SESSION_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/check/check.h"
#include "harness/event.h"
#include "harness/report/report.h"
#include "pdu/pdu.h"

#define SB_MAX_CONNS 8
#define SB_MAX_DATA 65536
#define SB_MAX_PDU (PDU_BHS_LEN + PDU_MAX_AHS_LEN + 2 * PDU_DIGEST_LEN + \
		    SB_MAX_DATA + 3)

struct sb_conn {
	uint32_t id;             /* event connection id */
	uint16_t cid;
	struct ev_endpoints ep;
	struct pdu_digests dg;   /* applied once ffp is set */
	bool ffp;                /* in Full Feature Phase */
	uint32_t statsn;         /* next StatSN the target sends */
	uint32_t expstatsn;      /* next StatSN the initiator expects */
};

struct sb {
	struct ev_observer sink;
	int64_t now;
	uint64_t frame;          /* frame of the last event emitted */
	uint32_t cmdsn;          /* the initiator's next CmdSN */
	uint32_t expcmdsn;       /* the target's ExpCmdSN */
	uint32_t window;         /* MaxCmdSN - ExpCmdSN + 1 */
	uint8_t isid[6];
	uint16_t tsih;           /* the session's TSIH (0 until logged in) */
	uint16_t next_tsih;      /* what the target gives the next session */
	const char *initiator, *target;
	uint32_t next_itt;
	uint32_t next_ttt;
	struct sb_conn conns[SB_MAX_CONNS];
	size_t n_conns;
	int rc;                  /* first error of the sink */
	uint8_t wire[SB_MAX_PDU];
};

/* Flags of sb_send(). */
#define SB_RAW 0x1u      /* numbering fields as given; counters untouched */
#define SB_RESEND 0x2u   /* target: keep h->statsn, do not advance */
#define SB_NO_FIX 0x4u   /* lengths as in h (pdu_build fix_lengths false) */

void sb_init(struct sb *b, struct ev_observer sink);
/* Open a connection (EV_CONN_OPEN); initiator port 50000 + id. */
struct sb_conn *sb_open(struct sb *b, uint32_t id, uint16_t cid);
/* A zeroed header with ITT and TTT reserved. */
struct pdu_hdr sb_hdr(uint8_t opcode);
uint32_t sb_itt(struct sb *b);
uint32_t sb_ttt(struct sb *b);

/* Emit one PDU. Initiator PDUs get CmdSN and ExpStatSN, target PDUs
 * ExpCmdSN, MaxCmdSN and StatSN (a numbered response takes the next one),
 * unless SB_RAW. Digests are c->dg once c->ffp. Returns its frame. */
uint64_t sb_send(struct sb *b, struct sb_conn *c, struct pdu_hdr *h,
		 const uint8_t *ahs, size_t ahs_len, const void *data,
		 size_t len, unsigned flags);
/* The same with key=value pairs (NULL-terminated array) as the data. */
uint64_t sb_send_keys(struct sb *b, struct sb_conn *c, struct pdu_hdr *h,
		      const char *const *keys, unsigned flags);
/* Any non-PDU event on c; returns its frame. */
uint64_t sb_event(struct sb *b, struct sb_conn *c, enum ev_kind kind,
		  enum ev_dir dir, size_t len);

/* Default operational keys of a leading login (request and answer). */
extern const char *const sb_default_op_req[];
extern const char *const sb_default_op_rsp[];

/* A leading login in one exchange (CSG 1 -> 3): InitiatorName, TargetName,
 * SessionType=Normal and op_req (NULL: the defaults) from the initiator,
 * TargetPortalGroupTag=1 and op_rsp from the target; the Final-Response
 * gives the session b->next_tsih. Returns the Final-Response's frame. */
uint64_t sb_login_leading(struct sb *b, struct sb_conn *c,
			  const char *const *op_req, const char *const *op_rsp);
/* A connection joining b->tsih in one exchange. */
uint64_t sb_login_join(struct sb *b, struct sb_conn *c,
		       const char *const *req, const char *const *rsp);
/* One Login Request / Response pair with the keys given as they are. */
uint64_t sb_login_pair(struct sb *b, struct sb_conn *c, uint8_t csg,
		       uint8_t nsg, bool transit, uint16_t tsih_req,
		       uint16_t tsih_rsp, const char *const *req,
		       const char *const *rsp, uint8_t status_class,
		       uint8_t status_detail);

/* Full Feature Phase exchanges (frames of the PDUs they sent are returned
 * where one matters). */
uint64_t sb_nop_ping(struct sb *b, struct sb_conn *c);   /* NOP-In frame */
/* READ of len bytes in Data-In PDUs of at most per_pdu bytes, one
 * sequence, status in the last Data-In. Returns the command's ITT. */
uint32_t sb_read(struct sb *b, struct sb_conn *c, uint32_t len,
		 uint32_t per_pdu);
/* WRITE of len bytes solicited by one R2T, answered by Data-Out PDUs of
 * at most per_pdu bytes, then a SCSI Response. Returns the ITT. */
uint32_t sb_write_r2t(struct sb *b, struct sb_conn *c, uint32_t len,
		      uint32_t per_pdu);
/* A SCSI Command (READ(10) or WRITE(10) CDB) with imm bytes of immediate
 * data; F as given. Returns its frame; *itt gets its ITT. */
uint64_t sb_command(struct sb *b, struct sb_conn *c, bool read, bool write,
		    uint32_t edtl, uint32_t imm, bool final, uint32_t *itt);
uint64_t sb_scsi_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		     uint32_t expdatasn);
uint64_t sb_logout(struct sb *b, struct sb_conn *c, uint8_t reason);
/* Both FINs, target first. */
void sb_close(struct sb *b, struct sb_conn *c);

/* ---- the golden session through a hook -------------------------------- */

struct sb_golden;

/* Called for every golden event but EV_WIRE, with a private copy of the
 * PDU bytes in buf (capacity SB_MAX_PDU): change them (and *len), or
 * return false to drop the event. */
typedef bool (*sb_hook)(void *ctx, struct sb_golden *g, struct event *ev,
			uint8_t *buf, size_t *len);

/* Run golden_emit() into sink through hook (NULL: unchanged). */
int sb_golden(struct ev_observer sink, sb_hook hook, void *ctx);
/* Inside a hook: ev is the nth (1-based) PDU with this opcode on conn. */
bool sb_is(const struct sb_golden *g, const struct event *ev, uint32_t conn,
	   uint8_t opcode, unsigned nth);
/* Inside a hook: emit another event now (it gets the next frame). */
void sb_inject(struct sb_golden *g, struct event *ev);
/* Frame the current event will get. */
uint64_t sb_frame(const struct sb_golden *g);

/* Set a registry field in PDU bytes and recompute its digests (dg: those
 * the PDU was framed with). */
void sb_set(uint8_t *buf, size_t len, struct pdu_digests dg,
	    const char *field, uint64_t value);
void sb_fix_digests(uint8_t *buf, size_t len, struct pdu_digests dg);

/* ---- verdicts ---------------------------------------------------------- */

/* Export eng into run (rep_run_init first). Returns chk_export()'s code. */
int sb_export(struct chk_engine *eng, struct rep_run *run);
/* The verdict for id in session i, or NULL. */
const struct rep_verdict *sb_verdict(const struct rep_run *run, size_t i,
				     const char *id);
/* The first FAIL verdict for id in any session (NULL if none). */
const struct rep_verdict *sb_failed(const struct rep_run *run,
				    const char *id);
/* Every FAIL in run is one of the NULL-terminated ids; otherwise false
 * and why names the first other FAIL with its evidence. */
bool sb_only_fails(const struct rep_run *run, const char *const *ids,
		   char *why, size_t n);
/* Print every verdict that is not PASS (debugging a test). */
void sb_dump(const struct rep_run *run);

#endif

/* ---- break cases -------------------------------------------------------- */

/* One way to break a rule on purpose: run(sink, arg) feeds a session into
 * sink and returns the frame the first evidence must name. also lists IDs
 * that may FAIL with it (the same defect seen by another rule). */
struct sb_case {
	const char *id;
	const char *name;
	uint64_t (*run)(struct ev_observer sink, const void *arg);
	const void *arg;
	const char *also[4];
};

/* Run k on a fresh engine: k->id must FAIL with its first evidence at the
 * frame run() returned, and nothing else may FAIL (but k->also). On
 * failure why says what went wrong. */
bool sb_run_case(const struct sb_case *k, char *why, size_t n);
/* Every ID the named family reports has a case in cases[0..n). */
bool sb_family_covered(const char *family, const struct sb_case *cases,
		       size_t n, char *why, size_t wn);

/* ---- golden mutations --------------------------------------------------- */

/* Change the nth (1-based; 0: every) PDU with opcode on conn of the golden
 * session: set a registry field, and/or
 * OR / AND-NOT a byte, and/or shorten it; digests are recomputed unless
 * keep_digests. */
struct sb_mut {
	uint32_t conn;
	uint8_t opcode;
	unsigned nth;
	const char *field;     /* NULL: none */
	uint64_t value;        /* set to this, or added (add) */
	bool add;
	int byte;              /* -1: none */
	uint8_t set_bits, clear_bits, xor_bits;
	size_t shorten;        /* bytes cut from the end */
	bool keep_digests;
};
/* An sb_case run function: arg is a const struct sb_mut *; returns the
 * frame of the first PDU changed. */
uint64_t sb_run_mut(struct ev_observer sink, const void *arg);

/* A golden session changed by a hook whose ctx is a uint64_t in which the
 * hook stores the frame of the PDU it broke. */
struct sb_hooked {
	sb_hook hook;
};
/* An sb_case run function: arg is a const struct sb_hooked *; returns the
 * frame the hook stored. */
uint64_t sb_run_hooked(struct ev_observer sink, const void *arg);

/* ---- more builders and checks (logout, tmf, text, reject, async, erl) ---- */

/* A Logout Request (immediate) of reason naming cid, sent on c; *itt gets
 * its ITT. Returns its frame. */
uint64_t sb_logout_req(struct sb *b, struct sb_conn *c, uint8_t reason,
		       uint16_t cid, uint32_t *itt);
/* The Logout Response to itt on c (response 0: success). */
uint64_t sb_logout_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		       uint8_t response);
/* An immediate TMF Request of function on lun; ref and refcmdsn as given
 * (ref PDU_RESERVED_TAG for functions naming no task). *itt gets its ITT. */
uint64_t sb_tmf_req(struct sb *b, struct sb_conn *c, uint8_t function,
		    uint64_t lun, uint32_t ref, uint32_t refcmdsn,
		    uint32_t *itt);
/* The TMF Response to itt on c. */
uint64_t sb_tmf_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		    uint8_t response);
/* A Reject with reason carrying the header of the PDU c sent last (the
 * builder's wire buffer), DataSN/R2TSN field datasn. */
uint64_t sb_reject_last(struct sb *b, struct sb_conn *c, uint8_t reason,
			uint32_t datasn);

/* sb_run_case() for every case; on the first failure why says which. */
bool sb_run_cases(const struct sb_case *cases, size_t n, char *why,
		  size_t wn);
/* The golden session under the rule selection rules: nothing FAILs and
 * every ID of the NULL-terminated pass list is PASS. */
bool sb_golden_expect(const char *rules, const char *const *pass, char *why,
		      size_t wn);

/* ---- cmocka assertions shared by the check tests --------------------------
 * Each reports through cmocka's fail_msg (the test stops there). */

/* A cmocka test body: *state is a const struct sb_case *; it must pass
 * sb_run_case(). */
void sb_cmocka_case(void **state);
/* Every ID the named family reports has a case in cases[0..n). */
void sb_expect_covered(const char *family, const struct sb_case *cases,
		       size_t n);
/* A fresh engine with the rule selection rules (NULL: every rule) fed by
 * feed, exported; the caller frees the run (rep_run_free). */
struct rep_run sb_engine_run(void (*feed)(struct ev_observer),
			     const char *rules);
/* A feed for sb_engine_run(): the golden session, unchanged. */
void sb_feed_golden(struct ev_observer sink);
/* Session s of run has a verdict for id with result r; returns it. */
const struct rep_verdict *sb_expect(const struct rep_run *run, size_t s,
				    const char *id, enum rep_result r);
/* Nothing in run FAILs (else every verdict is dumped and the test fails). */
void sb_expect_no_fail(const struct rep_run *run);
