/* server.h — the TCP carrier of the embedded target: listens, accepts,
 * frames what each connection reads into PDUs for the engine, writes what
 * the engine sends (at the end of the loop round it was sent in, the PDUs
 * of a connection together), and puts every connection's life on the event bus
 * (EV_CONN_OPEN, EV_WIRE, EV_PDU, EV_CONN_FIN, EV_CONN_RST). The engine
 * acts through the proto_io that net_server_io() returns.
 */
#ifndef HARNESS_NET_SERVER_H
#define HARNESS_NET_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/event.h"
#include "harness/net/loop.h"
#include "harness/net/carrier.h"

#define NET_DEFAULT_MAX_DATA_SEGMENT (16u * 1024u * 1024u)
#define NET_DEFAULT_MAX_CONNS 4096u

struct net_server_opts {
	const char *const *listen; size_t n_listen;  /* "127.0.0.1:3260", "[::1]:3260", "127.0.0.1:0" */
	struct ev_bus *bus;       /* events of every connection; may be NULL */
	size_t max_data_segment;  /* a PDU whose DataSegmentLength exceeds this closes
	                           * the connection with a log line (0: 16 MiB) */
	size_t max_conns;         /* connections open at once (0: 4096); beyond:
	                           * accept and close at once, logged */
	bool log_debug;           /* also write PROTO_LOG_DEBUG lines */
};

struct net_server;

/* Bind and listen on every address and start accepting on l. Returns 0,
 * or -1 with a message in err (nothing left open). */
int net_server_create(struct net_server **out, struct net_loop *l, const struct net_server_opts *o,
		      struct proto_engine_ops engine, char *err, size_t errlen);
/* The proto_io the engine acts through. */
/* Replace the engine; all-NULL ops detach it (nothing is called any
 * more): an engine being freed before its server detaches first. */
void net_server_set_engine(struct net_server *s, struct proto_engine_ops engine);
struct proto_io net_server_io(struct net_server *s);
/* The bound port of listen[i] (0 when i is out of range). */
uint16_t net_server_port(const struct net_server *s, size_t i);
/* Connections not yet reported closed to the engine. */
size_t net_server_conn_count(const struct net_server *s);
/* Close every connection (events emitted, engine.closed called for those
 * not yet reported) and the listeners, and free (NULL: no-op). */
void net_server_free(struct net_server *s);

#endif
