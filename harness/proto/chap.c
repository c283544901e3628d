/* chap.c — the CHAP algorithms, response hash and check (RFC 7143
 * §12.1.3) through OpenSSL EVP. See chap.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "harness/proto/chap.h"

static const char *digest_name(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5: return "MD5";
	case CHAP_ALG_SHA1: return "SHA1";
	case CHAP_ALG_SHA256: return "SHA256";
	case CHAP_ALG_SHA3_256: return "SHA3-256";
	default: return NULL;
	}
}

size_t chap_digest_len(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5: return 16;
	case CHAP_ALG_SHA1: return 20;
	case CHAP_ALG_SHA256: return 32;
	case CHAP_ALG_SHA3_256: return 32;
	default: return 0;
	}
}

size_t chap_challenge_len(int alg)
{
	/* LOGIN-030: LIO sends a challenge as long as the digest (16 bytes
	 * for MD5). */
	return chap_digest_len(alg);
}

int chap_pick_algorithm(const char *offer)
{
	const char *p = offer;

	/* LOGIN-030: the authenticator takes the first offered algorithm it
	 * supports, in the initiator's order (as LIO does). */
	while (p && *p) {
		char *end;
		long alg = strtol(p, &end, 10);
		if (end != p && (*end == ',' || *end == '\0') &&
		    chap_digest_len((int)alg) != 0)
			return (int)alg;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

size_t chap_response(int alg, uint8_t id, const char *secret,
		     const uint8_t *challenge, size_t challenge_len,
		     uint8_t out[CHAP_MAX_DIGEST])
{
	const char *name = digest_name(alg);
	EVP_MD *md;
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	bool ok;

	if (!name || !secret)
		return 0;
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	ok = md && ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	     EVP_DigestUpdate(ctx, &id, 1) == 1 &&
	     EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1 &&
	     EVP_DigestUpdate(ctx, challenge, challenge_len) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &n) == 1 &&
	     n == chap_digest_len(alg);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? n : 0;
}

bool chap_verify(int alg, uint8_t id, const char *secret,
		 const uint8_t *challenge, size_t challenge_len,
		 const uint8_t *response, size_t response_len)
{
	uint8_t want[CHAP_MAX_DIGEST];
	size_t n = chap_response(alg, id, secret, challenge, challenge_len,
				 want);

	if (n == 0 || response_len != n)
		return false;
	return CRYPTO_memcmp(want, response, n) == 0;
}
