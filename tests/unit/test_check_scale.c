/* test_check_scale.c — the check engine over many sessions: the MC/S golden
 * session repeated (new connection ids each time, same ISID, names and
 * TSIH, as bench_check does) gives one session per repetition, each with
 * the verdicts of a single run; sessions that ended are judged at once and
 * kept compact (the export is the same as for one session), and with
 * drop_ended they are forgotten while chk_failed_count() still counts their
 * failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capture/golden_mcs.h"
#include "harness/check/check.h"
#include "harness/report/report.h"

#define REPS 40u
#define CONNS_PER_REP 8u

struct shift {
	struct chk_engine *eng;
	uint32_t rep;
};

static int shifted(void *ctx, const struct event *ev)
{
	struct shift *s = ctx;
	struct event e = *ev;
	e.conn = s->rep * CONNS_PER_REP + ev->conn;
	return chk_on_event(s->eng, &e);
}

static struct chk_engine *run_reps(uint32_t reps, bool drop_ended)
{
	struct chk_options o = { .drop_ended = drop_ended };
	struct chk_engine *eng;
	assert_int_equal(chk_create(&o, &eng, NULL, 0), CHK_OK);
	struct shift s = { .eng = eng };
	for (uint32_t i = 0; i < reps; i++) {
		struct ev_bus bus;
		ev_bus_init(&bus);
		ev_bus_add(&bus, (struct ev_observer){ shifted, &s });
		s.rep = i;
		assert_true(golden_mcs_emit(&bus) >= 0);
	}
	assert_int_equal(chk_end(eng), CHK_OK);
	return eng;
}

static void same_verdicts(const struct rep_session *a,
			  const struct rep_session *b)
{
	assert_int_equal(a->n_verdicts, b->n_verdicts);
	for (size_t k = 0; k < a->n_verdicts; k++) {
		const struct rep_verdict *x = &a->verdicts[k], *y = &b->verdicts[k];
		assert_string_equal(x->id, y->id);
		assert_int_equal(x->result, y->result);
		assert_int_equal(x->held, y->held);
		assert_int_equal(x->broken, y->broken);
		assert_int_equal(x->n_evidence, y->n_evidence);
	}
	assert_int_equal(a->n_conns, b->n_conns);
	assert_int_equal(a->n_keys, b->n_keys);
	assert_memory_equal(a->pdus_by_opcode, b->pdus_by_opcode,
			    sizeof a->pdus_by_opcode);
}

static void test_many_sessions_match_one(void **state)
{
	(void)state;
	struct chk_engine *one = run_reps(1, false);
	struct rep_run r1;
	rep_run_init(&r1, "t", "0");
	assert_int_equal(chk_export(one, &r1), CHK_OK);
	assert_int_equal(r1.n_sessions, 1);

	struct chk_engine *many = run_reps(REPS, false);
	assert_int_equal(chk_session_count(many), REPS);
	struct rep_run rn;
	rep_run_init(&rn, "t", "0");
	assert_int_equal(chk_export(many, &rn), CHK_OK);
	assert_int_equal(rn.n_sessions, REPS);
	for (size_t i = 0; i < rn.n_sessions; i++) {
		same_verdicts(&r1.sessions[0], &rn.sessions[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rn.sessions[i].name,
						rn.sessions[j].name);
	}
	assert_int_equal(rep_run_exit_status(&rn), 0);
	assert_int_equal(chk_failed_count(many), 0);
	rep_run_free(&r1);
	rep_run_free(&rn);
	chk_free(one);
	chk_free(many);
}

static void test_drop_ended(void **state)
{
	(void)state;
	struct chk_engine *eng = run_reps(REPS, true);
	assert_int_equal(chk_session_count(eng), REPS);
	assert_int_equal(chk_failed_count(eng), 0);
	struct rep_run run;
	rep_run_init(&run, "t", "0");
	assert_int_equal(chk_export(eng, &run), CHK_OK);
	/* every repetition logged out and closed its connections */
	assert_int_equal(run.n_sessions, 0);
	rep_run_free(&run);
	chk_free(eng);
}

/* A session cut off in the middle stays open: it is judged at the end,
 * with or without drop_ended. */
struct cut {
	struct chk_engine *eng;
	size_t left;
};

static int until(void *ctx, const struct event *ev)
{
	struct cut *c = ctx;
	if (!c->left)
		return 0;
	c->left--;
	return chk_on_event(c->eng, ev);
}

static void test_open_session_exported(void **state)
{
	(void)state;
	for (int drop = 0; drop < 2; drop++) {
		struct chk_options o = { .drop_ended = drop };
		struct chk_engine *eng;
		assert_int_equal(chk_create(&o, &eng, NULL, 0), CHK_OK);
		struct cut c = { eng, 60 };
		struct ev_bus bus;
		ev_bus_init(&bus);
		ev_bus_add(&bus, (struct ev_observer){ until, &c });
		assert_true(golden_mcs_emit(&bus) >= 0);
		struct rep_run run;
		rep_run_init(&run, "t", "0");
		assert_int_equal(chk_export(eng, &run), CHK_OK);
		assert_int_equal(run.n_sessions, 1);
		assert_int_equal(chk_session_count(eng), 1);
		rep_run_free(&run);
		chk_free(eng);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_sessions_match_one),
		cmocka_unit_test(test_drop_ended),
		cmocka_unit_test(test_open_session_exported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
