/* reader_link.c — one captured frame down to its TCP segment (see
 * reader_link.h): link layer, IPv4 / IPv6 with extension headers, TCP. */
#include "harness/capture/reader_link.h"

#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u     /* 802.1Q */
#define ETHERTYPE_QINQ 0x88a8u     /* 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100u /* pre-standard stacked tag */
#define MAX_VLAN_TAGS 8
#define MAX_IPV6_EXT 16

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void set_kind(struct rd_result *out, enum rd_kind kind, size_t offset,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_kind(struct rd_result *out, enum rd_kind kind, size_t offset,
		     const char *fmt, ...)
{
	va_list ap;
	out->kind = kind;
	out->offset = offset;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof out->why, fmt, ap);
	va_end(ap);
}

bool rd_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
	case DLT_NULL: case DLT_LOOP: case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

const char *rd_link_name(int dlt, char buf[32])
{
	switch (dlt) {
	case DLT_EN10MB: return "Ethernet";
	case DLT_LINUX_SLL: return "Linux cooked (SLL)";
	case DLT_LINUX_SLL2: return "Linux cooked (SLL2)";
	case DLT_NULL: return "BSD loopback (NULL)";
	case DLT_LOOP: return "OpenBSD loopback (LOOP)";
	case DLT_RAW: return "raw IP";
	case DLT_IPV4: return "raw IPv4";
	case DLT_IPV6: return "raw IPv6";
	default:
		snprintf(buf, 32, "link type %d", dlt);
		return buf;
	}
}

/* ---- TCP ---------------------------------------------------------------- */

/* The TCP header at f[off..), the IP payload ending at ip_end (per the IP
 * length) of which the capture holds up to caplen. */
static void decode_tcp(const uint8_t *f, size_t caplen, size_t off, size_t ip_end,
		       struct rd_result *out)
{
	size_t have = caplen < ip_end ? caplen : ip_end;
	if (ip_end - off < 20) {
		set_kind(out, RD_MALFORMED, off,
			 "TCP header needs 20 bytes, the IP packet leaves %zu", ip_end - off);
		return;
	}
	if (have < off + 20) {
		set_kind(out, RD_MALFORMED, have,
			 "frame cut by the snap length inside the TCP header (%zu of 20 bytes)",
			 have > off ? have - off : 0);
		return;
	}
	const uint8_t *t = f + off;
	size_t hlen = (size_t)(t[12] >> 4) * 4;
	if (hlen < 20) {
		set_kind(out, RD_MALFORMED, off + 12,
			 "TCP data offset %zu words is below 5", hlen / 4);
		return;
	}
	if (ip_end - off < hlen) {
		set_kind(out, RD_MALFORMED, off + 12,
			 "TCP header of %zu bytes overruns the IP packet (%zu bytes left)",
			 hlen, ip_end - off);
		return;
	}
	if (have < off + hlen) {
		set_kind(out, RD_MALFORMED, have,
			 "frame cut by the snap length inside the TCP options");
		return;
	}
	struct rd_segment *s = &out->seg;
	s->sport = be16(t);
	s->dport = be16(t + 2);
	s->seq = be32(t + 4);
	s->ack = be32(t + 8);
	s->flags = t[13];
	s->payload = f + off + hlen;
	s->wire_len = ip_end - off - hlen;
	s->len = have - off - hlen;
	out->kind = RD_TCP;
}

/* ---- IP ----------------------------------------------------------------- */

/* The frame being decoded. */
struct frm {
	const uint8_t *f;
	size_t caplen, wirelen;
};

static void decode_ipv4(const struct frm *fr, size_t off, struct rd_result *out)
{
	const uint8_t *f = fr->f;
	size_t caplen = fr->caplen;
	if (caplen < off + 20) {
		set_kind(out, RD_MALFORMED, caplen,
			 "IPv4 header needs 20 bytes, the frame has %zu", caplen - off);
		return;
	}
	const uint8_t *ip = f + off;
	if ((ip[0] >> 4) != 4) {
		set_kind(out, RD_MALFORMED, off, "IP version %u where 4 was expected",
			 (unsigned)(ip[0] >> 4));
		return;
	}
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20) {
		set_kind(out, RD_MALFORMED, off, "IPv4 header length %zu words is below 5",
			 ihl / 4);
		return;
	}
	size_t total = be16(ip + 2);
	if (total == 0 && fr->wirelen > off)
		total = fr->wirelen - off; /* segmentation offload */
	if (total < ihl) {
		set_kind(out, RD_MALFORMED, off + 2,
			 "IPv4 total length %zu is below its header length %zu", total, ihl);
		return;
	}
	if (caplen < off + ihl) {
		set_kind(out, RD_MALFORMED, caplen,
			 "frame cut by the snap length inside the IPv4 options");
		return;
	}
	uint16_t frag = be16(ip + 6);
	if ((frag & 0x2000u) || (frag & 0x1fffu)) {
		set_kind(out, RD_FRAGMENT, off + 6,
			 "IPv4 fragment (offset %u, %s)", (unsigned)(frag & 0x1fffu) * 8,
			 (frag & 0x2000u) ? "more fragments" : "last fragment");
		return;
	}
	if (ip[9] != IPPROTO_TCP) {
		set_kind(out, RD_NOT_TCP, off + 9, "IPv4 protocol %u", ip[9]);
		return;
	}
	out->seg.family = AF_INET;
	out->seg.src = ip + 12;
	out->seg.dst = ip + 16;
	decode_tcp(f, caplen, off + ihl, off + total, out);
}

static void decode_ipv6(const struct frm *fr, size_t off, struct rd_result *out)
{
	const uint8_t *f = fr->f;
	size_t caplen = fr->caplen;
	if (caplen < off + 40) {
		set_kind(out, RD_MALFORMED, caplen,
			 "IPv6 header needs 40 bytes, the frame has %zu", caplen - off);
		return;
	}
	const uint8_t *ip = f + off;
	if ((ip[0] >> 4) != 6) {
		set_kind(out, RD_MALFORMED, off, "IP version %u where 6 was expected",
			 (unsigned)(ip[0] >> 4));
		return;
	}
	size_t plen = be16(ip + 4);
	if (plen == 0 && fr->wirelen > off + 40)
		plen = fr->wirelen - off - 40; /* segmentation offload (or a jumbogram) */
	if (plen == 0) {
		set_kind(out, RD_MALFORMED, off + 4, "IPv6 packet with no payload");
		return;
	}
	size_t end = off + 40 + plen;
	uint8_t next = ip[6];
	size_t pos = off + 40;
	for (int n = 0;; n++) {
		if (next == IPPROTO_TCP)
			break;
		if (next != IPPROTO_HOPOPTS_ && next != IPPROTO_ROUTING_ &&
		    next != IPPROTO_DSTOPTS_ && next != IPPROTO_FRAGMENT_ &&
		    next != IPPROTO_AH_) {
			if (next == IPPROTO_NONE_)
				set_kind(out, RD_NOT_TCP, pos, "IPv6 with no next header");
			else
				set_kind(out, RD_NOT_TCP, pos, "IPv6 next header %u", next);
			return;
		}
		if (n == MAX_IPV6_EXT) {
			set_kind(out, RD_MALFORMED, pos,
				 "more than %d IPv6 extension headers", MAX_IPV6_EXT);
			return;
		}
		if (end < pos + 8 || caplen < pos + 8) {
			set_kind(out, RD_MALFORMED, pos,
				 "IPv6 extension header %u cut short", next);
			return;
		}
		const uint8_t *x = f + pos;
		size_t xlen;
		if (next == IPPROTO_FRAGMENT_) {
			uint16_t fo = be16(x + 2);
			if ((fo >> 3) != 0 || (fo & 1u)) {
				set_kind(out, RD_FRAGMENT, pos + 2,
					 "IPv6 fragment (offset %u, %s)", (unsigned)(fo >> 3) * 8,
					 (fo & 1u) ? "more fragments" : "last fragment");
				return;
			}
			xlen = 8; /* an atomic fragment: the whole packet */
		} else if (next == IPPROTO_AH_) {
			xlen = ((size_t)x[1] + 2) * 4;
		} else {
			xlen = ((size_t)x[1] + 1) * 8;
		}
		if (end < pos + xlen) {
			set_kind(out, RD_MALFORMED, pos + 1,
				 "IPv6 extension header %u of %zu bytes overruns the packet",
				 next, xlen);
			return;
		}
		next = x[0];
		pos += xlen;
	}
	out->seg.family = AF_INET6;
	out->seg.src = ip + 8;
	out->seg.dst = ip + 24;
	decode_tcp(f, caplen, pos, end, out);
}

/* IP at f[off..), version from its first nibble. */
static void decode_ip(const struct frm *fr, size_t off, struct rd_result *out)
{
	if (fr->caplen <= off) {
		set_kind(out, RD_MALFORMED, fr->caplen, "frame ends before the IP header");
		return;
	}
	switch (fr->f[off] >> 4) {
	case 4: decode_ipv4(fr, off, out); return;
	case 6: decode_ipv6(fr, off, out); return;
	default:
		set_kind(out, RD_MALFORMED, off, "IP version %u", (unsigned)(fr->f[off] >> 4));
	}
}

/* An EtherType at f[off..off+2) and what follows it, VLAN tags skipped. */
static void decode_ethertype(const struct frm *fr, size_t off, struct rd_result *out)
{
	const uint8_t *f = fr->f;
	size_t caplen = fr->caplen;
	for (int tags = 0;; tags++) {
		if (caplen < off + 2) {
			set_kind(out, RD_MALFORMED, caplen, "frame ends inside the link header");
			return;
		}
		uint16_t type = be16(f + off);
		if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
			if (tags == MAX_VLAN_TAGS) {
				set_kind(out, RD_MALFORMED, off, "more than %d VLAN tags",
					 MAX_VLAN_TAGS);
				return;
			}
			off += 4; /* TPID + TCI: the next EtherType follows */
			continue;
		}
		off += 2;
		if (type == ETHERTYPE_IPV4) {
			decode_ipv4(fr, off, out);
		} else if (type == ETHERTYPE_IPV6) {
			decode_ipv6(fr, off, out);
		} else if (type < 0x0600) {
			set_kind(out, RD_NOT_IP, off - 2, "802.3 frame (length %u)", type);
		} else {
			set_kind(out, RD_NOT_IP, off - 2, "EtherType 0x%04x", type);
		}
		return;
	}
}

/* BSD loopback: a 4-byte address family in the capturing host's byte
 * order (DLT_NULL) or network order (DLT_LOOP); either is accepted. */
static void decode_null(const struct frm *fr, struct rd_result *out)
{
	const uint8_t *f = fr->f;
	size_t caplen = fr->caplen;
	if (caplen < 4) {
		set_kind(out, RD_MALFORMED, caplen, "frame ends inside the loopback header");
		return;
	}
	uint32_t fam[2] = { le32(f), be32(f) };
	for (int i = 0; i < 2; i++) {
		switch (fam[i]) {
		case 2:                     /* AF_INET everywhere */
			decode_ipv4(fr, 4, out);
			return;
		case 10: case 24: case 28: case 30: /* AF_INET6: Linux, *BSD, FreeBSD, Darwin */
			decode_ipv6(fr, 4, out);
			return;
		default:
			break;
		}
	}
	set_kind(out, RD_NOT_IP, 0, "loopback address family %u", fam[0]);
}

void rd_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
	       struct rd_result *out)
{
	memset(out, 0, sizeof *out);
	if (!frame) {
		set_kind(out, RD_MALFORMED, 0, "no frame");
		return;
	}
	struct frm fr = { frame, caplen, wirelen > caplen ? wirelen : caplen };
	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14) {
			set_kind(out, RD_MALFORMED, caplen,
				 "Ethernet header needs 14 bytes, the frame has %zu", caplen);
			return;
		}
		decode_ethertype(&fr, 12, out);
		return;
	case DLT_LINUX_SLL:
		if (caplen < 16) {
			set_kind(out, RD_MALFORMED, caplen,
				 "SLL header needs 16 bytes, the frame has %zu", caplen);
			return;
		}
		decode_ethertype(&fr, 14, out);
		return;
	case DLT_LINUX_SLL2:
		if (caplen < 20) {
			set_kind(out, RD_MALFORMED, caplen,
				 "SLL2 header needs 20 bytes, the frame has %zu", caplen);
			return;
		}
		/* The protocol type is at offset 0; VLAN tags, if kept, follow
		 * the 20-byte header like in Ethernet. */
		{
			uint16_t type = be16(frame);
			if (type == ETHERTYPE_IPV4)
				decode_ipv4(&fr, 20, out);
			else if (type == ETHERTYPE_IPV6)
				decode_ipv6(&fr, 20, out);
			else if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
				 type == ETHERTYPE_QINQ_OLD)
				decode_ethertype(&fr, 22, out);
			else
				set_kind(out, RD_NOT_IP, 0, "SLL2 protocol 0x%04x", type);
		}
		return;
	case DLT_NULL:
	case DLT_LOOP:
		decode_null(&fr, out);
		return;
	case DLT_RAW:
		decode_ip(&fr, 0, out);
		return;
	case DLT_IPV4:
		decode_ipv4(&fr, 0, out);
		return;
	case DLT_IPV6:
		decode_ipv6(&fr, 0, out);
		return;
	default:
		set_kind(out, RD_NOT_IP, 0, "unsupported link type %d", dlt);
	}
}
