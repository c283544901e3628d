/* fuzz_keys.c — libFuzzer harness for pdu/keys_*.c. The input is the data of
 * one negotiation sequence; it is fed to the streaming parser as 1-4 chunks
 * (cut where a hash of the input says) and again as MaxRecvDataSegmentLength
 * sized chunks from pdu_kv_split(), and both runs must yield the same pairs
 * and errors. Every pair is then checked, negotiated against itself and
 * against the key's default, answered by pdu_key_respond() (whose answer
 * the checker must never blame), applied to the session parameters,
 * re-encoded and parsed again. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdu/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c))                                                     \
			__builtin_trap();                                     \
	} while (0)

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	return fnv(h, &v, sizeof(v));
}

/* Fold one pdu_kv_next() result into a trace hash. */
static uint64_t trace(uint64_t h, int rc, const struct pdu_kv_pair *pair,
		      const struct pdu_error *err)
{
	h = fnv_u64(h, (uint64_t)(int64_t)rc);
	h = fnv_u64(h, pair->offset);
	h = fnv(h, pair->key, strlen(pair->key));
	h = fnv_u64(h, pair->value ? pair->value_len + 1 : 0);
	if (pair->value)
		h = fnv(h, pair->value, pair->value_len);
	if (rc < 0)
		h = fnv_u64(h, err->offset);
	return h;
}

static const struct pdu_key_ctx ctxs[3] = {
	{ false, false }, { true, false }, { false, true }
};

/* The checker's verdicts stay in their ranges, and the responder's answer
 * is never the answerer's fault. */
static void negotiate_pair(const char *key, const char *value)
{
	const struct pdu_key_def *def = pdu_key_find(key);
	struct pdu_key_outcome o;
	struct pdu_error err;
	char ans[320];
	int rc, c;

	rc = pdu_key_negotiate(def, value, value, &o);
	CHECK(rc == o.status && rc >= PDU_KEY_VIOLATION &&
	      rc <= PDU_KEY_NOT_UNDERSTOOD);
	CHECK(strlen(o.value) <= PDU_KV_MAX_SIMPLE_VALUE);
	CHECK(rc != PDU_KEY_VIOLATION || o.culprit != PDU_KEY_NOBODY);
	pdu_key_negotiate(def, value, NULL, &o);
	if (def && def->dflt) {
		pdu_key_negotiate(def, value, def->dflt, &o);
		pdu_key_negotiate(def, def->dflt, value, &o);
		/* the value as the responder's own wish */
		rc = pdu_key_respond(def, def->dflt, value, NULL, ans,
				     sizeof(ans));
		CHECK(rc >= 0 || rc == PDU_E_INVALID || rc == PDU_E_TOO_LONG);
		if (rc > 0) {
			pdu_key_negotiate(def, def->dflt, ans, &o);
			CHECK(o.status != PDU_KEY_VIOLATION);
		}
	}
	for (c = 0; c < 3; c++) {
		rc = pdu_key_respond(def, value, NULL, &ctxs[c], ans,
				     sizeof(ans));
		CHECK(rc >= 0 || rc == PDU_E_TOO_LONG);
		if (rc < 0)
			continue;
		pdu_key_negotiate(def, value,
				  rc == PDU_KEY_ANSWER_NONE ? NULL : ans, &o);
		CHECK(!(o.status == PDU_KEY_VIOLATION &&
			o.culprit == PDU_KEY_ANSWERER));
		/* an admissible offer is never answered Reject for a simple
		 * value, and its outcome is admissible too */
		if (def && pdu_key_check_value(def, value, NULL) == PDU_OK &&
		    (def->result == PDU_KEY_RES_MIN ||
		     def->result == PDU_KEY_RES_MAX) &&
		    !pdu_key_irrelevant(def, &ctxs[c])) {
			CHECK(o.status == PDU_KEY_AGREED);
			CHECK(pdu_key_check_value(def, o.value, NULL) == PDU_OK);
		}
	}
	rc = pdu_key_check_value(def, value, &err);
	CHECK(rc == PDU_OK || rc == PDU_KV_E_BAD_VALUE ||
	      rc == PDU_KV_E_RESERVED || rc == PDU_KV_E_VALUE_TOO_LONG);
	for (c = 0; c < 4; c++) {
		if (c == 2)
			continue;
		rc = pdu_key_check_use(def, c & 1, c, c == 0, &err);
		CHECK(rc <= 0);
	}
}

static void check_value_codecs(const char *value)
{
	uint8_t bytes[128], again[128];
	char text[300];
	uint64_t v;
	long n;

	if (pdu_kv_parse_number(value, false, &v, NULL) == PDU_OK) {
		uint64_t w;
		CHECK(pdu_kv_parse_number(value, true, &w, NULL) == PDU_OK);
		CHECK(v == w);
	}
	pdu_kv_parse_number(value, true, &v, NULL);
	n = pdu_kv_decode_binary(value, bytes, sizeof(bytes), NULL);
	CHECK(n >= 0 || n == PDU_KV_E_BAD_VALUE || n == PDU_E_TOO_LONG);
	if (n > 0) {
		CHECK(pdu_kv_decode_binary(value, NULL, 0, NULL) == n);
		CHECK(pdu_kv_encode_hex(bytes, (size_t)n, text, sizeof(text)) > 0);
		CHECK(pdu_kv_decode_binary(text, again, sizeof(again), NULL) == n);
		CHECK(memcmp(bytes, again, (size_t)n) == 0);
		CHECK(pdu_kv_encode_base64(bytes, (size_t)n, text,
					   sizeof(text)) > 0);
		CHECK(pdu_kv_decode_binary(text, again, sizeof(again), NULL) == n);
		CHECK(memcmp(bytes, again, (size_t)n) == 0);
	}
}

struct run {
	uint64_t trace;
	size_t good;      /* pairs returned with 1 */
	uint8_t *reenc;   /* those pairs encoded again */
	size_t reenc_len, reenc_cap;
};

/* Take every result the parser has now; look at the good pairs. */
static void drain(struct pdu_kv_parser *p, struct run *r, bool deep,
		  struct pdu_kv_seen *seen, struct pdu_key_params *params)
{
	struct pdu_kv_pair pair;
	struct pdu_error err;
	int rc;

	while ((rc = pdu_kv_next(p, &pair, &err)) != 0) {
		CHECK(rc == 1 || (rc <= PDU_KV_E_NO_EQUALS &&
				  rc >= PDU_KV_E_EMPTY_PAIR));
		CHECK(pair.key != NULL);
		r->trace = trace(r->trace, rc, &pair, &err);
		if (rc < 0) {
			CHECK(err.code == rc);
			CHECK(err.offset <= p->fed);
			continue;
		}
		CHECK(pair.value && pair.key_len > 0 &&
		      pair.key_len <= PDU_KV_MAX_KEY_LEN);
		CHECK(pair.key_len == strlen(pair.key));
		CHECK(pair.value_len == strlen(pair.value));
		CHECK(pair.def == pdu_key_find(pair.key));
		r->good++;
		long n = pdu_kv_append(r->reenc, r->reenc_len, r->reenc_cap,
				       pair.key, pair.value);
		CHECK(n > 0);
		r->reenc_len = (size_t)n;
		if (!deep)
			continue;
		negotiate_pair(pair.key, pair.value);
		check_value_codecs(pair.value);
		pdu_kv_seen_add(seen, pair.key, pair.offset, false, &err);
		CHECK(pdu_key_params_apply(params, pair.key, pair.value, false,
					   &err) <= 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdu_kv_parser p;
	struct pdu_kv_seen seen;
	struct pdu_key_params params;
	struct pdu_kv_chunk *ch;
	struct run a = { 0 }, b = { 0 }, c = { 0 };
	struct pdu_error err;
	size_t cuts[5], i, j, n;
	uint64_t h = fnv(0xcbf29ce484222325ull, data, size);

	if (size > PDU_KV_DEFAULT_MAX_SEQ)
		return 0;
	a.reenc_cap = b.reenc_cap = size + 1;
	a.reenc = malloc(a.reenc_cap);
	b.reenc = malloc(b.reenc_cap);
	CHECK(a.reenc && b.reenc);
	pdu_kv_seen_init(&seen);
	pdu_key_params_init(&params);

	/* run a: 1-4 chunks, cut at hashed positions */
	size_t nch = 1 + (size_t)(h % 4);
	cuts[0] = 0;
	for (i = 1; i < nch; i++)
		cuts[i] = (size_t)((h >> (8 * i)) % (size + 1));
	cuts[nch] = size;
	for (i = 1; i < nch; i++) /* sort the inner cuts */
		for (j = i + 1; j < nch; j++)
			if (cuts[j] < cuts[i]) {
				size_t t = cuts[i];
				cuts[i] = cuts[j];
				cuts[j] = t;
			}
	pdu_kv_init(&p, 0);
	for (i = 0; i < nch; i++) {
		CHECK(pdu_kv_feed(&p, data + cuts[i], cuts[i + 1] - cuts[i],
				  i + 1 < nch, &err) == PDU_OK);
		drain(&p, &a, true, &seen, &params);
	}
	CHECK(pdu_kv_done(&p));
	CHECK(pdu_kv_feed(&p, data, 1, false, &err) == PDU_KV_E_STATE);
	pdu_key_params_check(&params, &err);

	/* run b: PDU-sized chunks, the same results */
	size_t mrdsl = 1 + (size_t)((h >> 40) % 512);
	bool whole = (h >> 50) & 1;
	n = pdu_kv_split(data, size, mrdsl, whole, NULL, 0);
	CHECK(n >= 1 && n <= size + 1);
	ch = malloc(n * sizeof(*ch));
	CHECK(ch);
	CHECK(pdu_kv_split(data, size, mrdsl, whole, ch, n) == n);
	pdu_kv_reset(&p);
	for (i = 0; i < n; i++) {
		CHECK(ch[i].len <= mrdsl);
		CHECK(ch[i].more == (i + 1 < n));
		CHECK(i == 0 || ch[i].offset == ch[i - 1].offset + ch[i - 1].len);
		CHECK(pdu_kv_feed(&p, data + ch[i].offset, ch[i].len,
				  ch[i].more, &err) == PDU_OK);
		drain(&p, &b, false, NULL, NULL);
	}
	CHECK(ch[n - 1].offset + ch[n - 1].len == size);
	CHECK(b.trace == a.trace && b.good == a.good);
	free(ch);

	/* run c: the good pairs encoded again parse to themselves */
	pdu_kv_reset(&p);
	c.reenc_cap = a.reenc_len + 1;
	c.reenc = malloc(c.reenc_cap);
	CHECK(c.reenc);
	CHECK(pdu_kv_feed(&p, a.reenc, a.reenc_len, false, &err) == PDU_OK);
	drain(&p, &c, false, NULL, NULL);
	CHECK(c.good == a.good && c.reenc_len == a.reenc_len);
	CHECK(memcmp(c.reenc, a.reenc, a.reenc_len) == 0);

	pdu_kv_free(&p);
	pdu_kv_seen_free(&seen);
	free(a.reenc);
	free(b.reenc);
	free(c.reenc);
	return 0;
}
