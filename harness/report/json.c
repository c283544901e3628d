/* json.c — the report as one JSON object, schema "iscsi-harness-report/1"
 * (harness/report/SCHEMA.md documents every key). Keys come in a fixed
 * order and the output is indented by two spaces, so the same run always
 * gives the same bytes. Strings are escaped by escape.c: the output is
 * valid JSON (and valid UTF-8) whatever bytes the model holds. */
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "pdu/pdu.h"
#include "report.h"

static void ind(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

/* A key at depth, with the comma that separates it from the one before. */
static void key(FILE *out, int depth, bool first, const char *k)
{
	if (!first)
		fputc(',', out);
	fputc('\n', out);
	ind(out, depth);
	rep_json_string(out, k);
	fputs(": ", out);
}

static void kv_str(FILE *out, int depth, bool first, const char *k, const char *v)
{
	key(out, depth, first, k);
	rep_json_string(out, v);
}

static void kv_u64(FILE *out, int depth, bool first, const char *k, uint64_t v)
{
	key(out, depth, first, k);
	fprintf(out, "%" PRIu64, v);
}

/* An unsigned number, or null when 0 means "not known". */
static void kv_u64_or_null(FILE *out, int depth, bool first, const char *k, uint64_t v)
{
	key(out, depth, first, k);
	if (v)
		fprintf(out, "%" PRIu64, v);
	else
		fputs("null", out);
}

static void kv_i64_or_null(FILE *out, int depth, bool first, const char *k, int64_t v)
{
	key(out, depth, first, k);
	if (v)
		fprintf(out, "%" PRId64, v);
	else
		fputs("null", out);
}

/* Start the element of an array at depth (comma, newline, indent). */
static void elem(FILE *out, int depth, bool first)
{
	if (!first)
		fputc(',', out);
	fputc('\n', out);
	ind(out, depth);
}

/* Close an array or object opened at depth that had n members. */
static void close_at(FILE *out, int depth, size_t n, char c)
{
	if (n) {
		fputc('\n', out);
		ind(out, depth);
	}
	fputc(c, out);
}

static void write_totals(FILE *out, int depth, const struct rep_totals *t,
			 size_t sessions, bool run_level)
{
	fputc('{', out);
	if (run_level)
		kv_u64(out, depth + 1, true, "sessions", sessions);
	kv_u64(out, depth + 1, !run_level, "verdicts",
	       t->pass + t->fail + t->not_observed + t->skip);
	kv_u64(out, depth + 1, false, "pass", t->pass);
	kv_u64(out, depth + 1, false, "fail", t->fail);
	kv_u64(out, depth + 1, false, "not_observed", t->not_observed);
	kv_u64(out, depth + 1, false, "skip", t->skip);
	if (run_level)
		kv_u64(out, depth + 1, false, "problems", t->problems);
	close_at(out, depth, 1, '}');
}

static void write_conn(FILE *out, int depth, const struct rep_conn *c)
{
	fputc('{', out);
	kv_u64(out, depth + 1, true, "conn", c->conn);
	key(out, depth + 1, false, "cid");
	if (c->cid >= 0)
		fprintf(out, "%d", c->cid);
	else
		fputs("null", out);
	kv_str(out, depth + 1, false, "endpoints", c->endpoints);
	kv_u64(out, depth + 1, false, "pdus", c->pdus);
	kv_u64_or_null(out, depth + 1, false, "first_frame", c->first_frame);
	kv_u64_or_null(out, depth + 1, false, "last_frame", c->last_frame);
	kv_str(out, depth + 1, false, "end", c->end);
	close_at(out, depth, 1, '}');
}

static void write_evidence(FILE *out, int depth, const struct rep_evidence *e)
{
	fputc('{', out);
	kv_u64_or_null(out, depth + 1, true, "frame", e->frame);
	kv_u64(out, depth + 1, false, "conn", e->conn);
	kv_i64_or_null(out, depth + 1, false, "ts_ns", e->ts_ns);
	kv_str(out, depth + 1, false, "field", e->field);
	kv_str(out, depth + 1, false, "message", e->message);
	close_at(out, depth, 1, '}');
}

static void write_verdict(FILE *out, int depth, const struct rep_verdict *v)
{
	fputc('{', out);
	kv_str(out, depth + 1, true, "id", v->id);
	kv_str(out, depth + 1, false, "family", v->family);
	kv_str(out, depth + 1, false, "severity", v->severity);
	kv_str(out, depth + 1, false, "summary", v->summary);
	kv_str(out, depth + 1, false, "result", rep_result_name(v->result));
	kv_u64(out, depth + 1, false, "held", v->held);
	kv_u64(out, depth + 1, false, "broken", v->broken);
	kv_str(out, depth + 1, false, "reason", v->reason);
	key(out, depth + 1, false, "evidence");
	fputc('[', out);
	size_t n = v->n_evidence < REP_MAX_EVIDENCE ? v->n_evidence : REP_MAX_EVIDENCE;
	for (size_t i = 0; i < n; i++) {
		elem(out, depth + 2, i == 0);
		write_evidence(out, depth + 2, &v->evidence[i]);
	}
	close_at(out, depth + 1, n, ']');
	close_at(out, depth, 1, '}');
}

static void write_notes(FILE *out, int depth, const char *notes)
{
	fputc('[', out);
	size_t n = 0;
	const char *p = notes;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		elem(out, depth + 1, n == 0);
		fputc('"', out);
		rep_esc_write(out, p, len, REP_ESC_JSON);
		fputc('"', out);
		n++;
		p += len;
		if (*p == '\n')
			p++;
	}
	close_at(out, depth, n, ']');
}

static void write_session(FILE *out, int depth, const struct rep_session *s)
{
	int d = depth + 1;
	char isid[16];
	snprintf(isid, sizeof isid, "0x%02x%02x%02x%02x%02x%02x", s->isid[0], s->isid[1],
		 s->isid[2], s->isid[3], s->isid[4], s->isid[5]);

	fputc('{', out);
	kv_str(out, d, true, "name", s->name);
	kv_str(out, d, false, "initiator", s->initiator);
	kv_str(out, d, false, "target", s->target);
	kv_str(out, d, false, "isid", isid);
	kv_u64(out, d, false, "tsih", s->tsih);
	kv_str(out, d, false, "type", s->type);

	key(out, d, false, "connections");
	fputc('[', out);
	for (size_t i = 0; i < s->n_conns; i++) {
		elem(out, d + 1, i == 0);
		write_conn(out, d + 1, &s->conns[i]);
	}
	close_at(out, d, s->n_conns, ']');

	key(out, d, false, "pdus_by_opcode");
	fputc('{', out);
	size_t n = 0;
	for (unsigned op = 0; op < 64; op++) {
		if (s->pdus_by_opcode[op] == 0)
			continue;
		char buf[24];
		kv_u64(out, d + 1, n == 0, pdu_opcode_name((uint8_t)op, buf),
		       s->pdus_by_opcode[op]);
		n++;
	}
	close_at(out, d, n, '}');

	key(out, d, false, "keys");
	fputc('[', out);
	for (size_t i = 0; i < s->n_keys; i++) {
		elem(out, d + 1, i == 0);
		fputc('{', out);
		kv_str(out, d + 2, true, "key", s->keys[i].key);
		kv_str(out, d + 2, false, "value", s->keys[i].value);
		close_at(out, d + 1, 1, '}');
	}
	close_at(out, d, s->n_keys, ']');

	key(out, d, false, "notes");
	write_notes(out, d, s->notes);

	struct rep_totals t = rep_session_totals(s);
	key(out, d, false, "totals");
	write_totals(out, d, &t, 0, false);

	key(out, d, false, "verdicts");
	fputc('[', out);
	for (size_t i = 0; i < s->n_verdicts; i++) {
		elem(out, d + 1, i == 0);
		write_verdict(out, d + 1, &s->verdicts[i]);
	}
	close_at(out, d, s->n_verdicts, ']');
	close_at(out, depth, 1, '}');
}

static void write_problem(FILE *out, int depth, const struct rep_problem *p)
{
	fputc('{', out);
	kv_str(out, depth + 1, true, "file", p->file);
	kv_u64_or_null(out, depth + 1, false, "frame", p->frame);
	kv_u64(out, depth + 1, false, "offset", p->offset);
	kv_str(out, depth + 1, false, "message", p->message);
	close_at(out, depth, 1, '}');
}

static int json_session(void *ctx, const struct rep_session *s, size_t index)
{
	FILE *out = ctx;
	elem(out, 2, index == 0);
	write_session(out, 2, s);
	return 0;
}

int rep_write_json(const struct rep_run *run, FILE *out)
{
	if (!run || !out)
		return REP_EINVAL;
	struct rep_totals t = rep_run_totals(run);

	fputc('{', out);
	kv_str(out, 1, true, "schema", REP_JSON_SCHEMA);
	kv_str(out, 1, false, "tool", run->tool);
	kv_str(out, 1, false, "version", run->version);
	key(out, 1, false, "inputs");
	fputc('[', out);
	for (size_t i = 0; i < run->n_inputs; i++) {
		elem(out, 2, i == 0);
		rep_json_string(out, run->inputs[i]);
	}
	close_at(out, 1, run->n_inputs, ']');
	kv_i64_or_null(out, 1, false, "started_ns", run->started_ns);
	kv_i64_or_null(out, 1, false, "finished_ns", run->finished_ns);
	key(out, 1, false, "exit_status");
	fprintf(out, "%d", rep_run_exit_status(run));
	key(out, 1, false, "totals");
	size_t n_sessions = rep_run_session_count(run);
	write_totals(out, 1, &t, n_sessions, true);

	key(out, 1, false, "sessions");
	fputc('[', out);
	int rc = rep_run_each_session(run, json_session, out);
	close_at(out, 1, n_sessions, ']');

	key(out, 1, false, "problems");
	fputc('[', out);
	for (size_t i = 0; i < run->n_problems; i++) {
		elem(out, 2, i == 0);
		write_problem(out, 2, &run->problems[i]);
	}
	close_at(out, 1, run->n_problems, ']');
	fputs("\n}\n", out);

	if (fflush(out) != 0 || ferror(out) || rc != 0)
		return REP_EIO;
	return REP_OK;
}
