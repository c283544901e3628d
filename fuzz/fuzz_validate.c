/* fuzz_validate.c — libFuzzer harness for pdu/validate.c. The first input
 * byte chooses the digests in force (bits 0-1) and the sender (bits 2-3);
 * the rest is taken as one PDU and validated under several contexts (none
 * known, small negotiated values, large ones). Every report must keep its
 * invariants, and when pdu_parse() frames the bytes as exactly one PDU,
 * pdu_validate_view() must report what pdu_validate_buf() reports. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdu/pdu.h"
#include "pdu/validate.h"

#define MAXV 48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void check_report(const struct pdu_violations *out)
{
	size_t n_ids;
	const char *const *ids = pdu_validate_rule_ids(&n_ids);
	require(out->count <= out->cap);
	require(out->count <= out->total);
	require(out->truncated == (out->total > out->count));
	for (size_t i = 0; i < out->count; i++) {
		const struct pdu_violation *v = &out->items[i];
		int known = 0;
		for (size_t k = 0; k < n_ids; k++)
			known |= v->id == ids[k];
		require(known);
		require(v->field != NULL && v->field[0] != '\0');
		require(memchr(v->msg, '\0', sizeof v->msg) != NULL);
		require(v->msg[0] != '\0');
		require(v->severity == pdu_validate_rule_severity(v->id));
		/* no offset past the largest PDU the length fields allow */
		require(v->offset < PDU_BHS_LEN + PDU_MAX_AHS_LEN + 8 +
					    PDU_MAX_DSL + 3 + 4);
	}
}

static void same_report(const struct pdu_violations *a,
			const struct pdu_violations *b)
{
	require(a->total == b->total);
	require(a->count == b->count);
	for (size_t i = 0; i < a->count; i++) {
		require(strcmp(a->items[i].id, b->items[i].id) == 0);
		require(strcmp(a->items[i].field, b->items[i].field) == 0);
		require(a->items[i].offset == b->items[i].offset);
		require(a->items[i].actual == b->items[i].actual);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	const uint8_t *pdu = data + 1;
	size_t len = size - 1;

	struct pdu_validate_ctx ctxs[4];
	memset(ctxs, 0, sizeof ctxs);
	for (size_t i = 0; i < 4; i++) {
		ctxs[i].digests.header = mode & 1;
		ctxs[i].digests.data = (mode >> 1) & 1;
		ctxs[i].sender = (enum pdu_sender)(((mode >> 2) & 3) % 3);
	}
	/* [0] nothing known; [1] ERL 0, small limits; [2] ERL 1; [3] ERL 2,
	 * the largest limits */
	ctxs[1].erl = (struct pdu_known){ true, 0 };
	ctxs[1].max_burst_length = (struct pdu_known){ true, 512 };
	ctxs[1].max_recv_dsl = (struct pdu_known){ true, 512 };
	ctxs[2].erl = (struct pdu_known){ true, 1 };
	ctxs[2].max_burst_length = (struct pdu_known){ true, 262144 };
	ctxs[2].max_recv_dsl = (struct pdu_known){ true, 8192 };
	ctxs[3].erl = (struct pdu_known){ true, 2 };
	ctxs[3].max_burst_length = (struct pdu_known){ true, 0xffffff };
	ctxs[3].max_recv_dsl = (struct pdu_known){ true, 0xffffff };

	struct pdu_violation items[MAXV], items2[MAXV], one[1];
	struct pdu_violations out, out2;
	for (size_t i = 0; i < 4; i++) {
		pdu_violations_init(&out, items, MAXV);
		size_t total = pdu_validate_buf(pdu, len, &ctxs[i], &out);
		require(total == out.total);
		check_report(&out);

		/* a one-slot array sees the same first violation and total */
		pdu_violations_init(&out2, one, 1);
		require(pdu_validate_buf(pdu, len, &ctxs[i], &out2) == total);
		check_report(&out2);
		if (total > 0)
			require(strcmp(one[0].id, items[0].id) == 0 &&
				one[0].offset == items[0].offset);
	}

	/* the view of a PDU framed by pdu_parse() gets the same report as its
	 * bytes */
	struct pdu_view v;
	struct pdu_error err;
	int rc = pdu_parse(pdu, len, ctxs[0].digests, &v, &err);
	if (rc == PDU_OK || rc == PDU_E_HEADER_DIGEST ||
	    rc == PDU_E_DATA_DIGEST || rc == PDU_E_AHS) {
		for (size_t i = 0; i < 4; i++) {
			pdu_violations_init(&out, items, MAXV);
			pdu_validate_buf(pdu, v.len, &ctxs[i], &out);
			pdu_violations_init(&out2, items2, MAXV);
			pdu_validate_view(&v, &ctxs[i], &out2);
			check_report(&out2);
			same_report(&out, &out2);
			if (rc != PDU_OK)
				require(out.total > 0);
		}
		pdu_violations_init(&out2, items2, MAXV);
		pdu_validate_view(&v, NULL, &out2);
		check_report(&out2);
	}
	return 0;
}
