/* mem_carrier.h — a carrier without sockets: connections are byte queues
 * in memory and time is a counter the caller advances. It drives a
 * protocol engine exactly as the TCP server does (framing with the
 * digests the engine sets, the same events on a bus, closes reported from
 * the loop, never re-entrantly), so unit tests and fuzzers run a whole
 * target deterministically, and a capture can later be replayed through
 * it.
 */
#ifndef HARNESS_NET_MEM_CARRIER_H
#define HARNESS_NET_MEM_CARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "harness/net/carrier.h"

#define MEM_CARRIER_MAX_DSL (16u << 20)  /* larger data segment: closed */

struct mem_carrier;

/* bus may be NULL (no events). log_to_stderr: print the engine's log. */
struct mem_carrier *mem_carrier_create(struct ev_bus *bus, bool log_to_stderr);
void mem_carrier_free(struct mem_carrier *m);
/* The engine to drive (set before the first connection opens); all-NULL
 * ops detach it (an engine is freed after detaching, before its
 * carrier). */
void mem_carrier_set_engine(struct mem_carrier *m, struct proto_engine_ops ops);
struct proto_io mem_carrier_io(struct mem_carrier *m);

/* A new connection (the engine's opened is called); returns its id. */
uint32_t mem_carrier_open(struct mem_carrier *m);
/* Bytes from the initiator on conn: framed into PDUs for the engine.
 * Returns 0, or -1 when conn is closed. */
int mem_carrier_feed(struct mem_carrier *m, uint32_t conn, const uint8_t *bytes,
		     size_t len);
/* The initiator closes conn (FIN) or resets it (RST). */
void mem_carrier_peer_close(struct mem_carrier *m, uint32_t conn, bool reset);

/* The next PDU the engine sent on conn (oldest first): its bytes stay
 * valid until the next call on m. Returns false when none is queued. */
bool mem_carrier_next(struct mem_carrier *m, uint32_t conn,
		      const uint8_t **pdu, size_t *len, struct pdu_digests *dg);
/* PDUs queued on conn and not yet taken. */
size_t mem_carrier_pending(const struct mem_carrier *m, uint32_t conn);

/* Whether conn is still open; when not, whether the engine closed it
 * (and with a reset). */
bool mem_carrier_is_open(const struct mem_carrier *m, uint32_t conn);
bool mem_carrier_closed_by_engine(const struct mem_carrier *m, uint32_t conn,
				  bool *reset);

/* Move time on by ms, firing the timers that fall due (in order). */
void mem_carrier_advance(struct mem_carrier *m, int64_t ms);

#endif
