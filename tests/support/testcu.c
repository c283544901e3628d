/* testcu.c — iscsi-test-cu run and read test by test (see testcu.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/support/peers.h"
#include "tests/support/testcu.h"

const char *testcu_outcome_name(enum testcu_outcome o)
{
	return o == TESTCU_PASSED ? "passed" : o == TESTCU_SKIPPED ? "skipped" : "FAILED";
}

/* The next outcome word after p: "passed", or "FAILED" that is not a
 * test's own "[FAILED] ..." log line (iSCSIDataSnInvalid prints those
 * for the failures it provokes on purpose). */
static const char *next_failed(const char *p)
{
	for (const char *f = strstr(p, "FAILED"); f; f = strstr(f + 6, "FAILED"))
		if (f == p || f[-1] != '[')
			return f;
	return NULL;
}

/* Verbose output: "Suite: S" lines, then per test "  Test: T ..." followed
 * (on the same line or after [SKIPPED] lines) by "passed" or "FAILED". */
static void parse(const char *text, struct testcu_run *r)
{
	char suite[48] = "";
	const char *p = text;
	while (p && *p && r->n < TESTCU_MAX_TESTS) {
		const char *s = strstr(p, "Suite: ");
		const char *t = strstr(p, "Test: ");
		if (!t)
			break;
		if (s && s < t) {
			const char *eol = strchr(s, '\n');
			size_t n = eol ? (size_t)(eol - s - 7) : strlen(s + 7);
			snprintf(suite, sizeof suite, "%.*s", (int)n, s + 7);
			p = eol ? eol : s + 7;
			continue;
		}
		const char *dots = strstr(t, " ...");
		if (!dots)
			break;
		struct testcu_test *x = &r->tests[r->n];
		snprintf(x->name, sizeof x->name, "%s.%.*s", suite, (int)(dots - t - 6), t + 6);
		const char *pass = strstr(dots, "passed"), *fail = next_failed(dots);
		const char *end = !pass ? fail : !fail ? pass : pass < fail ? pass : fail;
		if (!end)
			break;
		const char *skip = strstr(dots, "[SKIPPED]");
		if (end == fail)
			x->outcome = TESTCU_FAILED;
		else
			x->outcome = skip && skip < end ? TESTCU_SKIPPED : TESTCU_PASSED;
		r->n++;
		p = end + 6;
	}
	for (size_t i = 0; i < r->n; i++) {
		r->passed += r->tests[i].outcome == TESTCU_PASSED;
		r->skipped += r->tests[i].outcome == TESTCU_SKIPPED;
		r->failed += r->tests[i].outcome == TESTCU_FAILED;
	}
}

void testcu_run(const char *families, const char *url, double timeout_s,
		struct testcu_run *r)
{
	memset(r, 0, sizeof *r);
	const char *argv[] = { "iscsi-test-cu", "-d", "-v", "-t", families, url, NULL };
	struct peer_result res;
	char err[512];
	if (peer_run(argv, NULL, timeout_s, &res, err, sizeof err) != 0)
		fail_msg("iscsi-test-cu: %s", err);
	r->seconds = res.seconds;
	const char *sum = res.out ? strstr(res.out, "Run Summary") : NULL;
	const char *tests = sum ? strstr(sum, "tests") : NULL;
	unsigned total = 0, inactive = 0;
	if (res.timed_out || !tests ||
	    sscanf(tests, "tests %u %u %u %u %u", &total, &r->summary_ran,
		   &r->summary_passed, &r->summary_failed, &inactive) != 5) {
		size_t n = res.out_len > 600 ? 600 : res.out_len;
		fail_msg("iscsi-test-cu -t %s %s: %s, no Run Summary: %s", families, url,
			 res.timed_out ? "timed out" : "ended", res.out ? res.out + res.out_len - n : "");
	}
	parse(res.out, r);
	peer_result_free(&res);
	if (r->n != r->summary_ran || r->failed != r->summary_failed ||
	    r->passed + r->skipped != r->summary_passed)
		fail_msg("iscsi-test-cu -t %s: %zu tests read (%zu passed, %zu skipped, %zu "
			 "failed), CUnit says ran %u passed %u failed %u", families, r->n,
			 r->passed, r->skipped, r->failed, r->summary_ran, r->summary_passed,
			 r->summary_failed);
}

int testcu_outcome_of(const struct testcu_run *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->tests[i].name, name))
			return (int)r->tests[i].outcome;
	return -1;
}
