/* gen_target_corpus.c — writes fuzz_target's seed corpus: the scripted
 * test initiator (tests/support/tini.h, target_scenarios.h) runs whole
 * sessions against the target configured as the fuzzer configures it
 * (target_script.h), and every byte it sends, every connection it opens
 * or closes and every clock advance is recorded as a script the fuzzer
 * replays identically (the engine is deterministic: no random bytes).
 * Each seed runs as a cmocka test, so a session that goes wrong fails
 * instead of recording nonsense.
 *
 *   gen_target_corpus DIR    (make fuzz-corpus: DIR is fuzz/corpus/fuzz_target)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz/target_script.h"
#include "harness/net/mem_carrier.h"
#include "harness/proto/chap.h"
#include "pdu/keys.h"
#include "tests/support/target_scenarios.h"
#include "tests/support/tini.h"

#define MAX_LINKS 16
#define MAX_CONNS 4
#define LUN0 0
#define SCRIPT_CAP (4u << 20)

struct gen;

/* A tini link over the carrier that records what crosses it. */
struct rec_link {
	struct gen *g;
	struct tini_mem_link ml;
	unsigned slot;
};

struct gen {
	const char *name;
	struct mem_carrier *m;
	struct tgt *t;
	uint8_t *script;
	size_t len;
	uint32_t slot_conn[FTS_SLOTS];
	struct rec_link links[MAX_LINKS];
	size_t n_links;
	struct tini_session s;
};

static const char *out_dir;
static struct scsi_dev *dev;
static struct gen gen;
static struct tini_conn conns[MAX_CONNS];

static void put(struct gen *g, const void *bytes, size_t n)
{
	assert_true(g->len + n <= SCRIPT_CAP);
	memcpy(g->script + g->len, bytes, n);
	g->len += n;
}

static void put_byte(struct gen *g, uint8_t b)
{
	put(g, &b, 1);
}

/* ---- the recording link ------------------------------------------------- */

/* Bytes for the slot's connection as FEED records, runs of one byte as
 * FILL records. */
static void record_bytes(struct gen *g, unsigned slot, const uint8_t *bytes,
			 size_t len)
{
	size_t plain = 0;   /* bytes before pos not yet recorded */
	for (size_t pos = 0; pos <= len;) {
		size_t run = 0;
		while (pos < len && pos + run < len && run < 0xffff &&
		       bytes[pos + run] == bytes[pos])
			run++;
		bool fill = run >= FTS_FILL_MIN;
		if ((fill || pos == len || pos - plain == 0xffff) && pos > plain) {
			size_t n = pos - plain;
			put_byte(g, fts_record(FTS_FEED, slot));
			put_byte(g, (uint8_t)n);
			put_byte(g, (uint8_t)(n >> 8));
			put(g, bytes + plain, n);
			plain = pos;
		}
		if (pos == len)
			break;
		if (fill) {
			put_byte(g, fts_record(FTS_FILL, slot));
			put_byte(g, (uint8_t)run);
			put_byte(g, (uint8_t)(run >> 8));
			put_byte(g, bytes[pos]);
			pos += run;
			plain = pos;
		} else {
			pos++;
		}
	}
}

static int rec_send(void *ctx, const uint8_t *bytes, size_t len)
{
	struct rec_link *l = ctx;
	struct gen *g = l->g;
	/* a slot reused by a later connection would feed the wrong one */
	assert_int_equal(g->slot_conn[l->slot], l->ml.conn);
	record_bytes(g, l->slot, bytes, len);
	return tini_mem_link(&l->ml).send(&l->ml, bytes, len);
}

static long rec_recv(void *ctx, uint8_t *buf, size_t cap, struct pdu_digests dg,
		     int timeout_ms)
{
	struct rec_link *l = ctx;
	return tini_mem_link(&l->ml).recv(&l->ml, buf, cap, dg, timeout_ms);
}

static void rec_close(void *ctx, bool reset)
{
	struct rec_link *l = ctx;
	put_byte(l->g, fts_record(reset ? FTS_RST : FTS_FIN, l->slot));
	mem_carrier_peer_close(l->g->m, l->ml.conn, reset);
}

/* A new connection: the first of a seed is the one the fuzzer opens at
 * the start, the others are OPEN records; slots are used round robin. */
static struct tini_link gen_open(void *ctx)
{
	struct gen *g = ctx;
	assert_true(g->n_links < MAX_LINKS);
	struct rec_link *l = &g->links[g->n_links];
	l->g = g;
	l->ml.m = g->m;
	l->slot = (unsigned)(g->n_links % FTS_SLOTS);
	if (g->n_links)
		put_byte(g, fts_record(FTS_OPEN, l->slot));
	g->n_links++;
	l->ml.conn = mem_carrier_open(g->m);
	g->slot_conn[l->slot] = l->ml.conn;
	return (struct tini_link){ l, rec_send, rec_recv, rec_close };
}

static void gen_advance(struct gen *g, int64_t ms)
{
	for (int64_t units = ms / FTS_ADVANCE_UNIT_MS; units > 0; units -= 255) {
		uint8_t n = (uint8_t)(units > 255 ? 255 : units);
		put_byte(g, fts_record(FTS_ADVANCE, 0));
		put_byte(g, n);
		mem_carrier_advance(g->m, (int64_t)n * FTS_ADVANCE_UNIT_MS);
	}
}

/* The target sends an Asynchronous Message on link's connection. */
static void gen_async(struct gen *g, const struct tini_conn *c, uint8_t event,
		      uint8_t seconds)
{
	const struct rec_link *l = c->link.ctx;
	put_byte(g, fts_record(FTS_ASYNC, l->slot));
	put_byte(g, event);
	put_byte(g, seconds);
	assert_int_equal(tgt_async_event(g->t, l->ml.conn, event, seconds), 0);
}

/* ---- a seed's life ------------------------------------------------------------ */

static struct gen *gen_begin(const char *name, bool chap, uint8_t isid_last)
{
	struct gen *g = &gen;
	memset(g, 0, sizeof *g);
	g->name = name;
	g->script = malloc(SCRIPT_CAP);
	assert_non_null(g->script);
	g->m = mem_carrier_create(NULL, getenv("TGT_LOG") != NULL);
	struct tgt_cfg cfg = fts_target_cfg(dev, chap);
	g->t = tgt_create(&cfg, mem_carrier_io(g->m));
	assert_non_null(g->t);
	mem_carrier_set_engine(g->m, tgt_engine_ops(g->t));
	put_byte(g, chap ? FTS_CFG_CHAP : 0);   /* one connection at the start */
	tini_session_init(&g->s, FTS_INITIATOR_IQN, FTS_TARGET_IQN, isid_last);
	return g;
}

static struct tini_conn *gen_conn(struct gen *g, size_t i, uint16_t cid)
{
	tini_conn_init(&conns[i], &g->s, gen_open(g), cid);
	return &conns[i];
}

static void gen_end(struct gen *g)
{
	mem_carrier_set_engine(g->m, (struct proto_engine_ops){ 0 });
	tgt_free(g->t);
	mem_carrier_free(g->m);
	char path[512];
	snprintf(path, sizeof path, "%s/%s", out_dir, g->name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(g->script, 1, g->len, f), g->len);
	assert_int_equal(fclose(f), 0);
	free(g->script);
}

/* Write data of one byte value: recorded as FILL, so seeds stay short. */
static void fill(uint8_t *b, size_t n, uint8_t value)
{
	memset(b, value, n);
}

/* A command with no data out; receives up to its status. */
static uint8_t gen_command(struct tini_conn *c, const uint8_t cdb[16],
			   uint64_t lun, uint32_t edtl)
{
	struct pdu_hdr h = tini_cmd(c, cdb, lun, edtl > 0, false, edtl);
	assert_int_equal(tini_send(c, &h, NULL, 0), 0);
	for (;;) {
		assert_int_equal(tini_recv(c, 0), 1);
		if (c->h.opcode == PDU_OP_SCSI_RSP ||
		    (c->h.opcode == PDU_OP_DATA_IN && c->h.status_present))
			return c->h.status;
	}
}

/* ---- the scenarios shared with the engine's tests ----------------------------- */

static void run_scenario(const char *name, void (*scenario)(struct ts_env *))
{
	struct gen *g = gen_begin(name, false, 1);
	struct ts_env e = {
		.ctx = g, .open = gen_open, .quiet_ms = 0,
		.target_iqn = FTS_TARGET_IQN, .isid_last = 1,
	};
	scenario(&e);
	gen_end(g);
}

static void mcs2(struct ts_env *e) { ts_mcs(e, 2); }
static void mcs4(struct ts_env *e) { ts_mcs(e, 4); }
static void seed_mcs2(void **st) { (void)st; run_scenario("mcs-2", mcs2); }
static void seed_mcs4(void **st) { (void)st; run_scenario("mcs-4", mcs4); }
static void seed_erl1_data_digest(void **st) { (void)st; run_scenario("erl1-data-digest", ts_erl1_data_digest); }
static void seed_erl1_snack(void **st) { (void)st; run_scenario("erl1-snack", ts_erl1_snack); }
static void seed_erl2_write_reassign(void **st) { (void)st; run_scenario("erl2-write-reassign", ts_erl2_write_reassign); }
static void seed_erl2_read_reinstate(void **st) { (void)st; run_scenario("erl2-read-reinstate", ts_erl2_read_reinstate); }

/* ---- seeds of their own ---------------------------------------------------------- */

static void seed_login_read_write(void **st)
{
	(void)st;
	struct gen *g = gen_begin("login-read-write", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	static uint8_t out[16384], in[16384];
	fill(out, sizeof out, 1);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 10, 32, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(c, LUN0, 10, 32, in, &status), 0);
	assert_memory_equal(in, out, sizeof out);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_staged_login_nop(void **st)
{
	(void)st;
	struct gen *g = gen_begin("staged-login-nop", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login_staged(c, "ErrorRecoveryLevel=2\nMaxConnections=4"), 0);
	assert_int_equal(tini_nop(c, "ping", 4), 0);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_initial_r2t_digests(void **st)
{
	(void)st;
	struct gen *g = gen_begin("initial-r2t-digests", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=Yes\nImmediateData=No\n"
				    "HeaderDigest=CRC32C\nDataDigest=CRC32C"), 0);
	static uint8_t out[20480], in[20480];
	fill(out, sizeof out, 2);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 7, 40, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(c, LUN0, 7, 40, in, &status), 0);
	assert_memory_equal(in, out, sizeof out);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_unsolicited_data_out(void **st)
{
	(void)st;
	struct gen *g = gen_begin("unsolicited-data-out", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=No\nImmediateData=No\n"
				    "ErrorRecoveryLevel=1"), 0);
	static uint8_t out[24576];
	fill(out, sizeof out, 3);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 100, 48, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_scsi_commands(void **st)
{
	(void)st;
	struct gen *g = gen_begin("scsi-commands", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	static const uint8_t cdbs[][16] = {
		{ 0x12, 0, 0, 0, 96 },                  /* INQUIRY */
		{ 0x12, 1, 0x83, 0, 255 },              /* INQUIRY VPD 0x83 */
		{ 0x25 },                               /* READ CAPACITY 10 */
		{ 0x9e, 0x10, [13] = 32 },              /* READ CAPACITY 16 */
		{ 0xa0, [9] = 64 },                     /* REPORT LUNS */
		{ 0x1a, 0, 0x3f, 0, 255 },              /* MODE SENSE 6 */
		{ 0x03, 0, 0, 0, 18 },                  /* REQUEST SENSE */
		{ 0x00 },                               /* TEST UNIT READY */
		{ 0x35 },                               /* SYNCHRONIZE CACHE 10 */
		{ 0xc5 },                               /* an unknown opcode */
	};
	static const uint32_t lens[] = { 96, 255, 8, 32, 64, 255, 18, 0, 0, 0 };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
		gen_command(c, cdbs[i], LUN0, lens[i]);
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 2047, 4);          /* past the end */
	assert_int_equal(gen_command(c, cdb, LUN0, 2048), 2);
	tini_cdb_rw10(cdb, false, 0, 1);             /* a LUN that is not */
	gen_command(c, cdb, 5ull << 48, 512);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_cmdsn_window(void **st)
{
	(void)st;
	struct gen *g = gen_begin("cmdsn-window", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	uint8_t cdb[16] = { 0 };
	/* beyond the window: dropped; then CmdSN+1 before CmdSN (held) */
	struct pdu_hdr far = tini_cmd(c, cdb, LUN0, false, false, 0);
	far.cmdsn += 1000;
	g->s.cmdsn--;
	tini_send(c, &far, NULL, 0);
	struct pdu_hdr first = tini_cmd(c, cdb, LUN0, false, false, 0);
	struct pdu_hdr second = tini_cmd(c, cdb, LUN0, false, false, 0);
	tini_send(c, &second, NULL, 0);
	tini_send(c, &first, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	/* an immediate command takes no CmdSN */
	struct pdu_hdr imm = tini_cmd(c, cdb, LUN0, false, false, 0);
	imm.immediate = true;
	g->s.cmdsn--;
	tini_send(c, &imm, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_reinstatement(void **st)
{
	(void)st;
	struct gen *g = gen_begin("reinstatement", false, 1);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "MaxConnections=2"), 0);
	struct tini_conn *c1b = gen_conn(g, 1, 1);   /* the same CID again */
	assert_int_equal(tini_login(c1b, NULL), 0);
	assert_int_equal(tini_nop(c1b, "x", 1), 0);
	g->s.tsih = 0;                                /* the same ISID again */
	struct tini_conn *c2 = gen_conn(g, 2, 1);
	assert_int_equal(tini_login(c2, NULL), 0);
	assert_int_equal(tini_logout(c2, 0, NULL), 0);
	gen_end(g);
}

static void seed_tmf(void **st)
{
	(void)st;
	struct gen *g = gen_begin("tmf", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "InitialR2T=Yes\nImmediateData=No"), 0);
	static uint8_t out[4096];
	uint32_t itt = tini_start_write(c, LUN0, 0, 8, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	assert_int_equal(tini_tmf(c, 1, LUN0, itt, g->s.cmdsn - 1, 0), 0);  /* ABORT TASK */
	assert_int_equal(tini_tmf(c, 1, LUN0, 0x999, g->s.cmdsn - 50, 0), 1);
	tini_start_write(c, LUN0, 8, 8, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	assert_int_equal(tini_tmf(c, 2, LUN0, PDU_RESERVED_TAG, 0, 0), 0);  /* ABORT TASK SET */
	assert_int_equal(tini_tmf(c, 3, LUN0, PDU_RESERVED_TAG, 0, 0), 5);  /* CLEAR ACA */
	assert_int_equal(tini_tmf(c, 4, LUN0, PDU_RESERVED_TAG, 0, 0), 0);  /* CLEAR TASK SET */
	assert_int_equal(tini_tmf(c, 5, LUN0, PDU_RESERVED_TAG, 0, 0), 0);  /* LU RESET */
	assert_int_equal(tini_tmf(c, 5, 7ull << 48, PDU_RESERVED_TAG, 0, 0), 2);
	assert_true(tini_tmf(c, 6, 0, PDU_RESERVED_TAG, 0, 0) >= 0);        /* TARGET WARM RESET */
	assert_int_equal(tini_tmf(c, 8, 0, 0x1234, 0, 0), 4);               /* TASK REASSIGN at ERL 0 */
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_erl2_orphan_expires(void **st)
{
	(void)st;
	struct gen *g = gen_begin("erl2-orphan-expires", false, 1);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=2\n"
				    "InitialR2T=Yes\nImmediateData=No\nDefaultTime2Retain=20"), 0);
	struct tini_conn *c2 = gen_conn(g, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	static uint8_t out[4096];
	uint32_t itt = tini_start_write(c1, LUN0, 0, 8, out, false);
	assert_int_equal(tini_expect(c1, PDU_OP_R2T, 0), 1);
	c1->link.close(c1->link.ctx, true);
	c1->closed = true;
	assert_int_equal(tini_logout(c2, 2, c1), 0);
	gen_advance(g, 23000);
	assert_int_equal(tini_tmf(c2, 8, LUN0, itt, 0, 0), 1);
	assert_int_equal(tini_logout(c2, 0, NULL), 0);
	gen_end(g);
}

static void seed_logout_other_connection(void **st)
{
	(void)st;
	struct gen *g = gen_begin("logout-other-connection", false, 1);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=1\nMaxConnections=2"), 0);
	struct tini_conn *c2 = gen_conn(g, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	assert_int_equal(tini_nop(c1, "one", 3), 0);
	assert_int_equal(tini_logout(c2, 1, c1), 0);   /* close c1, from c2 */
	assert_int_equal(tini_nop(c2, "two", 3), 0);
	assert_int_equal(tini_logout(c2, 1, NULL), 0);
	gen_end(g);
}

static void text_request(struct tini_conn *c, const char *key, const char *value)
{
	uint8_t kv[256];
	long n = pdu_kv_append(kv, 0, sizeof kv, key, value);
	assert_true(n > 0);
	struct pdu_hdr h = {
		.opcode = PDU_OP_TEXT_REQ, .immediate = true, .final = true,
		.itt = c->s->next_itt++, .ttt = PDU_RESERVED_TAG, .cmdsn = c->s->cmdsn,
	};
	assert_int_equal(tini_send(c, &h, kv, (size_t)n), 0);
	assert_int_equal(tini_expect(c, PDU_OP_TEXT_RSP, 0), 1);
}

static void seed_discovery(void **st)
{
	(void)st;
	struct gen *g = gen_begin("discovery-sendtargets", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "SessionType=Discovery\nTargetName="), 0);
	text_request(c, "SendTargets", "All");
	text_request(c, "SendTargets", FTS_TARGET_IQN);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_text_in_session(void **st)
{
	(void)st;
	struct gen *g = gen_begin("text-in-session", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1"), 0);
	text_request(c, "SendTargets", "");
	text_request(c, "MaxRecvDataSegmentLength", "16384");
	text_request(c, "X-org.example.unknown", "1");
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

/* One login request of the CHAP exchange; the response's text in c. */
static int chap_step(struct tini_conn *c, uint8_t csg, uint8_t nsg, bool transit,
		     const char *const *kv, size_t n)
{
	uint8_t keys[1024];
	size_t used = 0;
	for (size_t i = 0; i < n; i += 2) {
		long r = pdu_kv_append(keys, used, sizeof keys, kv[i], kv[i + 1]);
		assert_true(r > 0);
		used = (size_t)r;
	}
	struct pdu_hdr h = {
		.opcode = PDU_OP_LOGIN_REQ, .immediate = true, .transit = transit,
		.csg = csg, .nsg = transit ? nsg : 0, .tsih = c->s->tsih,
		.itt = c->s->next_itt, .cid = c->cid, .cmdsn = c->s->cmdsn,
	};
	memcpy(h.isid, c->s->isid, 6);
	assert_int_equal(tini_send(c, &h, keys, used), 0);
	assert_int_equal(tini_recv(c, 0), 1);
	assert_int_equal(c->h.opcode, PDU_OP_LOGIN_RSP);
	c->expstatsn = c->h.statsn + 1;
	c->s->tsih = c->h.tsih;
	return c->h.status_class << 8 | c->h.status_detail;
}

/* The value of key in the last response's text. */
static const char *response_value(const struct tini_conn *c, const char *key,
				  char *buf, size_t cap)
{
	size_t klen = strlen(key);
	for (size_t off = 0; off < c->data_len;) {
		const char *kv = (const char *)c->data + off;
		size_t len = strnlen(kv, c->data_len - off);
		if (len > klen && !memcmp(kv, key, klen) && kv[klen] == '=') {
			snprintf(buf, cap, "%.*s", (int)(len - klen - 1), kv + klen + 1);
			return buf;
		}
		off += len + 1;
	}
	fail_msg("no %s in the login response", key);
	return NULL;
}

static void chap_login(struct tini_conn *c, bool mutual)
{
	const char *first[] = {
		"InitiatorName", FTS_INITIATOR_IQN, "TargetName", FTS_TARGET_IQN,
		"SessionType", "Normal", "AuthMethod", "CHAP,None",
	};
	assert_int_equal(chap_step(c, 0, 1, false, first, 8), 0);
	const char *alg[] = { "CHAP_A", "5" };
	assert_int_equal(chap_step(c, 0, 1, false, alg, 2), 0);
	char id_text[16], challenge_text[128];
	uint8_t challenge[64], digest[CHAP_MAX_DIGEST];
	unsigned long id = strtoul(response_value(c, "CHAP_I", id_text, sizeof id_text), NULL, 0);
	long clen = pdu_kv_decode_binary(response_value(c, "CHAP_C", challenge_text,
							sizeof challenge_text),
					 challenge, sizeof challenge, NULL);
	assert_true(clen > 0);
	size_t dlen = chap_response(CHAP_ALG_MD5, (uint8_t)id, FTS_CHAP_SECRET,
				    challenge, (size_t)clen, digest);
	char response[2 + 2 * CHAP_MAX_DIGEST + 1];
	assert_true(pdu_kv_encode_hex(digest, dlen, response, sizeof response) > 0);
	const char *reply[] = {
		"CHAP_N", FTS_CHAP_USER, "CHAP_R", response,
		"CHAP_I", "77", "CHAP_C", "0x0123456789abcdeffedcba9876543210",
	};
	assert_int_equal(chap_step(c, 0, 1, true, reply, mutual ? 8 : 4), 0);
	const char *ops[] = {
		"HeaderDigest", "CRC32C,None", "DataDigest", "None",
		"ErrorRecoveryLevel", "1", "InitialR2T", "Yes",
		"ImmediateData", "Yes", "MaxRecvDataSegmentLength", "8192",
	};
	assert_int_equal(chap_step(c, 1, 3, true, ops, 12), 0);
	c->dg.header = true;
	c->s->erl = 1;
	c->s->next_itt++;
}

static void chap_seed(const char *name, bool mutual)
{
	struct gen *g = gen_begin(name, true, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	chap_login(c, mutual);
	static uint8_t out[4096], in[4096];
	fill(out, sizeof out, 4);
	uint8_t status = 0xff;
	assert_int_equal(tini_write(c, LUN0, 3, 8, out, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(tini_read(c, LUN0, 3, 8, in, &status), 0);
	assert_memory_equal(in, out, sizeof out);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_chap(void **st) { (void)st; chap_seed("chap", false); }
static void seed_chap_mutual(void **st) { (void)st; chap_seed("chap-mutual", true); }

static void seed_chap_refused(void **st)
{
	(void)st;
	struct gen *g = gen_begin("chap-refused", true, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_not_equal(tini_login(c, NULL), 0);   /* AuthMethod=None */
	gen_end(g);
}

static void seed_nop_ping(void **st)
{
	(void)st;
	struct gen *g = gen_begin("nop-ping-timeout", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=2\nMaxConnections=2"), 0);
	gen_advance(g, 1100);   /* idle: the target pings */
	assert_int_equal(tini_expect(c, PDU_OP_NOP_IN, 0), 1);
	struct pdu_hdr pong = {
		.opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
		.lun = c->h.lun, .itt = PDU_RESERVED_TAG, .ttt = c->h.ttt,
		.cmdsn = g->s.cmdsn,
	};
	tini_send(c, &pong, NULL, 0);
	gen_advance(g, 1100);   /* pinged again, not answered: dropped */
	gen_advance(g, 4000);
	assert_false(mem_carrier_is_open(g->m, g->links[0].ml.conn));
	gen_end(g);
}

static void seed_header_digest_error(void **st)
{
	(void)st;
	struct gen *g = gen_begin("header-digest-error", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "HeaderDigest=CRC32C"), 0);
	struct pdu_hdr h = {
		.opcode = PDU_OP_NOP_OUT, .immediate = true, .final = true,
		.itt = 0x77, .ttt = PDU_RESERVED_TAG, .cmdsn = g->s.cmdsn,
		.expstatsn = c->expstatsn,
	};
	uint8_t pdu[64];
	long n = pdu_build(&h, NULL, 0, NULL, 0, c->dg, true, pdu, sizeof pdu);
	assert_true(n > 0);
	pdu[PDU_BHS_LEN] ^= 1;
	tini_send_raw(c, pdu, (size_t)n);
	gen_end(g);
}

static void seed_garbage_and_login_timeout(void **st)
{
	(void)st;
	struct gen *g = gen_begin("garbage-and-login-timeout", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, NULL), 0);
	uint8_t bhs[PDU_BHS_LEN] = { 0x1c, 0x80 };   /* an opcode no one defines */
	for (int i = 0; i < 4; i++)
		bhs[28 + i] = (uint8_t)(c->expstatsn >> (24 - 8 * i));
	tini_send_raw(c, bhs, sizeof bhs);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 0), 1);
	gen_conn(g, 1, 0);      /* never logs in */
	gen_advance(g, 6000);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_garbage(void **st)
{
	(void)st;
	struct gen *g = gen_begin("garbage", false, 1);
	struct tini_conn *c = gen_conn(g, 0, 0);
	uint8_t junk[300];
	uint32_t x = 0x12345678;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 16);
	}
	junk[0] = PDU_OP_LOGIN_REQ | 0x40;   /* a login header, then noise */
	junk[5] = junk[6] = 0;
	junk[7] = 200;
	tini_send_raw(c, junk, sizeof junk);
	c->link.close(c->link.ctx, true);
	gen_end(g);
}

/* ---- the recovery scenarios again, short (constant data) ------------------------- */

static void seed_erl1_data_digest_short(void **st)
{
	(void)st;
	struct gen *g = gen_begin("erl1-data-digest-short", false, 2);
	struct tini_conn *c = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1\nDataDigest=CRC32C\n"
				    "InitialR2T=Yes\nImmediateData=No"), 0);
	static uint8_t out[8192];
	fill(out, sizeof out, 0x5c);
	uint32_t itt = tini_start_write(c, LUN0, 200, 16, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	struct pdu_hdr r2t = c->h;
	uint32_t half = r2t.ddtl / 2;
	for (uint32_t k = 0; k < 2; k++) {
		struct pdu_hdr d = {
			.opcode = PDU_OP_DATA_OUT, .final = k == 1, .lun = LUN0,
			.itt = itt, .ttt = r2t.ttt, .datasn = k,
			.buffer_offset = k * half, .expstatsn = c->expstatsn,
		};
		static uint8_t pdu[PDU_BHS_LEN + 8192 + 8];
		long len = pdu_build(&d, NULL, 0, out, half, c->dg, true, pdu, sizeof pdu);
		assert_true(len > 0);
		if (k == 0)
			pdu[len - 1] ^= 0x5a;   /* a broken data digest */
		tini_send_raw(c, pdu, (size_t)len);
	}
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);   /* recovery R2T */
	assert_int_equal(tini_answer_r2t(c, out), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(c->h.status, 0);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_erl1_snack_short(void **st)
{
	(void)st;
	struct gen *g = gen_begin("erl1-snack-short", false, 2);
	struct tini_conn *c = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1\nHeaderDigest=CRC32C\n"
				    "MaxRecvDataSegmentLength=4096"), 0);
	static uint8_t out[16384];
	fill(out, sizeof out, 0x33);
	uint8_t status;
	assert_int_equal(tini_write(c, LUN0, 300, 32, out, &status), 0);
	uint32_t status_sn = c->h.statsn;
	c->expstatsn = status_sn;   /* unacknowledged: a Status SNACK */
	struct pdu_hdr sn = {
		.opcode = PDU_OP_SNACK_REQ, .final = true, .snack_type = PDU_SNACK_STATUS,
		.itt = PDU_RESERVED_TAG, .ttt = PDU_RESERVED_TAG, .begrun = status_sn,
		.runlength = 1,
	};
	tini_send(c, &sn, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 300, 32);
	struct pdu_hdr rd = tini_cmd(c, cdb, LUN0, true, false, sizeof out);
	tini_send(c, &rd, NULL, 0);
	uint32_t last_sn = 0, ack_ttt = PDU_RESERVED_TAG;
	for (int i = 0; i < 16; i++) {
		assert_int_equal(tini_recv(c, 0), 1);
		if (c->h.opcode == PDU_OP_DATA_IN && c->h.ack)
			ack_ttt = c->h.ttt;
		if (c->h.status_present || c->h.opcode == PDU_OP_SCSI_RSP) {
			last_sn = c->h.statsn;
			break;
		}
	}
	c->expstatsn = last_sn;
	struct pdu_hdr ds = {   /* Data SNACK for DataSN 1 */
		.opcode = PDU_OP_SNACK_REQ, .final = true, .snack_type = PDU_SNACK_DATA_R2T,
		.itt = rd.itt, .ttt = PDU_RESERVED_TAG, .begrun = 1, .runlength = 1,
	};
	tini_send(c, &ds, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_DATA_IN, 0), 1);
	struct pdu_hdr rdata = ds;   /* R-Data SNACK: every Data-In again */
	rdata.snack_type = PDU_SNACK_RDATA;
	rdata.begrun = 0;
	rdata.runlength = 0;
	rdata.ttt = 0x5eed;
	tini_send(c, &rdata, NULL, 0);
	if (ack_ttt != PDU_RESERVED_TAG) {   /* DataACK */
		struct pdu_hdr ack = ds;
		ack.snack_type = PDU_SNACK_DATA_ACK;
		ack.itt = PDU_RESERVED_TAG;
		ack.ttt = ack_ttt;
		ack.begrun = 2;
		ack.runlength = 0;
		tini_send(c, &ack, NULL, 0);
	}
	ds.begrun = 40;   /* a Data-In never sent: Reject */
	tini_send(c, &ds, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_REJECT, 0), 1);
	c->expstatsn = c->h.statsn + 1;
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_erl2_write_reassign_short(void **st)
{
	(void)st;
	struct gen *g = gen_begin("erl2-write-reassign-short", false, 2);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=2\n"
				    "InitialR2T=Yes\nImmediateData=No\n"
				    "DefaultTime2Wait=0\nDefaultTime2Retain=20"), 0);
	struct tini_conn *c2 = gen_conn(g, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	static uint8_t out[16384];
	fill(out, sizeof out, 0x7b);
	uint32_t itt = tini_start_write(c1, LUN0, 400, 32, out, false);
	assert_int_equal(tini_expect(c1, PDU_OP_R2T, 0), 1);
	struct pdu_hdr r2t = c1->h;
	struct pdu_hdr d = {
		.opcode = PDU_OP_DATA_OUT, .lun = LUN0, .itt = itt,
		.ttt = r2t.ttt, .datasn = 0, .buffer_offset = r2t.buffer_offset,
	};
	tini_send(c1, &d, out, r2t.ddtl / 2);
	c1->link.close(c1->link.ctx, true);
	c1->closed = true;
	assert_int_equal(tini_logout(c2, 2, c1), 0);
	assert_int_equal(tini_tmf(c2, 8, LUN0, itt, 0, 0), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(tini_recv(c2, 0), 1);
		if (c2->h.opcode != PDU_OP_R2T)
			break;
		assert_int_equal(tini_answer_r2t(c2, out), 0);
	}
	assert_int_equal(c2->h.opcode, PDU_OP_SCSI_RSP);
	assert_int_equal(tini_logout(c2, 0, NULL), 0);
	gen_end(g);
}

static void seed_erl2_read_reinstate_short(void **st)
{
	(void)st;
	struct gen *g = gen_begin("erl2-read-reinstate-short", false, 2);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=1\n"
				    "DefaultTime2Wait=0"), 0);
	uint8_t cdb[16];
	tini_cdb_rw10(cdb, false, 500, 32);
	struct pdu_hdr h = tini_cmd(c1, cdb, LUN0, true, false, 16384);
	tini_send(c1, &h, NULL, 0);
	assert_int_equal(tini_expect(c1, PDU_OP_DATA_IN, 0), 1);
	c1->link.close(c1->link.ctx, false);
	c1->closed = true;
	struct tini_conn *c1b = gen_conn(g, 1, 1);
	assert_int_equal(tini_login(c1b, NULL), 0);
	assert_int_equal(tini_tmf(c1b, 8, LUN0, h.itt, 0, 0), 0);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(tini_recv(c1b, 0), 1);
		if (c1b->h.status_present || c1b->h.opcode == PDU_OP_SCSI_RSP)
			break;
	}
	assert_int_equal(tini_logout(c1b, 0, NULL), 0);
	gen_end(g);
}

static void seed_mcs4_short(void **st)
{
	(void)st;
	struct gen *g = gen_begin("mcs-4-short", false, 2);
	struct tini_conn *c[MAX_CONNS];
	c[0] = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c[0], "ErrorRecoveryLevel=2\nMaxConnections=4\n"
				    "HeaderDigest=CRC32C,None"), 0);
	for (size_t i = 1; i < MAX_CONNS; i++) {
		c[i] = gen_conn(g, i, (uint16_t)(i + 1));
		assert_int_equal(tini_login(c[i], i == 2 ? "DataDigest=CRC32C" : NULL), 0);
	}
	static uint8_t out[8192];
	fill(out, sizeof out, 0x11);
	uint8_t status;
	for (size_t i = 0; i < MAX_CONNS; i++) {
		assert_int_equal(tini_write(c[i], LUN0, 64 * (uint32_t)i, 16, out, &status), 0);
		assert_int_equal(tini_read(c[(i + 1) % MAX_CONNS], LUN0, 64 * (uint32_t)i,
					   16, out, &status), 0);
	}
	assert_int_equal(tini_logout(c[3], 1, c[1]), 0);
	assert_int_equal(tini_logout(c[0], 0, NULL), 0);
	gen_end(g);
}

/* ---- more of the engine's corners ------------------------------------------------ */

static void seed_held_commands(void **st)
{
	(void)st;
	struct gen *g = gen_begin("held-commands", false, 3);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1"), 0);
	uint32_t gap = g->s.cmdsn++;   /* filled last */
	struct pdu_hdr tmf = {
		.opcode = PDU_OP_TMF_REQ, .final = true, .tmf_function = 2,
		.itt = g->s.next_itt++, .ref_task_tag = PDU_RESERVED_TAG,
		.cmdsn = g->s.cmdsn++,
	};
	tini_send(c, &tmf, NULL, 0);
	uint8_t kv[64];
	long n = pdu_kv_append(kv, 0, sizeof kv, "SendTargets", "All");
	assert_true(n > 0);
	struct pdu_hdr text = {
		.opcode = PDU_OP_TEXT_REQ, .final = true, .itt = g->s.next_itt++,
		.ttt = PDU_RESERVED_TAG, .cmdsn = g->s.cmdsn++,
	};
	tini_send(c, &text, kv, (size_t)n);
	struct pdu_hdr nop = {
		.opcode = PDU_OP_NOP_OUT, .final = true, .itt = g->s.next_itt++,
		.ttt = PDU_RESERVED_TAG, .cmdsn = g->s.cmdsn++,
	};
	tini_send(c, &nop, "held", 4);
	struct pdu_hdr logout = {
		.opcode = PDU_OP_LOGOUT_REQ, .final = true, .itt = g->s.next_itt++,
		.cmdsn = g->s.cmdsn++,
	};
	tini_send(c, &logout, NULL, 0);
	assert_int_equal(tini_recv(c, 0), -1);   /* all wait for the gap */
	uint8_t cdb[16] = { 0 };
	struct pdu_hdr tur = tini_cmd(c, cdb, LUN0, false, false, 0);
	tur.cmdsn = gap;
	g->s.cmdsn--;
	tini_send(c, &tur, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_LOGOUT_RSP, 0), 1);
	gen_end(g);
}

static void seed_r2t_snack(void **st)
{
	(void)st;
	struct gen *g = gen_begin("r2t-snack", false, 3);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=1\nInitialR2T=Yes\n"
				    "ImmediateData=No"), 0);
	static uint8_t out[4096];
	fill(out, sizeof out, 0x42);
	uint32_t itt = tini_start_write(c, LUN0, 30, 8, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	struct pdu_hdr snack = {
		.opcode = PDU_OP_SNACK_REQ, .final = true, .snack_type = PDU_SNACK_DATA_R2T,
		.itt = itt, .ttt = PDU_RESERVED_TAG, .begrun = 0, .runlength = 0,
	};
	tini_send(c, &snack, NULL, 0);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	assert_int_equal(tini_answer_r2t(c, out), 0);
	assert_int_equal(tini_expect(c, PDU_OP_SCSI_RSP, 0), 1);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

static void seed_session_retention_expires(void **st)
{
	(void)st;
	struct gen *g = gen_begin("session-retention-expires", false, 3);
	struct tini_conn *c = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c, "ErrorRecoveryLevel=2\nInitialR2T=Yes\n"
				    "ImmediateData=No"), 0);
	static uint8_t out[4096];
	tini_start_write(c, LUN0, 0, 8, out, false);
	assert_int_equal(tini_expect(c, PDU_OP_R2T, 0), 1);
	c->link.close(c->link.ctx, false);   /* the only connection goes */
	gen_advance(g, 25000);
	gen_end(g);
}

static void seed_async_events(void **st)
{
	(void)st;
	struct gen *g = gen_begin("async-events", false, 3);
	struct tini_conn *c1 = gen_conn(g, 0, 1);
	assert_int_equal(tini_login(c1, "ErrorRecoveryLevel=2\nMaxConnections=3"), 0);
	struct tini_conn *c2 = gen_conn(g, 1, 2);
	assert_int_equal(tini_login(c2, NULL), 0);
	struct tini_conn *c3 = gen_conn(g, 2, 3);
	assert_int_equal(tini_login(c3, NULL), 0);
	gen_async(g, c1, 1, 5);   /* logout requested */
	assert_int_equal(tini_expect(c1, PDU_OP_ASYNC_MSG, 0), 1);
	gen_async(g, c2, 2, 0);   /* connection dropped */
	assert_int_equal(tini_nop(c3, "x", 1), 0);
	gen_async(g, c3, 3, 0);   /* session dropped */
	gen_end(g);
}

/* A Text Request in two PDUs (C=1), answered by a response too long for
 * one PDU of the initiator's MaxRecvDataSegmentLength: fetched in parts. */
static void seed_text_continued(void **st)
{
	(void)st;
	struct gen *g = gen_begin("text-continued", false, 3);
	struct tini_conn *c = gen_conn(g, 0, 0);
	assert_int_equal(tini_login(c, "MaxRecvDataSegmentLength=512"), 0);
	uint8_t keys[2][1024];
	size_t used[2] = { 0, 0 };
	for (int i = 0; i < 40; i++) {
		char key[32];
		snprintf(key, sizeof key, "X-org.example.key%02d", i);
		long n = pdu_kv_append(keys[i / 20], used[i / 20], sizeof keys[0], key,
				       "some-value");
		assert_true(n > 0);
		used[i / 20] = (size_t)n;
	}
	uint32_t itt = g->s.next_itt++;
	struct pdu_hdr h = {
		.opcode = PDU_OP_TEXT_REQ, .immediate = true, .cont = true,
		.itt = itt, .ttt = PDU_RESERVED_TAG, .cmdsn = g->s.cmdsn,
	};
	assert_int_equal(tini_send(c, &h, keys[0], used[0]), 0);
	assert_int_equal(tini_expect(c, PDU_OP_TEXT_RSP, 0), 1);
	h.cont = false;
	h.final = true;
	h.ttt = c->h.ttt;
	assert_int_equal(tini_send(c, &h, keys[1], used[1]), 0);
	for (int part = 0; part < 32; part++) {
		assert_int_equal(tini_expect(c, PDU_OP_TEXT_RSP, 0), 1);
		if (c->h.final)
			break;
		h.ttt = c->h.ttt;   /* the rest, with an empty request */
		assert_int_equal(tini_send(c, &h, NULL, 0), 0);
	}
	assert_true(c->h.final);
	assert_int_equal(tini_logout(c, 0, NULL), 0);
	gen_end(g);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	char err[128];
	dev = scsi_dev_create("FUZZ");
	if (!dev || scsi_dev_add_ram(dev, FTS_LUN_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "no device: %s\n", err);
		return 1;
	}
	const struct CMUnitTest seeds[] = {
		cmocka_unit_test(seed_login_read_write),
		cmocka_unit_test(seed_staged_login_nop),
		cmocka_unit_test(seed_initial_r2t_digests),
		cmocka_unit_test(seed_unsolicited_data_out),
		cmocka_unit_test(seed_scsi_commands),
		cmocka_unit_test(seed_cmdsn_window),
		cmocka_unit_test(seed_reinstatement),
		cmocka_unit_test(seed_tmf),
		cmocka_unit_test(seed_mcs2),
		cmocka_unit_test(seed_mcs4),
		cmocka_unit_test(seed_erl1_data_digest),
		cmocka_unit_test(seed_erl1_snack),
		cmocka_unit_test(seed_erl2_write_reassign),
		cmocka_unit_test(seed_erl2_read_reinstate),
		cmocka_unit_test(seed_erl2_orphan_expires),
		cmocka_unit_test(seed_logout_other_connection),
		cmocka_unit_test(seed_discovery),
		cmocka_unit_test(seed_text_in_session),
		cmocka_unit_test(seed_chap),
		cmocka_unit_test(seed_chap_mutual),
		cmocka_unit_test(seed_chap_refused),
		cmocka_unit_test(seed_nop_ping),
		cmocka_unit_test(seed_header_digest_error),
		cmocka_unit_test(seed_garbage_and_login_timeout),
		cmocka_unit_test(seed_garbage),
		cmocka_unit_test(seed_erl1_data_digest_short),
		cmocka_unit_test(seed_erl1_snack_short),
		cmocka_unit_test(seed_erl2_write_reassign_short),
		cmocka_unit_test(seed_erl2_read_reinstate_short),
		cmocka_unit_test(seed_mcs4_short),
		cmocka_unit_test(seed_held_commands),
		cmocka_unit_test(seed_r2t_snack),
		cmocka_unit_test(seed_session_retention_expires),
		cmocka_unit_test(seed_async_events),
		cmocka_unit_test(seed_text_continued),
	};
	int failed = cmocka_run_group_tests(seeds, NULL, NULL);
	scsi_dev_free(dev);
	return failed ? 1 : 0;
}
