/* rules_login.c — the login family: the login phase as a capture shows it.
 * Stages and bits (T/C, CSG/NSG moving forward), TSIH rules of new and
 * added connections, the first StatSN, what follows a refusal, the
 * mandatory keys of the first Login Request and of the target's first
 * answer, the key=value text format, reserved values, every offer paired
 * with its answer across the PDUs of one login (C=1 continuations
 * included) and judged by pdu_key_negotiate(), repeated keys,
 * leading-only keys on added connections, digests, CHAP and redirection.
 *
 * LOGIN-001..004, -007 and -008 are also checked PDU by PDU by the pdu
 * family (the validator); this family adds the stage transitions of
 * LOGIN-004. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/check/family.h"
#include "pdu/serial.h"

static const struct chk_rule rules[] = {
	{ "LOGIN-001", "MUST", "every Login Request has the I bit set",
	  "no Login Request in the capture", 0 },
	{ "LOGIN-002", "MUST", "a Login Request with C=1 has T=0",
	  "no Login Request with C=1", 0 },
	{ "LOGIN-003", "MUST", "a Login Response with C=1 has T=0",
	  "no Login Response with C=1", 0 },
	{ "LOGIN-004", "MUST", "CSG/NSG are 0, 1 or 3; a response echoes the "
	  "request's CSG; T=1 moves forward to NSG, never back",
	  "no login in the capture", 0 },
	{ "LOGIN-005", "MUST", "the target sets T=1 only when the request had "
	  "T=1", "no Login Response to a Login Request in the capture", 0 },
	{ "LOGIN-007", "MUST", "Version-max/min/active are 0x00",
	  "no login in the capture", 0 },
	{ "LOGIN-008", "MUST", "the ISID type is never 11b",
	  "no Login Request in the capture", 0 },
	{ "LOGIN-009", "MUST", "an added connection logs in with the TSIH of "
	  "its session, the same in every Login Request of the login",
	  "no connection added to a session whose login is in the capture", 0 },
	{ "LOGIN-010", "MUST", "a new session's TSIH is non-zero in the "
	  "Final-Response only; other responses echo TSIH 0",
	  "no login of a new session in the capture", 0 },
	{ "LOGIN-011", "MUST", "the first Login Response's StatSN starts the "
	  "connection's StatSN; the next numbered response carries it + 1",
	  "no connection with its first Login Response and a numbered "
	  "response after it", 0 },
	{ "LOGIN-012", "MUST", "after a Login Response with Status-Class != 0 "
	  "no PDU follows on the connection and it is closed",
	  "no login was refused", 0 },
	{ "LOGIN-013", "MUST", "the first Login Request of every connection "
	  "carries InitiatorName", "no connection whose first Login Request "
	  "is in the capture", 0 },
	{ "LOGIN-014", "MUST", "the first Login Request of a normal session's "
	  "connection carries TargetName", "no connection of a normal "
	  "session whose first Login Request is in the capture", 0 },
	{ "LOGIN-015", "MUST", "in a normal session the target's answer to the "
	  "first Login Request carries TargetPortalGroupTag",
	  "no accepted first Login Request of a normal session", 0 },
	{ "LOGIN-017", "MUST", "key=value text: every pair ends with one 0x00, "
	  "names <= 63 bytes, values within their limits",
	  "no login or text key=value data", 0 },
	{ "LOGIN-019", "MUST", "None/Reject/Irrelevant/NotUnderstood only as "
	  "answers as defined", "no negotiated key", 0 },
	{ "LOGIN-021", "MUST", "a list answer is the first offered value the "
	  "responder supports, or Reject", "no list-valued key negotiated", 0 },
	{ "LOGIN-022", "MUST", "a numeric answer is in range and obeys "
	  "Minimum/Maximum", "no numeric key negotiated", 0 },
	{ "LOGIN-023", "MUST", "a Boolean answer and outcome follow AND/OR",
	  "no Boolean key negotiated", 0 },
	{ "LOGIN-024", "MUST", "a key is sent at most once per login or "
	  "negotiation, and a repeat ends the login",
	  "no login or text negotiation", 0 },
	{ "LOGIN-026", "MUST", "leading-only keys are not sent on a "
	  "connection added to a session", "no connection added to a session "
	  "with its login in the capture", 0 },
	{ "LOGIN-027", "MUST", "HeaderDigest/DataDigest negotiated from "
	  "{CRC32C, None}; a responder offered CRC32C first implements it",
	  "no digest negotiation", 0 },
	{ "LOGIN-028", "MUST", "operational keys in range with the right "
	  "result function; FirstBurstLength <= MaxBurstLength",
	  "no operational key negotiated", 0 },
	{ "LOGIN-029", "MUST", "iSCSIProtocolLevel 0-31, result Minimum",
	  "iSCSIProtocolLevel was not negotiated", 0 },
	{ "LOGIN-030", "MUST", "AuthMethod=CHAP: CHAP_A from the offer (MD5 "
	  "supported), then CHAP_I/CHAP_C, answered by CHAP_N/CHAP_R",
	  "no CHAP authentication", 0 },
	{ "LOGIN-033", "MUST", "mutual CHAP: the initiator's challenge differs "
	  "from the target's, and an echoed challenge ends the login",
	  "no mutual CHAP", 0 },
	{ "LOGIN-034", "MUST", "a redirection (Status-Class 1, 0x0101/0x0102) "
	  "carries at least one TargetAddress, without a portal group tag",
	  "no redirection", 0 },
	{ "LOGIN-035", "MUST", "an obsolete marker key is never answered "
	  "NotUnderstood; IFMarkInt/OFMarkInt are answered Reject",
	  "no obsolete marker key (IFMarker, OFMarker, IFMarkInt, OFMarkInt) "
	  "offered", 0 },
	{ "LOGIN-036", "SHOULD", "IFMarker/OFMarker are answered Reject (No is "
	  "allowed and noted)", "no IFMarker or OFMarker offered", 0 },
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define F_KEY "iscsi.keyvalue"

struct lg_pdu {
	bool t, c;
	uint8_t csg, nsg;
	uint64_t frame;
};

struct lg_conn {
	bool have_req, have_rsp;
	struct lg_pdu req, rsp;
	bool stage_known;
	uint8_t next_csg;        /* the CSG the next request must carry */
	bool first_req_seen;
	uint16_t first_tsih;
	bool seq0_initiator, seq0_target;
	bool rsp0_judged, rsp0_tpgt;
	bool ta_in_rsp;          /* TargetAddress in the current response */
	bool ta_tagged;          /* ... one of them with a portal group tag */
	bool first_rsp_seen;     /* first Login Response (status 0) seen */
	uint32_t first_statsn;
	bool l011_judged;
	bool failed;             /* a refusal was sent */
	uint64_t fail_frame;
	bool l012_judged;
	bool repeat[2];          /* a side repeated a key in this login */
	uint64_t repeat_frame[2];
	bool lo_sent;            /* a leading-only key on an added connection */
	bool l026_judged;
	/* CHAP */
	bool chap;               /* AuthMethod=CHAP agreed */
	bool chap_judged;
	uint64_t t_chap_i, t_chap_c, i_chap_n, i_chap_r; /* frames, 0 = not */
	bool t_chap_seen_i, t_chap_seen_c, i_chap_seen_n, i_chap_seen_r;
	char *t_challenge;       /* the target's CHAP_C */
	bool echoed;             /* the initiator sent back that challenge */
	uint64_t echo_frame;
};

static void lg_conn_free(void *st)
{
	struct lg_conn *l = st;
	free(l->t_challenge);
}

static const char *side(enum ev_dir d)
{
	return d == EV_DIR_I2T ? "initiator" : "target";
}

/* Messages of pdu/keys.h start with their ID: the report shows it apart. */
static const char *no_id(const char *msg)
{
	const char *p = msg;
	while ((*p >= 'A' && *p <= 'Z') || *p == '-' || (*p >= '0' && *p <= '9'))
		p++;
	if (p > msg && p[0] == ':' && p[1] == ' ')
		return p + 2;
	return msg;
}

/* ---- PDUs ---------------------------------------------------------------- */

static void login_request(struct chk_ctx *c, struct lg_conn *l,
			  const struct pdu_hdr *h)
{
	uint64_t frame = c->ev ? c->ev->frame : 0;
	if (!l->first_req_seen) {
		l->first_req_seen = true;
		l->first_tsih = h->tsih;
		if (c->conn->login_from_start) {
			if (h->csg == PDU_STAGE_FULL_FEATURE)
				chk_fail(c, "LOGIN-004", "iscsi.login.csg",
					 "first Login Request ITT 0x%08x has "
					 "CSG 3; a login starts in stage 0 or 1",
					 h->itt);
			else
				chk_held(c, "LOGIN-004");
		}
	} else if (h->tsih != l->first_tsih) {
		chk_fail(c, "LOGIN-009", "iscsi.tsih",
			 "Login Request ITT 0x%08x carries TSIH 0x%04x; the "
			 "login began with TSIH 0x%04x", h->itt, h->tsih,
			 l->first_tsih);
	}
	if (l->stage_known) {
		if (h->csg != l->next_csg)
			chk_fail(c, "LOGIN-004", "iscsi.login.csg",
				 "Login Request ITT 0x%08x has CSG %u; after "
				 "the last Login Response the stage is %u",
				 h->itt, h->csg, l->next_csg);
		else
			chk_held(c, "LOGIN-004");
	}
	if (h->transit && h->nsg != 2 && h->nsg <= h->csg)
		chk_fail(c, "LOGIN-004", "iscsi.login.nsg",
			 "Login Request ITT 0x%08x has T=1 with NSG %u and CSG "
			 "%u; a transit goes forward", h->itt, h->nsg, h->csg);
	l->req = (struct lg_pdu){ h->transit, h->cont, h->csg, h->nsg, frame };
	l->have_req = true;
}

static void login_response(struct chk_ctx *c, struct lg_conn *l,
			   const struct pdu_hdr *h)
{
	uint64_t frame = c->ev ? c->ev->frame : 0;
	l->ta_in_rsp = l->ta_tagged = false;
	if (l->have_req) {
		if (h->transit && !l->req.t)
			chk_fail(c, "LOGIN-005", "iscsi.login.T",
				 "Login Response ITT 0x%08x has T=1; the Login "
				 "Request it answers (frame %llu) had T=0",
				 h->itt, (unsigned long long)l->req.frame);
		else
			chk_held(c, "LOGIN-005");
		if (h->status_class == 0) {
			if (h->csg != l->req.csg)
				chk_fail(c, "LOGIN-004", "iscsi.login.csg",
					 "Login Response ITT 0x%08x has CSG %u; "
					 "the request (frame %llu) was in stage "
					 "%u", h->itt, h->csg,
					 (unsigned long long)l->req.frame,
					 l->req.csg);
			else
				chk_held(c, "LOGIN-004");
		}
	}
	if (h->status_class == 0 && h->transit && h->nsg != 2 &&
	    h->nsg <= h->csg)
		chk_fail(c, "LOGIN-004", "iscsi.login.nsg",
			 "Login Response ITT 0x%08x has T=1 with NSG %u and "
			 "CSG %u; a transit goes forward", h->itt, h->nsg,
			 h->csg);
	/* the stage moves on a T=1 answer to a T=1 request (a continued
	 * response, or a transit nobody asked for, moves nothing) */
	if (h->status_class == 0 && !h->cont) {
		bool moves = h->transit && (!l->have_req || l->req.t);
		l->next_csg = moves ? h->nsg : h->csg;
		l->stage_known = true;
	}

	/* LOGIN-010: a new session's TSIH. */
	bool final = h->transit && h->nsg == PDU_STAGE_FULL_FEATURE &&
		     !h->cont && h->status_class == 0;
	if (l->first_req_seen && l->first_tsih == 0 && h->status_class == 0) {
		if (final && h->tsih == 0)
			chk_fail(c, "LOGIN-010", "iscsi.tsih",
				 "Final-Response ITT 0x%08x of a new session "
				 "has TSIH 0; it must carry the session's "
				 "non-zero TSIH", h->itt);
		else if (!final && h->tsih != 0)
			chk_fail(c, "LOGIN-010", "iscsi.tsih",
				 "Login Response ITT 0x%08x of a new session "
				 "has TSIH 0x%04x before the Final-Response; it "
				 "must echo the request's TSIH 0", h->itt,
				 h->tsih);
		else
			chk_held(c, "LOGIN-010");
	}

	/* LOGIN-011: remember the first StatSN. */
	if (!l->first_rsp_seen && h->status_class == 0 &&
	    c->conn->login_from_start) {
		l->first_rsp_seen = true;
		l->first_statsn = h->statsn;
	}
	if (h->status_class != 0) {
		l->failed = true;
		l->fail_frame = frame;
	}
	l->rsp = (struct lg_pdu){ h->transit, h->cont, h->csg, h->nsg, frame };
	l->have_rsp = true;
}

static void lg_on_pdu(struct chk_ctx *c, const struct chk_pdu *p)
{
	struct lg_conn *l = chk_cstate(c);
	const struct pdu_hdr *h = &p->h;

	if (l->failed && !l->l012_judged) {
		l->l012_judged = true;
		char opname[24];
		chk_fail(c, "LOGIN-012", NULL,
			 "%s from the %s after the login was refused at frame "
			 "%llu (Status-Class %u); nothing may follow",
			 pdu_opcode_name(p->opcode, opname), side(p->dir),
			 (unsigned long long)l->fail_frame,
			 c->conn->status_class);
	}
	if (p->dir == EV_DIR_T2I && p->numbered && l->first_rsp_seen &&
	    !l->l011_judged) {
		l->l011_judged = true;
		if (p->opcode == PDU_OP_LOGIN_RSP && h->status_class != 0)
			; /* a refusal's StatSN is not judged */
		else if (!chk_stream_ok(c->conn, EV_DIR_T2I))
			chk_unjudged(c, "LOGIN-011", "a gap in the target's "
				     "stream on connection %u", c->conn->id);
		else if (h->statsn != l->first_statsn + 1 &&
			 !(c->sess->numbered > c->conn->numbered_mark &&
			   h->statsn == l->first_statsn + 1 +
			   (uint32_t)(c->sess->numbered -
				      c->conn->numbered_mark)))
			/* (a session-wide StatSN counter is MCS-008's) */
			chk_fail(c, "LOGIN-011", "iscsi.statsn",
				 "the numbered response after the first Login "
				 "Response has StatSN %u; the first Login "
				 "Response's StatSN %u starts the sequence, so "
				 "%u was due", h->statsn, l->first_statsn,
				 l->first_statsn + 1);
		else
			chk_held(c, "LOGIN-011");
	}
	if (p->opcode == PDU_OP_LOGIN_REQ && p->dir == EV_DIR_I2T)
		login_request(c, l, h);
	else if (p->opcode == PDU_OP_LOGIN_RSP && p->dir == EV_DIR_T2I)
		login_response(c, l, h);
}

/* ---- keys ---------------------------------------------------------------- */

/* The row's rule is one a well-judged key holds: LOGIN-027 (digests),
 * LOGIN-028 (operational values) or LOGIN-029 (iSCSIProtocolLevel). */
static bool value_rule_held(const char *rule)
{
	return rule && strncmp(rule, "LOGIN-02", 8) == 0 &&
	       (rule[8] == '7' || rule[8] == '8' || rule[8] == '9') &&
	       rule[9] == '\0';
}

/* Rules a well-judged negotiation of this key held. */
static void key_held(struct chk_ctx *c, const struct chk_key *k)
{
	const struct pdu_key_def *d = k->def;
	chk_held(c, "LOGIN-019");
	if (!d)
		return;
	if (!k->originated) {
		switch (d->result) {
		case PDU_KEY_RES_FIRST: chk_held(c, "LOGIN-021"); break;
		case PDU_KEY_RES_MIN:
		case PDU_KEY_RES_MAX: chk_held(c, "LOGIN-022"); break;
		case PDU_KEY_RES_AND:
		case PDU_KEY_RES_OR: chk_held(c, "LOGIN-023"); break;
		default: break;
		}
	}
	if (value_rule_held(d->rule))
		chk_held(c, d->rule);
}

/* A responder offered CRC32C first implements it (LOGIN-027). */
static bool digest_support(struct chk_ctx *c, const struct chk_key *k)
{
	if (!k->answer || !k->offer || !k->value ||
	    !(pdu_key_is(k->def, PDU_KEY_ID_HEADER_DIGEST) ||
	      pdu_key_is(k->def, PDU_KEY_ID_DATA_DIGEST)))
		return true;
	if (strncmp(k->offer, "CRC32C", 6) != 0 ||
	    (k->offer[6] != ',' && k->offer[6] != '\0') ||
	    strcmp(k->value, "CRC32C") == 0)
		return true;
	chk_fail(c, "LOGIN-027", F_KEY,
		 "%s=%s (offered at frame %llu) answered %s by the %s: CRC32C "
		 "was offered first and every implementation supports it",
		 k->key, k->offer, (unsigned long long)k->offer_frame,
		 k->value, side(k->dir));
	return false;
}

/* CHAP_A answered with a value other than 5 while 5 was offered before it
 * (LOGIN-030: MD5 is supported by every CHAP implementation). */
static bool chap_a_md5(struct chk_ctx *c, const struct chk_key *k)
{
	if (!k->answer || !pdu_key_is(k->def, PDU_KEY_ID_CHAP_A) || !k->value ||
	    !k->offer ||
	    strcmp(k->value, "5") == 0)
		return true;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", k->offer);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, k->value) == 0)
			return true;
		if (strcmp(tok, "5") == 0) {
			chk_fail(c, "LOGIN-030", F_KEY,
				 "CHAP_A=%s answered %s: algorithm 5 (MD5) was "
				 "offered before it and every CHAP "
				 "implementation supports it", k->offer,
				 k->value);
			return false;
		}
	}
	return true;
}

static void chap_key(struct chk_ctx *c, struct lg_conn *l,
		     const struct chk_key *k)
{
	uint64_t frame = c->ev ? c->ev->frame : 0;
	if (pdu_key_is(k->def, PDU_KEY_ID_AUTH_METHOD) && k->outcome &&
	    k->outcome->status == PDU_KEY_AGREED && !k->originated)
		l->chap = strcmp(k->outcome->value, "CHAP") == 0;
	if (!k->value)
		return;
	if (k->dir == EV_DIR_T2I) {
		if (pdu_key_is(k->def, PDU_KEY_ID_CHAP_I)) {
			l->t_chap_seen_i = true;
			l->t_chap_i = frame;
		} else if (pdu_key_is(k->def, PDU_KEY_ID_CHAP_C)) {
			l->t_chap_seen_c = true;
			l->t_chap_c = frame;
			free(l->t_challenge);
			l->t_challenge = strdup(k->value);
		}
		return;
	}
	if (pdu_key_is(k->def, PDU_KEY_ID_CHAP_N)) {
		l->i_chap_seen_n = true;
		l->i_chap_n = frame;
	} else if (pdu_key_is(k->def, PDU_KEY_ID_CHAP_R)) {
		l->i_chap_seen_r = true;
		l->i_chap_r = frame;
	} else if (pdu_key_is(k->def, PDU_KEY_ID_CHAP_C) && l->t_challenge) {
		if (strcmp(k->value, l->t_challenge) == 0) {
			l->echoed = true;
			l->echo_frame = frame;
			chk_fail(c, "LOGIN-033", F_KEY,
				 "the initiator's CHAP_C is the challenge the "
				 "target sent it (%.40s%s)", k->value,
				 strlen(k->value) > 40 ? "..." : "");
		} else {
			chk_held(c, "LOGIN-033");
		}
	}
}

static void chap_stage_end(struct chk_ctx *c, struct lg_conn *l)
{
	if (!l->chap || l->chap_judged)
		return;
	l->chap_judged = true;
	const char *missing = !l->t_chap_seen_i ? "CHAP_I from the target"
			      : !l->t_chap_seen_c ? "CHAP_C from the target"
			      : !l->i_chap_seen_n ? "CHAP_N from the initiator"
			      : !l->i_chap_seen_r ? "CHAP_R from the initiator"
			      : NULL;
	if (missing)
		chk_fail(c, "LOGIN-030", F_KEY,
			 "AuthMethod=CHAP was agreed but the security stage "
			 "ended without %s", missing);
	else if (l->i_chap_r < l->t_chap_c || l->i_chap_n < l->t_chap_c)
		chk_fail(c, "LOGIN-030", F_KEY,
			 "the initiator sent CHAP_N/CHAP_R (frame %llu) before "
			 "the target's challenge (frame %llu)",
			 (unsigned long long)l->i_chap_r,
			 (unsigned long long)l->t_chap_c);
	else
		chk_held(c, "LOGIN-030");
}

/* The RFC 3720 marker keys RFC 7143 made obsolete (§13.25). */
static void obsolete_key(struct chk_ctx *c, const struct chk_key *k)
{
	bool interval = k->def->syntax == PDU_KEY_SYN_RANGE;
	const char *a = k->value;
	const char *who = side(k->unanswered ? (enum ev_dir)!k->dir : k->dir);
	if (a && strcmp(a, "NotUnderstood") == 0) {
		chk_fail(c, "LOGIN-035", F_KEY,
			 "%s=%s answered NotUnderstood by the %s; an obsolete "
			 "key is never answered so", k->key, k->offer, who);
		return;
	}
	if (interval) {
		if (a && strcmp(a, "Reject") == 0)
			chk_held(c, "LOGIN-035");
		else
			chk_fail(c, "LOGIN-035", F_KEY,
				 "%s=%s answered %s by the %s; it is answered "
				 "Reject", k->key, k->offer, a ? a : "nothing",
				 who);
		return;
	}
	chk_held(c, "LOGIN-035");
	if (a && strcmp(a, "Reject") == 0) {
		chk_held(c, "LOGIN-036");
	} else if ((a && strcmp(a, "No") == 0) ||
		   (!a && strcmp(k->offer, "No") == 0)) {
		chk_unjudged(c, "LOGIN-036", "%s answered No (or not at all to "
			     "No), which RFC 7143 allows; Reject is recommended",
			     k->key);
	} else {
		chk_fail(c, "LOGIN-036", F_KEY,
			 "%s=%s answered %s by the %s; it is answered Reject "
			 "(or No)", k->key, k->offer, a ? a : "nothing", who);
	}
}

static void lg_on_key(struct chk_ctx *c, const struct chk_key *k)
{
	struct lg_conn *l = chk_cstate(c);
	const char *what = k->login ? "login" : "text negotiation";

	if (k->error) {
		const char *id = k->error_rule ? k->error_rule : "LOGIN-017";
		chk_fail(c, id, F_KEY, "%s data from the %s: %s", what,
			 side(k->dir), no_id(k->error_msg ? k->error_msg : ""));
		return;
	}
	if (!k->unanswered)
		chk_held(c, "LOGIN-017");
	if (k->repeated) {
		chk_fail(c, "LOGIN-024", F_KEY,
			 "the %s sent %s again in this %s", side(k->dir),
			 k->key, what);
		if (!l->repeat[k->dir]) {
			l->repeat[k->dir] = true;
			l->repeat_frame[k->dir] = c->ev ? c->ev->frame : 0;
		}
	}
	if (k->login) {
		if (k->dir == EV_DIR_I2T && k->seq_no == 0 && !k->unanswered) {
			if (pdu_key_is(k->def, PDU_KEY_ID_INITIATOR_NAME))
				l->seq0_initiator = true;
			else if (pdu_key_is(k->def, PDU_KEY_ID_TARGET_NAME))
				l->seq0_target = true;
		}
		if (k->dir == EV_DIR_T2I && !k->unanswered) {
			if (pdu_key_is(k->def,
				       PDU_KEY_ID_TARGET_PORTAL_GROUP_TAG) &&
			    k->seq_no == 0)
				l->rsp0_tpgt = true;
			if (pdu_key_is(k->def, PDU_KEY_ID_TARGET_ADDRESS)) {
				l->ta_in_rsp = true;
				if (k->value && strchr(k->value, ','))
					l->ta_tagged = true;
			}
		}
		if (k->originated && !c->conn->leading && k->def &&
		    !(k->def->flags & PDU_KEY_F_PATTERN)) {
			if (k->def->flags & PDU_KEY_F_LO) {
				l->lo_sent = true;
				chk_fail(c, "LOGIN-026", F_KEY,
					 "%s=%s sent by the %s on CID %d, a "
					 "connection added to the session",
					 k->key, k->value ? k->value : "",
					 side(k->dir), c->conn->cid);
			}
		}
		chap_key(c, l, k);
	}
	if (!k->outcome)
		return;
	if (k->def && (k->def->flags & PDU_KEY_F_OBSOLETE) &&
	    (k->answer || k->unanswered)) {
		obsolete_key(c, k);
		return;
	}
	const struct pdu_key_outcome *o = k->outcome;
	if (o->status == PDU_KEY_VIOLATION) {
		char where[64] = "";
		if (k->answer || k->unanswered)
			snprintf(where, sizeof where, " (offer at frame %llu)",
				 (unsigned long long)k->offer_frame);
		/* k->dir sent this pair; an unanswered call is the offer's */
		enum ev_dir offerer = k->answer ? (enum ev_dir)!k->dir : k->dir;
		bool by_offerer = o->culprit == PDU_KEY_OFFERER;
		enum ev_dir who = by_offerer ? offerer : (enum ev_dir)!offerer;
		/* an offer's fault points at the offer */
		struct chk_where w = chk_here(c);
		if (by_offerer && (k->answer || k->unanswered))
			w = (struct chk_where){ k->offer_frame, c->conn->id,
						0 };
		if (o->rule)
			chk_fail_at(c, &w, o->rule, F_KEY,
				    "%s, the %s's %s: %s%s", what, side(who),
				    by_offerer ? (k->originated ? "declaration"
						  : "offer") : "answer",
				    no_id(o->msg), where);
		else
			chk_note(c, "%s key %s: %s%s", what, k->key, o->msg,
				 where);
		return;
	}
	bool ok = digest_support(c, k);
	ok = chap_a_md5(c, k) && ok;
	if (ok)
		key_held(c, k);
}

/* ---- negotiation milestones ---------------------------------------------- */

static void first_request_end(struct chk_ctx *c, struct lg_conn *l)
{
	const struct chk_conn *cn = c->conn;
	if (!cn->login_from_start)
		return;
	if (l->seq0_initiator)
		chk_held(c, "LOGIN-013");
	else
		chk_fail(c, "LOGIN-013", F_KEY,
			 "the first Login Request of connection %u (CID %d) "
			 "has no InitiatorName", cn->id, cn->cid);
	enum chk_session_type type = c->sess->type;
	if (type == CHK_TYPE_DISCOVERY)
		return;
	if (l->seq0_target)
		chk_held(c, "LOGIN-014");
	else if (type == CHK_TYPE_NORMAL)
		chk_fail(c, "LOGIN-014", F_KEY,
			 "the first Login Request of connection %u (CID %d) of "
			 "a normal session has no TargetName", cn->id, cn->cid);
	else
		chk_unjudged(c, "LOGIN-014", "connection %u joins a session "
			     "whose type is not in the capture", cn->id);
}

static void first_answer_end(struct chk_ctx *c, struct lg_conn *l,
			     const struct chk_nego *n)
{
	if (l->rsp0_judged || !c->conn->login_from_start || n->ack)
		return;
	l->rsp0_judged = true;
	if (n->h->status_class != 0 || c->sess->type != CHK_TYPE_NORMAL)
		return;
	if (l->rsp0_tpgt)
		chk_held(c, "LOGIN-015");
	else
		chk_fail(c, "LOGIN-015", F_KEY,
			 "the target's answer to the first Login Request on "
			 "connection %u (CID %d) has no TargetPortalGroupTag",
			 c->conn->id, c->conn->cid);
}

static void repeat_outcome(struct chk_ctx *c, struct lg_conn *l, bool ok,
			   const struct pdu_hdr *h)
{
	if (!l->repeat[0] && !l->repeat[1]) {
		chk_held(c, "LOGIN-024");
		return;
	}
	if (l->repeat[EV_DIR_I2T] && ok)
		chk_fail(c, "LOGIN-024", "iscsi.login.status",
			 "the initiator repeated a key (frame %llu) and the "
			 "target accepted the login; it must refuse it with an "
			 "initiator error", (unsigned long long)
			 l->repeat_frame[EV_DIR_I2T]);
	else if (l->repeat[EV_DIR_I2T] && h->status_class != 2)
		chk_fail(c, "LOGIN-024", "iscsi.login.statusclass",
			 "the initiator repeated a key (frame %llu); the "
			 "refusal has Status-Class %u, not 2 (initiator error)",
			 (unsigned long long)l->repeat_frame[EV_DIR_I2T],
			 h->status_class);
	if (l->repeat[EV_DIR_T2I] && ok)
		chk_fail(c, "LOGIN-024", NULL,
			 "the target repeated a key (frame %llu) and the "
			 "initiator went on to Full Feature Phase; it must "
			 "drop the connection", (unsigned long long)
			 l->repeat_frame[EV_DIR_T2I]);
}

static void lg_on_nego(struct chk_ctx *c, const struct chk_nego *n)
{
	struct lg_conn *l = chk_cstate(c);
	if (!n->login) {
		if (n->kind == CHK_NEGO_TEXT_END) {
			if (!l->repeat[0] && !l->repeat[1])
				chk_held(c, "LOGIN-024");
			l->repeat[0] = l->repeat[1] = false;
		}
		return;
	}
	switch (n->kind) {
	case CHK_NEGO_REQ_END:
		if (n->seq_no == 0)
			first_request_end(c, l);
		break;
	case CHK_NEGO_RSP_END:
		if (n->seq_no == 0)
			first_answer_end(c, l, n);
		if (n->h->status_class == 0 && n->h->transit &&
		    n->h->csg == PDU_STAGE_SECURITY)
			chap_stage_end(c, l);
		break;
	case CHK_NEGO_LOGIN_OK: {
		repeat_outcome(c, l, true, n->h);
		if (l->echoed)
			chk_fail(c, "LOGIN-033", "iscsi.login.status",
				 "the target accepted the login although the "
				 "initiator sent back its own CHAP challenge "
				 "(frame %llu)", (unsigned long long)l->echo_frame);
		if (!c->conn->leading) {
			if (!l->lo_sent && c->conn->login_from_start)
				chk_held(c, "LOGIN-026");
		} else if (c->sess->params_known) {
			struct pdu_error e;
			if (pdu_key_params_check(&c->sess->params, &e) != PDU_OK)
				chk_fail(c, "LOGIN-028", F_KEY,
					 "negotiated %s", no_id(e.msg));
			else
				chk_held(c, "LOGIN-028");
		}
		break;
	}
	case CHK_NEGO_LOGIN_FAIL: {
		const struct pdu_hdr *h = n->h;
		repeat_outcome(c, l, false, h);
		if (h->status_class != 1)
			break;
		if (h->status_detail != 1 && h->status_detail != 2)
			chk_fail(c, "LOGIN-034", "iscsi.login.statusdetail",
				 "redirection (Status-Class 1) with detail "
				 "0x%02x; it is 0x01 (moved temporarily) or 0x02 "
				 "(moved permanently)", h->status_detail);
		else if (!l->ta_in_rsp)
			chk_fail(c, "LOGIN-034", F_KEY,
				 "redirection 0x01%02x carries no TargetAddress",
				 h->status_detail);
		else if (l->ta_tagged)
			chk_fail(c, "LOGIN-034", F_KEY,
				 "redirection 0x01%02x: its TargetAddress carries "
				 "a portal group tag, which a redirect omits",
				 h->status_detail);
		else
			chk_held(c, "LOGIN-034");
		break;
	}
	case CHK_NEGO_TEXT_END:
		break;
	}
}

static void lg_on_join(struct chk_ctx *c, const struct chk_join *j)
{
	switch (j->kind) {
	case CHK_JOIN_ADD:
	case CHK_JOIN_REINSTATE_CONN:
		chk_held(c, "LOGIN-009");
		break;
	case CHK_JOIN_PARTIAL:
		if (j->old_session)
			chk_fail(c, "LOGIN-009", "iscsi.tsih",
				 "connection %u logs in with TSIH 0x%04x; the "
				 "session with this ISID has TSIH 0x%04x",
				 c->conn->id, c->conn->login_tsih,
				 j->old_session->tsih);
		else
			chk_unjudged(c, "LOGIN-009", "connection %u joins TSIH "
				     "0x%04x, whose leading login is not in the "
				     "capture", c->conn->id,
				     c->conn->login_tsih);
		break;
	default:
		break;
	}
}

static void lg_on_end(struct chk_ctx *c)
{
	if (!c->conn)
		return;
	struct lg_conn *l = chk_cstate(c);
	if (!l->failed || l->l012_judged)
		return;
	const struct chk_conn *cn = c->conn;
	if (cn->fin[0] || cn->fin[1] || cn->rst[0] || cn->rst[1])
		chk_held(c, "LOGIN-012");
	else
		chk_unjudged(c, "LOGIN-012", "connection %u: nothing followed "
			     "the refusal, but the capture ended before the "
			     "connection was closed", cn->id);
}

const struct chk_family chk_family_login = {
	.name = "login",
	.summary = "login phase: stages, TSIH, StatSN, mandatory keys, key "
		   "negotiation, CHAP, redirection",
	.rules = rules,
	.n_rules = N_RULES,
	.conn_size = sizeof(struct lg_conn),
	.conn_free = lg_conn_free,
	.on_pdu = lg_on_pdu,
	.on_key = lg_on_key,
	.on_nego = lg_on_nego,
	.on_join = lg_on_join,
	.on_end = lg_on_end,
};
