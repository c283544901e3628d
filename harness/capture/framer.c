/* framer.c — iSCSI framing of a reassembled stream: PDUs, digests learnt
 * from the login or inferred from the bytes, and resynchronisation at the
 * next plausible BHS (see framer.h). */
#include "harness/capture/framer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A suspicious PDU (undefined opcode, failing header digest) with a data
 * segment longer than this is taken as a length read from garbage: resync
 * at once. (tshark's iscsi.bogus_pdu_max_data_len has the same default.) */
#define SUSPECT_MAX_DSL (256u << 10)
/* A resync candidate without a verified header digest whose data segment
 * is longer than this is not taken: waiting for 16 MiB to learn whether it
 * chains would stall the stream for a guess. */
#define RESYNC_MAX_WEAK_DSL (1u << 20)
#define BUF_MIN 4096u

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static const char *dir_name(enum ev_dir d)
{
	return d == EV_DIR_I2T ? "initiator->target" : "target->initiator";
}

/* ---- events ------------------------------------------------------------- */

void framer_emit(struct framer_sink *sink, struct event *ev)
{
	if (!ev->frame) {
		ev->frame = sink->frame;
		ev->ts_ns = sink->ts_ns;
	}
	if ((unsigned)ev->kind <= EV_RESYNC)
		sink->counts[ev->kind]++;
	if (sink->bus)
		ev_emit(sink->bus, ev);
}

void framer_note(struct framer_sink *sink, uint32_t conn, enum ev_dir dir,
		 const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct event ev = { .kind = EV_NOTE, .conn = conn, .dir = dir, .text = text };
	framer_emit(sink, &ev);
}

/* ---- plausibility of a BHS ---------------------------------------------- */

/* What RFC 7143 §11 fixes in each opcode's BHS. */
struct bhs_rule {
	uint8_t i_bit;       /* 0: I must be clear, 1: must be set, 2: either */
	uint8_t flags_rsv;   /* byte 1 bits that are reserved (0) */
	uint8_t flags_set;   /* byte 1 bits that are always 1 */
	bool data;           /* may carry a data segment */
	bool ahs;            /* may carry AHS */
	uint8_t rsv[5][2];   /* reserved byte ranges, first..last; {0,0} ends */
};

static const struct bhs_rule *bhs_rule(uint8_t op)
{
	static const struct bhs_rule nop_out = { 2, 0x7f, 0x80, true, false, { { 2, 3 }, { 32, 47 } } };
	static const struct bhs_rule scsi_cmd = { 2, 0x18, 0, true, true, { { 2, 3 } } };
	static const struct bhs_rule tmf_req = { 2, 0, 0x80, false, false, { { 2, 3 }, { 40, 47 } } };
	static const struct bhs_rule login_req = { 1, 0x30, 0, true, false, { { 22, 23 }, { 32, 47 } } };
	static const struct bhs_rule text_req = { 2, 0x3f, 0, true, false, { { 2, 3 }, { 32, 47 } } };
	static const struct bhs_rule data_out = { 0, 0x7f, 0, true, false,
		{ { 2, 3 }, { 24, 27 }, { 32, 35 }, { 44, 47 } } };
	static const struct bhs_rule logout_req = { 2, 0, 0x80, false, false,
		{ { 2, 3 }, { 8, 15 }, { 22, 23 }, { 32, 47 } } };
	static const struct bhs_rule snack = { 0, 0x70, 0x80, false, false,
		{ { 2, 3 }, { 24, 27 }, { 32, 39 } } };
	static const struct bhs_rule nop_in = { 0, 0x7f, 0x80, true, false, { { 2, 3 }, { 36, 47 } } };
	static const struct bhs_rule scsi_rsp = { 0, 0x61, 0x80, true, false, { { 8, 15 } } };
	static const struct bhs_rule tmf_rsp = { 0, 0x7f, 0x80, false, false,
		{ { 3, 3 }, { 8, 15 }, { 20, 23 }, { 36, 47 } } };
	static const struct bhs_rule login_rsp = { 0, 0x30, 0, true, false, { { 20, 23 }, { 38, 47 } } };
	static const struct bhs_rule text_rsp = { 0, 0x3f, 0, true, false, { { 2, 3 }, { 36, 47 } } };
	static const struct bhs_rule data_in = { 0, 0x38, 0, true, false, { { 2, 2 } } };
	static const struct bhs_rule logout_rsp = { 0, 0x7f, 0x80, false, false,
		{ { 3, 3 }, { 8, 15 }, { 20, 23 }, { 36, 39 }, { 44, 47 } } };
	static const struct bhs_rule r2t = { 0, 0x7f, 0x80, false, false, { { 2, 3 } } };
	static const struct bhs_rule async = { 0, 0x7f, 0x80, true, false,
		{ { 2, 3 }, { 20, 23 }, { 44, 47 } } };
	static const struct bhs_rule reject = { 0, 0x7f, 0x80, true, false,
		{ { 3, 3 }, { 8, 15 }, { 20, 23 }, { 40, 47 } } };
	switch (op) {
	case PDU_OP_NOP_OUT: return &nop_out;
	case PDU_OP_SCSI_CMD: return &scsi_cmd;
	case PDU_OP_TMF_REQ: return &tmf_req;
	case PDU_OP_LOGIN_REQ: return &login_req;
	case PDU_OP_TEXT_REQ: return &text_req;
	case PDU_OP_DATA_OUT: return &data_out;
	case PDU_OP_LOGOUT_REQ: return &logout_req;
	case PDU_OP_SNACK_REQ: return &snack;
	case PDU_OP_NOP_IN: return &nop_in;
	case PDU_OP_SCSI_RSP: return &scsi_rsp;
	case PDU_OP_TMF_RSP: return &tmf_rsp;
	case PDU_OP_LOGIN_RSP: return &login_rsp;
	case PDU_OP_TEXT_RSP: return &text_rsp;
	case PDU_OP_DATA_IN: return &data_in;
	case PDU_OP_LOGOUT_RSP: return &logout_rsp;
	case PDU_OP_R2T: return &r2t;
	case PDU_OP_ASYNC_MSG: return &async;
	case PDU_OP_REJECT: return &reject;
	default: return NULL;
	}
}

/* A defined opcode that dir's sender may use. */
static bool opcode_fits(uint8_t byte0, enum ev_dir dir)
{
	uint8_t op = byte0 & 0x3f;
	if (!pdu_opcode_is_defined(op))
		return false;
	return pdu_opcode_is_initiator(op) == (dir == EV_DIR_I2T);
}

bool framer_plausible_bhs(const uint8_t *b, enum ev_dir dir)
{
	if (b[0] & 0x80)
		return false;
	if (!opcode_fits(b[0], dir))
		return false;
	const struct bhs_rule *r = bhs_rule(b[0] & 0x3f);
	bool i = (b[0] & 0x40) != 0;
	if ((r->i_bit == 0 && i) || (r->i_bit == 1 && !i))
		return false;
	if ((b[1] & r->flags_rsv) || (b[1] & r->flags_set) != r->flags_set)
		return false;
	if (b[4] && !r->ahs)
		return false;
	if (!r->data && (b[5] | b[6] | b[7]))
		return false;
	for (int k = 0; k < 5 && r->rsv[k][0]; k++)
		for (unsigned j = r->rsv[k][0]; j <= r->rsv[k][1]; j++)
			if (b[j])
				return false;
	if ((b[0] & 0x3f) == PDU_OP_LOGIN_REQ || (b[0] & 0x3f) == PDU_OP_LOGIN_RSP) {
		/* CSG 2 is reserved, and NSG 2 with T=1 */
		if (((b[1] >> 2) & 3) == 2 || ((b[1] & 0x80) && (b[1] & 3) == 2))
			return false;
	}
	return true;
}

/* ---- digests ------------------------------------------------------------ */

static bool is_login(uint8_t byte0)
{
	uint8_t op = byte0 & 0x3f;
	return op == PDU_OP_LOGIN_REQ || op == PDU_OP_LOGIN_RSP;
}

static size_t ahs_len(const uint8_t *b)
{
	return (size_t)b[4] * 4;
}

/* Bytes the PDU at b occupies with digests dg. */
static size_t pdu_total(const uint8_t *b, struct pdu_digests dg)
{
	size_t dsl = be24(b + 5);
	size_t n = PDU_BHS_LEN + ahs_len(b) + (dg.header ? PDU_DIGEST_LEN : 0);
	if (dsl)
		n += dsl + pdu_pad_len(dsl) + (dg.data ? PDU_DIGEST_LEN : 0);
	return n;
}

/* The header digest of the PDU at b verifies (caller ensures the bytes). */
static bool hd_verifies(const uint8_t *b)
{
	size_t h = PDU_BHS_LEN + ahs_len(b);
	return pdu_crc32c(b, h) == pdu_get_digest(b + h);
}

/* What one PDU taught about unknown digest settings. */
struct dg_learnt {
	bool hd, dd;          /* this PDU decided the setting */
	bool hd_on, dd_on;
};

/*
 * The digests for the PDU at b[0..n). Returns 1 (dg set), or 0 when more
 * bytes are needed to decide (*need set). In inference, an unknown setting
 * is decided by whether its CRC32C verifies, and reported in *l.
 */
static int choose_dg(const struct framer_conn *fc, const uint8_t *b, size_t n,
		     struct pdu_digests *dg, size_t *need, struct dg_learnt *l)
{
	memset(l, 0, sizeof *l);
	*dg = (struct pdu_digests){ false, false };
	if (fc->mode == FRAMER_DG_LOGIN)
		return 1;
	if (fc->mode == FRAMER_DG_KNOWN) {
		*dg = fc->dg;
		return 1;
	}
	if (is_login(b[0]))
		return 1; /* login PDUs never carry digests */
	size_t h = PDU_BHS_LEN + ahs_len(b);
	if (fc->hd != FRAMER_UNKNOWN) {
		dg->header = fc->hd == FRAMER_ON;
	} else {
		if (n < h + PDU_DIGEST_LEN) {
			*need = h + PDU_DIGEST_LEN;
			return 0;
		}
		dg->header = hd_verifies(b);
		l->hd = true;
		l->hd_on = dg->header;
	}
	size_t dsl = be24(b + 5);
	if (fc->dd != FRAMER_UNKNOWN || dsl == 0) {
		dg->data = fc->dd == FRAMER_ON;
		return 1;
	}
	size_t doff = h + (dg->header ? PDU_DIGEST_LEN : 0);
	size_t dlen = dsl + pdu_pad_len(dsl);
	if (n < doff + dlen + PDU_DIGEST_LEN) {
		*need = doff + dlen + PDU_DIGEST_LEN;
		return 0;
	}
	dg->data = pdu_crc32c(b + doff, dlen) == pdu_get_digest(b + doff + dlen);
	l->dd = true;
	l->dd_on = dg->data;
	return 1;
}

/* A Login PDU whose data segment is key=value text: strong evidence of a
 * PDU boundary on its own (caller ensures the whole PDU is there). */
static bool login_with_keys(const uint8_t *b, size_t n)
{
	if (!is_login(b[0]))
		return false;
	size_t dsl = be24(b + 5);
	size_t doff = PDU_BHS_LEN + ahs_len(b);
	if (dsl == 0 || n < doff + dsl)
		return false;
	bool eq = false;
	for (size_t i = 0; i < dsl; i++) {
		uint8_t ch = b[doff + i];
		if (ch == '=')
			eq = true;
		else if (ch != 0 && (ch < 0x20 || ch > 0x7e))
			return false;
	}
	return eq;
}

/* Record what a taken PDU taught, with a note per setting. */
static void apply_learnt(struct framer_dir *fd, const struct dg_learnt *l, uint64_t off)
{
	struct framer_conn *fc = fd->fc;
	if (fc->mode != FRAMER_DG_INFER)
		return;
	if (l->hd && fc->hd == FRAMER_UNKNOWN) {
		fc->hd = l->hd_on ? FRAMER_ON : FRAMER_OFF;
		framer_note(fc->sink, fc->conn, fd->dir,
			    "digests inferred from the bytes (the end of the login is not "
			    "in the capture): HeaderDigest=%s, from the PDU at stream offset %llu of the %s stream",
			    l->hd_on ? "CRC32C" : "None", (unsigned long long)off,
			    dir_name(fd->dir));
	}
	if (l->dd && fc->dd == FRAMER_UNKNOWN) {
		fc->dd = l->dd_on ? FRAMER_ON : FRAMER_OFF;
		framer_note(fc->sink, fc->conn, fd->dir,
			    "digests inferred from the bytes (the end of the login is not "
			    "in the capture): DataDigest=%s, from the PDU at stream offset %llu of the %s stream",
			    l->dd_on ? "CRC32C" : "None", (unsigned long long)off,
			    dir_name(fd->dir));
	}
}

/* ---- login learning ----------------------------------------------------- */

/* The outcome of a digest key: the target's answer when it is one value,
 * else the initiator's single value (its answer to the target's offer). */
static bool outcome_on(char val[2][40])
{
	const char *t = val[EV_DIR_T2I], *i = val[EV_DIR_I2T];
	if (t[0] && !strchr(t, ','))
		return strcmp(t, "CRC32C") == 0;
	if (i[0] && !strchr(i, ','))
		return strcmp(i, "CRC32C") == 0;
	return false;
}

/* The first 39 bytes of v (what snprintf() with "%s" would keep). */
static void keep_value(char dst[40], const char *v)
{
	const char *s = v ? v : "";
	size_t n = strnlen(s, 39);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void learn_login(struct framer_dir *fd, const uint8_t *b, size_t total,
			struct pdu_digests dg)
{
	struct framer_conn *fc = fd->fc;
	uint8_t op = b[0] & 0x3f;
	if (fc->mode == FRAMER_DG_INFER) {
		/* a login in a capture that started mid-way: learn from here */
		fc->mode = FRAMER_DG_LOGIN;
		fc->hd = fc->dd = FRAMER_UNKNOWN;
	}
	if (fc->mode != FRAMER_DG_LOGIN)
		return;
	bool ok_dir = (op == PDU_OP_LOGIN_REQ && fd->dir == EV_DIR_I2T) ||
		      (op == PDU_OP_LOGIN_RSP && fd->dir == EV_DIR_T2I);
	if (!ok_dir)
		return;
	int d = fd->dir;
	size_t doff = PDU_BHS_LEN + ahs_len(b) + (dg.header ? PDU_DIGEST_LEN : 0);
	size_t dsl = be24(b + 5);
	bool more = (b[1] & 0x40) != 0;
	if (doff + dsl > total)
		return;
	if (!fc->kv_used[d]) {
		pdu_kv_init(&fc->kv[d], 0);
		fc->kv_used[d] = true;
	}
	struct pdu_kv_parser *kp = &fc->kv[d];
	if (pdu_kv_feed(kp, b + doff, dsl, more, NULL) == PDU_OK) {
		struct pdu_kv_pair pair;
		int rc;
		while ((rc = pdu_kv_next(kp, &pair, NULL)) != 0) {
			if (rc < 0 || !pair.key)
				continue;
			if (pdu_key_is(pair.def, PDU_KEY_ID_HEADER_DIGEST))
				keep_value(fc->hd_val[d], pair.value);
			else if (pdu_key_is(pair.def, PDU_KEY_ID_DATA_DIGEST))
				keep_value(fc->dd_val[d], pair.value);
		}
	}
	if (!more || pdu_kv_done(kp))
		pdu_kv_reset(kp);

	bool transit = (b[1] & 0x80) != 0;
	if (op == PDU_OP_LOGIN_RSP && transit && (b[1] & 3) == PDU_STAGE_FULL_FEATURE &&
	    b[36] == 0 && b[37] == 0) {
		fc->dg.header = outcome_on(fc->hd_val);
		fc->dg.data = outcome_on(fc->dd_val);
		fc->mode = FRAMER_DG_KNOWN;
		for (int k = 0; k < 2; k++) {
			if (fc->kv_used[k])
				pdu_kv_free(&fc->kv[k]);
			fc->kv_used[k] = false;
		}
	}
}

/* ---- framing ------------------------------------------------------------ */

void framer_conn_init(struct framer_conn *fc, struct framer_sink *sink,
		      uint32_t conn, enum framer_dg_mode mode)
{
	memset(fc, 0, sizeof *fc);
	fc->sink = sink;
	fc->conn = conn;
	fc->mode = mode;
	fc->hd = fc->dd = FRAMER_UNKNOWN;
}

void framer_conn_free(struct framer_conn *fc)
{
	for (int k = 0; k < 2; k++) {
		if (fc->kv_used[k])
			pdu_kv_free(&fc->kv[k]);
		fc->kv_used[k] = false;
	}
}

void framer_dir_init(struct framer_dir *fd, struct framer_conn *fc,
		     enum ev_dir dir, bool in_sync)
{
	memset(fd, 0, sizeof *fd);
	fd->fc = fc;
	fd->dir = dir;
	fd->in_sync = in_sync;
}

void framer_dir_free(struct framer_dir *fd)
{
	free(fd->buf);
	fd->buf = NULL;
	fd->cap = fd->head = fd->tail = 0;
}

static void emit_pdu(struct framer_dir *fd, const uint8_t *b, size_t total,
		     struct pdu_digests dg, uint64_t off)
{
	struct framer_conn *fc = fd->fc;
	struct event ev = { .kind = EV_PDU, .conn = fc->conn, .dir = fd->dir,
			    .bytes = b, .len = total, .digests = dg,
			    .stream_offset = off };
	framer_emit(fc->sink, &ev);
	fd->pdus++;
	if (is_login(b[0]))
		learn_login(fd, b, total, dg);
}

static void note_cut(struct framer_dir *fd, const uint8_t *b, size_t have,
		     size_t total, uint64_t off, const char *why)
{
	struct framer_conn *fc = fd->fc;
	char name[24];
	if (have < PDU_BHS_LEN)
		framer_note(fc->sink, fc->conn, fd->dir,
			    "conn %u %s: a PDU at stream offset %llu is cut by %s after "
			    "%zu bytes of its BHS (last bytes in frame %llu)",
			    fc->conn, dir_name(fd->dir), (unsigned long long)off, why,
			    have, (unsigned long long)fd->last_frame);
	else
		framer_note(fc->sink, fc->conn, fd->dir,
			    "conn %u %s: the %s PDU at stream offset %llu is cut by %s: "
			    "%zu of its %zu bytes are in the capture (last bytes in frame %llu)",
			    fc->conn, dir_name(fd->dir), pdu_opcode_name(b[0] & 0x3f, name),
			    (unsigned long long)off, why, have, total,
			    (unsigned long long)fd->last_frame);
}

static void note_skipped(struct framer_dir *fd, const char *why)
{
	struct framer_conn *fc = fd->fc;
	if (fd->skipped)
		framer_note(fc->sink, fc->conn, fd->dir,
			    "conn %u %s: %llu bytes from stream offset %llu hold no PDU "
			    "boundary before %s", fc->conn, dir_name(fd->dir),
			    (unsigned long long)fd->skipped,
			    (unsigned long long)fd->skip_from, why);
	fd->skipped = 0;
}

/* Whether the bytes at b (n available) could be the next PDU after one:
 * 1 yes, 0 no, -1 not enough bytes to tell. */
static int chains(const struct framer_dir *fd, const uint8_t *b, size_t n,
		  struct pdu_digests dg)
{
	if (n < PDU_BHS_LEN)
		return -1;
	if (!framer_plausible_bhs(b, fd->dir))
		return 0;
	if (dg.header && !is_login(b[0])) {
		size_t h = PDU_BHS_LEN + ahs_len(b);
		if (n >= h + PDU_DIGEST_LEN && !hd_verifies(b))
			return 0;
	}
	return 1;
}

/* Lose sync at pos: the resync scan starts with the byte after it. */
static void lose_sync(struct framer_dir *fd, uint64_t off)
{
	fd->in_sync = false;
	fd->last_suspect = false;
	fd->skip_from = off;
	fd->skipped = 1;
}

/*
 * Frame b[0..n) (stream offset off0). final: no byte follows (a gap or the
 * end), and why says which. Returns the bytes done with; sets
 * fd->wait_for to what the rest needs before trying again.
 */
static size_t process(struct framer_dir *fd, const uint8_t *b, size_t n,
		      uint64_t off0, const char *why)
{
	struct framer_conn *fc = fd->fc;
	bool final = why != NULL;
	size_t pos = 0;
	fd->wait_for = 0;
	for (;;) {
		size_t avail = n - pos;
		const uint8_t *p = b + pos;
		uint64_t off = off0 + pos;
		struct pdu_digests dg;
		struct dg_learnt l;
		size_t need = 0;

		if (fd->in_sync) {
			if (avail < PDU_BHS_LEN) {
				if (final && avail)
					note_cut(fd, p, avail, 0, off, why);
				if (final)
					return n;
				fd->wait_for = PDU_BHS_LEN;
				return pos;
			}
			if (fc->mode == FRAMER_DG_LOGIN && !is_login(p[0])) {
				/* Full Feature Phase without the Login Response
				 * that ended the login: infer the digests */
				fc->mode = FRAMER_DG_INFER;
				fc->hd = fc->dd = FRAMER_UNKNOWN;
			}
			if (!choose_dg(fc, p, avail, &dg, &need, &l)) {
				/* an unknown setting could not be decided for lack
				 * of bytes: at the end, what is known decides */
				struct pdu_digests guess = { fc->hd == FRAMER_ON,
							     fc->dd == FRAMER_ON };
				if (!final) {
					fd->wait_for = need;
					return pos;
				}
				if (avail < pdu_total(p, guess)) {
					note_cut(fd, p, avail, pdu_total(p, guess), off, why);
					return n;
				}
				dg = guess;
				memset(&l, 0, sizeof l);
			}
			size_t total = pdu_total(p, dg);
			bool bad_op = !opcode_fits(p[0], fd->dir) || (p[0] & 0x80);
			bool bad_hd = dg.header && !is_login(p[0]) &&
				      avail >= PDU_BHS_LEN + ahs_len(p) + PDU_DIGEST_LEN &&
				      !hd_verifies(p);
			bool suspect = bad_op || bad_hd;
			if (suspect && be24(p + 5) > SUSPECT_MAX_DSL) {
				lose_sync(fd, off);
				pos++;
				continue;
			}
			if (avail < total) {
				if (final) {
					note_cut(fd, p, avail, total, off, why);
					return n;
				}
				fd->wait_for = total;
				return pos;
			}
			/* An opcode no side may send, with a sane length, is
			 * the peer's to answer for: emitted as it is, unless
			 * the PDU before it was such a PDU too. A header digest
			 * that fails needs the next PDU to chain. */
			bool need_chain = bad_hd || (bad_op && fd->last_suspect);
			fd->last_suspect = suspect;
			if (need_chain) {
				int c = chains(fd, p + total, avail - total, dg);
				if (c < 0 && final)
					c = avail == total;
				if (c < 0) {
					fd->wait_for = total + PDU_BHS_LEN;
					return pos;
				}
				if (c == 0) {
					lose_sync(fd, off);
					pos++;
					continue;
				}
			}
			apply_learnt(fd, &l, off);
			emit_pdu(fd, p, total, dg, off);
			pos += total;
			continue;
		}

		/* resync: scan for a plausible BHS */
		if (fd->skipped == 0)
			fd->skip_from = off;
		if (avail < PDU_BHS_LEN) {
			if (final) {
				fd->skipped += avail;
				note_skipped(fd, why);
				return n;
			}
			fd->wait_for = PDU_BHS_LEN;
			return pos;
		}
		if (!framer_plausible_bhs(p, fd->dir)) {
			pos++;
			fd->skipped++;
			continue;
		}
		bool reject = false, strong = false;
		if (!choose_dg(fc, p, avail, &dg, &need, &l)) {
			if (!final) {
				fd->wait_for = need;
				return pos;
			}
			reject = true;
		}
		size_t total = reject ? 0 : pdu_total(p, dg);
		if (!reject && dg.header && !is_login(p[0])) {
			size_t h = PDU_BHS_LEN + ahs_len(p);
			if (avail < h + PDU_DIGEST_LEN) {
				if (!final) {
					fd->wait_for = h + PDU_DIGEST_LEN;
					return pos;
				}
				reject = true;
			} else if (!hd_verifies(p)) {
				reject = true;
			} else {
				strong = true;
			}
		}
		if (!reject && !strong && avail >= total && login_with_keys(p, avail))
			strong = true;
		if (!reject && !strong && be24(p + 5) > RESYNC_MAX_WEAK_DSL)
			reject = true;
		if (!reject && !strong) {
			int c = avail >= total ? chains(fd, p + total, avail - total, dg) : -1;
			if (c < 0 && final)
				c = avail == total;
			if (c < 0) {
				fd->wait_for = total + PDU_BHS_LEN;
				return pos;
			}
			reject = c == 0;
		}
		if (reject) {
			pos++;
			fd->skipped++;
			continue;
		}
		/* found: framing restarts here */
		char text[200];
		snprintf(text, sizeof text,
			 "conn %u %s: framing resumes at a PDU boundary at stream offset "
			 "%llu after skipping %llu bytes", fc->conn, dir_name(fd->dir),
			 (unsigned long long)off, (unsigned long long)fd->skipped);
		struct event ev = { .kind = EV_RESYNC, .conn = fc->conn, .dir = fd->dir,
				    .len = (size_t)fd->skipped, .stream_offset = off,
				    .text = text };
		framer_emit(fc->sink, &ev);
		fd->resyncs++;
		fd->skipped = 0;
		fd->in_sync = true;
		apply_learnt(fd, &l, off);
		/* in sync now: the loop frames this PDU (digests decided again,
		 * with what was just learnt) */
	}
}

/* Make room for n more bytes after tail. */
static int reserve(struct framer_dir *fd, size_t n)
{
	if (fd->head > 0 && (fd->head == fd->tail || fd->tail + n > fd->cap)) {
		memmove(fd->buf, fd->buf + fd->head, fd->tail - fd->head);
		fd->tail -= fd->head;
		fd->head = 0;
	}
	if (fd->tail + n <= fd->cap)
		return 0;
	size_t want = fd->cap ? fd->cap : BUF_MIN;
	while (want < fd->tail + n)
		want *= 2;
	uint8_t *nb = realloc(fd->buf, want);
	if (!nb)
		return FRAMER_ENOMEM;
	fd->buf = nb;
	fd->cap = want;
	return 0;
}

/* Drop what is buffered and restart framing at offset off, out of sync. */
static void restart_at(struct framer_dir *fd, uint64_t off)
{
	fd->head = fd->tail = 0;
	fd->off = off;
	fd->in_sync = false;
	fd->last_suspect = false;
	fd->skipped = 0;
	fd->wait_for = 0;
	if (fd->cap > (1u << 20)) {
		free(fd->buf);
		fd->buf = NULL;
		fd->cap = 0;
	}
}

/* Frame what is buffered; final as in process(). */
static void run_buffered(struct framer_dir *fd, const char *why)
{
	static const uint8_t none[1];
	size_t avail = fd->tail - fd->head;
	size_t done = process(fd, fd->buf ? fd->buf + fd->head : none, avail, fd->off, why);
	fd->head += done;
	fd->off += done;
	if (fd->head == fd->tail)
		fd->head = fd->tail = 0;
}

int framer_data(struct framer_dir *fd, uint64_t off, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	if (!fd->started) {
		fd->started = true;
		fd->off = off;
	}
	fd->last_frame = fd->fc->sink->frame;
	uint64_t expect = fd->off + (fd->tail - fd->head);
	if (off > expect) {
		framer_gap(fd, expect, off - expect);
	} else if (off < expect) {
		uint64_t dup = expect - off;
		if (dup >= n)
			return 0;
		p += dup;
		n -= (size_t)dup;
	}
	if (fd->head == fd->tail) {
		/* nothing buffered: frame straight from the caller's bytes */
		fd->head = fd->tail = 0;
		size_t done = process(fd, p, n, fd->off, NULL);
		fd->off += done;
		p += done;
		n -= done;
		if (n == 0)
			return 0;
		if (reserve(fd, n) < 0)
			goto nomem;
		memcpy(fd->buf, p, n);
		fd->tail = n;
		return 0;
	}
	if (reserve(fd, n) < 0)
		goto nomem;
	memcpy(fd->buf + fd->tail, p, n);
	fd->tail += n;
	if (fd->tail - fd->head < fd->wait_for)
		return 0;
	run_buffered(fd, NULL);
	return 0;
nomem:
	framer_note(fd->fc->sink, fd->fc->conn, fd->dir,
		    "conn %u %s: out of memory buffering %zu bytes at stream offset %llu: "
		    "framing restarts after them", fd->fc->conn, dir_name(fd->dir),
		    n, (unsigned long long)(fd->off + (fd->tail - fd->head)));
	restart_at(fd, fd->off + (fd->tail - fd->head) + n);
	return FRAMER_ENOMEM;
}

void framer_gap(struct framer_dir *fd, uint64_t off, uint64_t n)
{
	if (!fd->started) {
		fd->started = true;
		fd->off = off;
	}
	char why[96];
	snprintf(why, sizeof why, "a gap of %llu bytes at stream offset %llu",
		 (unsigned long long)n, (unsigned long long)off);
	run_buffered(fd, why);
	if (fd->fc->mode == FRAMER_DG_LOGIN) {
		/* the end of the login may be in the gap: infer from now on */
		fd->fc->mode = FRAMER_DG_INFER;
		fd->fc->hd = fd->fc->dd = FRAMER_UNKNOWN;
	}
	restart_at(fd, off + n);
}

void framer_end(struct framer_dir *fd, const char *why)
{
	if (fd->started)
		run_buffered(fd, why ? why : "the end of the stream");
	framer_dir_free(fd);
	fd->wait_for = 0;
}
