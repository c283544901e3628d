/* test_check_login.c — the login rule family (harness/check/rules_login.c):
 * the golden session's two logins pass; every ID the family reports is
 * broken on purpose (a golden Login PDU changed, or a small synthesized
 * login) and must FAIL alone at the frame of the bad PDU; offers are
 * paired with answers across C=1 continuations; a table check proves
 * every ID the family owns was seen FAIL here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness/check/check.h"
#include "harness/check/family.h"
#include "tests/support/session_builder.h"

#define NO -1
#define INAME "InitiatorName=iqn.2026-01.org.iscsi-harness:sb-initiator"
#define TNAME "TargetName=iqn.2026-01.org.iscsi-harness:sb-target"

/* ---- golden mutations --------------------------------------------------- */

static const struct sb_mut m_i_bit = { 1, PDU_OP_LOGIN_REQ, 1, .byte = 0,
				       .clear_bits = 0x40 };
/* the continued (C=1) Login Request also says T=1, NSG=3 */
static const struct sb_mut m_c_and_t = { 1, PDU_OP_LOGIN_REQ, 2, .byte = 1,
					 .set_bits = 0x83 };
/* the last Login Request goes back to stage 0 */
static const struct sb_mut m_back = { 1, PDU_OP_LOGIN_REQ, 3,
				      "iscsi.login.csg", 0, .byte = NO };
static const struct sb_mut m_version = { 1, PDU_OP_LOGIN_REQ, 1,
					 "iscsi.versionmax", 1, .byte = NO };
static const struct sb_mut m_tsih_change = { 1, PDU_OP_LOGIN_REQ, 2,
					     "iscsi.tsih", 5, .byte = NO };
static const struct sb_mut m_tsih_early = { 1, PDU_OP_LOGIN_RSP, 1,
					    "iscsi.tsih", 0x0101, .byte = NO };

/* Every Login Request of both connections has ISID type 11b. */
static bool hook_isid(void *ctx, struct sb_golden *g, struct event *ev,
		      uint8_t *buf, size_t *len)
{
	uint64_t *frame = ctx;
	if (ev->kind == EV_PDU && *len >= PDU_BHS_LEN &&
	    (buf[0] & 0x3f) == PDU_OP_LOGIN_REQ) {
		if (!*frame)
			*frame = sb_frame(g);
		buf[8] |= 0xc0;
		sb_fix_digests(buf, *len, ev->digests);
	}
	return true;
}

static const struct sb_hooked isid = { hook_isid };

/* ---- synthesized logins ------------------------------------------------- */

static struct sb B;

static struct sb_conn *open1(struct ev_observer sink)
{
	sb_init(&B, sink);
	return sb_open(&B, 1, 1);
}

static uint64_t login_pdu(struct sb_conn *c, bool req, uint8_t csg,
			  uint8_t nsg, bool t, bool cont, uint16_t tsih,
			  const char *const *keys, uint8_t sclass,
			  uint8_t sdetail)
{
	struct pdu_hdr h = sb_hdr(req ? PDU_OP_LOGIN_REQ : PDU_OP_LOGIN_RSP);
	h.immediate = req;
	h.transit = t;
	h.cont = cont;
	h.csg = csg;
	h.nsg = t ? nsg : 0;
	memcpy(h.isid, B.isid, 6);
	h.tsih = tsih;
	h.cid = c->cid;
	h.itt = 0x77;
	h.status_class = sclass;
	h.status_detail = sdetail;
	uint64_t f = sb_send_keys(&B, c, &h, keys, 0);
	if (!req && t && nsg == PDU_STAGE_FULL_FEATURE && !cont && !sclass)
		c->ffp = true;
	return f;
}

/* One leading login exchange with these keys as they are. */
static uint64_t pair(struct sb_conn *c, const char *const *req,
		     const char *const *rsp)
{
	B.tsih = B.next_tsih++;
	return sb_login_pair(&B, c, PDU_STAGE_OPERATIONAL,
			     PDU_STAGE_FULL_FEATURE, true, 0, B.tsih, req, rsp,
			     0, 0);
}

static uint64_t run_rsp_c_and_t(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { INAME, TNAME, "SessionType=Normal",
					   "MaxBurstLength=262144",
					   "ImmediateData=Yes", NULL };
	static const char *const rsp1[] = { "TargetPortalGroupTag=1",
					    "MaxBurstLength=262144", NULL };
	static const char *const rsp2[] = { "ImmediateData=Yes", NULL };
	login_pdu(c, true, 1, 3, true, false, 0, req, 0, 0);
	uint64_t f = login_pdu(c, false, 1, 3, true, true, 0, rsp1, 0, 0);
	login_pdu(c, true, 1, 3, true, false, 0, NULL, 0, 0);
	login_pdu(c, false, 1, 3, true, false, 0x42, rsp2, 0, 0);
	sb_nop_ping(&B, c);
	return f;
}

static uint64_t run_t_unasked(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { INAME, TNAME, "SessionType=Normal",
					   "AuthMethod=None", NULL };
	static const char *const rsp[] = { "AuthMethod=None",
					   "TargetPortalGroupTag=1", NULL };
	login_pdu(c, true, 0, 0, false, false, 0, req, 0, 0);
	uint64_t f = login_pdu(c, false, 0, 1, true, false, 0, rsp, 0, 0);
	login_pdu(c, true, 0, 1, true, false, 0, NULL, 0, 0);
	login_pdu(c, false, 0, 1, true, false, 0, NULL, 0, 0);
	login_pdu(c, true, 1, 3, true, false, 0, NULL, 0, 0);
	login_pdu(c, false, 1, 3, true, false, 0x42, NULL, 0, 0);
	return f;
}

static uint64_t run_first_statsn(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	sb_login_leading(&B, c, NULL, NULL);
	c->statsn++;
	uint64_t f = sb_nop_ping(&B, c);
	sb_nop_ping(&B, c);
	return f;
}

static uint64_t run_after_refusal(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { INAME, TNAME, "SessionType=Normal",
					   NULL };
	sb_login_pair(&B, c, 1, 3, true, 0, 0, req, NULL, 2, 1);
	uint64_t f = login_pdu(c, true, 1, 3, true, false, 0, req, 0, 0);
	sb_close(&B, c);
	return f;
}

static uint64_t run_no_initiator(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { TNAME, "SessionType=Normal", NULL };
	static const char *const rsp[] = { "TargetPortalGroupTag=1", NULL };
	return pair(c, req, rsp) - 1;
}

static uint64_t run_no_target(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { INAME, "SessionType=Normal", NULL };
	static const char *const rsp[] = { "TargetPortalGroupTag=1", NULL };
	return pair(c, req, rsp) - 1;
}

static uint64_t run_no_tpgt(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { INAME, TNAME, "SessionType=Normal",
					   NULL };
	return pair(c, req, NULL);
}

/* A request sequence and its answer, given as they are; the failing PDU
 * is the request (0) or the response (1). */
struct kv_case {
	const char *const *req;
	const char *const *rsp;
	int bad;
};

static uint64_t run_kv(struct ev_observer sink, const void *arg)
{
	const struct kv_case *k = arg;
	struct sb_conn *c = open1(sink);
	uint64_t f = pair(c, k->req, k->rsp);
	sb_nop_ping(&B, c);
	return k->bad ? f : f - 1;
}

#define BASE_REQ INAME, TNAME, "SessionType=Normal"
#define BASE_RSP "TargetPortalGroupTag=1"

static const char *const r_format[] = { BASE_REQ, "MaxConnections", NULL };
static const char *const r_reserved[] = { BASE_REQ, "HeaderDigest=Reject",
					  NULL };
static const char *const a_reserved[] = { BASE_RSP, "HeaderDigest=Reject",
					  NULL };
static const char *const r_list[] = { BASE_REQ, "DataDigest=None", NULL };
static const char *const a_list[] = { BASE_RSP, "DataDigest=CRC32C", NULL };
static const char *const r_num[] = { BASE_REQ, "MaxBurstLength=262144",
				     NULL };
static const char *const a_num[] = { BASE_RSP, "MaxBurstLength=300000",
				     NULL };
static const char *const r_bool[] = { BASE_REQ, "InitialR2T=Yes", NULL };
static const char *const a_bool[] = { BASE_RSP, "InitialR2T=No", NULL };
static const char *const r_twice[] = { BASE_REQ, "MaxConnections=8",
				       "MaxConnections=8", NULL };
static const char *const a_twice[] = { BASE_RSP, "MaxConnections=8", NULL };
static const char *const r_digest[] = { BASE_REQ,
					"HeaderDigest=CRC32C,None", NULL };
static const char *const a_digest[] = { BASE_RSP, "HeaderDigest=None",
					NULL };
static const char *const r_burst[] = { BASE_REQ, "MaxBurstLength=16384",
				       "FirstBurstLength=65536", NULL };
static const char *const a_burst[] = { BASE_RSP, "MaxBurstLength=16384",
				       "FirstBurstLength=65536", NULL };
static const char *const r_level[] = { BASE_REQ, "iSCSIProtocolLevel=40",
				       NULL };
static const char *const a_level[] = { BASE_RSP, "iSCSIProtocolLevel=Reject",
				       NULL };
static const char *const r_markint[] = { BASE_REQ, "IFMarkInt=2048~8192",
					 NULL };
static const char *const a_markint[] = { BASE_RSP, "IFMarkInt=NotUnderstood",
					 NULL };
static const char *const r_marker[] = { BASE_REQ, "OFMarker=Yes", NULL };
static const char *const a_marker[] = { BASE_RSP, "OFMarker=Yes", NULL };

static const char *const a_basic[] = { BASE_RSP, NULL };
static const struct kv_case k_format = { r_format, a_basic, 0 };
static const struct kv_case k_reserved = { r_reserved, a_reserved, 0 };
static const struct kv_case k_list = { r_list, a_list, 1 };
static const struct kv_case k_num = { r_num, a_num, 1 };
static const struct kv_case k_bool = { r_bool, a_bool, 1 };
static const struct kv_case k_twice = { r_twice, a_twice, 0 };
static const struct kv_case k_digest = { r_digest, a_digest, 1 };
static const struct kv_case k_burst = { r_burst, a_burst, 1 };
static const struct kv_case k_level = { r_level, a_level, 0 };
static const struct kv_case k_markint = { r_markint, a_markint, 1 };
static const struct kv_case k_marker = { r_marker, a_marker, 1 };

/* A leading-only key offered on a connection added to the session. */
static uint64_t run_lo_on_join(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	sb_login_leading(&B, c, NULL, NULL);
	struct sb_conn *c2 = sb_open(&B, 2, 2);
	static const char *const req[] = { "MaxBurstLength=262144", NULL };
	static const char *const rsp[] = { "MaxBurstLength=262144", NULL };
	uint64_t f = sb_login_join(&B, c2, req, rsp) - 1;
	sb_nop_ping(&B, c2);
	return f;
}

/* AuthMethod=CHAP agreed and the security stage left without CHAP. */
static uint64_t run_chap_skipped(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { BASE_REQ, "AuthMethod=CHAP,None",
					   NULL };
	static const char *const rsp[] = { BASE_RSP, "AuthMethod=CHAP", NULL };
	login_pdu(c, true, 0, 1, true, false, 0, req, 0, 0);
	uint64_t f = login_pdu(c, false, 0, 1, true, false, 0, rsp, 0, 0);
	login_pdu(c, true, 1, 3, true, false, 0, NULL, 0, 0);
	login_pdu(c, false, 1, 3, true, false, 0x42, NULL, 0, 0);
	return f;
}

/* Mutual CHAP in which the initiator sends back the target's challenge;
 * the target accepts the login anyway. */
static uint64_t run_chap_echo(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const q0[] = { BASE_REQ, "AuthMethod=CHAP", NULL };
	static const char *const a0[] = { BASE_RSP, "AuthMethod=CHAP", NULL };
	static const char *const q1[] = { "CHAP_A=5", NULL };
	static const char *const a1[] = { "CHAP_A=5", "CHAP_I=1",
					  "CHAP_C=0x0102030405060708", NULL };
	static const char *const q2[] = {
		"CHAP_N=initiator", "CHAP_R=0x00112233445566778899aabbccddeeff",
		"CHAP_I=2", "CHAP_C=0x0102030405060708", NULL };
	static const char *const a2[] = {
		"CHAP_N=target", "CHAP_R=0xffeeddccbbaa99887766554433221100",
		NULL };
	login_pdu(c, true, 0, 0, false, false, 0, q0, 0, 0);
	login_pdu(c, false, 0, 0, false, false, 0, a0, 0, 0);
	login_pdu(c, true, 0, 0, false, false, 0, q1, 0, 0);
	login_pdu(c, false, 0, 0, false, false, 0, a1, 0, 0);
	uint64_t f = login_pdu(c, true, 0, 1, true, false, 0, q2, 0, 0);
	login_pdu(c, false, 0, 1, true, false, 0, a2, 0, 0);
	login_pdu(c, true, 1, 3, true, false, 0, NULL, 0, 0);
	login_pdu(c, false, 1, 3, true, false, 0x42, NULL, 0, 0);
	return f;
}

static uint64_t run_redirect(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { BASE_REQ, NULL };
	uint64_t f = sb_login_pair(&B, c, 1, 3, true, 0, 0, req, NULL, 1, 1);
	sb_close(&B, c);
	return f;
}

static uint64_t run_redirect_tag(struct ev_observer sink, const void *arg)
{
	(void)arg;
	struct sb_conn *c = open1(sink);
	static const char *const req[] = { BASE_REQ, NULL };
	static const char *const rsp[] = { "TargetAddress=192.0.2.30:3260,1",
					   NULL };
	uint64_t f = sb_login_pair(&B, c, 1, 3, true, 0, 0, req, rsp, 1, 2);
	sb_close(&B, c);
	return f;
}

static const struct sb_case cases[] = {
	{ "LOGIN-001", "Login Request with I=0", sb_run_mut, &m_i_bit, { 0 } },
	{ "LOGIN-002", "Login Request with C=1 and T=1", sb_run_mut,
	  &m_c_and_t, { 0 } },
	{ "LOGIN-003", "Login Response with C=1 and T=1", run_rsp_c_and_t,
	  NULL, { 0 } },
	{ "LOGIN-004", "Login Request going back a stage", sb_run_mut, &m_back,
	  { 0 } },
	{ "LOGIN-005", "T=1 answering T=0", run_t_unasked, NULL, { 0 } },
	{ "LOGIN-007", "Version-max 1", sb_run_mut, &m_version, { 0 } },
	{ "LOGIN-008", "ISID type 11b", sb_run_hooked, &isid, { 0 } },
	{ "LOGIN-009", "TSIH changes within a login", sb_run_mut,
	  &m_tsih_change, { 0 } },
	{ "LOGIN-010", "TSIH before the Final-Response", sb_run_mut,
	  &m_tsih_early, { 0 } },
	{ "LOGIN-011", "StatSN skips after the login", run_first_statsn, NULL,
	  { 0 } },
	{ "LOGIN-012", "a Login Request after a refusal", run_after_refusal,
	  NULL, { 0 } },
	{ "LOGIN-013", "no InitiatorName", run_no_initiator, NULL, { 0 } },
	{ "LOGIN-014", "no TargetName", run_no_target, NULL, { 0 } },
	{ "LOGIN-015", "no TargetPortalGroupTag", run_no_tpgt, NULL, { 0 } },
	{ "LOGIN-017", "a pair without '='", run_kv, &k_format, { 0 } },
	{ "LOGIN-019", "Reject offered", run_kv, &k_reserved, { 0 } },
	{ "LOGIN-021", "list answer not offered", run_kv, &k_list, { 0 } },
	{ "LOGIN-022", "Minimum answered higher", run_kv, &k_num, { 0 } },
	{ "LOGIN-023", "OR answered No to Yes", run_kv, &k_bool, { 0 } },
	{ "LOGIN-024", "a key sent twice", run_kv, &k_twice, { 0 } },
	{ "LOGIN-026", "leading-only key on an added connection",
	  run_lo_on_join, NULL, { 0 } },
	{ "LOGIN-027", "CRC32C offered first, None answered", run_kv,
	  &k_digest, { 0 } },
	{ "LOGIN-028", "FirstBurstLength above MaxBurstLength", run_kv,
	  &k_burst, { 0 } },
	{ "LOGIN-029", "iSCSIProtocolLevel 40", run_kv, &k_level, { 0 } },
	{ "LOGIN-030", "CHAP agreed, never done", run_chap_skipped, NULL,
	  { 0 } },
	{ "LOGIN-033", "mutual CHAP echoes the challenge", run_chap_echo, NULL,
	  { 0 } },
	{ "LOGIN-034", "redirection without TargetAddress", run_redirect, NULL,
	  { 0 } },
	{ "LOGIN-034", "redirection TargetAddress with a tag",
	  run_redirect_tag, NULL, { 0 } },
	{ "LOGIN-035", "IFMarkInt answered NotUnderstood", run_kv, &k_markint,
	  { 0 } },
	{ "LOGIN-036", "OFMarker answered Yes", run_kv, &k_marker, { 0 } },
};

#define N_CASES (sizeof cases / sizeof cases[0])

static void test_every_id_broken(void **state)
{
	(void)state;
	sb_expect_covered("login", cases, N_CASES);
}

/* Both golden logins: the leading one in two stages with a C=1 request,
 * the added one with digests; nothing fails. */
static void test_golden(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(sb_feed_golden, "login");
	char why[600];
	if (!sb_only_fails(&run, NULL, why, sizeof why))
		fail_msg("%s", why);
	static const char *const pass[] = {
		"LOGIN-001", "LOGIN-002", "LOGIN-004", "LOGIN-005",
		"LOGIN-007", "LOGIN-008", "LOGIN-009", "LOGIN-010",
		"LOGIN-011", "LOGIN-013", "LOGIN-014", "LOGIN-015",
		"LOGIN-017", "LOGIN-019", "LOGIN-021", "LOGIN-022",
		"LOGIN-023", "LOGIN-024", "LOGIN-026", "LOGIN-027",
		"LOGIN-028", NULL };
	for (const char *const *id = pass; *id; id++)
		sb_expect(&run, 0, *id, REP_PASS);
	static const char *const unseen[] = {
		"LOGIN-003", "LOGIN-012", "LOGIN-029", "LOGIN-030",
		"LOGIN-033", "LOGIN-034", "LOGIN-035", "LOGIN-036", NULL };
	for (const char *const *id = unseen; *id; id++) {
		sb_expect(&run, 0, *id, REP_NOT_OBSERVED);
		assert_non_null(sb_verdict(&run, 0, *id)->reason);
	}
	/* three responses of the new session's login, TSIH 0 then 0x0101 */
	assert_int_equal(sb_verdict(&run, 0, "LOGIN-010")->held, 3);
	/* the session is named from its login */
	const struct rep_session *s = &run.sessions[0];
	assert_string_equal(s->initiator,
			    "iqn.2026-11.org.iscsi-harness:golden-initiator");
	assert_string_equal(s->target,
			    "iqn.2026-11.org.iscsi-harness:golden-target");
	assert_int_equal(s->tsih, 0x0101);
	assert_string_equal(s->type, "Normal");
	rep_run_free(&run);
}

/* Keys split across a C=1 Login Request are paired with answers in the
 * next response, and the negotiated values are exported. */
static void test_negotiated_keys(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(sb_feed_golden, "login");
	const struct rep_session *s = &run.sessions[0];
	bool ffp_digest = false, erl = false, mbl = false;
	for (size_t i = 0; i < s->n_keys; i++) {
		const char *k = s->keys[i].key, *v = s->keys[i].value;
		if (strcmp(k, "HeaderDigest (CID 2)") == 0)
			ffp_digest = strcmp(v, "CRC32C") == 0;
		if (strcmp(k, "ErrorRecoveryLevel") == 0)
			erl = strcmp(v, "2") == 0;
		if (strcmp(k, "MaxBurstLength") == 0)
			mbl = strcmp(v, "262144") == 0;
	}
	assert_true(ffp_digest);
	assert_true(erl);
	assert_true(mbl);
	/* 16 operational and security keys answered or declared */
	assert_true(sb_verdict(&run, 0, "LOGIN-019")->held >= 16);
	rep_run_free(&run);
}

/* A redirection with a proper TargetAddress passes, and the refused
 * connection closing passes LOGIN-012. */
static void feed_redirect_ok(struct ev_observer sink)
{
	struct sb_conn *c = (sb_init(&B, sink), sb_open(&B, 1, 1));
	static const char *const req[] = { BASE_REQ, NULL };
	static const char *const rsp[] = { "TargetAddress=192.0.2.30:3260",
					   NULL };
	sb_login_pair(&B, c, 1, 3, true, 0, 0, req, rsp, 1, 2);
	sb_close(&B, c);
}

static void test_redirect_ok(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_redirect_ok, NULL);
	char why[600];
	if (!sb_only_fails(&run, NULL, why, sizeof why))
		fail_msg("%s", why);
	sb_expect(&run, 0, "LOGIN-034", REP_PASS);
	sb_expect(&run, 0, "LOGIN-012", REP_PASS);
	assert_non_null(strstr(run.sessions[0].name, "login refused"));
	rep_run_free(&run);
}

/* Obsolete marker keys answered as RFC 7143 asks pass; No is noted. */
static void feed_markers(struct ev_observer sink)
{
	struct sb_conn *c = (sb_init(&B, sink), sb_open(&B, 1, 1));
	static const char *const req[] = { BASE_REQ, "IFMarker=No",
					   "OFMarker=Yes", "OFMarkInt=1~65535",
					   NULL };
	static const char *const rsp[] = { BASE_RSP, "IFMarker=No",
					   "OFMarker=Reject",
					   "OFMarkInt=Reject", NULL };
	pair(c, req, rsp);
}

static void test_markers_ok(void **state)
{
	(void)state;
	struct rep_run run = sb_engine_run(feed_markers, "login");
	char why[600];
	if (!sb_only_fails(&run, NULL, why, sizeof why))
		fail_msg("%s", why);
	sb_expect(&run, 0, "LOGIN-035", REP_PASS);
	sb_expect(&run, 0, "LOGIN-036", REP_PASS);
	rep_run_free(&run);
}

int main(void)
{
	struct CMUnitTest tests[N_CASES + 5];
	size_t n = 0;
	static char names[N_CASES][96];
	for (size_t i = 0; i < N_CASES; i++) {
		snprintf(names[i], sizeof names[i], "breaks %s: %s",
			 cases[i].id, cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[i], sb_cmocka_case, NULL,
						  NULL, (void *)&cases[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_id_broken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_negotiated_keys);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_redirect_ok);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_markers_ok);
	return _cmocka_run_group_tests("check_login", tests, n, NULL, NULL);
}
