/* text.c — the terminal report: per session its identity, connections,
 * PDUs by opcode, negotiated keys and notes, then the verdicts (FAIL always
 * with its evidence; the rest counted, or listed when verbose), the input
 * problems and a totals line. Lines are wrapped to 100 columns; strings from
 * the wire are escaped so that no control byte reaches the terminal. */
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "pdu/pdu.h"
#include "report.h"

#define WIDTH 100

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_RED "\033[1;31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"

struct tw {
	FILE *out;
	bool color;
	bool verbose;
};

static void sgr(const struct tw *w, const char *code)
{
	if (w->color)
		fputs(code, w->out);
}

static const char *result_sgr(enum rep_result r)
{
	switch (r) {
	case REP_PASS: return SGR_GREEN;
	case REP_FAIL: return SGR_RED;
	case REP_NOT_OBSERVED:
	case REP_SKIP: return SGR_YELLOW;
	}
	return SGR_RESET;
}

static void spaces(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/* Write the len bytes of s (escaped) word by word from column col,
 * breaking lines before a word that would pass WIDTH and indenting
 * continuation lines by indent; ends the line. A word longer than a line is
 * written whole. */
static void put_wrapped_n(const struct tw *w, const char *s, size_t len,
			  size_t col, size_t indent)
{
	size_t line_start = col;
	const char *p = s;
	const char *end = s + len;
	while (p < end) {
		size_t gap = 0;
		while (p < end && *p == ' ') {
			gap++;
			p++;
		}
		if (p == end)
			break;
		const char *q = p;
		while (q < end && *q != ' ')
			q++;
		size_t n = (size_t)(q - p);
		size_t wd = rep_esc_width(p, n, REP_ESC_TEXT);
		if (col > line_start && col + gap + wd > WIDTH) {
			fputc('\n', w->out);
			spaces(w->out, indent);
			col = line_start = indent;
		}
		if (col == line_start)
			gap = 0;
		spaces(w->out, gap);
		rep_esc_write(w->out, p, n, REP_ESC_TEXT);
		col += gap + wd;
		p = q;
	}
	fputc('\n', w->out);
}

static void put_wrapped(const struct tw *w, const char *s, size_t col, size_t indent)
{
	put_wrapped_n(w, s ? s : "", s ? strlen(s) : 0, col, indent);
}

/* Write s escaped and return the columns it took. */
static size_t put_esc(const struct tw *w, const char *s)
{
	if (!s)
		return 0;
	rep_esc_puts(w->out, s, REP_ESC_TEXT);
	return rep_esc_width(s, strlen(s), REP_ESC_TEXT);
}

/* printf that returns the columns written (ASCII formats only). */
#define PUTF(w, ...) ((size_t)fprintf((w)->out, __VA_ARGS__))

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void put_isid(FILE *out, const uint8_t isid[6])
{
	fputs("0x", out);
	for (int i = 0; i < 6; i++)
		fprintf(out, "%02x", isid[i]);
}

static void write_identity(const struct tw *w, const struct rep_session *s,
			   size_t index, size_t n_sessions)
{
	sgr(w, SGR_BOLD);
	size_t col = PUTF(w, "Session %zu of %zu: ", index + 1, n_sessions);
	sgr(w, SGR_RESET);
	if (s->name)
		put_wrapped(w, s->name, col, 4);
	else
		fputs("(unnamed)\n", w->out);

	fputs("  initiator  ", w->out);
	put_wrapped(w, s->initiator ? s->initiator : "(not seen)", 13, 13);
	fputs("  target     ", w->out);
	put_wrapped(w, s->target ? s->target : "(not seen)", 13, 13);
	fputs("  ISID ", w->out);
	put_isid(w->out, s->isid);
	fprintf(w->out, "  TSIH 0x%04x  type ", (unsigned)s->tsih);
	put_wrapped(w, s->type ? s->type : "(not seen)", 41, 4);
}

/* Continue a line at *col with a short ASCII piece, two spaces apart, or
 * on a new line indented by indent when it would pass WIDTH. */
static void put_piece(const struct tw *w, size_t *col, size_t indent, const char *piece)
{
	size_t len = strlen(piece);
	if (*col > indent && *col + 2 + len > WIDTH) {
		fputc('\n', w->out);
		spaces(w->out, indent);
		*col = indent;
	} else if (*col > indent) {
		fputs("  ", w->out);
		*col += 2;
	}
	fputs(piece, w->out);
	*col += len;
}

static void write_conns(const struct tw *w, const struct rep_session *s)
{
	if (s->n_conns == 0) {
		fputs("  connections: none seen\n", w->out);
		return;
	}
	fprintf(w->out, "  connections (%zu):\n", s->n_conns);
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct rep_conn *c = &s->conns[i];
		char piece[96];
		size_t col = PUTF(w, "    conn %" PRIu32 "  ", c->conn);
		if (c->cid >= 0)
			col += PUTF(w, "CID %d  ", c->cid);
		else
			col += PUTF(w, "CID -  ");
		if (c->endpoints) {
			size_t ew = rep_esc_width(c->endpoints, strlen(c->endpoints), REP_ESC_TEXT);
			if (col + ew > WIDTH) {
				/* a long endpoint string wraps on its own lines */
				put_wrapped(w, c->endpoints, col, 8);
				fputs("        ", w->out);
				col = 8;
			} else {
				col += put_esc(w, c->endpoints);
			}
		} else {
			col += PUTF(w, "(endpoints unknown)");
		}
		snprintf(piece, sizeof piece, "%" PRIu64 " %s", c->pdus,
			 plural(c->pdus, "PDU", "PDUs"));
		put_piece(w, &col, 8, piece);
		if (c->first_frame || c->last_frame) {
			snprintf(piece, sizeof piece, "frames %" PRIu64 "-%" PRIu64,
				 c->first_frame, c->last_frame);
			put_piece(w, &col, 8, piece);
		}
		if (c->end) {
			put_piece(w, &col, 8, "ended: ");
			put_wrapped(w, c->end, col, 8);
		} else {
			fputc('\n', w->out);
		}
	}
}

static void write_opcodes(const struct tw *w, const struct rep_session *s)
{
	size_t cells = 0;
	for (unsigned op = 0; op < 64; op++) {
		if (s->pdus_by_opcode[op] == 0)
			continue;
		if (cells == 0)
			fputs("  PDUs by opcode:\n", w->out);
		char buf[24];
		const char *name = pdu_opcode_name((uint8_t)op, buf);
		/* three cells of 30 columns: 4 + 30 + 3 + 30 + 3 + 30 = WIDTH */
		fprintf(w->out, "%s%-20s%10" PRIu64, cells % 3 ? "   " : "    ", name,
			s->pdus_by_opcode[op]);
		if (++cells % 3 == 0)
			fputc('\n', w->out);
	}
	if (cells == 0)
		fputs("  PDUs by opcode: none\n", w->out);
	else if (cells % 3)
		fputc('\n', w->out);
}

static void write_keys(const struct tw *w, const struct rep_session *s)
{
	if (s->n_keys == 0) {
		fputs("  negotiated keys: none\n", w->out);
		return;
	}
	fputs("  negotiated keys:\n", w->out);
	for (size_t i = 0; i < s->n_keys; i++) {
		fputs("    ", w->out);
		size_t col = 4 + put_esc(w, s->keys[i].key);
		fputc('=', w->out);
		put_wrapped(w, s->keys[i].value, col + 1, 6);
	}
}

static void write_notes(const struct tw *w, const struct rep_session *s)
{
	if (!s->notes || !*s->notes)
		return;
	fputs("  notes:\n", w->out);
	const char *p = s->notes;
	while (*p) {
		size_t len = strcspn(p, "\n");
		fputs("    ", w->out);
		put_wrapped_n(w, p, len, 4, 6);
		p += len;
		if (*p == '\n')
			p++;
	}
}

static void write_evidence(const struct tw *w, const struct rep_evidence *e)
{
	size_t col = PUTF(w, "        ");
	if (e->frame)
		col += PUTF(w, "frame %" PRIu64 "  ", e->frame);
	col += PUTF(w, "conn %" PRIu32 "  ", e->conn);
	if (e->field) {
		col += put_esc(w, e->field);
		col += PUTF(w, ": ");
	}
	put_wrapped(w, e->message ? e->message : "(no message)", col, 10);
}

static void write_verdict(const struct tw *w, const struct rep_verdict *v)
{
	fputs("    ", w->out);
	sgr(w, result_sgr(v->result));
	fprintf(w->out, "%-12s", rep_result_name(v->result));
	sgr(w, SGR_RESET);
	fputs("  ", w->out);
	size_t col = 18;
	size_t idw = put_esc(w, v->id);
	col += idw;
	spaces(w->out, idw < 10 ? 10 - idw : 0);
	col += idw < 10 ? 10 - idw : 0;
	col += PUTF(w, "  ");
	size_t sw = put_esc(w, v->severity ? v->severity : "-");
	col += sw;
	if (v->summary && *v->summary) {
		spaces(w->out, sw < 6 ? 6 - sw : 0);
		col += sw < 6 ? 6 - sw : 0;
		col += PUTF(w, "  ");
		put_wrapped(w, v->summary, col, 38);
	} else {
		fputc('\n', w->out);
	}

	if (v->result == REP_FAIL) {
		fprintf(w->out, "        broken %" PRIu64 " %s, held %" PRIu64 " %s",
			v->broken, plural(v->broken, "time", "times"), v->held,
			plural(v->held, "time", "times"));
		if (v->broken > v->n_evidence && v->n_evidence)
			fprintf(w->out, "; the first %zu shown", v->n_evidence);
		fputc('\n', w->out);
		for (size_t i = 0; i < v->n_evidence && i < REP_MAX_EVIDENCE; i++)
			write_evidence(w, &v->evidence[i]);
	} else if (v->result == REP_NOT_OBSERVED || v->result == REP_SKIP) {
		fputs("        reason: ", w->out);
		put_wrapped(w, v->reason ? v->reason : "(none given)", 16, 10);
		for (size_t i = 0; i < v->n_evidence && i < REP_MAX_EVIDENCE; i++)
			write_evidence(w, &v->evidence[i]);
	}
}

static void write_counts(const struct tw *w, const struct rep_totals *t)
{
	fprintf(w->out, "%zu PASS, ", t->pass);
	if (t->fail)
		sgr(w, SGR_RED);
	fprintf(w->out, "%zu FAIL", t->fail);
	if (t->fail)
		sgr(w, SGR_RESET);
	fprintf(w->out, ", %zu NOT-OBSERVED, %zu SKIP", t->not_observed, t->skip);
}

static void write_session(const struct tw *w, const struct rep_session *s,
			  size_t index, size_t n_sessions)
{
	write_identity(w, s, index, n_sessions);
	write_conns(w, s);
	write_opcodes(w, s);
	write_keys(w, s);
	write_notes(w, s);

	struct rep_totals t = rep_session_totals(s);
	fprintf(w->out, "  verdicts (%zu): ", s->n_verdicts);
	write_counts(w, &t);
	fputc('\n', w->out);
	for (size_t i = 0; i < s->n_verdicts; i++) {
		const struct rep_verdict *v = &s->verdicts[i];
		if (v->result == REP_FAIL || w->verbose)
			write_verdict(w, v);
	}
}

static void write_problems(const struct tw *w, const struct rep_run *run)
{
	if (run->n_problems == 0)
		return;
	sgr(w, SGR_BOLD);
	fprintf(w->out, "Input problems (%zu):\n", run->n_problems);
	sgr(w, SGR_RESET);
	for (size_t i = 0; i < run->n_problems; i++) {
		const struct rep_problem *p = &run->problems[i];
		fputs("  ", w->out);
		size_t col = 2 + put_esc(w, p->file ? p->file : "(input)");
		if (p->frame)
			col += PUTF(w, "  frame %" PRIu64, p->frame);
		if (p->frame || p->offset)
			col += PUTF(w, "  offset %" PRIu64, p->offset);
		col += PUTF(w, ": ");
		put_wrapped(w, p->message ? p->message : "(no message)", col, 4);
	}
}

struct text_ctx {
	const struct tw *w;
	size_t n_sessions;
};

static int text_session(void *ctx, const struct rep_session *s, size_t index)
{
	const struct text_ctx *x = ctx;
	fputc('\n', x->w->out);
	write_session(x->w, s, index, x->n_sessions);
	return 0;
}

int rep_write_text(const struct rep_run *run, const struct rep_text_opts *opts, FILE *out)
{
	if (!run || !out)
		return REP_EINVAL;
	struct tw w = {
		.out = out,
		.color = opts && opts->color,
		.verbose = opts && opts->verbose,
	};

	sgr(&w, SGR_BOLD);
	put_esc(&w, run->tool ? run->tool : "iscsi-harness");
	if (run->version) {
		fputc(' ', out);
		put_esc(&w, run->version);
	}
	sgr(&w, SGR_RESET);
	fputc('\n', out);
	if (run->n_inputs) {
		fprintf(out, "%s (%zu):", plural(run->n_inputs, "input", "inputs"),
			run->n_inputs);
		fputc('\n', out);
		for (size_t i = 0; i < run->n_inputs; i++) {
			fputs("  ", out);
			put_wrapped(&w, run->inputs[i], 2, 4);
		}
	}

	size_t n_sessions = rep_run_session_count(run);
	struct text_ctx x = { .w = &w, .n_sessions = n_sessions };
	int rc = rep_run_each_session(run, text_session, &x);
	if (n_sessions == 0)
		fputs("\nNo sessions.\n", out);
	if (run->n_problems)
		fputc('\n', out);
	write_problems(&w, run);

	struct rep_totals t = rep_run_totals(run);
	size_t n = t.pass + t.fail + t.not_observed + t.skip;
	fputc('\n', out);
	sgr(&w, SGR_BOLD);
	fputs("Totals:", out);
	sgr(&w, SGR_RESET);
	fprintf(out, " %zu %s, %zu %s: ", n_sessions,
		plural(n_sessions, "session", "sessions"), n,
		plural(n, "verdict", "verdicts"));
	write_counts(&w, &t);
	fprintf(out, "; %zu input %s\n", t.problems, plural(t.problems, "problem", "problems"));

	if (fflush(out) != 0 || ferror(out) || rc != 0)
		return REP_EIO;
	return REP_OK;
}
