/* login_target.c — the target side of one connection's login (RFC 7143
 * §6, §11.12-11.13, §13): request checks, the identity and bind, stages
 * and transitions, operational keys answered from the target's own
 * values, long requests (C=1) and long responses cut with C=1. The
 * security stage is login_security.c's. See login_target.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/kv_out.h"
#include "harness/proto/login_security.h"
#include "harness/proto/login_target.h"

/* Login status codes (RFC 7143 §11.13.5). */
#define ST_INITIATOR_ERROR 0x0200
#define ST_TARGET_NOT_FOUND 0x0203
#define ST_NO_VERSION 0x0205
#define ST_MISSING_PARAMETER 0x0207
#define ST_TARGET_ERROR 0x0300

/* LOGIN-018: every receiver takes 8192 bytes; the initiator's declared
 * MaxRecvDataSegmentLength takes effect in Full Feature Phase, so login
 * responses are cut at the default. */
#define LOGIN_MAX_CHUNK PDU_KV_MIN_SEQ

/* One key=value of a request sequence, copied out of the parser. */
struct req_pair {
	char *key, *value;
};

struct login_target {
	const struct login_target_cfg *cfg;
	struct login_security *sec;
	struct login_identity id;
	struct login_bind bind;
	struct pdu_key_params params;
	struct pdu_kv_parser parser;
	struct pdu_kv_seen seen;   /* LOGIN-024: keys the initiator sent */
	struct kv_out resp;        /* the response text being sent */
	uint32_t statsn, expstatsn;
	uint8_t stage;             /* the CSG the next request carries */
	bool started;              /* the first PDU was read */
	bool identified;           /* the first request sequence was read */
	bool declared_tpgt, declared_mrdsl;
	bool over;                 /* done or failed: nothing more taken */
	/* The decision carried by the last chunk of a long response. */
	bool final_transit;
	uint8_t final_nsg;
	int final_step;
	char error[320];
};

static void seterr(struct login_target *lt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(struct login_target *lt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lt->error, sizeof(lt->error), fmt, ap);
	va_end(ap);
}

/* A pdu/keys error as the login's error: the catalogue ID its message
 * starts with (else fallback), the pair when given, and the reason. */
static void kv_error(struct login_target *lt, const char *fallback,
		     const struct req_pair *p, const struct pdu_error *err)
{
	const char *msg = err->msg, *id = fallback;
	size_t n = strcspn(msg, ":");
	char own_id[16];

	if (strncmp(msg, "LOGIN-", 6) == 0 && n < sizeof(own_id) &&
	    msg[n] == ':') {
		memcpy(own_id, msg, n);
		own_id[n] = '\0';
		id = own_id;
		msg += n + 1 + (msg[n + 1] == ' ');
	}
	if (p)
		seterr(lt, "%s: %s=%s: %s", id, p->key, p->value, msg);
	else
		seterr(lt, "%s: %s", id, msg);
}

struct login_target *login_target_create(const struct login_target_cfg *cfg,
					 uint32_t initial_statsn)
{
	struct login_target *lt = calloc(1, sizeof(*lt));

	if (!lt)
		return NULL;
	lt->sec = login_security_create(cfg->chap, cfg->rand_bytes, cfg->ctx);
	if (!lt->sec) {
		free(lt);
		return NULL;
	}
	lt->cfg = cfg;
	lt->statsn = initial_statsn;
	pdu_key_params_init(&lt->params);
	pdu_kv_init(&lt->parser, 0);
	pdu_kv_seen_init(&lt->seen);
	kv_out_init(&lt->resp);
	return lt;
}

void login_target_free(struct login_target *lt)
{
	if (!lt)
		return;
	login_security_free(lt->sec);
	pdu_kv_free(&lt->parser);
	pdu_kv_seen_free(&lt->seen);
	kv_out_free(&lt->resp);
	free(lt);
}

const struct pdu_key_params *login_target_params(const struct login_target *lt)
{
	return &lt->params;
}

const struct login_identity *login_target_identity(const struct login_target *lt)
{
	return &lt->id;
}

uint32_t login_target_next_statsn(const struct login_target *lt)
{
	return lt->statsn;
}

uint32_t login_target_expstatsn(const struct login_target *lt)
{
	return lt->expstatsn;
}

const char *login_target_error(const struct login_target *lt)
{
	return lt->error;
}

/* ---- responses ---------------------------------------------------------- */

/* What one Login Response says besides its data. */
struct rsp_flags {
	uint16_t status;
	bool transit, cont;
	uint8_t nsg;
	uint16_t tsih;
};

static int build_rsp(struct login_target *lt, const struct pdu_hdr *req,
		     const struct rsp_flags *f, const uint8_t *data,
		     size_t data_len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct pdu_hdr h;
	struct pdu_digests none = { false, false };
	long n;

	memset(&h, 0, sizeof(h));
	h.opcode = PDU_OP_LOGIN_RSP;
	h.transit = f->transit;
	h.cont = f->cont;
	/* LOGIN-004: CSG echoes the request's; NSG means something only
	 * with T=1. */
	h.csg = req->csg;
	h.nsg = f->transit ? f->nsg : 0;
	h.version_max = 0;      /* LOGIN-007 */
	h.version_active = 0;
	memcpy(h.isid, req->isid, sizeof(h.isid));
	h.tsih = f->tsih;
	h.itt = req->itt;
	/* LOGIN-011: the connection's StatSN, one more per response. */
	h.statsn = lt->statsn++;
	lt->cfg->window(lt->cfg->ctx, req->cmdsn, &h.expcmdsn, &h.maxcmdsn);
	h.status_class = (uint8_t)(f->status >> 8);
	h.status_detail = (uint8_t)(f->status & 0xff);
	n = pdu_build(&h, NULL, 0, data, data_len, none, true, out, cap);
	if (n < 0) {
		seterr(lt, "Login Response of %zu data bytes does not fit in "
		       "%zu bytes", data_len, cap);
		*out_len = 0;
		lt->over = true;
		return LOGIN_PROTOCOL;
	}
	*out_len = (size_t)n;
	return LOGIN_CONTINUE;
}

/* LOGIN-012, LOGIN-025: a failure response (T=0, no data), then close. */
static int fail_rsp(struct login_target *lt, const struct pdu_hdr *req,
		    uint16_t status, uint8_t *out, size_t cap, size_t *out_len)
{
	struct rsp_flags f = { .status = status, .tsih = req->tsih };
	int rc = build_rsp(lt, req, &f, NULL, 0, out, cap, out_len);

	lt->over = true;
	return rc == LOGIN_CONTINUE ? LOGIN_FAILED : rc;
}

/* The next chunk of lt->resp; the last one carries the decision. */
static int send_chunk(struct login_target *lt, const struct pdu_hdr *req,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	struct rsp_flags f = { .tsih = req->tsih };
	size_t max = cap > PDU_BHS_LEN ? (cap - PDU_BHS_LEN) & ~(size_t)3 : 0;
	size_t off, len;
	bool more;
	int rc;

	if (max > LOGIN_MAX_CHUNK)
		max = LOGIN_MAX_CHUNK;
	if (max == 0) {
		seterr(lt, "output buffer of %zu bytes holds no Login Response",
		       cap);
		lt->over = true;
		return LOGIN_PROTOCOL;
	}
	kv_out_next_chunk(&lt->resp, max, &off, &len, &more);
	/* LOGIN-003: a response with C=1 has T=0. */
	f.cont = more;
	if (!more) {
		f.transit = lt->final_transit;
		f.nsg = lt->final_nsg;
		/* LOGIN-010: a new session's TSIH only in the final
		 * response; every other response echoes the request's. */
		if (lt->final_step == LOGIN_DONE)
			f.tsih = lt->bind.tsih;
	}
	rc = build_rsp(lt, req, &f, lt->resp.data ? lt->resp.data + off : NULL,
		       len, out, cap, out_len);
	if (rc != LOGIN_CONTINUE || more)
		return rc;
	if (lt->final_transit)
		lt->stage = lt->final_nsg;
	if (lt->final_step == LOGIN_DONE)
		lt->over = true;
	return lt->final_step;
}

/* ---- the first request: identity and bind ------------------------------ */

static const char *pair_value(const struct req_pair *pairs, size_t n,
			      const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pairs[i].key, key) == 0)
			return pairs[i].value;
	return NULL;
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n > PDU_KV_ISCSI_NAME_MAX)
		n = PDU_KV_ISCSI_NAME_MAX;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The parameters a connection starts from: a leading login's are the
 * defaults; a joining connection takes the session's and negotiates only
 * its own digests and MaxRecvDataSegmentLength. */
static void start_params(struct login_target *lt)
{
	struct pdu_key_params dflt;

	pdu_key_params_init(&dflt);
	if (!lt->bind.leading && lt->bind.session_params) {
		lt->params = *lt->bind.session_params;
		lt->params.digests = dflt.digests;
		lt->params.mrdsl_initiator = dflt.mrdsl_initiator;
		lt->params.mrdsl_target = dflt.mrdsl_target;
	} else {
		lt->params = dflt;
	}
	lt->params.discovery = lt->id.discovery;
}

static uint16_t identify(struct login_target *lt, const struct req_pair *pairs,
			 size_t n)
{
	const char *iname = pair_value(pairs, n, "InitiatorName");
	const char *tname = pair_value(pairs, n, "TargetName");
	const char *type = pair_value(pairs, n, "SessionType");
	struct pdu_error err;

	/* LOGIN-013, LOGIN-016: InitiatorName is required (0x0207). */
	if (!iname) {
		seterr(lt, "LOGIN-016: the first Login Request has no "
		       "InitiatorName (LOGIN-013)");
		return ST_MISSING_PARAMETER;
	}
	if (pdu_key_check_value(pdu_key_find("InitiatorName"), iname, &err)) {
		kv_error(lt, "LOGIN-013", NULL, &err);
		return ST_INITIATOR_ERROR;
	}
	/* SessionType defaults to Normal (§13.21). */
	if (type && strcmp(type, "Discovery") != 0 &&
	    strcmp(type, "Normal") != 0) {
		seterr(lt, "LOGIN-026: SessionType=%s is neither Discovery "
		       "nor Normal", type);
		return ST_INITIATOR_ERROR;
	}
	lt->id.discovery = type && strcmp(type, "Discovery") == 0;
	copy_name(lt->id.initiator_name, iname);
	if (!lt->id.discovery) {
		/* LOGIN-014, LOGIN-016: a normal session names its target. */
		if (!tname) {
			seterr(lt, "LOGIN-016: the first Login Request of a "
			       "normal session has no TargetName (LOGIN-014)");
			return ST_MISSING_PARAMETER;
		}
		if (strcmp(tname, lt->cfg->target_name) != 0) {
			seterr(lt, "LOGIN-014: TargetName=%s is not this "
			       "target (%s): 0x0203 not found", tname,
			       lt->cfg->target_name);
			return ST_TARGET_NOT_FOUND;
		}
		copy_name(lt->id.target_name, tname);
	}
	lt->bind.session_params = NULL;
	lt->cfg->bind(lt->cfg->ctx, &lt->id, &lt->bind);
	if (lt->bind.status) {
		seterr(lt, "LOGIN-009: the session layer refused %s ISID "
		       "%02x%02x%02x%02x%02x%02x TSIH %u CID %u: status 0x%04x",
		       lt->id.initiator_name, lt->id.isid[0], lt->id.isid[1],
		       lt->id.isid[2], lt->id.isid[3], lt->id.isid[4],
		       lt->id.isid[5], lt->id.tsih, lt->id.cid,
		       lt->bind.status);
		return lt->bind.status;
	}
	start_params(lt);
	lt->identified = true;
	return 0;
}

/* ---- keys --------------------------------------------------------------- */

/* The target's own value for a negotiated key, from cfg (NULL: the key's
 * default). */
static const char *own_value(const struct login_target *lt, const char *key,
			     char *buf, size_t cap)
{
	const struct login_target_cfg *c = lt->cfg;
	const struct { const char *key; uint32_t value; } nums[] = {
		{ "MaxConnections", c->max_connections },
		{ "MaxBurstLength", c->max_burst_length },
		{ "FirstBurstLength", c->first_burst_length },
		{ "MaxOutstandingR2T", c->max_outstanding_r2t },
		{ "DefaultTime2Wait", c->default_time2wait },
		{ "DefaultTime2Retain", c->default_time2retain },
		{ "ErrorRecoveryLevel", c->max_erl },
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(key, nums[i].key) == 0) {
			snprintf(buf, cap, "%u", nums[i].value);
			return buf;
		}
	}
	if (strcmp(key, "InitialR2T") == 0)
		return c->initial_r2t ? "Yes" : "No";
	if (strcmp(key, "ImmediateData") == 0)
		return c->immediate_data ? "Yes" : "No";
	if (strcmp(key, "HeaderDigest") == 0)
		return c->header_digest;
	if (strcmp(key, "DataDigest") == 0)
		return c->data_digest;
	return NULL;
}

/* One operational (or unknown) key offered or declared by the initiator. */
static uint16_t answer_key(struct login_target *lt, const struct req_pair *p)
{
	const struct pdu_key_def *def = pdu_key_find(p->key);
	struct pdu_key_ctx ctx = {
		.discovery = lt->params.discovery,
		.no_unsolicited = lt->params.initial_r2t &&
				  !lt->params.immediate_data,
	};
	char own[24], ans[PDU_KV_MAX_SIMPLE_VALUE + 1];
	struct pdu_error err;
	int rc;

	if (def && def->result == PDU_KEY_RES_DECLARED) {
		/* MaxRecvDataSegmentLength is the only declaration a
		 * session parameter follows from (InitiatorAlias and the
		 * identity keys only inform). */
		if (strcmp(p->key, "MaxRecvDataSegmentLength") != 0)
			return 0;
		rc = pdu_key_params_apply(&lt->params, p->key, p->value,
					  false, &err);
		if (rc < 0) {
			/* LOGIN-028: LIO fails a declaration out of range
			 * as an initiator error. */
			kv_error(lt, "LOGIN-028", NULL, &err);
			return ST_INITIATOR_ERROR;
		}
		return 0;
	}
	/* LOGIN-020, LOGIN-021..023, LOGIN-035/036: the responder's answer
	 * (NotUnderstood for unknown keys, Reject for the obsolete ones and
	 * for an inadmissible offer, Irrelevant in a discovery session). */
	rc = pdu_key_respond(def, p->value,
			     own_value(lt, p->key, own, sizeof(own)), &ctx,
			     ans, sizeof(ans));
	if (rc < 0) {
		seterr(lt, "%s=%s: the target's own value is not valid",
		       p->key, p->value);
		return ST_TARGET_ERROR;
	}
	/* An optional answer (ImmediateData=No, InitialR2T=Yes, ...) is not
	 * sent, as LIO does not: the outcome is fixed by the offer. */
	if (rc == PDU_KEY_ANSWER_REQUIRED && !kv_out_add(&lt->resp, p->key, ans))
		return ST_TARGET_ERROR;
	/* The responder's answer is a valid outcome: it always applies. */
	if (rc != PDU_KEY_ANSWER_NONE)
		pdu_key_params_apply(&lt->params, p->key, ans, false, NULL);
	return 0;
}

/* The keys the target declares: TargetAlias and TargetPortalGroupTag in
 * the answer to the first request with C=0 (LOGIN-015; LIO also sends
 * the tag in discovery sessions and on connections joining a session),
 * and its MaxRecvDataSegmentLength once in the operational stage (LIO
 * declares it whether or not the initiator did). */
static bool declare(struct login_target *lt, uint8_t csg)
{
	const struct login_target_cfg *c = lt->cfg;

	if (!lt->declared_tpgt) {
		lt->declared_tpgt = true;
		if (c->target_alias && !lt->id.discovery &&
		    !kv_out_add(&lt->resp, "TargetAlias", c->target_alias))
			return false;
		if (!kv_out_add_num(&lt->resp, "TargetPortalGroupTag", c->tpgt))
			return false;
		lt->params.tpgt = c->tpgt;
	}
	if (csg == PDU_STAGE_OPERATIONAL && !lt->declared_mrdsl) {
		lt->declared_mrdsl = true;
		if (!kv_out_add_num(&lt->resp, "MaxRecvDataSegmentLength",
				    c->mrdsl))
			return false;
		lt->params.mrdsl_target = c->mrdsl;
	}
	return true;
}

/* InitiatorName and TargetName, read once by identify(). */
static bool is_name_key(const char *key)
{
	return strcmp(key, "InitiatorName") == 0 ||
	       strcmp(key, "TargetName") == 0;
}

static uint16_t use_error(struct login_target *lt, const struct req_pair *p,
			  int rc, const struct pdu_error *err)
{
	const char *rule = pdu_kv_rule(rc);

	kv_error(lt, rule ? rule : "RFC 7143 §13 (no catalogue row)", p,
		 err);
	/* LIO fails a key it may not take here as an initiator error. */
	return ST_INITIATOR_ERROR;
}

/* Answer a whole request sequence's keys into lt->resp. */
static uint16_t answer_keys(struct login_target *lt, const struct pdu_hdr *req,
			    const struct req_pair *pairs, size_t n)
{
	struct pdu_error err;
	uint16_t st;

	/* LIO refuses the operational stage to an initiator that has not
	 * authenticated when authentication is required (LOGIN-031). */
	if (req->csg == PDU_STAGE_OPERATIONAL && !login_security_done(lt->sec)) {
		seterr(lt, "LOGIN-031: CSG=1 before CHAP authentication, "
		       "which the target requires");
		return LOGIN_STATUS_AUTH_FAILED;
	}
	for (size_t i = 0; i < n; i++) {
		const struct req_pair *p = &pairs[i];
		const struct pdu_key_def *def = pdu_key_find(p->key);
		int rc;

		/* LOGIN-026 (leading only), sender and stage rules; the
		 * names were read by identify(). */
		if (!is_name_key(p->key)) {
			rc = pdu_key_check_use(def, false, req->csg,
					       lt->bind.leading, &err);
			if (rc != PDU_OK)
				return use_error(lt, p, rc, &err);
		}
		if (is_name_key(p->key) || strcmp(p->key, "SessionType") == 0)
			continue;
		if (login_security_handles(p->key)) {
			login_security_take(lt->sec, p->key, p->value);
			continue;
		}
		st = answer_key(lt, p);
		if (st)
			return st;
	}
	if (req->csg == PDU_STAGE_SECURITY) {
		st = login_security_answer(lt->sec, &lt->resp, lt->error,
					   sizeof(lt->error));
		if (st)
			return st;
	}
	return declare(lt, req->csg) ? 0 : ST_TARGET_ERROR;
}

/* Whether the target agrees to the transit the request asks for; a
 * failure status when the request may not leave its stage at all. */
static uint16_t decide_transit(struct login_target *lt,
			       const struct pdu_hdr *req, bool *transit)
{
	struct pdu_error err;

	/* LOGIN-005: the target transits only when asked (T=1). */
	*transit = false;
	if (!req->transit)
		return 0;
	if (req->csg == PDU_STAGE_SECURITY && !login_security_done(lt->sec)) {
		if (!login_security_begun(lt->sec)) {
			/* LOGIN-031: leaving the security stage without
			 * authenticating, as LIO refuses it. */
			seterr(lt, "LOGIN-031: T=1 NSG=%u without CHAP, which "
			       "the target requires", req->nsg);
			return LOGIN_STATUS_AUTH_FAILED;
		}
		return 0;  /* CHAP under way: answer T=0 */
	}
	if (req->nsg == PDU_STAGE_FULL_FEATURE &&
	    pdu_key_params_check(&lt->params, &err) != PDU_OK) {
		kv_error(lt, "LOGIN-028", NULL, &err);
		return ST_INITIATOR_ERROR;
	}
	*transit = true;
	return 0;
}

static void free_pairs(struct req_pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

/* Read every pair of the finished sequence; LOGIN-017 and LOGIN-024
 * failures are initiator errors, as LIO's text decoding fails them. */
static uint16_t read_pairs(struct login_target *lt, struct req_pair **out,
			   size_t *n_out)
{
	struct req_pair *pairs = NULL;
	size_t n = 0, cap = 0;
	struct pdu_kv_pair kv;
	struct pdu_error err;
	int rc;

	while ((rc = pdu_kv_next(&lt->parser, &kv, &err)) != 0) {
		if (rc > 0)
			rc = pdu_kv_seen_add(&lt->seen, kv.key, kv.offset,
					     false, &err);
		if (rc < 0) {
			kv_error(lt, "LOGIN-017", NULL, &err);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			struct req_pair *p = realloc(pairs, cap * sizeof(*p));
			if (!p)
				goto fail;
			pairs = p;
		}
		pairs[n].key = strdup(kv.key);
		pairs[n].value = strdup(kv.value);
		n++;
		if (!pairs[n - 1].key || !pairs[n - 1].value)
			goto fail;
	}
	*out = pairs;
	*n_out = n;
	return 0;
fail:
	free_pairs(pairs, n);
	return ST_INITIATOR_ERROR;
}

/* A whole request sequence (the C=0 PDU has come): answer it. */
static int handle_sequence(struct login_target *lt, const struct pdu_hdr *req,
			   uint8_t *out, size_t cap, size_t *out_len)
{
	struct req_pair *pairs = NULL;
	size_t n = 0;
	bool transit = false;
	uint16_t st;

	kv_out_clear(&lt->resp);
	st = read_pairs(lt, &pairs, &n);
	if (!st && !lt->identified)
		st = identify(lt, pairs, n);
	if (!st)
		st = answer_keys(lt, req, pairs, n);
	free_pairs(pairs, n);
	pdu_kv_reset(&lt->parser);
	if (!st)
		st = decide_transit(lt, req, &transit);
	if (st)
		return fail_rsp(lt, req, st, out, cap, out_len);
	lt->final_transit = transit;
	lt->final_nsg = req->nsg;
	lt->final_step = transit && req->nsg == PDU_STAGE_FULL_FEATURE ?
			 LOGIN_DONE : LOGIN_CONTINUE;
	return send_chunk(lt, req, out, cap, out_len);
}

/* ---- one PDU ------------------------------------------------------------ */

/* The header rules of every Login Request; 0 or a failure status. */
static uint16_t check_request(struct login_target *lt, const struct pdu_hdr *h)
{
	/* LOGIN-002: C=1 with T=1 is an initiator error (LIO). */
	if (h->cont && h->transit) {
		seterr(lt, "LOGIN-002: Login Request with C=1 and T=1");
		return ST_INITIATOR_ERROR;
	}
	/* LOGIN-004: CSG is 0 or 1 in a request; NSG is 1 or 3 and beyond
	 * CSG when T=1. */
	if (h->csg != PDU_STAGE_SECURITY && h->csg != PDU_STAGE_OPERATIONAL) {
		seterr(lt, "LOGIN-004: CSG=%u in a Login Request", h->csg);
		return ST_INITIATOR_ERROR;
	}
	if (h->transit && (h->nsg == 2 || h->nsg <= h->csg)) {
		seterr(lt, "LOGIN-004: T=1 from CSG=%u to NSG=%u", h->csg,
		       h->nsg);
		return ST_INITIATOR_ERROR;
	}
	if (!lt->started) {
		/* LOGIN-007: the target speaks version 0 only. */
		if (h->version_min > 0) {
			seterr(lt, "LOGIN-007: Version-min %u, Version-max %u: "
			       "the target supports version 0 only",
			       h->version_min, h->version_max);
			return ST_NO_VERSION;
		}
		lt->started = true;
		lt->stage = h->csg;
		memcpy(lt->id.isid, h->isid, sizeof(h->isid));
		lt->id.tsih = h->tsih;
		lt->id.cid = h->cid;
		return 0;
	}
	if (memcmp(h->isid, lt->id.isid, sizeof(h->isid)) != 0 ||
	    h->tsih != lt->id.tsih || h->cid != lt->id.cid) {
		seterr(lt, "LOGIN-009: ISID, TSIH or CID changed during the "
		       "login (TSIH %u, CID %u)", h->tsih, h->cid);
		return ST_INITIATOR_ERROR;
	}
	if (h->csg != lt->stage) {
		seterr(lt, "LOGIN-004: CSG=%u but the login is in stage %u",
		       h->csg, lt->stage);
		return ST_INITIATOR_ERROR;
	}
	return 0;
}

int login_target_rx(struct login_target *lt, const uint8_t *pdu, size_t len,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	struct pdu_digests none = { false, false };
	struct pdu_view v;
	struct pdu_error err;
	struct pdu_hdr h;
	uint16_t st;

	*out_len = 0;
	if (lt->over) {
		seterr(lt, "LOGIN-012: a PDU after the login ended");
		return LOGIN_PROTOCOL;
	}
	if (len < PDU_BHS_LEN || pdu_parse(pdu, len, none, &v, &err) != PDU_OK) {
		seterr(lt, "RFC 7143 §6 (no catalogue row): not a whole "
		       "Login Request (%zu bytes)", len);
		lt->over = true;
		return LOGIN_PROTOCOL;
	}
	pdu_hdr_decode(pdu, &h);
	if (h.opcode != PDU_OP_LOGIN_REQ) {
		char name[24];
		/* Only Login Requests before Full Feature Phase (no
		 * catalogue row): LIO closes the connection without a
		 * response. */
		seterr(lt, "RFC 7143 §6 (no catalogue row): %s (opcode "
		       "0x%02x) during login, where only Login Requests go",
		       pdu_opcode_name(h.opcode, name), h.opcode);
		lt->over = true;
		return LOGIN_PROTOCOL;
	}
	lt->expstatsn = h.expstatsn;
	st = check_request(lt, &h);
	if (st)
		return fail_rsp(lt, &h, st, out, cap, out_len);
	if (kv_out_pending(&lt->resp)) {
		/* LOGIN-018: the initiator fetches the rest of a long
		 * response with empty requests. */
		if (v.data_len != 0 || h.cont) {
			seterr(lt, "LOGIN-018: a request with %zu data bytes "
			       "(C=%d) while the response continues",
			       v.data_len, h.cont);
			return fail_rsp(lt, &h, ST_INITIATOR_ERROR, out, cap,
					out_len);
		}
		return send_chunk(lt, &h, out, cap, out_len);
	}
	if (pdu_kv_feed(&lt->parser, v.data, v.data_len, h.cont, &err) !=
	    PDU_OK) {
		seterr(lt, "LOGIN-018: %s", err.msg);
		return fail_rsp(lt, &h, ST_INITIATOR_ERROR, out, cap, out_len);
	}
	if (h.cont) {
		/* LOGIN-018: an empty response (T=0) asks for the rest. */
		struct rsp_flags f = { .tsih = h.tsih };
		return build_rsp(lt, &h, &f, NULL, 0, out, cap, out_len);
	}
	return handle_sequence(lt, &h, out, cap, out_len);
}
