/* engine.c — the check engine: takes events, keeps connections and
 * sessions (through the tracker, session.c), hands every PDU and
 * negotiation step to the rule families (families.c), counts what each
 * rule saw held or broken per session, and exports verdicts into the
 * report model. Pure: everything lives in the engine object. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness/check/check.h"
#include "harness/check/internal.h"
#include "pdu/fields.h"

#define EVIDENCE_MSG_LEN 512
#define ID_CACHE_SLOTS 1024     /* a power of two, > 2 x the catalogue's IDs */
#define ID_CACHE_PROBES 16

/* One rule ID as this engine runs it. */
struct rule_ent {
	const char *id;
	size_t fam;                  /* owning family */
	const struct chk_rule *rule; /* the owner's row */
	bool selected;
};

/* What one rule saw in one session. */
struct tally {
	uint64_t held, broken;
	struct rep_evidence *ev;     /* REP_MAX_EVIDENCE slots, from the
					first failure on */
	size_t n_ev;
	char *reason;                /* first chk_unjudged() reason */
};

/* The tallies of a retired session: only the rules something happened to. */
struct sparse_tally {
	size_t n;
	struct sparse_ent {
		size_t rule;         /* index in the engine's rule table */
		struct tally t;
	} ent[];
};

struct chk_engine {
	const struct chk_family *const *fams;
	size_t n_fams;
	bool fam_shown[CHK_MAX_FAMILIES];
	struct rule_ent *rules;      /* sorted by rep_id_compare() */
	size_t n_rules;
	struct id_ref {              /* the rules by strcmp() of their IDs */
		const char *id;
		size_t rule;
	} *by_id;

	struct chk_conn **conns;     /* every connection, in creation order */
	size_t n_conns, cap_conns;
	uint32_t *slots;             /* open addressing: conn index + 1 */
	size_t n_slots;

	struct chk_session **sessions;
	size_t n_sessions, cap_sessions;
	/* sessions a login may still join or reinstate, oldest first: the
	 * others (closed, reinstated, refused, without an ISID) are dropped
	 * from it when it is read */
	struct chk_session **live;
	size_t n_live, cap_live;

	struct pdu_key_params defaults;  /* pdu_key_params_init() */
	struct pdu_hdr_plan hdr_plan;    /* every BHS is decoded through it */
	/* the families' per-connection and per-session states, laid out
	 * in one block each: offsets and total size (fam_layout()) */
	struct fam_layout {
		size_t off[CHK_MAX_FAMILIES];
		size_t size;
	} conn_layout, sess_layout;
	size_t n_failed;             /* (session, rule) pairs broken */
	int err;                     /* CHK_ENOMEM once something failed */
	bool ended;
	bool drop_ended;             /* chk_options.drop_ended */
	int (*on_session)(void *ctx, struct rep_session *s);
	void *on_session_ctx;
	struct name_set {            /* names handed over (export below) */
		uint64_t *slots;     /* their 64-bit hashes; 0: empty */
		size_t n, cap;       /* cap: a power of two */
	} names;
	size_t n_dropped_conns;      /* NULL entries in conns */
	size_t n_dropped_sessions;   /* NULL entries in sessions */
	size_t n_sessions_seen;
	/* rule_lookup() by the address of the ID string: IDs have static
	 * storage (family.h), so an address once looked up keeps its rule.
	 * Open addressing, linear probing; full: rule_search() each time.
	 * A slot carries what tally_for() asks of the rule, so that the hot
	 * path reads one slot and not the rule table. */
	struct id_slot {
		const char *id;      /* NULL: empty */
		int32_t rule;        /* -1: no family lists the ID */
		bool selected;
		bool session_wide;   /* CHK_RULE_SESSION */
	} id_cache[ID_CACHE_SLOTS];
	struct id_slot *fam_rows[CHK_MAX_FAMILIES]; /* each family's rules[],
							resolved: chk_held_row() */
};

/* ---- rule table ------------------------------------------------------ */

/* Owner of an ID among fams: the first family listing it that is not
 * SHARED, else the first (SHARED) family listing it. build_rules() picks
 * the same owner by sorting. */
static long owner_of(const struct chk_family *const *fams, size_t n,
		     const char *id, const struct chk_rule **row)
{
	long shared = -1;
	const struct chk_rule *shared_row = NULL;
	for (size_t f = 0; f < n; f++) {
		for (size_t r = 0; r < fams[f]->n_rules; r++) {
			if (strcmp(fams[f]->rules[r].id, id) != 0)
				continue;
			if (!(fams[f]->flags & CHK_FAMILY_F_SHARED)) {
				*row = &fams[f]->rules[r];
				return (long)f;
			}
			if (shared < 0) {
				shared = (long)f;
				shared_row = &fams[f]->rules[r];
			}
		}
	}
	*row = shared_row;
	return shared;
}

const struct chk_family *chk_rule_owner(const char *id)
{
	size_t n;
	const struct chk_family *const *fams = chk_families(&n);
	const struct chk_rule *row;
	long f = id ? owner_of(fams, n, id, &row) : -1;
	return f < 0 ? NULL : fams[f];
}

/* A rule with its ID split, sorted in report order (so that the verdicts
 * are exported sorted). */
struct keyed_rule {
	struct rep_id_key key;
	struct rule_ent ent;
	size_t row;                  /* its place in strcmp() order */
};

static int cmp_keyed(const void *a, const void *b)
{
	return rep_id_key_compare(&((const struct keyed_rule *)a)->key,
				  &((const struct keyed_rule *)b)->key);
}

/* One family's row for an ID, while the table is built. */
struct rule_row {
	const char *id;
	size_t fam;
	const struct chk_rule *rule;
	bool shared;                 /* the family is CHK_FAMILY_F_SHARED */
};

/* By ID, then owners first (not SHARED before SHARED), then family order:
 * the first row of each ID is its owner, as owner_of() picks it. */
static int cmp_row(const void *a, const void *b)
{
	const struct rule_row *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	if (x->shared != y->shared)
		return x->shared ? 1 : -1;
	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int build_rules(struct chk_engine *e)
{
	size_t total = 0;
	for (size_t f = 0; f < e->n_fams; f++)
		total += e->fams[f]->n_rules;
	struct rule_row *rows = malloc((total ? total : 1) * sizeof *rows);
	e->rules = calloc(total ? total : 1, sizeof *e->rules);
	if (!rows || !e->rules) {
		free(rows);
		return CHK_ENOMEM;
	}
	size_t n = 0;
	for (size_t f = 0; f < e->n_fams; f++)
		for (size_t r = 0; r < e->fams[f]->n_rules; r++)
			rows[n++] = (struct rule_row){
				.id = e->fams[f]->rules[r].id, .fam = f,
				.rule = &e->fams[f]->rules[r],
				.shared = e->fams[f]->flags & CHK_FAMILY_F_SHARED };
	qsort(rows, n, sizeof *rows, cmp_row);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(rows[i - 1].id, rows[i].id) == 0)
			continue;
		rows[k++] = rows[i];
	}
	struct keyed_rule *kr = malloc((k ? k : 1) * sizeof *kr);
	if (!kr) {
		free(rows);
		return CHK_ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		rep_id_key(rows[i].id, &kr[i].key);
		kr[i].ent = (struct rule_ent){ .id = rows[i].id,
					       .fam = rows[i].fam,
					       .rule = rows[i].rule };
		kr[i].row = i;
	}
	qsort(kr, k, sizeof *kr, cmp_keyed);
	e->by_id = malloc((k ? k : 1) * sizeof *e->by_id);
	for (size_t i = 0; i < k; i++) {
		e->rules[i] = kr[i].ent;
		if (e->by_id)
			e->by_id[kr[i].row] = (struct id_ref){ kr[i].ent.id, i };
	}
	e->n_rules = k;
	free(kr);
	free(rows);
	return e->by_id ? CHK_OK : CHK_ENOMEM;
}

static long rule_search(const struct chk_engine *e, const char *id)
{
	size_t lo = 0, hi = e->n_rules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->by_id[mid].id, id);
		if (c == 0)
			return (long)e->by_id[mid].rule;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static struct id_slot slot_for(const struct chk_engine *e, const char *id)
{
	long k = rule_search(e, id);
	struct id_slot slot = { .id = id, .rule = (int32_t)k };
	if (k >= 0) {
		slot.selected = e->rules[k].selected;
		slot.session_wide = e->rules[k].rule->flags & CHK_RULE_SESSION;
	}
	return slot;
}

static struct id_slot rule_lookup(struct chk_engine *e, const char *id)
{
	uint64_t h = (uint64_t)(uintptr_t)id * 0x9e3779b97f4a7c15ull;
	size_t at = (size_t)(h >> 32);
	for (size_t i = 0; i < ID_CACHE_PROBES; i++) {
		struct id_slot *slot = &e->id_cache[(at + i) & (ID_CACHE_SLOTS - 1)];
		if (slot->id == id)
			return *slot;
		if (!slot->id) {
			*slot = slot_for(e, id);
			return *slot;
		}
	}
	return slot_for(e, id);
}

/* Every row of every family's rules[] as rule_lookup() would find it,
 * after the selection. */
static int resolve_family_rows(struct chk_engine *e)
{
	for (size_t f = 0; f < e->n_fams; f++) {
		size_t n = e->fams[f]->n_rules;
		e->fam_rows[f] = malloc((n ? n : 1) * sizeof *e->fam_rows[f]);
		if (!e->fam_rows[f])
			return CHK_ENOMEM;
		for (size_t r = 0; r < n; r++)
			e->fam_rows[f][r] = slot_for(e, e->fams[f]->rules[r].id);
	}
	return CHK_OK;
}

static bool same_ci(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return true;
}

static int select_rules(struct chk_engine *e, const char *spec, char *err,
			size_t errlen)
{
	bool all = !spec || !*spec;
	for (size_t k = 0; k < e->n_rules; k++)
		e->rules[k].selected = all;
	const char *p = spec;
	while (!all && *p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		const char *start = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		size_t len = (size_t)(end - start);
		if (!len)
			continue;
		bool found = false;
		for (size_t f = 0; f < e->n_fams; f++) {
			if (!same_ci(start, len, e->fams[f]->name))
				continue;
			found = true;
			for (size_t k = 0; k < e->n_rules; k++)
				if (e->rules[k].fam == f)
					e->rules[k].selected = true;
		}
		for (size_t k = 0; k < e->n_rules && !found; k++) {
			if (same_ci(start, len, e->rules[k].id)) {
				e->rules[k].selected = true;
				found = true;
			}
		}
		if (!found) {
			if (err && errlen)
				snprintf(err, errlen,
					 "unknown rule family or ID \"%.*s\" in "
					 "--rules", (int)len, start);
			return CHK_EINVAL;
		}
	}
	for (size_t k = 0; k < e->n_rules; k++)
		if (e->rules[k].selected)
			e->fam_shown[e->rules[k].fam] = true;
	return CHK_OK;
}

/* Where each family's state lies in the block of a connection (per_conn)
 * or a session: 16-byte aligned, families without state take none. */
static struct fam_layout fam_layout(const struct chk_engine *e, bool per_conn)
{
	struct fam_layout l = { .size = 0 };
	for (size_t f = 0; f < e->n_fams; f++) {
		size_t n = per_conn ? e->fams[f]->conn_size : e->fams[f]->session_size;
		l.off[f] = l.size;
		l.size += (n + 15) & ~(size_t)15;
	}
	return l;
}

/* One zeroed block for the families' states of a connection or session;
 * fam[f] stays NULL for a family without state. */
static bool fam_states_alloc(const struct chk_engine *e, bool per_conn, void *fam[],
			     void **block)
{
	const struct fam_layout *l = per_conn ? &e->conn_layout : &e->sess_layout;
	*block = calloc(1, l->size ? l->size : 1);
	if (!*block)
		return false;
	for (size_t f = 0; f < e->n_fams; f++) {
		size_t n = per_conn ? e->fams[f]->conn_size : e->fams[f]->session_size;
		fam[f] = n ? (char *)*block + l->off[f] : NULL;
	}
	return true;
}

static void fam_states_free(const struct chk_engine *e, bool per_conn, void *fam[],
			    void **block)
{
	for (size_t f = 0; f < e->n_fams; f++) {
		void (*release)(void *) = per_conn ? e->fams[f]->conn_free
						   : e->fams[f]->session_free;
		if (fam[f] && release)
			release(fam[f]);
		fam[f] = NULL;
	}
	free(*block);
	*block = NULL;
}

int chk_create(const struct chk_options *opts, struct chk_engine **out,
	       char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	struct chk_engine *e = calloc(1, sizeof *e);
	if (!e)
		return CHK_ENOMEM;
	e->fams = chk_families(&e->n_fams);
	if (e->n_fams > CHK_MAX_FAMILIES) {
		if (err && errlen)
			snprintf(err, errlen, "%zu families, at most %d",
				 e->n_fams, CHK_MAX_FAMILIES);
		free(e);
		return CHK_EINVAL;
	}
	e->conn_layout = fam_layout(e, true);
	e->sess_layout = fam_layout(e, false);
	e->drop_ended = opts && opts->drop_ended;
	e->on_session = opts ? opts->on_session : NULL;
	e->on_session_ctx = opts ? opts->on_session_ctx : NULL;
	pdu_key_params_init(&e->defaults);
	if (!pdu_hdr_plan_init(&e->hdr_plan)) {
		if (err && errlen)
			snprintf(err, errlen, "an opcode has more BHS fields than "
				 "PDU_HDR_PLAN_MAX_STEPS (pdu/fields.h)");
		free(e);
		return CHK_EINVAL;
	}
	int rc = build_rules(e);
	if (rc == CHK_OK)
		rc = select_rules(e, opts ? opts->rules : NULL, err, errlen);
	if (rc == CHK_OK)
		rc = resolve_family_rows(e);
	if (rc != CHK_OK) {
		chk_free(e);
		return rc;
	}
	*out = e;
	return CHK_OK;
}

/* ---- connections and sessions ----------------------------------------- */

const struct pdu_key_params *chk_eng_default_params(const struct chk_engine *e)
{
	return &e->defaults;
}

void chk_eng_nomem(struct chk_engine *e)
{
	e->err = CHK_ENOMEM;
}

bool chk_eng_failed(const struct chk_engine *e)
{
	return e->err != 0;
}

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static struct chk_conn *find_conn(const struct chk_engine *e, uint32_t id)
{
	if (!e->n_slots)
		return NULL;
	size_t mask = e->n_slots - 1;
	for (size_t i = hash32(id) & mask;; i = (i + 1) & mask) {
		uint32_t s = e->slots[i];
		if (!s)
			return NULL;
		if (e->conns[s - 1] && e->conns[s - 1]->id == id)
			return e->conns[s - 1];
	}
}

static int index_conn(struct chk_engine *e, size_t idx)
{
	if ((e->n_conns + 1) * 2 > e->n_slots) {
		size_t n = e->n_slots ? e->n_slots * 2 : 64;
		uint32_t *slots = calloc(n, sizeof *slots);
		if (!slots)
			return CHK_ENOMEM;
		for (size_t k = 0; k < e->n_conns; k++) {
			if (k == idx || !e->conns[k])
				continue;
			size_t i = hash32(e->conns[k]->id) & (n - 1);
			while (slots[i])
				i = (i + 1) & (n - 1);
			slots[i] = (uint32_t)k + 1;
		}
		free(e->slots);
		e->slots = slots;
		e->n_slots = n;
	}
	size_t i = hash32(e->conns[idx]->id) & (e->n_slots - 1);
	while (e->slots[i])
		i = (i + 1) & (e->n_slots - 1);
	e->slots[i] = (uint32_t)idx + 1;
	return CHK_OK;
}

static void free_conn(struct chk_engine *e, struct chk_conn *c)
{
	fam_states_free(e, true, c->fam, &c->fam_block);
	chk_track_conn_free(c);
	free(c);
}

static struct chk_conn *get_conn(struct chk_engine *e, uint32_t id)
{
	struct chk_conn *c = find_conn(e, id);
	if (c)
		return c;
	if (e->n_conns == e->cap_conns) {
		size_t n = e->cap_conns ? e->cap_conns * 2 : 16;
		struct chk_conn **nc = realloc(e->conns, n * sizeof *nc);
		if (!nc)
			goto nomem;
		e->conns = nc;
		e->cap_conns = n;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		goto nomem;
	c->id = id;
	c->cid = -1;
	c->seq = e->n_conns;
	if (!fam_states_alloc(e, true, c->fam, &c->fam_block)) {
		free_conn(e, c);
		goto nomem;
	}
	e->conns[e->n_conns] = c;
	if (index_conn(e, e->n_conns) != CHK_OK) {
		free_conn(e, c);
		goto nomem;
	}
	e->n_conns++;
	return c;
nomem:
	chk_eng_nomem(e);
	return NULL;
}

static void free_session(struct chk_engine *e, struct chk_session *s);

struct chk_session *chk_eng_new_session(struct chk_engine *e)
{
	if (e->n_sessions == e->cap_sessions) {
		size_t n = e->cap_sessions ? e->cap_sessions * 2 : 8;
		struct chk_session **ns = realloc(e->sessions, n * sizeof *ns);
		if (!ns)
			goto nomem;
		e->sessions = ns;
		e->cap_sessions = n;
	}
	struct chk_session *s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->index = e->n_sessions_seen;
	s->params = e->defaults;
	s->tally = calloc(e->n_rules ? e->n_rules : 1, sizeof(struct tally));
	if (!s->tally || !fam_states_alloc(e, false, s->fam, &s->fam_block)) {
		free(s->tally);
		free(s);
		goto nomem;
	}
	if (e->n_live == e->cap_live) {
		size_t n = e->cap_live ? e->cap_live * 2 : 8;
		struct chk_session **nl = realloc(e->live, n * sizeof *nl);
		if (!nl) {
			free_session(e, s);
			goto nomem;
		}
		e->live = nl;
		e->cap_live = n;
	}
	e->live[e->n_live++] = s;
	e->sessions[e->n_sessions++] = s;
	e->n_sessions_seen++;
	return s;
nomem:
	chk_eng_nomem(e);
	return NULL;
}

struct chk_session *const *chk_eng_sessions(const struct chk_engine *e,
					    size_t *n)
{
	*n = e->n_sessions;
	return e->sessions;
}

struct chk_session *const *chk_eng_live_sessions(struct chk_engine *e,
						 size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < e->n_live; i++) {
		struct chk_session *s = e->live[i];
		if (s->isid_known && !s->closed && !s->reinstated_by &&
		    !s->login_failed)
			e->live[k++] = s;
	}
	e->n_live = k;
	*n = k;
	return e->live;
}

size_t chk_session_count(const struct chk_engine *e)
{
	return e->n_sessions_seen;
}

int chk_eng_place(struct chk_engine *e, struct chk_session *s,
		  struct chk_conn *c)
{
	if (s->n_conns == s->cap_conns) {
		size_t n = s->cap_conns ? s->cap_conns * 2 : 4;
		struct chk_conn **nc = realloc(s->conns, n * sizeof *nc);
		if (!nc) {
			chk_eng_nomem(e);
			return CHK_ENOMEM;
		}
		s->conns = nc;
		s->cap_conns = n;
	}
	s->conns[s->n_conns++] = c;
	c->sess = s;
	return CHK_OK;
}

static void tally_release(struct tally *t)
{
	for (size_t i = 0; i < t->n_ev; i++) {
		free(t->ev[i].field);
		free(t->ev[i].message);
	}
	free(t->ev);
	free(t->reason);
}

static void free_tally(struct chk_engine *e, struct chk_session *s)
{
	if (s->retired) {
		struct sparse_tally *sp = s->tally;
		for (size_t i = 0; sp && i < sp->n; i++)
			tally_release(&sp->ent[i].t);
	} else {
		struct tally *t = s->tally;
		for (size_t k = 0; t && k < e->n_rules; k++)
			tally_release(&t[k]);
	}
	free(s->tally);
	s->tally = NULL;
}

static bool tally_used(const struct tally *t)
{
	return t->held || t->broken || t->reason;
}

/* Replace s's full tally array by the entries something happened to. */
static void sparsen_tally(struct chk_engine *e, struct chk_session *s)
{
	struct tally *t = s->tally;
	size_t n = 0;
	for (size_t k = 0; k < e->n_rules; k++)
		n += tally_used(&t[k]);
	struct sparse_tally *sp = malloc(sizeof *sp + n * sizeof sp->ent[0]);
	if (!sp) {
		chk_eng_nomem(e);
		return;
	}
	sp->n = 0;
	for (size_t k = 0; k < e->n_rules; k++)
		if (tally_used(&t[k]))
			sp->ent[sp->n++] = (struct sparse_ent){ k, t[k] };
	free(t);
	s->tally = sp;
	s->retired = true;
}

static void free_session(struct chk_engine *e, struct chk_session *s)
{
	fam_states_free(e, false, s->fam, &s->fam_block);
	free_tally(e, s);
	chk_track_session_free(s);
	free(s);
}

void chk_free(struct chk_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_conns; i++)
		if (e->conns[i])
			free_conn(e, e->conns[i]);
	for (size_t i = 0; i < e->n_sessions; i++)
		if (e->sessions[i])
			free_session(e, e->sessions[i]);
	free(e->conns);
	free(e->slots);
	free(e->sessions);
	free(e->live);
	free(e->rules);
	free(e->by_id);
	for (size_t f = 0; f < e->n_fams; f++)
		free(e->fam_rows[f]);
	free(e->names.slots);
	free(e);
}

void chk_session_vnote(struct chk_engine *e, struct chk_session *s,
		       const char *fmt, va_list ap)
{
	char buf[EVIDENCE_MSG_LEN];
	if (s->n_notes >= CHK_MAX_NOTES) {
		s->notes_dropped++;
		return;
	}
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (s->n_notes == s->cap_notes) {
		size_t n = s->cap_notes ? s->cap_notes * 2 : 4;
		char **nn = realloc(s->notes, n * sizeof *nn);
		if (!nn) {
			chk_eng_nomem(e);
			return;
		}
		s->notes = nn;
		s->cap_notes = n;
	}
	char *d = strdup(buf);
	if (!d) {
		chk_eng_nomem(e);
		return;
	}
	s->notes[s->n_notes++] = d;
}

void chk_session_note(struct chk_engine *e, struct chk_session *s,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	chk_session_vnote(e, s, fmt, ap);
	va_end(ap);
}

/* ---- ended sessions --------------------------------------------------- */

static bool conn_closed(const struct chk_conn *c)
{
	return (c->fin[0] && c->fin[1]) || c->rst[0] || c->rst[1];
}

/* Nothing more can happen to s: every connection is closed and no login
 * can join or reinstate it (logged out, refused, or without an ISID).
 * Sessions in a reinstatement keep pointers to each other: they stay. */
static bool session_over(const struct chk_session *s)
{
	if (s->retired || s->reinstates || s->reinstated_by ||
	    (s->isid_known && !s->closed && !s->login_failed))
		return false;
	for (size_t i = 0; i < s->n_conns; i++)
		if (!conn_closed(s->conns[i]))
			return false;
	return true;
}

static int cmp_conn_seq(const void *a, const void *b)
{
	const struct chk_conn *x = *(struct chk_conn *const *)a;
	const struct chk_conn *y = *(struct chk_conn *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Drop the NULL entries of conns and sessions once they are most of them. */
static void compact_tables(struct chk_engine *e)
{
	if (e->n_dropped_sessions * 2 > e->n_sessions) {
		size_t k = 0;
		for (size_t i = 0; i < e->n_sessions; i++)
			if (e->sessions[i])
				e->sessions[k++] = e->sessions[i];
		e->n_sessions = k;
		e->n_dropped_sessions = 0;
	}
	if (e->n_dropped_conns * 2 <= e->n_conns)
		return;
	size_t k = 0;
	for (size_t i = 0; i < e->n_conns; i++)
		if (e->conns[i])
			e->conns[k++] = e->conns[i];
	e->n_conns = k;
	e->n_dropped_conns = 0;
	memset(e->slots, 0, e->n_slots * sizeof *e->slots);
	for (size_t i = 0; i < e->n_conns; i++) {
		size_t j = hash32(e->conns[i]->id) & (e->n_slots - 1);
		while (e->slots[j])
			j = (j + 1) & (e->n_slots - 1);
		e->slots[j] = (uint32_t)i + 1;
	}
}

/* Forget s and its connections (drop_ended). */
static void drop_session(struct chk_engine *e, struct chk_session *s)
{
	size_t n_live;
	chk_eng_live_sessions(e, &n_live); /* s is no longer in it */
	for (size_t i = 0; i < e->n_conns; i++) {
		struct chk_conn *c = e->conns[i];
		if (c && c->sess == s) {
			free_conn(e, c);
			e->conns[i] = NULL;
			e->n_dropped_conns++;
		}
	}
	for (size_t i = e->n_sessions; i-- > 0;) {
		if (e->sessions[i] == s) {
			e->sessions[i] = NULL;
			e->n_dropped_sessions++;
			break;
		}
	}
	free_session(e, s);
	compact_tables(e);
}

static int export_session(struct chk_engine *e, struct chk_session *s,
			  struct rep_run *run, struct name_set *names);

/* Export s alone and hand it to on_session. */
static void hand_over(struct chk_engine *e, struct chk_session *s)
{
	struct rep_run one;
	rep_run_init(&one, NULL, NULL);
	if (export_session(e, s, &one, &e->names) != CHK_OK ||
	    e->on_session(e->on_session_ctx, &one.sessions[0]) != 0)
		chk_eng_nomem(e);
	rep_run_free(&one);
}

/* Hand over (and forget) the ended sessions nothing open began before. */
static void hand_over_ended(struct chk_engine *e)
{
	while (!e->err) {
		struct chk_session *s = NULL;
		for (size_t i = 0; i < e->n_sessions && !s; i++)
			s = e->sessions[i];
		if (!s || !s->retired)
			return;
		hand_over(e, s);
		if (!e->err)
			drop_session(e, s);
	}
}

/* s has ended: the families judge what they judge at the end, and only
 * what the report needs is kept. */
static void retire_session(struct chk_engine *e, struct chk_session *s)
{
	struct chk_conn *stack[8];
	struct chk_conn **order = stack;
	if (s->n_conns > 8) {
		order = malloc(s->n_conns * sizeof *order);
		if (!order) {
			chk_eng_nomem(e);
			return;
		}
	}
	memcpy(order, s->conns, s->n_conns * sizeof *order);
	qsort(order, s->n_conns, sizeof *order, cmp_conn_seq);
	for (size_t i = 0; i < s->n_conns && !e->err; i++) {
		for (size_t f = 0; f < e->n_fams && !e->err; f++) {
			if (!e->fams[f]->on_end)
				continue;
			struct chk_ctx x = { .eng = e, .fam = f, .sess = s,
					     .conn = order[i] };
			e->fams[f]->on_end(&x);
		}
	}
	if (order != stack)
		free(order);
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		if (!e->fams[f]->on_end)
			continue;
		struct chk_ctx x = { .eng = e, .fam = f, .sess = s };
		e->fams[f]->on_end(&x);
	}
	if (e->err)
		return;
	if (e->drop_ended) {
		drop_session(e, s);
		return;
	}
	for (size_t i = 0; i < s->n_conns; i++) {
		struct chk_conn *c = s->conns[i];
		fam_states_free(e, true, c->fam, &c->fam_block);
		chk_track_conn_free(c);
	}
	fam_states_free(e, false, s->fam, &s->fam_block);
	chk_track_session_shrink(s);
	sparsen_tally(e, s);
	if (e->on_session)
		hand_over_ended(e);
}

/* ---- dispatch --------------------------------------------------------- */

static struct chk_ctx ctx_for(struct chk_engine *e, size_t f,
			      struct chk_session *s, struct chk_conn *c,
			      const struct event *ev)
{
	return (struct chk_ctx){ .eng = e, .fam = f, .sess = s, .conn = c,
				 .ev = ev };
}

void chk_eng_join(struct chk_engine *e, struct chk_conn *c,
		  const struct chk_join *j, const struct event *ev)
{
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		if (!e->fams[f]->on_join)
			continue;
		struct chk_ctx x = ctx_for(e, f, c->sess, c, ev);
		e->fams[f]->on_join(&x, j);
	}
}

void chk_eng_key(struct chk_engine *e, struct chk_conn *c,
		 const struct chk_key *k, const struct event *ev)
{
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		if (!e->fams[f]->on_key)
			continue;
		struct chk_ctx x = ctx_for(e, f, c->sess, c, ev);
		e->fams[f]->on_key(&x, k);
	}
}

void chk_eng_nego(struct chk_engine *e, struct chk_conn *c,
		  const struct chk_nego *n, const struct event *ev)
{
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		if (!e->fams[f]->on_nego)
			continue;
		struct chk_ctx x = ctx_for(e, f, c->sess, c, ev);
		e->fams[f]->on_nego(&x, n);
	}
}

static void dispatch_conn(struct chk_engine *e, struct chk_conn *c,
			  const struct event *ev)
{
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		if (!e->fams[f]->on_conn)
			continue;
		struct chk_ctx x = ctx_for(e, f, c->sess, c, ev);
		e->fams[f]->on_conn(&x);
	}
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Frame the event's bytes into a chk_pdu. */
static void frame_pdu(const struct chk_engine *e, const struct event *ev,
		      struct chk_pdu *p, struct pdu_view *view)
{
	memset(p, 0, sizeof *p);
	p->bytes = ev->bytes;
	p->len = ev->bytes ? ev->len : 0;
	p->dir = ev->dir;
	p->framed = ev->digests;
	p->whole_bhs = p->len >= PDU_BHS_LEN;
	if (!p->whole_bhs) {
		p->parse_rc = PDU_E_TRUNCATED;
		if (p->len)
			p->opcode = p->bytes[0] & 0x3f;
		return;
	}
	pdu_hdr_decode_planned(&e->hdr_plan, p->bytes, &p->h);
	p->opcode = p->h.opcode;
	p->parse_rc = pdu_parse(p->bytes, p->len, ev->digests, view, NULL);
	if (p->parse_rc == PDU_OK || p->parse_rc == PDU_E_HEADER_DIGEST ||
	    p->parse_rc == PDU_E_DATA_DIGEST) {
		p->view = view;
		p->data = view->data;
		p->data_len = view->data ? view->data_len : 0;
	} else {
		size_t off = PDU_BHS_LEN + (size_t)p->bytes[4] * 4 +
			     (ev->digests.header ? PDU_DIGEST_LEN : 0);
		size_t dsl = be24(p->bytes + 5);
		if (off < p->len) {
			p->data = p->bytes + off;
			p->data_len = p->len - off < dsl ? p->len - off : dsl;
		}
	}
	p->numbered = p->dir == EV_DIR_T2I && pdu_is_numbered_response(&p->h);
}

static void on_pdu(struct chk_engine *e, const struct event *ev)
{
	struct chk_conn *c = get_conn(e, ev->conn);
	if (!c)
		return;
	struct pdu_view view;
	struct chk_pdu p;
	frame_pdu(e, ev, &p, &view);
	chk_track_before(e, c, &p, ev);
	if (!c->sess)
		return;
	struct chk_session *s = c->sess;
	if (!c->pdus)
		c->first_frame = ev->frame;
	c->pdus++;
	c->last_frame = ev->frame;
	if (p.whole_bhs)
		s->pdus_by_opcode[p.opcode & 0x3f]++;
	if (s->retired)
		return;  /* after every connection closed: nothing to judge */
	for (size_t f = 0; f < e->n_fams && !e->err; f++) {
		const struct chk_family *fam = e->fams[f];
		if (!fam->on_pdu ||
		    (!p.whole_bhs && !(fam->flags & CHK_FAMILY_F_SHORT)))
			continue;
		struct chk_ctx x = ctx_for(e, f, s, c, ev);
		fam->on_pdu(&x, &p);
	}
	if (p.whole_bhs && !e->err)
		chk_track_pdu(e, c, &p, ev);
}

/* "192.0.2.1:50001 -> 192.0.2.2:3260", or "connection N" when the
 * capture did not show the connection's addresses. */
static void format_endpoints(const struct chk_conn *c, char *out, size_t n)
{
	if (!c->ep_known) {
		snprintf(out, n, "connection %u", c->id);
		return;
	}
	const struct ev_endpoints *ep = &c->ep;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = ep->family == AF_INET6 ? AF_INET6 : AF_INET;
	if (!inet_ntop(af, ep->ini_addr, a, sizeof a))
		snprintf(a, sizeof a, "?");
	if (!inet_ntop(af, ep->tgt_addr, b, sizeof b))
		snprintf(b, sizeof b, "?");
	if (af == AF_INET6)
		snprintf(out, n, "[%s]:%u -> [%s]:%u", a, ep->ini_port, b, ep->tgt_port);
	else
		snprintf(out, n, "%s:%u -> %s:%u", a, ep->ini_port, b, ep->tgt_port);
}

int chk_on_event(void *ctx, const struct event *ev)
{
	struct chk_engine *e = ctx;
	if (e->err)
		return e->err;
	if (e->ended)
		return CHK_ESTATE;
	struct chk_conn *c;
	switch (ev->kind) {
	case EV_PDU:
		on_pdu(e, ev);
		break;
	case EV_CONN_OPEN:
	case EV_CONN_FIN:
	case EV_CONN_RST:
	case EV_GAP:
	case EV_RESYNC:
		c = get_conn(e, ev->conn);
		if (!c)
			break;
		if (ev->kind == EV_CONN_OPEN && ev->ep) {
			c->ep = *ev->ep;
			c->ep_known = true;
		}
		chk_track_conn_event(e, c, ev);
		if (c->sess && !c->sess->retired)
			dispatch_conn(e, c, ev);
		if (c->sess && !e->err && session_over(c->sess))
			retire_session(e, c->sess);
		break;
	case EV_NOTE:
	case EV_FAULT:
		c = find_conn(e, ev->conn);
		if (c && c->sess && ev->text)
			chk_session_note(e, c->sess, "%s on connection %u "
					 "(frame %llu): %s",
					 ev->kind == EV_FAULT ? "fault" : "note",
					 ev->conn, (unsigned long long)ev->frame,
					 ev->text);
		break;
	case EV_WIRE:
		break;
	}
	return e->err;
}

size_t chk_failed_count(struct chk_engine *e)
{
	chk_end(e);
	return e->n_failed;
}

struct ev_observer chk_observer(struct chk_engine *eng)
{
	return (struct ev_observer){ .on_event = chk_on_event, .ctx = eng };
}

int chk_end(struct chk_engine *e)
{
	if (e->ended || e->err)
		return e->err;
	e->ended = true;
	for (size_t i = 0; i < e->n_conns && !e->err; i++) {
		struct chk_conn *c = e->conns[i];
		if (!c || !c->sess || c->sess->retired)
			continue;
		for (size_t f = 0; f < e->n_fams && !e->err; f++) {
			if (!e->fams[f]->on_end)
				continue;
			struct chk_ctx x = ctx_for(e, f, c->sess, c, NULL);
			e->fams[f]->on_end(&x);
		}
	}
	for (size_t i = 0; i < e->n_sessions && !e->err; i++) {
		if (!e->sessions[i] || e->sessions[i]->retired)
			continue;
		for (size_t f = 0; f < e->n_fams && !e->err; f++) {
			if (!e->fams[f]->on_end)
				continue;
			struct chk_ctx x = ctx_for(e, f, e->sessions[i], NULL,
						   NULL);
			e->fams[f]->on_end(&x);
		}
	}
	/* the rest, in the order they began; chk_free() frees them */
	for (size_t i = 0; e->on_session && i < e->n_sessions && !e->err; i++)
		if (e->sessions[i])
			hand_over(e, e->sessions[i]);
	return e->err;
}

/* ---- verdicts --------------------------------------------------------- */

struct chk_where chk_here(const struct chk_ctx *c)
{
	struct chk_where w = { 0 };
	if (c->ev) {
		w.frame = c->ev->frame;
		w.conn = c->ev->conn;
		w.ts_ns = c->ev->ts_ns;
	} else if (c->conn) {
		w.conn = c->conn->id;
	}
	return w;
}

/* The session's tally of a looked-up rule, or NULL when the rule is not
 * counted (unlisted, deselected, session-wide before the leading login). */
static struct tally *tally_of(const struct chk_ctx *c, struct id_slot r)
{
	if (r.rule < 0 || !r.selected || (r.session_wide && !c->sess->leading_login_seen))
		return NULL;
	return &((struct tally *)c->sess->tally)[r.rule];
}

static struct tally *tally_for(const struct chk_ctx *c, const char *id)
{
	struct chk_engine *e = c->eng;
	if (e->err || !c->sess || !c->sess->tally)
		return NULL;
	return tally_of(c, rule_lookup(e, id));
}

void chk_held_row(struct chk_ctx *c, size_t row)
{
	const struct chk_engine *e = c->eng;
	if (e->err || !c->sess || !c->sess->tally || row >= e->fams[c->fam]->n_rules)
		return;
	struct tally *t = tally_of(c, e->fam_rows[c->fam][row]);
	if (t)
		t->held++;
}

bool chk_wanted(const struct chk_ctx *c, const char *id)
{
	return tally_for(c, id) != NULL;
}

void chk_held(struct chk_ctx *c, const char *id)
{
	struct tally *t = tally_for(c, id);
	if (t)
		t->held++;
}

static void vfail(struct chk_ctx *c, const struct chk_where *w,
		  const char *id, const char *field, const char *fmt,
		  va_list ap)
{
	struct tally *t = tally_for(c, id);
	if (!t)
		return;
	if (!t->broken++)
		c->eng->n_failed++;
	if (t->n_ev >= REP_MAX_EVIDENCE)
		return;
	if (!t->ev) {
		t->ev = calloc(REP_MAX_EVIDENCE, sizeof *t->ev);
		if (!t->ev) {
			chk_eng_nomem(c->eng);
			return;
		}
	}
	char buf[EVIDENCE_MSG_LEN];
	vsnprintf(buf, sizeof buf, fmt, ap);
	struct rep_evidence *v = &t->ev[t->n_ev];
	v->frame = w->frame;
	v->conn = w->conn;
	v->ts_ns = w->ts_ns;
	v->field = field ? strdup(field) : NULL;
	v->message = strdup(buf);
	if ((field && !v->field) || !v->message) {
		free(v->field);
		free(v->message);
		v->field = v->message = NULL;
		chk_eng_nomem(c->eng);
		return;
	}
	t->n_ev++;
}

void chk_fail(struct chk_ctx *c, const char *id, const char *field,
	      const char *fmt, ...)
{
	struct chk_where w = chk_here(c);
	va_list ap;
	va_start(ap, fmt);
	vfail(c, &w, id, field, fmt, ap);
	va_end(ap);
}

void chk_fail_at(struct chk_ctx *c, const struct chk_where *w,
		 const char *id, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(c, w, id, field, fmt, ap);
	va_end(ap);
}

void chk_unjudged(struct chk_ctx *c, const char *id, const char *fmt, ...)
{
	struct tally *t = tally_for(c, id);
	if (!t || t->reason)
		return;
	char buf[EVIDENCE_MSG_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	t->reason = strdup(buf);
	if (!t->reason)
		chk_eng_nomem(c->eng);
}

void chk_note(struct chk_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	chk_session_vnote(c->eng, c->sess, fmt, ap);
	va_end(ap);
}

void *chk_sstate(const struct chk_ctx *c)
{
	return c->sess ? c->sess->fam[c->fam] : NULL;
}

void *chk_cstate(const struct chk_ctx *c)
{
	return c->conn ? c->conn->fam[c->fam] : NULL;
}

void *chk_cstate_of(const struct chk_ctx *c, const struct chk_conn *conn)
{
	return conn ? conn->fam[c->fam] : NULL;
}

/* ---- export ----------------------------------------------------------- */

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void session_name(const struct chk_session *s, char *buf, size_t n)
{
	if (s->unknown) {
		snprintf(buf, n, "unknown session on connection %u",
			 s->unknown_conn);
		return;
	}
	unsigned long long isid = 0;
	for (int i = 0; i < 6; i++)
		isid = isid << 8 | s->isid[i];
	int len = snprintf(buf, n, "%s ISID 0x%012llx TSIH 0x%04x -> %s",
			   s->initiator ? s->initiator : "?", isid,
			   s->tsih_known ? s->tsih : 0,
			   s->target ? s->target : "?");
	if (len < 0 || (size_t)len >= n)
		return;
	if (s->login_failed)
		snprintf(buf + len, n - (size_t)len,
			 " (login refused, status 0x%02x%02x)", s->fail_class,
			 s->fail_detail);
	else if (!s->leading_login_seen)
		snprintf(buf + len, n - (size_t)len, " (login not in capture)");
}

static const char *conn_end(const struct chk_conn *c)
{
	if (c->rst[EV_DIR_T2I])
		return "RST by target";
	if (c->rst[EV_DIR_I2T])
		return "RST by initiator";
	if (c->logged_out && (c->fin[0] || c->fin[1]))
		return "logged out, FIN";
	if (c->fin[EV_DIR_T2I] && c->fin[EV_DIR_I2T])
		return "FIN";
	if (c->fin[EV_DIR_T2I])
		return "FIN by target (half closed)";
	if (c->fin[EV_DIR_I2T])
		return "FIN by initiator (half closed)";
	if (c->login_failed)
		return "login refused, open at end of capture";
	if (c->replaced_by)
		return "reinstated by another connection";
	return "open at end of capture";
}

static int export_verdicts(struct chk_engine *e, struct chk_session *s,
			   struct rep_session *rs)
{
	static const struct tally unused;
	const struct sparse_tally *sp = s->retired ? s->tally : NULL;
	size_t next = 0;             /* in sp */
	for (size_t k = 0; k < e->n_rules; k++) {
		const struct rule_ent *re = &e->rules[k];
		const struct tally *t = &unused;
		if (!sp)
			t = &((const struct tally *)s->tally)[k];
		else if (next < sp->n && sp->ent[next].rule == k)
			t = &sp->ent[next++].t;
		if (!e->fam_shown[re->fam])
			continue;
		const struct chk_rule *r = re->rule;
		struct rep_verdict v;
		char reason[EVIDENCE_MSG_LEN];
		memset(&v, 0, sizeof v);
		v.id = (char *)re->id;
		v.family = (char *)e->fams[re->fam]->name;
		v.severity = (char *)r->severity;
		v.summary = (char *)r->summary;
		v.held = t->held;
		v.broken = t->broken;
		reason[0] = '\0';
		if (!re->selected) {
			v.result = REP_SKIP;
			snprintf(reason, sizeof reason,
				 "deselected by the rule selection");
		} else if (t->broken) {
			v.result = REP_FAIL;
			if (t->n_ev)
				memcpy(v.evidence, t->ev,
				       t->n_ev * sizeof t->ev[0]);
			v.n_evidence = t->n_ev;
		} else if ((r->flags & CHK_RULE_SESSION) &&
			   !s->leading_login_seen) {
			v.result = REP_NOT_OBSERVED;
			snprintf(reason, sizeof reason, "%s",
				 s->unknown ? "login not in capture: a "
				 "session-wide rule needs the session's login"
				 : "login not in capture: the login that "
				 "created the session is missing, so "
				 "session-wide state is unknown");
		} else if (t->held && !(r->flags & CHK_RULE_PARTIAL)) {
			v.result = REP_PASS;
		} else if (t->held) {
			v.result = REP_NOT_OBSERVED;
			snprintf(reason, sizeof reason,
				 "held the %llu time(s) a capture can show it; "
				 "the rest of the rule needs a live run",
				 (unsigned long long)t->held);
		} else {
			v.result = REP_NOT_OBSERVED;
			snprintf(reason, sizeof reason, "%s",
				 t->reason ? t->reason
				 : r->unseen ? r->unseen
				 : "its situation did not occur in the capture");
		}
		v.reason = reason[0] ? reason : NULL;
		if (rep_session_add_verdict(rs, &v) != REP_OK)
			return CHK_ENOMEM;
	}
	rep_session_sort(rs);
	return CHK_OK;
}

/* The names exported (by one chk_export() call, or handed over one at a
 * time: struct name_set above), to tell equal ones apart: their 64-bit
 * hashes, so a long run keeps 16 bytes a session, not the names. */

static uint64_t hash_str(const char *p)
{
	uint64_t h = 1469598103934665603ull;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h ? h : 1;
}

static bool name_seen(const struct name_set *ns, const char *name)
{
	if (!ns->cap)
		return false;
	uint64_t h = hash_str(name);
	for (size_t i = h & (ns->cap - 1);; i = (i + 1) & (ns->cap - 1)) {
		if (!ns->slots[i])
			return false;
		if (ns->slots[i] == h)
			return true;
	}
}

static void name_put(uint64_t *slots, size_t cap, uint64_t h)
{
	size_t i = h & (cap - 1);
	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = h;
}

static int name_add(struct name_set *ns, const char *name)
{
	if ((ns->n + 1) * 2 > ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		uint64_t *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return CHK_ENOMEM;
		for (size_t i = 0; i < ns->cap; i++)
			if (ns->slots[i])
				name_put(slots, cap, ns->slots[i]);
		free(ns->slots);
		ns->slots = slots;
		ns->cap = cap;
	}
	name_put(ns->slots, ns->cap, hash_str(name));
	ns->n++;
	return CHK_OK;
}

static int export_session(struct chk_engine *e, struct chk_session *s,
			  struct rep_run *run, struct name_set *names)
{
	char name[640];
	session_name(s, name, sizeof name);
	if (name_seen(names, name)) {
		size_t len = strlen(name);
		snprintf(name + len, sizeof name - len, " #%zu", s->index + 1);
	}
	struct rep_session *rs = rep_run_add_session(run, name);
	if (!rs || name_add(names, rs->name) != CHK_OK)
		return CHK_ENOMEM;
	rs->initiator = dupstr(s->initiator);
	rs->target = dupstr(s->target);
	memcpy(rs->isid, s->isid, sizeof rs->isid);
	rs->tsih = s->tsih_known ? s->tsih : 0;
	const char *type = s->type == CHK_TYPE_NORMAL ? "Normal"
			   : s->type == CHK_TYPE_DISCOVERY ? "Discovery" : NULL;
	rs->type = dupstr(type);
	if ((s->initiator && !rs->initiator) || (s->target && !rs->target) ||
	    (type && !rs->type))
		return CHK_ENOMEM;
	memcpy(rs->pdus_by_opcode, s->pdus_by_opcode,
	       sizeof rs->pdus_by_opcode);
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct chk_conn *c = s->conns[i];
		char endpoints[2 * INET6_ADDRSTRLEN + 32];
		format_endpoints(c, endpoints, sizeof endpoints);
		struct rep_conn rc = {
			.conn = c->id, .cid = c->cid,
			.endpoints = endpoints, .pdus = c->pdus,
			.first_frame = c->first_frame,
			.last_frame = c->last_frame,
			.end = (char *)conn_end(c),
		};
		if (rep_session_add_conn(rs, &rc) != REP_OK)
			return CHK_ENOMEM;
	}
	for (size_t i = 0; i < s->keys.n; i++)
		if (rep_session_add_key(rs, s->keys.keys[i],
					s->keys.values[i]) != REP_OK)
			return CHK_ENOMEM;
	for (size_t i = 0; i < s->n_notes; i++)
		if (rep_session_add_note(rs, s->notes[i]) != REP_OK)
			return CHK_ENOMEM;
	if (s->notes_dropped) {
		snprintf(name, sizeof name, "(%llu more notes not kept)",
			 (unsigned long long)s->notes_dropped);
		if (rep_session_add_note(rs, name) != REP_OK)
			return CHK_ENOMEM;
	}
	return export_verdicts(e, s, rs);
}

int chk_export(struct chk_engine *e, struct rep_run *run)
{
	int rc = chk_end(e);
	if (rc != CHK_OK || e->on_session)
		return rc;
	struct name_set names = { 0 };
	for (size_t i = 0; i < e->n_sessions && rc == CHK_OK; i++)
		if (e->sessions[i])
			rc = export_session(e, e->sessions[i], run, &names);
	free(names.slots);
	return rc;
}
