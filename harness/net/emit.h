/* emit.h — how net/ puts an event on the bus: stamped with wall-clock time
 * (CLOCK_REALTIME, what a pcap wants), nothing done when there is no bus. */
#ifndef HARNESS_NET_EMIT_H
#define HARNESS_NET_EMIT_H

#include "harness/event.h"

/* Stamp ev.ts_ns and deliver it to bus (NULL: no-op). */
void net_emit(struct ev_bus *bus, struct event ev);

#endif
