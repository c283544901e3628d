/* session.c — the session tracker (session.h): groups connections into
 * sessions from their logins, follows each connection's phase, digests,
 * StatSN/ExpStatSN and declared MaxRecvDataSegmentLength, each session's
 * negotiated keys, CmdSN window and task table, and parses the key=value
 * data of Login and Text negotiations, pairing every offer with its answer
 * and handing each pair (with pdu_key_negotiate()'s verdict) to the
 * families through the engine. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/check/check.h"
#include "harness/check/internal.h"
#include "pdu/serial.h"

/* ---- helpers of session.h ---------------------------------------------- */

bool chk_has_window(uint8_t opcode)
{
	switch (opcode) {
	case PDU_OP_NOP_IN: case PDU_OP_SCSI_RSP: case PDU_OP_TMF_RSP:
	case PDU_OP_LOGIN_RSP: case PDU_OP_TEXT_RSP: case PDU_OP_DATA_IN:
	case PDU_OP_LOGOUT_RSP: case PDU_OP_R2T: case PDU_OP_ASYNC_MSG:
	case PDU_OP_REJECT:
		return true;
	default:
		return false;
	}
}

static bool conn_live(const struct chk_conn *c)
{
	return c->phase != CHK_PHASE_CLOSED && !c->replaced_by &&
	       !c->logged_out && !c->login_failed;
}

struct chk_conn *chk_conn_by_cid(const struct chk_session *s, int cid,
				 const struct chk_conn *except)
{
	for (size_t i = 0; i < s->n_conns; i++) {
		struct chk_conn *c = s->conns[i];
		if (c != except && c->cid == cid && conn_live(c))
			return c;
	}
	return NULL;
}

/* The connection with this CID that failed (its TCP connection ended in
 * Full Feature Phase without a logout, and nothing replaced it yet): a
 * login with its CID reinstates it too (RFC 7143 §6.3.4, ERL2-019). */
static struct chk_conn *failed_conn_by_cid(const struct chk_session *s, int cid)
{
	for (size_t i = s->n_conns; i-- > 0;) {
		struct chk_conn *c = s->conns[i];
		if (c->cid == cid && c->phase == CHK_PHASE_CLOSED && c->login_done &&
		    !c->logged_out && !c->replaced_by)
			return c;
	}
	return NULL;
}

bool chk_logout_names_other(const struct pdu_hdr *h, const struct chk_conn *c)
{
	return h->opcode == PDU_OP_LOGOUT_REQ && h->logout_reason != 0 &&
	       (int)h->cid != c->cid;
}

size_t chk_live_conns(const struct chk_session *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct chk_conn *c = s->conns[i];
		if ((c->phase == CHK_PHASE_FFP || c->phase == CHK_PHASE_UNKNOWN ||
		     c->phase == CHK_PHASE_LOGOUT) && conn_live(c))
			n++;
	}
	return n;
}

bool chk_session_gap(const struct chk_session *s, enum ev_dir dir)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i]->gap[dir])
			return true;
	return false;
}

/* ---- tasks -------------------------------------------------------------- */

static size_t bucket(uint32_t itt)
{
	uint32_t x = itt * 2654435761u;
	return (x >> 24) % CHK_TASK_BUCKETS;
}

struct chk_task *chk_task_find(const struct chk_session *s, uint32_t itt)
{
	for (struct chk_task *t = s->tasks[bucket(itt)]; t; t = t->next)
		if (t->itt == itt)
			return t;
	return NULL;
}

static void task_free(struct chk_task *t)
{
	free(t->r2ts);
	free(t);
}

/* Takes t out of the table and the list, and frees it. */
static void task_drop(struct chk_session *s, struct chk_task *t)
{
	struct chk_task **pp = &s->tasks[bucket(t->itt)];
	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	if (t->older)
		t->older->newer = t->newer;
	else
		s->oldest_task = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		s->newest_task = t->older;
	task_free(t);
	s->n_tasks--;
}

/* A fresh task for itt, replacing any older one with the same ITT. */
static struct chk_task *task_new(struct chk_engine *e, struct chk_session *s,
				 uint32_t itt)
{
	struct chk_task *old = chk_task_find(s, itt);
	if (old)
		task_drop(s, old);
	struct chk_task *t = calloc(1, sizeof *t);
	if (!t) {
		chk_eng_nomem(e);
		return NULL;
	}
	t->itt = itt;
	size_t b = bucket(itt);
	t->next = s->tasks[b];
	s->tasks[b] = t;
	t->older = s->newest_task;
	if (t->older)
		t->older->newer = t;
	else
		s->oldest_task = t;
	s->newest_task = t;
	s->n_tasks++;
	return t;
}

/* The task a target PDU names; one is made up (request not in the
 * capture) so that what follows can still be followed. */
static struct chk_task *task_implicit(struct chk_engine *e,
				      struct chk_session *s,
				      struct chk_conn *c, const struct pdu_hdr *h,
				      uint8_t opcode)
{
	struct chk_task *t = chk_task_find(s, h->itt);
	if (t)
		return t;
	t = task_new(e, s, h->itt);
	if (!t)
		return NULL;
	t->opcode = opcode;
	t->conn = c;
	t->lun = h->lun;
	return t;
}

static void task_done(struct chk_task *t, struct chk_conn *c,
		      const struct pdu_hdr *h)
{
	t->state = CHK_TASK_DONE;
	t->status_statsn_valid = true;
	t->status_statsn = h->statsn;
	t->status_conn = c;
}

/* Tasks whose status the initiator acknowledged on c are forgotten. */
static void prune_acked(struct chk_session *s, const struct chk_conn *c,
			uint32_t expstatsn)
{
	for (struct chk_task *t = s->oldest_task, *next; t; t = next) {
		next = t->newer;
		if (t->state == CHK_TASK_DONE && t->status_conn == c &&
		    t->status_statsn_valid && serial_lt(t->status_statsn, expstatsn))
			task_drop(s, t);
	}
}

static void end_tasks(struct chk_session *s, const struct chk_conn *c,
		      bool lun_only, uint64_t lun)
{
	for (struct chk_task *t = s->oldest_task; t; t = t->newer) {
		if (t->state != CHK_TASK_OPEN || t->opcode != PDU_OP_SCSI_CMD)
			continue;
		if (c && t->conn != c)
			continue;
		if (lun_only && t->lun != lun)
			continue;
		t->state = CHK_TASK_ENDED;
	}
}

static struct chk_r2t *r2t_add(struct chk_engine *e, struct chk_task *t)
{
	if (t->n_r2t == t->cap_r2t) {
		size_t n = t->cap_r2t ? t->cap_r2t * 2 : 4;
		struct chk_r2t *nr = realloc(t->r2ts, n * sizeof *nr);
		if (!nr) {
			chk_eng_nomem(e);
			return NULL;
		}
		t->r2ts = nr;
		t->cap_r2t = n;
	}
	struct chk_r2t *r = &t->r2ts[t->n_r2t++];
	memset(r, 0, sizeof *r);
	return r;
}

/* ---- the session's key list ---------------------------------------------- */

/* A block of the text of a session's key list (struct chk_kv_list). */
struct chk_text_block {
	struct chk_text_block *next; /* the block filled before */
	size_t used, cap;
	char bytes[];
};

#define TEXT_BLOCK_MIN 1024

/* A copy of s[0..len) and a 0x00 in the list's text, or NULL. */
static char *list_text(struct chk_engine *e, struct chk_kv_list *l,
		       const char *s, size_t len)
{
	struct chk_text_block *b = l->text;
	if (!b || len + 1 > b->cap - b->used) {
		size_t cap = b ? 2 * b->cap : TEXT_BLOCK_MIN;
		if (cap < len + 1)
			cap = len + 1;
		b = malloc(sizeof *b + cap);
		if (!b) {
			chk_eng_nomem(e);
			return NULL;
		}
		b->next = l->text;
		b->used = 0;
		b->cap = cap;
		l->text = b;
	}
	char *t = b->bytes + b->used;
	memcpy(t, s, len);
	t[len] = '\0';
	b->used += len + 1;
	return t;
}

static void list_free(struct chk_kv_list *l)
{
	while (l->text) {
		struct chk_text_block *b = l->text;
		l->text = b->next;
		free(b);
	}
	free(l->keys);
	free(l->values);
	free(l->name_lens);
	free(l->value_rooms);
}

/* ---- negotiation state ---------------------------------------------------- */

/* Text kept during one negotiation (offered keys and values, outcomes,
 * names): strings end to end in one buffer that the next negotiation
 * reuses, so that keeping a key costs no allocation of its own. A string is
 * known by its offset, since the buffer moves when it grows: a pointer from
 * text_at() is good until the next text_add() to the same pool. */
struct text_pool {
	char *buf;
	size_t used, cap;
};

#define NO_TEXT SIZE_MAX   /* an offset for "not sent" */
#define TEXT_POOL_MIN 256  /* holds one side's keys of most logins */

/* Append s[0..len) and a 0x00; *at is where it starts. */
static bool text_add(struct chk_engine *e, struct text_pool *tp,
		     const char *s, size_t len, size_t *at)
{
	if (len + 1 > tp->cap - tp->used) {
		size_t ncap = tp->cap ? tp->cap : TEXT_POOL_MIN;
		while (len + 1 > ncap - tp->used)
			ncap *= 2;
		char *nb = realloc(tp->buf, ncap);
		if (!nb) {
			chk_eng_nomem(e);
			return false;
		}
		tp->buf = nb;
		tp->cap = ncap;
	}
	memcpy(tp->buf + tp->used, s, len);
	tp->buf[tp->used + len] = '\0';
	*at = tp->used;
	tp->used += len + 1;
	return true;
}

static const char *text_at(const struct text_pool *tp, size_t at)
{
	return tp->buf + at;
}

/* A key kept as its row def and, when def is not a table key's row, its
 * name at offset at in tp (a table key's name is def->name: not kept). */
static bool key_keep(struct chk_engine *e, struct text_pool *tp,
		     const struct pdu_key_def *def, const char *key,
		     size_t *at)
{
	*at = NO_TEXT;
	return pdu_key_is_exact(def) || text_add(e, tp, key, strlen(key), at);
}

static const char *key_name(const struct text_pool *tp,
			    const struct pdu_key_def *def, size_t at)
{
	return pdu_key_is_exact(def) ? def->name : text_at(tp, at);
}

struct offer {
	const struct pdu_key_def *def; /* the key's row, or NULL */
	size_t key_at;                 /* in the side's text (key_name()) */
	size_t value_at;               /* in the side's text */
	uint64_t frame;
	bool answered;
	bool in_final;     /* sent in the PDU that ended the login */
};

struct nego_side {
	struct pdu_kv_parser parser;
	bool parser_ready;
	struct pdu_kv_seen seen;
	struct offer *offers;  /* this side's offers awaiting an answer */
	size_t n, cap;
	struct text_pool text; /* their keys and values */
	bool in_seq;           /* a sequence began (C=1) and did not end */
	bool broken;           /* the sequence went over the parser's limit */
};

struct outcome_kv {
	const struct pdu_key_def *def; /* the key's row, or NULL */
	size_t key_at;                 /* in the negotiation's text (key_name()) */
	size_t value_at;               /* in the negotiation's text */
	bool by_target;
};

struct chk_nego_state {
	bool active, login;
	uint32_t itt;
	struct nego_side side[2];
	unsigned req_seq;      /* request sequences completed */
	unsigned rsp_for;      /* request sequence the responses answer */
	bool rsp_open;
	bool sendtargets;
	/* from request sequence 0: offsets in text, or NO_TEXT */
	size_t initiator_at, target_at, session_type_at;
	struct outcome_kv *outs;
	size_t n_outs, cap_outs;
	struct text_pool text; /* the outcomes' keys and values, the names */
};

#define KV_MAX_SEQ (1u << 20)

static void side_clear(struct nego_side *sd)
{
	sd->n = 0;
	sd->text.used = 0;
	if (sd->parser_ready)
		pdu_kv_reset(&sd->parser);
	pdu_kv_seen_clear(&sd->seen);
	sd->in_seq = false;
	sd->broken = false;
}

static void nego_clear(struct chk_nego_state *n)
{
	for (int d = 0; d < 2; d++)
		side_clear(&n->side[d]);
	n->n_outs = 0;
	n->text.used = 0;
	n->initiator_at = n->target_at = n->session_type_at = NO_TEXT;
	n->active = false;
	n->req_seq = n->rsp_for = 0;
	n->rsp_open = false;
	n->sendtargets = false;
}

static struct chk_nego_state *nego_get(struct chk_engine *e,
				       struct chk_conn *c)
{
	if (c->nego)
		return c->nego;
	c->nego = calloc(1, sizeof *c->nego);
	if (!c->nego) {
		chk_eng_nomem(e);
		return NULL;
	}
	for (int d = 0; d < 2; d++) {
		pdu_kv_init(&c->nego->side[d].parser, KV_MAX_SEQ);
		c->nego->side[d].parser_ready = true;
		pdu_kv_seen_init(&c->nego->side[d].seen);
	}
	nego_clear(c->nego);
	return c->nego;
}

static void nego_start(struct chk_nego_state *n, bool login, uint32_t itt)
{
	nego_clear(n);
	n->active = true;
	n->login = login;
	n->itt = itt;
}

void chk_track_conn_free(struct chk_conn *c)
{
	if (!c->nego)
		return;
	for (int d = 0; d < 2; d++) {
		pdu_kv_free(&c->nego->side[d].parser);
		pdu_kv_seen_free(&c->nego->side[d].seen);
		free(c->nego->side[d].offers);
		free(c->nego->side[d].text.buf);
	}
	free(c->nego->outs);
	free(c->nego->text.buf);
	free(c->nego);
	c->nego = NULL;
}

void chk_track_session_shrink(struct chk_session *s)
{
	while (s->oldest_task)
		task_drop(s, s->oldest_task);
}

void chk_track_session_free(struct chk_session *s)
{
	chk_track_session_shrink(s);
	list_free(&s->keys);
	for (size_t i = 0; i < s->n_notes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s->conns);
	free(s->initiator);
	free(s->target);
}

static char *dup_or_nomem(struct chk_engine *e, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		chk_eng_nomem(e);
	return d;
}

static void add_offer(struct chk_engine *e, struct nego_side *sd,
		      const struct pdu_kv_pair *pair, uint64_t frame,
		      bool in_final)
{
	if (sd->n == sd->cap) {
		size_t n = sd->cap ? sd->cap * 2 : 16;
		struct offer *no = realloc(sd->offers, n * sizeof *no);
		if (!no) {
			chk_eng_nomem(e);
			return;
		}
		sd->offers = no;
		sd->cap = n;
	}
	struct offer o = { .def = pair->def, .frame = frame,
			   .in_final = in_final };
	if (!key_keep(e, &sd->text, pair->def, pair->key, &o.key_at) ||
	    !text_add(e, &sd->text, pair->value, pair->value_len, &o.value_at))
		return;
	sd->offers[sd->n++] = o;
}

/* The offer of the pair's key still waiting for its answer: table keys are
 * told apart by their row, other names by their text. */
static struct offer *pending_offer(struct nego_side *sd,
				   const struct pdu_kv_pair *pair)
{
	bool table_key = pdu_key_is_exact(pair->def);
	for (size_t i = 0; i < sd->n; i++) {
		struct offer *o = &sd->offers[i];
		if (o->answered)
			continue;
		if (table_key ? o->def == pair->def
			      : !pdu_key_is_exact(o->def) &&
				strcmp(key_name(&sd->text, o->def, o->key_at),
				       pair->key) == 0)
			return o;
	}
	return NULL;
}

static void add_outcome(struct chk_engine *e, struct chk_nego_state *n,
			const struct pdu_key_def *def, const char *key,
			const char *value, bool by_target)
{
	if (n->n_outs == n->cap_outs) {
		size_t c = n->cap_outs ? n->cap_outs * 2 : 16;
		struct outcome_kv *no = realloc(n->outs, c * sizeof *no);
		if (!no) {
			chk_eng_nomem(e);
			return;
		}
		n->outs = no;
		n->cap_outs = c;
	}
	struct outcome_kv o = { .def = def, .by_target = by_target };
	if (!key_keep(e, &n->text, def, key, &o.key_at) ||
	    !text_add(e, &n->text, value, strlen(value), &o.value_at))
		return;
	n->outs[n->n_outs++] = o;
}

/* Record an outcome to apply when the negotiation completes. */
static void keep_outcome(struct chk_engine *e, struct chk_nego_state *n,
			 const struct pdu_key_def *def, const char *key,
			 const struct pdu_key_outcome *o, bool by_target)
{
	switch (o->status) {
	case PDU_KEY_AGREED:
		add_outcome(e, n, def, key, o->value, by_target);
		break;
	case PDU_KEY_REJECTED:
		add_outcome(e, n, def, key, "Reject", by_target);
		break;
	case PDU_KEY_IRRELEVANT:
		add_outcome(e, n, def, key, "Irrelevant", by_target);
		break;
	case PDU_KEY_NOT_UNDERSTOOD:
		add_outcome(e, n, def, key, "NotUnderstood", by_target);
		break;
	default:
		break;
	}
}

/* Keep the first value of a name the first request sent. */
static void remember_name(struct chk_engine *e, struct chk_nego_state *n,
			  size_t *at, const struct pdu_kv_pair *pair)
{
	if (*at != NO_TEXT || !pair->value)
		return;
	text_add(e, &n->text, pair->value, pair->value_len, at);
}

/* That name, or NULL when the first request did not send it. */
static const char *sent_name(const struct chk_nego_state *n, size_t at)
{
	return at == NO_TEXT ? NULL : text_at(&n->text, at);
}

/* One key=value pair (or a format error) of a negotiation. */
static void take_pair(struct chk_engine *e, struct chk_conn *c,
		      struct chk_nego_state *n, const struct chk_pdu *p,
		      const struct pdu_kv_pair *pair, const struct event *ev,
		      bool final_pdu)
{
	enum ev_dir d = p->dir;
	struct nego_side *sd = &n->side[d], *other = &n->side[!d];
	struct chk_key k;
	struct pdu_key_outcome out;
	memset(&k, 0, sizeof k);
	k.dir = d;
	k.login = n->login;
	k.stage = n->login ? p->h.csg : PDU_STAGE_FULL_FEATURE;
	k.seq_no = d == EV_DIR_I2T ? n->req_seq : n->rsp_for;
	k.key = pair->key;
	k.value = pair->value;
	k.def = pair->def;

	bool st_answer = d == EV_DIR_T2I && n->sendtargets;
	struct pdu_error err;
	k.repeated = pdu_kv_seen_add_pair(&sd->seen, pair, st_answer, &err) ==
		     PDU_KV_E_DUPLICATE;
	if (!n->login && d == EV_DIR_I2T &&
	    pdu_key_is(k.def, PDU_KEY_ID_SEND_TARGETS))
		n->sendtargets = true;
	if (n->login && d == EV_DIR_I2T && n->req_seq == 0) {
		if (pdu_key_is(k.def, PDU_KEY_ID_INITIATOR_NAME))
			remember_name(e, n, &n->initiator_at, pair);
		else if (pdu_key_is(k.def, PDU_KEY_ID_TARGET_NAME))
			remember_name(e, n, &n->target_at, pair);
		else if (pdu_key_is(k.def, PDU_KEY_ID_SESSION_TYPE))
			remember_name(e, n, &n->session_type_at, pair);
	}

	struct offer *o = pending_offer(other, pair);
	bool declared = k.def && k.def->result == PDU_KEY_RES_DECLARED;
	if (o && !declared) {
		o->answered = true;
		k.answer = true;
		k.offer = text_at(&other->text, o->value_at);
		k.offer_frame = o->frame;
		pdu_key_negotiate(k.def, k.offer, pair->value, &out);
		k.outcome = &out;
		keep_outcome(e, n, k.def, pair->key, &out, d == EV_DIR_T2I);
	} else if (declared) {
		k.originated = true;
		pdu_key_negotiate(k.def, pair->value, NULL, &out);
		k.outcome = &out;
		keep_outcome(e, n, k.def, pair->key, &out, d == EV_DIR_T2I);
	} else {
		k.originated = true;
		/* a repeat is LOGIN-024's; it awaits no second answer */
		if (!k.repeated)
			add_offer(e, sd, pair, ev->frame, final_pdu);
	}
	chk_eng_key(e, c, &k, ev);
}

static void key_error(struct chk_engine *e, struct chk_conn *c,
		      struct chk_nego_state *n, const struct chk_pdu *p,
		      const struct pdu_kv_pair *pair, int rc,
		      const struct pdu_error *err, const struct event *ev)
{
	struct chk_key k;
	memset(&k, 0, sizeof k);
	k.dir = p->dir;
	k.login = n->login;
	k.stage = n->login ? p->h.csg : PDU_STAGE_FULL_FEATURE;
	k.seq_no = p->dir == EV_DIR_I2T ? n->req_seq : n->rsp_for;
	k.key = pair->key ? pair->key : "";
	k.value = pair->value;
	k.def = pair->def;
	k.error = rc;
	k.error_rule = pdu_kv_rule(rc);
	k.error_msg = err->msg;
	chk_eng_key(e, c, &k, ev);
}

/* Feed one Login/Text PDU's data; returns true when its sequence ended. */
static bool feed_keys(struct chk_engine *e, struct chk_conn *c,
		      struct chk_nego_state *n, const struct chk_pdu *p,
		      const struct event *ev, bool final_pdu)
{
	struct nego_side *sd = &n->side[p->dir];
	bool more = p->h.cont;
	struct pdu_error err;
	if (!sd->broken) {
		int rc = pdu_kv_feed(&sd->parser, p->data, p->data_len, more,
				     &err);
		if (rc == PDU_KV_E_NOMEM) {
			chk_eng_nomem(e);
			return !more;
		}
		if (rc != PDU_OK) {
			sd->broken = true;
			chk_session_note(e, c->sess, "connection %u frame %llu: "
					 "key=value data not parsed: %s", c->id,
					 (unsigned long long)ev->frame, err.msg);
		}
	}
	while (!sd->broken && !chk_eng_failed(e)) {
		struct pdu_kv_pair pair;
		int rc = pdu_kv_next(&sd->parser, &pair, &err);
		if (rc == 0)
			break;
		if (rc < 0)
			key_error(e, c, n, p, &pair, rc, &err, ev);
		else
			take_pair(e, c, n, p, &pair, ev, final_pdu);
	}
	sd->in_seq = more;
	if (!more) {
		pdu_kv_reset(&sd->parser);
		sd->broken = false;
	}
	return !more;
}

/* Judge the offers nobody answered, when a negotiation completes. */
static void unanswered(struct chk_engine *e, struct chk_conn *c,
		       struct chk_nego_state *n, const struct event *ev)
{
	for (int d = 0; d < 2 && !chk_eng_failed(e); d++) {
		struct nego_side *sd = &n->side[d];
		for (size_t i = 0; i < sd->n && !chk_eng_failed(e); i++) {
			struct offer *o = &sd->offers[i];
			if (o->answered || o->in_final)
				continue;
			struct chk_key k;
			struct pdu_key_outcome out;
			memset(&k, 0, sizeof k);
			k.dir = (enum ev_dir)d;
			k.login = n->login;
			k.stage = n->login ? -1 : PDU_STAGE_FULL_FEATURE;
			k.key = key_name(&sd->text, o->def, o->key_at);
			k.offer = text_at(&sd->text, o->value_at);
			k.offer_frame = o->frame;
			k.def = o->def;
			k.unanswered = true;
			pdu_key_negotiate(k.def, k.offer, NULL, &out);
			k.outcome = &out;
			keep_outcome(e, n, k.def, k.key, &out, d == EV_DIR_T2I);
			chk_eng_key(e, c, &k, ev);
		}
	}
}

/* Set name (name_len bytes) to value in the session's list of negotiated
 * outcomes. */
static void session_key(struct chk_engine *e, struct chk_session *s,
			const char *name, size_t name_len, const char *value)
{
	struct chk_kv_list *l = &s->keys;
	size_t value_len = strlen(value);
	for (size_t i = 0; i < l->n; i++) {
		if (l->name_lens[i] != name_len ||
		    memcmp(l->keys[i], name, name_len) != 0)
			continue;
		/* a longer value moves to a new place; the room only grows,
		 * so a key set again and again takes little text */
		if (value_len <= l->value_rooms[i]) {
			memcpy(l->values[i], value, value_len + 1);
			return;
		}
		char *v = list_text(e, l, value, value_len);
		if (v) {
			l->values[i] = v;
			l->value_rooms[i] = value_len;
		}
		return;
	}
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;
		char **nk = realloc(l->keys, c * sizeof *nk);
		if (nk)
			l->keys = nk;
		char **nv = realloc(l->values, c * sizeof *nv);
		if (nv)
			l->values = nv;
		size_t *nl = realloc(l->name_lens, c * sizeof *nl);
		if (nl)
			l->name_lens = nl;
		size_t *nr = realloc(l->value_rooms, c * sizeof *nr);
		if (nr)
			l->value_rooms = nr;
		if (!nk || !nv || !nl || !nr) {
			chk_eng_nomem(e);
			return;
		}
		l->cap = c;
	}
	char *k = list_text(e, l, name, name_len);
	char *v = k ? list_text(e, l, value, value_len) : NULL;
	if (!v)
		return;
	l->keys[l->n] = k;
	l->values[l->n] = v;
	l->name_lens[l->n] = name_len;
	l->value_rooms[l->n] = value_len;
	l->n++;
}

/* "Key (CID n)", "Key (CID n, target)": the name a connection-scope key
 * of an added connection has in the session's list (what snprintf() with
 * "%s (CID %d%s)" writes, without its cost). Returns its length. */
#define CONN_KEY_NAME_MAX (PDU_KV_MAX_KEY_LEN + 32)

static size_t conn_key_name(char out[CONN_KEY_NAME_MAX], const char *key,
			    int cid, const char *role)
{
	char digits[12];
	size_t d = sizeof digits, n = 0;
	unsigned u = cid < 0 ? 0u - (unsigned)cid : (unsigned)cid;
	digits[--d] = '\0';
	do {
		digits[--d] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (cid < 0)
		digits[--d] = '-';
	const char *parts[] = { key, " (CID ", digits + d, role, ")" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		size_t len = strlen(parts[i]);
		if (len > CONN_KEY_NAME_MAX - 1 - n)
			len = CONN_KEY_NAME_MAX - 1 - n;
		memcpy(out + n, parts[i], len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

/* Apply what a completed negotiation agreed. */
static void commit(struct chk_engine *e, struct chk_conn *c,
		   struct chk_nego_state *n)
{
	struct chk_session *s = c->sess;
	struct pdu_key_params p = *chk_eng_default_params(e);
	if (!n->login) {
		p.digests = c->digests;
		p.mrdsl_target = c->mrdsl[EV_DIR_I2T];
		p.mrdsl_initiator = c->mrdsl[EV_DIR_T2I];
	}
	bool declared_i = false, declared_t = false;
	bool session_wide = n->login ? c->leading : s->params_known;
	for (size_t i = 0; i < n->n_outs; i++) {
		struct outcome_kv *o = &n->outs[i];
		const struct pdu_key_def *def = o->def;
		const char *key = key_name(&n->text, def, o->key_at);
		const char *value = text_at(&n->text, o->value_at);
		bool mrdsl = pdu_key_is(def,
					PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH);
		if (mrdsl) {
			if (o->by_target)
				declared_t = true;
			else
				declared_i = true;
		}
		pdu_key_params_apply_def(&p, def, value, o->by_target, NULL);
		bool conn_scope = def && def->scope == PDU_KEY_SCOPE_CONNECTION;
		if (!conn_scope && session_wide)
			pdu_key_params_apply_def(&s->params, def, value,
						 o->by_target, NULL);
		if (conn_scope && !c->leading) {
			char name[CONN_KEY_NAME_MAX];
			size_t len = conn_key_name(name, key, c->cid,
						   mrdsl ? (o->by_target
							    ? ", target"
							    : ", initiator")
							 : "");
			session_key(e, s, name, len, value);
		} else if (conn_scope && mrdsl) {
			const char *name = o->by_target
				? "MaxRecvDataSegmentLength (target)"
				: "MaxRecvDataSegmentLength (initiator)";
			session_key(e, s, name, strlen(name), value);
		} else if (session_wide || conn_scope) {
			session_key(e, s, key, pdu_key_is_exact(def)
						  ? def->name_len : strlen(key),
				    value);
		}
	}
	if (n->login) {
		c->digests = p.digests;
		c->digests_known = true;
		c->mrdsl[EV_DIR_I2T] = p.mrdsl_target;
		c->mrdsl[EV_DIR_T2I] = p.mrdsl_initiator;
		c->mrdsl_known[EV_DIR_I2T] = c->mrdsl_known[EV_DIR_T2I] = true;
		if (c->leading && s->leading_login_seen)
			s->params_known = true;
	} else {
		if (declared_t) {
			c->mrdsl[EV_DIR_I2T] = p.mrdsl_target;
			c->mrdsl_known[EV_DIR_I2T] = true;
		}
		if (declared_i) {
			c->mrdsl[EV_DIR_T2I] = p.mrdsl_initiator;
			c->mrdsl_known[EV_DIR_T2I] = true;
		}
	}
}

/* ---- sessions ----------------------------------------------------------- */

static void emit_join(struct chk_engine *e, struct chk_conn *c,
		      enum chk_join_kind kind, struct chk_conn *old_conn,
		      struct chk_session *old_session, const struct event *ev)
{
	struct chk_join j = { kind, old_conn, old_session };
	c->join = kind;
	chk_eng_join(e, c, &j, ev);
}

static void assign_unknown(struct chk_engine *e, struct chk_conn *c,
			   const struct event *ev)
{
	struct chk_session *s = chk_eng_new_session(e);
	if (!s || chk_eng_place(e, s, c) != CHK_OK)
		return;
	s->unknown = true;
	s->unknown_conn = c->id;
	c->phase = CHK_PHASE_UNKNOWN;
	chk_session_note(e, s, "connection %u: its login is not in the "
			 "capture (first PDU at frame %llu); only "
			 "per-connection rules are judged", c->id,
			 (unsigned long long)ev->frame);
	emit_join(e, c, CHK_JOIN_UNKNOWN, NULL, NULL, ev);
}

static struct chk_session *session_by_tsih(struct chk_engine *e,
					   const uint8_t isid[6], uint16_t tsih)
{
	size_t n;
	struct chk_session *const *ss = chk_eng_live_sessions(e, &n);
	for (size_t i = n; i-- > 0;) {
		struct chk_session *s = ss[i];
		if (s->isid_known && s->tsih_known && s->tsih == tsih &&
		    memcmp(s->isid, isid, 6) == 0 && !s->closed &&
		    !s->reinstated_by && !s->login_failed)
			return s;
	}
	return NULL;
}

static void assign_login(struct chk_engine *e, struct chk_conn *c,
			 const struct pdu_hdr *h, const struct event *ev)
{
	c->login_seen = true;
	c->login_from_start = c->from_start[EV_DIR_I2T] && c->pdus == 0 &&
			      !c->start_missing[EV_DIR_T2I];
	c->cid = h->cid;
	memcpy(c->login_isid, h->isid, 6);
	c->login_tsih = h->tsih;
	c->login_cmdsn = h->cmdsn;
	c->phase = CHK_PHASE_LOGIN;
	struct chk_session *s;
	if (h->tsih == 0) {
		s = chk_eng_new_session(e);
		if (!s || chk_eng_place(e, s, c) != CHK_OK)
			return;
		memcpy(s->isid, h->isid, 6);
		s->isid_known = true;
		s->leading_login_seen = c->login_from_start;
		c->leading = true;
		if (s->leading_login_seen) {
			s->cmdsn_known = true;
			s->next_cmdsn = h->cmdsn;
		} else {
			chk_session_note(e, s, "connection %u: the capture "
					 "starts inside its login (frame %llu)",
					 c->id, (unsigned long long)ev->frame);
		}
		emit_join(e, c, CHK_JOIN_NEW, NULL, NULL, ev);
		return;
	}
	s = session_by_tsih(e, h->isid, h->tsih);
	if (s) {
		struct chk_conn *old = chk_conn_by_cid(s, h->cid, NULL);
		if (!old)
			old = failed_conn_by_cid(s, h->cid);
		if (chk_eng_place(e, s, c) != CHK_OK)
			return;
		if (old) {
			c->replaces = old;
			chk_session_note(e, s, "connection %u (CID %u, frame "
					 "%llu) reinstates connection %u",
					 c->id, h->cid,
					 (unsigned long long)ev->frame, old->id);
		}
		emit_join(e, c, old ? CHK_JOIN_REINSTATE_CONN : CHK_JOIN_ADD,
			  old, NULL, ev);
		return;
	}
	/* a session in view with this ISID: the TSIH is not its TSIH */
	struct chk_session *other = NULL;
	size_t count;
	struct chk_session *const *ss = chk_eng_live_sessions(e, &count);
	for (size_t i = count; i-- > 0 && !other;)
		if (ss[i]->isid_known && memcmp(ss[i]->isid, h->isid, 6) == 0 &&
		    ss[i]->tsih_known && ss[i]->leading_login_seen &&
		    !ss[i]->closed && !ss[i]->reinstated_by &&
		    !ss[i]->login_failed)
			other = ss[i];
	s = chk_eng_new_session(e);
	if (!s || chk_eng_place(e, s, c) != CHK_OK)
		return;
	memcpy(s->isid, h->isid, 6);
	s->isid_known = true;
	s->tsih = h->tsih;
	s->tsih_known = true;
	chk_session_note(e, s, "connection %u joins TSIH 0x%04x, whose "
			 "leading login is not in the capture", c->id, h->tsih);
	emit_join(e, c, CHK_JOIN_PARTIAL, NULL, other, ev);
}

void chk_track_before(struct chk_engine *e, struct chk_conn *c,
		      const struct chk_pdu *p, const struct event *ev)
{
	if (!c->pdu_seen[p->dir]) {
		c->pdu_seen[p->dir] = true;
		c->from_start[p->dir] = !c->start_missing[p->dir] &&
					ev->stream_offset == 0;
	}
	if (c->sess)
		return;
	if (p->whole_bhs && p->dir == EV_DIR_I2T &&
	    p->opcode == PDU_OP_LOGIN_REQ)
		assign_login(e, c, &p->h, ev);
	else
		assign_unknown(e, c, ev);
}

/* The first Login Request's keys are read: names, type, reinstatement. */
static void first_request_done(struct chk_engine *e, struct chk_conn *c,
			       struct chk_nego_state *n,
			       const struct event *ev)
{
	struct chk_session *s = c->sess;
	const char *initiator = sent_name(n, n->initiator_at);
	const char *target = sent_name(n, n->target_at);
	const char *session_type = sent_name(n, n->session_type_at);
	if (!s->initiator && initiator)
		s->initiator = dup_or_nomem(e, initiator);
	if (!s->target && target)
		s->target = dup_or_nomem(e, target);
	if (c->leading) {
		bool disc = session_type &&
			    strcmp(session_type, "Discovery") == 0;
		if (c->login_from_start)
			s->type = disc ? CHK_TYPE_DISCOVERY : CHK_TYPE_NORMAL;
		else if (session_type)
			s->type = disc ? CHK_TYPE_DISCOVERY : CHK_TYPE_NORMAL;
	}
	if (!c->leading || !s->initiator)
		return;
	size_t count;
	struct chk_session *const *ss = chk_eng_live_sessions(e, &count);
	for (size_t i = count; i-- > 0;) {
		struct chk_session *o = ss[i];
		if (o == s || !o->isid_known || memcmp(o->isid, s->isid, 6) ||
		    !o->initiator || strcmp(o->initiator, s->initiator) ||
		    !o->target || !s->target || strcmp(o->target, s->target) ||
		    o->closed || o->reinstated_by || o->login_failed ||
		    !o->tsih_known)
			continue;
		s->reinstates = o;
		o->reinstated_by = s;
		chk_session_note(e, s, "reinstates the session with TSIH "
				 "0x%04x (same ISID and names, TSIH 0)",
				 o->tsih);
		chk_session_note(e, o, "reinstated by a login on connection "
				 "%u at frame %llu", c->id,
				 (unsigned long long)ev->frame);
		emit_join(e, c, CHK_JOIN_REINSTATE_SESSION, NULL, o, ev);
		return;
	}
}

/* ---- Login and Text PDUs ------------------------------------------------ */

static void emit_nego(struct chk_engine *e, struct chk_conn *c,
		      enum chk_nego_kind kind, bool login, unsigned seq_no,
		      const struct pdu_hdr *h, bool ack,
		      const struct event *ev)
{
	struct chk_nego n = { kind, login, seq_no, h, ack };
	chk_eng_nego(e, c, &n, ev);
}

static void login_request(struct chk_engine *e, struct chk_conn *c,
			  const struct chk_pdu *p, const struct event *ev)
{
	struct chk_nego_state *n = nego_get(e, c);
	if (!n)
		return;
	if (!n->active || !n->login)
		nego_start(n, true, p->h.itt);
	if (c->phase == CHK_PHASE_UNKNOWN)
		c->phase = CHK_PHASE_LOGIN;
	if (feed_keys(e, c, n, p, ev, false)) {
		unsigned seq = n->req_seq++;
		if (seq == 0)
			first_request_done(e, c, n, ev);
		emit_nego(e, c, CHK_NEGO_REQ_END, true, seq, &p->h, false, ev);
	}
}

static void login_response(struct chk_engine *e, struct chk_conn *c,
			   const struct chk_pdu *p, const struct event *ev)
{
	const struct pdu_hdr *h = &p->h;
	struct chk_nego_state *n = nego_get(e, c);
	if (!n)
		return;
	if (!n->active || !n->login)
		nego_start(n, true, h->itt);
	bool ack = n->side[EV_DIR_I2T].in_seq;
	if (!n->rsp_open) {
		n->rsp_for = ack ? n->req_seq : (n->req_seq ? n->req_seq - 1 : 0);
		n->rsp_open = true;
	}
	bool final = h->transit && h->nsg == PDU_STAGE_FULL_FEATURE &&
		     !h->cont && h->status_class == 0;
	if (feed_keys(e, c, n, p, ev, final)) {
		n->rsp_open = false;
		emit_nego(e, c, CHK_NEGO_RSP_END, true, n->rsp_for, h, ack, ev);
	}
	struct chk_session *s = c->sess;
	if (h->status_class != 0) {
		c->login_failed = true;
		c->status_class = h->status_class;
		c->status_detail = h->status_detail;
		c->login_failed_frame = ev->frame;
		c->phase = CHK_PHASE_CLOSED;
		if (c->leading) {
			s->login_failed = true;
			s->fail_class = h->status_class;
			s->fail_detail = h->status_detail;
		}
		emit_nego(e, c, CHK_NEGO_LOGIN_FAIL, true, n->rsp_for, h, false,
			  ev);
		nego_clear(n);
		return;
	}
	if (!final)
		return;
	unanswered(e, c, n, ev);
	commit(e, c, n);
	c->login_done = true;
	c->login_done_frame = ev->frame;
	c->phase = CHK_PHASE_FFP;
	if (c->leading && !s->tsih_known) {
		s->tsih = h->tsih;
		s->tsih_known = true;
	}
	if (c->replaces)
		c->replaces->replaced_by = c;
	if (s->reinstates)
		s->reinstates->closed = true;
	if (c->leading && s->leading_login_seen && !s->window_known &&
	    serial_ge(h->maxcmdsn, h->expcmdsn - 1)) {
		s->window_known = true;
		s->expcmdsn = h->expcmdsn;
		s->maxcmdsn = h->maxcmdsn;
	}
	emit_nego(e, c, CHK_NEGO_LOGIN_OK, true, n->rsp_for, h, false, ev);
	nego_clear(n);
}

static void text_pdu(struct chk_engine *e, struct chk_conn *c,
		     const struct chk_pdu *p, const struct event *ev)
{
	const struct pdu_hdr *h = &p->h;
	struct chk_nego_state *n = nego_get(e, c);
	if (!n)
		return;
	if (p->dir == EV_DIR_I2T) {
		if (!n->active || n->login || n->itt != h->itt)
			nego_start(n, false, h->itt);
		if (feed_keys(e, c, n, p, ev, false)) {
			unsigned seq = n->req_seq++;
			emit_nego(e, c, CHK_NEGO_REQ_END, false, seq, h, false,
				  ev);
		}
		struct chk_task *t = chk_task_find(c->sess, h->itt);
		if (t && n->sendtargets)
			t->sendtargets = true;
		return;
	}
	if (!n->active || n->login || n->itt != h->itt)
		nego_start(n, false, h->itt);
	bool ack = n->side[EV_DIR_I2T].in_seq;
	if (!n->rsp_open) {
		n->rsp_for = ack ? n->req_seq : (n->req_seq ? n->req_seq - 1 : 0);
		n->rsp_open = true;
	}
	bool end = h->final && !h->cont;
	if (feed_keys(e, c, n, p, ev, false)) {
		n->rsp_open = false;
		emit_nego(e, c, CHK_NEGO_RSP_END, false, n->rsp_for, h, ack, ev);
	}
	if (!end)
		return;
	unanswered(e, c, n, ev);
	commit(e, c, n);
	emit_nego(e, c, CHK_NEGO_TEXT_END, false, n->rsp_for, h, false, ev);
	nego_clear(n);
}

/* ---- PDUs --------------------------------------------------------------- */

static void initiator_pdu(struct chk_engine *e, struct chk_conn *c,
			  const struct chk_pdu *p, const struct event *ev)
{
	struct chk_session *s = c->sess;
	const struct pdu_hdr *h = &p->h;
	struct chk_task *t = NULL;
	/* a Login Request before any Login Response has no StatSN to
	 * acknowledge on this connection */
	bool first_login = h->opcode == PDU_OP_LOGIN_REQ && !c->statsn_known;

	switch (h->opcode) {
	case PDU_OP_SCSI_CMD:
		t = chk_task_find(s, h->itt);
		if (t && t->cmd_seen && t->opcode == PDU_OP_SCSI_CMD &&
		    t->cmdsn == h->cmdsn && t->state == CHK_TASK_OPEN) {
			t->retried = true;
			t->conn = c;
			break;
		}
		t = task_new(e, s, h->itt);
		if (!t)
			return;
		t->opcode = h->opcode;
		t->conn = c;
		t->cmd_seen = true;
		t->frame = ev->frame;
		t->cmdsn = h->cmdsn;
		t->immediate = h->immediate;
		t->lun = h->lun;
		t->edtl = h->edtl;
		t->read = h->read;
		t->write = h->write;
		t->imm_len = (uint32_t)p->data_len;
		t->unsol_bytes = (uint32_t)p->data_len;
		t->unsol_next_offset = (uint32_t)p->data_len;
		t->unsol_done = h->final;
		break;
	case PDU_OP_NOP_OUT:
	case PDU_OP_TMF_REQ:
	case PDU_OP_TEXT_REQ:
	case PDU_OP_LOGOUT_REQ:
		if (h->itt == PDU_RESERVED_TAG)
			break;
		t = chk_task_find(s, h->itt);
		if (h->opcode == PDU_OP_TEXT_REQ && t && t->state == CHK_TASK_OPEN
		    && t->opcode == PDU_OP_TEXT_REQ)
			break; /* the same Text exchange goes on */
		t = task_new(e, s, h->itt);
		if (!t)
			return;
		t->opcode = h->opcode;
		t->conn = c;
		t->cmd_seen = true;
		t->frame = ev->frame;
		t->cmdsn = h->cmdsn;
		t->immediate = h->immediate;
		t->lun = h->lun;
		t->tmf_function = h->tmf_function;
		t->ref_itt = h->ref_task_tag;
		t->logout_reason = h->logout_reason;
		t->logout_cid = h->cid;
		if (h->opcode == PDU_OP_LOGOUT_REQ) {
			c->logout_sent = true;
			c->phase = CHK_PHASE_LOGOUT;
		}
		break;
	case PDU_OP_DATA_OUT:
		t = chk_task_find(s, h->itt);
		if (!t)
			break;
		if (h->ttt == PDU_RESERVED_TAG) {
			t->unsol_bytes += (uint32_t)p->data_len;
			t->unsol_next_offset = h->buffer_offset +
					       (uint32_t)p->data_len;
			t->unsol_next_datasn = h->datasn + 1;
			t->unsol_dout_seen = true;
			if (h->final)
				t->unsol_done = true;
			break;
		}
		for (size_t i = t->n_r2t; i-- > 0;) {
			struct chk_r2t *r = &t->r2ts[i];
			if (r->ttt != h->ttt || r->done)
				continue;
			r->received += (uint32_t)p->data_len;
			r->next_offset = h->buffer_offset + (uint32_t)p->data_len;
			r->next_datasn = h->datasn + 1;
			if (h->final)
				r->done = true;
			break;
		}
		break;
	case PDU_OP_SNACK_REQ:
		if (h->snack_type == PDU_SNACK_DATA_R2T ||
		    h->snack_type == PDU_SNACK_RDATA) {
			t = chk_task_find(s, h->itt);
			if (t)
				t->snack_seen = true;
		}
		break;
	case PDU_OP_LOGIN_REQ:
		login_request(e, c, p, ev);
		break;
	default:
		break;
	}
	if (h->opcode == PDU_OP_TEXT_REQ && c->phase != CHK_PHASE_LOGIN)
		text_pdu(e, c, p, ev);

	if (pdu_takes_cmdsn(h) && h->opcode != PDU_OP_LOGIN_REQ) {
		bool retry = t && t->retried && t->cmdsn == h->cmdsn;
		if (!retry && (!s->cmdsn_known ||
			       serial_ge(h->cmdsn, s->next_cmdsn))) {
			s->next_cmdsn = h->cmdsn + 1;
			s->cmdsn_known = true;
		}
		c->last_cmdsn_sent = h->cmdsn;
		c->cmdsn_sent = true;
	}
	if (!first_login && pdu_opcode_is_defined(h->opcode) &&
	    !chk_logout_names_other(h, c)) {
		c->last_expstatsn = h->expstatsn;
		c->expstatsn_known = true;
		prune_acked(s, c, h->expstatsn);
	}
}

static void tmf_response(struct chk_session *s, struct chk_conn *c,
			 struct chk_task *t, const struct pdu_hdr *h)
{
	if (!t || h->response != 0)
		return;
	struct chk_task *ref;
	switch (t->tmf_function) {
	case 1: /* ABORT TASK */
		ref = chk_task_find(s, t->ref_itt);
		if (ref && ref->state == CHK_TASK_OPEN)
			ref->state = CHK_TASK_ENDED;
		break;
	case 2: case 4: case 5: /* ABORT/CLEAR TASK SET, LU RESET */
		end_tasks(s, NULL, true, t->lun);
		break;
	case 6: case 7: /* TARGET WARM/COLD RESET */
		end_tasks(s, NULL, false, 0);
		break;
	case 8: /* TASK REASSIGN */
		ref = chk_task_find(s, t->ref_itt);
		if (ref) {
			ref->reassigned = true;
			ref->conn = c;
			/* the R2Ts of the old connection are void: the
			 * target asks again for what is missing (ERL2-009) */
			for (size_t i = 0; i < ref->n_r2t; i++)
				ref->r2ts[i].done = true;
		}
		break;
	default:
		break;
	}
}

static void logout_response(struct chk_session *s, struct chk_conn *c,
			    struct chk_task *t, const struct pdu_hdr *h,
			    const struct event *ev)
{
	if (!t || h->response != 0)
		return;
	if (t->logout_reason == 0) {
		s->closed = true;
		for (size_t i = 0; i < s->n_conns; i++) {
			struct chk_conn *o = s->conns[i];
			if (conn_live(o)) {
				o->logged_out = true;
				o->logged_out_frame = ev->frame;
			}
		}
		end_tasks(s, NULL, false, 0);
		return;
	}
	struct chk_conn *o = t->logout_cid == (uint16_t)c->cid
			     ? c : chk_conn_by_cid(s, t->logout_cid, NULL);
	if (o) {
		o->logged_out = true;
		o->logged_out_frame = ev->frame;
		if (t->logout_reason == 1)
			end_tasks(s, o, false, 0);
	}
}

static void target_pdu(struct chk_engine *e, struct chk_conn *c,
		       const struct chk_pdu *p, const struct event *ev)
{
	struct chk_session *s = c->sess;
	const struct pdu_hdr *h = &p->h;
	struct chk_task *t;
	uint32_t len = (uint32_t)p->data_len;

	switch (h->opcode) {
	case PDU_OP_DATA_IN:
		t = task_implicit(e, s, c, h, PDU_OP_SCSI_CMD);
		if (!t)
			return;
		t->datain_pdus++;
		if (!t->in_sn_known || serial_ge(h->datasn, t->in_sn_next)) {
			t->in_sn_next = h->datasn + 1;
			t->in_sn_known = true;
		}
		if (serial_gt(h->datasn + 1, t->datain_count) ||
		    t->datain_count == 0)
			t->datain_count = h->datasn + 1;
		t->in_offset_next = h->buffer_offset + len;
		t->in_offset_known = true;
		t->in_seq_bytes += len;
		t->in_seq_open = true;
		if (h->final) {
			t->in_seq_open = false;
			t->in_seq_end = h->buffer_offset + len;
			t->in_seq_ended = true;
			t->in_seq_bytes = 0;
		}
		if (h->status_present)
			task_done(t, c, h);
		break;
	case PDU_OP_R2T: {
		t = task_implicit(e, s, c, h, PDU_OP_SCSI_CMD);
		if (!t)
			return;
		struct chk_r2t *r = r2t_add(e, t);
		if (!r)
			return;
		r->ttt = h->ttt;
		r->r2tsn = h->r2tsn;
		r->offset = h->buffer_offset;
		r->ddtl = h->ddtl;
		r->lun = h->lun;
		r->next_offset = h->buffer_offset;
		r->frame = ev->frame;
		r->conn = c;
		r->recovery = t->r2t_seen && h->buffer_offset < t->r2t_end;
		r->order = s->pdus_by_opcode[PDU_OP_R2T];
		if (t->read && t->write) {
			if (!t->in_sn_known || serial_ge(h->r2tsn, t->in_sn_next)) {
				t->in_sn_next = h->r2tsn + 1;
				t->in_sn_known = true;
			}
		} else if (!t->r2t_seen || serial_ge(h->r2tsn, t->r2tsn_next)) {
			t->r2tsn_next = h->r2tsn + 1;
		}
		if (!t->r2t_seen || h->buffer_offset + h->ddtl > t->r2t_end)
			t->r2t_end = h->buffer_offset + h->ddtl;
		t->r2t_seen = true;
		break;
	}
	case PDU_OP_SCSI_RSP:
		t = task_implicit(e, s, c, h, PDU_OP_SCSI_CMD);
		if (t)
			task_done(t, c, h);
		break;
	case PDU_OP_NOP_IN:
		if (h->itt == PDU_RESERVED_TAG)
			break;
		t = chk_task_find(s, h->itt);
		if (t)
			task_done(t, c, h);
		break;
	case PDU_OP_TMF_RSP:
		t = chk_task_find(s, h->itt);
		if (t)
			task_done(t, c, h);
		tmf_response(s, c, t, h);
		break;
	case PDU_OP_TEXT_RSP:
		t = chk_task_find(s, h->itt);
		if (t && h->final && !h->cont)
			task_done(t, c, h);
		if (c->phase != CHK_PHASE_LOGIN)
			text_pdu(e, c, p, ev);
		break;
	case PDU_OP_LOGOUT_RSP:
		t = chk_task_find(s, h->itt);
		if (t)
			task_done(t, c, h);
		logout_response(s, c, t, h, ev);
		break;
	case PDU_OP_LOGIN_RSP:
		login_response(e, c, p, ev);
		break;
	case PDU_OP_REJECT:
		if (p->data && p->data_len >= PDU_BHS_LEN) {
			struct pdu_hdr r;
			pdu_hdr_decode(p->data, &r);
			t = chk_task_find(s, r.itt);
			if (t && t->state == CHK_TASK_OPEN &&
			    t->opcode == r.opcode && r.opcode != PDU_OP_DATA_OUT)
				t->state = CHK_TASK_ENDED;
		}
		break;
	default:
		break;
	}

	bool window = chk_has_window(h->opcode) &&
		      !(h->opcode == PDU_OP_LOGIN_RSP &&
			(h->status_class != 0 || c->phase == CHK_PHASE_LOGIN));
	if (window && serial_ge(h->maxcmdsn, h->expcmdsn - 1) &&
	    (c->phase == CHK_PHASE_FFP || c->phase == CHK_PHASE_LOGOUT ||
	     c->phase == CHK_PHASE_UNKNOWN)) {
		if (!s->window_known) {
			s->expcmdsn = h->expcmdsn;
			s->maxcmdsn = h->maxcmdsn;
			s->window_known = true;
		} else {
			if (serial_gt(h->expcmdsn, s->expcmdsn))
				s->expcmdsn = h->expcmdsn;
			if (serial_gt(h->maxcmdsn, s->maxcmdsn))
				s->maxcmdsn = h->maxcmdsn;
		}
	}
	if (p->numbered && !(h->opcode == PDU_OP_LOGIN_RSP &&
			     h->status_class != 0)) {
		if (!c->statsn_known || serial_gt(h->statsn, c->last_statsn)) {
			c->last_statsn = h->statsn;
			c->statsn_known = true;
			s->numbered++;
			c->numbered_mark = s->numbered;
		}
	}
}

void chk_track_pdu(struct chk_engine *e, struct chk_conn *c,
		   const struct chk_pdu *p, const struct event *ev)
{
	if (p->dir == EV_DIR_I2T)
		initiator_pdu(e, c, p, ev);
	else
		target_pdu(e, c, p, ev);
}

void chk_track_conn_event(struct chk_engine *e, struct chk_conn *c,
			  const struct event *ev)
{
	int d = ev->dir == EV_DIR_T2I ? EV_DIR_T2I : EV_DIR_I2T;
	switch (ev->kind) {
	case EV_CONN_OPEN:
		c->opened = true;
		break;
	case EV_CONN_FIN:
	case EV_CONN_RST:
		if (ev->kind == EV_CONN_FIN)
			c->fin[d] = true;
		else
			c->rst[d] = true;
		if (!c->close_frame)
			c->close_frame = ev->frame;
		c->phase = CHK_PHASE_CLOSED;
		break;
	case EV_GAP:
	case EV_RESYNC:
		if (!c->pdu_seen[d]) {
			c->start_missing[d] = true;
			break;
		}
		if (!c->gap[d]) {
			c->gap[d] = true;
			c->gap_frame[d] = ev->frame;
			if (c->sess)
				chk_session_note(e, c->sess, "connection %u: %s "
						 "in the %s stream at frame %llu"
						 "%s%s; rules that need an "
						 "unbroken stream stop judging "
						 "it from there", c->id,
						 ev->kind == EV_GAP
						 ? "bytes missing"
						 : "framing resynchronised",
						 d == EV_DIR_I2T
						 ? "initiator-to-target"
						 : "target-to-initiator",
						 (unsigned long long)ev->frame,
						 ev->text ? ": " : "",
						 ev->text ? ev->text : "");
		}
		break;
	default:
		break;
	}
}
