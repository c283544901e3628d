/* junit.c — the report as JUnit XML, the dialect Jenkins and GitLab read:
 * <testsuites> with the run's totals, one <testsuite> per session (named by
 * the session's identity, its identity also as <properties>), one
 * <testcase classname="iscsi.FAMILY" name="RULE-ID summary"> per verdict.
 * FAIL carries <failure> with the evidence, NOT-OBSERVED and SKIP carry
 * <skipped message="...">, and input problems form one more testsuite of
 * <error> testcases. */
#include <inttypes.h>
#include <time.h>

#include "escape.h"
#include "report.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	rep_esc_puts(out, value, REP_ESC_XML_ATTR);
	fputc('"', out);
}

static void text(FILE *out, const char *s)
{
	rep_esc_puts(out, s, REP_ESC_XML_TEXT);
}

static void property(FILE *out, const char *name, const char *value)
{
	fputs("      <property", out);
	attr(out, "name", name);
	attr(out, "value", value ? value : "");
	fputs("/>\n", out);
}

/* started_ns as "YYYY-MM-DDThh:mm:ss" (UTC), the form JUnit uses. */
static bool iso_time(int64_t ns, char buf[32])
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return false;
	return strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm) > 0;
}

static void write_properties(FILE *out, const struct rep_session *s)
{
	char buf[64];
	fputs("    <properties>\n", out);
	property(out, "initiator", s->initiator);
	property(out, "target", s->target);
	snprintf(buf, sizeof buf, "0x%02x%02x%02x%02x%02x%02x", s->isid[0], s->isid[1],
		 s->isid[2], s->isid[3], s->isid[4], s->isid[5]);
	property(out, "isid", buf);
	snprintf(buf, sizeof buf, "0x%04x", (unsigned)s->tsih);
	property(out, "tsih", buf);
	property(out, "type", s->type);
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct rep_conn *c = &s->conns[i];
		fputs("      <property", out);
		snprintf(buf, sizeof buf, "conn %" PRIu32, c->conn);
		attr(out, "name", buf);
		fputs(" value=\"", out);
		if (c->cid >= 0)
			fprintf(out, "CID %d, ", c->cid);
		rep_esc_puts(out, c->endpoints ? c->endpoints : "endpoints unknown",
			     REP_ESC_XML_ATTR);
		fprintf(out, ", %" PRIu64 " PDU%s", c->pdus, c->pdus == 1 ? "" : "s");
		if (c->first_frame || c->last_frame)
			fprintf(out, ", frames %" PRIu64 "-%" PRIu64, c->first_frame,
				c->last_frame);
		if (c->end) {
			fputs(", ", out);
			rep_esc_puts(out, c->end, REP_ESC_XML_ATTR);
		}
		fputs("\"/>\n", out);
	}
	for (size_t i = 0; i < s->n_keys; i++) {
		fputs("      <property name=\"key ", out);
		rep_esc_puts(out, s->keys[i].key, REP_ESC_XML_ATTR);
		fputc('"', out);
		attr(out, "value", s->keys[i].value ? s->keys[i].value : "");
		fputs("/>\n", out);
	}
	fputs("    </properties>\n", out);
}

static void write_evidence(FILE *out, const struct rep_evidence *e)
{
	if (e->frame)
		fprintf(out, "frame %" PRIu64 ", ", e->frame);
	fprintf(out, "conn %" PRIu32, e->conn);
	if (e->field) {
		fputs(", ", out);
		text(out, e->field);
	}
	fputs(": ", out);
	text(out, e->message ? e->message : "(no message)");
	fputc('\n', out);
}

static void write_testcase(FILE *out, const struct rep_verdict *v)
{
	fputs("    <testcase classname=\"iscsi.", out);
	rep_esc_puts(out, v->family, REP_ESC_XML_ATTR);
	fputs("\" name=\"", out);
	rep_esc_puts(out, v->id, REP_ESC_XML_ATTR);
	if (v->summary && *v->summary) {
		fputc(' ', out);
		rep_esc_puts(out, v->summary, REP_ESC_XML_ATTR);
	}
	fputc('"', out);

	switch (v->result) {
	case REP_FAIL:
		fputs(">\n      <failure message=\"", out);
		if (v->n_evidence && v->evidence[0].message)
			rep_esc_puts(out, v->evidence[0].message, REP_ESC_XML_ATTR);
		else
			fprintf(out, "broken %" PRIu64 " time%s", v->broken,
				v->broken == 1 ? "" : "s");
		fputc('"', out);
		attr(out, "type", v->severity ? v->severity : "FAIL");
		fputc('>', out);
		fprintf(out, "%s: broken %" PRIu64 " time%s, held %" PRIu64 " time%s\n",
			rep_result_name(v->result), v->broken, v->broken == 1 ? "" : "s",
			v->held, v->held == 1 ? "" : "s");
		for (size_t i = 0; i < v->n_evidence && i < REP_MAX_EVIDENCE; i++)
			write_evidence(out, &v->evidence[i]);
		if (v->broken > v->n_evidence && v->n_evidence)
			fprintf(out, "(the first %zu of %" PRIu64 " shown)\n", v->n_evidence,
				v->broken);
		fputs("</failure>\n    </testcase>\n", out);
		break;
	case REP_NOT_OBSERVED:
	case REP_SKIP:
		fputs(">\n      <skipped message=\"", out);
		if (v->result == REP_NOT_OBSERVED)
			fputs("not observed: ", out);
		rep_esc_puts(out, v->reason ? v->reason : "no reason given", REP_ESC_XML_ATTR);
		fputs("\"/>\n    </testcase>\n", out);
		break;
	case REP_PASS:
	default:
		fputs("/>\n", out);
		break;
	}
}

static void write_session(FILE *out, const struct rep_session *s, size_t si)
{
	struct rep_totals t = rep_session_totals(s);
	fputs("  <testsuite", out);
	if (s->name) {
		attr(out, "name", s->name);
	} else {
		fprintf(out, " name=\"session %zu\"", si + 1);
	}
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"0\">\n",
		s->n_verdicts, t.fail, t.not_observed + t.skip);
	write_properties(out, s);
	for (size_t i = 0; i < s->n_verdicts; i++)
		write_testcase(out, &s->verdicts[i]);
	if (s->notes && *s->notes) {
		fputs("    <system-out>", out);
		text(out, s->notes);
		fputs("</system-out>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

static void write_problems(FILE *out, const struct rep_run *run)
{
	fprintf(out, "  <testsuite name=\"input problems\" tests=\"%zu\" failures=\"0\""
		" skipped=\"0\" errors=\"%zu\">\n", run->n_problems, run->n_problems);
	for (size_t i = 0; i < run->n_problems; i++) {
		const struct rep_problem *p = &run->problems[i];
		fputs("    <testcase classname=\"iscsi.input\" name=\"", out);
		rep_esc_puts(out, p->file ? p->file : "(input)", REP_ESC_XML_ATTR);
		if (p->frame)
			fprintf(out, " frame %" PRIu64, p->frame);
		if (p->frame || p->offset)
			fprintf(out, " offset %" PRIu64, p->offset);
		fputs("\">\n      <error", out);
		attr(out, "message", p->message ? p->message : "input problem");
		fputs(" type=\"input\">", out);
		text(out, p->file ? p->file : "(input)");
		fprintf(out, " frame %" PRIu64 " offset %" PRIu64 ": ", p->frame, p->offset);
		text(out, p->message ? p->message : "(no message)");
		fputs("</error>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

static int junit_session(void *ctx, const struct rep_session *s, size_t index)
{
	write_session(ctx, s, index);
	return 0;
}

int rep_write_junit(const struct rep_run *run, FILE *out)
{
	if (!run || !out)
		return REP_EINVAL;
	struct rep_totals t = rep_run_totals(run);
	size_t tests = t.pass + t.fail + t.not_observed + t.skip + t.problems;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	attr(out, "name", run->tool ? run->tool : "iscsi-harness");
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" errors=\"%zu\"",
		tests, t.fail, t.not_observed + t.skip, t.problems);
	if (run->started_ns && run->finished_ns && run->finished_ns >= run->started_ns) {
		int64_t d = run->finished_ns - run->started_ns;
		fprintf(out, " time=\"%" PRId64 ".%03" PRId64 "\"", d / 1000000000,
			d % 1000000000 / 1000000);
	}
	char when[32];
	if (run->started_ns > 0 && iso_time(run->started_ns, when))
		fprintf(out, " timestamp=\"%s\"", when);
	fputs(">\n", out);

	int rc = rep_run_each_session(run, junit_session, out);
	if (run->n_problems)
		write_problems(out, run);
	fputs("</testsuites>\n", out);

	if (fflush(out) != 0 || ferror(out) || rc != 0)
		return REP_EIO;
	return REP_OK;
}
