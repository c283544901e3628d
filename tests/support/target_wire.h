/* target_wire.h — what the target-side protocol tests share: building
 * Login and Text Requests from "key=value" strings, reading the keys of
 * a response, and asserting that a response PDU is valid
 * (pdu_validate_buf with the target as sender). */
#ifndef TESTS_SUPPORT_TARGET_WIRE_H
#define TESTS_SUPPORT_TARGET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu/pdu.h"

/* Append each "key=value" of pairs (NULL-terminated) to text with
 * pdu_kv_append; returns the new length (asserts on overflow). */
size_t tw_text(uint8_t *text, size_t used, size_t cap,
	       const char *const *pairs);

/* A Login Request header: ISID 0x400001370000 and CID 1. */
void tw_login_hdr(struct pdu_hdr *h, uint8_t csg, uint8_t nsg, bool transit,
		  bool cont, uint16_t tsih, uint32_t itt, uint32_t cmdsn);
/* h with data as its data segment, built into out; returns the length. */
size_t tw_build(const struct pdu_hdr *h, const uint8_t *data, size_t len,
		uint8_t *out, size_t cap);

/* Decode rsp's header into h and fail the test unless the PDU is valid
 * coming from a target. */
void tw_check_rsp(const uint8_t *rsp, size_t len, struct pdu_hdr *h);
/* The value of key in a response's data segment (static storage), or
 * NULL. */
const char *tw_key(const uint8_t *rsp, size_t len, const char *key);
/* The number of pairs in a response's data segment. */
size_t tw_key_count(const uint8_t *rsp, size_t len);

#endif
