/* tap.c — the report as TAP version 13, the way `prove` reads it: one test
 * point per (session, rule ID) in report order, then one per input problem.
 * FAIL is "not ok" with a YAML diagnostic block (severity, counts, evidence);
 * NOT-OBSERVED and SKIP are "ok ... # SKIP reason"; an input problem is
 * "not ok" (the run's verdicts are incomplete). A run with nothing to
 * report is the plan "1..0" with a SKIP reason. */
#include <inttypes.h>

#include "escape.h"
#include "report.h"

static void put_desc(FILE *out, const char *s)
{
	rep_esc_puts(out, s, REP_ESC_TAP);
}

/* "SESSION RULE-ID summary" */
static void put_point(FILE *out, const struct rep_session *s, size_t si,
		      const struct rep_verdict *v)
{
	if (s->name)
		put_desc(out, s->name);
	else
		fprintf(out, "session %zu", si + 1);
	fputc(' ', out);
	put_desc(out, v->id);
	if (v->summary && *v->summary) {
		fputc(' ', out);
		put_desc(out, v->summary);
	}
}

static void yaml_key_str(FILE *out, const char *indent, const char *key, const char *val)
{
	fprintf(out, "%s%s: ", indent, key);
	rep_yaml_string(out, val);
	fputc('\n', out);
}

static void write_fail_block(FILE *out, const struct rep_session *s, size_t si,
			     const struct rep_verdict *v)
{
	char name[32];
	fputs("  ---\n", out);
	yaml_key_str(out, "  ", "id", v->id);
	if (s->name) {
		yaml_key_str(out, "  ", "session", s->name);
	} else {
		snprintf(name, sizeof name, "session %zu", si + 1);
		yaml_key_str(out, "  ", "session", name);
	}
	yaml_key_str(out, "  ", "severity", v->severity);
	yaml_key_str(out, "  ", "family", v->family);
	yaml_key_str(out, "  ", "result", rep_result_name(v->result));
	fprintf(out, "  held: %" PRIu64 "\n", v->held);
	fprintf(out, "  broken: %" PRIu64 "\n", v->broken);
	if (v->n_evidence == 0) {
		fputs("  evidence: []\n", out);
	} else {
		fputs("  evidence:\n", out);
		for (size_t i = 0; i < v->n_evidence && i < REP_MAX_EVIDENCE; i++) {
			const struct rep_evidence *e = &v->evidence[i];
			fprintf(out, "    - frame: %" PRIu64 "\n", e->frame);
			fprintf(out, "      conn: %" PRIu32 "\n", e->conn);
			fprintf(out, "      ts_ns: %" PRId64 "\n", e->ts_ns);
			yaml_key_str(out, "      ", "field", e->field);
			yaml_key_str(out, "      ", "message", e->message);
		}
	}
	fputs("  ...\n", out);
}

static void write_problem(FILE *out, size_t n, const struct rep_problem *p)
{
	fprintf(out, "not ok %zu - input problem: ", n);
	put_desc(out, p->file ? p->file : "(input)");
	if (p->frame)
		fprintf(out, " frame %" PRIu64, p->frame);
	if (p->frame || p->offset)
		fprintf(out, " offset %" PRIu64, p->offset);
	if (p->message) {
		fputs(": ", out);
		put_desc(out, p->message);
	}
	fputs("\n  ---\n", out);
	yaml_key_str(out, "  ", "severity", "input");
	yaml_key_str(out, "  ", "file", p->file);
	fprintf(out, "  frame: %" PRIu64 "\n", p->frame);
	fprintf(out, "  offset: %" PRIu64 "\n", p->offset);
	yaml_key_str(out, "  ", "message", p->message);
	fputs("  ...\n", out);
}

/* One session's test points, numbered on from *n. */
struct tap_ctx {
	FILE *out;
	size_t n;
};

static int tap_session(void *ctx, const struct rep_session *s, size_t si)
{
	struct tap_ctx *x = ctx;
	FILE *out = x->out;
	fprintf(out, "# session %zu: ", si + 1);
	put_desc(out, s->name ? s->name : "(unnamed)");
	fputc('\n', out);
	for (size_t vi = 0; vi < s->n_verdicts; vi++) {
		const struct rep_verdict *v = &s->verdicts[vi];
		size_t n = ++x->n;
		switch (v->result) {
		case REP_FAIL:
			fprintf(out, "not ok %zu - ", n);
			put_point(out, s, si, v);
			fputc('\n', out);
			write_fail_block(out, s, si, v);
			break;
		case REP_NOT_OBSERVED:
		case REP_SKIP:
			fprintf(out, "ok %zu - ", n);
			put_point(out, s, si, v);
			fputs(" # SKIP ", out);
			if (v->result == REP_NOT_OBSERVED)
				fputs("not observed: ", out);
			/* after the directive '#' needs no escape */
			rep_esc_puts(out, v->reason ? v->reason : "no reason given",
				     REP_ESC_TEXT);
			fputc('\n', out);
			break;
		case REP_PASS:
		default:
			fprintf(out, "ok %zu - ", n);
			put_point(out, s, si, v);
			fputc('\n', out);
			break;
		}
	}
	return 0;
}

int rep_write_tap(const struct rep_run *run, FILE *out)
{
	if (!run || !out)
		return REP_EINVAL;
	size_t points = run->n_problems + run->spooled.verdicts;
	for (size_t i = 0; i < run->n_sessions; i++)
		points += run->sessions[i].n_verdicts;

	fputs("TAP version 13\n", out);
	if (points == 0)
		fprintf(out, "1..0 # SKIP %s\n",
			rep_run_session_count(run) ? "no verdicts" : "no sessions");
	else
		fprintf(out, "1..%zu\n", points);
	fputs("# ", out);
	put_desc(out, run->tool ? run->tool : "iscsi-harness");
	if (run->version) {
		fputc(' ', out);
		put_desc(out, run->version);
	}
	fputc('\n', out);

	struct tap_ctx x = { .out = out };
	int rc = rep_run_each_session(run, tap_session, &x);
	for (size_t i = 0; i < run->n_problems; i++)
		write_problem(out, ++x.n, &run->problems[i]);

	if (fflush(out) != 0 || ferror(out) || rc != 0)
		return REP_EIO;
	return REP_OK;
}
