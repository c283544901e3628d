/* internal.h — what the check engine (engine.c) and the session tracker
 * (session.c) tell each other. Not for rule families: they use family.h. */
#ifndef HARNESS_CHECK_INTERNAL_H
#define HARNESS_CHECK_INTERNAL_H

#include <stdarg.h>

#include "harness/check/family.h"

/* ---- engine.c, for the tracker ---------------------------------------- */

/* A new, empty session with its family state and tallies; NULL (and the
 * engine marked out of memory) on failure. */
struct chk_session *chk_eng_new_session(struct chk_engine *e);
/* Every session so far, oldest first. */
struct chk_session *const *chk_eng_sessions(const struct chk_engine *e,
					    size_t *n);
/* The sessions with an ISID that are not closed, reinstated or refused
 * (the ones a login may join or reinstate), oldest first. */
struct chk_session *const *chk_eng_live_sessions(struct chk_engine *e,
						 size_t *n);
/* Place c in s (appends to s->conns). Returns 0 or CHK_ENOMEM. */
int chk_eng_place(struct chk_engine *e, struct chk_session *s,
		  struct chk_conn *c);
/* Tell every family. */
void chk_eng_join(struct chk_engine *e, struct chk_conn *c,
		  const struct chk_join *j, const struct event *ev);
void chk_eng_key(struct chk_engine *e, struct chk_conn *c,
		 const struct chk_key *k, const struct event *ev);
void chk_eng_nego(struct chk_engine *e, struct chk_conn *c,
		  const struct chk_nego *n, const struct event *ev);
/* The session parameters at their RFC 7143 defaults (pdu_key_params_init()
 * once per engine, copied for every session and negotiation). */
const struct pdu_key_params *chk_eng_default_params(const struct chk_engine *e);
/* Remember an allocation failure: the engine stops judging. */
void chk_eng_nomem(struct chk_engine *e);
/* The engine ran out of memory: stop. */
bool chk_eng_failed(const struct chk_engine *e);
/* Add a note to a session (formatted). */
void chk_session_vnote(struct chk_engine *e, struct chk_session *s,
		       const char *fmt, va_list ap);
void chk_session_note(struct chk_engine *e, struct chk_session *s,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- session.c, for the engine ---------------------------------------- */

/* Before the families see a PDU: note where each stream starts and put a
 * connection without a session into one (from its first PDU). */
void chk_track_before(struct chk_engine *e, struct chk_conn *c,
		      const struct chk_pdu *p, const struct event *ev);
/* Update the state after the families have seen the PDU. */
void chk_track_pdu(struct chk_engine *e, struct chk_conn *c,
		   const struct chk_pdu *p, const struct event *ev);
/* EV_CONN_FIN / EV_CONN_RST / EV_GAP / EV_RESYNC / EV_CONN_OPEN. */
void chk_track_conn_event(struct chk_engine *e, struct chk_conn *c,
			  const struct event *ev);
/* Release what the tracker allocated inside c / s (not c / s). */
void chk_track_conn_free(struct chk_conn *c);
void chk_track_session_free(struct chk_session *s);
/* Release s's task table (the session has ended: no PDU comes for it). */
void chk_track_session_shrink(struct chk_session *s);

#endif
