/* session_builder.c — synthesized sessions and the golden hook for the
 * check engine's tests (session_builder.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "harness/capture/golden.h"
#include "harness/check/family.h"
#include "pdu/fields.h"
#include "tests/support/session_builder.h"

#define SB_T0 1767225600000000000LL
#define SB_STEP 100000

const char *const sb_default_op_req[] = {
	"HeaderDigest=None", "DataDigest=None", "MaxConnections=8",
	"ErrorRecoveryLevel=2", "InitialR2T=No", "ImmediateData=Yes",
	"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
	"FirstBurstLength=65536", "MaxOutstandingR2T=1", NULL };
const char *const sb_default_op_rsp[] = {
	"HeaderDigest=None", "DataDigest=None", "MaxConnections=8",
	"ErrorRecoveryLevel=2", "InitialR2T=No", "ImmediateData=Yes",
	"MaxRecvDataSegmentLength=65536", "MaxBurstLength=262144",
	"FirstBurstLength=65536", "MaxOutstandingR2T=1", NULL };

void sb_init(struct sb *b, struct ev_observer sink)
{
	static const uint8_t isid[6] = { 0x80, 0x00, 0x00, 0x01, 0x00, 0x01 };
	memset(b, 0, sizeof *b);
	b->sink = sink;
	b->now = SB_T0;
	b->cmdsn = 1;
	b->expcmdsn = 1;
	b->window = 32;
	memcpy(b->isid, isid, sizeof isid);
	b->next_tsih = 0x0042;
	b->initiator = "iqn.2026-01.org.iscsi-harness:sb-initiator";
	b->target = "iqn.2026-01.org.iscsi-harness:sb-target";
	b->next_itt = 0x100;
	b->next_ttt = 0x7000;
}

static void emit(struct sb *b, struct event *ev)
{
	ev->frame = ++b->frame;
	ev->ts_ns = b->now;
	b->now += SB_STEP;
	int rc = b->sink.on_event(b->sink.ctx, ev);
	if (rc < 0 && b->rc == 0)
		b->rc = rc;
}

struct sb_conn *sb_open(struct sb *b, uint32_t id, uint16_t cid)
{
	static const uint8_t ini[4] = { 192, 0, 2, 10 }, tgt[4] = { 192, 0, 2, 20 };
	if (b->n_conns >= SB_MAX_CONNS)
		return NULL;
	struct sb_conn *c = &b->conns[b->n_conns++];
	memset(c, 0, sizeof *c);
	c->id = id;
	c->cid = cid;
	c->ep.family = AF_INET;
	memcpy(c->ep.ini_addr, ini, 4);
	memcpy(c->ep.tgt_addr, tgt, 4);
	c->ep.ini_port = (uint16_t)(50000 + id);
	c->ep.tgt_port = 3260;
	c->statsn = 0x100 * id + 0x10;
	struct event ev = { .kind = EV_CONN_OPEN, .conn = id, .dir = EV_DIR_I2T,
			    .ep = &c->ep };
	emit(b, &ev);
	return c;
}

struct pdu_hdr sb_hdr(uint8_t opcode)
{
	struct pdu_hdr h;
	memset(&h, 0, sizeof h);
	h.opcode = opcode;
	h.itt = PDU_RESERVED_TAG;
	h.ttt = PDU_RESERVED_TAG;
	return h;
}

uint32_t sb_itt(struct sb *b)
{
	return b->next_itt++;
}

uint32_t sb_ttt(struct sb *b)
{
	return b->next_ttt++;
}



uint64_t sb_send(struct sb *b, struct sb_conn *c, struct pdu_hdr *h,
		 const uint8_t *ahs, size_t ahs_len, const void *data,
		 size_t len, unsigned flags)
{
	bool ini = pdu_opcode_is_initiator(h->opcode);
	if (!(flags & SB_RAW)) {
		if (ini) {
			h->cmdsn = b->cmdsn;
			h->expstatsn = c->expstatsn;
			if (pdu_takes_cmdsn(h)) {
				b->cmdsn++;
				b->expcmdsn = b->cmdsn;
			}
		} else {
			h->expcmdsn = b->expcmdsn;
			h->maxcmdsn = b->expcmdsn + b->window - 1;
			if (!(flags & SB_RESEND)) {
				h->statsn = c->statsn;
				if (pdu_is_numbered_response(h))
					c->statsn++;
			}
			if (pdu_is_numbered_response(h))
				c->expstatsn = h->statsn + 1;
			if (h->opcode == PDU_OP_DATA_IN && !h->status_present)
				h->statsn = 0;
		}
	}
	struct pdu_digests dg = c->ffp ? c->dg : (struct pdu_digests){ 0 };
	long n = pdu_build(h, ahs, ahs_len, data, len, dg,
			   !(flags & SB_NO_FIX), b->wire, sizeof b->wire);
	if (n < 0) {
		if (b->rc == 0)
			b->rc = (int)n;
		return 0;
	}
	struct event ev = { .kind = EV_PDU, .conn = c->id,
			    .dir = ini ? EV_DIR_I2T : EV_DIR_T2I,
			    .bytes = b->wire, .len = (size_t)n, .digests = dg };
	emit(b, &ev);
	return ev.frame;
}

static size_t put_keys(uint8_t *buf, size_t cap, const char *const *keys)
{
	size_t used = 0;
	for (; keys && *keys; keys++) {
		size_t n = strlen(*keys) + 1;
		if (used + n > cap)
			break;
		memcpy(buf + used, *keys, n);
		used += n;
	}
	return used;
}

uint64_t sb_send_keys(struct sb *b, struct sb_conn *c, struct pdu_hdr *h,
		      const char *const *keys, unsigned flags)
{
	static uint8_t buf[SB_MAX_DATA];
	size_t n = put_keys(buf, sizeof buf, keys);
	return sb_send(b, c, h, NULL, 0, n ? buf : NULL, n, flags);
}

uint64_t sb_event(struct sb *b, struct sb_conn *c, enum ev_kind kind,
		  enum ev_dir dir, size_t len)
{
	struct event ev = { .kind = kind, .conn = c->id, .dir = dir, .len = len,
			    .ep = &c->ep, .text = "test" };
	emit(b, &ev);
	return ev.frame;
}

uint64_t sb_login_pair(struct sb *b, struct sb_conn *c, uint8_t csg,
		       uint8_t nsg, bool transit, uint16_t tsih_req,
		       uint16_t tsih_rsp, const char *const *req,
		       const char *const *rsp, uint8_t status_class,
		       uint8_t status_detail)
{
	static uint32_t login_itt = 0x9000;
	struct pdu_hdr q = sb_hdr(PDU_OP_LOGIN_REQ);
	q.immediate = true;
	q.transit = transit;
	q.csg = csg;
	q.nsg = transit ? nsg : 0;
	memcpy(q.isid, b->isid, 6);
	q.tsih = tsih_req;
	q.cid = c->cid;
	q.itt = login_itt++;
	sb_send_keys(b, c, &q, req, 0);
	struct pdu_hdr r = sb_hdr(PDU_OP_LOGIN_RSP);
	r.transit = transit && status_class == 0;
	r.csg = csg;
	r.nsg = r.transit ? nsg : 0;
	memcpy(r.isid, b->isid, 6);
	r.tsih = tsih_rsp;
	r.itt = q.itt;
	r.status_class = status_class;
	r.status_detail = status_detail;
	uint64_t f = sb_send_keys(b, c, &r, rsp, 0);
	if (r.transit && nsg == PDU_STAGE_FULL_FEATURE)
		c->ffp = true;
	return f;
}

static const char **join_keys(const char **out, size_t cap,
			      const char *const *a, const char *const *b)
{
	size_t n = 0;
	for (; a && *a && n + 1 < cap; a++)
		out[n++] = *a;
	for (; b && *b && n + 1 < cap; b++)
		out[n++] = *b;
	out[n] = NULL;
	return out;
}

uint64_t sb_login_leading(struct sb *b, struct sb_conn *c,
			  const char *const *op_req, const char *const *op_rsp)
{
	static char iname[300], tname[300];
	snprintf(iname, sizeof iname, "InitiatorName=%s", b->initiator);
	snprintf(tname, sizeof tname, "TargetName=%s", b->target);
	const char *const names[] = { iname, tname, "SessionType=Normal", NULL };
	static const char *const tpgt[] = { "TargetPortalGroupTag=1", NULL };
	const char *req[64], *rsp[64];
	join_keys(req, 64, names, op_req ? op_req : sb_default_op_req);
	join_keys(rsp, 64, tpgt, op_rsp ? op_rsp : sb_default_op_rsp);
	b->tsih = b->next_tsih++;
	return sb_login_pair(b, c, PDU_STAGE_OPERATIONAL, PDU_STAGE_FULL_FEATURE,
			     true, 0, b->tsih, req, rsp, 0, 0);
}

uint64_t sb_login_join(struct sb *b, struct sb_conn *c,
		       const char *const *req_extra,
		       const char *const *rsp_extra)
{
	static char iname[300], tname[300];
	snprintf(iname, sizeof iname, "InitiatorName=%s", b->initiator);
	snprintf(tname, sizeof tname, "TargetName=%s", b->target);
	const char *const names[] = { iname, tname, NULL };
	static const char *const tpgt[] = { "TargetPortalGroupTag=1", NULL };
	const char *req[64], *rsp[64];
	join_keys(req, 64, names, req_extra);
	join_keys(rsp, 64, tpgt, rsp_extra);
	return sb_login_pair(b, c, PDU_STAGE_OPERATIONAL, PDU_STAGE_FULL_FEATURE,
			     true, b->tsih, b->tsih, req, rsp, 0, 0);
}

uint64_t sb_nop_ping(struct sb *b, struct sb_conn *c)
{
	struct pdu_hdr out = sb_hdr(PDU_OP_NOP_OUT), in = sb_hdr(PDU_OP_NOP_IN);
	out.immediate = true;
	out.final = true;
	out.itt = sb_itt(b);
	sb_send(b, c, &out, NULL, 0, NULL, 0, 0);
	in.final = true;
	in.itt = out.itt;
	return sb_send(b, c, &in, NULL, 0, NULL, 0, 0);
}

static uint8_t payload[SB_MAX_DATA];

uint64_t sb_command(struct sb *b, struct sb_conn *c, bool read, bool write,
		    uint32_t edtl, uint32_t imm, bool final, uint32_t *itt)
{
	struct pdu_hdr h = sb_hdr(PDU_OP_SCSI_CMD);
	h.itt = sb_itt(b);
	h.lun = 0x0001000000000000ull;
	h.read = read;
	h.write = write;
	h.final = final;
	h.edtl = edtl;
	h.attr = 1;
	h.cdb[0] = write ? 0x2a : 0x28;
	h.cdb[8] = (uint8_t)(edtl / 512);
	h.cdb[7] = (uint8_t)(edtl / 512 >> 8);
	if (itt)
		*itt = h.itt;
	return sb_send(b, c, &h, NULL, 0, imm ? payload : NULL, imm, 0);
}

uint64_t sb_scsi_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		     uint32_t expdatasn)
{
	struct pdu_hdr r = sb_hdr(PDU_OP_SCSI_RSP);
	r.final = true;
	r.itt = itt;
	r.expdatasn = expdatasn;
	return sb_send(b, c, &r, NULL, 0, NULL, 0, 0);
}

uint32_t sb_read(struct sb *b, struct sb_conn *c, uint32_t len,
		 uint32_t per_pdu)
{
	uint32_t itt;
	sb_command(b, c, true, false, len, 0, true, &itt);
	uint32_t off = 0, sn = 0;
	while (off < len) {
		uint32_t n = len - off < per_pdu ? len - off : per_pdu;
		struct pdu_hdr d = sb_hdr(PDU_OP_DATA_IN);
		d.itt = itt;
		d.lun = 0x0001000000000000ull;
		d.datasn = sn++;
		d.buffer_offset = off;
		bool last = off + n == len;
		d.final = last;
		d.status_present = last;
		sb_send(b, c, &d, NULL, 0, payload, n, 0);
		off += n;
	}
	return itt;
}

uint32_t sb_write_r2t(struct sb *b, struct sb_conn *c, uint32_t len,
		      uint32_t per_pdu)
{
	uint32_t itt;
	sb_command(b, c, false, true, len, 0, true, &itt);
	struct pdu_hdr r = sb_hdr(PDU_OP_R2T);
	r.final = true;
	r.itt = itt;
	r.lun = 0x0001000000000000ull;
	r.ttt = sb_ttt(b);
	r.ddtl = len;
	sb_send(b, c, &r, NULL, 0, NULL, 0, 0);
	uint32_t off = 0, sn = 0;
	while (off < len) {
		uint32_t n = len - off < per_pdu ? len - off : per_pdu;
		struct pdu_hdr d = sb_hdr(PDU_OP_DATA_OUT);
		d.itt = itt;
		d.ttt = r.ttt;
		d.lun = r.lun;
		d.datasn = sn++;
		d.buffer_offset = off;
		d.final = off + n == len;
		sb_send(b, c, &d, NULL, 0, payload, n, 0);
		off += n;
	}
	sb_scsi_rsp(b, c, itt, 0);
	return itt;
}

uint64_t sb_logout(struct sb *b, struct sb_conn *c, uint8_t reason)
{
	struct pdu_hdr q = sb_hdr(PDU_OP_LOGOUT_REQ), r = sb_hdr(PDU_OP_LOGOUT_RSP);
	q.immediate = true;
	q.final = true;
	q.logout_reason = reason;
	q.itt = sb_itt(b);
	q.cid = c->cid;
	sb_send(b, c, &q, NULL, 0, NULL, 0, 0);
	r.final = true;
	r.itt = q.itt;
	return sb_send(b, c, &r, NULL, 0, NULL, 0, 0);
}

void sb_close(struct sb *b, struct sb_conn *c)
{
	sb_event(b, c, EV_CONN_FIN, EV_DIR_T2I, 0);
	sb_event(b, c, EV_CONN_FIN, EV_DIR_I2T, 0);
}

/* ---- golden --------------------------------------------------------------- */

#define SB_G_CONNS 8

struct sb_golden {
	struct ev_observer sink;
	sb_hook hook;
	void *ctx;
	uint64_t frame;
	unsigned counts[SB_G_CONNS][64];
	uint8_t buf[SB_MAX_PDU];
	int rc;
};

static int golden_observer(void *ctx, const struct event *in)
{
	struct sb_golden *g = ctx;
	if (in->kind == EV_WIRE)
		return 0;
	struct event ev = *in;
	size_t len = 0;
	if (ev.kind == EV_PDU && ev.bytes) {
		len = ev.len < sizeof g->buf ? ev.len : sizeof g->buf;
		memcpy(g->buf, ev.bytes, len);
		if (len && ev.conn < SB_G_CONNS)
			g->counts[ev.conn][g->buf[0] & 0x3f]++;
		ev.bytes = g->buf;
	}
	if (g->hook && !g->hook(g->ctx, g, &ev, g->buf, &len))
		return 0;
	if (ev.kind == EV_PDU)
		ev.len = len;
	ev.frame = ++g->frame;
	int rc = g->sink.on_event(g->sink.ctx, &ev);
	if (rc < 0 && g->rc == 0)
		g->rc = rc;
	return 0;
}

int sb_golden(struct ev_observer sink, sb_hook hook, void *ctx)
{
	struct sb_golden *g = calloc(1, sizeof *g);
	if (!g)
		return -1;
	g->sink = sink;
	g->hook = hook;
	g->ctx = ctx;
	struct ev_bus bus;
	ev_bus_init(&bus);
	ev_bus_add(&bus, (struct ev_observer){ golden_observer, g });
	int rc = golden_emit(&bus);
	if (rc == 0)
		rc = g->rc;
	free(g);
	return rc;
}

bool sb_is(const struct sb_golden *g, const struct event *ev, uint32_t conn,
	   uint8_t opcode, unsigned nth)
{
	return ev->kind == EV_PDU && ev->conn == conn && ev->len &&
	       (ev->bytes[0] & 0x3f) == opcode && conn < SB_G_CONNS &&
	       g->counts[conn][opcode] == nth;
}

void sb_inject(struct sb_golden *g, struct event *ev)
{
	ev->frame = ++g->frame;
	int rc = g->sink.on_event(g->sink.ctx, ev);
	if (rc < 0 && g->rc == 0)
		g->rc = rc;
}

uint64_t sb_frame(const struct sb_golden *g)
{
	return g->frame + 1;
}

void sb_fix_digests(uint8_t *buf, size_t len, struct pdu_digests dg)
{
	if (len < PDU_BHS_LEN)
		return;
	size_t ahs = (size_t)buf[4] * 4;
	size_t dsl = (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
	size_t off = PDU_BHS_LEN + ahs;
	if (dg.header && off + PDU_DIGEST_LEN <= len) {
		pdu_put_digest(buf + off, pdu_crc32c(buf, off));
		off += PDU_DIGEST_LEN;
	}
	size_t padded = dsl + pdu_pad_len(dsl);
	if (dg.data && dsl && off + padded + PDU_DIGEST_LEN <= len)
		pdu_put_digest(buf + off + padded, pdu_crc32c(buf + off, padded));
}

void sb_set(uint8_t *buf, size_t len, struct pdu_digests dg,
	    const char *field, uint64_t value)
{
	const struct pdu_field *f = pdu_field_find(field);
	if (!f || len < PDU_BHS_LEN)
		return;
	pdu_field_set_raw(f, buf, value);
	sb_fix_digests(buf, len, dg);
}

/* ---- verdicts ------------------------------------------------------------- */

int sb_export(struct chk_engine *eng, struct rep_run *run)
{
	rep_run_init(run, "test", "0");
	return chk_export(eng, run);
}

const struct rep_verdict *sb_verdict(const struct rep_run *run, size_t i,
				     const char *id)
{
	if (i >= run->n_sessions)
		return NULL;
	const struct rep_session *s = &run->sessions[i];
	for (size_t k = 0; k < s->n_verdicts; k++)
		if (strcmp(s->verdicts[k].id, id) == 0)
			return &s->verdicts[k];
	return NULL;
}

const struct rep_verdict *sb_failed(const struct rep_run *run, const char *id)
{
	for (size_t i = 0; i < run->n_sessions; i++) {
		const struct rep_verdict *v = sb_verdict(run, i, id);
		if (v && v->result == REP_FAIL)
			return v;
	}
	return NULL;
}

bool sb_only_fails(const struct rep_run *run, const char *const *ids,
		   char *why, size_t n)
{
	for (size_t i = 0; i < run->n_sessions; i++) {
		const struct rep_session *s = &run->sessions[i];
		for (size_t k = 0; k < s->n_verdicts; k++) {
			const struct rep_verdict *v = &s->verdicts[k];
			if (v->result != REP_FAIL)
				continue;
			bool ok = false;
			for (const char *const *p = ids; p && *p && !ok; p++)
				ok = strcmp(*p, v->id) == 0;
			if (ok)
				continue;
			snprintf(why, n, "unexpected FAIL %s in session \"%s\": "
				 "frame %llu: %s", v->id, s->name,
				 v->n_evidence ? (unsigned long long)
				 v->evidence[0].frame : 0ull,
				 v->n_evidence && v->evidence[0].message
				 ? v->evidence[0].message : "");
			return false;
		}
	}
	return true;
}

void sb_dump(const struct rep_run *run)
{
	for (size_t i = 0; i < run->n_sessions; i++) {
		const struct rep_session *s = &run->sessions[i];
		fprintf(stderr, "session %zu: %s\n", i, s->name);
		if (s->notes)
			fprintf(stderr, "  notes: %s\n", s->notes);
		for (size_t k = 0; k < s->n_verdicts; k++) {
			const struct rep_verdict *v = &s->verdicts[k];
			if (v->result == REP_PASS)
				continue;
			fprintf(stderr, "  %-10s %-12s held %llu broken %llu %s\n",
				v->id, rep_result_name(v->result),
				(unsigned long long)v->held,
				(unsigned long long)v->broken,
				v->reason ? v->reason : "");
			for (size_t e = 0; e < v->n_evidence; e++)
				fprintf(stderr, "      frame %llu conn %u %s: %s\n",
					(unsigned long long)v->evidence[e].frame,
					v->evidence[e].conn,
					v->evidence[e].field ? v->evidence[e].field
					: "-", v->evidence[e].message);
		}
	}
}

/* ---- break cases ----------------------------------------------------------- */

bool sb_run_case(const struct sb_case *k, char *why, size_t n)
{
	struct chk_engine *e;
	char err[200];
	if (chk_create(NULL, &e, err, sizeof err) != CHK_OK) {
		snprintf(why, n, "%s: chk_create: %s", k->name, err);
		return false;
	}
	uint64_t frame = k->run(chk_observer(e), k->arg);
	struct rep_run run;
	bool ok = false;
	if (sb_export(e, &run) != CHK_OK) {
		snprintf(why, n, "%s: chk_export failed", k->name);
		goto out;
	}
	const struct rep_verdict *v = sb_failed(&run, k->id);
	if (!v) {
		snprintf(why, n, "%s: %s did not FAIL", k->name, k->id);
		sb_dump(&run);
		goto out;
	}
	if (!v->n_evidence || v->evidence[0].frame != frame) {
		snprintf(why, n, "%s: %s evidence at frame %llu, expected %llu",
			 k->name, k->id, v->n_evidence ?
			 (unsigned long long)v->evidence[0].frame : 0ull,
			 (unsigned long long)frame);
		sb_dump(&run);
		goto out;
	}
	const char *ids[6] = { k->id };
	for (size_t i = 0; i < 4 && k->also[i]; i++)
		ids[i + 1] = k->also[i];
	char sub[400];
	if (!sb_only_fails(&run, ids, sub, sizeof sub)) {
		snprintf(why, n, "%s: %s", k->name, sub);
		sb_dump(&run);
		goto out;
	}
	ok = true;
out:
	rep_run_free(&run);
	chk_free(e);
	return ok;
}

bool sb_family_covered(const char *family, const struct sb_case *cases,
		       size_t n, char *why, size_t wn)
{
	size_t nf;
	const struct chk_family *const *fams = chk_families(&nf);
	for (size_t f = 0; f < nf; f++) {
		if (strcmp(fams[f]->name, family) != 0)
			continue;
		for (size_t r = 0; r < fams[f]->n_rules; r++) {
			const char *id = fams[f]->rules[r].id;
			if (chk_rule_owner(id) != fams[f])
				continue;
			bool seen = false;
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(cases[k].id, id) == 0;
			if (!seen) {
				snprintf(why, wn, "%s: no test breaks %s",
					 family, id);
				return false;
			}
		}
		return true;
	}
	snprintf(why, wn, "no family %s", family);
	return false;
}

/* ---- golden mutations ------------------------------------------------------ */

struct mut_state {
	const struct sb_mut *m;
	uint64_t frame;
};

static bool mut_hook(void *ctx, struct sb_golden *g, struct event *ev,
		     uint8_t *buf, size_t *len)
{
	struct mut_state *st = ctx;
	const struct sb_mut *m = st->m;
	if (ev->kind != EV_PDU || ev->conn != m->conn || !*len ||
	    (buf[0] & 0x3f) != m->opcode)
		return true;
	if (m->nth && !sb_is(g, ev, m->conn, m->opcode, m->nth))
		return true;
	if (!st->frame)
		st->frame = sb_frame(g);
	if (m->field) {
		const struct pdu_field *f = pdu_field_find(m->field);
		uint64_t v = 0;
		if (f && m->add)
			pdu_field_get_raw(f, buf, &v);
		if (f)
			pdu_field_set_raw(f, buf, v + m->value);
	}
	if (m->byte >= 0 && (size_t)m->byte < *len)
		buf[m->byte] = (uint8_t)(((buf[m->byte] | m->set_bits) &
					  ~m->clear_bits) ^ m->xor_bits);
	if (!m->keep_digests)
		sb_fix_digests(buf, *len, ev->digests);
	*len = m->shorten < *len ? *len - m->shorten : 0;
	return true;
}

uint64_t sb_run_mut(struct ev_observer sink, const void *arg)
{
	struct mut_state st = { arg, 0 };
	sb_golden(sink, mut_hook, &st);
	return st.frame;
}

/* ---- more builders and checks ---------------------------------------------- */

/* An immediate request with F=1 and a new ITT (given back in *itt). */
static struct pdu_hdr immediate_req(struct sb *b, uint8_t opcode,
				    uint32_t *itt)
{
	struct pdu_hdr q = sb_hdr(opcode);
	q.immediate = true;
	q.final = true;
	q.itt = sb_itt(b);
	if (itt)
		*itt = q.itt;
	return q;
}

uint64_t sb_logout_req(struct sb *b, struct sb_conn *c, uint8_t reason,
		       uint16_t cid, uint32_t *itt)
{
	struct pdu_hdr q = immediate_req(b, PDU_OP_LOGOUT_REQ, itt);
	q.logout_reason = reason;
	q.cid = cid;
	return sb_send(b, c, &q, NULL, 0, NULL, 0, 0);
}

/* A final response to itt with response code rc. */
static uint64_t answer(struct sb *b, struct sb_conn *c, uint8_t opcode,
		      uint32_t itt, uint8_t rc)
{
	struct pdu_hdr r = sb_hdr(opcode);
	r.final = true;
	r.itt = itt;
	r.response = rc;
	return sb_send(b, c, &r, NULL, 0, NULL, 0, 0);
}

uint64_t sb_logout_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		       uint8_t response)
{
	return answer(b, c, PDU_OP_LOGOUT_RSP, itt, response);
}

uint64_t sb_tmf_req(struct sb *b, struct sb_conn *c, uint8_t function,
		    uint64_t lun, uint32_t ref, uint32_t refcmdsn,
		    uint32_t *itt)
{
	struct pdu_hdr q = immediate_req(b, PDU_OP_TMF_REQ, itt);
	q.tmf_function = function;
	q.lun = lun;
	q.ref_task_tag = ref;
	q.ref_cmdsn = refcmdsn;
	return sb_send(b, c, &q, NULL, 0, NULL, 0, 0);
}

uint64_t sb_tmf_rsp(struct sb *b, struct sb_conn *c, uint32_t itt,
		    uint8_t response)
{
	return answer(b, c, PDU_OP_TMF_RSP, itt, response);
}

uint64_t sb_reject_last(struct sb *b, struct sb_conn *c, uint8_t reason,
			uint32_t datasn)
{
	uint8_t rejected[PDU_BHS_LEN];
	memcpy(rejected, b->wire, PDU_BHS_LEN);
	struct pdu_hdr r = sb_hdr(PDU_OP_REJECT);
	r.final = true;
	r.reject_reason = reason;
	r.datasn = datasn;
	return sb_send(b, c, &r, NULL, 0, rejected, sizeof rejected, 0);
}

bool sb_run_cases(const struct sb_case *cases, size_t n, char *why,
		  size_t wn)
{
	for (size_t i = 0; i < n; i++)
		if (!sb_run_case(&cases[i], why, wn))
			return false;
	return true;
}

bool sb_golden_expect(const char *rules, const char *const *pass, char *why,
		      size_t wn)
{
	struct chk_engine *e;
	struct chk_options o = { .rules = rules };
	if (chk_create(&o, &e, why, wn) != CHK_OK)
		return false;
	struct rep_run run;
	bool ok = sb_golden(chk_observer(e), NULL, NULL) == 0 &&
		  sb_export(e, &run) == CHK_OK;
	chk_free(e);
	if (!ok) {
		snprintf(why, wn, "the golden session did not run");
		return false;
	}
	ok = sb_only_fails(&run, NULL, why, wn);
	for (const char *const *id = pass; ok && pass && *id; id++) {
		const struct rep_verdict *v = sb_verdict(&run, 0, *id);
		if (!v || v->result != REP_PASS) {
			snprintf(why, wn, "%s is %s on the golden session (%s)",
				 *id, v ? rep_result_name(v->result) : "missing",
				 v && v->reason ? v->reason : "");
			ok = false;
		}
	}
	if (!ok)
		sb_dump(&run);
	rep_run_free(&run);
	return ok;
}

/* ---- cmocka assertions ------------------------------------------------- */

void sb_cmocka_case(void **state)
{
	const struct sb_case *k = *state;
	char why[600] = "";
	if (!sb_run_case(k, why, sizeof why))
		fail_msg("%s", why);
}

void sb_expect_covered(const char *family, const struct sb_case *cases,
		       size_t n)
{
	char why[200] = "";
	if (!sb_family_covered(family, cases, n, why, sizeof why))
		fail_msg("%s", why);
}

struct rep_run sb_engine_run(void (*feed)(struct ev_observer),
			     const char *rules)
{
	struct chk_engine *e;
	struct chk_options o = { .rules = rules };
	assert_int_equal(chk_create(&o, &e, NULL, 0), CHK_OK);
	feed(chk_observer(e));
	struct rep_run run;
	assert_int_equal(sb_export(e, &run), CHK_OK);
	chk_free(e);
	return run;
}

void sb_feed_golden(struct ev_observer sink)
{
	assert_int_equal(sb_golden(sink, NULL, NULL), 0);
}

const struct rep_verdict *sb_expect(const struct rep_run *run, size_t s,
				    const char *id, enum rep_result r)
{
	const struct rep_verdict *v = sb_verdict(run, s, id);
	if (!v)
		fail_msg("session %zu: no verdict for %s", s, id);
	if (v->result != r) {
		sb_dump(run);
		fail_msg("session %zu: %s is %s, expected %s (%s)", s, id,
			 rep_result_name(v->result), rep_result_name(r),
			 v->reason ? v->reason : "");
	}
	return v;
}

void sb_expect_no_fail(const struct rep_run *run)
{
	char why[600];
	if (!sb_only_fails(run, NULL, why, sizeof why)) {
		sb_dump(run);
		fail_msg("%s", why);
	}
}

uint64_t sb_run_hooked(struct ev_observer sink, const void *arg)
{
	const struct sb_hooked *h = arg;
	uint64_t frame = 0;
	sb_golden(sink, h->hook, &frame);
	return frame;
}
