/* test_keys_index.c — unit tests of what pdu/keys_*.c build on a key's row
 * in the table: the row ids and name lengths, the look-up by length, the
 * parser's taking a table key's name as valid, the once-per-login rule
 * kept by row (pdu_kv_seen_add_pair) and the session parameters applied by
 * row (pdu_key_params_apply_def), each against the by-name functions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pdu/keys.h"

/* Every row is its id, its name_len is its name's length, and the look-up
 * finds it by its name (a prefix row by any name it starts). */
static void test_rows(void **state)
{
	(void)state;
	char name[PDU_KV_MAX_KEY_LEN + 8];

	assert_int_equal(pdu_key_count, PDU_KEY_COUNT);
	for (size_t i = 0; i < PDU_KEY_COUNT; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		assert_int_equal(pdu_key_id_of(d), i);
		assert_true(pdu_key_is(d, (enum pdu_key_id)i));
		assert_int_equal(d->name_len, strlen(d->name));
		if (d->flags & PDU_KEY_F_PATTERN) {
			assert_false(pdu_key_is_exact(d));
			snprintf(name, sizeof name, "%sexample", d->name);
			assert_ptr_equal(pdu_key_find(name), d);
			continue;
		}
		assert_true(pdu_key_is_exact(d));
		assert_ptr_equal(pdu_key_find(d->name), d);
		/* the parser takes a table key's name without checking it */
		assert_true(pdu_kv_key_valid(d->name, d->name_len, NULL));
		/* one byte off, one byte more or less: another name */
		snprintf(name, sizeof name, "%s", d->name);
		name[d->name_len - 1] ^= 0x20;
		assert_ptr_not_equal(pdu_key_find(name), d);
		snprintf(name, sizeof name, "%sA", d->name);
		assert_ptr_not_equal(pdu_key_find(name), d);
		snprintf(name, sizeof name, "%.*s", (int)d->name_len - 1,
			 d->name);
		assert_ptr_not_equal(pdu_key_find(name), d);
	}
	assert_false(pdu_key_is_exact(NULL));
	assert_null(pdu_key_find(""));
	assert_null(pdu_key_find("NoSuchKey"));
	assert_null(pdu_key_find("headerdigest"));
	assert_true(pdu_key_is(pdu_key_find("MaxRecvDataSegmentLength"),
			       PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH));
	assert_true(pdu_key_is(pdu_key_find("X#NodeArchitecture"),
			       PDU_KEY_ID_X_NODE_ARCHITECTURE));
	assert_true(pdu_key_is(pdu_key_find("X#Other"), PDU_KEY_ID_X_HASH));
	assert_true(pdu_key_is(pdu_key_find("X-vendor.key"),
			       PDU_KEY_ID_X_DASH));
}

/* Pairs as the parser yields them, in one sequence. */
static size_t parse(const char *text, size_t len, struct pdu_kv_parser *p,
		    struct pdu_kv_pair *out, size_t n_out)
{
	struct pdu_error err;
	struct pdu_kv_pair pair;
	size_t n = 0;
	int rc;

	pdu_kv_init(p, 0);
	assert_int_equal(pdu_kv_feed(p, text, len, false, &err), PDU_OK);
	while ((rc = pdu_kv_next(p, &pair, &err)) != 0) {
		assert_int_equal(rc, 1);
		assert_true(n < n_out);
		out[n++] = pair;
	}
	return n;
}

/* The once-per-login rule by row gives what it gives by name: repeats of
 * table keys, of extension and unknown names, the keys that may repeat. */
static void test_seen_by_row(void **state)
{
	(void)state;
	static const char text[] =
		"HeaderDigest=None\0DataDigest=None\0X-vendor.a=1\0"
		"Unknown=2\0TargetAddress=192.0.2.1:3260,1\0"
		"TargetAddress=192.0.2.2:3260,1\0HeaderDigest=CRC32C\0"
		"X-vendor.a=3\0X-vendor.b=4\0Unknown=5\0TargetName=iqn.a.b\0"
		"TargetName=iqn.a.c\0X#NodeArchitecture=x\0"
		"X#NodeArchitecture=y\0iSCSIProtocolLevel=1\0"
		"iSCSIProtocolLevel=1\0";
	struct pdu_kv_parser p;
	struct pdu_kv_pair pairs[32];
	size_t n = parse(text, sizeof text - 1, &p, pairs, 32);
	assert_int_equal(n, 16);

	for (int st = 0; st < 2; st++) {
		struct pdu_kv_seen by_row, by_name;
		struct pdu_error e1, e2;
		pdu_kv_seen_init(&by_row);
		pdu_kv_seen_init(&by_name);
		int dups = 0;
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < n; i++) {
				int a = pdu_kv_seen_add_pair(&by_row, &pairs[i],
							     st, &e1);
				int b = pdu_kv_seen_add(&by_name, pairs[i].key,
							pairs[i].offset, st,
							&e2);
				assert_int_equal(a, b);
				if (a == PDU_KV_E_DUPLICATE) {
					assert_string_equal(e1.msg, e2.msg);
					assert_int_equal(e1.offset, e2.offset);
					dups++;
				}
			}
			/* a new negotiation: nothing was sent in it yet */
			pdu_kv_seen_clear(&by_row);
			pdu_kv_seen_clear(&by_name);
		}
		/* HeaderDigest, X-vendor.a, Unknown, X#NodeArchitecture,
		 * iSCSIProtocolLevel again, and TargetName outside a
		 * SendTargets answer */
		assert_int_equal(dups, st ? 2 * 5 : 2 * 6);
		pdu_kv_seen_free(&by_row);
		pdu_kv_seen_free(&by_name);
	}
	pdu_kv_free(&p);
}

/* Applying by row does what applying by name does, for every row and a
 * spread of values (good, bad, reserved). */
static void test_params_by_row(void **state)
{
	(void)state;
	static const char *const values[] = {
		"Yes", "No", "CRC32C", "None", "CRC32C,None", "Reject",
		"Irrelevant", "NotUnderstood", "0", "1", "2", "7", "512",
		"65536", "16777216", "0x10", "0b", "Discovery", "Normal",
		"FastAbort", "ResponseFence", "RFC3720", "bogus", "",
	};
	for (size_t i = 0; i < PDU_KEY_COUNT; i++) {
		const struct pdu_key_def *d = &pdu_key_table[i];
		for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
			for (int by_target = 0; by_target < 2; by_target++) {
				struct pdu_key_params a, b;
				struct pdu_error ea, eb;
				pdu_key_params_init(&a);
				pdu_key_params_init(&b);
				int ra = pdu_key_params_apply(&a, d->name,
							      values[v],
							      by_target, &ea);
				int rb = pdu_key_params_apply_def(&b, d,
								  values[v],
								  by_target,
								  &eb);
				assert_int_equal(ra, rb);
				assert_memory_equal(&a, &b, sizeof a);
				if (ra < 0)
					assert_string_equal(ea.msg, eb.msg);
			}
		}
	}
	struct pdu_key_params p, q;
	pdu_key_params_init(&p);
	q = p;
	assert_int_equal(pdu_key_params_apply_def(&p, NULL, "1", false, NULL),
			 0);
	assert_int_equal(pdu_key_params_apply_def(
				 &p, &pdu_key_table[PDU_KEY_ID_X_DASH], "1",
				 false, NULL), 0);
	assert_memory_equal(&p, &q, sizeof p);
	assert_int_equal(pdu_key_params_apply_def(&p, NULL, NULL, false, NULL),
			 PDU_E_INVALID);
	assert_int_equal(pdu_key_params_apply(&p, NULL, "1", false, NULL),
			 PDU_E_INVALID);
	/* by row, as by name: the direction of MaxRecvDataSegmentLength */
	const struct pdu_key_def *mrdsl =
		&pdu_key_table[PDU_KEY_ID_MAX_RECV_DATA_SEGMENT_LENGTH];
	assert_int_equal(pdu_key_params_apply_def(&p, mrdsl, "4096", true,
						  NULL), 1);
	assert_int_equal(p.mrdsl_target, 4096);
	assert_int_equal(p.mrdsl_initiator, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_seen_by_row),
		cmocka_unit_test(test_params_by_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
