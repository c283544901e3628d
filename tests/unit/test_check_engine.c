/* test_check_engine.c — the check engine's public API (harness/check/
 * check.h): the golden session, fed as events and read back from its pcap
 * through the capture reader, gives 0 FAIL with every verdict PASS or
 * NOT-OBSERVED with a reason and the expected PASSes; rule selection by
 * family and ID (--rules), SKIP for the rest, unknown names refused; the
 * family table is consistent with scenarios/CATALOGUE.md (IDs, severity,
 * live rows never judged as PASS); lifecycle (end, export, free);
 * sessions handed over as they end (on_session) report exactly what
 * chk_export() reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/capture/golden_mcs.h"
#include "harness/capture/pcap_reader.h"
#include "harness/check/check.h"
#include "harness/check/family.h"
#include "tests/support/session_builder.h"

#define GOLDEN_PCAP "captures/golden/every-opcode.pcap"
#define CATALOGUE "scenarios/CATALOGUE.md"

static struct rep_run golden_run(const char *rules)
{
	struct chk_engine *e;
	struct chk_options o = { .rules = rules };
	char err[200];
	assert_int_equal(chk_create(&o, &e, err, sizeof err), CHK_OK);
	assert_int_equal(sb_golden(chk_observer(e), NULL, NULL), 0);
	assert_int_equal(chk_session_count(e), 1);
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	chk_free(e);
	return run;
}

/* Every verdict PASS or NOT-OBSERVED (with a reason), no FAIL, no SKIP. */
static void all_clean(const struct rep_run *run)
{
	for (size_t i = 0; i < run->n_sessions; i++) {
		const struct rep_session *s = &run->sessions[i];
		for (size_t k = 0; k < s->n_verdicts; k++) {
			const struct rep_verdict *v = &s->verdicts[k];
			if (v->result == REP_PASS) {
				assert_true(v->held > 0);
				assert_int_equal(v->broken, 0);
				continue;
			}
			if (v->result != REP_NOT_OBSERVED) {
				sb_dump(run);
				fail_msg("%s is %s", v->id,
					 rep_result_name(v->result));
			}
			assert_non_null(v->reason);
			assert_true(strlen(v->reason) > 5);
		}
	}
}

static void test_golden(void **state)
{
	(void)state;
	struct rep_run run = golden_run(NULL);
	all_clean(&run);
	static const char *const pass[] = {
		"SEQ-009", "MCS-005", "MCS-008", "LOGIN-010", "SEQ-002",
		"SEQ-003", "SEQ-011", "MCS-006", "MCS-009", "LOGIN-015",
		"PDU-007", "PDU-008", "SEQ-018", NULL };
	for (const char *const *id = pass; *id; id++) {
		const struct rep_verdict *v = sb_verdict(&run, 0, *id);
		assert_non_null(v);
		if (v->result != REP_PASS)
			fail_msg("%s: %s", *id, rep_result_name(v->result));
	}
	const struct rep_session *s = &run.sessions[0];
	/* every ID of every family, once, sorted by catalogue order */
	size_t nf, total = 0;
	const struct chk_family *const *f = chk_families(&nf);
	for (size_t i = 0; i < nf; i++)
		for (size_t r = 0; r < f[i]->n_rules; r++)
			total += chk_rule_owner(f[i]->rules[r].id) == f[i];
	assert_int_equal(s->n_verdicts, total);
	for (size_t k = 1; k < s->n_verdicts; k++)
		assert_true(rep_id_compare(s->verdicts[k - 1].id,
					   s->verdicts[k].id) < 0);
	/* connections, counts, identity */
	assert_int_equal(s->n_conns, 2);
	assert_string_equal(s->conns[0].endpoints,
			    "192.0.2.1:50001 -> 192.0.2.2:3260");
	assert_string_equal(s->conns[1].end, "logged out, FIN");
	assert_int_equal(s->pdus_by_opcode[PDU_OP_LOGIN_REQ], 4);
	assert_int_equal(s->pdus_by_opcode[PDU_OP_SCSI_CMD], 10);
	assert_int_equal(s->pdus_by_opcode[PDU_OP_ASYNC_MSG], 1);
	assert_int_equal(s->tsih, 0x0101);
	static const uint8_t isid[6] = { 0x80, 0x12, 0x34, 0x56, 0x00, 0x01 };
	assert_memory_equal(s->isid, isid, 6);
	assert_non_null(strstr(s->name, "ISID 0x801234560001 TSIH 0x0101"));
	assert_int_equal(rep_run_exit_status(&run), 0);
	rep_run_free(&run);
}

/* The same session read from its pcap by the capture reader: the engine
 * does not know the difference; verdicts agree and frames are real. */
static void test_golden_pcap(void **state)
{
	(void)state;
	FILE *fp = fopen(GOLDEN_PCAP, "rb");
	if (!fp) {
		fprintf(stderr, "no %s here: skipped\n", GOLDEN_PCAP);
		skip();
	}
	fclose(fp);
	struct chk_engine *e;
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	struct cap_reader *r;
	struct cap_reader_opts o = { 0 };
	char err[256];
	assert_int_equal(cap_reader_open(&r, GOLDEN_PCAP, &o, err, sizeof err),
			 0);
	struct ev_bus bus;
	ev_bus_init(&bus);
	assert_int_equal(ev_bus_add(&bus, chk_observer(e)), 0);
	assert_int_equal(cap_reader_run(r, &bus), 0);
	cap_reader_close(r);
	struct rep_run from_file;
	assert_int_equal(sb_export(e, &from_file), CHK_OK);
	chk_free(e);
	struct rep_run from_events = golden_run(NULL);
	all_clean(&from_file);
	assert_int_equal(from_file.n_sessions, 1);
	const struct rep_session *a = &from_file.sessions[0];
	const struct rep_session *b = &from_events.sessions[0];
	assert_int_equal(a->n_verdicts, b->n_verdicts);
	for (size_t k = 0; k < a->n_verdicts; k++) {
		assert_string_equal(a->verdicts[k].id, b->verdicts[k].id);
		if (a->verdicts[k].result != b->verdicts[k].result)
			fail_msg("%s: %s from the file, %s from events",
				 a->verdicts[k].id,
				 rep_result_name(a->verdicts[k].result),
				 rep_result_name(b->verdicts[k].result));
		assert_int_equal(a->verdicts[k].held, b->verdicts[k].held);
	}
	assert_memory_equal(a->pdus_by_opcode, b->pdus_by_opcode,
			    sizeof a->pdus_by_opcode);
	assert_true(a->conns[0].first_frame > 0);
	rep_run_free(&from_file);
	rep_run_free(&from_events);
}

static size_t count_family(const struct rep_session *s, const char *fam)
{
	size_t n = 0;
	for (size_t k = 0; k < s->n_verdicts; k++)
		n += strcmp(s->verdicts[k].family, fam) == 0;
	return n;
}

static void test_select_family(void **state)
{
	(void)state;
	struct rep_run run = golden_run("seq");
	const struct rep_session *s = &run.sessions[0];
	assert_int_equal(count_family(s, "seq"), chk_family_seq.n_rules);
	assert_int_equal(s->n_verdicts, chk_family_seq.n_rules);
	for (size_t k = 0; k < s->n_verdicts; k++)
		assert_int_not_equal(s->verdicts[k].result, REP_SKIP);
	/* SEQ-018 is judged by the pdu family's validator, reported here */
	assert_int_equal(sb_verdict(&run, 0, "SEQ-018")->result, REP_PASS);
	rep_run_free(&run);

	run = golden_run(" Seq ,LOGIN");
	s = &run.sessions[0];
	assert_int_equal(s->n_verdicts,
			 chk_family_seq.n_rules + chk_family_login.n_rules);
	rep_run_free(&run);
}

static void test_select_id(void **state)
{
	(void)state;
	struct rep_run run = golden_run("MCS-005,login-001");
	const struct rep_session *s = &run.sessions[0];
	assert_int_equal(count_family(s, "mcs"), chk_family_mcs.n_rules);
	assert_int_equal(count_family(s, "login"), chk_family_login.n_rules);
	assert_int_equal(sb_verdict(&run, 0, "MCS-005")->result, REP_PASS);
	assert_int_equal(sb_verdict(&run, 0, "LOGIN-001")->result, REP_PASS);
	const struct rep_verdict *v = sb_verdict(&run, 0, "MCS-008");
	assert_int_equal(v->result, REP_SKIP);
	assert_non_null(v->reason);
	assert_int_equal(v->held, 0);
	assert_null(sb_verdict(&run, 0, "PDU-001"));
	assert_null(sb_verdict(&run, 0, "SEQ-009"));
	rep_run_free(&run);
}

static void test_select_unknown(void **state)
{
	(void)state;
	struct chk_engine *e = (struct chk_engine *)&e;
	char err[200];
	struct chk_options o = { .rules = "seq,NOPE-7" };
	assert_int_equal(chk_create(&o, &e, err, sizeof err), CHK_EINVAL);
	assert_null(e);
	assert_non_null(strstr(err, "NOPE-7"));
	o.rules = "PDU-015";   /* a live rule no family judges */
	assert_int_equal(chk_create(&o, &e, NULL, 0), CHK_EINVAL);
	o.rules = "";
	assert_int_equal(chk_create(&o, &e, err, sizeof err), CHK_OK);
	chk_free(e);
	chk_free(NULL);
}

/* ---- the family table against the catalogue ------------------------------ */

struct row {
	char id[16];
	char observe[8];
	char severity[8];
};

static size_t read_catalogue(struct row *rows, size_t cap)
{
	FILE *fp = fopen(CATALOGUE, "r");
	if (!fp)
		return 0;
	char line[4096];
	size_t n = 0;
	while (fgets(line, sizeof line, fp) && n < cap) {
		if (line[0] != '|' || line[1] != ' ')
			continue;
		char *cells[8];
		size_t nc = 0;
		for (char *p = line; *p && nc < 8; p++)
			if (*p == '|')
				cells[nc++] = p + 1;
		if (nc < 7)
			continue;
		char id[16];
		if (sscanf(cells[0], " %15[A-Z0-9]-%*d", id) != 1)
			continue;
		struct row *r = &rows[n];
		if (sscanf(cells[0], " %15s", r->id) != 1 ||
		    sscanf(cells[4], " %7s", r->observe) != 1 ||
		    sscanf(cells[5], " %7s", r->severity) != 1)
			continue;
		if (!strchr(r->id, '-'))
			continue;
		n++;
	}
	fclose(fp);
	return n;
}

static void test_catalogue(void **state)
{
	(void)state;
	static struct row rows[512];
	size_t nrows = read_catalogue(rows, 512);
	if (nrows < 100) {
		fprintf(stderr, "%s not readable here: skipped\n", CATALOGUE);
		skip();
	}
	size_t nf;
	const struct chk_family *const *f = chk_families(&nf);
	assert_true(nf <= CHK_MAX_FAMILIES);
	for (size_t i = 0; i < nf; i++) {
		assert_non_null(f[i]->name);
		assert_non_null(f[i]->summary);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f[i]->name, f[j]->name);
		for (size_t r = 0; r < f[i]->n_rules; r++) {
			const struct chk_rule *x = &f[i]->rules[r];
			for (size_t q = 0; q < r; q++)
				assert_string_not_equal(f[i]->rules[q].id, x->id);
			assert_true(x->summary && strlen(x->summary) > 10);
			assert_true(x->unseen && strlen(x->unseen) > 5);
			const struct row *row = NULL;
			for (size_t k = 0; k < nrows && !row; k++)
				if (strcmp(rows[k].id, x->id) == 0)
					row = &rows[k];
			if (!row)
				fail_msg("%s (%s) is not in the catalogue",
					 x->id, f[i]->name);
			if (strcmp(row->severity, x->severity) != 0)
				fail_msg("%s: severity %s, catalogue says %s",
					 x->id, x->severity, row->severity);
			/* a live row is never judged PASS from a capture */
			if (strcmp(row->observe, "live") == 0 &&
			    !(x->flags & CHK_RULE_PARTIAL))
				fail_msg("%s is a live row but can PASS", x->id);
		}
	}
}

/* ---- lifecycle ----------------------------------------------------------- */

static void test_lifecycle(void **state)
{
	(void)state;
	struct chk_engine *e;
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	assert_int_equal(chk_session_count(e), 0);
	assert_int_equal(sb_golden(chk_observer(e), NULL, NULL), 0);
	assert_int_equal(chk_end(e), CHK_OK);
	assert_int_equal(chk_end(e), CHK_OK);
	struct event ev = { .kind = EV_CONN_OPEN, .conn = 9 };
	assert_int_equal(chk_on_event(e, &ev), CHK_ESTATE);
	struct rep_run run;
	rep_run_init(&run, "test", "0");
	assert_int_equal(chk_export(e, &run), CHK_OK);
	assert_int_equal(chk_export(e, &run), CHK_OK);
	assert_int_equal(run.n_sessions, 2);
	assert_string_equal(run.sessions[0].name, run.sessions[1].name);
	rep_run_free(&run);
	chk_free(e);

	/* an empty run exports nothing */
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	rep_run_init(&run, "test", "0");
	assert_int_equal(chk_export(e, &run), CHK_OK);
	assert_int_equal(run.n_sessions, 0);
	rep_run_free(&run);
	chk_free(e);
}

struct handed {
	struct rep_run run;
	size_t n;
};

static int spool_one(void *ctx, struct rep_session *s)
{
	struct handed *h = ctx;
	h->n++;
	return rep_run_spool(&h->run, s);
}

static char *json_of(const struct rep_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rep_write_json(run, f), REP_OK);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The MC/S golden session fed to two engines: handed over one session at
 * a time and spooled, the report is byte for byte the one chk_export()
 * makes. */
static void test_hand_over(void **state)
{
	(void)state;
	struct chk_engine *a, *b;
	struct handed h = { .n = 0 };
	rep_run_init(&h.run, "test", "0");
	struct chk_options o = { .on_session = spool_one, .on_session_ctx = &h };
	assert_int_equal(chk_create(NULL, &a, NULL, 0), CHK_OK);
	assert_int_equal(chk_create(&o, &b, NULL, 0), CHK_OK);
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, chk_observer(a));
	ev_bus_add(&bus, chk_observer(b));
	assert_int_equal(golden_mcs_emit(&bus), 0);
	assert_int_equal(chk_end(b), CHK_OK);
	assert_int_equal(h.n, chk_session_count(a));
	struct rep_run run;
	assert_int_equal(sb_export(a, &run), CHK_OK);
	struct rep_run none;
	assert_int_equal(sb_export(b, &none), CHK_OK);
	assert_int_equal(none.n_sessions, 0);
	assert_int_equal(rep_run_session_count(&h.run), run.n_sessions);
	char *want = json_of(&run), *got = json_of(&h.run);
	assert_string_equal(got, want);
	free(want);
	free(got);
	rep_run_free(&none);
	rep_run_free(&run);
	rep_run_free(&h.run);
	chk_free(a);
	chk_free(b);
}

/* Events of kinds the engine does not judge, and PDUs shorter than a BHS,
 * are taken without harm. */
static void test_odd_events(void **state)
{
	(void)state;
	struct chk_engine *e;
	assert_int_equal(chk_create(NULL, &e, NULL, 0), CHK_OK);
	static const uint8_t short_pdu[10] = { 0x01 };
	struct event evs[] = {
		{ .kind = EV_NOTE, .conn = 1, .text = "hello" },
		{ .kind = EV_WIRE, .conn = 1, .bytes = short_pdu, .len = 10 },
		{ .kind = EV_PDU, .conn = 1, .frame = 3, .bytes = short_pdu,
		  .len = sizeof short_pdu },
		{ .kind = EV_PDU, .conn = 1, .frame = 4, .bytes = NULL,
		  .len = 0 },
		{ .kind = EV_FAULT, .conn = 1, .text = "cut" },
		{ .kind = EV_CONN_RST, .conn = 1, .dir = EV_DIR_T2I },
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		assert_int_equal(chk_on_event(e, &evs[i]), CHK_OK);
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	assert_int_equal(run.n_sessions, 1);
	const struct rep_verdict *v = sb_failed(&run, "PDU-001");
	assert_non_null(v);
	assert_int_equal(v->evidence[0].frame, 3);
	assert_non_null(strstr(run.sessions[0].notes, "fault"));
	assert_string_equal(run.sessions[0].conns[0].end, "RST by target");
	rep_run_free(&run);
	chk_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_golden_pcap),
		cmocka_unit_test(test_select_family),
		cmocka_unit_test(test_select_id),
		cmocka_unit_test(test_select_unknown),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_odd_events),
		cmocka_unit_test(test_hand_over),
	};
	return cmocka_run_group_tests_name("check_engine", tests, NULL, NULL);
}
