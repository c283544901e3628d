/* text_target.c — the target's Text Request handling in Full Feature Phase:
 * the exchange (ITT, Target Transfer Tag, C and F bits), SendTargets and
 * the keys allowed after login. See text_target.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/kv_out.h"
#include "harness/proto/text_target.h"

struct text_target {
	const struct login_target_cfg *cfg;
	bool discovery;
	struct pdu_key_params params;  /* in force */
	struct pdu_key_params staged;  /* this exchange's outcome */
	struct pdu_kv_parser parser;
	struct pdu_kv_seen seen;       /* LOGIN-024 within one exchange */
	struct kv_out resp;
	bool active;                   /* an exchange is under way */
	uint32_t itt;                  /* its ITT */
	uint32_t ttt;                  /* the TTT of our last F=0 response */
	uint32_t next_ttt;
	bool req_final;                /* the request being answered had F=1 */
	char error[256];
};

static void seterr(struct text_target *tt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(struct text_target *tt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tt->error, sizeof(tt->error), fmt, ap);
	va_end(ap);
}

struct text_target *text_target_create(const struct login_target_cfg *cfg,
				       bool discovery,
				       const struct pdu_key_params *params)
{
	struct text_target *tt = calloc(1, sizeof(*tt));

	if (!tt)
		return NULL;
	tt->cfg = cfg;
	tt->discovery = discovery;
	tt->params = *params;
	tt->next_ttt = 1;
	pdu_kv_init(&tt->parser, 0);
	pdu_kv_seen_init(&tt->seen);
	kv_out_init(&tt->resp);
	return tt;
}

void text_target_free(struct text_target *tt)
{
	if (!tt)
		return;
	pdu_kv_free(&tt->parser);
	pdu_kv_seen_free(&tt->seen);
	kv_out_free(&tt->resp);
	free(tt);
}

const struct pdu_key_params *text_target_params(const struct text_target *tt)
{
	return &tt->params;
}

const char *text_target_error(const struct text_target *tt)
{
	return tt->error;
}

/* A fresh exchange: nothing received, nothing pending, nothing staged. */
static void reset_exchange(struct text_target *tt)
{
	tt->active = false;
	pdu_kv_reset(&tt->parser);
	pdu_kv_seen_free(&tt->seen);
	kv_out_clear(&tt->resp);
	tt->staged = tt->params;
}

/* TEXT-004: a TTT for an F=0 response, never the reserved tag. */
static uint32_t new_ttt(struct text_target *tt)
{
	if (tt->next_ttt == PDU_RESERVED_TAG)
		tt->next_ttt = 1;
	tt->ttt = tt->next_ttt++;
	return tt->ttt;
}

/* The numbers the session layer supplies for one response. */
struct rsp_numbers {
	uint32_t statsn, expcmdsn, maxcmdsn;
};

static int build_rsp(struct text_target *tt, const struct pdu_hdr *req,
		     const struct rsp_numbers *num, bool final, bool cont,
		     const uint8_t *data, size_t len, uint8_t *out, size_t cap,
		     size_t *out_len)
{
	struct pdu_digests none = { false, false };
	struct pdu_hdr h;
	long n;

	memset(&h, 0, sizeof(h));
	h.opcode = PDU_OP_TEXT_RSP;
	/* TEXT-002: C=1 only with F=0. TEXT-004: F=1 carries the reserved
	 * TTT, F=0 a real one. */
	h.final = final;
	h.cont = cont;
	h.ttt = final ? PDU_RESERVED_TAG : new_ttt(tt);
	/* TEXT-007: a response with a real TTT carries a valid LUN: the
	 * request's, as LIO echoes it. */
	h.lun = req->lun;
	h.itt = req->itt;
	h.statsn = num->statsn;
	h.expcmdsn = num->expcmdsn;
	h.maxcmdsn = num->maxcmdsn;
	n = pdu_build(&h, NULL, 0, data, len, none, true, out, cap);
	if (n < 0) {
		seterr(tt, "Text Response of %zu data bytes does not fit in "
		       "%zu bytes", len, cap);
		return TEXT_REJECT;
	}
	*out_len = (size_t)n;
	return TEXT_REPLY;
}

/* The next chunk of the answer; the last one ends the exchange. */
static int send_chunk(struct text_target *tt, const struct pdu_hdr *req,
		      const struct rsp_numbers *num, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	size_t max = cap > PDU_BHS_LEN ? (cap - PDU_BHS_LEN) & ~(size_t)3 : 0;
	size_t off, len;
	bool more;
	int rc;

	if (max > tt->params.mrdsl_initiator)
		max = tt->params.mrdsl_initiator;
	if (max == 0) {
		seterr(tt, "output buffer of %zu bytes holds no Text Response",
		       cap);
		return TEXT_REJECT;
	}
	kv_out_next_chunk(&tt->resp, max, &off, &len, &more);
	/* TEXT-005: a request with F=0 is never answered with F=1. */
	bool final = !more && tt->req_final;
	rc = build_rsp(tt, req, num, final, more,
		       tt->resp.data ? tt->resp.data + off : NULL, len, out,
		       cap, out_len);
	if (rc != TEXT_REPLY || more)
		return rc;
	/* TEXT-011: the outcome takes effect once the answer is whole. */
	tt->params = tt->staged;
	if (final)
		reset_exchange(tt);
	else
		kv_out_clear(&tt->resp);
	return TEXT_REPLY;
}

/* TEXT-009: a target's TargetName and its TargetAddress with the tag. */
static bool add_target(struct text_target *tt)
{
	char addr[300];

	snprintf(addr, sizeof(addr), "%s,%u", tt->cfg->target_address,
		 tt->cfg->tpgt);
	return kv_out_add(&tt->resp, "TargetName", tt->cfg->target_name) &&
	       kv_out_add(&tt->resp, "TargetAddress", addr);
}

static bool answer_sendtargets(struct text_target *tt, const char *value)
{
	if (strcmp(value, "All") == 0)
		/* TEXT-009: all targets in a discovery session; TEXT-010:
		 * not honoured in a normal one (an empty answer). */
		return !tt->discovery || add_target(tt);
	if (value[0] == '\0')
		/* TEXT-010: the session's own target in a normal session;
		 * a discovery session has none. */
		return tt->discovery || add_target(tt);
	/* A named target: itself when it is this one, else nothing. */
	return strcmp(value, tt->cfg->target_name) != 0 || add_target(tt);
}

/* One key of a Text Request; false when memory ran out. */
static bool answer_key(struct text_target *tt, const struct pdu_kv_pair *p)
{
	const struct pdu_key_def *def = pdu_key_find(p->key);
	char ans[PDU_KV_MAX_SIMPLE_VALUE + 1];
	struct pdu_error err;

	if (def && strcmp(def->name, "SendTargets") == 0)
		return answer_sendtargets(tt, p->value);
	/* Keys not allowed in Full Feature Phase (login-only, leading-only,
	 * target-only) are answered Reject. */
	if (def && !(def->flags & PDU_KEY_F_PATTERN) &&
	    pdu_key_check_use(def, false, PDU_STAGE_FULL_FEATURE, true,
			      &err) != PDU_OK)
		return kv_out_add(&tt->resp, p->key, "Reject");
	if (def && def->result == PDU_KEY_RES_DECLARED) {
		/* MaxRecvDataSegmentLength: the new limit on what the
		 * target sends, from the end of this exchange (TEXT-011);
		 * an inadmissible value is refused and changes nothing. */
		if (pdu_key_params_apply(&tt->staged, p->key, p->value, false,
					 &err) < 0)
			return kv_out_add(&tt->resp, p->key, "Reject");
		return true;
	}
	/* LOGIN-020: unknown and extension keys, NotUnderstood. */
	if (pdu_key_respond(def, p->value, NULL, NULL, ans, sizeof(ans)) ==
	    PDU_KEY_ANSWER_REQUIRED)
		return kv_out_add(&tt->resp, p->key, ans);
	return true;
}

/* The whole request text is in: answer every key. */
static int answer_request(struct text_target *tt)
{
	struct pdu_kv_pair p;
	struct pdu_error err;
	int rc;

	kv_out_clear(&tt->resp);
	while ((rc = pdu_kv_next(&tt->parser, &p, &err)) != 0) {
		if (rc > 0)
			rc = pdu_kv_seen_add(&tt->seen, p.key, p.offset, false,
					     &err);
		if (rc < 0) {
			/* err.msg names the catalogue ID (LOGIN-017,
			 * LOGIN-024, ...) when the error has one. */
			seterr(tt, "%s", err.msg);
			return TEXT_REJECT;
		}
		if (!answer_key(tt, &p)) {
			seterr(tt, "out of memory");
			return TEXT_REJECT;
		}
	}
	pdu_kv_reset(&tt->parser);
	pdu_kv_seen_free(&tt->seen);
	return TEXT_REPLY;
}

/* Where a request stands in the exchange; TEXT_REJECT when it cannot. */
static int place_request(struct text_target *tt, const struct pdu_hdr *h,
			 size_t data_len, bool *fetch)
{
	*fetch = false;
	/* TEXT-006: a TTT other than the reserved one continues an exchange
	 * under way, or is no one's. */
	if (!tt->active && h->ttt != PDU_RESERVED_TAG) {
		seterr(tt, "TEXT-006: TTT 0x%08x with no exchange under way",
		       h->ttt);
		return TEXT_REJECT;
	}
	/* A new ITT while an exchange is under way starts a new one; so
	 * does the reserved TTT (TEXT-006: start over). */
	if (!tt->active || h->itt != tt->itt || h->ttt == PDU_RESERVED_TAG) {
		reset_exchange(tt);
		tt->active = true;
		tt->itt = h->itt;
		return TEXT_REPLY;
	}
	/* TEXT-006: a continuation carries the TTT of our last response. */
	if (h->ttt != tt->ttt) {
		seterr(tt, "TEXT-006: TTT 0x%08x does not continue the "
		       "exchange (last TTT 0x%08x)", h->ttt, tt->ttt);
		return TEXT_REJECT;
	}
	if (kv_out_pending(&tt->resp)) {
		if (data_len != 0 || h->cont) {
			seterr(tt, "TEXT-006: a request with %zu data bytes "
			       "(C=%d) while the response continues",
			       data_len, h->cont);
			return TEXT_REJECT;
		}
		*fetch = true;
	}
	return TEXT_REPLY;
}

int text_target_rx(struct text_target *tt, const uint8_t *pdu, size_t len,
		   uint32_t statsn, uint32_t expcmdsn, uint32_t maxcmdsn,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	struct rsp_numbers num = { statsn, expcmdsn, maxcmdsn };
	struct pdu_digests none = { false, false };
	struct pdu_view v;
	struct pdu_error err;
	struct pdu_hdr h;
	bool fetch;

	*out_len = 0;
	tt->error[0] = '\0';
	if (len < PDU_BHS_LEN || pdu_parse(pdu, len, none, &v, &err) != PDU_OK) {
		seterr(tt, "not a whole PDU (%zu bytes)", len);
		return TEXT_REJECT;
	}
	pdu_hdr_decode(pdu, &h);
	if (h.opcode != PDU_OP_TEXT_REQ) {
		char name[24];
		seterr(tt, "%s is not a Text Request",
		       pdu_opcode_name(h.opcode, name));
		return TEXT_REJECT;
	}
	/* TEXT-002: C=1 only with F=0. */
	if (h.cont && h.final) {
		seterr(tt, "TEXT-002: Text Request with C=1 and F=1");
		return TEXT_REJECT;
	}
	if (place_request(tt, &h, v.data_len, &fetch) != TEXT_REPLY)
		return TEXT_REJECT;
	if (fetch)
		return send_chunk(tt, &h, &num, out, cap, out_len);
	if (pdu_kv_feed(&tt->parser, v.data, v.data_len, h.cont, &err) !=
	    PDU_OK) {
		seterr(tt, "LOGIN-018: %s", err.msg);
		reset_exchange(tt);
		return TEXT_REJECT;
	}
	if (h.cont)
		/* TEXT-008: an empty F=0 response asks for the rest. */
		return build_rsp(tt, &h, &num, false, false, NULL, 0, out, cap,
				 out_len);
	if (answer_request(tt) != TEXT_REPLY) {
		reset_exchange(tt);
		return TEXT_REJECT;
	}
	tt->req_final = h.final;
	return send_chunk(tt, &h, &num, out, cap, out_len);
}
