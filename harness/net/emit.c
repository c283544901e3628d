/* emit.c — events from net/, stamped with CLOCK_REALTIME. */
#include "harness/net/emit.h"

#include <time.h>

void net_emit(struct ev_bus *bus, struct event ev)
{
	if (!bus)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.ts_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	ev_emit(bus, &ev);
}
