/* report.c — building, sorting, counting and freeing the report model of
 * report.h. Every string is copied in; every array is grown here only, in
 * powers of two (capacity follows from the count, so the model carries no
 * capacity fields). Sessions may also be spooled to a temporary file and
 * read back one at a time (a run of any size in flat memory). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Room for element n (0-based) in an array of n elements grown only here:
 * capacities are 0, 1, 2, 4, 8 ..., so a new block is due exactly when n
 * is 0 or a power of two. Returns 0 or REP_ENOMEM (the array unchanged). */
static int grow(void **arr, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return 0;
	size_t cap = n ? n * 2 : 1;
	if (cap < n || cap > SIZE_MAX / size)
		return REP_ENOMEM;
	void *p = realloc(*arr, cap * size);
	if (!p)
		return REP_ENOMEM;
	*arr = p;
	return 0;
}

/* A copy of s, NULL for NULL; *bad is set when the copy failed. */
static char *copy(const char *s, bool *bad)
{
	if (!s)
		return NULL;
	char *c = strdup(s);
	if (!c)
		*bad = true;
	return c;
}

void rep_run_init(struct rep_run *run, const char *tool, const char *version)
{
	bool bad = false;
	if (!run)
		return;
	memset(run, 0, sizeof *run);
	run->tool = copy(tool, &bad);
	run->version = copy(version, &bad);
}

static void free_verdict(struct rep_verdict *v)
{
	free(v->id);
	free(v->family);
	free(v->severity);
	free(v->summary);
	free(v->reason);
	for (size_t i = 0; i < v->n_evidence && i < REP_MAX_EVIDENCE; i++) {
		free(v->evidence[i].field);
		free(v->evidence[i].message);
	}
}

static void free_session(struct rep_session *s)
{
	free(s->name);
	free(s->initiator);
	free(s->target);
	free(s->type);
	for (size_t i = 0; i < s->n_conns; i++) {
		free(s->conns[i].endpoints);
		free(s->conns[i].end);
	}
	free(s->conns);
	for (size_t i = 0; i < s->n_keys; i++) {
		free(s->keys[i].key);
		free(s->keys[i].value);
	}
	free(s->keys);
	for (size_t i = 0; i < s->n_verdicts; i++)
		free_verdict(&s->verdicts[i]);
	free(s->verdicts);
	free(s->notes);
}

void rep_run_free(struct rep_run *run)
{
	if (!run)
		return;
	free(run->tool);
	free(run->version);
	for (size_t i = 0; i < run->n_inputs; i++)
		free(run->inputs[i]);
	free(run->inputs);
	for (size_t i = 0; i < run->n_sessions; i++)
		free_session(&run->sessions[i]);
	free(run->sessions);
	for (size_t i = 0; i < run->n_problems; i++) {
		free(run->problems[i].file);
		free(run->problems[i].message);
	}
	free(run->problems);
	if (run->spool)
		fclose(run->spool);
	memset(run, 0, sizeof *run);
}

/* ---- the spool: sessions as records of a temporary file ---------------- */

#define NO_STRING UINT64_MAX

static void put_u64(FILE *f, uint64_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

static void put_str(FILE *f, const char *s)
{
	if (!s) {
		put_u64(f, NO_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u64(f, n);
	fwrite(s, 1, n, f);
}

static void put_session(FILE *f, const struct rep_session *s)
{
	put_str(f, s->name);
	put_str(f, s->initiator);
	put_str(f, s->target);
	fwrite(s->isid, 1, sizeof s->isid, f);
	put_u64(f, s->tsih);
	put_str(f, s->type);
	put_u64(f, s->n_conns);
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct rep_conn *c = &s->conns[i];
		put_u64(f, c->conn);
		put_u64(f, (uint64_t)(int64_t)c->cid);
		put_str(f, c->endpoints);
		put_u64(f, c->pdus);
		put_u64(f, c->first_frame);
		put_u64(f, c->last_frame);
		put_str(f, c->end);
	}
	fwrite(s->pdus_by_opcode, sizeof s->pdus_by_opcode, 1, f);
	put_u64(f, s->n_keys);
	for (size_t i = 0; i < s->n_keys; i++) {
		put_str(f, s->keys[i].key);
		put_str(f, s->keys[i].value);
	}
	put_u64(f, s->n_verdicts);
	for (size_t i = 0; i < s->n_verdicts; i++) {
		const struct rep_verdict *v = &s->verdicts[i];
		put_str(f, v->id);
		put_str(f, v->family);
		put_str(f, v->severity);
		put_str(f, v->summary);
		put_u64(f, (uint64_t)v->result);
		put_u64(f, v->held);
		put_u64(f, v->broken);
		put_str(f, v->reason);
		size_t ne = v->n_evidence < REP_MAX_EVIDENCE ? v->n_evidence : REP_MAX_EVIDENCE;
		put_u64(f, ne);
		for (size_t k = 0; k < ne; k++) {
			const struct rep_evidence *e = &v->evidence[k];
			put_u64(f, e->frame);
			put_u64(f, e->conn);
			put_u64(f, (uint64_t)e->ts_ns);
			put_str(f, e->field);
			put_str(f, e->message);
		}
	}
	put_str(f, s->notes);
}

/* Reading back: every getter leaves *bad set on a short read or no memory
 * (and returns 0 / NULL), so a record is read to its end and checked once. */
struct reader {
	FILE *f;
	int err;                     /* 0, REP_EIO or REP_ENOMEM */
};

static uint64_t get_u64(struct reader *r)
{
	uint64_t v = 0;
	if (!r->err && fread(&v, sizeof v, 1, r->f) != 1)
		r->err = REP_EIO;
	return r->err ? 0 : v;
}

static char *get_str(struct reader *r)
{
	uint64_t n = get_u64(r);
	if (r->err || n == NO_STRING)
		return NULL;
	char *s = n < SIZE_MAX ? malloc((size_t)n + 1) : NULL;
	if (!s) {
		r->err = REP_ENOMEM;
		return NULL;
	}
	if (fread(s, 1, (size_t)n, r->f) != n) {
		free(s);
		r->err = REP_EIO;
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* An array of n elements of size (zeroed), n as read from the spool. */
static void *get_array(struct reader *r, uint64_t n, size_t size)
{
	if (r->err || n == 0)
		return NULL;
	void *p = n < SIZE_MAX / size ? calloc((size_t)n, size) : NULL;
	if (!p)
		r->err = REP_ENOMEM;
	return p;
}

static void get_session(struct reader *r, struct rep_session *s)
{
	memset(s, 0, sizeof *s);
	s->name = get_str(r);
	s->initiator = get_str(r);
	s->target = get_str(r);
	if (!r->err && fread(s->isid, 1, sizeof s->isid, r->f) != sizeof s->isid)
		r->err = REP_EIO;
	s->tsih = (uint16_t)get_u64(r);
	s->type = get_str(r);
	uint64_t n = get_u64(r);
	s->conns = get_array(r, n, sizeof *s->conns);
	for (size_t i = 0; s->conns && i < n && !r->err; i++) {
		struct rep_conn *c = &s->conns[i];
		s->n_conns = i + 1;
		c->conn = (uint32_t)get_u64(r);
		c->cid = (int)(int64_t)get_u64(r);
		c->endpoints = get_str(r);
		c->pdus = get_u64(r);
		c->first_frame = get_u64(r);
		c->last_frame = get_u64(r);
		c->end = get_str(r);
	}
	if (!r->err && fread(s->pdus_by_opcode, sizeof s->pdus_by_opcode, 1, r->f) != 1)
		r->err = REP_EIO;
	n = get_u64(r);
	s->keys = get_array(r, n, sizeof *s->keys);
	for (size_t i = 0; s->keys && i < n && !r->err; i++) {
		s->n_keys = i + 1;
		s->keys[i].key = get_str(r);
		s->keys[i].value = get_str(r);
	}
	n = get_u64(r);
	s->verdicts = get_array(r, n, sizeof *s->verdicts);
	for (size_t i = 0; s->verdicts && i < n && !r->err; i++) {
		struct rep_verdict *v = &s->verdicts[i];
		s->n_verdicts = i + 1;
		v->id = get_str(r);
		v->family = get_str(r);
		v->severity = get_str(r);
		v->summary = get_str(r);
		v->result = (enum rep_result)get_u64(r);
		v->held = get_u64(r);
		v->broken = get_u64(r);
		v->reason = get_str(r);
		uint64_t ne = get_u64(r);
		if (ne > REP_MAX_EVIDENCE)
			r->err = REP_EIO;
		for (size_t k = 0; k < ne && !r->err; k++) {
			struct rep_evidence *e = &v->evidence[k];
			v->n_evidence = k + 1;
			e->frame = get_u64(r);
			e->conn = (uint32_t)get_u64(r);
			e->ts_ns = (int64_t)get_u64(r);
			e->field = get_str(r);
			e->message = get_str(r);
		}
	}
	s->notes = get_str(r);
}

int rep_run_spool(struct rep_run *run, const struct rep_session *s)
{
	if (!run || !s)
		return REP_EINVAL;
	if (!run->spool) {
		run->spool = tmpfile();
		if (!run->spool)
			return REP_EIO;
	}
	put_session(run->spool, s);
	if (ferror(run->spool))
		return REP_EIO;
	struct rep_totals t = rep_session_totals(s);
	run->spooled.pass += t.pass;
	run->spooled.fail += t.fail;
	run->spooled.not_observed += t.not_observed;
	run->spooled.skip += t.skip;
	run->spooled.verdicts += s->n_verdicts;
	run->n_spooled++;
	return REP_OK;
}

size_t rep_run_session_count(const struct rep_run *run)
{
	return run ? run->n_sessions + run->n_spooled : 0;
}

int rep_run_each_session(const struct rep_run *run,
			 int (*fn)(void *ctx, const struct rep_session *s, size_t index),
			 void *ctx)
{
	if (!run || !fn)
		return REP_EINVAL;
	for (size_t i = 0; i < run->n_sessions; i++) {
		int rc = fn(ctx, &run->sessions[i], i);
		if (rc)
			return rc;
	}
	if (!run->n_spooled)
		return REP_OK;
	struct reader r = { .f = run->spool };
	if (fflush(r.f) != 0 || fseek(r.f, 0, SEEK_SET) != 0)
		return REP_EIO;
	for (size_t i = 0; i < run->n_spooled; i++) {
		struct rep_session s;
		get_session(&r, &s);
		int rc = r.err ? r.err : fn(ctx, &s, run->n_sessions + i);
		free_session(&s);
		if (rc)
			return rc;
	}
	/* writing more appends after the sessions read back */
	return fseek(r.f, 0, SEEK_END) != 0 ? REP_EIO : REP_OK;
}

int rep_run_add_input(struct rep_run *run, const char *input)
{
	if (!run || !input)
		return REP_EINVAL;
	if (grow((void **)&run->inputs, run->n_inputs, sizeof *run->inputs))
		return REP_ENOMEM;
	char *c = strdup(input);
	if (!c)
		return REP_ENOMEM;
	run->inputs[run->n_inputs++] = c;
	return 0;
}

int rep_run_add_problem(struct rep_run *run, const char *file, uint64_t frame,
			uint64_t offset, const char *message)
{
	if (!run)
		return REP_EINVAL;
	if (grow((void **)&run->problems, run->n_problems, sizeof *run->problems))
		return REP_ENOMEM;
	bool bad = false;
	struct rep_problem p = {
		.file = copy(file, &bad),
		.frame = frame,
		.offset = offset,
		.message = copy(message, &bad),
	};
	if (bad) {
		free(p.file);
		free(p.message);
		return REP_ENOMEM;
	}
	run->problems[run->n_problems++] = p;
	return 0;
}

struct rep_session *rep_run_add_session(struct rep_run *run, const char *name)
{
	if (!run)
		return NULL;
	if (grow((void **)&run->sessions, run->n_sessions, sizeof *run->sessions))
		return NULL;
	bool bad = false;
	char *n = copy(name, &bad);
	if (bad)
		return NULL;
	struct rep_session *s = &run->sessions[run->n_sessions++];
	memset(s, 0, sizeof *s);
	s->name = n;
	return s;
}

int rep_session_add_conn(struct rep_session *s, const struct rep_conn *c)
{
	if (!s || !c)
		return REP_EINVAL;
	if (grow((void **)&s->conns, s->n_conns, sizeof *s->conns))
		return REP_ENOMEM;
	bool bad = false;
	struct rep_conn n = *c;
	n.endpoints = copy(c->endpoints, &bad);
	n.end = copy(c->end, &bad);
	if (bad) {
		free(n.endpoints);
		free(n.end);
		return REP_ENOMEM;
	}
	s->conns[s->n_conns++] = n;
	return 0;
}

int rep_session_add_key(struct rep_session *s, const char *key, const char *value)
{
	if (!s || !key)
		return REP_EINVAL;
	if (grow((void **)&s->keys, s->n_keys, sizeof *s->keys))
		return REP_ENOMEM;
	bool bad = false;
	struct rep_key k = { .key = copy(key, &bad), .value = copy(value, &bad) };
	if (bad) {
		free(k.key);
		free(k.value);
		return REP_ENOMEM;
	}
	s->keys[s->n_keys++] = k;
	return 0;
}

int rep_session_add_note(struct rep_session *s, const char *note)
{
	if (!s || !note)
		return REP_EINVAL;
	size_t had = s->notes ? strlen(s->notes) : 0;
	size_t add = strlen(note);
	if (add > SIZE_MAX - had - 2)
		return REP_ENOMEM;
	char *n = realloc(s->notes, had + add + 2);
	if (!n)
		return REP_ENOMEM;
	if (had)
		n[had++] = '\n';
	memcpy(n + had, note, add + 1);
	s->notes = n;
	return 0;
}

/* "SEQ-009" -> "seq": the ID up to its last '-', in lower case. */
static char *family_of(const char *id)
{
	const char *dash = strrchr(id, '-');
	size_t len = dash ? (size_t)(dash - id) : strlen(id);
	char *f = malloc(len + 1);
	if (!f)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		f[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	f[len] = '\0';
	return f;
}

struct rep_verdict *rep_session_find_verdict(struct rep_session *s, const char *id)
{
	if (!s || !id)
		return NULL;
	for (size_t i = 0; i < s->n_verdicts; i++) {
		if (s->verdicts[i].id && s->verdicts[i].id[0] == id[0] &&
		    strcmp(s->verdicts[i].id, id) == 0)
			return &s->verdicts[i];
	}
	return NULL;
}

int rep_session_add_verdict(struct rep_session *s, const struct rep_verdict *v)
{
	if (!s || !v || !v->id)
		return REP_EINVAL;
	switch (v->result) {
	case REP_PASS:
	case REP_FAIL:
	case REP_NOT_OBSERVED:
	case REP_SKIP:
		break;
	default:
		return REP_EINVAL;
	}
	if (rep_session_find_verdict(s, v->id))
		return REP_EINVAL;
	if (grow((void **)&s->verdicts, s->n_verdicts, sizeof *s->verdicts))
		return REP_ENOMEM;

	bool bad = false;
	struct rep_verdict n;
	memset(&n, 0, sizeof n);
	n.result = v->result;
	n.held = v->held;
	n.broken = v->broken;
	n.id = copy(v->id, &bad);
	if (v->family) {
		n.family = copy(v->family, &bad);
	} else {
		n.family = family_of(v->id);
		if (!n.family)
			bad = true;
	}
	n.severity = copy(v->severity, &bad);
	n.summary = copy(v->summary, &bad);
	n.reason = copy(v->reason, &bad);
	n.n_evidence = v->n_evidence < REP_MAX_EVIDENCE ? v->n_evidence : REP_MAX_EVIDENCE;
	for (size_t i = 0; i < n.n_evidence; i++) {
		const struct rep_evidence *e = &v->evidence[i];
		n.evidence[i].frame = e->frame;
		n.evidence[i].conn = e->conn;
		n.evidence[i].ts_ns = e->ts_ns;
		n.evidence[i].field = copy(e->field, &bad);
		n.evidence[i].message = copy(e->message, &bad);
	}
	if (bad) {
		free_verdict(&n);
		return REP_ENOMEM;
	}
	s->verdicts[s->n_verdicts++] = n;
	return 0;
}

static const char *const areas[] = {
	"PDU", "LOGIN", "SEQ", "MCS", "ERL0", "ERL1", "ERL2",
	"TMF", "TEXT", "REJECT", "ASYNC", "LOGOUT",
};
#define N_AREAS (sizeof areas / sizeof areas[0])

void rep_id_key(const char *id, struct rep_id_key *k)
{
	*k = (struct rep_id_key){ .id = id, .area = id, .area_len = strlen(id) };
	const char *dash = strrchr(id, '-');
	if (dash && dash[1]) {
		const char *d = dash + 1;
		size_t n = strspn(d, "0123456789");
		if (d[n] == '\0') {
			k->area_len = (size_t)(dash - id);
			while (*d == '0')
				d++;
			k->num = d;
			k->num_len = strlen(d);
		}
	}
	k->rank = N_AREAS;
	for (size_t i = 0; i < N_AREAS; i++) {
		if (strlen(areas[i]) == k->area_len &&
		    memcmp(areas[i], k->area, k->area_len) == 0) {
			k->rank = i;
			break;
		}
	}
}

int rep_id_key_compare(const struct rep_id_key *x, const struct rep_id_key *y)
{
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->rank == N_AREAS) {
		size_t m = x->area_len < y->area_len ? x->area_len : y->area_len;
		int c = memcmp(x->area, y->area, m);
		if (c)
			return c;
		if (x->area_len != y->area_len)
			return x->area_len < y->area_len ? -1 : 1;
	}
	/* A numbered ID before an unnumbered one of the same area. */
	if (!x->num || !y->num) {
		if (x->num != y->num)
			return x->num ? -1 : 1;
	} else if (x->num_len != y->num_len) {
		return x->num_len < y->num_len ? -1 : 1;
	} else {
		int c = memcmp(x->num, y->num, x->num_len);
		if (c)
			return c;
	}
	return strcmp(x->id, y->id);
}

int rep_id_compare(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);
	struct rep_id_key x, y;
	rep_id_key(a, &x);
	rep_id_key(b, &y);
	return rep_id_key_compare(&x, &y);
}

static int cmp_verdicts(const void *pa, const void *pb)
{
	const struct rep_verdict *a = pa, *b = pb;
	return rep_id_compare(a->id, b->id);
}

void rep_session_sort(struct rep_session *s)
{
	if (!s)
		return;
	size_t i = 1;
	while (i < s->n_verdicts &&
	       cmp_verdicts(&s->verdicts[i - 1], &s->verdicts[i]) <= 0)
		i++;
	if (i < s->n_verdicts)  /* not sorted yet (the engine adds in order) */
		qsort(s->verdicts, s->n_verdicts, sizeof *s->verdicts, cmp_verdicts);
}

void rep_run_sort(struct rep_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->n_sessions; i++)
		rep_session_sort(&run->sessions[i]);
}

struct rep_totals rep_session_totals(const struct rep_session *s)
{
	struct rep_totals t = { 0 };
	if (!s)
		return t;
	for (size_t i = 0; i < s->n_verdicts; i++) {
		switch (s->verdicts[i].result) {
		case REP_PASS: t.pass++; break;
		case REP_FAIL: t.fail++; break;
		case REP_NOT_OBSERVED: t.not_observed++; break;
		case REP_SKIP: t.skip++; break;
		}
	}
	return t;
}

struct rep_totals rep_run_totals(const struct rep_run *run)
{
	struct rep_totals t = { 0 };
	if (!run)
		return t;
	for (size_t i = 0; i < run->n_sessions; i++) {
		struct rep_totals s = rep_session_totals(&run->sessions[i]);
		t.pass += s.pass;
		t.fail += s.fail;
		t.not_observed += s.not_observed;
		t.skip += s.skip;
	}
	t.pass += run->spooled.pass;
	t.fail += run->spooled.fail;
	t.not_observed += run->spooled.not_observed;
	t.skip += run->spooled.skip;
	t.problems = run->n_problems;
	return t;
}

int rep_run_exit_status(const struct rep_run *run)
{
	struct rep_totals t = rep_run_totals(run);
	if (t.problems)
		return 2;
	return t.fail ? 1 : 0;
}

const char *rep_result_name(enum rep_result r)
{
	switch (r) {
	case REP_PASS: return "PASS";
	case REP_FAIL: return "FAIL";
	case REP_NOT_OBSERVED: return "NOT-OBSERVED";
	case REP_SKIP: return "SKIP";
	}
	return "UNKNOWN";
}
