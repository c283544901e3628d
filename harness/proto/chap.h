/* chap.h — CHAP (RFC 1994) as iSCSI uses it (RFC 7143 §12.1.3): the
 * algorithm numbers of CHAP_A, challenge sizes, the response hash
 * H(identifier || secret || challenge) through OpenSSL EVP, and a
 * constant-time check of a received response. Pure: the caller supplies
 * identifiers and challenges (and their randomness). */
#ifndef HARNESS_PROTO_CHAP_H
#define HARNESS_PROTO_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CHAP_A values: 5 is RFC 1994's MD5 (LOGIN-030: every implementation
 * has it); 6-8 are the numbers Linux (LIO and open-iscsi) uses. */
enum chap_alg {
	CHAP_ALG_MD5 = 5,
	CHAP_ALG_SHA1 = 6,
	CHAP_ALG_SHA256 = 7,
	CHAP_ALG_SHA3_256 = 8,
};

#define CHAP_MAX_DIGEST 32  /* SHA-256 and SHA3-256 */

/* The first algorithm of a CHAP_A offer (comma-separated numbers) that is
 * supported, or 0 when there is none. */
int chap_pick_algorithm(const char *offer);
/* The digest length of alg in bytes, 0 for an unsupported number. */
size_t chap_digest_len(int alg);
/* The challenge length a target sends: 16 bytes for MD5, the digest length
 * otherwise (as LIO does). */
size_t chap_challenge_len(int alg);
/* out = H(id || secret || challenge). Returns the digest length, 0 when
 * alg is unsupported or the digest is unavailable. */
size_t chap_response(int alg, uint8_t id, const char *secret,
		     const uint8_t *challenge, size_t challenge_len,
		     uint8_t out[CHAP_MAX_DIGEST]);
/* Whether response is the right one for (id, secret, challenge); the
 * comparison takes the same time whatever bytes differ. */
bool chap_verify(int alg, uint8_t id, const char *secret,
		 const uint8_t *challenge, size_t challenge_len,
		 const uint8_t *response, size_t response_len);

#endif
