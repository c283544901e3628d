/* test_login_target.c — unit tests of the target side of login
 * (harness/proto/login_target.c, login_security.c, chap.c): libiscsi's
 * one-PDU operational login, CHAP with every algorithm one-way and
 * mutual (the initiator's side computed here with OpenSSL), every
 * refusal status, discovery, a joining connection, long requests and
 * responses with C=1, and a non-login PDU. Every response is checked
 * with pdu_validate_buf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness/proto/login_target.h"
#include "pdu/keys.h"
#include "tests/support/target_wire.h"

#define INAME "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test"
#define TNAME "iqn.2003-01.org.linux-iscsi.target:sn.1234"
#define ITT 0x11u
#define CMDSN 5u
#define STATSN 1000u
#define NEW_TSIH 0x2a
#define RSP_CAP (8192 + 48)

/* ---- the session layer's side, as a test double ----------------------- */

struct fixture {
	struct login_target_cfg cfg;
	struct login_chap chap;
	struct login_bind answer;     /* what bind() says */
	struct pdu_key_params session; /* a joined session's parameters */
	struct login_identity bound;  /* what bind() was asked */
	int bind_calls;
	uint8_t next_rand;
	struct login_target *lt;
	uint8_t rsp[RSP_CAP];
	size_t rsp_len;
	struct pdu_hdr rh;            /* the last response's header */
};

static void fx_rand(void *ctx, uint8_t *buf, size_t n)
{
	struct fixture *f = ctx;

	for (size_t i = 0; i < n; i++)
		buf[i] = f->next_rand++;
}

static void fx_bind(void *ctx, const struct login_identity *id,
		    struct login_bind *out)
{
	struct fixture *f = ctx;

	f->bound = *id;
	f->bind_calls++;
	*out = f->answer;
}

static void fx_window(void *ctx, uint32_t req_cmdsn, uint32_t *expcmdsn,
		      uint32_t *maxcmdsn)
{
	(void)ctx;
	*expcmdsn = req_cmdsn;
	*maxcmdsn = req_cmdsn + 31;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg = (struct login_target_cfg){
		.target_name = TNAME,
		.target_alias = "harness disk",
		.target_address = "127.0.0.1:3260",
		.tpgt = 1,
		.max_erl = 0,
		.max_connections = 1,
		.mrdsl = 65536,
		.max_burst_length = 262144,
		.first_burst_length = 65536,
		.initial_r2t = false,
		.immediate_data = true,
		.max_outstanding_r2t = 1,
		.default_time2wait = 2,
		.default_time2retain = 0,
		.header_digest = "CRC32C,None",
		.data_digest = "CRC32C,None",
		.rand_bytes = fx_rand,
		.bind = fx_bind,
		.window = fx_window,
		.ctx = f,
	};
	f->chap = (struct login_chap){ "alice", "alice-secret-1234",
				       "target-bob", "bob-secret-56789" };
	f->answer = (struct login_bind){ .tsih = NEW_TSIH, .leading = true };
	f->next_rand = 0x30;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	login_target_free(f->lt);
	free(f);
	return 0;
}

static void start(struct fixture *f)
{
	f->lt = login_target_create(&f->cfg, STATSN);
	assert_non_null(f->lt);
}

/* Send one request built from h and pairs; returns the step. The
 * response (if any) is checked valid and decoded into f->rh. */
static int send_pdu(struct fixture *f, const struct pdu_hdr *h,
		    const uint8_t *data, size_t len)
{
	uint8_t req[70000];
	size_t n = tw_build(h, data, len, req, sizeof(req));
	int step = login_target_rx(f->lt, req, n, f->rsp, sizeof(f->rsp),
				   &f->rsp_len);

	if (step != LOGIN_PROTOCOL) {
		tw_check_rsp(f->rsp, f->rsp_len, &f->rh);
		assert_int_equal(f->rh.opcode, PDU_OP_LOGIN_RSP);
		assert_int_equal(f->rh.itt, h->itt);
		assert_int_equal(f->rh.version_max, 0);
		assert_int_equal(f->rh.version_active, 0);
		assert_int_equal(f->rh.expcmdsn, h->cmdsn);
		assert_int_equal(f->rh.maxcmdsn, h->cmdsn + 31);
		if (f->rh.cont)
			assert_false(f->rh.transit);
	}
	return step;
}

static int send_keys(struct fixture *f, uint8_t csg, uint8_t nsg,
		     bool transit, const char *const *pairs)
{
	uint8_t text[16384];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), pairs);

	tw_login_hdr(&h, csg, nsg, transit, false, 0, ITT, CMDSN);
	return send_pdu(f, &h, text, len);
}

static uint16_t status_of(const struct fixture *f)
{
	return (uint16_t)(f->rh.status_class << 8 | f->rh.status_detail);
}

static void assert_key(const struct fixture *f, const char *key,
		       const char *want)
{
	const char *v = tw_key(f->rsp, f->rsp_len, key);

	if (!want) {
		if (v)
			fail_msg("%s=%s not expected", key, v);
		return;
	}
	if (!v)
		fail_msg("%s missing from the response", key);
	assert_string_equal(v, want);
}

static void assert_failed(struct fixture *f, int step, uint16_t status,
			  const char *id)
{
	assert_int_equal(step, LOGIN_FAILED);
	assert_int_equal(status_of(f), status);
	assert_false(f->rh.transit);
	assert_int_equal(f->rh.data_segment_len, 0);
	if (!strstr(login_target_error(f->lt), id))
		fail_msg("error \"%s\" does not name %s",
			 login_target_error(f->lt), id);
}

/* libiscsi's one Login Request: CSG=1, T=1, NSG=3, every key. */
static const char *const libiscsi_keys[] = {
	"InitiatorName=" INAME,
	"InitiatorAlias=libiscsi",
	"TargetName=" TNAME,
	"SessionType=Normal",
	"HeaderDigest=None,CRC32C",
	"DataDigest=None",
	"DefaultTime2Wait=2",
	"DefaultTime2Retain=0",
	"IFMarker=No",
	"OFMarker=No",
	"ErrorRecoveryLevel=0",
	"InitialR2T=No",
	"ImmediateData=Yes",
	"MaxBurstLength=262144",
	"FirstBurstLength=262144",
	"MaxOutstandingR2T=1",
	"MaxConnections=1",
	"DataPDUInOrder=Yes",
	"DataSequenceInOrder=Yes",
	"MaxRecvDataSegmentLength=262144",
	NULL
};

/* The operational keys of a login that authenticated first. */
static const char *const oper_keys[] = {
	"HeaderDigest=CRC32C,None",
	"DataDigest=None",
	"MaxRecvDataSegmentLength=131072",
	"InitialR2T=Yes",
	"ImmediateData=No",
	"MaxBurstLength=131072",
	"FirstBurstLength=32768",
	NULL
};

/* ---- operational login ------------------------------------------------- */

static void test_libiscsi_single_pdu(void **state)
{
	struct fixture *f = *state;

	start(f);
	assert_int_equal(send_keys(f, 1, 3, true, libiscsi_keys), LOGIN_DONE);
	assert_true(f->rh.transit);
	assert_false(f->rh.cont);
	assert_int_equal(f->rh.csg, 1);
	assert_int_equal(f->rh.nsg, 3);
	assert_int_equal(status_of(f), 0);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	assert_int_equal(f->rh.statsn, STATSN);
	assert_int_equal(login_target_next_statsn(f->lt), STATSN + 1);

	/* Every answer, one by one. */
	assert_key(f, "HeaderDigest", "None");
	assert_key(f, "DataDigest", "None");
	assert_key(f, "DefaultTime2Wait", "2");
	assert_key(f, "DefaultTime2Retain", "0");
	assert_key(f, "IFMarker", "Reject");
	assert_key(f, "OFMarker", "Reject");
	assert_key(f, "ErrorRecoveryLevel", "0");
	assert_key(f, "InitialR2T", "No");
	assert_key(f, "ImmediateData", "Yes");
	assert_key(f, "MaxBurstLength", "262144");
	assert_key(f, "FirstBurstLength", "65536");
	assert_key(f, "MaxOutstandingR2T", "1");
	assert_key(f, "MaxConnections", "1");
	assert_key(f, "DataPDUInOrder", NULL);      /* Yes: optional */
	assert_key(f, "DataSequenceInOrder", NULL); /* Yes: optional */
	assert_key(f, "MaxRecvDataSegmentLength", "65536");
	assert_key(f, "TargetPortalGroupTag", "1");
	assert_key(f, "TargetAlias", "harness disk");
	assert_key(f, "InitiatorName", NULL);
	assert_key(f, "InitiatorAlias", NULL);
	assert_int_equal(tw_key_count(f->rsp, f->rsp_len), 16);

	const struct pdu_key_params *p = login_target_params(f->lt);
	assert_false(p->digests.header);
	assert_false(p->digests.data);
	assert_int_equal(p->mrdsl_initiator, 262144);
	assert_int_equal(p->mrdsl_target, 65536);
	assert_int_equal(p->max_burst_length, 262144);
	assert_int_equal(p->first_burst_length, 65536);
	assert_false(p->initial_r2t);
	assert_true(p->immediate_data);
	assert_int_equal(p->max_connections, 1);
	assert_int_equal(p->error_recovery_level, 0);
	assert_int_equal(p->default_time2wait, 2);
	assert_int_equal(p->default_time2retain, 0);
	assert_true(p->data_pdu_in_order);
	assert_int_equal(p->tpgt, 1);
	assert_false(p->discovery);

	const struct login_identity *id = login_target_identity(f->lt);
	assert_string_equal(id->initiator_name, INAME);
	assert_string_equal(id->target_name, TNAME);
	assert_int_equal(id->tsih, 0);
	assert_int_equal(id->cid, 1);
	assert_int_equal(id->isid[0], 0x40);
	assert_int_equal(f->bind_calls, 1);
	assert_string_equal(login_target_error(f->lt), "");
}

static void test_negotiated_down(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"ErrorRecoveryLevel=2", "MaxConnections=8",
		"DefaultTime2Wait=0", "DefaultTime2Retain=60",
		"HeaderDigest=CRC32C", "DataDigest=CRC32C,None",
		"MaxBurstLength=1048576", "X-com.example.Thing=1", NULL
	};

	f->cfg.max_erl = 1;
	f->cfg.max_connections = 4;
	f->cfg.default_time2wait = 3;
	f->cfg.default_time2retain = 20;
	start(f);
	assert_int_equal(send_keys(f, 1, 3, true, keys), LOGIN_DONE);
	assert_key(f, "ErrorRecoveryLevel", "1");
	assert_key(f, "MaxConnections", "4");
	assert_key(f, "DefaultTime2Wait", "3");
	assert_key(f, "DefaultTime2Retain", "20");
	assert_key(f, "HeaderDigest", "CRC32C");
	assert_key(f, "DataDigest", "CRC32C");
	assert_key(f, "MaxBurstLength", "262144");
	assert_key(f, "X-com.example.Thing", "NotUnderstood");
	const struct pdu_key_params *p = login_target_params(f->lt);
	assert_int_equal(p->error_recovery_level, 1);
	assert_int_equal(p->max_connections, 4);
	assert_int_equal(p->default_time2wait, 3);
	assert_int_equal(p->default_time2retain, 20);
	assert_true(p->digests.header);
	assert_true(p->digests.data);
	assert_int_equal(p->max_burst_length, 262144);
}

static void test_out_of_range_offer_rejected(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"MaxBurstLength=100", "ErrorRecoveryLevel=9", NULL
	};

	start(f);
	assert_int_equal(send_keys(f, 1, 3, true, keys), LOGIN_DONE);
	assert_key(f, "MaxBurstLength", "Reject");
	assert_key(f, "ErrorRecoveryLevel", "Reject");
	assert_int_equal(login_target_params(f->lt)->max_burst_length, 262144);
}

static void test_security_none_then_operational(void **state)
{
	struct fixture *f = *state;
	static const char *const sec[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"SessionType=Normal", "AuthMethod=None", NULL
	};

	start(f);
	assert_int_equal(send_keys(f, 0, 1, true, sec), LOGIN_CONTINUE);
	assert_true(f->rh.transit);
	assert_int_equal(f->rh.csg, 0);
	assert_int_equal(f->rh.nsg, 1);
	assert_int_equal(f->rh.tsih, 0);  /* LOGIN-010 */
	assert_key(f, "AuthMethod", "None");
	assert_key(f, "TargetPortalGroupTag", "1");
	assert_key(f, "MaxRecvDataSegmentLength", NULL);
	assert_int_equal(send_keys(f, 1, 3, true, oper_keys), LOGIN_DONE);
	assert_int_equal(f->rh.statsn, STATSN + 1);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	assert_key(f, "TargetPortalGroupTag", NULL);
	assert_key(f, "HeaderDigest", "CRC32C");
	assert_key(f, "InitialR2T", NULL);    /* Yes: optional */
	assert_key(f, "ImmediateData", NULL); /* No: optional */
	assert_key(f, "FirstBurstLength", "Irrelevant");
	assert_key(f, "MaxRecvDataSegmentLength", "65536");
	const struct pdu_key_params *p = login_target_params(f->lt);
	assert_true(p->initial_r2t);
	assert_false(p->immediate_data);
	assert_true(p->digests.header);
	assert_int_equal(p->mrdsl_initiator, 131072);
	assert_int_equal(p->max_burst_length, 131072);
}

static void test_security_straight_to_ffp(void **state)
{
	struct fixture *f = *state;
	static const char *const sec[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"AuthMethod=None", NULL
	};

	start(f);
	assert_int_equal(send_keys(f, 0, 3, true, sec), LOGIN_DONE);
	assert_int_equal(f->rh.nsg, 3);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	assert_int_equal(login_target_params(f->lt)->mrdsl_target, 8192);
}

static void test_no_transit_unless_asked(void **state)
{
	struct fixture *f = *state;
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME, NULL
	};
	static const char *const none[] = { NULL };

	start(f);
	assert_int_equal(send_keys(f, 1, 0, false, first), LOGIN_CONTINUE);
	assert_false(f->rh.transit);  /* LOGIN-005 */
	assert_int_equal(f->rh.csg, 1);
	assert_int_equal(send_keys(f, 1, 3, true, none), LOGIN_DONE);
	assert_int_equal(f->rh.statsn, STATSN + 1);
}

static void test_discovery(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "SessionType=Discovery",
		"HeaderDigest=None", "DataDigest=None",
		"MaxRecvDataSegmentLength=32768", "MaxConnections=1",
		"InitialR2T=No", "ErrorRecoveryLevel=0",
		"DefaultTime2Wait=2", NULL
	};

	start(f);
	assert_int_equal(send_keys(f, 1, 3, true, keys), LOGIN_DONE);
	assert_key(f, "MaxConnections", "Irrelevant");
	assert_key(f, "InitialR2T", "Irrelevant");
	assert_key(f, "ErrorRecoveryLevel", "0");
	assert_key(f, "HeaderDigest", "None");
	assert_key(f, "TargetAlias", NULL);
	assert_key(f, "TargetPortalGroupTag", "1");
	assert_true(login_target_params(f->lt)->discovery);
	assert_true(f->bound.discovery);
	assert_string_equal(f->bound.target_name, "");
	assert_int_equal(login_target_params(f->lt)->mrdsl_initiator, 32768);
}

/* ---- refusals ---------------------------------------------------------- */

static void test_missing_initiator_name(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "TargetName=" TNAME, NULL };

	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, keys), 0x0207, "LOGIN-016");
	assert_int_equal(f->bind_calls, 0);
	assert_int_equal(f->rh.tsih, 0);
}

static void test_missing_target_name(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "InitiatorName=" INAME, NULL };

	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, keys), 0x0207, "LOGIN-014");
}

static void test_unknown_target_name(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=iqn.2000-01.com.example:x",
		NULL
	};

	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, keys), 0x0203, "LOGIN-014");
}

static void test_bind_refuses(void **state)
{
	struct fixture *f = *state;

	f->answer.status = 0x0206;
	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, libiscsi_keys), 0x0206,
		      "0x0206");
	assert_int_equal(f->bind_calls, 1);
	/* LOGIN-012: nothing more after a failure. */
	assert_int_equal(send_keys(f, 1, 3, true, libiscsi_keys),
			 LOGIN_PROTOCOL);
	assert_int_equal(f->rsp_len, 0);
}

static void test_version_unsupported(void **state)
{
	struct fixture *f = *state;
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), libiscsi_keys);

	start(f);
	tw_login_hdr(&h, 1, 3, true, false, 0, ITT, CMDSN);
	h.version_min = 1;
	h.version_max = 2;
	assert_failed(f, send_pdu(f, &h, text, len), 0x0205, "LOGIN-007");
}

static void test_malformed_key(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "InitiatorName=" INAME "\0TargetName="
				   TNAME "\0NoEqualsHere\0";
	struct pdu_hdr h;

	start(f);
	tw_login_hdr(&h, 1, 3, true, false, 0, ITT, CMDSN);
	assert_failed(f, send_pdu(f, &h, (const uint8_t *)text,
				  sizeof(text) - 1), 0x0200, "LOGIN-017");
}

static void test_duplicate_key(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"MaxBurstLength=65536", "MaxBurstLength=8192", NULL
	};

	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, keys), 0x0200, "LOGIN-024");
}

static void test_bad_stage_flags(void **state)
{
	struct fixture *f = *state;
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), libiscsi_keys);

	start(f);
	tw_login_hdr(&h, 1, 2, true, false, 0, ITT, CMDSN);
	assert_failed(f, send_pdu(f, &h, text, len), 0x0200, "LOGIN-004");

	login_target_free(f->lt);
	start(f);
	tw_login_hdr(&h, 1, 3, true, true, 0, ITT, CMDSN);
	assert_failed(f, send_pdu(f, &h, text, len), 0x0200, "LOGIN-002");
}

static void test_first_burst_above_max_burst(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"FirstBurstLength=65536", "MaxBurstLength=4096", NULL
	};

	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, keys), 0x0200, "LOGIN-028");
}

static void test_stage_mismatch(void **state)
{
	struct fixture *f = *state;
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME, NULL
	};
	static const char *const none[] = { NULL };

	start(f);
	assert_int_equal(send_keys(f, 1, 0, false, first), LOGIN_CONTINUE);
	assert_failed(f, send_keys(f, 0, 1, true, none), 0x0200, "LOGIN-004");
}

static void test_isid_changed(void **state)
{
	struct fixture *f = *state;
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME, NULL
	};
	struct pdu_hdr h;

	start(f);
	assert_int_equal(send_keys(f, 1, 0, false, first), LOGIN_CONTINUE);
	tw_login_hdr(&h, 1, 3, true, false, 0, ITT, CMDSN);
	h.isid[5] = 9;
	assert_failed(f, send_pdu(f, &h, NULL, 0), 0x0200, "LOGIN-009");
}

static void test_operational_key_in_security_stage(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"AuthMethod=None", "MaxBurstLength=65536", NULL
	};

	start(f);
	assert_failed(f, send_keys(f, 0, 1, true, keys), 0x0200, "MaxBurst");
}

static void test_joining_connection(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"HeaderDigest=CRC32C", "MaxRecvDataSegmentLength=16384", NULL
	};
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), keys);

	pdu_key_params_init(&f->session);
	f->session.error_recovery_level = 1;
	f->session.max_connections = 4;
	f->session.max_burst_length = 131072;
	f->session.mrdsl_initiator = 1024;
	f->answer = (struct login_bind){ .tsih = NEW_TSIH, .leading = false,
					 .session_params = &f->session };
	start(f);
	tw_login_hdr(&h, 1, 3, true, false, NEW_TSIH, ITT, CMDSN);
	assert_int_equal(send_pdu(f, &h, text, len), LOGIN_DONE);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	assert_int_equal(f->bound.tsih, NEW_TSIH);
	assert_key(f, "TargetPortalGroupTag", "1");
	const struct pdu_key_params *p = login_target_params(f->lt);
	assert_int_equal(p->error_recovery_level, 1);
	assert_int_equal(p->max_connections, 4);
	assert_int_equal(p->max_burst_length, 131072);
	assert_true(p->digests.header);
	assert_int_equal(p->mrdsl_initiator, 16384);
}

static void test_joining_connection_leading_only_key(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"MaxConnections=2", NULL
	};
	uint8_t text[4096];
	struct pdu_hdr h;
	size_t len = tw_text(text, 0, sizeof(text), keys);

	pdu_key_params_init(&f->session);
	f->answer = (struct login_bind){ .tsih = NEW_TSIH, .leading = false,
					 .session_params = &f->session };
	start(f);
	tw_login_hdr(&h, 1, 3, true, false, NEW_TSIH, ITT, CMDSN);
	assert_failed(f, send_pdu(f, &h, text, len), 0x0200, "LOGIN-026");
	assert_int_equal(f->rh.tsih, NEW_TSIH);
}

static void test_non_login_pdu(void **state)
{
	struct fixture *f = *state;
	struct pdu_hdr h;

	start(f);
	memset(&h, 0, sizeof(h));
	h.opcode = PDU_OP_NOP_OUT;
	h.immediate = true;
	h.final = true;
	h.itt = 1;
	h.ttt = PDU_RESERVED_TAG;
	assert_int_equal(send_pdu(f, &h, NULL, 0), LOGIN_PROTOCOL);
	assert_int_equal(f->rsp_len, 0);
	assert_non_null(strstr(login_target_error(f->lt), "§6"));
	assert_non_null(strstr(login_target_error(f->lt), "NOP-Out"));
}

/* ---- C=1 in both directions -------------------------------------------- */

static void test_request_split_over_c1(void **state)
{
	struct fixture *f = *state;
	uint8_t text[4096];
	size_t len = tw_text(text, 0, sizeof(text), libiscsi_keys);
	size_t cut[] = { 0, 70, 200, len };  /* pairs split mid-way */
	struct pdu_hdr h;

	start(f);
	for (int i = 0; i < 3; i++) {
		bool last = i == 2;
		tw_login_hdr(&h, 1, 3, last, !last, 0, ITT, CMDSN);
		h.expstatsn = STATSN + (uint32_t)i;
		int step = send_pdu(f, &h, text + cut[i], cut[i + 1] - cut[i]);
		if (!last) {
			assert_int_equal(step, LOGIN_CONTINUE);
			assert_int_equal(f->rh.data_segment_len, 0);
			assert_false(f->rh.transit);
			assert_int_equal(f->rh.tsih, 0);
		} else {
			assert_int_equal(step, LOGIN_DONE);
		}
		assert_int_equal(f->rh.statsn, STATSN + (uint32_t)i);
	}
	assert_key(f, "FirstBurstLength", "65536");
	assert_int_equal(login_target_expstatsn(f->lt), STATSN + 2);
	assert_int_equal(login_target_next_statsn(f->lt), STATSN + 3);
}

static void test_response_split_over_c1(void **state)
{
	struct fixture *f = *state;
	static char names[140][80];
	const char *pairs[144];
	uint8_t text[16384], all[16384];
	size_t n = 0, got = 0;
	struct pdu_hdr h;
	int step;

	pairs[n++] = "InitiatorName=" INAME;
	pairs[n++] = "TargetName=" TNAME;
	for (int i = 0; i < 140; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "X-com.example.padding-key-to-make-answers-long-%03d=1",
			 i);
		pairs[n++] = names[i];
	}
	pairs[n] = NULL;
	size_t len = tw_text(text, 0, sizeof(text), pairs);
	assert_true(len <= 8192);

	start(f);
	tw_login_hdr(&h, 1, 3, true, false, 0, ITT, CMDSN);
	step = send_pdu(f, &h, text, len);
	int chunks = 0;
	while (f->rh.cont) {
		assert_int_equal(step, LOGIN_CONTINUE);
		assert_true(f->rh.data_segment_len <= 8192);
		memcpy(all + got, f->rsp + PDU_BHS_LEN, f->rh.data_segment_len);
		got += f->rh.data_segment_len;
		chunks++;
		tw_login_hdr(&h, 1, 3, true, false, 0, ITT, CMDSN);
		step = send_pdu(f, &h, NULL, 0);
	}
	assert_int_equal(step, LOGIN_DONE);
	memcpy(all + got, f->rsp + PDU_BHS_LEN, f->rh.data_segment_len);
	got += f->rh.data_segment_len;
	assert_true(chunks >= 1);
	assert_true(got > 8192);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	size_t count = 0;
	for (size_t i = 0; i < got; i += strlen((char *)all + i) + 1)
		if (strstr((char *)all + i, "=NotUnderstood"))
			count++;
	assert_int_equal(count, 140);
}

/* ---- CHAP --------------------------------------------------------------- */

static const char *digest_name(int alg)
{
	switch (alg) {
	case 5: return "MD5";
	case 6: return "SHA1";
	case 7: return "SHA256";
	default: return "SHA3-256";
	}
}

/* H(id || secret || challenge), computed here independently of chap.c. */
static size_t chap_hash(int alg, uint8_t id, const char *secret,
			const uint8_t *c, size_t clen, uint8_t *out)
{
	uint8_t buf[1 + 64 + 1024];
	unsigned int n = 0;
	size_t sl = strlen(secret);

	buf[0] = id;
	memcpy(buf + 1, secret, sl);
	memcpy(buf + 1 + sl, c, clen);
	assert_int_equal(EVP_Digest(buf, 1 + sl + clen, out, &n,
				    EVP_get_digestbyname(digest_name(alg)),
				    NULL), 1);
	return n;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	out += sprintf(out, "0x");
	for (size_t i = 0; i < n; i++)
		out += sprintf(out, "%02x", b[i]);
}

struct chap_run {
	int alg;
	const char *offer;        /* CHAP_A list */
	const char *secret;       /* what the initiator proves */
	bool mutual;
	bool reflect;             /* send the target's challenge back */
	size_t challenge_len;     /* expected */
};

/* Security stage with CHAP; returns the step of the CHAP_R request. */
static int chap_login(struct fixture *f, const struct chap_run *r)
{
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"SessionType=Normal", "AuthMethod=CHAP,None", NULL
	};
	char a[64], n_pair[80], r_pair[200], i_pair[32], c_pair[200];
	uint8_t chal[1024], resp[64], ichal[16];
	long clen;

	f->cfg.chap = &f->chap;
	start(f);
	assert_int_equal(send_keys(f, 0, 1, true, first), LOGIN_CONTINUE);
	assert_false(f->rh.transit);
	assert_key(f, "AuthMethod", "CHAP");
	assert_key(f, "TargetPortalGroupTag", "1");

	snprintf(a, sizeof(a), "CHAP_A=%s", r->offer);
	const char *alg_keys[] = { a, NULL };
	assert_int_equal(send_keys(f, 0, 1, true, alg_keys), LOGIN_CONTINUE);
	assert_false(f->rh.transit);
	char want_alg[8];
	snprintf(want_alg, sizeof(want_alg), "%d", r->alg);
	assert_key(f, "CHAP_A", want_alg);
	const char *id_s = tw_key(f->rsp, f->rsp_len, "CHAP_I");
	assert_non_null(id_s);
	uint8_t id = (uint8_t)atoi(id_s);
	clen = pdu_kv_decode_binary(tw_key(f->rsp, f->rsp_len, "CHAP_C"),
				    chal, sizeof(chal), NULL);
	assert_int_equal(clen, (long)r->challenge_len);

	size_t hn = chap_hash(r->alg, id, r->secret, chal, (size_t)clen, resp);
	snprintf(n_pair, sizeof(n_pair), "CHAP_N=%s", f->chap.user);
	strcpy(r_pair, "CHAP_R=");
	hex(resp, hn, r_pair + 7);
	const char *reply[] = { n_pair, r_pair, NULL, NULL, NULL };
	for (size_t i = 0; i < sizeof(ichal); i++)
		ichal[i] = (uint8_t)(0xa0 + i);
	if (r->mutual) {
		snprintf(i_pair, sizeof(i_pair), "CHAP_I=77");
		strcpy(c_pair, "CHAP_C=");
		if (r->reflect)
			hex(chal, (size_t)clen, c_pair + 7);
		else
			hex(ichal, sizeof(ichal), c_pair + 7);
		reply[2] = i_pair;
		reply[3] = c_pair;
	}
	int step = send_keys(f, 0, 1, true, reply);
	if (step != LOGIN_CONTINUE || !r->mutual)
		return step;
	/* The target's proof over the mutual secret. */
	assert_key(f, "CHAP_N", f->chap.mutual_user);
	uint8_t tresp[64];
	char want[200];
	hn = chap_hash(r->alg, 77, f->chap.mutual_secret, ichal, sizeof(ichal),
		       tresp);
	hex(tresp, hn, want);
	assert_key(f, "CHAP_R", want);
	return step;
}

static void chap_full(void **state, const struct chap_run *r)
{
	struct fixture *f = *state;

	assert_int_equal(chap_login(f, r), LOGIN_CONTINUE);
	assert_true(f->rh.transit);
	assert_int_equal(f->rh.nsg, 1);
	assert_int_equal(f->rh.tsih, 0);
	assert_int_equal(send_keys(f, 1, 3, true, oper_keys), LOGIN_DONE);
	assert_int_equal(f->rh.tsih, NEW_TSIH);
	assert_int_equal(f->rh.statsn, STATSN + 3);
	assert_key(f, "HeaderDigest", "CRC32C");
	assert_key(f, "MaxRecvDataSegmentLength", "65536");
	assert_string_equal(login_target_error(f->lt), "");
}

static void test_chap_md5(void **state)
{
	chap_full(state, &(struct chap_run){ 5, "5", "alice-secret-1234",
					     false, false, 16 });
}

static void test_chap_sha1(void **state)
{
	chap_full(state, &(struct chap_run){ 6, "6,5", "alice-secret-1234",
					     false, false, 20 });
}

static void test_chap_sha256(void **state)
{
	chap_full(state, &(struct chap_run){ 7, "3,7,5", "alice-secret-1234",
					     false, false, 32 });
}

static void test_chap_sha3_256(void **state)
{
	chap_full(state, &(struct chap_run){ 8, "8,7,6,5",
					     "alice-secret-1234", false,
					     false, 32 });
}

static void test_chap_mutual_md5(void **state)
{
	chap_full(state, &(struct chap_run){ 5, "5", "alice-secret-1234",
					     true, false, 16 });
}

static void test_chap_mutual_sha1(void **state)
{
	chap_full(state, &(struct chap_run){ 6, "6", "alice-secret-1234",
					     true, false, 20 });
}

static void test_chap_mutual_sha256(void **state)
{
	chap_full(state, &(struct chap_run){ 7, "7", "alice-secret-1234",
					     true, false, 32 });
}

static void test_chap_mutual_sha3_256(void **state)
{
	chap_full(state, &(struct chap_run){ 8, "8", "alice-secret-1234",
					     true, false, 32 });
}

static void test_chap_wrong_secret(void **state)
{
	struct fixture *f = *state;

	assert_failed(f, chap_login(f, &(struct chap_run){
			      5, "5", "not-the-secret", false, false, 16 }),
		      0x0201, "LOGIN-031");
}

static void test_chap_reflected_challenge(void **state)
{
	struct fixture *f = *state;

	assert_failed(f, chap_login(f, &(struct chap_run){
			      7, "7", "alice-secret-1234", true, true, 32 }),
		      0x0201, "LOGIN-033");
}

static void test_chap_mutual_refused(void **state)
{
	struct fixture *f = *state;

	f->chap.mutual_secret = NULL;
	assert_failed(f, chap_login(f, &(struct chap_run){
			      5, "5", "alice-secret-1234", true, false, 16 }),
		      0x0201, "mutual");
}

static void test_chap_no_common_algorithm(void **state)
{
	struct fixture *f = *state;
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"AuthMethod=CHAP", NULL
	};
	static const char *const alg[] = { "CHAP_A=3,4", NULL };

	f->cfg.chap = &f->chap;
	start(f);
	assert_int_equal(send_keys(f, 0, 1, true, first), LOGIN_CONTINUE);
	assert_failed(f, send_keys(f, 0, 1, true, alg), 0x0201, "LOGIN-030");
}

static void test_chap_required_none_offered(void **state)
{
	struct fixture *f = *state;
	static const char *const first[] = {
		"InitiatorName=" INAME, "TargetName=" TNAME,
		"AuthMethod=None", NULL
	};

	f->cfg.chap = &f->chap;
	start(f);
	assert_failed(f, send_keys(f, 0, 1, true, first), 0x0201, "LOGIN-030");
}

static void test_chap_required_operational_first(void **state)
{
	struct fixture *f = *state;

	f->cfg.chap = &f->chap;
	start(f);
	assert_failed(f, send_keys(f, 1, 3, true, libiscsi_keys), 0x0201,
		      "LOGIN-031");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_libiscsi_single_pdu),
		T(test_negotiated_down),
		T(test_out_of_range_offer_rejected),
		T(test_security_none_then_operational),
		T(test_security_straight_to_ffp),
		T(test_no_transit_unless_asked),
		T(test_discovery),
		T(test_missing_initiator_name),
		T(test_missing_target_name),
		T(test_unknown_target_name),
		T(test_bind_refuses),
		T(test_version_unsupported),
		T(test_malformed_key),
		T(test_duplicate_key),
		T(test_bad_stage_flags),
		T(test_first_burst_above_max_burst),
		T(test_stage_mismatch),
		T(test_isid_changed),
		T(test_operational_key_in_security_stage),
		T(test_joining_connection),
		T(test_joining_connection_leading_only_key),
		T(test_non_login_pdu),
		T(test_request_split_over_c1),
		T(test_response_split_over_c1),
		T(test_chap_md5),
		T(test_chap_sha1),
		T(test_chap_sha256),
		T(test_chap_sha3_256),
		T(test_chap_mutual_md5),
		T(test_chap_mutual_sha1),
		T(test_chap_mutual_sha256),
		T(test_chap_mutual_sha3_256),
		T(test_chap_wrong_secret),
		T(test_chap_reflected_challenge),
		T(test_chap_mutual_refused),
		T(test_chap_no_common_algorithm),
		T(test_chap_required_none_offered),
		T(test_chap_required_operational_first),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
