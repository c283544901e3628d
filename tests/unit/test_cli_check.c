/* test_cli_check.c — `iscsi-harness check` and `diff` as a user runs them
 * ($HARNESS_BIN): exit status 0 / 1 / 2, the four report files, the rule
 * that a mutated capture breaks named with its frame, and bad input — a
 * truncated capture, a file that is no capture, an empty file, a capture
 * without iSCSI, an unknown rule — answered with a clear message naming
 * file, frame and byte offset, and the reports written all the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/capture/pcap_writer.h"
#include "pdu/pdu.h"
#include "tests/support/peers.h"
#include "tests/support/scratch.h"

#define GOLDEN "captures/golden/every-opcode.pcap"

static char g_dir[512];

static const char *bin(void)
{
	const char *b = getenv("HARNESS_BIN");
	return b && *b ? b : "./iscsi-harness";
}

static const char *path(const char *name)
{
	static char buf[4][600];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
	return buf[k];
}

/* Run iscsi-harness with args; returns its exit status, output in *out. */
static int harness(struct peer_result *r, const char *const *args)
{
	const char *argv[24] = { bin() };
	size_t n = 1;
	for (; *args && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	char err[256];
	if (peer_run(argv, NULL, 60.0, r, err, sizeof err) != 0)
		fail_msg("running %s: %s", bin(), err);
	if (!r->exited)
		fail_msg("%s did not exit normally (signal %d): %s", bin(), r->status, r->out);
	return r->status;
}

static void expect_text(const struct peer_result *r, const char *text)
{
	if (!r->out || !strstr(r->out, text))
		fail_msg("output lacks \"%s\":\n%s", text, r->out ? r->out : "");
}

static bool file_has(const char *file, const char *text)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return false;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static void copy_prefix(const char *from, const char *to, long bytes)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	for (long i = 0; bytes < 0 || i < bytes; i++) {
		int c = fgetc(in);
		if (c == EOF)
			break;
		fputc(c, out);
	}
	fclose(in);
	fclose(out);
}

static int group_setup(void **state)
{
	(void)state;
	return scratch_make_dir("cli-check", g_dir, sizeof g_dir);
}

static int group_teardown(void **state)
{
	(void)state;
	const char *names[] = { "r.json", "r.xml", "r.tap", "r.txt", "trunc.pcap", "text.pcap",
				"empty.pcap", "noiscsi.pcap", "broken.pcap", "t.json", NULL };
	for (const char **n = names; *n; n++)
		remove(path(*n));
	rmdir(g_dir);
	return 0;
}

static void test_golden_passes_with_every_report(void **state)
{
	(void)state;
	struct peer_result r;
	const char *args[] = { "check", "--json", path("r.json"), "--junit", path("r.xml"),
			       "--tap", path("r.tap"), "--text", path("r.txt"), GOLDEN, NULL };
	assert_int_equal(harness(&r, args), 0);
	expect_text(&r, "0 FAIL");
	peer_result_free(&r);
	assert_true(file_has(path("r.json"), "\"schema\""));
	assert_true(file_has(path("r.json"), "\"MCS-005\""));
	assert_true(file_has(path("r.xml"), "<testsuites"));
	assert_true(file_has(path("r.tap"), "TAP version 13"));
	assert_true(file_has(path("r.txt"), "0 FAIL"));
}

static void test_broken_capture_fails_with_frame(void **state)
{
	(void)state;
	/* Flip the StatSN of connection 1's first SCSI Response in the golden
	 * capture bytes: found by scanning for its BHS. */
	copy_prefix(GOLDEN, path("broken.pcap"), -1);
	FILE *f = fopen(path("broken.pcap"), "r+b");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	size_t at = 0;
	for (size_t i = 0; i + PDU_BHS_LEN < n; i++)
		if (buf[i] == PDU_OP_SCSI_RSP && buf[i + 1] == 0x80 && buf[i + 4] == 0 &&
		    buf[i + 16] == 0 && buf[i + 17] == 0 && buf[i + 18] == 0) {
			at = i;
			break;
		}
	assert_true(at > 0);
	buf[at + 27] ^= 0x10; /* StatSN low byte: a jump on the connection */
	fseek(f, 0, SEEK_SET);
	fwrite(buf, 1, n, f);
	fclose(f);
	struct peer_result r;
	const char *args[] = { "check", "--rules", "seq", path("broken.pcap"), NULL };
	assert_int_equal(harness(&r, args), 1);
	expect_text(&r, "SEQ-009");
	expect_text(&r, "iscsi.statsn");
	expect_text(&r, "frame ");
	peer_result_free(&r);
}

static void test_truncated_capture(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(stat(GOLDEN, &st), 0);
	copy_prefix(GOLDEN, path("trunc.pcap"), st.st_size * 2 / 3);
	struct peer_result r;
	const char *args[] = { "check", "--json", path("t.json"), path("trunc.pcap"), NULL };
	assert_int_equal(harness(&r, args), 2);
	expect_text(&r, "trunc.pcap");
	expect_text(&r, "frame");
	expect_text(&r, "offset");
	peer_result_free(&r);
	/* what was read before the cut is judged and reported */
	assert_true(file_has(path("t.json"), "\"sessions\""));
	assert_true(file_has(path("t.json"), "LOGIN-001"));
}

static void test_not_a_capture(void **state)
{
	(void)state;
	FILE *f = fopen(path("text.pcap"), "w");
	fputs("this is not a capture\n", f);
	fclose(f);
	f = fopen(path("empty.pcap"), "w");
	fclose(f);
	const char *files[] = { path("text.pcap"), path("empty.pcap"), path("missing.pcap") };
	for (size_t i = 0; i < 3; i++) {
		struct peer_result r;
		const char *args[] = { "check", files[i], NULL };
		assert_int_equal(harness(&r, args), 2);
		expect_text(&r, strrchr(files[i], '/') + 1);
		peer_result_free(&r);
	}
}

/* A capture whose only connection is not on an iSCSI port. */
static void test_no_iscsi(void **state)
{
	(void)state;
	char err[256];
	struct cap_writer *w;
	assert_int_equal(cap_writer_open(&w, path("noiscsi.pcap"), NULL, err, sizeof err), 0);
	struct ev_endpoints ep = { .family = 2, .ini_addr = { 10, 0, 0, 1 },
				   .tgt_addr = { 10, 0, 0, 2 }, .ini_port = 40000,
				   .tgt_port = 80 };
	static const uint8_t http[] = "GET / HTTP/1.0\r\n\r\n";
	struct event ev = { .kind = EV_CONN_OPEN, .conn = 1, .ep = &ep };
	assert_int_equal(cap_writer_on_event(w, &ev), 0);
	ev = (struct event){ .kind = EV_WIRE, .conn = 1, .bytes = http, .len = sizeof http - 1 };
	assert_int_equal(cap_writer_on_event(w, &ev), 0);
	assert_int_equal(cap_writer_close(w), 0);
	struct peer_result r;
	const char *args[] = { "check", path("noiscsi.pcap"), NULL };
	assert_int_equal(harness(&r, args), 2);
	expect_text(&r, "no iSCSI");
	peer_result_free(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	struct peer_result r;
	const char *unknown_rule[] = { "check", "--rules", "NOPE-001", GOLDEN, NULL };
	assert_int_equal(harness(&r, unknown_rule), 2);
	expect_text(&r, "NOPE-001");
	peer_result_free(&r);
	const char *no_file[] = { "check", NULL };
	assert_int_equal(harness(&r, no_file), 2);
	peer_result_free(&r);
	const char *bad_port[] = { "check", "--port", "70000", GOLDEN, NULL };
	assert_int_equal(harness(&r, bad_port), 2);
	peer_result_free(&r);
	const char *help[] = { "check", "--help", NULL };
	assert_int_equal(harness(&r, help), 0);
	expect_text(&r, "usage: iscsi-harness check");
	peer_result_free(&r);
}

static void test_diff_exit_status(void **state)
{
	(void)state;
	struct peer_result r;
	const char *same[] = { "diff", GOLDEN, GOLDEN, NULL };
	assert_int_equal(harness(&r, same), 0);
	expect_text(&r, "equal");
	peer_result_free(&r);
	copy_prefix(GOLDEN, path("broken.pcap"), -1);
	FILE *f = fopen(path("broken.pcap"), "r+b");
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	/* the first Text Request's vendor key: one data byte changed */
	static const char vendor_key[] = "X-org.iscsi-harness.golden=1";
	size_t at = 0;
	while (at + sizeof vendor_key <= n && memcmp(buf + at, vendor_key, sizeof vendor_key - 1))
		at++;
	assert_true(at + sizeof vendor_key <= n);
	buf[at + sizeof vendor_key - 2] = '2';
	fseek(f, 0, SEEK_SET);
	fwrite(buf, 1, n, f);
	fclose(f);
	const char *differ[] = { "diff", GOLDEN, path("broken.pcap"), NULL };
	assert_int_equal(harness(&r, differ), 1);
	expect_text(&r, "data segment differs");
	expect_text(&r, "Text Request");
	peer_result_free(&r);
	const char *missing[] = { "diff", GOLDEN, path("missing.pcap"), NULL };
	assert_int_equal(harness(&r, missing), 2);
	peer_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_passes_with_every_report),
		cmocka_unit_test(test_broken_capture_fails_with_frame),
		cmocka_unit_test(test_truncated_capture),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_no_iscsi),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_diff_exit_status),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
