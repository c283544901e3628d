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

ssize_t net_shim_writev(const struct net_shim *s, int fd, const struct iovec *iov, size_t n)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
	size_t left = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < n && left; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
		record(s, EV_DIR_T2I, iov[i].iov_base, (ssize_t)k);
		left -= k;
	}
	return w;
}
