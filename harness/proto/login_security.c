/* login_security.c — the target's security stage: AuthMethod and the CHAP
 * exchange, one-way and mutual (RFC 7143 §12.1.3). See login_security.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/chap.h"
#include "harness/proto/login_security.h"
#include "pdu/keys.h"

enum sec_state {
	SEC_START,      /* no AuthMethod agreed yet */
	SEC_WAIT_ALG,   /* AuthMethod=CHAP agreed: CHAP_A expected */
	SEC_WAIT_REPLY, /* challenge sent: CHAP_N and CHAP_R expected */
	SEC_DONE,       /* authenticated, or AuthMethod=None agreed */
};

/* The security keys one request carried. */
enum sec_key { K_AUTH, K_A, K_N, K_R, K_I, K_C, K_COUNT };
static const char *const sec_key_names[K_COUNT] = {
	"AuthMethod", "CHAP_A", "CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C"
};

struct login_security {
	const struct login_chap *chap;
	void (*rand_bytes)(void *ctx, uint8_t *buf, size_t n);
	void *ctx;
	enum sec_state state;
	int alg;
	uint8_t id;
	uint8_t challenge[CHAP_MAX_DIGEST];
	size_t challenge_len;
	char *taken[K_COUNT];
};

struct login_security *login_security_create(const struct login_chap *chap,
					     void (*rand_bytes)(void *ctx,
								uint8_t *buf,
								size_t n),
					     void *ctx)
{
	struct login_security *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->chap = chap;
	s->rand_bytes = rand_bytes;
	s->ctx = ctx;
	return s;
}

static void clear_taken(struct login_security *s)
{
	for (int k = 0; k < K_COUNT; k++) {
		free(s->taken[k]);
		s->taken[k] = NULL;
	}
}

void login_security_free(struct login_security *s)
{
	if (!s)
		return;
	clear_taken(s);
	free(s);
}

static int key_index(const char *key)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strcmp(key, sec_key_names[k]) == 0)
			return k;
	return -1;
}

bool login_security_handles(const char *key)
{
	return key_index(key) >= 0;
}

void login_security_take(struct login_security *s, const char *key,
			 const char *value)
{
	int k = key_index(key);

	if (k < 0)
		return;
	free(s->taken[k]);
	s->taken[k] = strdup(value);
}

bool login_security_done(const struct login_security *s)
{
	/* Without a CHAP secret the target asks for no authentication, so
	 * an initiator that never sends AuthMethod may leave the stage. */
	return s->state == SEC_DONE || (!s->chap && s->state == SEC_START);
}

bool login_security_begun(const struct login_security *s)
{
	return s->state != SEC_START;
}

static uint16_t fail(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every CHAP failure is 0x0201, as LIO answers them (LOGIN-031). */
static uint16_t fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return LOGIN_STATUS_AUTH_FAILED;
}

/* A taken value for a message: "(none)" when the key was not sent. */
static const char *shown(const char *value)
{
	return value ? value : "(none)";
}

static uint16_t answer_auth_method(struct login_security *s,
				   struct kv_out *out, char *why,
				   size_t why_len)
{
	const char *offer = s->taken[K_AUTH];
	char ans[PDU_KV_MAX_SIMPLE_VALUE + 1];

	/* LOGIN-021, LOGIN-030: the first offered method the target takes:
	 * CHAP when it has a secret, None otherwise. */
	pdu_key_respond(pdu_key_find("AuthMethod"), offer,
			s->chap ? "CHAP" : "None", NULL, ans, sizeof(ans));
	if (strcmp(ans, "Reject") == 0)
		/* LOGIN-031: no method in common fails the login with
		 * 0x0201, as LIO does when its authentication is enforced. */
		return fail(why, why_len, "LOGIN-030: AuthMethod=%s offers "
			    "no method the target accepts (%s)", offer,
			    s->chap ? "CHAP" : "None");
	if (!kv_out_add(out, "AuthMethod", ans))
		return fail(why, why_len, "out of memory");
	s->state = strcmp(ans, "CHAP") == 0 ? SEC_WAIT_ALG : SEC_DONE;
	return 0;
}

static uint16_t answer_algorithm(struct login_security *s, struct kv_out *out,
				 char *why, size_t why_len)
{
	const char *offer = s->taken[K_A];
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];

	if (s->state != SEC_WAIT_ALG)
		return fail(why, why_len, "LOGIN-030: CHAP_A=%s outside "
			    "the CHAP exchange", offer);
	s->alg = chap_pick_algorithm(offer);
	if (s->alg == 0)
		return fail(why, why_len, "LOGIN-030: CHAP_A=%s offers no "
			    "algorithm the target supports (5, 6, 7, 8)",
			    offer);
	s->challenge_len = chap_challenge_len(s->alg);
	s->rand_bytes(s->ctx, &s->id, 1);
	s->rand_bytes(s->ctx, s->challenge, s->challenge_len);
	pdu_kv_encode_hex(s->challenge, s->challenge_len, hex, sizeof(hex));
	if (!kv_out_add_num(out, "CHAP_A", (uint64_t)s->alg) ||
	    !kv_out_add_num(out, "CHAP_I", s->id) ||
	    !kv_out_add(out, "CHAP_C", hex))
		return fail(why, why_len, "out of memory");
	s->state = SEC_WAIT_REPLY;
	return 0;
}

/* Mutual CHAP: the initiator's CHAP_I and CHAP_C, answered with the
 * target's CHAP_N and CHAP_R over the mutual secret. */
static uint16_t answer_mutual(struct login_security *s, struct kv_out *out,
			      char *why, size_t why_len)
{
	uint8_t c[PDU_KV_CHAP_BINARY_MAX], r[CHAP_MAX_DIGEST];
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];
	uint64_t id;
	long clen;

	if (!s->taken[K_I] || !s->taken[K_C])
		return fail(why, why_len, "LOGIN-030: mutual CHAP needs both "
			    "CHAP_I and CHAP_C (got CHAP_I=%s CHAP_C=%s)",
			    shown(s->taken[K_I]), shown(s->taken[K_C]));
	if (!s->chap->mutual_secret)
		return fail(why, why_len, "LOGIN-030: the initiator asks for "
			    "mutual CHAP (CHAP_C=%s); the target has no "
			    "mutual secret", s->taken[K_C]);
	if (pdu_kv_parse_number(s->taken[K_I], false, &id, NULL) != PDU_OK ||
	    id > 255)
		return fail(why, why_len, "LOGIN-030: CHAP_I=%s is not an "
			    "identifier 0-255", s->taken[K_I]);
	clen = pdu_kv_decode_binary(s->taken[K_C], c, sizeof(c), NULL);
	if (clen <= 0)
		return fail(why, why_len, "LOGIN-030: CHAP_C=%s is not a "
			    "binary value", s->taken[K_C]);
	/* LOGIN-033: the target's own challenge sent back is a reflection
	 * attack; LIO fails the login. */
	if ((size_t)clen == s->challenge_len &&
	    memcmp(c, s->challenge, s->challenge_len) == 0)
		return fail(why, why_len, "LOGIN-033: CHAP_C=%s is the "
			    "challenge the target sent", s->taken[K_C]);
	size_t n = chap_response(s->alg, (uint8_t)id, s->chap->mutual_secret,
				 c, (size_t)clen, r);
	if (n == 0)
		return fail(why, why_len, "LOGIN-030: digest %d unavailable",
			    s->alg);
	pdu_kv_encode_hex(r, n, hex, sizeof(hex));
	if (!kv_out_add(out, "CHAP_N", s->chap->mutual_user ?
			s->chap->mutual_user : "") ||
	    !kv_out_add(out, "CHAP_R", hex))
		return fail(why, why_len, "out of memory");
	return 0;
}

static uint16_t answer_reply(struct login_security *s, struct kv_out *out,
			     char *why, size_t why_len)
{
	uint8_t r[PDU_KV_CHAP_BINARY_MAX];
	long rlen;

	if (s->state != SEC_WAIT_REPLY)
		return fail(why, why_len, "LOGIN-030: CHAP_N=%s CHAP_R=%s "
			    "before the target's challenge",
			    shown(s->taken[K_N]), shown(s->taken[K_R]));
	if (!s->taken[K_N] || !s->taken[K_R])
		return fail(why, why_len, "LOGIN-030: the reply needs both "
			    "CHAP_N and CHAP_R (got CHAP_N=%s CHAP_R=%s)",
			    shown(s->taken[K_N]), shown(s->taken[K_R]));
	/* LOGIN-031: LIO checks the name as well as the response. */
	if (!s->chap->user || strcmp(s->taken[K_N], s->chap->user) != 0)
		return fail(why, why_len, "LOGIN-031: CHAP_N=%s is not the "
			    "configured user %s", s->taken[K_N],
			    shown(s->chap->user));
	rlen = pdu_kv_decode_binary(s->taken[K_R], r, sizeof(r), NULL);
	if (rlen <= 0 || !chap_verify(s->alg, s->id, s->chap->secret,
				      s->challenge, s->challenge_len, r,
				      (size_t)rlen))
		return fail(why, why_len, "LOGIN-031: CHAP_R=%s does not "
			    "verify", s->taken[K_R]);
	if (s->taken[K_I] || s->taken[K_C]) {
		uint16_t st = answer_mutual(s, out, why, why_len);
		if (st)
			return st;
	}
	s->state = SEC_DONE;
	return 0;
}

uint16_t login_security_answer(struct login_security *s, struct kv_out *out,
			       char *why, size_t why_len)
{
	uint16_t st = 0;

	if (s->taken[K_AUTH])
		st = answer_auth_method(s, out, why, why_len);
	if (!st && s->taken[K_A])
		st = answer_algorithm(s, out, why, why_len);
	if (!st && (s->taken[K_N] || s->taken[K_R]))
		st = answer_reply(s, out, why, why_len);
	else if (!st && (s->taken[K_I] || s->taken[K_C]))
		st = fail(why, why_len, "LOGIN-030: CHAP_I=%s CHAP_C=%s "
			  "without the initiator's own reply",
			  shown(s->taken[K_I]), shown(s->taken[K_C]));
	clear_taken(s);
	return st;
}
