/* family.h — the rule-family plug-in interface of the check engine.
 *
 * HOW TO ADD A FAMILY (erl, tmf, text, logout, async, reject, ...)
 *
 *  1. Write harness/check/rules_NAME.c. It includes this header and
 *     defines one const descriptor, declared at the end of this file:
 *
 *         static const struct chk_rule rules[] = {
 *             { "TMF-006", "MUST", "TMF Response carries the request's "
 *               "ITT on the request's connection", "no TMF Request",
 *               CHK_RULE_SESSION },
 *             ...
 *         };
 *         const struct chk_family chk_family_tmf = {
 *             .name = "tmf", .summary = "task management",
 *             .rules = rules, .n_rules = sizeof rules / sizeof rules[0],
 *             .conn_size = sizeof(struct my_conn_state),
 *             .on_pdu = tmf_on_pdu, .on_end = tmf_on_end,
 *         };
 *
 *  2. Add `extern const struct chk_family chk_family_tmf;` below and one
 *     line `&chk_family_tmf,` to the table in families.c. Nothing in the
 *     engine or the tracker changes. The Makefile picks the file up.
 *
 *  3. Write tests/unit/test_check_NAME.c: the golden session gives no FAIL
 *     and a mutated session breaks each ID on purpose. The helpers in
 *     tests/support/session_builder.h do the work: sb_run_mut() changes a
 *     golden PDU, struct sb builds small sessions, a table of struct
 *     sb_case run by sb_run_case() checks that the ID alone FAILs at the
 *     right frame, and sb_family_covered() that every ID has a case.
 *
 * WHAT A FAMILY GETS
 *
 * Callbacks, each with a struct chk_ctx saying which session (always set)
 * and which connection (NULL only for the per-session end call):
 *
 *   on_pdu   every PDU with a whole BHS (and, for a family with
 *            CHK_FAMILY_F_SHORT, also PDUs shorter than 48 bytes), BEFORE
 *            the tracker updates its state: session.h's connection,
 *            session and task state is what was known before this PDU.
 *   on_conn  EV_CONN_OPEN, EV_CONN_FIN, EV_CONN_RST, EV_GAP, EV_RESYNC
 *            (c->ev says which; the tracker has already applied it).
 *   on_join  a connection was placed in its session (new session, added
 *            connection, connection or session reinstatement, no login).
 *   on_key   one key=value of a Login or Text negotiation, or a text
 *            format error, with the offer it answers and the outcome of
 *            pdu_key_negotiate() (struct chk_key).
 *   on_nego  a negotiation milestone: a request or response sequence
 *            ended, a login succeeded or was refused, a Text exchange
 *            ended (struct chk_nego). At LOGIN_OK the tracker has already
 *            applied what the login agreed (digests, the declared
 *            MaxRecvDataSegmentLength, the session's parameters).
 *   on_end   at end of input: once per connection (c->conn set), then
 *            once per session (c->conn NULL).
 *
 * State: conn_size and session_size bytes of zeroed storage per connection
 * and per session, found with chk_cstate()/chk_sstate(); the engine frees
 * it (after conn_free/session_free, for what the family allocated inside).
 * Families keep no global mutable state.
 *
 * Verdicts: chk_held() when a rule's situation came up and the rule held;
 * chk_fail() when it was broken (evidence: this event's frame, connection
 * and time, the field's registry name, a message with expected and actual
 * values); chk_unjudged() when it came up but could not be judged (a gap),
 * with the reason. The engine turns the counts into PASS / FAIL /
 * NOT-OBSERVED, applies the rule selection (a deselected rule's calls are
 * ignored), keeps REP_MAX_EVIDENCE items and counts the rest.
 *
 * Rule IDs: the id a family passes has static storage duration (a
 * literal, or a static table's): the engine remembers each address it
 * looked up. A family lists the IDs it reports. An ID is reported under
 * one family: when a family with CHK_FAMILY_F_SHARED (pdu: the
 * validator's IDs, which span every area) lists an ID that another family
 * lists too, the other family owns it. Any family may record held/broken
 * for any ID it can judge (pdu does for LOGIN-001, SEQ-018, ...); calls
 * for an ID no family lists are ignored. One defect is reported under
 * one ID: the numbering checks of rules_seq.c leave a StatSN that jumps by
 * the responses of other connections to MCS-008 and a CmdSN taken twice
 * across connections to MCS-005, which rules_mcs.c judges.
 */
#ifndef HARNESS_CHECK_FAMILY_H
#define HARNESS_CHECK_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/check/session.h"
#include "harness/event.h"
#include "pdu/keys.h"
#include "pdu/pdu.h"

/* ---- what a family is told ------------------------------------------- */

/* One PDU as the engine framed and decoded it. */
struct chk_pdu {
	const uint8_t *bytes;        /* the whole PDU as the event had it */
	size_t len;
	bool whole_bhs;              /* len >= 48: h is meaningful */
	struct pdu_hdr h;            /* the decoded BHS */
	uint8_t opcode;
	enum ev_dir dir;
	const struct pdu_view *view; /* pdu_parse() succeeded or found only a
					digest mismatch; NULL otherwise */
	int parse_rc;                /* pdu_parse()'s result */
	const uint8_t *data;         /* the data segment, as far as present */
	size_t data_len;
	struct pdu_digests framed;   /* digests the framer applied */
	bool numbered;               /* a numbered response (pdu_is_numbered_response) */
};

/* One key=value of a negotiation, or a text-format error. */
struct chk_key {
	enum ev_dir dir;             /* who sent it */
	bool login;                  /* in a Login PDU (else Text) */
	int stage;                   /* CSG of the Login PDU; 3 for Text */
	unsigned seq_no;             /* login: request sequence it belongs to
					(0 = the first Login Request); a
					response carries the index of the
					request sequence it answers */
	const char *key;             /* "" for an error without a key */
	const char *value;           /* NULL when there is none */
	const struct pdu_key_def *def; /* table row, or NULL (unknown key) */

	int error;                   /* 0, or the PDU_KV_E_* of a format or
					value error (then nothing else is set) */
	const char *error_rule;      /* the catalogue ID of that error */
	const char *error_msg;

	bool repeated;               /* the sender sent this key before in this
					login / negotiation (LOGIN-024) */
	bool answer;                 /* answers an offer of the other side */
	const char *offer;           /* that offer's value (answer = true) */
	uint64_t offer_frame;
	bool unanswered;             /* end-of-negotiation call for an offer
					that got no answer: key/offer are
					the offer's, value is NULL */
	bool originated;             /* an offer or a declaration (not an
					answer, not unanswered) */
	/* pdu_key_negotiate() of a declaration (value alone), of an answer
	 * (offer, value) or of an unanswered offer (offer, NULL). NULL for
	 * an offer still waiting for its answer. */
	const struct pdu_key_outcome *outcome;
};

enum chk_nego_kind {
	CHK_NEGO_REQ_END,    /* a Login/Text request sequence ended (C=0) */
	CHK_NEGO_RSP_END,    /* a response sequence ended (C=0) */
	CHK_NEGO_LOGIN_OK,   /* Final-Response: the connection is in FFP */
	CHK_NEGO_LOGIN_FAIL, /* a Login Response with Status-Class != 0 */
	CHK_NEGO_TEXT_END,   /* a Text Response with F=1 ended an exchange */
};

struct chk_nego {
	enum chk_nego_kind kind;
	bool login;
	unsigned seq_no;     /* REQ_END: the sequence that ended; RSP_END: the
				request sequence it answers */
	const struct pdu_hdr *h; /* the PDU that ended it */
	bool ack;            /* RSP_END of a response to a request with C=1
				(an acknowledgement, not an answer) */
};

struct chk_join {
	enum chk_join_kind kind;
	struct chk_conn *old_conn;          /* REINSTATE_CONN */
	struct chk_session *old_session;    /* REINSTATE_SESSION; PARTIAL: a
					       session in view with this ISID
					       and another TSIH, if any */
};

/* ---- context and verdicts -------------------------------------------- */

struct chk_engine;

struct chk_ctx {
	struct chk_engine *eng;   /* engine-private */
	size_t fam;               /* engine-private: the family's index */
	struct chk_session *sess;
	struct chk_conn *conn;    /* NULL in the per-session on_end */
	const struct event *ev;   /* NULL in on_end */
};

/* Where a piece of evidence points. */
struct chk_where {
	uint64_t frame;
	uint32_t conn;
	int64_t ts_ns;
};

/* This event's frame, connection and time (zeros in on_end). */
struct chk_where chk_here(const struct chk_ctx *c);

void chk_held(struct chk_ctx *c, const char *id);
/* chk_held() of row `row` of the calling family's own rules[] (resolved
 * once, when the engine was made): for a family that walks its table for
 * every PDU. */
void chk_held_row(struct chk_ctx *c, size_t row);
void chk_fail(struct chk_ctx *c, const char *id, const char *field,
	      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with evidence pointing elsewhere (a deferred judgement). */
void chk_fail_at(struct chk_ctx *c, const struct chk_where *w,
		 const char *id, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The situation came up but could not be judged; the first reason given
 * for an ID is kept for its NOT-OBSERVED verdict. */
void chk_unjudged(struct chk_ctx *c, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Is the ID selected and owned by a family (worth judging)? */
bool chk_wanted(const struct chk_ctx *c, const char *id);
/* A line for the session's notes in the report. */
void chk_note(struct chk_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* This family's state for c->sess / c->conn / another connection. */
void *chk_sstate(const struct chk_ctx *c);
void *chk_cstate(const struct chk_ctx *c);
void *chk_cstate_of(const struct chk_ctx *c, const struct chk_conn *conn);

/* ---- descriptors ------------------------------------------------------ */

/* A session-wide rule: it needs the login that created the session
 * (negotiated values, or every connection of the session). In a session
 * whose leading login is not in the capture it is NOT-OBSERVED ("login not
 * in capture") and the family's calls for it are ignored. */
#define CHK_RULE_SESSION 0x1u
/* A capture shows only part of the rule (the rest needs a live run): it is
 * never PASS; when held it is NOT-OBSERVED and says so. It can FAIL. */
#define CHK_RULE_PARTIAL 0x2u

struct chk_rule {
	const char *id;        /* catalogue ID */
	const char *severity;  /* "MUST", "SHOULD", "MAY" */
	const char *summary;   /* one line: what is checked */
	const char *unseen;    /* NOT-OBSERVED reason when it never came up */
	unsigned flags;        /* CHK_RULE_* */
};

/* The family lists IDs that a more specific family may own. */
#define CHK_FAMILY_F_SHARED 0x1u
/* on_pdu also gets PDUs shorter than a BHS (whole_bhs false). */
#define CHK_FAMILY_F_SHORT 0x2u

struct chk_family {
	const char *name;      /* "seq": selectable with --rules */
	const char *summary;
	const struct chk_rule *rules;
	size_t n_rules;
	unsigned flags;        /* CHK_FAMILY_F_* */
	size_t session_size;   /* zeroed state per session (0: none) */
	size_t conn_size;      /* zeroed state per connection */
	void (*session_free)(void *state);
	void (*conn_free)(void *state);

	void (*on_pdu)(struct chk_ctx *c, const struct chk_pdu *p);
	void (*on_conn)(struct chk_ctx *c);
	void (*on_join)(struct chk_ctx *c, const struct chk_join *j);
	void (*on_key)(struct chk_ctx *c, const struct chk_key *k);
	void (*on_nego)(struct chk_ctx *c, const struct chk_nego *n);
	void (*on_end)(struct chk_ctx *c);
};

/* The families this tree has (families.c lists them in running order). */
extern const struct chk_family chk_family_pdu;
extern const struct chk_family chk_family_login;
extern const struct chk_family chk_family_seq;
extern const struct chk_family chk_family_mcs;
extern const struct chk_family chk_family_logout;
extern const struct chk_family chk_family_tmf;
extern const struct chk_family chk_family_text;
extern const struct chk_family chk_family_reject;
extern const struct chk_family chk_family_async;
extern const struct chk_family chk_family_erl;

#endif
