/* testcu.h — test helper: libiscsi's iscsi-test-cu run against a target
 * and its verbose output read test by test. iscsi-test-cu counts a test
 * that skipped itself ("[SKIPPED] ... not implemented", "--dataloss flag
 * is not set") as passed; here every test is PASSED (really ran and
 * held), SKIPPED (passed without testing) or FAILED, so that two targets
 * can be compared on real passes. */
#ifndef TESTS_SUPPORT_TESTCU_H
#define TESTS_SUPPORT_TESTCU_H

#include <stdbool.h>
#include <stddef.h>

#define TESTCU_MAX_TESTS 1024

enum testcu_outcome { TESTCU_PASSED, TESTCU_SKIPPED, TESTCU_FAILED };

struct testcu_test {
	char name[96];            /* "Suite.Test" */
	enum testcu_outcome outcome;
};

struct testcu_run {
	struct testcu_test tests[TESTCU_MAX_TESTS];
	size_t n;
	size_t passed, skipped, failed;
	unsigned summary_ran, summary_passed, summary_failed;  /* CUnit's own */
	double seconds;
};

/* Runs `iscsi-test-cu -d -v -t families url` (families comma-separated)
 * with a timeout and parses it into r. Fails the cmocka test when the
 * program cannot run, times out or prints no Run Summary, or when the
 * per-test lines do not add up to CUnit's own summary. */
void testcu_run(const char *families, const char *url, double timeout_s,
		struct testcu_run *r);

/* The outcome of name in r, or -1 when r has no such test. */
int testcu_outcome_of(const struct testcu_run *r, const char *name);

const char *testcu_outcome_name(enum testcu_outcome o);

#endif
