/* test_text_target.c — unit tests of the target's Full Feature Phase Text
 * Request handling (harness/proto/text_target.c): SendTargets in
 * discovery and normal sessions, keys allowed and refused after login,
 * C=1 requests and long responses with a Target Transfer Tag, a new ITT
 * resetting an exchange, and refused PDUs. Every response is checked
 * with pdu_validate_buf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/text_target.h"
#include "pdu/keys.h"
#include "tests/support/target_wire.h"

#define TNAME "iqn.2003-01.org.linux-iscsi.target:sn.1234"
#define OTHER "iqn.2000-01.com.example:other"
#define STATSN 500u
#define CMDSN 9u
#define RSP_CAP (8192 + 48)

struct fixture {
	struct login_target_cfg cfg;
	struct pdu_key_params params;
	struct text_target *tt;
	uint8_t rsp[RSP_CAP];
	size_t rsp_len;
	struct pdu_hdr rh;
	uint32_t statsn;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg.target_name = TNAME;
	f->cfg.target_address = "127.0.0.1:3260";
	f->cfg.tpgt = 1;
	f->cfg.mrdsl = 65536;
	pdu_key_params_init(&f->params);
	f->statsn = STATSN;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	text_target_free(f->tt);
	free(f);
	return 0;
}

static void start(struct fixture *f, bool discovery)
{
	f->params.discovery = discovery;
	f->tt = text_target_create(&f->cfg, discovery, &f->params);
	assert_non_null(f->tt);
}

static void text_hdr(struct pdu_hdr *h, bool final, bool cont, uint32_t itt,
		     uint32_t ttt)
{
	memset(h, 0, sizeof(*h));
	h->opcode = PDU_OP_TEXT_REQ;
	h->final = final;
	h->cont = cont;
	h->itt = itt;
	h->ttt = ttt;
	h->cmdsn = CMDSN;
	h->expstatsn = STATSN;
}

/* One request; a reply is checked valid, numbered and decoded. */
static int send_pdu(struct fixture *f, const struct pdu_hdr *h,
		    const uint8_t *data, size_t len)
{
	uint8_t req[20000];
	size_t n = tw_build(h, data, len, req, sizeof(req));
	int step = text_target_rx(f->tt, req, n, f->statsn, CMDSN + 1,
				  CMDSN + 32, f->rsp, sizeof(f->rsp),
				  &f->rsp_len);

	if (step == TEXT_REJECT) {
		assert_int_equal(f->rsp_len, 0);
		return step;
	}
	assert_int_equal(step, TEXT_REPLY);
	tw_check_rsp(f->rsp, f->rsp_len, &f->rh);
	assert_int_equal(f->rh.opcode, PDU_OP_TEXT_RSP);
	assert_int_equal(f->rh.itt, h->itt);
	assert_int_equal(f->rh.statsn, f->statsn);
	assert_int_equal(f->rh.expcmdsn, CMDSN + 1);
	assert_int_equal(f->rh.maxcmdsn, CMDSN + 32);
	/* TEXT-002, TEXT-004 */
	if (f->rh.cont)
		assert_false(f->rh.final);
	if (f->rh.final)
		assert_int_equal(f->rh.ttt, PDU_RESERVED_TAG);
	else
		assert_int_not_equal(f->rh.ttt, PDU_RESERVED_TAG);
	f->statsn++;  /* the session layer's part */
	return step;
}

static int send_keys(struct fixture *f, uint32_t itt,
		     const char *const *pairs)
{
	uint8_t text[16384];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), pairs);

	text_hdr(&h, true, false, itt, PDU_RESERVED_TAG);
	return send_pdu(f, &h, text, len);
}

static void assert_key(const struct fixture *f, const char *key,
		       const char *want)
{
	const char *v = tw_key(f->rsp, f->rsp_len, key);

	if (!want) {
		if (v)
			fail_msg("%s=%s not expected", key, v);
		return;
	}
	if (!v)
		fail_msg("%s missing from the response", key);
	assert_string_equal(v, want);
}

static void assert_own_target(const struct fixture *f)
{
	assert_int_equal(tw_key_count(f->rsp, f->rsp_len), 2);
	assert_key(f, "TargetName", TNAME);
	assert_key(f, "TargetAddress", "127.0.0.1:3260,1");
}

/* ---- SendTargets -------------------------------------------------------- */

static void test_discovery_sendtargets_all(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "SendTargets=All", NULL };

	start(f, true);
	assert_int_equal(send_keys(f, 7, keys), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_false(f->rh.cont);
	assert_own_target(f);
	/* The next exchange is answered the same way. */
	assert_int_equal(send_keys(f, 8, keys), TEXT_REPLY);
	assert_own_target(f);
	assert_int_equal(f->rh.statsn, STATSN + 1);
}

static void test_discovery_sendtargets_named(void **state)
{
	struct fixture *f = *state;
	static const char *const own[] = { "SendTargets=" TNAME, NULL };
	static const char *const other[] = { "SendTargets=" OTHER, NULL };

	start(f, true);
	assert_int_equal(send_keys(f, 1, own), TEXT_REPLY);
	assert_own_target(f);
	assert_int_equal(send_keys(f, 2, other), TEXT_REPLY);
	assert_int_equal(f->rh.data_segment_len, 0);
}

static void test_normal_sendtargets(void **state)
{
	struct fixture *f = *state;
	static const char *const empty[] = { "SendTargets=", NULL };
	static const char *const all[] = { "SendTargets=All", NULL };
	static const char *const own[] = { "SendTargets=" TNAME, NULL };

	start(f, false);
	assert_int_equal(send_keys(f, 1, empty), TEXT_REPLY);
	assert_own_target(f);
	assert_int_equal(send_keys(f, 2, all), TEXT_REPLY);  /* TEXT-010 */
	assert_int_equal(f->rh.data_segment_len, 0);
	assert_int_equal(send_keys(f, 3, own), TEXT_REPLY);
	assert_own_target(f);
}

/* ---- keys in Full Feature Phase ----------------------------------------- */

static void test_ffp_keys(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"MaxRecvDataSegmentLength=16384", "InitiatorAlias=host1",
		"MaxConnections=2", "HeaderDigest=CRC32C",
		"TargetAlias=not-yours", "X-com.example.Feature=1",
		"SomethingElse=1", NULL
	};

	start(f, false);
	assert_int_equal(send_keys(f, 4, keys), TEXT_REPLY);
	assert_key(f, "MaxRecvDataSegmentLength", NULL);
	assert_key(f, "InitiatorAlias", NULL);
	assert_key(f, "MaxConnections", "Reject");
	assert_key(f, "HeaderDigest", "Reject");
	assert_key(f, "TargetAlias", "Reject");
	assert_key(f, "X-com.example.Feature", "NotUnderstood");
	assert_key(f, "SomethingElse", "NotUnderstood");
	assert_int_equal(tw_key_count(f->rsp, f->rsp_len), 5);
	const struct pdu_key_params *p = text_target_params(f->tt);
	assert_int_equal(p->mrdsl_initiator, 16384);
	assert_int_equal(p->max_connections, 1);
	assert_false(p->digests.header);
}

static void test_ffp_bad_mrdsl(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"MaxRecvDataSegmentLength=100", NULL
	};

	start(f, false);
	assert_int_equal(send_keys(f, 4, keys), TEXT_REPLY);
	assert_key(f, "MaxRecvDataSegmentLength", "Reject");
	assert_int_equal(text_target_params(f->tt)->mrdsl_initiator, 8192);
}

static void test_empty_request(void **state)
{
	struct fixture *f = *state;
	struct pdu_hdr h;

	start(f, false);
	text_hdr(&h, true, false, 3, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_int_equal(f->rh.data_segment_len, 0);
}

static void test_request_f0_answered_f0(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "SendTargets=", NULL };
	uint8_t text[256];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), keys);

	start(f, false);
	text_hdr(&h, false, false, 3, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REPLY);
	assert_false(f->rh.final);  /* TEXT-005 */
	assert_own_target(f);
	/* The initiator ends the exchange with an empty F=1 request. */
	text_hdr(&h, true, false, 3, f->rh.ttt);
	assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_int_equal(f->rh.data_segment_len, 0);
}

/* ---- C=1 in both directions --------------------------------------------- */

static void test_request_split_over_c1(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"X-com.example.A=1", "SendTargets=All", NULL
	};
	uint8_t text[256];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), keys);

	start(f, true);
	text_hdr(&h, false, true, 5, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, 25), TEXT_REPLY);  /* mid-pair */
	assert_false(f->rh.final);
	assert_false(f->rh.cont);
	assert_int_equal(f->rh.data_segment_len, 0);
	text_hdr(&h, true, false, 5, f->rh.ttt);
	assert_int_equal(send_pdu(f, &h, text + 25, len - 25), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_key(f, "X-com.example.A", "NotUnderstood");
	assert_key(f, "TargetName", TNAME);
}

/* A request whose answer is longer than 512 bytes (the initiator's
 * MaxRecvDataSegmentLength here). */
static size_t long_request(uint8_t *text, size_t cap, const char *extra)
{
	static char names[40][64];
	const char *pairs[44];
	size_t n = 0;

	if (extra)
		pairs[n++] = extra;
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "X-com.example.long-answer-%02d=1", i);
		pairs[n++] = names[i];
	}
	pairs[n] = NULL;
	return tw_text(text, 0, cap, pairs);
}

static void test_response_split_over_c1(void **state)
{
	struct fixture *f = *state;
	uint8_t text[4096], all[8192];
	size_t got = 0, len;
	struct pdu_hdr h;
	int chunks = 0;

	f->params.mrdsl_initiator = 512;
	start(f, false);
	len = long_request(text, sizeof(text),
			   "MaxRecvDataSegmentLength=1024");
	text_hdr(&h, true, false, 6, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REPLY);
	uint32_t last_ttt = PDU_RESERVED_TAG;
	while (f->rh.cont) {
		assert_false(f->rh.final);
		assert_true(f->rh.data_segment_len <= 512);
		assert_int_not_equal(f->rh.ttt, last_ttt);
		last_ttt = f->rh.ttt;
		memcpy(all + got, f->rsp + PDU_BHS_LEN, f->rh.data_segment_len);
		got += f->rh.data_segment_len;
		chunks++;
		/* Not in force before the exchange ends (TEXT-011). */
		assert_int_equal(text_target_params(f->tt)->mrdsl_initiator,
				 512);
		text_hdr(&h, true, false, 6, f->rh.ttt);  /* TEXT-006 */
		assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REPLY);
	}
	assert_true(f->rh.final);
	memcpy(all + got, f->rsp + PDU_BHS_LEN, f->rh.data_segment_len);
	got += f->rh.data_segment_len;
	assert_true(chunks >= 2);
	size_t count = 0;
	for (size_t i = 0; i < got; i += strlen((char *)all + i) + 1)
		if (strstr((char *)all + i, "=NotUnderstood"))
			count++;
	assert_int_equal(count, 40);
	assert_int_equal(text_target_params(f->tt)->mrdsl_initiator, 1024);
}

static void test_new_itt_resets_exchange(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "SendTargets=", NULL };
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len;

	f->params.mrdsl_initiator = 512;
	start(f, false);
	len = long_request(text, sizeof(text),
			   "MaxRecvDataSegmentLength=2048");
	text_hdr(&h, true, false, 6, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REPLY);
	assert_true(f->rh.cont);
	uint32_t old_ttt = f->rh.ttt;
	assert_int_equal(send_keys(f, 7, keys), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_own_target(f);
	/* TEXT-011: the abandoned exchange changed nothing. */
	assert_int_equal(text_target_params(f->tt)->mrdsl_initiator, 512);
	/* Its TTT is gone. */
	text_hdr(&h, true, false, 7, old_ttt);
	assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REJECT);
	assert_non_null(strstr(text_target_error(f->tt), "TEXT-006"));
}

static void test_reserved_ttt_starts_over(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "SendTargets=", NULL };
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len;

	f->params.mrdsl_initiator = 512;
	start(f, false);
	len = long_request(text, sizeof(text), NULL);
	text_hdr(&h, true, false, 6, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REPLY);
	assert_true(f->rh.cont);
	assert_int_equal(send_keys(f, 6, keys), TEXT_REPLY);
	assert_true(f->rh.final);
	assert_own_target(f);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_wrong_ttt(void **state)
{
	struct fixture *f = *state;
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len;

	f->params.mrdsl_initiator = 512;
	start(f, false);
	len = long_request(text, sizeof(text), NULL);
	text_hdr(&h, true, false, 6, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REPLY);
	text_hdr(&h, true, false, 6, f->rh.ttt + 100);
	assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REJECT);
	assert_non_null(strstr(text_target_error(f->tt), "TEXT-006"));
}

static void test_c1_with_f1(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "SendTargets=", NULL };
	uint8_t text[256];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), keys);

	start(f, false);
	text_hdr(&h, true, true, 6, PDU_RESERVED_TAG);
	assert_int_equal(send_pdu(f, &h, text, len), TEXT_REJECT);
	assert_non_null(strstr(text_target_error(f->tt), "TEXT-002"));
}

static void test_duplicate_key(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"MaxRecvDataSegmentLength=16384",
		"MaxRecvDataSegmentLength=32768", NULL
	};

	start(f, false);
	assert_int_equal(send_keys(f, 6, keys), TEXT_REJECT);
	assert_non_null(strstr(text_target_error(f->tt), "LOGIN-024"));
	assert_int_equal(text_target_params(f->tt)->mrdsl_initiator, 8192);
}

static void test_not_a_text_request(void **state)
{
	struct fixture *f = *state;
	struct pdu_hdr h;

	start(f, false);
	memset(&h, 0, sizeof(h));
	h.opcode = PDU_OP_NOP_OUT;
	h.final = true;
	h.itt = 2;
	h.ttt = PDU_RESERVED_TAG;
	assert_int_equal(send_pdu(f, &h, NULL, 0), TEXT_REJECT);
	assert_non_null(strstr(text_target_error(f->tt), "NOP-Out"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_discovery_sendtargets_all),
		T(test_discovery_sendtargets_named),
		T(test_normal_sendtargets),
		T(test_ffp_keys),
		T(test_ffp_bad_mrdsl),
		T(test_empty_request),
		T(test_request_f0_answered_f0),
		T(test_request_split_over_c1),
		T(test_response_split_over_c1),
		T(test_new_itt_resets_exchange),
		T(test_reserved_ttt_starts_over),
		T(test_wrong_ttt),
		T(test_c1_with_f1),
		T(test_duplicate_key),
		T(test_not_a_text_request),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
