/* fuzz_pdu_decode.c — libFuzzer harness for the PDU decoder: frames and
 * parses the input as a stream of PDUs under one of the four digest
 * settings (the first input byte picks it), decodes every header, reads
 * every registry field of it, walks its AHS and names what it finds. Traps
 * when framing and parsing disagree or a decoded header does not survive
 * re-encoding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdu/fields.h"
#include "pdu/names.h"
#include "pdu/pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* decode(encode(decode(bhs))) == decode(bhs), field by field. */
static void check_header(const uint8_t *bhs)
{
	struct pdu_hdr h, again;
	uint8_t encoded[PDU_BHS_LEN];
	size_t count;
	const struct pdu_field *fields = pdu_fields(&count);

	pdu_hdr_decode(bhs, &h);
	pdu_hdr_encode(&h, encoded);
	pdu_hdr_decode(encoded, &again);
	for (size_t i = 0; i < count; i++) {
		uint64_t raw, a, b;
		if (pdu_field_get_raw(&fields[i], bhs, &raw) != PDU_OK)
			continue;
		check(pdu_field_get_hdr(&fields[i], &h, &a) == PDU_OK);
		check(pdu_field_get_hdr(&fields[i], &again, &b) == PDU_OK);
		check(a == b);
		if (fields[i].hdr_offset != SIZE_MAX)
			check(raw == a);
	}
	check(memcmp(h.isid, again.isid, sizeof h.isid) == 0);
	check(memcmp(h.cdb, again.cdb, sizeof h.cdb) == 0);

	char name[PDU_NAME_LEN];
	check(pdu_opcode_name(h.opcode, name)[0] != '\0');
	check(pdu_login_status_name(h.status_class, h.status_detail, name)[0]);
	check(pdu_reject_reason_name(h.reject_reason, name)[0] != '\0');
}

static void walk_ahs(const struct pdu_view *v)
{
	size_t pos = 0, payload_len;
	uint8_t type;
	const uint8_t *payload;
	struct pdu_error err;
	char name[PDU_NAME_LEN];
	int rc;
	while ((rc = pdu_ahs_next(v->ahs, v->ahs_len, &pos, &type, &payload,
				  &payload_len, &err)) == 1) {
		check(payload + payload_len <= v->ahs + v->ahs_len);
		check(pdu_ahs_type_name(type, name)[0] != '\0');
	}
	check(rc == 0 || rc == PDU_E_AHS);
}

static void parse_stream(const uint8_t *buf, size_t len, struct pdu_digests dg)
{
	size_t at = 0;
	while (at < len) {
		struct pdu_view v;
		struct pdu_error err;
		size_t need = 0;
		int rc = pdu_parse(buf + at, len - at, dg, &v, &err);
		int frame = pdu_frame_len(buf + at, len - at, dg, &need);
		check(err.code == rc && (rc == PDU_OK || err.field != NULL));
		check(pdu_strerror(rc)[0] != '\0');
		if (rc == PDU_E_TRUNCATED) {
			check(frame == PDU_E_TRUNCATED && need > len - at);
			return;
		}
		check(frame == PDU_OK && need == v.len);
		check(v.len >= PDU_BHS_LEN && v.len <= len - at);
		check(rc == PDU_OK || rc == PDU_E_HEADER_DIGEST ||
		      rc == PDU_E_DATA_DIGEST || rc == PDU_E_AHS);
		check_header(v.bhs);
		walk_ahs(&v);
		at += v.len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct pdu_digests dg = { .header = data[0] & 1, .data = data[0] & 2 };
	parse_stream(data + 1, size - 1, dg);
	return 0;
}
