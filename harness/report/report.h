/* report.h — the report model and its writers. A run (a live run, or
 * `check` over captures) is a list of sessions; each session has its
 * connections, PDU counts, negotiated keys and one verdict per catalogue
 * rule ID. One model, several writers (text, TAP 13, JUnit XML, JSON; HTML
 * later): every report carries exactly the same verdicts.
 *
 * The model owns its strings (copied in). Builders return 0 or REP_ENOMEM.
 * No clock is read here: times come in from the caller.
 */
#ifndef HARNESS_REPORT_REPORT_H
#define HARNESS_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rep_err {
	REP_OK = 0,
	REP_ENOMEM = -1,
	REP_EIO = -2,       /* a writer could not write */
	REP_EINVAL = -3,
};

/* The verdict of one rule in one session. Never FAIL for what could not be
 * observed (that is NOT_OBSERVED, with the reason); never PASS for what was
 * not checked (a rule that never saw its situation is NOT_OBSERVED). */
enum rep_result {
	REP_PASS,          /* observed, and held every time */
	REP_FAIL,          /* observed broken at least once (evidence says where) */
	REP_NOT_OBSERVED,  /* the situation never occurred, or could not be judged */
	REP_SKIP,          /* not run: deselected, or the peer offers less (reason) */
};

/* Where a rule was broken (or why it could not judge): enough for an
 * engineer to find the PDU in Wireshark. */
struct rep_evidence {
	uint64_t frame;      /* capture frame number (0 when live) */
	uint32_t conn;       /* connection id within the run */
	int64_t ts_ns;
	char *field;         /* registry name, e.g. "iscsi.statsn" (may be NULL) */
	char *message;       /* expected vs actual, with ITT/CmdSN/StatSN as useful */
};

#define REP_MAX_EVIDENCE 8  /* kept per verdict; the count goes on */

struct rep_verdict {
	char *id;            /* catalogue ID, e.g. "SEQ-009" */
	char *family;        /* rule family, e.g. "seq" */
	char *severity;      /* "MUST", "SHOULD", "MAY" */
	char *summary;       /* one line: what the rule checks */
	enum rep_result result;
	uint64_t held;       /* times checked and held */
	uint64_t broken;     /* times checked and broken */
	char *reason;        /* NOT_OBSERVED / SKIP: why (NULL otherwise) */
	struct rep_evidence evidence[REP_MAX_EVIDENCE];
	size_t n_evidence;
};

struct rep_conn {
	uint32_t conn;       /* connection id within the run */
	int cid;             /* iSCSI CID, -1 when not seen */
	char *endpoints;     /* "192.0.2.1:50001 -> 192.0.2.2:3260" */
	uint64_t pdus;
	uint64_t first_frame, last_frame;
	char *end;           /* "FIN", "RST", "open at end of capture", ... */
};

struct rep_key {
	char *key;
	char *value;
};

struct rep_session {
	char *name;          /* a stable, readable identity, used as the JUnit
				testsuite name: "iqn...:init ISID 0x... TSIH 0x... -> iqn...:tgt" */
	char *initiator, *target;  /* iSCSI names, NULL when not seen */
	uint8_t isid[6];
	uint16_t tsih;
	char *type;          /* "Normal", "Discovery", or NULL when not seen */
	struct rep_conn *conns;
	size_t n_conns;
	uint64_t pdus_by_opcode[64];
	struct rep_key *keys;      /* negotiated (outcome) keys, in order */
	size_t n_keys;
	struct rep_verdict *verdicts;  /* sorted by ID once rep_session_sort() ran */
	size_t n_verdicts;
	char *notes;         /* free text: gaps, resyncs, missing login ... */
};

/* A problem with the input itself (unreadable file, truncated capture):
 * named by file, frame and byte offset. */
struct rep_problem {
	char *file;
	uint64_t frame;
	uint64_t offset;
	char *message;
};

struct rep_run {
	char *tool;          /* "iscsi-harness check" */
	char *version;
	char **inputs;       /* capture files or scenarios */
	size_t n_inputs;
	int64_t started_ns, finished_ns;  /* from the caller's clock; 0 unknown */
	struct rep_session *sessions;
	size_t n_sessions;
	struct rep_problem *problems;
	size_t n_problems;
	/* Sessions spooled to a temporary file (rep_run_spool()), after the
	 * ones in sessions: a run of any size holds one at a time. */
	FILE *spool;
	size_t n_spooled;
	struct rep_totals_spooled {
		size_t pass, fail, not_observed, skip, verdicts;
	} spooled;
};

/* ---- building --------------------------------------------------------- */

void rep_run_init(struct rep_run *run, const char *tool, const char *version);
void rep_run_free(struct rep_run *run);
int rep_run_add_input(struct rep_run *run, const char *input);
int rep_run_add_problem(struct rep_run *run, const char *file, uint64_t frame,
			uint64_t offset, const char *message);
/* Append a session (zeroed but for name); returns it, or NULL on ENOMEM.
 * The pointer is valid until the next rep_run_add_session(). */
/* Write s (as it is: sort it first) to the run's spool, a temporary file,
 * instead of keeping it: it counts as the run's next session after the
 * ones in run->sessions (and the ones spooled before), in the totals and
 * in every writer, which reads it back when it gets to it. Returns 0,
 * REP_ENOMEM or REP_EIO (no temporary file, or it could not be written). */
int rep_run_spool(struct rep_run *run, const struct rep_session *s);
/* How many sessions the run has: run->n_sessions plus the spooled ones. */
size_t rep_run_session_count(const struct rep_run *run);
/* Call fn on every session of the run in order, index counting from 0:
 * run->sessions, then the spooled ones, read back one at a time (each is
 * freed after fn returned). Stops at the first nonzero fn result and
 * returns it; else 0, or REP_ENOMEM / REP_EIO when the spool could not be
 * read back. */
int rep_run_each_session(const struct rep_run *run,
			 int (*fn)(void *ctx, const struct rep_session *s, size_t index),
			 void *ctx);
struct rep_session *rep_run_add_session(struct rep_run *run, const char *name);

int rep_session_add_conn(struct rep_session *s, const struct rep_conn *c);
/* value may be NULL (shown as null / empty); key may not (REP_EINVAL). */
int rep_session_add_key(struct rep_session *s, const char *key, const char *value);
/* Notes accumulate, one per line (joined with '\n'). */
int rep_session_add_note(struct rep_session *s, const char *note);
/* Add a verdict (copied; evidence strings copied too). A verdict is per
 * (session, rule ID): REP_EINVAL when v or v->id is NULL, v->result is not
 * a rep_result, or the session already has a verdict with this ID (update
 * that one through rep_session_find_verdict()). A NULL family is derived
 * from the ID ("SEQ-009" -> "seq"); evidence beyond REP_MAX_EVIDENCE is
 * dropped. */
int rep_session_add_verdict(struct rep_session *s, const struct rep_verdict *v);
/* The session's verdict with this ID, or NULL. */
struct rep_verdict *rep_session_find_verdict(struct rep_session *s, const char *id);
/* Sort verdicts by catalogue ID (area order of the catalogue, then number). */
void rep_session_sort(struct rep_session *s);
/* rep_session_sort() on every session of the run. */
void rep_run_sort(struct rep_run *run);
/* The order rep_session_sort() uses, as strcmp() returns it: areas in the
 * catalogue's order PDU, LOGIN, SEQ, MCS, ERL0, ERL1, ERL2, TMF, TEXT,
 * REJECT, ASYNC, LOGOUT, then unknown areas alphabetically; within an area
 * by number ("SEQ-9" before "SEQ-010"); NULL last. */
int rep_id_compare(const char *a, const char *b);
/* An ID split once for many comparisons (sorting): rep_id_key_compare()
 * of two keys is rep_id_compare() of their IDs. The key points into id. */
struct rep_id_key {
	const char *id;
	const char *area;
	size_t area_len;
	const char *num;     /* digits without leading zeros; NULL when the
				part after the last '-' is not all digits */
	size_t num_len;
	size_t rank;         /* place of the area in the catalogue's order */
};
void rep_id_key(const char *id, struct rep_id_key *k);
int rep_id_key_compare(const struct rep_id_key *a, const struct rep_id_key *b);

/* ---- reading ---------------------------------------------------------- */

struct rep_totals {
	size_t pass, fail, not_observed, skip;
	size_t problems;     /* input problems (0 for one session) */
};
struct rep_totals rep_run_totals(const struct rep_run *run);
struct rep_totals rep_session_totals(const struct rep_session *s);
/* 0 when nothing failed and there was no input problem, 1 when a rule
 * failed, 2 when an input could not be read (the CLI's exit status). An
 * input problem wins over a failed rule: the verdicts are incomplete. */
int rep_run_exit_status(const struct rep_run *run);
const char *rep_result_name(enum rep_result r);  /* "PASS", "FAIL", "NOT-OBSERVED", "SKIP" */

/* ---- writers (each returns 0 or REP_EIO) ------------------------------ */

/* Every writer: REP_EINVAL for a NULL run or out; REP_EIO when out has an
 * error after the report was written and flushed. Strings from the wire are
 * escaped for each form (harness/report/escape.h); every output is valid
 * whatever bytes they hold. */

#define REP_JSON_SCHEMA "iscsi-harness-report/1"

struct rep_text_opts {
	bool verbose;        /* list every verdict, not only FAIL and a summary */
	bool color;          /* ANSI colours (a TTY) */
};
int rep_write_text(const struct rep_run *run, const struct rep_text_opts *opts, FILE *out);
int rep_write_tap(const struct rep_run *run, FILE *out);     /* TAP 13, as prove reads it */
int rep_write_junit(const struct rep_run *run, FILE *out);   /* testsuite per session, testcase per rule ID */
int rep_write_json(const struct rep_run *run, FILE *out);    /* schema in harness/report/SCHEMA.md */

#endif
