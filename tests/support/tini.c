/* tini.c — the target tests' scripted initiator (see tini.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pdu/keys.h"
#include "pdu/serial.h"
#include "tests/support/tini.h"

#define TINI_MAX_STEPS 100000   /* PDUs one exchange may take */

void tini_session_init(struct tini_session *s, const char *initiator,
		       const char *target, uint8_t isid_last)
{
	memset(s, 0, sizeof *s);
	s->initiator = initiator;
	s->target = target;
	/* ISID type 0x80 (random), as libiscsi */
	uint8_t isid[6] = { 0x80, 0x12, 0x34, 0x56, 0x78, isid_last };
	memcpy(s->isid, isid, 6);
	s->cmdsn = 0x100;
	s->next_itt = 0x10;
	s->target_mrdsl = 8192;
	s->first_burst = 65536;
	s->max_burst = 262144;
	s->immediate_data = true;
	s->initial_r2t = true;
}

void tini_conn_init(struct tini_conn *c, struct tini_session *s,
		    struct tini_link link, uint16_t cid)
{
	memset(c, 0, offsetof(struct tini_conn, rx));
	c->s = s;
	c->link = link;
	c->cid = cid;
}

/* ---- links ------------------------------------------------------------- */

static int mem_send(void *ctx, const uint8_t *b, size_t n)
{
	struct tini_mem_link *l = ctx;
	return mem_carrier_feed(l->m, l->conn, b, n);
}

static long mem_recv(void *ctx, uint8_t *buf, size_t cap, struct pdu_digests dg,
		     int timeout_ms)
{
	struct tini_mem_link *l = ctx;
	(void)dg;
	(void)timeout_ms;
	const uint8_t *p;
	size_t n;
	if (!mem_carrier_next(l->m, l->conn, &p, &n, NULL))
		return mem_carrier_is_open(l->m, l->conn) ? -1 : 0;
	if (n > cap)
		return 0;
	memcpy(buf, p, n);
	return (long)n;
}

static void mem_close(void *ctx, bool reset)
{
	struct tini_mem_link *l = ctx;
	mem_carrier_peer_close(l->m, l->conn, reset);
}

struct tini_link tini_mem_link(struct tini_mem_link *l)
{
	return (struct tini_link){ l, mem_send, mem_recv, mem_close };
}

static int tcp_send(void *ctx, const uint8_t *b, size_t n)
{
	int fd = *(int *)ctx;
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly n bytes by the deadline: 1, 0 closed, -1 timed out. */
static int read_exact(int fd, uint8_t *b, size_t n, int64_t deadline)
{
	while (n) {
		int64_t left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		b += r;
		n -= (size_t)r;
	}
	return 1;
}

static long tcp_recv(void *ctx, uint8_t *buf, size_t cap, struct pdu_digests dg,
		     int timeout_ms)
{
	int fd = *(int *)ctx;
	int64_t deadline = now_ms() + timeout_ms;
	int rc = read_exact(fd, buf, PDU_BHS_LEN, deadline);
	if (rc <= 0)
		return rc;
	/* the BHS says how long the whole PDU is */
	size_t need;
	if (pdu_frame_len(buf, PDU_BHS_LEN, dg, &need) != PDU_OK && need <= PDU_BHS_LEN)
		return 0;
	if (need > cap)
		return 0;
	if (need > PDU_BHS_LEN) {
		rc = read_exact(fd, buf + PDU_BHS_LEN, need - PDU_BHS_LEN, deadline);
		if (rc <= 0)
			return rc;
	}
	return (long)need;
}

static void tcp_close(void *ctx, bool reset)
{
	int *fd = ctx;
	if (*fd < 0)
		return;
	if (reset) {
		struct linger lg = { 1, 0 };
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	close(*fd);
	*fd = -1;
}

struct tini_link tini_tcp_link(int *fd, uint16_t port)
{
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	if (*fd < 0 || connect(*fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return (struct tini_link){ 0 };
	}
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return (struct tini_link){ fd, tcp_send, tcp_recv, tcp_close };
}

/* ---- PDUs ---------------------------------------------------------------- */

int tini_send(struct tini_conn *c, struct pdu_hdr *h, const void *data, size_t len)
{
	h->expstatsn = c->expstatsn;
	long n = pdu_build(h, NULL, 0, data, len, c->dg, true, c->tx, sizeof c->tx);
	if (n < 0)
		return -1;
	return c->link.send(c->link.ctx, c->tx, (size_t)n);
}

int tini_send_raw(struct tini_conn *c, const void *bytes, size_t len)
{
	return c->link.send(c->link.ctx, bytes, len);
}

int tini_recv(struct tini_conn *c, int timeout_ms)
{
	long n = c->link.recv(c->link.ctx, c->rx, sizeof c->rx, c->dg, timeout_ms);
	if (n <= 0) {
		if (n == 0)
			c->closed = true;
		return (int)n;
	}
	struct pdu_view v;
	c->parse_rc = pdu_parse(c->rx, (size_t)n, c->dg, &v, NULL);
	pdu_hdr_decode(c->rx, &c->h);
	c->data = v.data;
	c->data_len = v.data_len;
	if (pdu_is_numbered_response(&c->h) && serial_ge(c->h.statsn, c->expstatsn))
		c->expstatsn = c->h.statsn + 1;
	return 1;
}

int tini_expect(struct tini_conn *c, uint8_t opcode, int timeout_ms)
{
	for (int i = 0; i < 64; i++) {
		int rc = tini_recv(c, timeout_ms);
		if (rc <= 0)
			return rc;
		if (c->h.opcode == opcode)
			return 1;
	}
	return -1;
}

/* ---- login --------------------------------------------------------------- */

struct kv { char key[64]; char value[256]; };

static size_t parse_lines(const char *text, struct kv *out, size_t max)
{
	size_t n = 0;
	while (text && *text && n < max) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		const char *eq = memchr(text, '=', len);
		if (eq) {
			snprintf(out[n].key, sizeof out[n].key, "%.*s", (int)(eq - text), text);
			snprintf(out[n].value, sizeof out[n].value, "%.*s",
				 (int)(len - (size_t)(eq - text) - 1), eq + 1);
			n++;
		}
		text = eol ? eol + 1 : NULL;
	}
	return n;
}

/* libiscsi's operational keys, then extra's changes. */
static size_t login_keys(struct tini_conn *c, const char *extra, bool identity,
			 bool security, bool operational, uint8_t *out, size_t cap)
{
	struct kv keys[64];
	char base[1024];
	snprintf(base, sizeof base,
		 "InitiatorName=%s\nInitiatorAlias=tini\nTargetName=%s\nSessionType=Normal\n",
		 c->s->initiator, c->s->target);
	size_t n = identity ? parse_lines(base, keys, 64) : 0;
	if (security)
		n += parse_lines("AuthMethod=None\n", keys + n, 64 - n);
	if (operational)
		n += parse_lines(
			"HeaderDigest=None\nDataDigest=None\nDefaultTime2Wait=2\n"
			"DefaultTime2Retain=0\nIFMarker=No\nOFMarker=No\n"
			"ErrorRecoveryLevel=0\nInitialR2T=No\nImmediateData=Yes\n"
			"MaxBurstLength=262144\nFirstBurstLength=262144\n"
			"MaxOutstandingR2T=1\nMaxConnections=1\nDataPDUInOrder=Yes\n"
			"DataSequenceInOrder=Yes\nMaxRecvDataSegmentLength=262144\n",
			keys + n, 64 - n);
	struct kv more[32];
	size_t m = parse_lines(extra, more, 32);
	for (size_t i = 0; i < m; i++) {
		size_t j = 0;
		while (j < n && strcmp(keys[j].key, more[i].key))
			j++;
		if (j == n && n < 64)
			n++;
		keys[j] = more[i];
	}
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pdu_key_def *def = pdu_key_find(keys[i].key);
		bool lo = def && (def->flags & PDU_KEY_F_LO);
		if (c->s->tsih && lo)
			continue;   /* LOGIN-026: not on a joining connection */
		if (!keys[i].value[0] && strcmp(keys[i].key, "SendTargets"))
			continue;   /* "Key=" in extra removes it */
		long r = pdu_kv_append(out, used, cap, keys[i].key, keys[i].value);
		if (r > 0)
			used = (size_t)r;
	}
	return used;
}

static bool yes(const char *v) { return !strcmp(v, "Yes"); }

static void learn(struct tini_conn *c, const char *key, const char *value,
		  struct pdu_digests *dg)
{
	struct tini_session *s = c->s;
	unsigned long v = strtoul(value, NULL, 0);
	if (!strcmp(key, "HeaderDigest")) dg->header = !strcmp(value, "CRC32C");
	else if (!strcmp(key, "DataDigest")) dg->data = !strcmp(value, "CRC32C");
	else if (!strcmp(key, "MaxRecvDataSegmentLength")) s->target_mrdsl = (uint32_t)v;
	else if (!strcmp(key, "ErrorRecoveryLevel")) s->erl = (uint8_t)v;
	else if (!strcmp(key, "MaxConnections")) s->max_connections = (uint32_t)v;
	else if (!strcmp(key, "FirstBurstLength")) s->first_burst = (uint32_t)v;
	else if (!strcmp(key, "MaxBurstLength")) s->max_burst = (uint32_t)v;
	else if (!strcmp(key, "ImmediateData")) s->immediate_data = yes(value);
	else if (!strcmp(key, "InitialR2T")) s->initial_r2t = yes(value);
	else if (!strcmp(key, "DefaultTime2Wait")) s->time2wait = (uint32_t)v;
	else if (!strcmp(key, "DefaultTime2Retain")) s->time2retain = (uint32_t)v;
}

/* What was offered stands until an answer says otherwise. */
static void learn_all(struct tini_conn *c, const uint8_t *data, size_t len,
		      struct pdu_digests *dg)
{
	struct kv kvs[64];
	char text[4096];
	size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
	for (size_t i = 0; i < n; i++)
		text[i] = data[i] ? (char)data[i] : '\n';
	text[n] = '\0';
	size_t k = parse_lines(text, kvs, 64);
	for (size_t i = 0; i < k; i++)
		learn(c, kvs[i].key, kvs[i].value, dg);
}

static int login_step(struct tini_conn *c, uint8_t csg, uint8_t nsg,
		      const uint8_t *keys, size_t len, struct pdu_digests *dg)
{
	struct pdu_hdr h = {
		.opcode = PDU_OP_LOGIN_REQ, .immediate = true, .transit = true,
		.csg = csg, .nsg = nsg, .tsih = c->s->tsih, .itt = c->s->next_itt,
		.cid = c->cid, .cmdsn = c->s->cmdsn,
	};
	memcpy(h.isid, c->s->isid, 6);
	learn_all(c, keys, len, dg);
	if (tini_send(c, &h, keys, len) < 0)
		return -1;
	for (int i = 0; i < 16; i++) {   /* C=1 responses: ask for the rest */
		if (tini_recv(c, 5000) <= 0 || c->h.opcode != PDU_OP_LOGIN_RSP)
			return -1;
		c->expstatsn = c->h.statsn + 1;
		if (c->h.status_class || c->h.status_detail)
			return c->h.status_class << 8 | c->h.status_detail;
		learn_all(c, c->data, c->data_len, dg);
		c->s->tsih = c->h.tsih;
		if (!c->h.cont)
			return 0;
		struct pdu_hdr more = h;
		more.tsih = c->s->tsih;
		if (tini_send(c, &more, NULL, 0) < 0)
			return -1;
	}
	return -1;
}

int tini_login(struct tini_conn *c, const char *extra)
{
	uint8_t keys[4096];
	size_t len = login_keys(c, extra, true, false, true, keys, sizeof keys);
	struct pdu_digests dg = { 0 };
	int rc = login_step(c, PDU_STAGE_OPERATIONAL, PDU_STAGE_FULL_FEATURE, keys, len, &dg);
	c->s->next_itt++;
	if (rc == 0)
		c->dg = dg;
	return rc;
}

int tini_login_staged(struct tini_conn *c, const char *extra)
{
	uint8_t keys[4096];
	struct pdu_digests dg = { 0 };
	size_t len = login_keys(c, NULL, true, true, false, keys, sizeof keys);
	int rc = login_step(c, PDU_STAGE_SECURITY, PDU_STAGE_OPERATIONAL, keys, len, &dg);
	if (rc == 0) {
		uint8_t ops[4096];
		len = login_keys(c, extra, false, false, true, ops, sizeof ops);
		rc = login_step(c, PDU_STAGE_OPERATIONAL, PDU_STAGE_FULL_FEATURE, ops, len, &dg);
	}
	c->s->next_itt++;
	if (rc == 0)
		c->dg = dg;
	return rc;
}

/* ---- commands ------------------------------------------------------------ */

void tini_cdb_rw10(uint8_t cdb[16], bool write, uint32_t lba, uint16_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? 0x2a : 0x28;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(blocks >> 8);
	cdb[8] = (uint8_t)blocks;
}

struct pdu_hdr tini_cmd(struct tini_conn *c, const uint8_t cdb[16], uint64_t lun,
			bool read, bool write, uint32_t edtl)
{
	struct pdu_hdr h = {
		.opcode = PDU_OP_SCSI_CMD, .final = true, .read = read, .write = write,
		.attr = 1, .lun = lun, .itt = c->s->next_itt++, .edtl = edtl,
		.cmdsn = c->s->cmdsn++,
	};
	memcpy(h.cdb, cdb, 16);
	return h;
}

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

uint32_t tini_start_write(struct tini_conn *c, uint64_t lun, uint32_t lba,
			  uint16_t blocks, const uint8_t *data, bool unsolicited)
{
	struct tini_session *s = c->s;
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, true, lba, blocks);
	uint32_t edtl = blocks * TINI_BLOCK;
	struct pdu_hdr h = tini_cmd(c, cdb, lun, false, true, edtl);
	uint32_t burst = min32(edtl, s->first_burst);
	uint32_t imm = s->immediate_data && unsolicited ? min32(burst, s->target_mrdsl) : 0;
	tini_send(c, &h, data, imm);
	if (!unsolicited || s->initial_r2t)
		return h.itt;
	uint32_t datasn = 0;
	for (uint32_t off = imm; off < burst; datasn++) {
		uint32_t n = min32(burst - off, s->target_mrdsl);
		struct pdu_hdr d = {
			.opcode = PDU_OP_DATA_OUT, .final = off + n == burst, .lun = lun,
			.itt = h.itt, .ttt = PDU_RESERVED_TAG, .datasn = datasn,
			.buffer_offset = off,
		};
		tini_send(c, &d, data + off, n);
		off += n;
	}
	return h.itt;
}

int tini_answer_r2t(struct tini_conn *c, const uint8_t *buf)
{
	struct pdu_hdr r = c->h;
	uint32_t datasn = 0;
	for (uint32_t off = r.buffer_offset; off < r.buffer_offset + r.ddtl; datasn++) {
		uint32_t n = min32(r.buffer_offset + r.ddtl - off, c->s->target_mrdsl);
		struct pdu_hdr d = {
			.opcode = PDU_OP_DATA_OUT, .final = off + n == r.buffer_offset + r.ddtl,
			.lun = r.lun, .itt = r.itt, .ttt = r.ttt, .datasn = datasn,
			.buffer_offset = off,
		};
		if (tini_send(c, &d, buf + off, n) < 0)
			return -1;
		off += n;
	}
	return 0;
}

/* Answer a ping of the target's. */
static void answer_ping(struct tini_conn *c)
{
	struct pdu_hdr n = {
		.opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
		.lun = c->h.lun, .itt = PDU_RESERVED_TAG, .ttt = c->h.ttt,
		.cmdsn = c->s->cmdsn,
	};
	tini_send(c, &n, NULL, 0);
}

int tini_write(struct tini_conn *c, uint64_t lun, uint32_t lba, uint16_t blocks,
	       const uint8_t *data, uint8_t *status)
{
	uint32_t itt = tini_start_write(c, lun, lba, blocks, data, true);
	for (int i = 0; i < TINI_MAX_STEPS; i++) {
		if (tini_recv(c, 5000) <= 0)
			return -1;
		if (c->h.opcode == PDU_OP_R2T && c->h.itt == itt) {
			tini_answer_r2t(c, data);
		} else if (c->h.opcode == PDU_OP_SCSI_RSP && c->h.itt == itt) {
			*status = c->h.status;
			return 0;
		} else if (c->h.opcode == PDU_OP_NOP_IN && c->h.ttt != PDU_RESERVED_TAG) {
			answer_ping(c);
		} else {
			return -1;
		}
	}
	return -1;
}

int tini_read(struct tini_conn *c, uint64_t lun, uint32_t lba, uint16_t blocks,
	      uint8_t *data, uint8_t *status)
{
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, lba, blocks);
	uint32_t edtl = blocks * TINI_BLOCK;
	struct pdu_hdr h = tini_cmd(c, cdb, lun, true, false, edtl);
	if (tini_send(c, &h, NULL, 0) < 0)
		return -1;
	for (int i = 0; i < TINI_MAX_STEPS; i++) {
		if (tini_recv(c, 5000) <= 0)
			return -1;
		if (c->h.opcode == PDU_OP_DATA_IN && c->h.itt == h.itt) {
			if ((uint64_t)c->h.buffer_offset + c->data_len > edtl)
				return -1;
			memcpy(data + c->h.buffer_offset, c->data, c->data_len);
			if (c->h.status_present) {
				*status = c->h.status;
				return 0;
			}
		} else if (c->h.opcode == PDU_OP_SCSI_RSP && c->h.itt == h.itt) {
			*status = c->h.status;
			return 0;
		} else if (c->h.opcode == PDU_OP_NOP_IN && c->h.ttt != PDU_RESERVED_TAG) {
			answer_ping(c);
		} else {
			return -1;
		}
	}
	return -1;
}

int tini_nop(struct tini_conn *c, const void *ping, size_t len)
{
	struct pdu_hdr h = {
		.opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
		.itt = c->s->next_itt++, .ttt = PDU_RESERVED_TAG, .cmdsn = c->s->cmdsn,
	};
	if (tini_send(c, &h, ping, len) < 0 || tini_expect(c, PDU_OP_NOP_IN, 5000) <= 0)
		return -1;
	return c->h.itt == h.itt && c->data_len == len &&
		(!len || !memcmp(c->data, ping, len)) ? 0 : -1;
}

int tini_logout(struct tini_conn *c, uint8_t reason,
		const struct tini_conn *closing)
{
	if (!closing)
		closing = c;
	struct pdu_hdr h = {
		.opcode = PDU_OP_LOGOUT_REQ, .final = true, .logout_reason = reason,
		.itt = c->s->next_itt++, .cid = closing->cid, .cmdsn = c->s->cmdsn++,
	};
	/* tini_send fills in c's ExpStatSN: put closing's in its place */
	uint32_t own = c->expstatsn;
	c->expstatsn = closing->expstatsn;
	int rc = tini_send(c, &h, NULL, 0);
	c->expstatsn = own;
	if (rc < 0 || tini_expect(c, PDU_OP_LOGOUT_RSP, 5000) <= 0)
		return -1;
	return c->h.response;
}

int tini_tmf(struct tini_conn *c, uint8_t function, uint64_t lun,
	     uint32_t ref_itt, uint32_t ref_cmdsn, uint32_t expdatasn)
{
	struct pdu_hdr h = {
		.opcode = PDU_OP_TMF_REQ, .immediate = true, .final = true,
		.tmf_function = function, .lun = lun, .itt = c->s->next_itt++,
		.ref_task_tag = ref_itt, .cmdsn = c->s->cmdsn, .ref_cmdsn = ref_cmdsn,
		.expdatasn = expdatasn,
	};
	if (tini_send(c, &h, NULL, 0) < 0 || tini_expect(c, PDU_OP_TMF_RSP, 5000) <= 0)
		return -1;
	return c->h.response;
}
