/* target_wire.c — requests built and responses read for the target-side
 * protocol tests. See target_wire.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pdu/keys.h"
#include "pdu/validate.h"
#include "tests/support/target_wire.h"

size_t tw_text(uint8_t *text, size_t used, size_t cap,
	       const char *const *pairs)
{
	char key[PDU_KV_MAX_KEY_LEN + 8];

	for (size_t i = 0; pairs[i]; i++) {
		const char *eq = strchr(pairs[i], '=');
		assert_non_null(eq);
		size_t kl = (size_t)(eq - pairs[i]);
		assert_true(kl < sizeof(key));
		memcpy(key, pairs[i], kl);
		key[kl] = '\0';
		long n = pdu_kv_append(text, used, cap, key, eq + 1);
		assert_true(n > 0);
		used = (size_t)n;
	}
	return used;
}

void tw_login_hdr(struct pdu_hdr *h, uint8_t csg, uint8_t nsg, bool transit,
		  bool cont, uint16_t tsih, uint32_t itt, uint32_t cmdsn)
{
	static const uint8_t isid[6] = { 0x40, 0x00, 0x01, 0x37, 0x00, 0x00 };

	memset(h, 0, sizeof(*h));
	h->opcode = PDU_OP_LOGIN_REQ;
	h->immediate = true;
	h->csg = csg;
	h->nsg = transit ? nsg : 0;
	h->transit = transit;
	h->cont = cont;
	memcpy(h->isid, isid, sizeof(isid));
	h->tsih = tsih;
	h->cid = 1;
	h->itt = itt;
	h->cmdsn = cmdsn;
}

size_t tw_build(const struct pdu_hdr *h, const uint8_t *data, size_t len,
		uint8_t *out, size_t cap)
{
	struct pdu_digests none = { false, false };
	long n = pdu_build(h, NULL, 0, data, len, none, true, out, cap);

	assert_true(n > 0);
	return (size_t)n;
}

void tw_check_rsp(const uint8_t *rsp, size_t len, struct pdu_hdr *h)
{
	struct pdu_validate_ctx ctx = { .sender = PDU_SENDER_TARGET };
	struct pdu_violation items[8];
	struct pdu_violations out;

	assert_true(len >= PDU_BHS_LEN);
	pdu_violations_init(&out, items, 8);
	pdu_validate_buf(rsp, len, &ctx, &out);
	for (size_t i = 0; i < out.count; i++)
		fprintf(stderr, "violation %s at %s: %s\n", items[i].id,
			items[i].field, items[i].msg);
	assert_int_equal(out.total, 0);
	pdu_hdr_decode(rsp, h);
}

static const char *data_of(const uint8_t *rsp, size_t len, size_t *dlen)
{
	struct pdu_hdr h;

	pdu_hdr_decode(rsp, &h);
	assert_true(PDU_BHS_LEN + h.data_segment_len <= len);
	*dlen = h.data_segment_len;
	return (const char *)rsp + PDU_BHS_LEN;
}

const char *tw_key(const uint8_t *rsp, size_t len, const char *key)
{
	static char value[2048];
	size_t dlen, kl = strlen(key);
	const char *d = data_of(rsp, len, &dlen);

	for (size_t i = 0; i < dlen; i += strlen(d + i) + 1) {
		if (strncmp(d + i, key, kl) == 0 && d[i + kl] == '=') {
			snprintf(value, sizeof(value), "%s", d + i + kl + 1);
			return value;
		}
	}
	return NULL;
}

size_t tw_key_count(const uint8_t *rsp, size_t len)
{
	size_t dlen, n = 0;
	const char *d = data_of(rsp, len, &dlen);

	for (size_t i = 0; i < dlen; i += strlen(d + i) + 1)
		n++;
	return n;
}
