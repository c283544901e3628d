/* pdu.c — whole iSCSI PDUs (RFC 7143 §11.2): the BHS codec (through the
 * field registry), building a PDU with AHS, padding and digests, framing and
 * bounds-checked parsing of a received buffer, and the AHS list. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "pdu.h"

const uint8_t pdu_defined_opcodes[PDU_N_DEFINED_OPCODES] = {
	PDU_OP_NOP_OUT,    PDU_OP_SCSI_CMD,   PDU_OP_TMF_REQ,
	PDU_OP_LOGIN_REQ,  PDU_OP_TEXT_REQ,   PDU_OP_DATA_OUT,
	PDU_OP_LOGOUT_REQ, PDU_OP_SNACK_REQ,  PDU_OP_NOP_IN,
	PDU_OP_SCSI_RSP,   PDU_OP_TMF_RSP,    PDU_OP_LOGIN_RSP,
	PDU_OP_TEXT_RSP,   PDU_OP_DATA_IN,    PDU_OP_LOGOUT_RSP,
	PDU_OP_R2T,        PDU_OP_ASYNC_MSG,  PDU_OP_REJECT,
};

#define AHS_HEADER_LEN 3 /* AHSLength (2) and AHSType (1) */

/* ---- BHS ---------------------------------------------------------------- */

void pdu_hdr_encode(const struct pdu_hdr *h, uint8_t out[PDU_BHS_LEN])
{
	memset(out, 0, PDU_BHS_LEN);
	pdu_fields_encode(h, out);
}

void pdu_hdr_decode(const uint8_t in[PDU_BHS_LEN], struct pdu_hdr *h)
{
	memset(h, 0, sizeof *h);
	pdu_fields_decode(in, h);
}

bool pdu_opcode_is_initiator(uint8_t opcode)
{
	return opcode < 0x20;
}

bool pdu_opcode_is_defined(uint8_t opcode)
{
	for (size_t i = 0; i < PDU_N_DEFINED_OPCODES; i++) {
		if (pdu_defined_opcodes[i] == opcode)
			return true;
	}
	return false;
}

/* ---- layout ------------------------------------------------------------- */

/* Where each part of a PDU lies, from its BHS and the digests in force. */
struct layout {
	size_t ahs_len;     /* TotalAHSLength * 4 */
	size_t hd_off;      /* header digest, when present */
	size_t data_off;
	size_t data_len;    /* DataSegmentLength */
	size_t pad_len;
	size_t dd_len;      /* 4 when a data digest follows, else 0 */
	size_t dd_off;
	size_t total;
};

static uint32_t read_dsl(const uint8_t *bhs)
{
	return (uint32_t)bhs[5] << 16 | (uint32_t)bhs[6] << 8 | bhs[7];
}

static struct layout layout_of(const uint8_t *bhs, struct pdu_digests dg)
{
	struct layout l;
	l.ahs_len = (size_t)bhs[4] * 4;
	l.hd_off = PDU_BHS_LEN + l.ahs_len;
	l.data_off = l.hd_off + (dg.header ? PDU_DIGEST_LEN : 0);
	l.data_len = read_dsl(bhs);
	l.pad_len = pdu_pad_len(l.data_len);
	l.dd_off = l.data_off + l.data_len + l.pad_len;
	l.dd_len = dg.data && l.data_len > 0 ? PDU_DIGEST_LEN : 0;
	l.total = l.dd_off + l.dd_len;
	return l;
}

size_t pdu_wire_len(size_t ahs_len, size_t data_len, struct pdu_digests dg)
{
	size_t len = PDU_BHS_LEN + ahs_len + pdu_pad_len(ahs_len);
	if (dg.header)
		len += PDU_DIGEST_LEN;
	len += data_len + pdu_pad_len(data_len);
	if (dg.data && data_len > 0)
		len += PDU_DIGEST_LEN;
	return len;
}

/* ---- building ----------------------------------------------------------- */

static size_t put_padded(uint8_t *out, const uint8_t *src, size_t len)
{
	size_t pad = pdu_pad_len(len);
	if (len > 0)
		memcpy(out, src, len);
	memset(out + len, 0, pad);
	return len + pad;
}

long pdu_build(const struct pdu_hdr *h, const uint8_t *ahs, size_t ahs_len,
	       const uint8_t *data, size_t data_len, struct pdu_digests dg,
	       bool fix_lengths, uint8_t *out, size_t cap)
{
	if (!h || !out || (ahs_len > 0 && !ahs) || (data_len > 0 && !data))
		return PDU_E_INVALID;
	if (fix_lengths && (ahs_len > PDU_MAX_AHS_LEN || data_len > PDU_MAX_DSL))
		return PDU_E_INVALID;
	size_t total = pdu_wire_len(ahs_len, data_len, dg);
	if (total > cap || total > (size_t)LONG_MAX)
		return PDU_E_TOO_LONG;

	struct pdu_hdr wire = *h;
	if (fix_lengths) {
		wire.total_ahs_len = (uint8_t)((ahs_len + 3) / 4);
		wire.data_segment_len = (uint32_t)data_len;
	}
	pdu_hdr_encode(&wire, out);
	size_t pos = PDU_BHS_LEN + put_padded(out + PDU_BHS_LEN, ahs, ahs_len);
	if (dg.header) {
		pdu_put_digest(out + pos, pdu_crc32c(out, pos));
		pos += PDU_DIGEST_LEN;
	}
	size_t data_pos = pos;
	pos += put_padded(out + pos, data, data_len);
	if (dg.data && data_len > 0) {
		pdu_put_digest(out + pos,
			       pdu_crc32c(out + data_pos, pos - data_pos));
		pos += PDU_DIGEST_LEN;
	}
	return (long)pos;
}

/* ---- framing ------------------------------------------------------------ */

int pdu_frame_len(const uint8_t *buf, size_t len, struct pdu_digests dg,
		  size_t *need)
{
	if (!need || (!buf && len > 0))
		return PDU_E_INVALID;
	if (len < PDU_BHS_LEN) {
		*need = PDU_BHS_LEN;
		return PDU_E_TRUNCATED;
	}
	*need = layout_of(buf, dg).total;
	return len < *need ? PDU_E_TRUNCATED : PDU_OK;
}

/* ---- parsing ------------------------------------------------------------ */

/* Fill err (when there is one) and return code. */
static int __attribute__((format(printf, 5, 6)))
fail(struct pdu_error *err, int code, const char *field, size_t offset,
     const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		err->field = field;
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* The field a BHS cut at byte len leaves incomplete: the first member
 * field of the opcode that does not lie wholly in the buffer; iscsi.opcode
 * when only reserved bytes are missing (its layout is what says 48). */
static const char *first_cut_field(const uint8_t *buf, size_t len)
{
	if (len == 0)
		return "iscsi.opcode";
	size_t count;
	const struct pdu_field *fields = pdu_fields(&count);
	const struct pdu_field *best = NULL;
	unsigned best_off = PDU_BHS_LEN;
	for (size_t i = 0; i < count; i++) {
		const struct pdu_field_loc *loc =
			pdu_field_loc(&fields[i], buf[0] & 0x3f);
		if (!loc || fields[i].hdr_offset == SIZE_MAX)
			continue;
		if ((size_t)loc->offset + loc->size > len &&
		    loc->offset < best_off) {
			best = &fields[i];
			best_off = loc->offset;
		}
	}
	return best ? best->name : "iscsi.opcode";
}

/* Every byte the layout names must be in the buffer. */
static int check_complete(const uint8_t *buf, size_t len,
			  const struct layout *l, struct pdu_digests dg,
			  struct pdu_error *err)
{
	if (len < PDU_BHS_LEN + l->ahs_len)
		return fail(err, PDU_E_TRUNCATED, "iscsi.totalahslength",
			    PDU_BHS_LEN,
			    "TotalAHSLength %u needs %zu bytes of AHS at offset "
			    "%d, buffer has %zu",
			    buf[4], l->ahs_len, PDU_BHS_LEN, len - PDU_BHS_LEN);
	if (dg.header && len < l->data_off)
		return fail(err, PDU_E_TRUNCATED, "iscsi.headerdigest32",
			    l->hd_off,
			    "HeaderDigest needs %d bytes at offset %zu, buffer "
			    "has %zu",
			    PDU_DIGEST_LEN, l->hd_off, len - l->hd_off);
	if (len < l->dd_off)
		return fail(err, PDU_E_TRUNCATED, "iscsi.datasegmentlength",
			    l->data_off,
			    "DataSegmentLength %zu needs %zu%s bytes after the "
			    "header at offset %zu, buffer has %zu",
			    l->data_len, l->data_len + l->pad_len,
			    l->dd_len > 0 ? "+4" : "", l->data_off,
			    len - l->data_off);
	if (len < l->total)
		return fail(err, PDU_E_TRUNCATED, "iscsi.datadigest32",
			    l->dd_off,
			    "DataDigest needs %d bytes at offset %zu, buffer "
			    "has %zu",
			    PDU_DIGEST_LEN, l->dd_off, len - l->dd_off);
	return PDU_OK;
}

static void fill_view(const uint8_t *buf, const struct layout *l,
		      struct pdu_digests dg, struct pdu_view *v)
{
	v->bhs = buf;
	v->ahs = l->ahs_len > 0 ? buf + PDU_BHS_LEN : NULL;
	v->ahs_len = l->ahs_len;
	v->data = l->data_len > 0 ? buf + l->data_off : NULL;
	v->data_len = l->data_len;
	v->pad = l->pad_len > 0 ? buf + l->data_off + l->data_len : NULL;
	v->pad_len = l->pad_len;
	v->len = l->total;
	v->has_header_digest = dg.header;
	if (dg.header) {
		v->header_digest = pdu_get_digest(buf + l->hd_off);
		v->header_digest_ok =
			v->header_digest == pdu_crc32c(buf, l->hd_off);
	}
	v->has_data_digest = l->dd_len > 0;
	if (v->has_data_digest) {
		v->data_digest = pdu_get_digest(buf + l->dd_off);
		v->data_digest_ok =
			v->data_digest ==
			pdu_crc32c(buf + l->data_off, l->data_len + l->pad_len);
	}
}

static int check_ahs_list(const struct pdu_view *v, struct pdu_error *err)
{
	size_t pos = 0, payload_len;
	uint8_t type;
	const uint8_t *payload;
	int rc;
	while ((rc = pdu_ahs_next(v->ahs, v->ahs_len, &pos, &type, &payload,
				  &payload_len, err)) == 1)
		;
	if (rc < 0 && err)
		err->offset += PDU_BHS_LEN;
	return rc;
}

int pdu_parse(const uint8_t *buf, size_t len, struct pdu_digests dg,
	      struct pdu_view *v, struct pdu_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
	if (!v || (!buf && len > 0))
		return fail(err, PDU_E_INVALID, "iscsi.opcode", 0,
			    "no buffer or no view to fill");
	memset(v, 0, sizeof *v);
	if (len < PDU_BHS_LEN)
		return fail(err, PDU_E_TRUNCATED, first_cut_field(buf, len),
			    len, "BHS needs %d bytes, buffer has %zu",
			    PDU_BHS_LEN, len);

	struct layout l = layout_of(buf, dg);
	int rc = check_complete(buf, len, &l, dg, err);
	if (rc < 0)
		return rc;
	fill_view(buf, &l, dg, v);

	if (v->has_header_digest && !v->header_digest_ok)
		return fail(err, PDU_E_HEADER_DIGEST, "iscsi.headerdigest32",
			    l.hd_off,
			    "HeaderDigest 0x%08" PRIx32 " at offset %zu, "
			    "expected 0x%08" PRIx32 " over %zu bytes of BHS+AHS",
			    v->header_digest, l.hd_off,
			    pdu_crc32c(buf, l.hd_off), l.hd_off);
	rc = check_ahs_list(v, err);
	if (rc < 0)
		return rc;
	if (v->has_data_digest && !v->data_digest_ok)
		return fail(err, PDU_E_DATA_DIGEST, "iscsi.datadigest32",
			    l.dd_off,
			    "DataDigest 0x%08" PRIx32 " at offset %zu, expected "
			    "0x%08" PRIx32 " over %zu bytes of data+padding",
			    v->data_digest, l.dd_off,
			    pdu_crc32c(buf + l.data_off, l.data_len + l.pad_len),
			    l.data_len + l.pad_len);
	return PDU_OK;
}

/* ---- AHS ---------------------------------------------------------------- */

long pdu_ahs_append(uint8_t *ahs, size_t used, size_t cap, uint8_t type,
		    uint8_t specific, const uint8_t *payload, size_t payload_len)
{
	if (!ahs || (payload_len > 0 && !payload) || used > cap)
		return PDU_E_INVALID;
	if (payload_len >= 0xffff)
		return PDU_E_INVALID; /* AHSLength is 16 bits */
	size_t ahs_length = payload_len + 1; /* AHS-Specific byte included */
	size_t whole = AHS_HEADER_LEN + ahs_length;
	whole += pdu_pad_len(whole);
	if (whole > cap - used || used + whole > (size_t)LONG_MAX)
		return PDU_E_TOO_LONG;

	uint8_t *p = ahs + used;
	p[0] = (uint8_t)(ahs_length >> 8);
	p[1] = (uint8_t)ahs_length;
	p[2] = type;
	p[3] = specific;
	size_t end = AHS_HEADER_LEN + 1;
	if (payload_len > 0)
		memcpy(p + end, payload, payload_len);
	end += payload_len;
	memset(p + end, 0, whole - end);
	return (long)(used + whole);
}

int pdu_ahs_next(const uint8_t *ahs, size_t ahs_len, size_t *pos,
		 uint8_t *type, const uint8_t **payload, size_t *payload_len,
		 struct pdu_error *err)
{
	if (!pos || !type || !payload || !payload_len || (!ahs && ahs_len > 0))
		return fail(err, PDU_E_INVALID, "iscsi.ahs.length", 0,
			    "no AHS cursor or outputs");
	if (*pos >= ahs_len)
		return 0;
	size_t left = ahs_len - *pos;
	if (left < AHS_HEADER_LEN + 1)
		return fail(err, PDU_E_AHS, "iscsi.ahs.length", *pos,
			    "AHS at offset %zu needs at least %d bytes, %zu "
			    "left of TotalAHSLength",
			    *pos, AHS_HEADER_LEN + 1, left);
	const uint8_t *p = ahs + *pos;
	size_t ahs_length = (size_t)p[0] << 8 | p[1];
	size_t whole = AHS_HEADER_LEN + ahs_length;
	whole += pdu_pad_len(whole);
	if (whole > left)
		return fail(err, PDU_E_AHS, "iscsi.ahs.length", *pos,
			    "AHS at offset %zu: AHSLength %zu needs %zu bytes "
			    "with padding, %zu left of TotalAHSLength",
			    *pos, ahs_length, whole, left);
	*type = p[2];
	*payload = p + AHS_HEADER_LEN;
	*payload_len = ahs_length;
	*pos += whole;
	return 1;
}

bool pdu_is_numbered_response(const struct pdu_hdr *h)
{
	switch (h->opcode) {
	case PDU_OP_SCSI_RSP: case PDU_OP_TMF_RSP: case PDU_OP_LOGIN_RSP:
	case PDU_OP_TEXT_RSP: case PDU_OP_LOGOUT_RSP: case PDU_OP_REJECT:
	case PDU_OP_ASYNC_MSG:
		return true;
	case PDU_OP_DATA_IN:
		return h->status_present;
	case PDU_OP_NOP_IN:
		return h->itt != PDU_RESERVED_TAG;
	default:
		return false;
	}
}

bool pdu_takes_cmdsn(const struct pdu_hdr *h)
{
	switch (h->opcode) {
	case PDU_OP_SCSI_CMD: case PDU_OP_TMF_REQ: case PDU_OP_TEXT_REQ:
	case PDU_OP_LOGOUT_REQ:
		return !h->immediate;
	case PDU_OP_NOP_OUT:
		return !h->immediate && h->itt != PDU_RESERVED_TAG;
	default:
		return false;
	}
}

bool pdu_opcode_has_fixed_f(uint8_t opcode)
{
	switch (opcode) {
	case PDU_OP_NOP_OUT: case PDU_OP_TMF_REQ: case PDU_OP_LOGOUT_REQ:
	case PDU_OP_SNACK_REQ: case PDU_OP_NOP_IN: case PDU_OP_SCSI_RSP:
	case PDU_OP_TMF_RSP: case PDU_OP_LOGOUT_RSP: case PDU_OP_R2T:
	case PDU_OP_ASYNC_MSG: case PDU_OP_REJECT:
		return true;
	default:
		return false;
	}
}
