/* login_security.h — the target's SecurityNegotiation stage of one login
 * (RFC 7143 §6.3.1, §12.1): AuthMethod, then CHAP (chap.h) with the
 * initiator proving its secret and, when it challenges back, the target
 * proving the mutual secret. Fed the security keys of each Login Request,
 * it appends the answers to the response text. */
#ifndef HARNESS_PROTO_LOGIN_SECURITY_H
#define HARNESS_PROTO_LOGIN_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/proto/kv_out.h"
#include "harness/proto/login_target.h"

/* Login status of an authentication failure (RFC 7143 §11.13.5). */
#define LOGIN_STATUS_AUTH_FAILED 0x0201

struct login_security;

/* chap NULL: only AuthMethod=None is accepted. */
struct login_security *login_security_create(const struct login_chap *chap,
					     void (*rand_bytes)(void *ctx,
								uint8_t *buf,
								size_t n),
					     void *ctx);
void login_security_free(struct login_security *s);

/* Whether key is one of the keys this stage handles (AuthMethod, CHAP_*). */
bool login_security_handles(const char *key);
/* Take one security key of the current request (answered by
 * login_security_answer once the request's keys are all in). */
void login_security_take(struct login_security *s, const char *key,
			 const char *value);
/* Answer the keys taken from this request, appending to out. Returns 0,
 * or the failure status (0x0201) with the reason in why. */
uint16_t login_security_answer(struct login_security *s, struct kv_out *out,
			       char *why, size_t why_len);
/* The initiator is authenticated, or none is required: the target agrees
 * to leave the security stage. */
bool login_security_done(const struct login_security *s);
/* An authentication method was agreed (the exchange has begun). */
bool login_security_begun(const struct login_security *s);

#endif
