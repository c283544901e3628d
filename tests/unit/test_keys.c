/* test_keys.c — unit tests of pdu/keys_*.c: the key=value parser (split at
 * every byte, long sequences, every §6.1 error), value decoding, the
 * encoder and splitter, the key table, negotiation of every key with a good
 * and a bad answer, the responder, the session parameters and the use
 * rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu/keys.h"

/* ---- helpers ------------------------------------------------------------ */

/* libiscsi's login keys, plus the names every login carries. */
static const char *const login_pairs[] = {
	"InitiatorName=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test",
	"TargetName=iqn.2003-01.org.linux-iscsi.target:sn.1234",
	"SessionType=Normal",
	"HeaderDigest=None,CRC32C",
	"DataDigest=None",
	"InitialR2T=No",
	"ImmediateData=Yes",
	"MaxBurstLength=262144",
	"FirstBurstLength=262144",
	"DefaultTime2Wait=2",
	"DefaultTime2Retain=0",
	"MaxOutstandingR2T=1",
	"ErrorRecoveryLevel=0",
	"IFMarker=No",
	"OFMarker=No",
	"MaxConnections=1",
	"MaxRecvDataSegmentLength=262144",
	"DataPDUInOrder=Yes",
	"DataSequenceInOrder=Yes",
};
#define N_LOGIN (sizeof(login_pairs) / sizeof(login_pairs[0]))

/* Concatenate strings, each followed by one 0x00. */
static size_t build(const char *const *pairs, size_t n, uint8_t *out,
		    size_t cap)
{
	size_t used = 0, i;

	for (i = 0; i < n; i++) {
		size_t l = strlen(pairs[i]) + 1;
		assert_true(used + l <= cap);
		memcpy(out + used, pairs[i], l);
		used += l;
	}
	return used;
}

struct got {
	size_t n;
	char text[64][300]; /* "key=value" */
	size_t offset[64];
};

/* Take every complete pair the parser has; fail on any error. */
static void drain(struct pdu_kv_parser *p, struct got *g)
{
	struct pdu_kv_pair pair;
	struct pdu_error err;
	int rc;

	while ((rc = pdu_kv_next(p, &pair, &err)) == 1) {
		assert_true(g->n < 64);
		snprintf(g->text[g->n], sizeof(g->text[0]), "%s=%s", pair.key,
			 pair.value);
		g->offset[g->n] = pair.offset;
		g->n++;
	}
	if (rc != 0)
		fail_msg("parser error %d: %s", rc, err.msg);
}

static void expect_login(const struct got *g)
{
	size_t i, off = 0;

	assert_int_equal(g->n, N_LOGIN);
	for (i = 0; i < N_LOGIN; i++) {
		assert_string_equal(g->text[i], login_pairs[i]);
		assert_int_equal(g->offset[i], off);
		off += strlen(login_pairs[i]) + 1;
	}
}

/* Parse data[0..len) given whole in one chunk; return the first error
 * code (or 1 if none) with its pdu_error. */
static int parse_one(const void *data, size_t len, struct pdu_kv_pair *pair,
		     struct pdu_error *err, struct pdu_kv_parser *p)
{
	int rc;

	pdu_kv_init(p, 0);
	assert_int_equal(pdu_kv_feed(p, data, len, false, err), PDU_OK);
	while ((rc = pdu_kv_next(p, pair, err)) == 1)
		;
	return rc;
}

/* ---- parser ------------------------------------------------------------- */

static void test_parse_login(void **state)
{
	uint8_t buf[2048];
	size_t len = build(login_pairs, N_LOGIN, buf, sizeof(buf));
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	struct got g = { 0 };
	size_t i;
	(void)state;

	pdu_kv_init(&p, 0);
	assert_int_equal(p.max_seq, PDU_KV_DEFAULT_MAX_SEQ);
	assert_int_equal(pdu_kv_feed(&p, buf, len, false, &err), PDU_OK);
	drain(&p, &g);
	expect_login(&g);
	assert_true(pdu_kv_done(&p));

	/* every pair has its table row and an admissible value */
	pdu_kv_reset(&p);
	assert_int_equal(pdu_kv_feed(&p, buf, len, false, &err), PDU_OK);
	for (i = 0; i < N_LOGIN; i++) {
		assert_int_equal(pdu_kv_next(&p, &pair, &err), 1);
		assert_non_null(pair.def);
		assert_string_equal(pair.def->name, pair.key);
		assert_int_equal(pair.key_len, strlen(pair.key));
		assert_int_equal(pair.value_len, strlen(pair.value));
		if (pdu_key_check_value(pair.def, pair.value, &err) != PDU_OK)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 0);
	pdu_kv_free(&p);
}

static void test_split_two_chunks(void **state)
{
	uint8_t buf[2048];
	size_t len = build(login_pairs, N_LOGIN, buf, sizeof(buf));
	struct pdu_kv_parser p;
	struct pdu_error err;
	size_t cut;
	(void)state;

	pdu_kv_init(&p, 0);
	for (cut = 0; cut <= len; cut++) {
		struct got g = { 0 };
		pdu_kv_reset(&p);
		assert_int_equal(pdu_kv_feed(&p, buf, cut, true, &err), PDU_OK);
		drain(&p, &g);
		assert_false(pdu_kv_done(&p));
		assert_int_equal(pdu_kv_feed(&p, buf + cut, len - cut, false,
					     &err), PDU_OK);
		drain(&p, &g);
		expect_login(&g);
		assert_true(pdu_kv_done(&p));
	}
	pdu_kv_free(&p);
}

static void test_split_three_chunks(void **state)
{
	uint8_t buf[2048];
	size_t len = build(login_pairs, N_LOGIN, buf, sizeof(buf));
	struct pdu_kv_parser p;
	struct pdu_error err;
	size_t a, b;
	(void)state;

	pdu_kv_init(&p, 0);
	for (a = 0; a <= len; a++) {
		for (b = a; b <= len; b++) {
			struct got g = { 0 };
			pdu_kv_reset(&p);
			assert_int_equal(pdu_kv_feed(&p, buf, a, true, &err),
					 PDU_OK);
			drain(&p, &g);
			assert_int_equal(pdu_kv_feed(&p, buf + a, b - a, true,
						     &err), PDU_OK);
			drain(&p, &g);
			assert_int_equal(pdu_kv_feed(&p, buf + b, len - b,
						     false, &err), PDU_OK);
			drain(&p, &g);
			expect_login(&g);
		}
	}
	pdu_kv_free(&p);
}

static void test_pending(void **state)
{
	static const char part1[] = "MaxBurstLength=262";
	static const char part2[] = "144";
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	(void)state;

	pdu_kv_init(&p, 0);
	assert_int_equal(pdu_kv_feed(&p, part1, strlen(part1), true, &err), 0);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 0);
	assert_int_equal(pdu_kv_pending(&p), strlen(part1));
	assert_int_equal(pdu_kv_feed(&p, part2, sizeof(part2), false, &err), 0);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 1);
	assert_string_equal(pair.key, "MaxBurstLength");
	assert_string_equal(pair.value, "262144");
	assert_int_equal(pdu_kv_pending(&p), 0);
	assert_true(pdu_kv_done(&p));
	/* an empty sequence (a login PDU with no data) */
	pdu_kv_reset(&p);
	assert_int_equal(pdu_kv_feed(&p, NULL, 0, false, &err), 0);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 0);
	assert_true(pdu_kv_done(&p));
	pdu_kv_free(&p);
}

/* A SendTargets answer of n targets into buf; returns its length. */
static size_t sendtargets_answer(uint8_t *buf, size_t cap, unsigned n)
{
	char name[96], addr[64];
	long used = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name),
			 "iqn.2024-01.com.example:storage.target-%05u", i);
		snprintf(addr, sizeof(addr), "192.0.2.%u:3260,%u", i % 250 + 1,
			 i % 7 + 1);
		used = pdu_kv_append(buf, (size_t)used, cap, "TargetName", name);
		assert_true(used > 0);
		used = pdu_kv_append(buf, (size_t)used, cap, "TargetAddress",
				     addr);
		assert_true(used > 0);
	}
	return (size_t)used;
}

static void test_long_sequences(void **state)
{
	size_t cap = 200000;
	uint8_t *buf = malloc(cap);
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	struct pdu_kv_chunk ch[512];
	size_t len, n, i, pairs;
	int rc;
	(void)state;
	assert_non_null(buf);

	/* more than 8192 bytes, sent as 8192-byte PDUs, pairs split */
	len = sendtargets_answer(buf, cap, 200);
	assert_true(len > PDU_KV_MIN_SEQ);
	pdu_kv_init(&p, 0);
	n = pdu_kv_split(buf, len, 8192, false, ch, 512);
	assert_true(n >= 2);
	pairs = 0;
	for (i = 0; i < n; i++) {
		assert_int_equal(pdu_kv_feed(&p, buf + ch[i].offset, ch[i].len,
					     ch[i].more, &err), PDU_OK);
		while ((rc = pdu_kv_next(&p, &pair, &err)) == 1) {
			assert_string_equal(pair.key, pairs % 2 ? "TargetAddress"
								 : "TargetName");
			pairs++;
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(pairs, 400);
	assert_true(pdu_kv_done(&p));
	pdu_kv_free(&p);

	/* the smallest parser takes exactly 8192 bytes, not one more */
	pdu_kv_init(&p, 100);
	assert_int_equal(p.max_seq, PDU_KV_MIN_SEQ);
	assert_int_equal(pdu_kv_feed(&p, buf, 8000, true, &err), PDU_OK);
	assert_int_equal(pdu_kv_feed(&p, buf + 8000, 193, true, &err),
			 PDU_KV_E_SEQ_LIMIT);
	assert_int_equal(err.offset, 8000);
	assert_null(pdu_kv_rule(PDU_KV_E_SEQ_LIMIT));
	assert_int_equal(pdu_kv_feed(&p, buf + 8000, 192, true, &err), PDU_OK);
	pdu_kv_free(&p);

	/* configurable for a big SendTargets answer */
	len = sendtargets_answer(buf, cap, 2000);
	assert_true(len > PDU_KV_DEFAULT_MAX_SEQ);
	pdu_kv_init(&p, 0);
	assert_int_equal(pdu_kv_feed(&p, buf, len, false, &err),
			 PDU_KV_E_SEQ_LIMIT);
	pdu_kv_free(&p);
	pdu_kv_init(&p, 1u << 20);
	n = pdu_kv_split(buf, len, 65536, true, ch, 512);
	pairs = 0;
	for (i = 0; i < n; i++) {
		assert_int_equal(ch[i].more, i + 1 < n);
		assert_int_equal(buf[ch[i].offset + ch[i].len - 1], 0);
		assert_int_equal(pdu_kv_feed(&p, buf + ch[i].offset, ch[i].len,
					     ch[i].more, &err), PDU_OK);
		while (pdu_kv_next(&p, &pair, &err) == 1)
			pairs++;
	}
	assert_int_equal(pairs, 4000);
	pdu_kv_free(&p);
	free(buf);
}

/* One error case: data, the code, the offset and a word the message must
 * contain. */
static void expect_error(const void *data, size_t len, int code, size_t offset,
			 const char *word)
{
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	int rc = parse_one(data, len, &pair, &err, &p);

	if (rc != code)
		fail_msg("expected %d (%s), got %d: %s", code,
			 pdu_kv_strerror(code), rc, rc < 0 ? err.msg : "");
	assert_int_equal(err.code, code);
	assert_int_equal(err.offset, offset);
	if (!strstr(err.msg, word))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, word);
	if (pdu_kv_rule(code) && strncmp(err.msg, pdu_kv_rule(code), 9) != 0)
		fail_msg("message \"%s\" does not start with %s", err.msg,
			 pdu_kv_rule(code));
	pdu_kv_free(&p);
}

static void test_parser_errors(void **state)
{
	char buf[4096];
	size_t n;
	(void)state;

	expect_error("HeaderDigest\0", 13, PDU_KV_E_NO_EQUALS, 0,
		     "HeaderDigest");
	expect_error("A=1\0HeaderDigest\0", 17, PDU_KV_E_NO_EQUALS, 4,
		     "HeaderDigest");
	expect_error("=None\0", 6, PDU_KV_E_EMPTY_KEY, 0, "empty key");
	expect_error("Header Digest=None\0", 19, PDU_KV_E_KEY_CHAR, 6,
		     "Header Digest");
	expect_error("headerDigest=None\0", 18, PDU_KV_E_KEY_CHAR, 0,
		     "capital");
	expect_error("A#b=1\0", 6, PDU_KV_E_KEY_CHAR, 1, "A#b");
	expect_error("Key\xc3\xa9=1\0", 8, PDU_KV_E_KEY_CHAR, 3, "Key");
	expect_error("MaxBurstLength=262144", 21, PDU_KV_E_NO_FINAL_NUL, 21,
		     "MaxBurstLength");
	expect_error("A=1\0B=2", 7, PDU_KV_E_NO_FINAL_NUL, 7, "\"B\"");
	expect_error("A=1\0\0", 5, PDU_KV_E_EMPTY_PAIR, 4, "one 0x00");
	expect_error("\0", 1, PDU_KV_E_EMPTY_PAIR, 0, "0x00");

	/* key length: 63 is fine, 64 is not */
	memset(buf, 'K', 64);
	memcpy(buf + 64, "=1", 3);
	expect_error(buf, 67, PDU_KV_E_KEY_TOO_LONG, 63, "more than 63");
	{
		struct pdu_kv_parser p;
		struct pdu_kv_pair pair;
		struct pdu_error err;
		assert_int_equal(parse_one(buf + 1, 66, &pair, &err, &p), 0);
		pdu_kv_free(&p);
	}

	/* value length: 255 fine, 256 not (a simple value) */
	n = (size_t)snprintf(buf, sizeof(buf), "TargetAlias=");
	memset(buf + n, 'a', 256);
	buf[n + 256] = 0;
	expect_error(buf, n + 257, PDU_KV_E_VALUE_TOO_LONG, n + 255,
		     "TargetAlias");
	{
		struct pdu_kv_parser p;
		struct pdu_kv_pair pair;
		struct pdu_error err;
		buf[n + 255] = 0;
		assert_int_equal(parse_one(buf, n + 256, &pair, &err, &p), 0);
		pdu_kv_free(&p);
	}

	/* an iSCSI name is at most 223 bytes */
	n = (size_t)snprintf(buf, sizeof(buf), "InitiatorName=iqn.");
	memset(buf + n, 'x', 220);
	buf[n + 220] = 0;
	expect_error(buf, n + 221, PDU_KV_E_VALUE_TOO_LONG, n + 223 - 4,
		     "InitiatorName");

	/* CHAP_C takes 1024 bytes in hex: 2050 characters */
	n = (size_t)snprintf(buf, sizeof(buf), "CHAP_C=0x");
	memset(buf + n, 'a', 2048);
	buf[n + 2048] = 0;
	{
		struct pdu_kv_parser p;
		struct pdu_kv_pair pair;
		struct pdu_error err;
		assert_int_equal(parse_one(buf, n + 2049, &pair, &err, &p), 0);
		pdu_kv_free(&p);
	}
	buf[n + 2048] = 'a';
	buf[n + 2049] = 0;
	expect_error(buf, n + 2050, PDU_KV_E_VALUE_TOO_LONG, n - 2 + 2050,
		     "CHAP_C");

	/* unknown and extension keys: 255 bytes per list item */
	n = (size_t)snprintf(buf, sizeof(buf), "X-com.example.list=");
	memset(buf + n, 'v', 200);
	buf[n + 200] = ',';
	memset(buf + n + 201, 'w', 200);
	buf[n + 401] = 0;
	{
		struct pdu_kv_parser p;
		struct pdu_kv_pair pair;
		struct pdu_error err;
		assert_int_equal(parse_one(buf, n + 402, &pair, &err, &p), 0);
		pdu_kv_free(&p);
	}
	memset(buf + n + 201, 'w', 300);
	buf[n + 501] = 0;
	expect_error(buf, n + 502, PDU_KV_E_VALUE_TOO_LONG, n + 201 + 255,
		     "X-com.example.list");
}

static void test_parser_goes_on(void **state)
{
	static const char data[] = "bad\0HeaderDigest=None\0\0DataDigest=None\0"
				   "=x\0MaxConnections=1";
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	(void)state;

	pdu_kv_init(&p, 0);
	assert_int_equal(pdu_kv_feed(&p, data, sizeof(data) - 1, false, &err),
			 0);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), PDU_KV_E_NO_EQUALS);
	assert_string_equal(pair.key, "bad");
	assert_null(pair.value);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 1);
	assert_string_equal(pair.key, "HeaderDigest");
	assert_int_equal(pair.offset, 4);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), PDU_KV_E_EMPTY_PAIR);
	assert_int_equal(err.offset, 22);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 1);
	assert_string_equal(pair.key, "DataDigest");
	assert_int_equal(pdu_kv_next(&p, &pair, &err), PDU_KV_E_EMPTY_KEY);
	assert_string_equal(pair.key, "");
	assert_string_equal(pair.value, "x");
	assert_int_equal(pdu_kv_next(&p, &pair, &err), PDU_KV_E_NO_FINAL_NUL);
	assert_string_equal(pair.key, "MaxConnections");
	assert_string_equal(pair.value, "1");
	assert_non_null(pair.def);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 0);
	assert_true(pdu_kv_done(&p));
	/* nothing may follow the final chunk */
	assert_int_equal(pdu_kv_feed(&p, "A=1", 4, false, &err), PDU_KV_E_STATE);
	pdu_kv_free(&p);
}

static void test_key_names(void **state)
{
	struct pdu_error err;
	(void)state;

	assert_true(pdu_kv_key_valid("iSCSIProtocolLevel", 18, &err));
	assert_true(pdu_kv_key_valid("X#NodeArchitecture", 18, &err));
	assert_true(pdu_kv_key_valid("X#example", 9, &err));
	assert_true(pdu_kv_key_valid("X-com.example.my_key+1@a", 24, &err));
	assert_false(pdu_kv_key_valid("iSCSIProtocolLevelX", 19, &err));
	assert_int_equal(err.code, PDU_KV_E_KEY_CHAR);
	assert_false(pdu_kv_key_valid("X##a", 4, &err));
	assert_int_equal(err.offset, 2);
	assert_false(pdu_kv_key_valid("1Key", 4, &err));
	assert_false(pdu_kv_key_valid("Key,1", 5, &err));
	assert_false(pdu_kv_key_valid("", 0, &err));
	assert_int_equal(err.code, PDU_KV_E_EMPTY_KEY);
}

static void test_empty_value(void **state)
{
	static const char data[] = "SendTargets=\0";
	struct pdu_kv_parser p;
	struct pdu_kv_pair pair;
	struct pdu_error err;
	struct pdu_key_outcome o;
	(void)state;

	pdu_kv_init(&p, 0);
	assert_int_equal(pdu_kv_feed(&p, data, sizeof(data) - 1, false, &err),
			 0);
	assert_int_equal(pdu_kv_next(&p, &pair, &err), 1);
	assert_string_equal(pair.value, "");
	assert_int_equal(pair.value_len, 0);
	assert_int_equal(pdu_key_check_value(pair.def, "", &err), PDU_OK);
	assert_int_equal(pdu_key_negotiate(pair.def, "", NULL, &o),
			 PDU_KEY_AGREED);
	pdu_kv_free(&p);
	assert_int_equal(pdu_key_check_value(pdu_key_find("MaxBurstLength"),
					     "", &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_key_check_value(pdu_key_find("HeaderDigest"), "",
					     &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_key_check_value(pdu_key_find("InitiatorName"), "",
					     &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_key_check_value(pdu_key_find("CHAP_C"), "", &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_key_negotiate(pdu_key_find("MaxBurstLength"),
					   "262144", "", &o),
			 PDU_KEY_VIOLATION);
	assert_int_equal(o.culprit, PDU_KEY_ANSWERER);
}

static void test_duplicates(void **state)
{
	struct pdu_kv_seen s;
	struct pdu_error err;
	(void)state;

	pdu_kv_seen_init(&s);
	assert_int_equal(pdu_kv_seen_add(&s, "HeaderDigest", 0, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "DataDigest", 18, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "HeaderDigest", 34, false, &err),
			 PDU_KV_E_DUPLICATE);
	assert_int_equal(err.offset, 34);
	assert_non_null(strstr(err.msg, "HeaderDigest"));
	assert_string_equal(pdu_kv_rule(err.code), "LOGIN-024");
	assert_int_equal(strncmp(err.msg, "LOGIN-024", 9), 0);
	/* TargetAddress may repeat; TargetName only in a SendTargets answer */
	assert_int_equal(pdu_kv_seen_add(&s, "TargetAddress", 40, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "TargetAddress", 60, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "TargetName", 80, true, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "TargetName", 90, true, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "TargetName", 95, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "TargetName", 99, false, &err),
			 PDU_KV_E_DUPLICATE);
	/* extension keys are no exception */
	assert_int_equal(pdu_kv_seen_add(&s, "X-a.b", 100, false, &err), 0);
	assert_int_equal(pdu_kv_seen_add(&s, "X-a.b", 110, false, &err),
			 PDU_KV_E_DUPLICATE);
	/* many keys (the set grows) */
	for (int i = 0; i < 100; i++) {
		char k[16];
		snprintf(k, sizeof(k), "X-k%d", i);
		assert_int_equal(pdu_kv_seen_add(&s, k, 0, false, &err), 0);
	}
	assert_int_equal(pdu_kv_seen_add(&s, "X-k57", 0, false, &err),
			 PDU_KV_E_DUPLICATE);
	pdu_kv_seen_free(&s);
}

/* ---- encoder ------------------------------------------------------------ */

static void test_encoder(void **state)
{
	uint8_t buf[64];
	long n;
	(void)state;

	n = pdu_kv_append(buf, 0, 4, "A", "1");
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "A=1\0", 4);
	assert_int_equal(pdu_kv_append(buf, 0, 3, "A", "1"), PDU_E_TOO_LONG);
	assert_int_equal(pdu_kv_append(buf, 5, 4, "A", "1"), PDU_E_TOO_LONG);
	n = pdu_kv_append_num(buf, 4, sizeof(buf), "MaxBurstLength", 262144);
	assert_int_equal(n, 4 + 22);
	assert_memory_equal(buf + 4, "MaxBurstLength=262144\0", 22);
	n = pdu_kv_append(buf, (size_t)n, sizeof(buf), "SendTargets", "");
	assert_int_equal(n, 26 + 13);
	assert_memory_equal(buf + 26, "SendTargets=\0", 13);
}

static void test_split(void **state)
{
	static const uint8_t t[] = "AA=1\0BB=22\0CC=333"; /* 18 bytes with NUL */
	struct pdu_kv_chunk c[8];
	(void)state;

	assert_int_equal(pdu_kv_split(t, 18, 8, true, c, 8), 3);
	assert_int_equal(c[0].offset, 0);
	assert_int_equal(c[0].len, 5);
	assert_true(c[0].more);
	assert_int_equal(c[1].offset, 5);
	assert_int_equal(c[1].len, 6);
	assert_int_equal(c[2].offset, 11);
	assert_int_equal(c[2].len, 7);
	assert_false(c[2].more);

	assert_int_equal(pdu_kv_split(t, 18, 8, false, c, 8), 3);
	assert_int_equal(c[0].len, 8);
	assert_int_equal(c[1].len, 8);
	assert_int_equal(c[2].len, 2);

	/* a pair longer than a chunk is cut anyway */
	assert_int_equal(pdu_kv_split(t, 18, 3, true, c, 8), 7);
	assert_int_equal(c[0].len, 3);
	assert_int_equal(c[1].offset, 3);
	assert_int_equal(c[1].len, 2);

	/* count without room, empty text, no chunk size */
	assert_int_equal(pdu_kv_split(t, 18, 1, false, c, 2), 18);
	assert_int_equal(pdu_kv_split(t, 0, 8, true, c, 8), 1);
	assert_int_equal(c[0].len, 0);
	assert_false(c[0].more);
	assert_int_equal(pdu_kv_split(t, 18, 0, true, c, 8), 0);
}

static void test_encode_split_parse(void **state)
{
	uint8_t buf[2048];
	struct pdu_kv_chunk c[512];
	struct pdu_kv_parser p;
	struct pdu_error err;
	long used = 0;
	size_t i, k, n, mrdsl;
	(void)state;

	for (i = 0; i < N_LOGIN; i++) {
		char key[64];
		const char *eq = strchr(login_pairs[i], '=');
		memcpy(key, login_pairs[i], (size_t)(eq - login_pairs[i]));
		key[eq - login_pairs[i]] = 0;
		used = pdu_kv_append(buf, (size_t)used, sizeof(buf), key, eq + 1);
		assert_true(used > 0);
	}
	pdu_kv_init(&p, 0);
	for (mrdsl = 1; mrdsl <= 80; mrdsl++) {
		for (k = 0; k < 2; k++) {
			struct got g = { 0 };
			n = pdu_kv_split(buf, (size_t)used, mrdsl, k, c, 512);
			assert_true(n <= 512);
			pdu_kv_reset(&p);
			for (i = 0; i < n; i++) {
				assert_true(c[i].len <= mrdsl);
				assert_int_equal(pdu_kv_feed(&p, buf + c[i].offset,
							     c[i].len, c[i].more,
							     &err), 0);
				drain(&p, &g);
			}
			expect_login(&g);
		}
	}
	pdu_kv_free(&p);
}

/* ---- values ------------------------------------------------------------- */

static void expect_number(const char *s, bool binary, uint64_t v)
{
	struct pdu_error err;
	uint64_t got = 0;

	if (pdu_kv_parse_number(s, binary, &got, &err) != PDU_OK)
		fail_msg("\"%s\": %s", s, err.msg);
	assert_true(got == v);
}

static void expect_not_number(const char *s, bool binary, const char *word)
{
	struct pdu_error err;
	uint64_t got;

	assert_int_equal(pdu_kv_parse_number(s, binary, &got, &err),
			 PDU_KV_E_BAD_VALUE);
	if (!strstr(err.msg, word))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, err.msg,
			 word);
}

static void test_numbers(void **state)
{
	(void)state;
	expect_number("0", false, 0);
	expect_number("1", false, 1);
	expect_number("262144", false, 262144);
	expect_number("18446744073709551615", false, UINT64_MAX);
	expect_number("0x0", false, 0);
	expect_number("0X1F", false, 31);
	expect_number("0x40000", false, 262144);
	expect_number("0xffffFFFFffffFFFF", false, UINT64_MAX);
	expect_number("0x00000000000000000000000000000001", false, 1);
	expect_number("0bAQA=", true, 256);
	expect_number("0BAQA=", true, 256);
	expect_number("0bAAAAAAAAAAAB", true, 1); /* 9 bytes, 8 leading 0 */
	expect_number("0x10", true, 16);

	expect_not_number("18446744073709551616", false, "2^64");
	expect_not_number("99999999999999999999999", false, "2^64");
	expect_not_number("0x10000000000000000", false, "2^64");
	expect_not_number("0bAQAAAAAAAAAA", true, "2^64");
	expect_not_number("007", false, "leading zero");
	expect_not_number("00", false, "leading zero");
	expect_not_number("0x", false, "no digits");
	expect_not_number("0xg", false, "hex digit");
	expect_not_number("-1", false, "not a number");
	expect_not_number("+1", false, "not a number");
	expect_not_number(" 1", false, "not a number");
	expect_not_number("1 ", false, "decimal digit");
	expect_not_number("12a", false, "decimal digit");
	expect_not_number("", false, "empty");
	expect_not_number("0bAQA=", false, "base64");
	expect_not_number("Yes", false, "not a number");
}

static void test_binary(void **state)
{
	uint8_t out[64], rt[64];
	char text[200];
	struct pdu_error err;
	long n;
	size_t len, i;
	(void)state;

	assert_int_equal(pdu_kv_decode_binary("0x1", out, sizeof(out), &err), 1);
	assert_int_equal(out[0], 1);
	assert_int_equal(pdu_kv_decode_binary("0x123", out, sizeof(out), &err), 2);
	assert_int_equal(out[0], 0x01);
	assert_int_equal(out[1], 0x23);
	assert_int_equal(pdu_kv_decode_binary("0XaBcD", out, sizeof(out), &err), 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_int_equal(pdu_kv_decode_binary("0x0000", NULL, 0, &err), 2);
	assert_int_equal(pdu_kv_decode_binary("0bAQID", out, sizeof(out), &err), 3);
	assert_memory_equal(out, "\x01\x02\x03", 3);
	assert_int_equal(pdu_kv_decode_binary("0bAQI=", out, sizeof(out), &err), 2);
	assert_int_equal(pdu_kv_decode_binary("0bAQ==", out, sizeof(out), &err), 1);
	assert_int_equal(pdu_kv_decode_binary("0bAQ", out, sizeof(out), &err), 1);
	assert_int_equal(pdu_kv_decode_binary("0b+/+/", out, sizeof(out), &err), 3);
	assert_memory_equal(out, "\xfb\xff\xbf", 3);

	assert_int_equal(pdu_kv_decode_binary("0bA", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0bAQ=", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0bA===", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0bA=AA", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0b", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0x", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0x12z", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(err.offset, 4);
	assert_int_equal(pdu_kv_decode_binary("1234", out, 64, &err),
			 PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_kv_decode_binary("0x1234", out, 1, &err),
			 PDU_E_TOO_LONG);
	assert_int_equal(pdu_kv_decode_binary("0bAQID", out, 2, &err),
			 PDU_E_TOO_LONG);

	/* encode and decode again, both encodings, 0..40 bytes */
	for (len = 0; len <= 40; len++) {
		for (i = 0; i < len; i++)
			out[i] = (uint8_t)(i * 37 + len);
		n = pdu_kv_encode_hex(out, len, text, sizeof(text));
		assert_int_equal(n, 2 + 2 * len);
		if (len) {
			assert_int_equal(pdu_kv_decode_binary(text, rt, 64, &err),
					 (long)len);
			assert_memory_equal(rt, out, len);
		}
		n = pdu_kv_encode_base64(out, len, text, sizeof(text));
		assert_int_equal(n, 2 + (len + 2) / 3 * 4);
		if (len) {
			assert_int_equal(pdu_kv_decode_binary(text, rt, 64, &err),
					 (long)len);
			assert_memory_equal(rt, out, len);
		}
	}
	assert_int_equal(pdu_kv_encode_hex(out, 4, text, 10), PDU_E_TOO_LONG);
	assert_int_equal(pdu_kv_encode_hex(out, 4, text, 11), 10);
	assert_int_equal(pdu_kv_encode_base64(out, 4, text, 10), PDU_E_TOO_LONG);
	assert_int_equal(pdu_kv_encode_base64(out, 4, text, 11), 10);
}

static void test_reserved(void **state)
{
	struct pdu_error err;
	(void)state;

	assert_true(pdu_kv_is_reserved("None"));
	assert_true(pdu_kv_is_reserved("Reject"));
	assert_true(pdu_kv_is_reserved("Irrelevant"));
	assert_true(pdu_kv_is_reserved("NotUnderstood"));
	assert_false(pdu_kv_is_reserved("none"));
	assert_false(pdu_kv_is_reserved("Yes"));
	assert_true(pdu_kv_list_has("CRC32C,None", "None"));
	assert_true(pdu_kv_list_has("CRC32C,None", "CRC32C"));
	assert_false(pdu_kv_list_has("CRC32C,None", "CRC"));
	assert_false(pdu_kv_list_has("CRC32C,None", ""));
	assert_true(pdu_kv_list_has("", ""));

	/* None is a list item only; the other three are answers only */
	assert_int_equal(pdu_key_check_value(pdu_key_find("HeaderDigest"),
					     "None", &err), PDU_OK);
	assert_int_equal(pdu_key_check_value(pdu_key_find("HeaderDigest"),
					     "CRC32C,Reject", &err),
			 PDU_KV_E_RESERVED);
	assert_string_equal(pdu_kv_rule(err.code), "LOGIN-019");
	assert_int_equal(pdu_key_check_value(pdu_key_find("MaxConnections"),
					     "None", &err), PDU_KV_E_RESERVED);
	assert_int_equal(pdu_key_check_value(pdu_key_find("InitialR2T"),
					     "None", &err), PDU_KV_E_RESERVED);
	assert_int_equal(pdu_key_check_value(pdu_key_find("SessionType"),
					     "Irrelevant", &err),
			 PDU_KV_E_RESERVED);
	assert_int_equal(strncmp(err.msg, "LOGIN-019", 9), 0);
}

/* ---- table -------------------------------------------------------------- */

static const char *const rfc_keys[] = {
	"HeaderDigest", "DataDigest", "MaxConnections", "SendTargets",
	"TargetName", "InitiatorName", "TargetAlias", "InitiatorAlias",
	"TargetAddress", "TargetPortalGroupTag", "InitialR2T", "ImmediateData",
	"MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength",
	"DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T",
	"DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
	"SessionType", "TaskReporting", "iSCSIProtocolLevel",
	"X#NodeArchitecture", "AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C",
	"CHAP_N", "CHAP_R", "OFMarker", "IFMarker", "OFMarkInt", "IFMarkInt",
	"KRB_AP_REQ", "KRB_AP_REP", "SRP_U", "TargetAuth", "SRP_GROUP",
	"SRP_s", "SRP_A", "SRP_B", "SRP_M", "SRP_HM",
};

static const char *const leading_only[] = {
	"MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength",
	"FirstBurstLength", "DefaultTime2Wait", "DefaultTime2Retain",
	"MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
	"ErrorRecoveryLevel", "SessionType", "TaskReporting",
	"iSCSIProtocolLevel",
};

static void test_table(void **state)
{
	struct pdu_error err;
	size_t i, j;
	(void)state;

	for (i = 0; i < sizeof(rfc_keys) / sizeof(rfc_keys[0]); i++) {
		const struct pdu_key_def *d = pdu_key_find(rfc_keys[i]);
		if (!d)
			fail_msg("no row for %s", rfc_keys[i]);
		assert_string_equal(d->name, rfc_keys[i]);
		assert_false(d->flags & PDU_KEY_F_PATTERN);
	}
	for (i = 0; i < sizeof(leading_only) / sizeof(leading_only[0]); i++) {
		const struct pdu_key_def *d = pdu_key_find(leading_only[i]);
		assert_non_null(d);
		assert_true(d->flags & PDU_KEY_F_LO);
		assert_non_null(strstr(d->ids, "LOGIN-026"));
	}
	assert_int_equal(pdu_key_count,
			 sizeof(rfc_keys) / sizeof(rfc_keys[0]) + 2);
	for (i = 0; i < pdu_key_count; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		assert_non_null(d->name);
		assert_non_null(d->section);
		assert_non_null(d->ids);
		assert_true(d->senders != 0);
		assert_true(d->stages != 0);
		assert_true(d->max_len > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->name, pdu_key_table[j].name);
		if (d->dflt && pdu_key_check_value(d, d->dflt, &err) != PDU_OK)
			fail_msg("default of %s: %s", d->name, err.msg);
		if (d->syntax == PDU_KEY_SYN_NUMBER)
			assert_true(d->min <= d->max);
		if (d->values)
			for (j = 0; d->values[j]; j++)
				assert_int_equal(pdu_key_check_value(
							 d, d->values[j], &err),
						 PDU_OK);
	}
	/* extension keys match their pattern rows */
	assert_string_equal(pdu_key_find("X-com.example.foo")->name, "X-");
	assert_string_equal(pdu_key_find("X#foo")->name, "X#");
	assert_string_equal(pdu_key_find("X#NodeArchitecture")->name,
			    "X#NodeArchitecture");
	assert_null(pdu_key_find("Xfoo"));
	assert_null(pdu_key_find("NoSuchKey"));
	assert_null(pdu_key_find("headerdigest"));
	assert_null(pdu_key_find(NULL));
	/* RFC 7143 values the catalogue table lists */
	assert_string_equal(pdu_key_find("MaxBurstLength")->dflt, "262144");
	assert_string_equal(pdu_key_find("FirstBurstLength")->dflt, "65536");
	assert_string_equal(pdu_key_find("DefaultTime2Retain")->dflt, "20");
	assert_int_equal(pdu_key_find("MaxRecvDataSegmentLength")->max,
			 16777215);
	assert_int_equal(pdu_key_find("MaxRecvDataSegmentLength")->scope,
			 PDU_KEY_SCOPE_CONNECTION);
	assert_int_equal(pdu_key_find("HeaderDigest")->scope,
			 PDU_KEY_SCOPE_CONNECTION);
	assert_int_equal(pdu_key_find("DefaultTime2Wait")->result,
			 PDU_KEY_RES_MAX);
	assert_int_equal(pdu_key_find("ImmediateData")->result, PDU_KEY_RES_AND);
	assert_int_equal(pdu_key_find("InitialR2T")->result, PDU_KEY_RES_OR);
	assert_true(pdu_key_find("FirstBurstLength")->flags &
		    PDU_KEY_F_IRR_NO_UNSOL);
	assert_true(pdu_key_find("IFMarker")->flags & PDU_KEY_F_OBSOLETE);
}

/* ---- negotiation: a good and a bad answer for every key ---------------- */

struct ncase {
	const char *key;
	const char *offer;
	const char *answer; /* NULL: no answer */
	int status;
	const char *value;  /* expected outcome (AGREED), or NULL */
	const char *rule;   /* expected rule (VIOLATION), NULL = none */
	int culprit;
};

#define AG(k, o, a, v) { k, o, a, PDU_KEY_AGREED, v, NULL, PDU_KEY_NOBODY }
#define ST(k, o, a, s) { k, o, a, s, NULL, NULL, PDU_KEY_NOBODY }
#define BAD_A(k, o, a, r) \
	{ k, o, a, PDU_KEY_VIOLATION, NULL, r, PDU_KEY_ANSWERER }
#define BAD_O(k, o, a, r) \
	{ k, o, a, PDU_KEY_VIOLATION, NULL, r, PDU_KEY_OFFERER }

static const char chap_c_16[] = "0x0123456789abcdef0123456789abcdef";

static const struct ncase cases[] = {
	/* §12.1 AuthMethod */
	AG("AuthMethod", "CHAP,None", "CHAP", "CHAP"),
	AG("AuthMethod", "None", "None", "None"),
	ST("AuthMethod", "KRB5,SRP", "Reject", PDU_KEY_REJECTED),
	BAD_A("AuthMethod", "CHAP,None", "SRP", "LOGIN-021"),
	BAD_A("AuthMethod", "CHAP", "None", "LOGIN-021"),
	BAD_A("AuthMethod", "CHAP,None", NULL, "LOGIN-021"),
	BAD_O("AuthMethod", "CHAP,,None", "CHAP", "LOGIN-021"),
	/* §12.1.1 Kerberos */
	AG("KRB_AP_REQ", "0x6e820200", NULL, "0x6e820200"),
	BAD_A("KRB_AP_REQ", "0x6e820200", "0xZZ", NULL),
	AG("KRB_AP_REP", "0bbYIB", NULL, "0bbYIB"),
	BAD_O("KRB_AP_REP", "6e8202", NULL, NULL),
	/* §12.1.2 SRP */
	AG("SRP_U", "alice", NULL, "alice"),
	BAD_O("SRP_U", "Reject", NULL, "LOGIN-019"),
	AG("TargetAuth", "Yes", NULL, "Yes"),
	BAD_O("TargetAuth", "Maybe", NULL, NULL),
	AG("SRP_GROUP", "SRP-1536,SRP-2048", "SRP-2048", "SRP-2048"),
	BAD_A("SRP_GROUP", "SRP-1536,SRP-2048", "SRP-4096", "LOGIN-021"),
	AG("SRP_s", "0x00112233", NULL, "0x00112233"),
	BAD_O("SRP_s", "12345", NULL, NULL),
	AG("SRP_A", "0bAAECAw==", NULL, "0bAAECAw=="),
	BAD_O("SRP_A", "0b", NULL, NULL),
	AG("SRP_B", "0xabcdef", NULL, "0xabcdef"),
	BAD_A("SRP_B", "0xabcdef", "Yes", NULL),
	AG("SRP_M", "0x01", NULL, "0x01"),
	BAD_O("SRP_M", "None", NULL, "LOGIN-019"),
	AG("SRP_HM", "0x02", NULL, "0x02"),
	BAD_O("SRP_HM", "0x", NULL, NULL),
	/* §12.1.3 CHAP */
	AG("CHAP_A", "7,5", "5", "5"),
	AG("CHAP_A", "5", "5", "5"),
	BAD_A("CHAP_A", "7,5", "6", "LOGIN-021"),
	BAD_A("CHAP_A", "7,5", "5,7", "LOGIN-021"),
	BAD_O("CHAP_A", "5,md5", "5", "LOGIN-030"),
	BAD_O("CHAP_A", "256", "Reject", "LOGIN-030"),
	AG("CHAP_I", "1", NULL, "1"),
	AG("CHAP_I", "0xff", NULL, "0xff"),
	BAD_O("CHAP_I", "256", NULL, "LOGIN-030"),
	BAD_A("CHAP_I", "1", "01", "LOGIN-030"),
	AG("CHAP_C", chap_c_16, NULL, chap_c_16),
	BAD_O("CHAP_C", "12345", NULL, "LOGIN-030"),
	BAD_A("CHAP_C", chap_c_16, "0xq", "LOGIN-030"),
	AG("CHAP_N", "iqn.2007-10.com.github:sahlberg:libiscsi", NULL,
	   "iqn.2007-10.com.github:sahlberg:libiscsi"),
	BAD_A("CHAP_N", "user", "NotUnderstood", "LOGIN-019"),
	AG("CHAP_R", "0bASNFZ4mrze8BI0VniavN7w==", NULL,
	   "0bASNFZ4mrze8BI0VniavN7w=="),
	BAD_O("CHAP_R", "0x", NULL, "LOGIN-030"),
	/* §13.1 digests */
	AG("HeaderDigest", "CRC32C,None", "None", "None"),
	AG("HeaderDigest", "None,CRC32C", "CRC32C", "CRC32C"),
	ST("HeaderDigest", "X-com.example.digest", "Reject", PDU_KEY_REJECTED),
	BAD_A("HeaderDigest", "CRC32C,None", "CRC32C,None", "LOGIN-021"),
	BAD_A("HeaderDigest", "None", "CRC32C", "LOGIN-021"),
	BAD_A("HeaderDigest", "CRC32C", "None", "LOGIN-021"),
	BAD_O("HeaderDigest", "CRC32C,NotUnderstood", "CRC32C", "LOGIN-019"),
	AG("DataDigest", "None", "None", "None"),
	BAD_A("DataDigest", "None", "NotUnderstood", "LOGIN-019"),
	BAD_A("DataDigest", "CRC32C", "crc32c", "LOGIN-021"),
	/* §13.2 */
	AG("MaxConnections", "4", "1", "1"),
	AG("MaxConnections", "0x10", "0x8", "0x8"),
	BAD_A("MaxConnections", "4", "8", "LOGIN-022"),
	BAD_A("MaxConnections", "4", "0", "LOGIN-028"),
	BAD_O("MaxConnections", "65536", "Reject", "LOGIN-028"),
	BAD_A("MaxConnections", "4", "Reject", "LOGIN-022"),
	/* §13.3 */
	AG("SendTargets", "All", NULL, "All"),
	AG("SendTargets", "", NULL, ""),
	AG("SendTargets", "iqn.2003-01.org.linux-iscsi.target:sn.1", NULL,
	   "iqn.2003-01.org.linux-iscsi.target:sn.1"),
	BAD_O("SendTargets", "Reject", NULL, "LOGIN-019"),
	BAD_O("SendTargets", "all", NULL, "TEXT-009"),
	/* §13.4-13.9 declarations */
	AG("TargetName", "iqn.2001-04.com.example:storage:disk1", NULL,
	   "iqn.2001-04.com.example:storage:disk1"),
	AG("TargetName", "eui.02004567A425678D", NULL, "eui.02004567A425678D"),
	AG("TargetName", "naa.52004567BA64678D", NULL, "naa.52004567BA64678D"),
	BAD_O("TargetName", "disk1", NULL, "LOGIN-014"),
	BAD_O("TargetName", "iqn.2001-04.com.example disk1", NULL, "LOGIN-014"),
	AG("InitiatorName", "iqn.1994-05.com.redhat:client", NULL,
	   "iqn.1994-05.com.redhat:client"),
	BAD_O("InitiatorName", "iqn.1994-05.com.redhat:client/1", NULL,
	      "LOGIN-013"),
	BAD_A("InitiatorName", "iqn.1994-05.com.redhat:c", "NotUnderstood",
	      "LOGIN-019"),
	AG("TargetAlias", "Storage Array \xc3\xa9", NULL,
	   "Storage Array \xc3\xa9"),
	BAD_O("TargetAlias", "bad \xff utf8", NULL, "LOGIN-017"),
	AG("InitiatorAlias", "host-1", NULL, "host-1"),
	BAD_O("InitiatorAlias", "Reject", NULL, "LOGIN-019"),
	AG("TargetAddress", "192.0.2.1:3260,1", NULL, "192.0.2.1:3260,1"),
	AG("TargetAddress", "[2001:db8::1]:3260,2", NULL,
	   "[2001:db8::1]:3260,2"),
	AG("TargetAddress", "target.example.com", NULL, "target.example.com"),
	AG("TargetAddress", "target.example.com:3260", NULL,
	   "target.example.com:3260"),
	BAD_O("TargetAddress", "192.0.2.1:99999,1", NULL, "LOGIN-034"),
	BAD_O("TargetAddress", "192.0.2.1:3260,x", NULL, "LOGIN-034"),
	BAD_O("TargetAddress", "[2001:db8::1:3260", NULL, "LOGIN-034"),
	BAD_O("TargetAddress", "", NULL, "LOGIN-034"),
	AG("TargetPortalGroupTag", "1", NULL, "1"),
	AG("TargetPortalGroupTag", "0bAAE=", NULL, "0bAAE="),
	BAD_O("TargetPortalGroupTag", "65536", NULL, "LOGIN-015"),
	BAD_A("TargetPortalGroupTag", "1", "NotUnderstood", "LOGIN-019"),
	/* §13.10-13.11 Booleans */
	AG("InitialR2T", "No", "No", "No"),
	AG("InitialR2T", "No", "Yes", "Yes"),
	AG("InitialR2T", "Yes", NULL, "Yes"),
	AG("InitialR2T", "Yes", "Yes", "Yes"),
	BAD_A("InitialR2T", "Yes", "No", "LOGIN-023"),
	BAD_A("InitialR2T", "No", NULL, "LOGIN-023"),
	BAD_A("InitialR2T", "No", "Reject", "LOGIN-023"),
	AG("ImmediateData", "Yes", "No", "No"),
	AG("ImmediateData", "Yes", "Yes", "Yes"),
	AG("ImmediateData", "No", NULL, "No"),
	AG("ImmediateData", "No", "No", "No"),
	ST("ImmediateData", "Maybe", "Reject", PDU_KEY_VIOLATION),
	BAD_A("ImmediateData", "No", "Yes", "LOGIN-023"),
	BAD_A("ImmediateData", "Yes", NULL, "LOGIN-023"),
	BAD_A("ImmediateData", "Yes", "None", "LOGIN-019"),
	/* §13.12 declarative */
	AG("MaxRecvDataSegmentLength", "262144", NULL, "262144"),
	AG("MaxRecvDataSegmentLength", "262144", "8192", "262144"),
	ST("MaxRecvDataSegmentLength", "8192", "Irrelevant",
	   PDU_KEY_IRRELEVANT),
	BAD_O("MaxRecvDataSegmentLength", "511", NULL, "LOGIN-028"),
	BAD_A("MaxRecvDataSegmentLength", "8192", "0x1000000", "LOGIN-028"),
	/* §13.13-13.17 numbers */
	AG("MaxBurstLength", "262144", "65536", "65536"),
	AG("MaxBurstLength", "512", "512", "512"),
	BAD_A("MaxBurstLength", "262144", "1048576", "LOGIN-022"),
	BAD_A("MaxBurstLength", "262144", "00512", "LOGIN-028"),
	AG("FirstBurstLength", "262144", "65536", "65536"),
	ST("FirstBurstLength", "65536", "Irrelevant", PDU_KEY_IRRELEVANT),
	BAD_A("FirstBurstLength", "65536", "100", "LOGIN-028"),
	AG("DefaultTime2Wait", "2", "5", "5"),
	AG("DefaultTime2Wait", "0", "0", "0"),
	BAD_A("DefaultTime2Wait", "2", "1", "LOGIN-022"),
	BAD_A("DefaultTime2Wait", "2", "3601", "LOGIN-028"),
	AG("DefaultTime2Retain", "20", "0", "0"),
	BAD_A("DefaultTime2Retain", "20", "30", "LOGIN-022"),
	AG("MaxOutstandingR2T", "1", "1", "1"),
	AG("MaxOutstandingR2T", "16", "4", "4"),
	BAD_A("MaxOutstandingR2T", "1", "2", "LOGIN-022"),
	BAD_A("MaxOutstandingR2T", "16", "01", "LOGIN-028"),
	/* §13.18-13.19 */
	AG("DataPDUInOrder", "No", "Yes", "Yes"),
	AG("DataPDUInOrder", "No", "No", "No"),
	BAD_A("DataPDUInOrder", "Yes", "No", "LOGIN-023"),
	AG("DataSequenceInOrder", "Yes", "Yes", "Yes"),
	BAD_A("DataSequenceInOrder", "No", "yes", "LOGIN-023"),
	/* §13.20 */
	AG("ErrorRecoveryLevel", "2", "0", "0"),
	AG("ErrorRecoveryLevel", "2", "2", "2"),
	BAD_A("ErrorRecoveryLevel", "1", "3", "LOGIN-028"),
	BAD_A("ErrorRecoveryLevel", "2", "Reject", "LOGIN-022"),
	BAD_O("ErrorRecoveryLevel", "3", "Reject", "LOGIN-028"),
	/* §13.21 */
	AG("SessionType", "Discovery", NULL, "Discovery"),
	AG("SessionType", "Normal", NULL, "Normal"),
	BAD_O("SessionType", "Other", NULL, NULL),
	BAD_O("SessionType", "None", NULL, "LOGIN-019"),
	/* §13.22 extension keys */
	ST("X-com.example.feature", "1", "NotUnderstood",
	   PDU_KEY_NOT_UNDERSTOOD),
	AG("X-com.example.feature", "1", "2", "2"),
	BAD_O("X-com.example.feature", "Reject", "Reject", "LOGIN-019"),
	AG("X#example", "a", "b", "b"),
	ST("X#example", "a", "Irrelevant", PDU_KEY_IRRELEVANT),
	BAD_O("X#example", "Irrelevant", NULL, "LOGIN-019"),
	/* §13.26 */
	AG("X#NodeArchitecture", "ExampleOS/v1234,ExampleInc_SW_Initiator/1.05a",
	   NULL, "ExampleOS/v1234,ExampleInc_SW_Initiator/1.05a"),
	ST("X#NodeArchitecture", "Linux/6.1", "NotUnderstood",
	   PDU_KEY_NOT_UNDERSTOOD),
	BAD_O("X#NodeArchitecture", "a,,b", NULL, "LOGIN-017"),
	/* §13.23-13.24 */
	AG("TaskReporting", "ResponseFence,RFC3720", "RFC3720", "RFC3720"),
	AG("TaskReporting", "FastAbort,RFC3720", "FastAbort", "FastAbort"),
	BAD_A("TaskReporting", "ResponseFence,RFC3720", "FastAbort",
	      "LOGIN-021"),
	AG("iSCSIProtocolLevel", "2", "1", "1"),
	AG("iSCSIProtocolLevel", "1", "1", "1"),
	AG("iSCSIProtocolLevel", "31", "0", "0"),
	BAD_A("iSCSIProtocolLevel", "1", "2", "LOGIN-022"),
	BAD_A("iSCSIProtocolLevel", "2", "32", "LOGIN-029"),
	BAD_O("iSCSIProtocolLevel", "40", "Reject", "LOGIN-029"),
	BAD_A("iSCSIProtocolLevel", "1", "NotUnderstood", "LOGIN-019"),
	/* §13.25 obsoleted keys */
	ST("OFMarker", "No", "Reject", PDU_KEY_REJECTED),
	AG("OFMarker", "No", "No", "No"),
	AG("OFMarker", "No", NULL, "No"),
	AG("OFMarker", "Yes", "No", "No"),
	BAD_A("OFMarker", "No", "NotUnderstood", "LOGIN-019"),
	BAD_A("OFMarker", "Yes", "Yes", NULL),
	BAD_A("OFMarker", "Yes", NULL, NULL),
	ST("IFMarker", "No", "Reject", PDU_KEY_REJECTED),
	AG("IFMarker", "No", "No", "No"),
	BAD_A("IFMarker", "No", "NotUnderstood", "LOGIN-019"),
	BAD_A("IFMarker", "No", "Yes", NULL),
	ST("OFMarkInt", "2048~8192", "Reject", PDU_KEY_REJECTED),
	ST("OFMarkInt", "2048", "Reject", PDU_KEY_REJECTED),
	BAD_A("OFMarkInt", "2048~8192", "NotUnderstood", "LOGIN-019"),
	BAD_A("OFMarkInt", "2048~8192", "2048", NULL),
	BAD_A("OFMarkInt", "2048~8192", "Irrelevant", "LOGIN-019"),
	BAD_O("OFMarkInt", "8192~2048", "Reject", NULL),
	ST("IFMarkInt", "1~65535", "Reject", PDU_KEY_REJECTED),
	BAD_A("IFMarkInt", "1~65535", NULL, NULL),
	BAD_O("IFMarkInt", "0~10", "Reject", NULL),
	/* unknown keys */
	ST("NoSuchKey", "1", "NotUnderstood", PDU_KEY_NOT_UNDERSTOOD),
	BAD_O("NoSuchKey", "NotUnderstood", "NotUnderstood", "LOGIN-019"),
};

static void test_negotiate_cases(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ncase *c = &cases[i];
		struct pdu_key_outcome o;
		int rc = pdu_key_negotiate(pdu_key_find(c->key), c->offer,
					   c->answer, &o);
		if (rc != c->status || o.status != rc)
			fail_msg("case %zu %s=%s / %s: status %d, want %d (%s)",
				 i, c->key, c->offer,
				 c->answer ? c->answer : "(none)", rc,
				 c->status, o.msg);
		if (c->value && strcmp(o.value, c->value) != 0)
			fail_msg("case %zu %s: outcome \"%s\", want \"%s\"", i,
				 c->key, o.value, c->value);
		if (c->status != PDU_KEY_VIOLATION)
			continue;
		if (c->culprit != PDU_KEY_NOBODY && (int)o.culprit != c->culprit)
			fail_msg("case %zu %s: culprit %d, want %d (%s)", i,
				 c->key, o.culprit, c->culprit, o.msg);
		if (c->culprit == PDU_KEY_NOBODY)
			continue;
		if ((c->rule == NULL) != (o.rule == NULL) ||
		    (c->rule && strcmp(c->rule, o.rule) != 0))
			fail_msg("case %zu %s=%s / %s: rule %s, want %s (%s)", i,
				 c->key, c->offer,
				 c->answer ? c->answer : "(none)",
				 o.rule ? o.rule : "none",
				 c->rule ? c->rule : "none", o.msg);
		if (!strstr(o.msg, c->key) && pdu_key_find(c->key) &&
		    !(pdu_key_find(c->key)->flags & PDU_KEY_F_PATTERN))
			fail_msg("case %zu: message \"%s\" lacks the key", i,
				 o.msg);
		if (o.rule && strncmp(o.msg, o.rule, strlen(o.rule)) != 0)
			fail_msg("case %zu: message \"%s\" does not start with "
				 "%s", i, o.msg, o.rule);
	}
}

/* Every row of the table has a good and a bad case above. */
static void test_negotiate_covers_table(void **state)
{
	size_t r, i;
	(void)state;

	for (r = 0; r < pdu_key_count; r++) {
		const struct pdu_key_def *d = &pdu_key_table[r];
		int good = 0, bad = 0;
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (pdu_key_find(cases[i].key) != d)
				continue;
			if (cases[i].status == PDU_KEY_VIOLATION)
				bad++;
			else
				good++;
		}
		if (!good || !bad)
			fail_msg("%s: %d good and %d bad cases", d->name, good,
				 bad);
	}
}

static void test_negotiate_outcome_fields(void **state)
{
	struct pdu_key_outcome o;
	char big[400];
	(void)state;

	assert_int_equal(pdu_key_negotiate(pdu_key_find("MaxBurstLength"),
					   "0x40000", "0x10000", &o),
			 PDU_KEY_AGREED);
	assert_true(o.num == 65536);
	assert_int_equal(pdu_key_negotiate(pdu_key_find("ImmediateData"), "Yes",
					   "Yes", &o), PDU_KEY_AGREED);
	assert_true(o.num == 1);
	assert_int_equal(pdu_key_negotiate(pdu_key_find("TargetPortalGroupTag"),
					   "0bAAE=", NULL, &o), PDU_KEY_AGREED);
	assert_true(o.num == 1);
	/* long declarations are kept truncated */
	memset(big, 'a', sizeof(big));
	memcpy(big, "0x", 2);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(pdu_key_negotiate(pdu_key_find("CHAP_C"), big, NULL, &o),
			 PDU_KEY_AGREED);
	assert_true(o.value_truncated);
	assert_int_equal(strlen(o.value), PDU_KV_MAX_SIMPLE_VALUE);
	/* 'also' names the second rule a case touches */
	assert_int_equal(pdu_key_negotiate(pdu_key_find("MaxBurstLength"),
					   "65536", "262144", &o),
			 PDU_KEY_VIOLATION);
	assert_string_equal(o.rule, "LOGIN-022");
	assert_string_equal(o.also, "LOGIN-028");
	assert_int_equal(pdu_key_negotiate(pdu_key_find("DataDigest"), "None",
					   "NotUnderstood", &o),
			 PDU_KEY_VIOLATION);
	assert_string_equal(o.also, "LOGIN-020");
	/* bad arguments */
	assert_int_equal(pdu_key_negotiate(pdu_key_find("DataDigest"), NULL,
					   "None", &o), PDU_E_INVALID);
	assert_int_equal(pdu_key_negotiate(NULL, "1", NULL, NULL), PDU_E_INVALID);
}

/* ---- responder ---------------------------------------------------------- */

static void expect_answer(const char *key, const char *offer, const char *own,
			  const struct pdu_key_ctx *ctx, int kind,
			  const char *answer)
{
	char out[300];
	struct pdu_key_outcome o;
	const struct pdu_key_def *d = pdu_key_find(key);
	int rc = pdu_key_respond(d, offer, own, ctx, out, sizeof(out));

	if (rc != kind)
		fail_msg("%s=%s own %s: kind %d, want %d", key, offer,
			 own ? own : "-", rc, kind);
	assert_string_equal(out, answer);
	/* the answer never breaks a rule itself */
	pdu_key_negotiate(d, offer, rc == PDU_KEY_ANSWER_NONE ? NULL : out, &o);
	if (o.status == PDU_KEY_VIOLATION && o.culprit == PDU_KEY_ANSWERER)
		fail_msg("%s=%s answered %s: %s", key, offer, out, o.msg);
}

static void test_respond(void **state)
{
	const struct pdu_key_ctx disc = { .discovery = true };
	const struct pdu_key_ctx nounsol = { .no_unsolicited = true };
	char out[8];
	(void)state;

	expect_answer("HeaderDigest", "CRC32C,None", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "CRC32C");
	expect_answer("HeaderDigest", "CRC32C,None", "None", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "None");
	expect_answer("HeaderDigest", "None,CRC32C", "CRC32C,None", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "None");
	expect_answer("DataDigest", "X-com.example.d,CRC32C", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "CRC32C");
	expect_answer("DataDigest", "CRC32C", "None", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Reject");
	expect_answer("AuthMethod", "CHAP,None", "None", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "None");
	expect_answer("AuthMethod", "KRB5", "CHAP,None", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Reject");
	expect_answer("CHAP_A", "7,6,5", NULL, NULL, PDU_KEY_ANSWER_REQUIRED,
		      "5");
	expect_answer("SRP_GROUP", "SRP-1536,SRP-2048", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "SRP-1536");
	expect_answer("TaskReporting", "FastAbort,RFC3720", "RFC3720", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "RFC3720");
	expect_answer("MaxBurstLength", "1048576", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "262144");
	expect_answer("MaxBurstLength", "1048576", "65536", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "65536");
	expect_answer("MaxBurstLength", "512", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "512");
	expect_answer("MaxBurstLength", "0x1000", "99999999", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "4096");
	expect_answer("MaxConnections", "0", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Reject");
	expect_answer("DefaultTime2Wait", "0", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "2");
	expect_answer("DefaultTime2Wait", "10", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "10");
	expect_answer("ErrorRecoveryLevel", "2", "1", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "1");
	expect_answer("iSCSIProtocolLevel", "2", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "1");
	expect_answer("ImmediateData", "No", NULL, NULL,
		      PDU_KEY_ANSWER_OPTIONAL, "No");
	expect_answer("ImmediateData", "Yes", "No", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "No");
	expect_answer("ImmediateData", "Yes", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Yes");
	expect_answer("InitialR2T", "Yes", "No", NULL,
		      PDU_KEY_ANSWER_OPTIONAL, "Yes");
	expect_answer("InitialR2T", "No", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Yes");
	expect_answer("InitialR2T", "No", "No", NULL,
		      PDU_KEY_ANSWER_REQUIRED, "No");
	expect_answer("DataPDUInOrder", "Maybe", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Reject");
	expect_answer("MaxBurstLength", "262144", NULL, &disc,
		      PDU_KEY_ANSWER_REQUIRED, "Irrelevant");
	expect_answer("ErrorRecoveryLevel", "0", NULL, &disc,
		      PDU_KEY_ANSWER_REQUIRED, "0");
	expect_answer("FirstBurstLength", "65536", NULL, &nounsol,
		      PDU_KEY_ANSWER_REQUIRED, "Irrelevant");
	expect_answer("FirstBurstLength", "65536", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "65536");
	expect_answer("OFMarker", "No", NULL, NULL, PDU_KEY_ANSWER_REQUIRED,
		      "Reject");
	expect_answer("IFMarkInt", "2048~8192", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "Reject");
	expect_answer("NoSuchKey", "1", NULL, NULL, PDU_KEY_ANSWER_REQUIRED,
		      "NotUnderstood");
	expect_answer("X-com.example.x", "1", NULL, NULL,
		      PDU_KEY_ANSWER_REQUIRED, "NotUnderstood");
	expect_answer("MaxRecvDataSegmentLength", "8192", NULL, NULL,
		      PDU_KEY_ANSWER_NONE, "");
	expect_answer("TargetName", "iqn.2001-04.com.example:t", NULL, NULL,
		      PDU_KEY_ANSWER_NONE, "");
	expect_answer("SendTargets", "All", NULL, NULL, PDU_KEY_ANSWER_NONE, "");

	/* errors */
	assert_int_equal(pdu_key_respond(pdu_key_find("MaxBurstLength"),
					 "262144", "lots", NULL, out,
					 sizeof(out)), PDU_E_INVALID);
	assert_int_equal(pdu_key_respond(pdu_key_find("ImmediateData"), "Yes",
					 "maybe", NULL, out, sizeof(out)),
			 PDU_E_INVALID);
	assert_int_equal(pdu_key_respond(pdu_key_find("MaxBurstLength"), NULL,
					 NULL, NULL, out, sizeof(out)),
			 PDU_E_INVALID);
	assert_int_equal(pdu_key_respond(pdu_key_find("MaxBurstLength"),
					 "262144", NULL, NULL, out, 6),
			 PDU_E_TOO_LONG);
	assert_int_equal(pdu_key_respond(NULL, "1", NULL, NULL, out, 5),
			 PDU_E_TOO_LONG);
	assert_int_equal(pdu_key_respond(NULL, "1", NULL, NULL, out, 0),
			 PDU_E_TOO_LONG);
}

/* The responder answers every key's default (or a sample offer) in a way
 * the checker accepts, in a normal and a discovery session. */
static void test_respond_every_key(void **state)
{
	static const struct { const char *key, *offer; } samples[] = {
		{ "AuthMethod", "CHAP,None" }, { "KRB_AP_REQ", "0x01" },
		{ "KRB_AP_REP", "0x01" }, { "SRP_U", "u" },
		{ "TargetAuth", "No" }, { "SRP_GROUP", "SRP-1536" },
		{ "SRP_s", "0x01" }, { "SRP_A", "0x01" }, { "SRP_B", "0x01" },
		{ "SRP_M", "0x01" }, { "SRP_HM", "0x01" }, { "CHAP_A", "5" },
		{ "CHAP_I", "7" }, { "CHAP_C", "0x0102" }, { "CHAP_N", "n" },
		{ "CHAP_R", "0x0102" }, { "SendTargets", "All" },
		{ "TargetName", "iqn.2001-04.com.example:t" },
		{ "InitiatorName", "iqn.2001-04.com.example:i" },
		{ "TargetAlias", "t" }, { "InitiatorAlias", "i" },
		{ "TargetAddress", "192.0.2.1:3260,1" },
		{ "TargetPortalGroupTag", "1" }, { "X-", "1" }, { "X#", "1" },
	};
	const struct pdu_key_ctx ctxs[] = { { false, false }, { true, false },
					    { false, true } };
	size_t r, i, c;
	(void)state;

	for (c = 0; c < 3; c++) {
		for (r = 0; r < pdu_key_count; r++) {
			const struct pdu_key_def *d = &pdu_key_table[r];
			const char *offer = d->dflt;
			char out[300];
			struct pdu_key_outcome o;
			for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
				if (strcmp(samples[i].key, d->name) == 0)
					offer = samples[i].offer;
			if (!offer)
				fail_msg("no sample offer for %s", d->name);
			int rc = pdu_key_respond(d, offer, NULL, &ctxs[c], out,
						 sizeof(out));
			assert_true(rc >= 0);
			pdu_key_negotiate(d, offer,
					  rc == PDU_KEY_ANSWER_NONE ? NULL : out,
					  &o);
			if (o.status == PDU_KEY_VIOLATION)
				fail_msg("%s=%s answered %s: %s", d->name, offer,
					 out, o.msg);
		}
	}
}

/* libiscsi's keys as offers: the responder's answers are all accepted. */
static void test_respond_libiscsi(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < N_LOGIN; i++) {
		char key[64], out[300];
		const char *eq = strchr(login_pairs[i], '=');
		const struct pdu_key_def *d;
		struct pdu_key_outcome o;
		memcpy(key, login_pairs[i], (size_t)(eq - login_pairs[i]));
		key[eq - login_pairs[i]] = 0;
		d = pdu_key_find(key);
		int rc = pdu_key_respond(d, eq + 1, NULL, NULL, out, sizeof(out));
		assert_true(rc >= 0);
		assert_true(pdu_key_negotiate(d, eq + 1,
					      rc ? out : NULL, &o) >= 0);
	}
}

/* ---- session parameters ------------------------------------------------- */

static void test_params(void **state)
{
	struct pdu_key_params p;
	struct pdu_error err;
	(void)state;

	pdu_key_params_init(&p);
	assert_false(p.digests.header);
	assert_false(p.digests.data);
	assert_int_equal(p.max_connections, 1);
	assert_true(p.initial_r2t);
	assert_true(p.immediate_data);
	assert_int_equal(p.mrdsl_initiator, 8192);
	assert_int_equal(p.mrdsl_target, 8192);
	assert_int_equal(p.max_burst_length, 262144);
	assert_int_equal(p.first_burst_length, 65536);
	assert_int_equal(p.default_time2wait, 2);
	assert_int_equal(p.default_time2retain, 20);
	assert_int_equal(p.max_outstanding_r2t, 1);
	assert_true(p.data_pdu_in_order);
	assert_true(p.data_sequence_in_order);
	assert_int_equal(p.error_recovery_level, 0);
	assert_false(p.discovery);
	assert_int_equal(p.protocol_level, 1);
	assert_int_equal(p.task_reporting, PDU_TASK_REPORTING_RFC3720);
	assert_int_equal(p.tpgt, -1);
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_OK);

	assert_int_equal(pdu_key_params_apply(&p, "HeaderDigest", "CRC32C",
					      false, &err), 1);
	assert_true(p.digests.header);
	assert_int_equal(pdu_key_params_apply(&p, "DataDigest", "None", false,
					      &err), 1);
	assert_false(p.digests.data);
	assert_int_equal(pdu_key_params_apply(&p, "MaxRecvDataSegmentLength",
					      "65536", true, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "MaxRecvDataSegmentLength",
					      "262144", false, &err), 1);
	assert_int_equal(p.mrdsl_target, 65536);
	assert_int_equal(p.mrdsl_initiator, 262144);
	assert_int_equal(pdu_key_params_apply(&p, "MaxBurstLength", "0x10000",
					      false, &err), 1);
	assert_int_equal(p.max_burst_length, 65536);
	assert_int_equal(pdu_key_params_apply(&p, "MaxConnections", "4", false,
					      &err), 1);
	assert_int_equal(p.max_connections, 4);
	assert_int_equal(pdu_key_params_apply(&p, "InitialR2T", "No", false,
					      &err), 1);
	assert_false(p.initial_r2t);
	assert_int_equal(pdu_key_params_apply(&p, "ImmediateData", "No", false,
					      &err), 1);
	assert_false(p.immediate_data);
	assert_int_equal(pdu_key_params_apply(&p, "DefaultTime2Wait", "5",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "DefaultTime2Retain", "0",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "MaxOutstandingR2T", "8",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "DataPDUInOrder", "No",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "DataSequenceInOrder", "No",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "ErrorRecoveryLevel", "2",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "iSCSIProtocolLevel", "2",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "TaskReporting", "FastAbort",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "TargetPortalGroupTag", "7",
					      true, &err), 1);
	assert_int_equal(pdu_key_params_apply(&p, "SessionType", "Discovery",
					      false, &err), 1);
	assert_int_equal(p.default_time2wait, 5);
	assert_int_equal(p.default_time2retain, 0);
	assert_int_equal(p.max_outstanding_r2t, 8);
	assert_false(p.data_pdu_in_order);
	assert_false(p.data_sequence_in_order);
	assert_int_equal(p.error_recovery_level, 2);
	assert_int_equal(p.protocol_level, 2);
	assert_int_equal(p.task_reporting, PDU_TASK_REPORTING_FAST_ABORT);
	assert_int_equal(p.tpgt, 7);
	assert_true(p.discovery);

	/* answers that change nothing, keys that are no parameter */
	assert_int_equal(pdu_key_params_apply(&p, "MaxConnections", "Reject",
					      false, &err), 0);
	assert_int_equal(pdu_key_params_apply(&p, "MaxConnections",
					      "NotUnderstood", false, &err), 0);
	assert_int_equal(pdu_key_params_apply(&p, "TargetAlias", "x", true,
					      &err), 0);
	assert_int_equal(pdu_key_params_apply(&p, "X-foo", "1", true, &err), 0);
	assert_int_equal(pdu_key_params_apply(&p, "NoSuchKey", "1", true, &err),
			 0);
	assert_int_equal(p.max_connections, 4);

	/* values that are no outcome */
	assert_int_equal(pdu_key_params_apply(&p, "HeaderDigest", "CRC32C,None",
					      false, &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(strncmp(err.msg, "LOGIN-027", 9), 0);
	assert_int_equal(pdu_key_params_apply(&p, "MaxBurstLength", "100",
					      false, &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(strncmp(err.msg, "LOGIN-028", 9), 0);
	assert_int_equal(pdu_key_params_apply(&p, "TaskReporting", "Other",
					      false, &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(pdu_key_params_apply(&p, "InitialR2T", "None", false,
					      &err), PDU_KV_E_RESERVED);
	assert_int_equal(pdu_key_params_apply(&p, NULL, "1", false, &err),
			 PDU_E_INVALID);
	assert_int_equal(p.max_burst_length, 65536);

	/* FirstBurstLength <= MaxBurstLength in a normal session */
	p.discovery = false;
	assert_int_equal(pdu_key_params_apply(&p, "FirstBurstLength", "262144",
					      false, &err), 1);
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_KV_E_BAD_VALUE);
	assert_int_equal(strncmp(err.msg, "LOGIN-028", 9), 0);
	assert_non_null(strstr(err.msg, "FirstBurstLength"));
	p.discovery = true;
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_OK);
	/* ... and only when FirstBurstLength is relevant (§13.14) */
	p.discovery = false;
	p.initial_r2t = true;
	p.immediate_data = false;
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_OK);
	p.immediate_data = true;
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_KV_E_BAD_VALUE);
}

/* Negotiating libiscsi's offers against a target that answers with the
 * defaults gives the session the RFC's outcome. */
static void test_params_from_negotiation(void **state)
{
	struct pdu_key_params p;
	struct pdu_error err;
	size_t i;
	(void)state;

	pdu_key_params_init(&p);
	for (i = 0; i < N_LOGIN; i++) {
		char key[64], ans[300];
		const char *eq = strchr(login_pairs[i], '=');
		const struct pdu_key_def *d;
		struct pdu_key_outcome o;
		memcpy(key, login_pairs[i], (size_t)(eq - login_pairs[i]));
		key[eq - login_pairs[i]] = 0;
		d = pdu_key_find(key);
		int kind = pdu_key_respond(d, eq + 1, NULL, NULL, ans,
					   sizeof(ans));
		int st = pdu_key_negotiate(d, eq + 1,
					   kind == PDU_KEY_ANSWER_NONE ? NULL
								       : ans,
					   &o);
		assert_true(st >= 0);
		if (st == PDU_KEY_AGREED)
			assert_true(pdu_key_params_apply(&p, key, o.value,
							 false, &err) >= 0);
	}
	assert_false(p.digests.header);   /* None,CRC32C: None first */
	assert_true(p.initial_r2t);       /* No OR Yes */
	assert_true(p.immediate_data);
	assert_int_equal(p.max_burst_length, 262144);
	assert_int_equal(p.first_burst_length, 65536); /* min(262144, 65536) */
	assert_int_equal(p.default_time2retain, 0);
	assert_int_equal(p.mrdsl_initiator, 262144);
	assert_int_equal(p.mrdsl_target, 8192);
	assert_int_equal(pdu_key_params_check(&p, &err), PDU_OK);
}

/* ---- use rules ---------------------------------------------------------- */

static void test_check_use(void **state)
{
	struct pdu_error err;
	(void)state;

#define USE(k, t, s, l) pdu_key_check_use(pdu_key_find(k), t, s, l, &err)
	assert_int_equal(USE("MaxBurstLength", false, PDU_STAGE_OPERATIONAL,
			     true), PDU_OK);
	assert_int_equal(USE("MaxBurstLength", false, PDU_STAGE_OPERATIONAL,
			     false), PDU_KV_E_LEADING_ONLY);
	assert_string_equal(pdu_kv_rule(err.code), "LOGIN-026");
	assert_int_equal(strncmp(err.msg, "LOGIN-026", 9), 0);
	assert_int_equal(USE("SessionType", false, PDU_STAGE_SECURITY, false),
			 PDU_KV_E_LEADING_ONLY);
	assert_int_equal(USE("HeaderDigest", true, PDU_STAGE_OPERATIONAL,
			     false), PDU_OK);
	assert_int_equal(USE("MaxBurstLength", false, PDU_STAGE_SECURITY,
			     true), PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("MaxBurstLength", false, PDU_STAGE_FULL_FEATURE,
			     true), PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("MaxRecvDataSegmentLength", true,
			     PDU_STAGE_FULL_FEATURE, false), PDU_OK);
	assert_int_equal(USE("TargetAlias", false, PDU_STAGE_OPERATIONAL,
			     true), PDU_KV_E_WRONG_SENDER);
	assert_int_equal(USE("TargetPortalGroupTag", false,
			     PDU_STAGE_SECURITY, true), PDU_KV_E_WRONG_SENDER);
	assert_int_equal(USE("InitiatorName", true, PDU_STAGE_SECURITY, true),
			 PDU_KV_E_WRONG_SENDER);
	assert_int_equal(USE("SendTargets", false, PDU_STAGE_OPERATIONAL,
			     true), PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("SendTargets", false, PDU_STAGE_FULL_FEATURE,
			     true), PDU_OK);
	assert_int_equal(USE("TargetName", true, PDU_STAGE_OPERATIONAL, true),
			 PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("TargetName", true, PDU_STAGE_FULL_FEATURE, true),
			 PDU_OK);
	assert_int_equal(USE("TargetName", false, PDU_STAGE_SECURITY, true),
			 PDU_OK);
	assert_int_equal(USE("TargetName", false, PDU_STAGE_FULL_FEATURE,
			     true), PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("CHAP_A", false, PDU_STAGE_SECURITY, true),
			 PDU_OK);
	assert_int_equal(USE("CHAP_A", true, PDU_STAGE_SECURITY, true),
			 PDU_KV_E_WRONG_SENDER);
	assert_int_equal(USE("AuthMethod", false, PDU_STAGE_OPERATIONAL,
			     true), PDU_KV_E_WRONG_STAGE);
	assert_int_equal(USE("NoSuchKey", true, PDU_STAGE_SECURITY, false),
			 PDU_OK);
	assert_int_equal(USE("MaxBurstLength", false, 2, true), PDU_E_INVALID);
#undef USE
	assert_true(pdu_key_irrelevant(pdu_key_find("MaxConnections"),
				       &(struct pdu_key_ctx){ .discovery = true }));
	assert_false(pdu_key_irrelevant(pdu_key_find("ErrorRecoveryLevel"),
					&(struct pdu_key_ctx){ .discovery = true }));
	assert_false(pdu_key_irrelevant(pdu_key_find("MaxConnections"), NULL));
}

static void test_strerror(void **state)
{
	int c;
	(void)state;

	for (c = PDU_KV_E_WRONG_STAGE; c <= PDU_KV_E_NO_EQUALS; c++)
		assert_string_not_equal(pdu_kv_strerror(c), "unknown error");
	for (c = PDU_E_INVALID; c <= PDU_OK; c++)
		assert_string_not_equal(pdu_kv_strerror(c), "unknown error");
	assert_string_equal(pdu_kv_strerror(-99), "unknown error");
	assert_string_equal(pdu_kv_rule(PDU_KV_E_NO_FINAL_NUL), "LOGIN-017");
	assert_null(pdu_kv_rule(PDU_KV_E_BAD_VALUE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_login),
		cmocka_unit_test(test_split_two_chunks),
		cmocka_unit_test(test_split_three_chunks),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_long_sequences),
		cmocka_unit_test(test_parser_errors),
		cmocka_unit_test(test_parser_goes_on),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_encoder),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_encode_split_parse),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_negotiate_cases),
		cmocka_unit_test(test_negotiate_covers_table),
		cmocka_unit_test(test_negotiate_outcome_fields),
		cmocka_unit_test(test_respond),
		cmocka_unit_test(test_respond_every_key),
		cmocka_unit_test(test_respond_libiscsi),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_params_from_negotiation),
		cmocka_unit_test(test_check_use),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
