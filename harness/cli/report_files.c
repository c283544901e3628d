/* report_files.c — writes the report files a subcommand was asked for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/report_files.h"

enum report_kind { KIND_JSON, KIND_JUNIT, KIND_TAP, KIND_TEXT };

static int write_one(const char *path, enum report_kind kind, const struct rep_run *run,
		     bool verbose_text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "iscsi-harness: cannot write report %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc;
	switch (kind) {
	case KIND_JSON: rc = rep_write_json(run, f); break;
	case KIND_JUNIT: rc = rep_write_junit(run, f); break;
	case KIND_TAP: rc = rep_write_tap(run, f); break;
	default: {
		struct rep_text_opts o = { .verbose = verbose_text, .color = false };
		rc = rep_write_text(run, &o, f);
		break;
	}
	}
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "iscsi-harness: writing report %s failed\n", path);
		return -1;
	}
	return 0;
}

int report_files_write(const struct report_files *files, const struct rep_run *run,
		       bool verbose_text)
{
	const struct { const char *path; enum report_kind kind; } wanted[] = {
		{ files->json, KIND_JSON }, { files->junit, KIND_JUNIT },
		{ files->tap, KIND_TAP }, { files->text, KIND_TEXT },
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (wanted[i].path && write_one(wanted[i].path, wanted[i].kind, run, verbose_text))
			rc = -1;
	return rc;
}
