/* shim.c — every byte a connection carries, recorded as EV_WIRE. */
#include "harness/net/shim.h"

#include <sys/socket.h>
#include <unistd.h>

#include "harness/net/emit.h"

static void record(const struct net_shim *s, enum ev_dir dir, const uint8_t *buf, ssize_t n)
{
	if (n > 0)
		net_emit(s->bus, (struct event){ .kind = EV_WIRE, .conn = s->conn, .dir = dir,
						 .bytes = buf, .len = (size_t)n });
}

ssize_t net_shim_read(const struct net_shim *s, int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap);
	record(s, EV_DIR_I2T, buf, n);
	return n;
}

ssize_t net_shim_write(const struct net_shim *s, int fd, const uint8_t *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
	record(s, EV_DIR_T2I, buf, n);
	return n;
}
