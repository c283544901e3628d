/* check.h — the conformance rule engine: events in, verdicts out.
 *
 * The engine is an event observer (harness/event.h). Whoever produces
 * events (the capture reader, the live roles, a Wireshark plugin) feeds
 * them to chk_on_event(); at the end of the input chk_end() lets the rules
 * judge what is still open, and chk_export() writes one rep_session per
 * iSCSI session into the report model (harness/report/report.h), with its
 * connections, PDU counts by opcode, negotiated keys and one verdict per
 * rule ID of the selected families (or hands each over as it ends:
 * chk_options.on_session).
 *
 * Pure: no socket, no clock, no file I/O, no global mutable state. All the
 * engine knows comes from the events (times and frame numbers included);
 * two engines never share anything.
 *
 * Rules come in families (family.h says how to write one): pdu, login,
 * seq, mcs, ... Each verdict is PASS (the rule's situation was seen and
 * held every time), FAIL (broken at least once: evidence names the frame,
 * connection, field and values), NOT-OBSERVED (never came up, or could not
 * be judged: a gap in the stream, a login missing from the capture; the
 * reason says which) or SKIP (deselected).
 */
#ifndef HARNESS_CHECK_CHECK_H
#define HARNESS_CHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/event.h"
#include "harness/report/report.h"

enum chk_err {
	CHK_OK = 0,
	CHK_ENOMEM = -1,
	CHK_EINVAL = -2,    /* a bad option (the message says which) */
	CHK_ESTATE = -3,    /* an event after chk_end() */
};

struct chk_options {
	/* Which rules to run: a comma-separated list of family names ("seq")
	 * and catalogue IDs ("MCS-005"), as the CLI's --rules takes it. NULL
	 * or "" selects every rule of every family. A family is reported when
	 * any of its rules is selected; its other rules then show as SKIP. */
	const char *rules;
	/* Forget a session as soon as it has ended and been judged (its
	 * verdicts still count in chk_failed_count()); chk_export() then
	 * reports only the sessions still open at the end. For a caller
	 * that wants the outcome, not the report: memory stays flat however
	 * many sessions the input has. */
	bool drop_ended;
	/* Hand each session over as soon as it has ended and been judged and
	 * every session that began before it was handed over: exported (the
	 * rep_session chk_export() would append, valid during the call only;
	 * the callee may change it) to on_session(on_session_ctx, s), then
	 * forgotten. chk_end() hands over the rest, in the order they began;
	 * chk_export() then appends nothing. For a caller that writes reports
	 * as it goes: memory stays flat however many sessions the input has
	 * (but for sessions that ended after one still open). A nonzero
	 * return stops the engine as if it ran out of memory. */
	int (*on_session)(void *ctx, struct rep_session *s);
	void *on_session_ctx;
};

struct chk_engine;

/* Create an engine. opts may be NULL (every rule). On CHK_EINVAL, err
 * (errlen bytes, may be NULL) names the unknown family or ID. */
int chk_create(const struct chk_options *opts, struct chk_engine **out,
	       char *err, size_t errlen);

/* The observer callback: ctx is the engine. Returns 0, CHK_ENOMEM (the
 * engine then stops judging and every later call returns it too) or
 * CHK_ESTATE. Events do not have to come from one producer: connection ids
 * keep them apart. */
int chk_on_event(void *ctx, const struct event *ev);

/* The observer to add to a bus: { chk_on_event, engine }. */
struct ev_observer chk_observer(struct chk_engine *eng);

/* End of input: rules judge what stayed open (unanswered pings, logins that
 * never finished, CmdSN holes never filled). Idempotent. */
int chk_end(struct chk_engine *eng);

/* Append one rep_session per session seen (in the order they began) to
 * run. Calls chk_end() first if it was not called. Returns 0 or
 * CHK_ENOMEM. May be called more than once (each call appends again).
 * With chk_options.on_session, appends nothing (they were handed over). */
int chk_export(struct chk_engine *eng, struct rep_run *run);

/* How many verdicts are FAIL (rules broken, counted once per session),
 * what rep_run_exit_status() would see in the export, without building
 * it. Calls chk_end() first if it was not called. */
size_t chk_failed_count(struct chk_engine *eng);

void chk_free(struct chk_engine *eng);

/* ---- what the engine knows how to judge ------------------------------- */

struct chk_family;

/* Every family, in the order they run (families.c). */
const struct chk_family *const *chk_families(size_t *count);

/* The family that owns a catalogue ID (reports it), or NULL. */
const struct chk_family *chk_rule_owner(const char *id);

/* Sessions seen so far (also before chk_end()), for tools and tests that
 * want a count without exporting. */
size_t chk_session_count(const struct chk_engine *eng);

#endif
