/* test_check_keys.c — the negotiated keys a session's report lists
 * (harness/check/session.c): table keys by name, extension and unknown
 * keys by theirs, a connection-scope key of an added connection with its
 * CID (MaxRecvDataSegmentLength with the side that declared it), values a
 * Text negotiation changes to longer and shorter ones, and offers paired
 * with their answers by key (table keys, extension keys, unknown keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness/check/check.h"
#include "tests/support/session_builder.h"

static struct sb B;

/* The value of key in session s of run, or NULL. */
static const char *key_value(const struct rep_run *run, size_t s,
			     const char *key)
{
	const struct rep_session *rs = &run->sessions[s];
	const char *v = NULL;
	for (size_t i = 0; i < rs->n_keys; i++) {
		if (strcmp(rs->keys[i].key, key) != 0)
			continue;
		if (v)
			fail_msg("key %s listed twice", key);
		v = rs->keys[i].value;
	}
	return v;
}

static void expect_key(const struct rep_run *run, const char *key,
		       const char *value)
{
	const char *v = key_value(run, 0, key);
	if (!v || strcmp(v, value) != 0)
		fail_msg("key %s is %s, not %s", key, v ? v : "(not listed)",
			 value);
}

static void text_exchange(struct sb_conn *c, const char *const *req,
			  const char *const *rsp)
{
	struct pdu_hdr q = sb_hdr(PDU_OP_TEXT_REQ), r = sb_hdr(PDU_OP_TEXT_RSP);
	q.final = true;
	q.itt = sb_itt(&B);
	sb_send_keys(&B, c, &q, req, 0);
	r.final = true;
	r.itt = q.itt;
	sb_send_keys(&B, c, &r, rsp, 0);
}

/* A leading login with extension and unknown keys, two connections added
 * (CIDs 2 and 3), then Text negotiations on the leading connection and on
 * CID 2 that change MaxRecvDataSegmentLength. */
static void feed_keys(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c1 = sb_open(&B, 1, 1);
	static const char *const op_req[] = {
		"HeaderDigest=None", "DataDigest=None", "MaxConnections=8",
		"ErrorRecoveryLevel=2", "InitialR2T=No", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "MaxOutstandingR2T=1",
		"X-org.example.feature=on", "X#Tracing=Yes", "Unheard=1",
		"X-org.example.other=off", NULL };
	static const char *const op_rsp[] = {
		"X#Tracing=NotUnderstood", "HeaderDigest=None",
		"DataDigest=None", "MaxConnections=4", "ErrorRecoveryLevel=1",
		"InitialR2T=No", "ImmediateData=Yes",
		"MaxRecvDataSegmentLength=262144", "MaxBurstLength=262144",
		"FirstBurstLength=65536", "MaxOutstandingR2T=1",
		"Unheard=NotUnderstood", "X-org.example.feature=NotUnderstood",
		"X-org.example.other=off", NULL };
	sb_login_leading(&B, c1, op_req, op_rsp);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	static const char *const join_req[] = {
		"HeaderDigest=CRC32C,None", "DataDigest=None",
		"MaxRecvDataSegmentLength=16384", NULL };
	static const char *const join_rsp[] = {
		"HeaderDigest=CRC32C", "DataDigest=None",
		"MaxRecvDataSegmentLength=32768", NULL };
	sb_login_join(&B, c2, join_req, join_rsp);
	c2->dg.header = true;
	struct sb_conn *c3 = sb_open(&B, 3, 3);
	static const char *const join3_req[] = {
		"MaxRecvDataSegmentLength=8192", NULL };
	sb_login_join(&B, c3, join3_req, NULL);

	static const char *const longer[] = {
		"MaxRecvDataSegmentLength=1048576", NULL };
	static const char *const shorter[] = {
		"MaxRecvDataSegmentLength=512", NULL };
	text_exchange(c1, longer, NULL);
	text_exchange(c1, shorter, NULL);
	text_exchange(c2, longer, shorter);
	sb_nop_ping(&B, c1);
}

static void test_listed_keys(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_keys, NULL);
	assert_int_equal(run.n_sessions, 1);
	/* the leading login: answered, declared, and not understood */
	expect_key(&run, "MaxConnections", "4");
	expect_key(&run, "ErrorRecoveryLevel", "1");
	expect_key(&run, "HeaderDigest", "None");
	expect_key(&run, "X-org.example.feature", "NotUnderstood");
	expect_key(&run, "X-org.example.other", "off");
	expect_key(&run, "X#Tracing", "NotUnderstood");
	expect_key(&run, "Unheard", "NotUnderstood");
	/* added connections: their own values, named with their CID */
	expect_key(&run, "HeaderDigest (CID 2)", "CRC32C");
	expect_key(&run, "DataDigest (CID 2)", "None");
	expect_key(&run, "MaxRecvDataSegmentLength (CID 3, initiator)",
		   "8192");
	assert_null(key_value(&run, 0, "MaxRecvDataSegmentLength (CID 3, "
				       "target)"));
	/* the Text negotiations: longer, then shorter values */
	expect_key(&run, "MaxRecvDataSegmentLength (initiator)", "512");
	expect_key(&run, "MaxRecvDataSegmentLength (target)", "262144");
	expect_key(&run, "MaxRecvDataSegmentLength (CID 2, initiator)",
		   "1048576");
	expect_key(&run, "MaxRecvDataSegmentLength (CID 2, target)", "512");
	rep_run_free(&run);
}

/* Every offer found its answer whatever its kind of name: nothing is
 * left unanswered, nothing failed, and no key counts as sent twice. */
static void test_offers_paired(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_keys, NULL);
	sb_expect_no_fail(&run);
	sb_expect(&run, 0, "LOGIN-024", REP_PASS);
	sb_expect(&run, 0, "LOGIN-022", REP_PASS);
	rep_run_free(&run);
}

/* A key sent twice in one login is LOGIN-024's however it is named. */
static void feed_repeats(struct ev_observer sink)
{
	sb_init(&B, sink);
	struct sb_conn *c = sb_open(&B, 1, 1);
	static const char *const op_req[] = {
		"X-org.example.feature=on", "Unheard=1", "MaxBurstLength=262144",
		"X-org.example.feature=on", "Unheard=1", "MaxBurstLength=262144",
		NULL };
	static const char *const op_rsp[] = {
		"X-org.example.feature=NotUnderstood",
		"Unheard=NotUnderstood", "MaxBurstLength=262144", NULL };
	sb_login_leading(&B, c, op_req, op_rsp);
}

static void test_repeats(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_repeats, NULL);
	const struct rep_verdict *v = sb_failed(&run, "LOGIN-024");
	assert_non_null(v);
	/* three repeats, then the target accepting the login */
	assert_int_equal(v->broken, 4);
	rep_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed_keys),
		cmocka_unit_test(test_offers_paired),
		cmocka_unit_test(test_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
