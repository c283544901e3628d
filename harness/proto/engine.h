/* engine.h — the calls that drive a protocol engine (see io.h for the calls
 * it makes back). A carrier (net/'s TCP server, a test's in-memory pipe, a
 * fuzzer) owns the connections and calls these as things happen; conn ids
 * are the carrier's, unique within a run, never 0.
 */
#ifndef HARNESS_PROTO_ENGINE_H
#define HARNESS_PROTO_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "harness/proto/io.h"
#include "pdu/pdu.h"

struct proto_engine_ops {
	void *engine;
	/* A TCP connection was established. */
	void (*opened)(void *engine, uint32_t conn, const struct ev_endpoints *ep);
	/* One framed PDU read from conn (bytes: the whole PDU, with the
	 * digests dg the framer applied). parse_rc is PDU_OK, or
	 * PDU_E_HEADER_DIGEST / PDU_E_DATA_DIGEST when a digest did not
	 * verify (the bytes are still the whole PDU as framed). */
	void (*pdu)(void *engine, uint32_t conn, const uint8_t *bytes, size_t len,
		    struct pdu_digests dg, int parse_rc);
	/* conn is gone; no call names it again. */
	void (*closed)(void *engine, uint32_t conn, enum proto_close_why why);
};

#endif
