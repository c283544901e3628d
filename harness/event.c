/* event.c — the event bus: fan-out of events to observers. */
#include "event.h"

void ev_bus_init(struct ev_bus *bus)
{
	bus->n = 0;
	bus->first_error = 0;
}

int ev_bus_add(struct ev_bus *bus, struct ev_observer obs)
{
	if (bus->n >= EV_BUS_MAX_OBSERVERS)
		return -1;
	bus->obs[bus->n++] = obs;
	return 0;
}

int ev_emit(struct ev_bus *bus, const struct event *ev)
{
	int first = 0;
	for (size_t i = 0; i < bus->n; i++) {
		int rc = bus->obs[i].on_event(bus->obs[i].ctx, ev);
		if (rc < 0 && first == 0)
			first = rc;
	}
	if (first < 0 && bus->first_error == 0)
		bus->first_error = first;
	return first;
}

const char *ev_kind_name(enum ev_kind kind)
{
	switch (kind) {
	case EV_CONN_OPEN: return "conn-open";
	case EV_WIRE: return "wire";
	case EV_PDU: return "pdu";
	case EV_CONN_FIN: return "conn-fin";
	case EV_CONN_RST: return "conn-rst";
	case EV_FAULT: return "fault";
	case EV_NOTE: return "note";
	case EV_GAP: return "gap";
	case EV_RESYNC: return "resync";
	}
	return "unknown";
}
