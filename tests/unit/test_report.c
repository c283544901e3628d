/* test_report.c — the report model (harness/report/report.h) and its four
 * writers: building copies every string, IDs sort in the catalogue's area
 * order, totals and exit status; escaping of awkward bytes; and one model
 * holding every result kind, awkward strings and an input problem written as
 * text, TAP, JUnit XML and JSON, each parsed back (TAP by hand and by
 * `prove`, JUnit by string matching and `xmllint`, JSON by a strict
 * recursive-descent parser written here) and checked to carry the same
 * counts. Writers must report a failing FILE (/dev/full) as REP_EIO, and an
 * empty run must be valid in all four forms.
 *
 * External tools are used when present and the check says so when not.
 * Scratch files go under $HARNESS_SCRATCH (else /tmp) in a fresh directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/report/escape.h"
#include "harness/report/report.h"
#include "tests/support/scratch.h"

/* ---- scratch directory and helpers ---------------------------------- */

static char scratch_dir[512];

static int group_setup(void **state)
{
	(void)state;
	return scratch_make_dir("report", scratch_dir, sizeof scratch_dir);
}

static int group_teardown(void **state)
{
	(void)state;
	scratch_remove_dir(scratch_dir);
	return 0;
}

static const char *scratch(const char *name)
{
	static char path[4][768];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", scratch_dir, name);
	return p;
}

static bool have_tool(const char *name)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Run a shell command; its exit status, or -1 when it did not exit. */
static int run_cmd(const char *cmd)
{
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int c;
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		buf[len++] = (char)c;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	assert_non_null(buf);
	buf[len] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

enum form { F_TEXT, F_TEXT_VERBOSE, F_TEXT_COLOR, F_TAP, F_JUNIT, F_JSON };

static int write_form(const struct rep_run *run, enum form form, FILE *out)
{
	struct rep_text_opts opts = { .verbose = false, .color = false };
	switch (form) {
	case F_TEXT:
		return rep_write_text(run, &opts, out);
	case F_TEXT_VERBOSE:
		opts.verbose = true;
		return rep_write_text(run, &opts, out);
	case F_TEXT_COLOR:
		opts.verbose = true;
		opts.color = true;
		return rep_write_text(run, &opts, out);
	case F_TAP:
		return rep_write_tap(run, out);
	case F_JUNIT:
		return rep_write_junit(run, out);
	case F_JSON:
		return rep_write_json(run, out);
	}
	return REP_EINVAL;
}

/* The report in one form as a NUL-terminated string (caller frees). */
static char *render(const struct rep_run *run, enum form form)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(write_form(run, form, f), REP_OK);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	for (const char *p = strstr(hay, needle); p; p = strstr(p + k, needle))
		n++;
	return n;
}

/* Strict UTF-8 check, independent of escape.c's decoder. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t k;
		uint32_t cp, min;
		if (b < 0x80) {
			i++;
			continue;
		} else if ((b & 0xe0) == 0xc0) {
			k = 1; cp = b & 0x1f; min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			k = 2; cp = b & 0x0f; min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			k = 3; cp = b & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* ---- the model every writer test uses ------------------------------- */

/* Every awkward thing a wire string can hold: markup and JSON/YAML/TAP
 * metacharacters, C0 controls, DEL, C1 controls (U+0085, U+009B is an
 * 8-bit CSI), U+FFFF and U+2028, invalid UTF-8 (a lone 0xff, an overlong
 * '/', a surrogate, a truncated sequence) and plain non-ASCII text. */
static const char AWKWARD[] =
	"quote \" apos ' lt < gt > amp & hash # bs \\ nl \n cr \r tab \t "
	"nul-less bel \x07 esc \x1b[2J del \x7f c1 \xc2\x85 \xc2\x9b "
	"ffff \xef\xbf\xbf ls \xe2\x80\xa8 bad \xff overlong \xc0\xaf "
	"surrogate \xed\xa0\x80 cut \xe2\x82 cdata ]]> --> "
	"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac";

#define S1_NAME "iqn.1994-05.com.example:host1 ISID 0x023d00000001 TSIH 0x0001 -> " \
	"iqn.2003-01.org.example:disk1"

struct expect {
	size_t pass, fail, not_observed, skip, problems, sessions;
};

/* Session 1: every result kind, added out of order; session 2: awkward
 * name, nothing seen; session 3: unnamed, no verdicts. One input problem. */
static const struct expect FULL = { .pass = 4, .fail = 3, .not_observed = 2,
				    .skip = 2, .problems = 1, .sessions = 3 };

static void add(struct rep_session *s, const char *id, const char *sev, const char *summary,
		enum rep_result r, uint64_t held, uint64_t broken, const char *reason)
{
	struct rep_verdict v = {
		.id = (char *)id,
		.severity = (char *)sev,
		.summary = (char *)summary,
		.result = r,
		.held = held,
		.broken = broken,
		.reason = (char *)reason,
	};
	assert_int_equal(rep_session_add_verdict(s, &v), REP_OK);
}

static void build_full(struct rep_run *run)
{
	rep_run_init(run, "iscsi-harness check", "0.1-test");
	run->started_ns = 1700000000123456789LL;
	run->finished_ns = 1700000002623456789LL;
	assert_int_equal(rep_run_add_input(run, "captures/a.pcap"), REP_OK);
	assert_int_equal(rep_run_add_input(run, AWKWARD), REP_OK);

	struct rep_session *s = rep_run_add_session(run, S1_NAME);
	assert_non_null(s);
	s->initiator = strdup("iqn.1994-05.com.example:host1");
	s->target = strdup("iqn.2003-01.org.example:disk1");
	s->type = strdup("Normal");
	assert_true(s->initiator && s->target && s->type);
	const uint8_t isid[6] = { 0x02, 0x3d, 0x00, 0x00, 0x00, 0x01 };
	memcpy(s->isid, isid, 6);
	s->tsih = 1;
	s->pdus_by_opcode[0x03] = 2;
	s->pdus_by_opcode[0x23] = 2;
	s->pdus_by_opcode[0x01] = 1000;
	s->pdus_by_opcode[0x21] = 1000;
	s->pdus_by_opcode[0x25] = 640;
	s->pdus_by_opcode[0x1c] = 1;   /* vendor opcode */
	s->pdus_by_opcode[0x07] = 3;   /* undefined opcode */
	struct rep_conn c1 = { .conn = 1, .cid = 0,
			       .endpoints = "192.0.2.1:50001 -> 192.0.2.2:3260",
			       .pdus = 2600, .first_frame = 1, .last_frame = 5200,
			       .end = "FIN" };
	struct rep_conn c2 = { .conn = 2, .cid = -1, .endpoints = NULL, .pdus = 48,
			       .first_frame = 0, .last_frame = 0,
			       .end = "open at end of capture" };
	assert_int_equal(rep_session_add_conn(s, &c1), REP_OK);
	assert_int_equal(rep_session_add_conn(s, &c2), REP_OK);
	assert_int_equal(rep_session_add_key(s, "HeaderDigest", "CRC32C"), REP_OK);
	assert_int_equal(rep_session_add_key(s, "MaxRecvDataSegmentLength", "262144"), REP_OK);
	assert_int_equal(rep_session_add_key(s, "TargetAlias", AWKWARD), REP_OK);
	assert_int_equal(rep_session_add_key(s, "X-null", NULL), REP_OK);
	assert_int_equal(rep_session_add_note(s, "gap of 1448 bytes on conn 1 at frame 300"), REP_OK);
	assert_int_equal(rep_session_add_note(s, AWKWARD), REP_OK);

	add(s, "SEQ-010", "MUST", "ExpStatSN acknowledges StatSN", REP_PASS, 2600, 0, NULL);
	add(s, "MCS-005", "MUST", "CmdSN is session-wide across connections",
	    REP_NOT_OBSERVED, 0, 0, "the session had one connection");
	struct rep_verdict f = {
		.id = "SEQ-009",
		.severity = "MUST",
		.summary = "StatSN of each numbered response on a connection is one more than "
			   "the StatSN of the previous numbered response on that connection",
		.result = REP_FAIL,
		.held = 2590,
		.broken = 10,
		.n_evidence = REP_MAX_EVIDENCE,
	};
	static char msgs[REP_MAX_EVIDENCE][64];
	for (size_t i = 0; i < REP_MAX_EVIDENCE; i++) {
		snprintf(msgs[i], sizeof msgs[i], "expected StatSN 0x%08zx, got 0x%08zx",
			 0x10 + i, 0x12 + i);
		f.evidence[i] = (struct rep_evidence){ .frame = 1000 + i, .conn = 1,
						       .ts_ns = 1700000001000000000LL,
						       .field = "iscsi.statsn",
						       .message = msgs[i] };
	}
	f.evidence[1].message = (char *)AWKWARD;
	f.evidence[2].field = NULL;
	f.evidence[2].frame = 0;
	f.evidence[2].ts_ns = 0;
	assert_int_equal(rep_session_add_verdict(s, &f), REP_OK);
	add(s, "PDU-001", "MUST", "PDU layout", REP_PASS, 5248, 0, NULL);
	add(s, "TMF-004", "MAY", "ABORT TASK SET", REP_SKIP, 0, 0, "deselected with --rules");
	add(s, "LOGIN-003", "MUST", AWKWARD, REP_FAIL, 0, 1, NULL);
	add(s, "ERL1-002", "SHOULD", "SNACK for a lost Data-In", REP_NOT_OBSERVED, 0, 0, AWKWARD);
	add(s, "LOGOUT-001", "MUST", "Logout Response answers Logout", REP_PASS, 1, 0, NULL);
	rep_session_sort(s);

	s = rep_run_add_session(run, AWKWARD);
	assert_non_null(s);
	add(s, "TEXT-001", "MUST", "Text Response", REP_FAIL, 0, 3, NULL);
	add(s, "ASYNC-002", NULL, NULL, REP_SKIP, 0, 0, NULL);
	add(s, "REJECT-001", "MUST", "", REP_PASS, 1, 0, NULL);
	rep_session_sort(s);

	s = rep_run_add_session(run, NULL);
	assert_non_null(s);

	assert_int_equal(rep_run_add_problem(run, "captures/b.pcap", 77, 123456, AWKWARD),
			 REP_OK);
}

/* ---- builder, sort, totals ------------------------------------------ */

static void test_builders_copy_strings(void **state)
{
	(void)state;
	struct rep_run run;
	char tool[] = "tool", id[] = "SEQ-009", msg[] = "message", field[] = "iscsi.statsn";
	char key[] = "K", val[] = "V", ep[] = "a -> b", name[] = "sess";
	rep_run_init(&run, tool, NULL);
	struct rep_session *s = rep_run_add_session(&run, name);
	assert_non_null(s);
	assert_int_equal(s->n_verdicts, 0);
	assert_int_equal(s->tsih, 0);
	assert_null(s->initiator);

	struct rep_verdict v = { .id = id, .result = REP_FAIL, .broken = 12,
				 .n_evidence = REP_MAX_EVIDENCE + 5 };
	for (size_t i = 0; i < REP_MAX_EVIDENCE; i++)
		v.evidence[i] = (struct rep_evidence){ .frame = i + 1, .field = field,
						       .message = msg };
	assert_int_equal(rep_session_add_verdict(s, &v), REP_OK);
	struct rep_conn c = { .conn = 3, .cid = 1, .endpoints = ep, .end = NULL };
	assert_int_equal(rep_session_add_conn(s, &c), REP_OK);
	assert_int_equal(rep_session_add_key(s, key, val), REP_OK);
	assert_int_equal(rep_session_add_note(s, "one"), REP_OK);
	assert_int_equal(rep_session_add_note(s, "two"), REP_OK);

	tool[0] = id[0] = msg[0] = field[0] = key[0] = val[0] = ep[0] = name[0] = 'X';
	assert_string_equal(run.tool, "tool");
	assert_null(run.version);
	assert_string_equal(s->name, "sess");
	struct rep_verdict *got = rep_session_find_verdict(s, "SEQ-009");
	assert_non_null(got);
	assert_string_equal(got->id, "SEQ-009");
	assert_string_equal(got->family, "seq");   /* derived from the ID */
	assert_null(got->severity);
	assert_int_equal(got->n_evidence, REP_MAX_EVIDENCE);
	assert_int_equal(got->broken, 12);
	assert_string_equal(got->evidence[7].message, "message");
	assert_string_equal(got->evidence[0].field, "iscsi.statsn");
	assert_int_equal(got->evidence[7].frame, 8);
	assert_string_equal(s->conns[0].endpoints, "a -> b");
	assert_null(s->conns[0].end);
	assert_string_equal(s->keys[0].key, "K");
	assert_string_equal(s->keys[0].value, "V");
	assert_string_equal(s->notes, "one\ntwo");
	assert_null(rep_session_find_verdict(s, "SEQ-010"));

	/* a verdict is per (session, rule ID) */
	struct rep_verdict dup = { .id = "SEQ-009", .result = REP_PASS };
	assert_int_equal(rep_session_add_verdict(s, &dup), REP_EINVAL);
	struct rep_verdict noid = { .result = REP_PASS };
	assert_int_equal(rep_session_add_verdict(s, &noid), REP_EINVAL);
	struct rep_verdict bad = { .id = "SEQ-001", .result = (enum rep_result)7 };
	assert_int_equal(rep_session_add_verdict(s, &bad), REP_EINVAL);
	assert_int_equal(rep_session_add_verdict(s, NULL), REP_EINVAL);
	assert_int_equal(rep_session_add_key(s, NULL, "v"), REP_EINVAL);
	assert_int_equal(rep_session_add_note(s, NULL), REP_EINVAL);
	assert_int_equal(rep_run_add_input(&run, NULL), REP_EINVAL);
	assert_int_equal(s->n_verdicts, 1);

	/* an explicit family is kept; a family-less ID gives the whole ID */
	struct rep_verdict fam = { .id = "X-1", .family = "custom", .result = REP_PASS };
	assert_int_equal(rep_session_add_verdict(s, &fam), REP_OK);
	assert_string_equal(rep_session_find_verdict(s, "X-1")->family, "custom");
	struct rep_verdict nodash = { .id = "LONE", .result = REP_PASS };
	assert_int_equal(rep_session_add_verdict(s, &nodash), REP_OK);
	assert_string_equal(rep_session_find_verdict(s, "LONE")->family, "lone");

	rep_run_free(&run);
	assert_null(run.sessions);
	rep_run_free(&run);   /* freeing twice is harmless */
}

static void test_many_sessions_and_verdicts(void **state)
{
	(void)state;
	struct rep_run run;
	rep_run_init(&run, NULL, NULL);
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "s%d", i);
		struct rep_session *s = rep_run_add_session(&run, name);
		assert_non_null(s);
		for (int k = 300; k > 0; k--) {
			char id[16];
			snprintf(id, sizeof id, "SEQ-%03d", k);
			add(s, id, "MUST", "x", (enum rep_result)(k % 4), 1, 0, NULL);
		}
		rep_session_sort(s);
		assert_string_equal(s->verdicts[0].id, "SEQ-001");
		assert_string_equal(s->verdicts[299].id, "SEQ-300");
	}
	for (int i = 0; i < 100; i++)
		assert_int_equal(run.sessions[i].name[0], 's');
	struct rep_totals t = rep_run_totals(&run);
	assert_int_equal(t.pass + t.fail + t.not_observed + t.skip, 30000);
	assert_int_equal(t.fail, 7500);
	rep_run_free(&run);
}

/* Sessions spooled (rep_run_spool()) after the ones in memory read back
 * in order: every form is byte for byte what the same sessions held in
 * memory give. */
static void test_spooled_sessions(void **state)
{
	(void)state;
	struct rep_run held, spooled;
	build_full(&held);
	build_full(&spooled);
	size_t n = held.n_sessions;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rep_run_spool(&spooled, &spooled.sessions[i]), REP_OK);
	assert_int_equal(rep_run_session_count(&spooled), 2 * n);
	/* held: the same sessions twice over, in memory (shallow copies) */
	struct rep_session *two = realloc(held.sessions, 2 * n * sizeof *two);
	assert_non_null(two);
	memcpy(two + n, two, n * sizeof *two);
	held.sessions = two;
	held.n_sessions = 2 * n;
	struct rep_totals a = rep_run_totals(&held), b = rep_run_totals(&spooled);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(rep_run_exit_status(&held), rep_run_exit_status(&spooled));
	for (enum form f = F_TEXT; f <= F_JSON; f++) {
		char *want = render(&held, f), *got = render(&spooled, f);
		assert_string_equal(got, want);
		/* and again: the spool is read from its start each time */
		free(got);
		got = render(&spooled, f);
		assert_string_equal(got, want);
		free(want);
		free(got);
	}
	held.n_sessions = n;
	rep_run_free(&held);
	rep_run_free(&spooled);
}

static void test_sort_catalogue_order(void **state)
{
	(void)state;
	const char *sorted[] = {
		"PDU-001", "PDU-002", "PDU-010", "LOGIN-001", "LOGIN-034", "SEQ-009",
		"SEQ-9", "SEQ-010", "SEQ-029", "MCS-001", "MCS-005", "ERL0-001",
		"ERL0-013", "ERL1-001", "ERL2-001", "ERL2-022", "TMF-001", "TEXT-001",
		"REJECT-001", "ASYNC-001", "LOGOUT-001", "LOGOUT-010", "AAA-001",
		"ZZZ-001", "ZZZ-002", "ZZZ-X",
	};
	const size_t n = sizeof sorted / sizeof sorted[0];
	struct rep_run run;
	rep_run_init(&run, NULL, NULL);
	struct rep_session *s = rep_run_add_session(&run, "s");
	/* add in a scrambled order: stride 7 is coprime to n */
	assert_int_not_equal(n % 7, 0);
	for (size_t i = 0; i < n; i++)
		add(s, sorted[(i * 7) % n], "MUST", "x", REP_PASS, 1, 0, NULL);
	rep_session_sort(s);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(s->verdicts[i].id, sorted[i]);

	assert_true(rep_id_compare("SEQ-002", "SEQ-010") < 0);
	assert_true(rep_id_compare("MCS-001", "SEQ-999") > 0);
	assert_true(rep_id_compare("LOGOUT-001", "LOGIN-034") > 0);
	assert_true(rep_id_compare("ERL1-024", "ERL2-001") < 0);
	assert_int_equal(rep_id_compare("TMF-003", "TMF-003"), 0);
	assert_true(rep_id_compare(NULL, "PDU-001") > 0);
	assert_true(rep_id_compare("PDU-001", NULL) < 0);
	assert_int_equal(rep_id_compare(NULL, NULL), 0);
	/* numbers longer than 64 bits still compare by value */
	assert_true(rep_id_compare("SEQ-99999999999999999999", "SEQ-100000000000000000000") < 0);
	rep_run_free(&run);
}

static void test_totals_and_exit_status(void **state)
{
	(void)state;
	struct rep_run run;
	rep_run_init(&run, "t", "v");
	assert_int_equal(rep_run_exit_status(&run), 0);
	struct rep_session *s = rep_run_add_session(&run, "s");
	add(s, "PDU-001", "MUST", "a", REP_PASS, 1, 0, NULL);
	add(s, "PDU-002", "MUST", "b", REP_NOT_OBSERVED, 0, 0, "never");
	add(s, "PDU-003", "MUST", "c", REP_SKIP, 0, 0, "off");
	assert_int_equal(rep_run_exit_status(&run), 0);
	add(s, "PDU-004", "MUST", "d", REP_FAIL, 0, 1, NULL);
	assert_int_equal(rep_run_exit_status(&run), 1);
	struct rep_totals t = rep_run_totals(&run);
	assert_int_equal(t.pass, 1);
	assert_int_equal(t.fail, 1);
	assert_int_equal(t.not_observed, 1);
	assert_int_equal(t.skip, 1);
	assert_int_equal(t.problems, 0);
	assert_int_equal(rep_run_add_problem(&run, NULL, 0, 0, NULL), REP_OK);
	assert_int_equal(rep_run_exit_status(&run), 2);
	assert_int_equal(rep_run_totals(&run).problems, 1);
	assert_int_equal(rep_session_totals(s).fail, 1);
	rep_run_free(&run);

	rep_run_init(&run, NULL, NULL);
	assert_int_equal(rep_run_add_problem(&run, "x.pcap", 1, 2, "short"), REP_OK);
	assert_int_equal(rep_run_exit_status(&run), 2);
	rep_run_free(&run);

	assert_string_equal(rep_result_name(REP_PASS), "PASS");
	assert_string_equal(rep_result_name(REP_FAIL), "FAIL");
	assert_string_equal(rep_result_name(REP_NOT_OBSERVED), "NOT-OBSERVED");
	assert_string_equal(rep_result_name(REP_SKIP), "SKIP");
}

/* ---- escaping -------------------------------------------------------- */

static char *escaped(const char *s, enum rep_esc_mode mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rep_esc_puts(f, s, mode);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect_esc(const char *in, enum rep_esc_mode mode, const char *want)
{
	char *got = escaped(in, mode);
	assert_string_equal(got, want);
	free(got);
}

static void test_utf8_decoder(void **state)
{
	(void)state;
	uint32_t cp = 0;
	assert_int_equal(rep_utf8_next((const unsigned char *)"A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(rep_utf8_next((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(rep_utf8_next((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(rep_utf8_next((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* invalid: continuation first, overlong, surrogate, above U+10FFFF,
	 * truncated, 0xc0/0xc1/0xf5+ */
	const char *bad[] = { "\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
			      "\xf4\x90\x80\x80", "\xf0\x80\x80\x80", "\xe2\x82", "\xf5\x80\x80\x80",
			      "\xff", "\xc3\x41" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(rep_utf8_next((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
	/* a 3-byte sequence cut short by the length, not by the bytes */
	assert_int_equal(rep_utf8_next((const unsigned char *)"\xe2\x82\xac", 2, &cp), 0);
}

static void test_escaping(void **state)
{
	(void)state;
	expect_esc("a\"b\\c\n\x01\x1f\x7f\xc2\x85\xe2\x80\xa8\xff\xc3\xa9/", REP_ESC_JSON,
		   "a\\\"b\\\\c\\n\\u0001\\u001f\\u007f\\u0085\\u2028\\\\xff\xc3\xa9/");
	expect_esc("\b\f\r\t", REP_ESC_JSON, "\\b\\f\\r\\t");
	expect_esc("<a href=\"x\">&'\n\t\r\x01\x7f\xc2\x85\xef\xbf\xbe\xff]]>", REP_ESC_XML_ATTR,
		   "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;&#9;&#13;\\x01&#x007f;"
		   "&#x0085;\\ufffe\\xff]]&gt;");
	expect_esc("<b>\"'\n\t\r\x0b", REP_ESC_XML_TEXT, "&lt;b&gt;\"'\n\t&#13;\\x0b");
	expect_esc("a # b \\ c\n\x1b\xff", REP_ESC_TAP, "a \\# b \\\\ c\\\\n\\\\x1b\\\\xff");
	expect_esc("a # b \\ c\n\x1b\xc2\x9b\xff\xc3\xa9", REP_ESC_TEXT,
		   "a # b \\ c\\n\\x1b\\u009b\\xff\xc3\xa9");
	/* what a terminal would not show as itself: separators, bidi
	 * overrides, BOM, noncharacters */
	expect_esc("\xe2\x80\xae\xe2\x80\xa8\xef\xbb\xbf\xef\xbf\xbf|", REP_ESC_TEXT,
		   "\\u202e\\u2028\\ufeff\\uffff|");
	expect_esc("\xe2\x81\xa6", REP_ESC_TAP, "\\\\u2066");
	expect_esc("q\"b\\n\n\x01\xff\xc3\xa9", REP_ESC_YAML,
		   "q\\\"b\\\\n\\n\\x01\\\\xff\xc3\xa9");
	/* widths count characters, and escapes by their length */
	assert_int_equal(rep_esc_width("caf\xc3\xa9", 5, REP_ESC_TEXT), 4);
	assert_int_equal(rep_esc_width("\x1b", 1, REP_ESC_TEXT), 4);
	assert_int_equal(rep_esc_width("\xff", 1, REP_ESC_TEXT), 4);
	assert_int_equal(rep_esc_width("\xc2\x9b", 2, REP_ESC_TEXT), 6);

	char *j = NULL;
	size_t jl = 0;
	FILE *f = open_memstream(&j, &jl);
	assert_non_null(f);
	rep_json_string(f, NULL);
	fputc(' ', f);
	rep_json_string(f, "x");
	fputc(' ', f);
	rep_yaml_string(f, NULL);
	fputc(' ', f);
	rep_yaml_string(f, "y");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(j, "null \"x\" ~ \"y\"");
	free(j);
}

/* ---- a strict JSON parser -------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	char *s;              /* J_STR: decoded bytes; J_NUM: the number's text */
	size_t slen;
	struct jv **kids;     /* J_ARR, J_OBJ */
	char **keys;          /* J_OBJ */
	size_t n;
};

struct jp {
	const char *p, *end;
	int depth;
	const char *err;
};

static void jfree(struct jv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jfree(v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

static void jws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static struct jv *jfail(struct jp *j, struct jv *v, const char *why)
{
	if (!j->err)
		j->err = why;
	jfree(v);
	return NULL;
}

static void jappend(char **buf, size_t *len, size_t *cap, const char *b, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	memcpy(*buf + *len, b, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static int jhex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t jutf8(char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static struct jv *jstring(struct jp *j)
{
	struct jv *v = calloc(1, sizeof *v);
	assert_non_null(v);
	v->t = J_STR;
	size_t cap = 0;
	jappend(&v->s, &v->slen, &cap, "", 0);
	j->p++;  /* the opening quote */
	const char *run = j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return jfail(j, v, "raw control character in a string");
		if (c != '\\') {
			j->p++;
			continue;
		}
		if (!valid_utf8((const unsigned char *)run, (size_t)(j->p - run)))
			return jfail(j, v, "invalid UTF-8 in a string");
		jappend(&v->s, &v->slen, &cap, run, (size_t)(j->p - run));
		j->p++;
		if (j->p >= j->end)
			return jfail(j, v, "escape at end of input");
		char e = *j->p++;
		char ch;
		switch (e) {
		case '"': ch = '"'; break;
		case '\\': ch = '\\'; break;
		case '/': ch = '/'; break;
		case 'b': ch = '\b'; break;
		case 'f': ch = '\f'; break;
		case 'n': ch = '\n'; break;
		case 'r': ch = '\r'; break;
		case 't': ch = '\t'; break;
		case 'u': {
			if (j->end - j->p < 4)
				return jfail(j, v, "short \\u escape");
			int u = jhex4(j->p);
			if (u < 0)
				return jfail(j, v, "bad \\u escape");
			j->p += 4;
			uint32_t cp = (uint32_t)u;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return jfail(j, v, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					return jfail(j, v, "lone high surrogate");
				int lo = jhex4(j->p + 2);
				if (lo < 0xdc00 || lo > 0xdfff)
					return jfail(j, v, "bad surrogate pair");
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
			}
			char u8[4];
			jappend(&v->s, &v->slen, &cap, u8, jutf8(u8, cp));
			run = j->p;
			continue;
		}
		default:
			return jfail(j, v, "unknown escape");
		}
		jappend(&v->s, &v->slen, &cap, &ch, 1);
		run = j->p;
	}
	if (j->p >= j->end)
		return jfail(j, v, "unterminated string");
	if (!valid_utf8((const unsigned char *)run, (size_t)(j->p - run)))
		return jfail(j, v, "invalid UTF-8 in a string");
	jappend(&v->s, &v->slen, &cap, run, (size_t)(j->p - run));
	j->p++;  /* the closing quote */
	return v;
}

static bool jdigit(const struct jp *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static struct jv *jnumber(struct jp *j)
{
	const char *start = j->p;
	if (*j->p == '-')
		j->p++;
	if (!jdigit(j))
		return jfail(j, NULL, "number without digits");
	if (*j->p == '0') {
		j->p++;
		if (jdigit(j))
			return jfail(j, NULL, "leading zero");
	} else {
		while (jdigit(j))
			j->p++;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jdigit(j))
			return jfail(j, NULL, "no digits after '.'");
		while (jdigit(j))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jdigit(j))
			return jfail(j, NULL, "no digits in exponent");
		while (jdigit(j))
			j->p++;
	}
	struct jv *v = calloc(1, sizeof *v);
	assert_non_null(v);
	v->t = J_NUM;
	v->slen = (size_t)(j->p - start);
	v->s = strndup(start, v->slen);
	assert_non_null(v->s);
	return v;
}

static struct jv *jvalue(struct jp *j);

static void jpush(struct jv *v, struct jv *kid, char *k)
{
	v->kids = realloc(v->kids, (v->n + 1) * sizeof *v->kids);
	assert_non_null(v->kids);
	if (v->t == J_OBJ) {
		v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
		assert_non_null(v->keys);
		v->keys[v->n] = k;
	}
	v->kids[v->n++] = kid;
}

static struct jv *jcontainer(struct jp *j, bool obj)
{
	struct jv *v = calloc(1, sizeof *v);
	assert_non_null(v);
	v->t = obj ? J_OBJ : J_ARR;
	if (++j->depth > 64)
		return jfail(j, v, "nested too deep");
	j->p++;
	jws(j);
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
		j->p++;
		j->depth--;
		return v;
	}
	for (;;) {
		char *k = NULL;
		jws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"')
				return jfail(j, v, "object key is not a string");
			struct jv *ks = jstring(j);
			if (!ks)
				return jfail(j, v, "bad key");
			if (strlen(ks->s) != ks->slen) {
				jfree(ks);
				return jfail(j, v, "NUL in a key");
			}
			for (size_t i = 0; i < v->n; i++) {
				if (strcmp(v->keys[i], ks->s) == 0) {
					jfree(ks);
					return jfail(j, v, "duplicate key");
				}
			}
			k = ks->s;
			ks->s = NULL;
			jfree(ks);
			jws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(k);
				return jfail(j, v, "missing ':'");
			}
			j->p++;
		}
		struct jv *kid = jvalue(j);
		if (!kid) {
			free(k);
			return jfail(j, v, "bad member");
		}
		jpush(v, kid, k);
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
			j->p++;
			j->depth--;
			return v;
		}
		return jfail(j, v, "missing ',' or close");
	}
}

static struct jv *jliteral(struct jp *j, const char *word, enum jtype t, bool b)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return jfail(j, NULL, "bad literal");
	j->p += n;
	struct jv *v = calloc(1, sizeof *v);
	assert_non_null(v);
	v->t = t;
	v->b = b;
	return v;
}

static struct jv *jvalue(struct jp *j)
{
	jws(j);
	if (j->p >= j->end)
		return jfail(j, NULL, "value expected");
	switch (*j->p) {
	case '{': return jcontainer(j, true);
	case '[': return jcontainer(j, false);
	case '"': return jstring(j);
	case 't': return jliteral(j, "true", J_BOOL, true);
	case 'f': return jliteral(j, "false", J_BOOL, false);
	case 'n': return jliteral(j, "null", J_NULL, false);
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return jnumber(j);
		return jfail(j, NULL, "unexpected character");
	}
}

/* Parse a whole document; NULL (and *err) when it is not strict JSON. */
static struct jv *json_parse(const char *text, size_t len, const char **err)
{
	struct jp j = { .p = text, .end = text + len };
	struct jv *v = jvalue(&j);
	if (v) {
		jws(&j);
		if (j.p != j.end) {
			jfree(v);
			v = NULL;
			j.err = "trailing data";
		}
	}
	*err = j.err;
	return v;
}

static struct jv *jget(const struct jv *o, const char *k)
{
	assert_non_null(o);
	assert_int_equal(o->t, J_OBJ);
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->keys[i], k) == 0)
			return o->kids[i];
	}
	fail_msg("no key \"%s\"", k);
	return NULL;
}

static long long jnum(const struct jv *o, const char *k)
{
	const struct jv *v = jget(o, k);
	assert_int_equal(v->t, J_NUM);
	return strtoll(v->s, NULL, 10);
}

static const char *jstr(const struct jv *o, const char *k)
{
	const struct jv *v = jget(o, k);
	if (v->t == J_NULL)
		return NULL;
	assert_int_equal(v->t, J_STR);
	return v->s;
}

static void test_json_parser_is_strict(void **state)
{
	(void)state;
	const char *good[] = { "{}", "[]", "0", "-0.5e+3", "\"\\ud83d\\ude00\"", "null",
			       " {\"a\": [1, true, false, null, \"x\"]} " };
	const char *bad[] = { "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "\"\x01\"",
			      "\"\\x41\"", "\"\xff\"", "{\"a\":1,\"a\":2}", "{a:1}", "[1] 2",
			      "\"\\ud800\"", "'x'", "nul", "\"abc", "[1 2]", "+1" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		const char *err = NULL;
		struct jv *v = json_parse(good[i], strlen(good[i]), &err);
		if (!v)
			fail_msg("rejected %s: %s", good[i], err);
		jfree(v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *err = NULL;
		struct jv *v = json_parse(bad[i], strlen(bad[i]), &err);
		if (v)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(err);
	}
}

/* ---- reading the forms back ----------------------------------------- */

struct counts {
	size_t pass, fail, not_observed, skip, problems, tests;
};

static void expect_counts(const struct counts *c, const struct expect *e, const char *form)
{
	if (c->pass != e->pass || c->fail != e->fail || c->not_observed != e->not_observed ||
	    c->skip != e->skip || c->problems != e->problems)
		fail_msg("%s: pass %zu fail %zu not-observed %zu skip %zu problems %zu; "
			 "want %zu %zu %zu %zu %zu", form, c->pass, c->fail, c->not_observed,
			 c->skip, c->problems, e->pass, e->fail, e->not_observed, e->skip,
			 e->problems);
	assert_int_equal(c->tests, e->pass + e->fail + e->not_observed + e->skip + e->problems);
}

/* TAP: the version line, the plan, numbered points in order, YAML blocks
 * only after "not ok" and always closed; an unescaped '#' only as the SKIP
 * directive. */
static struct counts tap_counts(const char *tap)
{
	struct counts c = { 0 };
	size_t plan = SIZE_MAX, next = 1;
	bool in_yaml = false, may_yaml = false;
	const char *p = tap;
	assert_true(strncmp(p, "TAP version 13\n", 15) == 0);
	p += 15;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);   /* every line ends with a newline */
		size_t len = (size_t)(nl - p);
		char line[8192];
		assert_true(len < sizeof line);
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;

		if (in_yaml) {
			assert_true(strncmp(line, "  ", 2) == 0);
			if (strcmp(line, "  ...") == 0)
				in_yaml = false;
			continue;
		}
		if (strcmp(line, "  ---") == 0) {
			assert_true(may_yaml);
			in_yaml = true;
			may_yaml = false;
			continue;
		}
		may_yaml = false;
		if (line[0] == '#')
			continue;
		if (strncmp(line, "1..", 3) == 0) {
			assert_int_equal(plan, SIZE_MAX);
			plan = strtoul(line + 3, NULL, 10);
			continue;
		}
		bool ok = strncmp(line, "ok ", 3) == 0;
		bool not_ok = strncmp(line, "not ok ", 7) == 0;
		if (!ok && !not_ok)
			fail_msg("not a TAP line: %s", line);
		char *q;
		size_t num = strtoul(line + (ok ? 3 : 7), &q, 10);
		assert_int_equal(num, next);
		next++;
		assert_true(strncmp(q, " - ", 3) == 0);
		/* the first unescaped '#' */
		const char *hash = NULL;
		for (const char *d = q + 3; *d; d++) {
			if (*d == '\\' && d[1]) {
				d++;
				continue;
			}
			if (*d == '#') {
				hash = d;
				break;
			}
		}
		c.tests++;
		if (not_ok) {
			assert_null(hash);
			if (strncmp(q + 3, "input problem: ", 15) == 0)
				c.problems++;
			else
				c.fail++;
			may_yaml = true;
		} else if (hash) {
			assert_true(strncmp(hash, "# SKIP ", 7) == 0);
			if (strncmp(hash + 7, "not observed: ", 14) == 0)
				c.not_observed++;
			else
				c.skip++;
		} else {
			c.pass++;
		}
	}
	assert_false(in_yaml);
	assert_int_equal(plan, c.tests);
	return c;
}

/* The value of attribute name in the first tag that starts at tag. */
static size_t xml_attr_num(const char *tag, const char *name)
{
	const char *close = strchr(tag, '>');
	assert_non_null(close);
	char pat[64];
	snprintf(pat, sizeof pat, " %s=\"", name);
	const char *a = strstr(tag, pat);
	assert_non_null(a);
	assert_true(a < close);
	return strtoul(a + strlen(pat), NULL, 10);
}

/* JUnit: the root's totals, the sum over the testsuites, and the elements
 * themselves must agree ('<' in content is always escaped, so string
 * matching finds only markup). */
static struct counts junit_counts(const char *xml)
{
	struct counts c = { 0 };
	assert_true(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	assert_true(valid_utf8((const unsigned char *)xml, strlen(xml)));
	for (const unsigned char *u = (const unsigned char *)xml; *u; u++)
		assert_true(*u >= 0x20 || *u == '\n' || *u == '\t');
	const char *root = strstr(xml, "<testsuites ");
	assert_non_null(root);
	size_t tests = xml_attr_num(root, "tests"), failures = xml_attr_num(root, "failures");
	size_t skipped = xml_attr_num(root, "skipped"), errors = xml_attr_num(root, "errors");
	size_t st = 0, sf = 0, ss = 0, se = 0;
	for (const char *t = strstr(xml, "<testsuite "); t; t = strstr(t + 1, "<testsuite ")) {
		st += xml_attr_num(t, "tests");
		sf += xml_attr_num(t, "failures");
		ss += xml_attr_num(t, "skipped");
		se += xml_attr_num(t, "errors");
	}
	assert_int_equal(st, tests);
	assert_int_equal(sf, failures);
	assert_int_equal(ss, skipped);
	assert_int_equal(se, errors);
	assert_int_equal(count_of(xml, "<testcase "), tests);
	assert_int_equal(count_of(xml, "<failure "), failures);
	assert_int_equal(count_of(xml, "<skipped "), skipped);
	assert_int_equal(count_of(xml, "<error "), errors);
	assert_int_equal(count_of(xml, "<testsuite "), count_of(xml, "</testsuite>"));
	assert_int_equal(count_of(xml, "<testsuites "), 1);
	assert_non_null(strstr(xml, "</testsuites>\n"));
	c.tests = tests;
	c.fail = failures;
	c.problems = errors;
	c.not_observed = count_of(xml, "<skipped message=\"not observed: ");
	c.skip = skipped - c.not_observed;
	c.pass = tests - failures - skipped - errors;
	return c;
}

static struct counts json_counts(const char *json, struct jv **out_root)
{
	const char *err = NULL;
	struct jv *root = json_parse(json, strlen(json), &err);
	if (!root)
		fail_msg("JSON does not parse: %s", err);
	struct counts c = { 0 };
	assert_string_equal(jstr(root, "schema"), REP_JSON_SCHEMA);
	const struct jv *totals = jget(root, "totals");
	const struct jv *sessions = jget(root, "sessions");
	assert_int_equal(sessions->t, J_ARR);
	assert_int_equal((size_t)jnum(totals, "sessions"), sessions->n);
	for (size_t i = 0; i < sessions->n; i++) {
		const struct jv *vs = jget(sessions->kids[i], "verdicts");
		const struct jv *st = jget(sessions->kids[i], "totals");
		struct counts sc = { 0 };
		for (size_t k = 0; k < vs->n; k++) {
			const char *r = jstr(vs->kids[k], "result");
			if (strcmp(r, "PASS") == 0)
				sc.pass++;
			else if (strcmp(r, "FAIL") == 0)
				sc.fail++;
			else if (strcmp(r, "NOT-OBSERVED") == 0)
				sc.not_observed++;
			else if (strcmp(r, "SKIP") == 0)
				sc.skip++;
			else
				fail_msg("result %s", r);
		}
		assert_int_equal((size_t)jnum(st, "pass"), sc.pass);
		assert_int_equal((size_t)jnum(st, "fail"), sc.fail);
		assert_int_equal((size_t)jnum(st, "not_observed"), sc.not_observed);
		assert_int_equal((size_t)jnum(st, "skip"), sc.skip);
		assert_int_equal((size_t)jnum(st, "verdicts"), vs->n);
		c.pass += sc.pass;
		c.fail += sc.fail;
		c.not_observed += sc.not_observed;
		c.skip += sc.skip;
	}
	c.problems = jget(root, "problems")->n;
	assert_int_equal((size_t)jnum(totals, "pass"), c.pass);
	assert_int_equal((size_t)jnum(totals, "fail"), c.fail);
	assert_int_equal((size_t)jnum(totals, "not_observed"), c.not_observed);
	assert_int_equal((size_t)jnum(totals, "skip"), c.skip);
	assert_int_equal((size_t)jnum(totals, "problems"), c.problems);
	c.tests = c.pass + c.fail + c.not_observed + c.skip + c.problems;
	assert_int_equal((size_t)jnum(totals, "verdicts"), c.tests - c.problems);
	if (out_root)
		*out_root = root;
	else
		jfree(root);
	return c;
}

static struct counts text_counts(const char *text)
{
	struct counts c = { 0 };
	const char *t = strstr(text, "\nTotals: ");
	assert_non_null(t);
	size_t sessions, verdicts;
	char w1[16], w2[16], w3[16];
	int n = sscanf(t, "\nTotals: %zu %15s %zu %15s %zu PASS, %zu FAIL, %zu NOT-OBSERVED, "
		       "%zu SKIP; %zu input %15s", &sessions, w1, &verdicts, w2, &c.pass, &c.fail,
		       &c.not_observed, &c.skip, &c.problems, w3);
	assert_int_equal(n, 10);
	assert_int_equal(verdicts, c.pass + c.fail + c.not_observed + c.skip);
	c.tests = verdicts + c.problems;
	return c;
}

/* Display columns of every line (no colour in the text). */
static void assert_lines_fit(const char *text, size_t width)
{
	size_t col = 0, line = 1;
	for (const unsigned char *u = (const unsigned char *)text; *u; u++) {
		if (*u == '\n') {
			if (col > width)
				fail_msg("line %zu is %zu columns", line, col);
			col = 0;
			line++;
		} else if ((*u & 0xc0) != 0x80) {
			col++;
		}
	}
}

/* ---- external tools --------------------------------------------------- */

/* prove over a TAP file: its exit status and whether it reported exactly
 * fails failed points of tests (and no parse error). */
static void prove_says(const char *tap, size_t fails, size_t tests)
{
	if (!have_tool("prove")) {
		printf("note: prove not found (Debian package perl): TAP checked by hand only\n");
		return;
	}
	const char *file = scratch("report.tap");
	write_file(file, tap);
	char cmd[2048];
	const char *out = scratch("prove.out");
	snprintf(cmd, sizeof cmd, "prove -e cat '%s' >'%s' 2>&1", file, out);
	int rc = run_cmd(cmd);
	char *said = read_file(out);
	if (strstr(said, "Parse errors"))
		fail_msg("prove reports parse errors:\n%s", said);
	if (fails) {
		char want[64];
		snprintf(want, sizeof want, "Failed %zu/%zu subtests", fails, tests);
		if (rc != 1 || !strstr(said, want))
			fail_msg("prove (rc %d) does not say \"%s\":\n%s", rc, want, said);
	} else if (tests) {
		if (rc != 0 || !strstr(said, "Result: PASS"))
			fail_msg("prove (rc %d) does not pass:\n%s", rc, said);
	} else {
		if (rc != 0 || !strstr(said, "skipped"))
			fail_msg("prove (rc %d) does not skip:\n%s", rc, said);
	}
	free(said);
}

static void xmllint_says_ok(const char *xml)
{
	if (!have_tool("xmllint")) {
		printf("note: xmllint not found (Debian package libxml2-utils): "
		       "JUnit checked by string matching only\n");
		return;
	}
	const char *file = scratch("report.xml");
	write_file(file, xml);
	char cmd[2048];
	const char *out = scratch("xmllint.out");
	snprintf(cmd, sizeof cmd, "xmllint --noout '%s' >'%s' 2>&1", file, out);
	int rc = run_cmd(cmd);
	if (rc != 0) {
		char *said = read_file(out);
		fail_msg("xmllint rc %d:\n%s", rc, said);
	}
}

/* jq, when present, as a second opinion on the JSON. */
static void jq_says_ok(const char *json)
{
	if (!have_tool("jq"))
		return;
	const char *file = scratch("report.json");
	write_file(file, json);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "jq -e '.schema == \"%s\"' '%s' >/dev/null 2>&1",
		 REP_JSON_SCHEMA, file);
	assert_int_equal(run_cmd(cmd), 0);
}

/* ---- the writers ------------------------------------------------------ */

static void test_all_forms_agree(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	assert_int_equal(rep_run_exit_status(&run), 2);

	char *text = render(&run, F_TEXT);
	char *tap = render(&run, F_TAP);
	char *xml = render(&run, F_JUNIT);
	char *json = render(&run, F_JSON);

	struct counts c = text_counts(text);
	expect_counts(&c, &FULL, "text");
	c = tap_counts(tap);
	expect_counts(&c, &FULL, "TAP");
	c = junit_counts(xml);
	expect_counts(&c, &FULL, "JUnit");
	c = json_counts(json, NULL);
	expect_counts(&c, &FULL, "JSON");

	prove_says(tap, FULL.fail + FULL.problems, c.tests);
	xmllint_says_ok(xml);
	jq_says_ok(json);

	free(text);
	free(tap);
	free(xml);
	free(json);
	rep_run_free(&run);
}

static void test_text_report(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	char *text = render(&run, F_TEXT);
	char *verbose = render(&run, F_TEXT_VERBOSE);
	char *color = render(&run, F_TEXT_COLOR);

	const char *outs[] = { text, verbose };
	for (size_t i = 0; i < 2; i++) {
		const char *t = outs[i];
		/* nothing but newline below 0x20, no DEL, valid UTF-8, 100 columns */
		for (const unsigned char *u = (const unsigned char *)t; *u; u++)
			assert_true((*u >= 0x20 && *u != 0x7f) || *u == '\n');
		assert_true(valid_utf8((const unsigned char *)t, strlen(t)));
		assert_null(strstr(t, "\xc2\x9b"));
		assert_null(strstr(t, "\xe2\x80\xa8"));
		assert_lines_fit(t, 100);
		/* identity, connections, opcodes, keys, notes, problem */
		assert_non_null(strstr(t, "Session 1 of 3:"));
		assert_non_null(strstr(t, "initiator  iqn.1994-05.com.example:host1\n"));
		assert_non_null(strstr(t, "ISID 0x023d00000001  TSIH 0x0001  type Normal\n"));
		assert_non_null(strstr(t, "conn 1  CID 0  192.0.2.1:50001 -> 192.0.2.2:3260  "
					  "2600 PDUs  frames 1-5200  ended: FIN\n"));
		assert_non_null(strstr(t, "conn 2  CID -"));
		assert_non_null(strstr(t, "SCSI Command"));
		assert_non_null(strstr(t, "vendor opcode 0x1c"));
		assert_non_null(strstr(t, "HeaderDigest=CRC32C\n"));
		assert_non_null(strstr(t, "gap of 1448 bytes on conn 1 at frame 300\n"));
		assert_non_null(strstr(t, "Input problems (1):\n"));
		assert_non_null(strstr(t, "captures/b.pcap  frame 77  offset 123456: quote"));
		/* every FAIL with its evidence */
		assert_non_null(strstr(t, "FAIL          SEQ-009     MUST    StatSN of each"));
		assert_non_null(strstr(t, "broken 10 times, held 2590 times; the first 8 shown\n"));
		assert_non_null(strstr(t, "frame 1000  conn 1  iscsi.statsn: expected StatSN "
					  "0x00000010, got 0x00000012\n"));
		assert_non_null(strstr(t, "frame 1007  conn 1  iscsi.statsn:"));
		assert_non_null(strstr(t, "        conn 1  expected StatSN 0x00000012"));
		assert_non_null(strstr(t, "FAIL          LOGIN-003"));
		assert_non_null(strstr(t, "FAIL          TEXT-001"));
		assert_non_null(strstr(t, "esc \\x1b[2J"));
		assert_non_null(strstr(t, "bad \\xff"));
		assert_non_null(strstr(t, "verdicts (8): 3 PASS, 2 FAIL, 2 NOT-OBSERVED, 1 SKIP\n"));
		assert_non_null(strstr(t, "verdicts (0): 0 PASS"));
		assert_null(strstr(t, "\033"));
	}
	/* not verbose: PASS, NOT-OBSERVED and SKIP are counted, not listed */
	assert_null(strstr(text, "PASS          PDU-001"));
	assert_null(strstr(text, "NOT-OBSERVED  MCS-005"));
	assert_null(strstr(text, "SKIP          TMF-004"));
	/* verbose: listed, with reasons */
	assert_non_null(strstr(verbose, "PASS          PDU-001     MUST    PDU layout\n"));
	assert_non_null(strstr(verbose, "NOT-OBSERVED  MCS-005     MUST    CmdSN is"));
	assert_non_null(strstr(verbose, "reason: the session had one connection\n"));
	assert_non_null(strstr(verbose, "SKIP          TMF-004     MAY     ABORT TASK SET\n"));
	assert_non_null(strstr(verbose, "reason: deselected with --rules\n"));
	/* ordered by catalogue ID within the session */
	const char *order[] = { "PDU-001", "LOGIN-003", "SEQ-009", "SEQ-010", "MCS-005",
				"ERL1-002", "TMF-004", "LOGOUT-001" };
	const char *at = verbose;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *next = strstr(at, order[i]);
		assert_non_null(next);
		at = next;
	}
	/* colour only when asked, and the same words */
	assert_non_null(strstr(color, "\033[1;31mFAIL"));
	assert_non_null(strstr(color, "\033[32mPASS"));
	assert_non_null(strstr(color, "\033[0m"));
	struct counts c = text_counts(verbose);
	expect_counts(&c, &FULL, "verbose text");

	free(text);
	free(verbose);
	free(color);
	rep_run_free(&run);
}

static void test_tap_report(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	char *tap = render(&run, F_TAP);
	assert_true(strncmp(tap, "TAP version 13\n1..12\n", 21) == 0);
	assert_true(valid_utf8((const unsigned char *)tap, strlen(tap)));
	for (const unsigned char *u = (const unsigned char *)tap; *u; u++)
		assert_true((*u >= 0x20 && *u != 0x7f) || *u == '\n');
	assert_non_null(strstr(tap, "\nok 1 - " S1_NAME " PDU-001 PDU layout\n"));
	assert_non_null(strstr(tap, "\nnot ok 3 - " S1_NAME " SEQ-009 StatSN of each"));
	assert_non_null(strstr(tap, " MCS-005 CmdSN is session-wide across connections "
				    "# SKIP not observed: the session had one connection\n"));
	assert_non_null(strstr(tap, " TMF-004 ABORT TASK SET # SKIP deselected with --rules\n"));
	assert_non_null(strstr(tap, "\n  severity: \"MUST\"\n"));
	assert_non_null(strstr(tap, "\n    - frame: 1000\n      conn: 1\n      ts_ns: "
				    "1700000001000000000\n      field: \"iscsi.statsn\"\n"
				    "      message: \"expected StatSN 0x00000010, got 0x00000012\"\n"));
	assert_non_null(strstr(tap, "\n      field: ~\n"));
	assert_non_null(strstr(tap, "hash \\# bs \\\\ nl \\\\n"));        /* in a description */
	assert_non_null(strstr(tap, "quote \\\" apos ' lt < gt > amp & hash # bs \\\\ nl \\n"));
	assert_non_null(strstr(tap, "\n  evidence: []\n"));
	assert_non_null(strstr(tap, "\nnot ok 12 - input problem: captures/b.pcap frame 77 "
				    "offset 123456: quote"));
	assert_non_null(strstr(tap, "# session 3: (unnamed)\n"));
	struct counts c = tap_counts(tap);
	expect_counts(&c, &FULL, "TAP");
	prove_says(tap, c.fail + c.problems, c.tests);
	free(tap);
	rep_run_free(&run);

	/* a run that passes: prove passes it */
	rep_run_init(&run, "t", NULL);
	struct rep_session *s = rep_run_add_session(&run, "s # 1");
	add(s, "PDU-001", "MUST", "a # b", REP_PASS, 1, 0, NULL);
	add(s, "PDU-002", "MUST", "c", REP_NOT_OBSERVED, 0, 0, "never # seen");
	add(s, "PDU-003", "MUST", "\\", REP_PASS, 1, 0, NULL);
	tap = render(&run, F_TAP);
	c = tap_counts(tap);
	assert_int_equal(c.pass, 2);
	assert_int_equal(c.not_observed, 1);
	prove_says(tap, 0, 3);
	free(tap);
	rep_run_free(&run);
}

static void test_junit_report(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	char *xml = render(&run, F_JUNIT);
	assert_non_null(strstr(xml, "<testsuites name=\"iscsi-harness check\" tests=\"12\" "
				    "failures=\"3\" skipped=\"4\" errors=\"1\" time=\"2.500\" "
				    "timestamp=\"2023-11-14T22:13:20\">\n"));
	assert_non_null(strstr(xml, "<testsuite name=\"iqn.1994-05.com.example:host1 ISID "
				    "0x023d00000001 TSIH 0x0001 -&gt; iqn.2003-01.org.example:disk1\" "
				    "tests=\"8\" failures=\"2\" skipped=\"3\" errors=\"0\">"));
	assert_non_null(strstr(xml, "<testcase classname=\"iscsi.pdu\" name=\"PDU-001 PDU layout\"/>"));
	assert_non_null(strstr(xml, "<testcase classname=\"iscsi.seq\" name=\"SEQ-009 StatSN of each"));
	assert_non_null(strstr(xml, "<failure message=\"expected StatSN 0x00000010, got "
				    "0x00000012\" type=\"MUST\">"));
	assert_non_null(strstr(xml, "\nframe 1000, conn 1, iscsi.statsn: expected StatSN"));
	assert_non_null(strstr(xml, "(the first 8 of 10 shown)\n</failure>"));
	assert_non_null(strstr(xml, "<failure message=\"broken 1 time\" type=\"MUST\">FAIL: broken "
				    "1 time, held 0 times\n</failure>"));
	assert_non_null(strstr(xml, "<property name=\"conn 2\" value=\"endpoints unknown, 48 PDUs, "
				    "open at end of capture\"/>"));
	assert_non_null(strstr(xml, "<skipped message=\"not observed: the session had one "
				    "connection\"/>"));
	assert_non_null(strstr(xml, "<skipped message=\"deselected with --rules\"/>"));
	assert_non_null(strstr(xml, "<testcase classname=\"iscsi.async\" name=\"ASYNC-002\">"));
	assert_non_null(strstr(xml, "<testsuite name=\"session 3\" tests=\"0\""));
	assert_non_null(strstr(xml, "<testsuite name=\"input problems\" tests=\"1\" failures=\"0\" "
				    "skipped=\"0\" errors=\"1\">"));
	assert_non_null(strstr(xml, "<testcase classname=\"iscsi.input\" name=\"captures/b.pcap "
				    "frame 77 offset 123456\">"));
	assert_non_null(strstr(xml, "<error message=\"quote &quot; apos &apos; lt &lt; gt &gt; "
				    "amp &amp; hash # bs \\ nl &#10; cr &#13; tab &#9; nul-less bel "
				    "\\x07 esc \\x1b[2J del &#x007f; c1 &#x0085; &#x009b; ffff "
				    "\\uffff ls \xe2\x80\xa8 bad \\xff overlong \\xc0\\xaf surrogate "
				    "\\xed\\xa0\\x80 cut \\xe2\\x82 cdata ]]&gt; --&gt; caf\xc3\xa9 "
				    "\xe6\x97\xa5\xe6\x9c\xac\" type=\"input\">"));
	assert_non_null(strstr(xml, "<property name=\"isid\" value=\"0x023d00000001\"/>"));
	assert_non_null(strstr(xml, "<property name=\"key X-null\" value=\"\"/>"));
	assert_non_null(strstr(xml, "<system-out>gap of 1448 bytes on conn 1 at frame 300\nquote"));
	struct counts c = junit_counts(xml);
	expect_counts(&c, &FULL, "JUnit");
	xmllint_says_ok(xml);
	free(xml);
	rep_run_free(&run);
}

static void test_json_report(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	char *json = render(&run, F_JSON);
	assert_true(valid_utf8((const unsigned char *)json, strlen(json)));
	struct jv *root = NULL;
	struct counts c = json_counts(json, &root);
	expect_counts(&c, &FULL, "JSON");

	/* top-level keys, in their fixed order */
	const char *top[] = { "schema", "tool", "version", "inputs", "started_ns",
			      "finished_ns", "exit_status", "totals", "sessions", "problems" };
	assert_int_equal(root->n, sizeof top / sizeof top[0]);
	for (size_t i = 0; i < root->n; i++)
		assert_string_equal(root->keys[i], top[i]);
	assert_string_equal(jstr(root, "tool"), "iscsi-harness check");
	assert_int_equal(jnum(root, "exit_status"), 2);
	assert_int_equal(jnum(root, "started_ns"), 1700000000123456789LL);
	const struct jv *inputs = jget(root, "inputs");
	assert_int_equal(inputs->n, 2);
	/* the awkward string decodes to itself, invalid bytes as \xNN text */
	const char *want =
		"quote \" apos ' lt < gt > amp & hash # bs \\ nl \n cr \r tab \t "
		"nul-less bel \x07 esc \x1b[2J del \x7f c1 \xc2\x85 \xc2\x9b "
		"ffff \xef\xbf\xbf ls \xe2\x80\xa8 bad \\xff overlong \\xc0\\xaf "
		"surrogate \\xed\\xa0\\x80 cut \\xe2\\x82 cdata ]]> --> "
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac";
	assert_string_equal(inputs->kids[1]->s, want);

	const struct jv *s1 = jget(root, "sessions")->kids[0];
	const char *skeys[] = { "name", "initiator", "target", "isid", "tsih", "type",
				"connections", "pdus_by_opcode", "keys", "notes", "totals",
				"verdicts" };
	assert_int_equal(s1->n, sizeof skeys / sizeof skeys[0]);
	for (size_t i = 0; i < s1->n; i++)
		assert_string_equal(s1->keys[i], skeys[i]);
	assert_string_equal(jstr(s1, "name"), S1_NAME);
	assert_string_equal(jstr(s1, "isid"), "0x023d00000001");
	assert_int_equal(jnum(s1, "tsih"), 1);
	const struct jv *conns = jget(s1, "connections");
	assert_int_equal(conns->n, 2);
	assert_int_equal(jnum(conns->kids[0], "cid"), 0);
	assert_int_equal(jget(conns->kids[1], "cid")->t, J_NULL);
	assert_int_equal(jget(conns->kids[1], "first_frame")->t, J_NULL);
	assert_null(jstr(conns->kids[1], "endpoints"));
	const struct jv *ops = jget(s1, "pdus_by_opcode");
	assert_int_equal(ops->n, 7);
	assert_string_equal(ops->keys[0], "SCSI Command");   /* by opcode value */
	assert_int_equal(jnum(ops, "SCSI Command"), 1000);
	assert_int_equal(jnum(ops, "vendor opcode 0x1c"), 1);
	assert_int_equal(jnum(ops, "opcode 0x07"), 3);
	const struct jv *keys = jget(s1, "keys");
	assert_int_equal(keys->n, 4);
	assert_string_equal(jstr(keys->kids[0], "key"), "HeaderDigest");
	assert_string_equal(jstr(keys->kids[2], "value"), want);
	assert_null(jstr(keys->kids[3], "value"));
	const struct jv *notes = jget(s1, "notes");
	assert_true(notes->n >= 2);
	assert_string_equal(notes->kids[0]->s, "gap of 1448 bytes on conn 1 at frame 300");

	const struct jv *vs = jget(s1, "verdicts");
	const char *vkeys[] = { "id", "family", "severity", "summary", "result", "held",
				"broken", "reason", "evidence" };
	const struct jv *fail = NULL;
	for (size_t i = 0; i < vs->n; i++) {
		assert_int_equal(vs->kids[i]->n, sizeof vkeys / sizeof vkeys[0]);
		for (size_t k = 0; k < vs->kids[i]->n; k++)
			assert_string_equal(vs->kids[i]->keys[k], vkeys[k]);
		if (strcmp(jstr(vs->kids[i], "id"), "SEQ-009") == 0)
			fail = vs->kids[i];
	}
	assert_string_equal(jstr(vs->kids[0], "id"), "PDU-001");
	assert_non_null(fail);
	assert_string_equal(jstr(fail, "family"), "seq");
	assert_string_equal(jstr(fail, "result"), "FAIL");
	assert_int_equal(jnum(fail, "broken"), 10);
	assert_int_equal(jnum(fail, "held"), 2590);
	assert_null(jstr(fail, "reason"));
	const struct jv *ev = jget(fail, "evidence");
	assert_int_equal(ev->n, REP_MAX_EVIDENCE);
	assert_int_equal(jnum(ev->kids[0], "frame"), 1000);
	assert_int_equal(jnum(ev->kids[0], "ts_ns"), 1700000001000000000LL);
	assert_string_equal(jstr(ev->kids[0], "field"), "iscsi.statsn");
	assert_string_equal(jstr(ev->kids[1], "message"), want);
	assert_int_equal(jget(ev->kids[2], "frame")->t, J_NULL);
	assert_int_equal(jget(ev->kids[2], "ts_ns")->t, J_NULL);
	assert_null(jstr(ev->kids[2], "field"));

	const struct jv *s2 = jget(root, "sessions")->kids[1];
	assert_string_equal(jstr(s2, "name"), want);
	assert_null(jstr(s2, "initiator"));
	assert_int_equal(jget(s2, "connections")->n, 0);
	assert_int_equal(jget(s2, "pdus_by_opcode")->t, J_OBJ);
	assert_int_equal(jget(s2, "pdus_by_opcode")->n, 0);
	assert_string_equal(jstr(jget(s2, "verdicts")->kids[0], "id"), "TEXT-001");
	assert_null(jstr(jget(s2, "verdicts")->kids[2], "severity"));
	const struct jv *s3 = jget(root, "sessions")->kids[2];
	assert_null(jstr(s3, "name"));
	assert_int_equal(jget(s3, "verdicts")->n, 0);

	const struct jv *prob = jget(root, "problems")->kids[0];
	assert_string_equal(jstr(prob, "file"), "captures/b.pcap");
	assert_int_equal(jnum(prob, "frame"), 77);
	assert_int_equal(jnum(prob, "offset"), 123456);
	assert_string_equal(jstr(prob, "message"), want);

	/* the same run gives the same bytes */
	char *again = render(&run, F_JSON);
	assert_string_equal(json, again);
	free(again);
	jq_says_ok(json);

	jfree(root);
	free(json);
	rep_run_free(&run);
}

static void test_empty_run(void **state)
{
	(void)state;
	struct rep_run run;
	rep_run_init(&run, "iscsi-harness check", "0.1");
	const struct expect none = { 0 };

	char *text = render(&run, F_TEXT);
	char *tap = render(&run, F_TAP);
	char *xml = render(&run, F_JUNIT);
	char *json = render(&run, F_JSON);
	assert_non_null(strstr(text, "No sessions."));
	struct counts c = text_counts(text);
	expect_counts(&c, &none, "text");
	assert_true(strncmp(tap, "TAP version 13\n1..0 # SKIP no sessions\n", 39) == 0);
	c = tap_counts(tap);
	expect_counts(&c, &none, "TAP");
	c = junit_counts(xml);
	expect_counts(&c, &none, "JUnit");
	assert_non_null(strstr(xml, "tests=\"0\" failures=\"0\" skipped=\"0\" errors=\"0\">\n"
				    "</testsuites>\n"));
	c = json_counts(json, NULL);
	expect_counts(&c, &none, "JSON");
	assert_non_null(strstr(json, "\"sessions\": [],\n  \"problems\": []\n}\n"));
	assert_non_null(strstr(json, "\"started_ns\": null"));
	prove_says(tap, 0, 0);
	xmllint_says_ok(xml);
	jq_says_ok(json);
	free(text);
	free(tap);
	free(xml);
	free(json);
	rep_run_free(&run);

	/* nothing at all: not even a tool name */
	memset(&run, 0, sizeof run);
	for (enum form f = F_TEXT; f <= F_JSON; f++) {
		char *out = render(&run, f);
		assert_true(strlen(out) > 0);
		free(out);
	}

	/* sessions without verdicts, one input problem */
	rep_run_init(&run, NULL, NULL);
	assert_non_null(rep_run_add_session(&run, "quiet"));
	assert_int_equal(rep_run_add_problem(&run, "x.pcap", 0, 0, "cannot open: No such file"),
			 REP_OK);
	tap = render(&run, F_TAP);
	assert_true(strncmp(tap, "TAP version 13\n1..1\n", 20) == 0);
	assert_non_null(strstr(tap, "not ok 1 - input problem: x.pcap: cannot open"));
	prove_says(tap, 1, 1);
	xml = render(&run, F_JUNIT);
	xmllint_says_ok(xml);
	assert_non_null(strstr(xml, "<testsuite name=\"quiet\" tests=\"0\""));
	free(tap);
	free(xml);
	rep_run_free(&run);

	/* sessions, none with a verdict, no problem */
	rep_run_init(&run, NULL, NULL);
	assert_non_null(rep_run_add_session(&run, "quiet"));
	tap = render(&run, F_TAP);
	assert_true(strncmp(tap, "TAP version 13\n1..0 # SKIP no verdicts\n", 39) == 0);
	prove_says(tap, 0, 0);
	free(tap);
	rep_run_free(&run);
}

static void test_writers_report_io_errors(void **state)
{
	(void)state;
	struct rep_run run;
	build_full(&run);
	for (enum form f = F_TEXT; f <= F_JSON; f++) {
		FILE *full = fopen("/dev/full", "w");
		if (!full) {
			printf("note: no /dev/full: write errors not tested\n");
			rep_run_free(&run);
			skip();
			return;
		}
		assert_int_equal(write_form(&run, f, full), REP_EIO);
		fclose(full);
	}
	/* a short report fails only at the flush */
	struct rep_run empty;
	rep_run_init(&empty, NULL, NULL);
	for (enum form f = F_TEXT; f <= F_JSON; f++) {
		FILE *full = fopen("/dev/full", "w");
		assert_non_null(full);
		assert_int_equal(write_form(&empty, f, full), REP_EIO);
		fclose(full);
	}
	rep_run_free(&empty);

	/* a stream opened for reading only cannot be written */
	FILE *ro = fopen(scratch("readonly"), "w+");
	assert_non_null(ro);
	fclose(ro);
	ro = fopen(scratch("readonly"), "r");
	assert_non_null(ro);
	assert_int_equal(rep_write_json(&run, ro), REP_EIO);
	fclose(ro);

	assert_int_equal(rep_write_text(NULL, NULL, stdout), REP_EINVAL);
	assert_int_equal(rep_write_tap(&run, NULL), REP_EINVAL);
	assert_int_equal(rep_write_junit(NULL, stdout), REP_EINVAL);
	assert_int_equal(rep_write_json(NULL, stdout), REP_EINVAL);
	rep_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builders_copy_strings),
		cmocka_unit_test(test_many_sessions_and_verdicts),
		cmocka_unit_test(test_sort_catalogue_order),
		cmocka_unit_test(test_totals_and_exit_status),
		cmocka_unit_test(test_utf8_decoder),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_json_parser_is_strict),
		cmocka_unit_test(test_all_forms_agree),
		cmocka_unit_test(test_text_report),
		cmocka_unit_test(test_tap_report),
		cmocka_unit_test(test_junit_report),
		cmocka_unit_test(test_json_report),
		cmocka_unit_test(test_spooled_sessions),
		cmocka_unit_test(test_empty_run),
		cmocka_unit_test(test_writers_report_io_errors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
