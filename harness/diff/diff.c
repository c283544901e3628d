/* diff.c — records two traces from their events and compares them session
 * by session, connection by connection, PDU by PDU, ignoring what may
 * lawfully differ (diff.h says what), and names the first divergence. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/diff/diff.h"
#include "pdu/fields.h"
#include "pdu/pdu.h"

struct dif_pdu {
	uint8_t *bytes;
	size_t len;
	enum ev_dir dir;
	struct pdu_digests dg;
	uint64_t frame;
};

struct dif_conn {
	uint32_t id;
	int cid;
	long session;          /* index, -1 until the first PDU places it */
	struct dif_pdu *pdus;
	size_t n, cap;
	const char *end[2];    /* how each direction ended: "FIN", "RST" or NULL */
};

struct dif_session {
	uint8_t isid[6];
	uint16_t tsih;
	bool from_login;       /* identity learnt from a Login Request */
	size_t *conns;         /* indexes into trace->conns, in order of appearance */
	size_t n_conns;
};

struct dif_trace {
	struct dif_conn *conns;
	size_t n_conns;
	struct dif_session *sessions;
	size_t n_sessions;
	int error;
};

struct dif_trace *dif_trace_new(void)
{
	return calloc(1, sizeof(struct dif_trace));
}

void dif_trace_free(struct dif_trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_conns; i++) {
		for (size_t k = 0; k < t->conns[i].n; k++)
			free(t->conns[i].pdus[k].bytes);
		free(t->conns[i].pdus);
	}
	for (size_t i = 0; i < t->n_sessions; i++)
		free(t->sessions[i].conns);
	free(t->conns);
	free(t->sessions);
	free(t);
}

size_t dif_trace_pdus(const struct dif_trace *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_conns; i++)
		n += t->conns[i].n;
	return n;
}

static bool grow(void **array, size_t elem, size_t n, size_t *cap)
{
	if (n < *cap)
		return true;
	size_t want = *cap ? *cap * 2 : 8;
	void *p = realloc(*array, want * elem);
	if (!p)
		return false;
	*array = p;
	*cap = want;
	return true;
}

static struct dif_conn *find_conn(struct dif_trace *t, uint32_t id, bool create)
{
	for (size_t i = 0; i < t->n_conns; i++)
		if (t->conns[i].id == id)
			return &t->conns[i];
	if (!create)
		return NULL;
	size_t cap = t->n_conns;
	if (!grow((void **)&t->conns, sizeof *t->conns, t->n_conns, &cap))
		return NULL;
	struct dif_conn *c = &t->conns[t->n_conns++];
	memset(c, 0, sizeof *c);
	c->id = id;
	c->cid = -1;
	c->session = -1;
	return c;
}

static long add_session(struct dif_trace *t, const uint8_t *isid, uint16_t tsih,
			bool from_login)
{
	size_t cap = t->n_sessions;
	if (!grow((void **)&t->sessions, sizeof *t->sessions, t->n_sessions, &cap))
		return -1;
	struct dif_session *s = &t->sessions[t->n_sessions];
	memset(s, 0, sizeof *s);
	if (isid)
		memcpy(s->isid, isid, 6);
	s->tsih = tsih;
	s->from_login = from_login;
	return (long)t->n_sessions++;
}

static bool session_add_conn(struct dif_session *s, size_t conn_index)
{
	size_t *p = realloc(s->conns, (s->n_conns + 1) * sizeof *p);
	if (!p)
		return false;
	s->conns = p;
	s->conns[s->n_conns++] = conn_index;
	return true;
}

/* Place a connection in a session at its first PDU: a Login Request with a
 * non-zero TSIH joins the session with that ISID and TSIH; any other first
 * PDU starts a session of its own. */
static int place_conn(struct dif_trace *t, struct dif_conn *c, const uint8_t *bhs)
{
	bool login = (bhs[0] & 0x3f) == PDU_OP_LOGIN_REQ;
	uint16_t tsih = (uint16_t)(bhs[14] << 8 | bhs[15]);
	long s = -1;
	if (login && tsih != 0)
		for (size_t i = 0; i < t->n_sessions; i++)
			if (t->sessions[i].from_login && t->sessions[i].tsih == tsih &&
			    !memcmp(t->sessions[i].isid, bhs + 8, 6))
				s = (long)i;
	if (s < 0)
		s = add_session(t, login ? bhs + 8 : NULL, tsih, login);
	if (s < 0 || !session_add_conn(&t->sessions[s], (size_t)(c - t->conns)))
		return DIF_ENOMEM;
	c->session = s;
	if (login)
		c->cid = bhs[20] << 8 | bhs[21];
	return DIF_OK;
}

/* The leading connection's Final-Response gives the session its TSIH. */
static void learn_tsih(struct dif_trace *t, struct dif_conn *c, const uint8_t *bhs)
{
	bool final = (bhs[1] & 0x80) && (bhs[1] & 0x03) == PDU_STAGE_FULL_FEATURE;
	if ((bhs[0] & 0x3f) != PDU_OP_LOGIN_RSP || !final || bhs[36] != 0 || c->session < 0)
		return;
	struct dif_session *s = &t->sessions[c->session];
	if (s->tsih == 0)
		s->tsih = (uint16_t)(bhs[14] << 8 | bhs[15]);
}

static int record_pdu(struct dif_trace *t, const struct event *ev)
{
	if (ev->len < PDU_BHS_LEN)
		return DIF_EINVAL;
	struct dif_conn *c = find_conn(t, ev->conn, true);
	if (!c)
		return DIF_ENOMEM;
	if (c->session < 0 && place_conn(t, c, ev->bytes) != DIF_OK)
		return DIF_ENOMEM;
	if (!grow((void **)&c->pdus, sizeof *c->pdus, c->n, &c->cap))
		return DIF_ENOMEM;
	struct dif_pdu *p = &c->pdus[c->n];
	p->bytes = malloc(ev->len);
	if (!p->bytes)
		return DIF_ENOMEM;
	memcpy(p->bytes, ev->bytes, ev->len);
	p->len = ev->len;
	p->dir = ev->dir;
	p->dg = ev->digests;
	p->frame = ev->frame;
	c->n++;
	learn_tsih(t, c, ev->bytes);
	return DIF_OK;
}

int dif_trace_on_event(void *ctx, const struct event *ev)
{
	struct dif_trace *t = ctx;
	int rc = DIF_OK;
	if (ev->kind == EV_PDU) {
		rc = record_pdu(t, ev);
	} else if (ev->kind == EV_CONN_FIN || ev->kind == EV_CONN_RST) {
		struct dif_conn *c = find_conn(t, ev->conn, true);
		if (!c)
			rc = DIF_ENOMEM;
		else if (!c->end[ev->dir])
			c->end[ev->dir] = ev->kind == EV_CONN_FIN ? "FIN" : "RST";
	}
	if (rc < 0 && t->error == 0)
		t->error = rc;
	return rc;
}

/* ---- comparison ------------------------------------------------------- */

/* A consistent renaming of tags between the two traces. */
struct tag_map {
	uint32_t *from, *to;
	size_t n, cap;
};

/* True when a -> b is consistent with every pair seen so far; when it is
 * not, *earlier is the pair it conflicts with. */
static bool tag_map_check(struct tag_map *m, uint32_t a, uint32_t b, bool *oom,
			  uint32_t earlier[2])
{
	earlier[0] = earlier[1] = PDU_RESERVED_TAG;
	if (a == PDU_RESERVED_TAG || b == PDU_RESERVED_TAG)
		return a == b;
	for (size_t i = 0; i < m->n; i++)
		if (m->from[i] == a || m->to[i] == b) {
			earlier[0] = m->from[i];
			earlier[1] = m->to[i];
			return m->from[i] == a && m->to[i] == b;
		}
	size_t cap_to = m->cap;
	if (!grow((void **)&m->from, sizeof *m->from, m->n, &m->cap) ||
	    !grow((void **)&m->to, sizeof *m->to, m->n, &cap_to)) {
		*oom = true;
		return true;
	}
	m->from[m->n] = a;
	m->to[m->n++] = b;
	return true;
}

static void tag_map_free(struct tag_map *m)
{
	free(m->from);
	free(m->to);
	memset(m, 0, sizeof *m);
}

/* Per-side sequence-number bases. */
struct bases {
	bool cmdsn_known, statsn_known;
	uint32_t cmdsn, statsn;
};

struct compare {
	struct tag_map itt, ttt;    /* per session */
	struct bases golden, run;   /* cmdsn per session, statsn per connection */
	bool oom;
	struct dif_result *res;
};

enum field_rule { EXACT, SKIP, ITT_TAG, TTT_TAG, CMDSN_REL, STATSN_REL, EXPSTATSN_REL };

static enum field_rule rule_for(const char *name, uint8_t opcode, const uint8_t *bhs)
{
	static const struct { const char *name; enum field_rule rule; } rules[] = {
		{ "iscsi.initiatortasktag", ITT_TAG },
		{ "iscsi.taskmanfun.referencedtasktag", ITT_TAG },
		{ "iscsi.targettransfertag", TTT_TAG },
		{ "iscsi.snacktag", TTT_TAG },
		{ "iscsi.tsih", SKIP },
		{ "iscsi.cmdsn", CMDSN_REL },
		{ "iscsi.expcmdsn", CMDSN_REL },
		{ "iscsi.maxcmdsn", CMDSN_REL },
		{ "iscsi.refcmdsn", CMDSN_REL },
		{ "iscsi.statsn", STATSN_REL },
		{ "iscsi.expstatsn", EXPSTATSN_REL },
	};
	if (!strncmp(name, "iscsi.isid", 10))
		return SKIP; /* compared separately, without the qualifier */
	/* RefCmdSN is a CmdSN for the abort functions (1, 2, 4) only, reserved
	 * for the others. */
	if (!strcmp(name, "iscsi.refcmdsn")) {
		uint8_t function = bhs[1] & 0x7f;
		return function == 1 || function == 2 || function == 4 ? CMDSN_REL : EXACT;
	}
	/* A Data-In's StatSN means something only with S=1. */
	if (!strcmp(name, "iscsi.statsn") && opcode == PDU_OP_DATA_IN && !(bhs[1] & 0x01))
		return SKIP;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!strcmp(name, rules[i].name))
			return rules[i].rule;
	return EXACT;
}

static void say(struct compare *cmp, const char *field, const char *golden,
		const char *run, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void say(struct compare *cmp, const char *field, const char *golden,
		const char *run, const char *fmt, ...)
{
	struct dif_result *r = cmp->res;
	r->equal = false;
	snprintf(r->field, sizeof r->field, "%s", field);
	snprintf(r->golden, sizeof r->golden, "%s", golden);
	snprintf(r->run, sizeof r->run, "%s", run);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
}

/* Relative value of a sequence number against its base, learning the base
 * from the first value seen when it is not known yet. */
static uint32_t relative(bool *known, uint32_t *base, uint32_t v)
{
	if (!*known) {
		*known = true;
		*base = v;
	}
	return v - *base;
}

/* Compare two BHSs of the same opcode field by field (registry order). */
static bool compare_bhs(struct compare *cmp, const uint8_t *a, const uint8_t *b,
			const char *where)
{
	uint8_t opcode = a[0] & 0x3f;
	char ga[32], rb[32];
	if (a[0] != b[0]) {
		char na[24], nb[24];
		say(cmp, "iscsi.opcode", pdu_opcode_name(opcode, na),
		    pdu_opcode_name(b[0] & 0x3f, nb), "%s: golden has %s (byte 0x%02x), run has %s (byte 0x%02x)",
		    where, na, a[0], nb, b[0]);
		return false;
	}
	bool login = opcode == PDU_OP_LOGIN_REQ || opcode == PDU_OP_LOGIN_RSP;
	if (login && memcmp(a + 8, b + 8, 4)) {
		snprintf(ga, sizeof ga, "%02x%02x%02x%02x", a[8], a[9], a[10], a[11]);
		snprintf(rb, sizeof rb, "%02x%02x%02x%02x", b[8], b[9], b[10], b[11]);
		say(cmp, "iscsi.isid", ga, rb, "%s: ISID (without qualifier) %s in golden, %s in run",
		    where, ga, rb);
		return false;
	}
	size_t count;
	const struct pdu_field *f = pdu_fields(&count);
	for (size_t i = 0; i < count; i++) {
		uint64_t va, vb;
		uint32_t earlier[2] = { PDU_RESERVED_TAG, PDU_RESERVED_TAG };
		if (f[i].kind == PDU_FIELD_BYTES) {
			const struct pdu_field_loc *loc = pdu_field_loc(&f[i], opcode);
			if (loc && strncmp(f[i].name, "iscsi.isid", 10) &&
			    memcmp(a + loc->offset, b + loc->offset, loc->size)) {
				say(cmp, f[i].name, "(bytes)", "(bytes)", "%s: %s differs", where,
				    f[i].name);
				return false;
			}
			continue;
		}
		if (pdu_field_get_raw(&f[i], a, &va) != 0 || pdu_field_get_raw(&f[i], b, &vb) != 0)
			continue;
		bool same;
		switch (rule_for(f[i].name, opcode, a)) {
		case SKIP:
			continue;
		case ITT_TAG:
			same = tag_map_check(&cmp->itt, (uint32_t)va, (uint32_t)vb, &cmp->oom,
					     earlier);
			break;
		case TTT_TAG:
			same = tag_map_check(&cmp->ttt, (uint32_t)va, (uint32_t)vb, &cmp->oom,
					     earlier);
			break;
		case CMDSN_REL:
			va = relative(&cmp->golden.cmdsn_known, &cmp->golden.cmdsn, (uint32_t)va);
			vb = relative(&cmp->run.cmdsn_known, &cmp->run.cmdsn, (uint32_t)vb);
			same = va == vb;
			break;
		case STATSN_REL:
			va = relative(&cmp->golden.statsn_known, &cmp->golden.statsn, (uint32_t)va);
			vb = relative(&cmp->run.statsn_known, &cmp->run.statsn, (uint32_t)vb);
			same = va == vb;
			break;
		case EXPSTATSN_REL:
			/* before the connection's first StatSN there is no base: the
			 * first Login Request's ExpStatSN is compared as it is */
			if (cmp->golden.statsn_known && cmp->run.statsn_known) {
				va = (uint32_t)va - cmp->golden.statsn;
				vb = (uint32_t)vb - cmp->run.statsn;
			}
			same = va == vb;
			break;
		default:
			same = va == vb;
			break;
		}
		if (!same) {
			enum field_rule rule = rule_for(f[i].name, opcode, a);
			char why[96] = "";
			if ((rule == ITT_TAG || rule == TTT_TAG) && earlier[0] != PDU_RESERVED_TAG)
				snprintf(why, sizeof why,
					 " (tags are renamed consistently: earlier golden 0x%x was run 0x%x)",
					 earlier[0], earlier[1]);
			else if (rule == ITT_TAG || rule == TTT_TAG)
				snprintf(why, sizeof why, " (the reserved tag matches only itself)");
			else if (rule != EXACT)
				snprintf(why, sizeof why, " (relative to the first)");
			snprintf(ga, sizeof ga, "0x%llx", (unsigned long long)va);
			snprintf(rb, sizeof rb, "0x%llx", (unsigned long long)vb);
			say(cmp, f[i].name, ga, rb, "%s: %s is %s in golden, %s in run%s", where,
			    f[i].name, ga, rb, why);
			return false;
		}
	}
	return true;
}

static bool compare_segments(struct compare *cmp, const struct dif_pdu *a,
			     const struct dif_pdu *b, const char *where)
{
	struct pdu_view va, vb;
	struct pdu_error ea, eb;
	int ra = pdu_parse(a->bytes, a->len, a->dg, &va, &ea);
	int rb = pdu_parse(b->bytes, b->len, b->dg, &vb, &eb);
	if (ra == PDU_E_TRUNCATED || rb == PDU_E_TRUNCATED) {
		if (ra != rb) {
			say(cmp, "pdu", ra ? "truncated" : "whole", rb ? "truncated" : "whole",
			    "%s: one PDU is cut short", where);
			return false;
		}
		return true;
	}
	if (va.ahs_len != vb.ahs_len || (va.ahs_len && memcmp(va.ahs, vb.ahs, va.ahs_len))) {
		say(cmp, "ahs", "", "", "%s: AHS differs (%zu and %zu bytes)", where, va.ahs_len,
		    vb.ahs_len);
		return false;
	}
	/* A Reject carries the rejected header: compare it as a header, the
	 * rest of the data byte for byte. */
	size_t at = 0;
	if ((a->bytes[0] & 0x3f) == PDU_OP_REJECT && va.data_len >= PDU_BHS_LEN &&
	    vb.data_len >= PDU_BHS_LEN) {
		char nested[192];
		snprintf(nested, sizeof nested, "%s, rejected header", where);
		if (!compare_bhs(cmp, va.data, vb.data, nested))
			return false;
		at = PDU_BHS_LEN;
	}
	if (va.data_len != vb.data_len ||
	    (va.data_len > at && memcmp(va.data + at, vb.data + at, va.data_len - at))) {
		while (at < va.data_len && at < vb.data_len && va.data[at] == vb.data[at])
			at++;
		char ga[24], rb2[24];
		snprintf(ga, sizeof ga, "%zu bytes", va.data_len);
		snprintf(rb2, sizeof rb2, "%zu bytes", vb.data_len);
		say(cmp, "data", ga, rb2, "%s: data segment differs at byte %zu (%zu and %zu bytes)",
		    where, at, va.data_len, vb.data_len);
		return false;
	}
	return true;
}

static bool compare_conns(struct compare *cmp, const struct dif_conn *a,
			  const struct dif_conn *b)
{
	cmp->golden.statsn_known = cmp->run.statsn_known = false;
	struct dif_result *r = cmp->res;
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		const struct dif_pdu *pa = &a->pdus[i], *pb = &b->pdus[i];
		char name[24], where[160];
		r->pdu_index = i;
		r->golden_frame = pa->frame;
		r->run_frame = pb->frame;
		snprintf(where, sizeof where,
			 "session %zu, connection %zu (CID %d), PDU %zu (%s, golden frame %llu, run frame %llu)",
			 r->session + 1, r->conn_index + 1, a->cid, i + 1,
			 pdu_opcode_name(pa->bytes[0] & 0x3f, name),
			 (unsigned long long)pa->frame, (unsigned long long)pb->frame);
		if (pa->dir != pb->dir) {
			say(cmp, "direction", pa->dir == EV_DIR_I2T ? "initiator->target" : "target->initiator",
			    pb->dir == EV_DIR_I2T ? "initiator->target" : "target->initiator",
			    "%s: sent by the other side in the run", where);
			return false;
		}
		if (!compare_bhs(cmp, pa->bytes, pb->bytes, where) ||
		    !compare_segments(cmp, pa, pb, where))
			return false;
	}
	if (a->n != b->n) {
		const struct dif_pdu *extra = a->n > b->n ? &a->pdus[n] : &b->pdus[n];
		char name[24], ga[32], rb[32];
		r->pdu_index = n;
		r->golden_frame = a->n > n ? a->pdus[n].frame : 0;
		r->run_frame = b->n > n ? b->pdus[n].frame : 0;
		snprintf(ga, sizeof ga, "%zu PDUs", a->n);
		snprintf(rb, sizeof rb, "%zu PDUs", b->n);
		say(cmp, "pdu", ga, rb,
		    "session %zu, connection %zu (CID %d): golden has %zu PDUs, run has %zu; "
		    "the first unmatched is a %s in the %s",
		    r->session + 1, r->conn_index + 1, a->cid, a->n, b->n,
		    pdu_opcode_name(extra->bytes[0] & 0x3f, name), a->n > b->n ? "golden" : "run");
		return false;
	}
	for (int d = 0; d < 2; d++) {
		const char *ea = a->end[d] ? a->end[d] : "open", *eb = b->end[d] ? b->end[d] : "open";
		if (strcmp(ea, eb)) {
			say(cmp, "end", ea, eb,
			    "session %zu, connection %zu (CID %d): the %s side ends with %s in golden, %s in run",
			    r->session + 1, r->conn_index + 1, a->cid,
			    d == EV_DIR_I2T ? "initiator" : "target", ea, eb);
			return false;
		}
	}
	return true;
}

int dif_compare(const struct dif_trace *golden, const struct dif_trace *run,
		struct dif_result *res)
{
	memset(res, 0, sizeof *res);
	res->equal = true;
	res->cid = -1;
	if (golden->error || run->error)
		return golden->error ? golden->error : run->error;
	struct compare cmp = { .res = res };
	size_t ns = golden->n_sessions < run->n_sessions ? golden->n_sessions : run->n_sessions;
	for (size_t s = 0; s < ns && res->equal; s++) {
		const struct dif_session *sa = &golden->sessions[s], *sb = &run->sessions[s];
		res->session = s;
		tag_map_free(&cmp.itt);
		tag_map_free(&cmp.ttt);
		cmp.golden.cmdsn_known = cmp.run.cmdsn_known = false;
		size_t nc = sa->n_conns < sb->n_conns ? sa->n_conns : sb->n_conns;
		for (size_t c = 0; c < nc && res->equal; c++) {
			res->conn_index = c;
			res->cid = golden->conns[sa->conns[c]].cid;
			compare_conns(&cmp, &golden->conns[sa->conns[c]], &run->conns[sb->conns[c]]);
		}
		if (res->equal && sa->n_conns != sb->n_conns) {
			char ga[32], rb[32];
			snprintf(ga, sizeof ga, "%zu connections", sa->n_conns);
			snprintf(rb, sizeof rb, "%zu connections", sb->n_conns);
			say(&cmp, "connection", ga, rb, "session %zu: golden has %zu connections, run has %zu",
			    s + 1, sa->n_conns, sb->n_conns);
		}
	}
	if (res->equal && golden->n_sessions != run->n_sessions) {
		char ga[32], rb[32];
		snprintf(ga, sizeof ga, "%zu sessions", golden->n_sessions);
		snprintf(rb, sizeof rb, "%zu sessions", run->n_sessions);
		res->session = ns;
		say(&cmp, "session", ga, rb, "golden has %zu sessions, run has %zu",
		    golden->n_sessions, run->n_sessions);
	}
	tag_map_free(&cmp.itt);
	tag_map_free(&cmp.ttt);
	return cmp.oom ? DIF_ENOMEM : DIF_OK;
}
