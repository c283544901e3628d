/* bench_pdu.c — throughput of the wire-format core, as ratios against
 * memcpy of the same bytes measured in the same run on the same machine:
 *   - frame + digest check + BHS decode + pdu_validate, per PDU, over a
 *     stream of a read/write workload (with and without CRC32C digests);
 *   - CRC32C (ISA-L crc32_iscsi) over the same bytes.
 * Each figure is the best of several passes. Never run by the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdu/pdu.h"
#include "pdu/validate.h"

#define STREAM_BYTES (64u << 20)
#define PASSES 7
#define IO_SIZE 8192

struct stream {
	uint8_t *buf;
	size_t len;
	size_t pdus;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void append(struct stream *s, struct pdu_hdr *h, const uint8_t *data,
		   size_t data_len, struct pdu_digests dg)
{
	long n = pdu_build(h, NULL, 0, data, data_len, dg, true, s->buf + s->len,
			   STREAM_BYTES + 65536 - s->len);
	if (n < 0) {
		fprintf(stderr, "bench_pdu: pdu_build failed: %s\n", pdu_strerror((int)n));
		exit(2);
	}
	s->len += (size_t)n;
	s->pdus++;
}

/* A read/write workload: READ(10) + Data-In with status, WRITE(10) +
 * Data-Out + SCSI Response, and a NOP ping now and then. */
static void build_stream(struct stream *s, struct pdu_digests dg)
{
	uint8_t data[IO_SIZE];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13);
	s->buf = malloc(STREAM_BYTES + 65536);
	s->len = 0;
	s->pdus = 0;
	uint32_t sn = 1;
	while (s->len < STREAM_BYTES) {
		struct pdu_hdr h;
		memset(&h, 0, sizeof h);
		h.opcode = PDU_OP_SCSI_CMD;
		h.final = true;
		h.read = true;
		h.itt = sn;
		h.edtl = IO_SIZE;
		h.cmdsn = sn;
		h.cdb[0] = 0x28;
		h.cdb[8] = IO_SIZE / 512;
		append(s, &h, NULL, 0, dg);
		memset(&h, 0, sizeof h);
		h.opcode = PDU_OP_DATA_IN;
		h.final = h.status_present = true;
		h.itt = sn;
		h.ttt = PDU_RESERVED_TAG;
		h.statsn = sn;
		append(s, &h, data, IO_SIZE, dg);
		memset(&h, 0, sizeof h);
		h.opcode = PDU_OP_SCSI_CMD;
		h.final = true;
		h.write = true;
		h.itt = sn + 1;
		h.edtl = IO_SIZE;
		h.cdb[0] = 0x2a;
		append(s, &h, NULL, 0, dg);
		memset(&h, 0, sizeof h);
		h.opcode = PDU_OP_DATA_OUT;
		h.final = true;
		h.itt = sn + 1;
		h.ttt = 0x100;
		append(s, &h, data, IO_SIZE, dg);
		memset(&h, 0, sizeof h);
		h.opcode = PDU_OP_SCSI_RSP;
		h.final = true;
		h.itt = sn + 1;
		append(s, &h, NULL, 0, dg);
		if (sn % 64 == 1) {
			memset(&h, 0, sizeof h);
			h.opcode = PDU_OP_NOP_OUT;
			h.immediate = h.final = true;
			h.itt = 0x40000000u + sn;
			h.ttt = PDU_RESERVED_TAG;
			append(s, &h, data, 64, dg);
		}
		sn += 2;
	}
}

static double best_memcpy(const struct stream *s, uint8_t *dst)
{
	double best = 1e9;
	for (int p = 0; p < PASSES; p++) {
		double t0 = now_s();
		memcpy(dst, s->buf, s->len);
		double t = now_s() - t0;
		if (dst[s->len / 2] != s->buf[s->len / 2])
			exit(2);
		if (t < best)
			best = t;
	}
	return best;
}

/* Frame, verify digests, decode and validate every PDU of the stream. */
static double best_decode(const struct stream *s, struct pdu_digests dg)
{
	double best = 1e9;
	struct pdu_validate_ctx ctx = { .digests = dg };
	struct pdu_violation items[16];
	for (int p = 0; p < PASSES; p++) {
		size_t pos = 0, n = 0, bad = 0;
		double t0 = now_s();
		while (pos < s->len) {
			struct pdu_view v;
			struct pdu_error e;
			struct pdu_hdr h;
			struct pdu_violations out;
			if (pdu_parse(s->buf + pos, s->len - pos, dg, &v, &e) != 0) {
				fprintf(stderr, "bench_pdu: offset %zu: %s\n", pos, e.msg);
				exit(2);
			}
			pdu_hdr_decode(v.bhs, &h);
			pdu_violations_init(&out, items, 16);
			bad += pdu_validate_view(&v, &ctx, &out) != 0;
			pos += v.len;
			n++;
		}
		double t = now_s() - t0;
		if (n != s->pdus || bad != 0) {
			fprintf(stderr, "bench_pdu: decoded %zu of %zu PDUs, %zu invalid\n",
				n, s->pdus, bad);
			exit(2);
		}
		if (t < best)
			best = t;
	}
	return best;
}

static double best_crc(const struct stream *s)
{
	double best = 1e9;
	volatile uint32_t sink = 0;
	for (int p = 0; p < PASSES; p++) {
		double t0 = now_s();
		sink ^= pdu_crc32c(s->buf, s->len);
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	(void)sink;
	return best;
}

static double gbps(size_t bytes, double s) { return (double)bytes / s / 1e9; }

int main(void)
{
	printf("bench_pdu: %u MiB PDU stream (8 KiB reads and writes), best of %d passes\n",
	       STREAM_BYTES >> 20, PASSES);
	uint8_t *dst = malloc(STREAM_BYTES + 65536);
	static const struct { const char *name; struct pdu_digests dg; } modes[] = {
		{ "no digests", { false, false } },
		{ "header+data CRC32C", { true, true } },
	};
	for (size_t m = 0; m < 2; m++) {
		struct stream s;
		build_stream(&s, modes[m].dg);
		double t_copy = best_memcpy(&s, dst);
		double t_dec = best_decode(&s, modes[m].dg);
		printf("  %-20s memcpy %6.2f GB/s | decode+validate %6.2f GB/s, %5.2f M PDUs/s, "
		       "ratio to memcpy %.3f\n", modes[m].name, gbps(s.len, t_copy),
		       gbps(s.len, t_dec), (double)s.pdus / t_dec / 1e6, t_copy / t_dec);
		if (m == 0) {
			double t_crc = best_crc(&s);
			printf("  %-20s memcpy %6.2f GB/s | CRC32C %6.2f GB/s, ratio to memcpy %.3f\n",
			       "CRC32C (ISA-L)", gbps(s.len, t_copy), gbps(s.len, t_crc),
			       t_copy / t_crc);
		}
		free(s.buf);
	}
	free(dst);
	return 0;
}
