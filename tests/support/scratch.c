/* scratch.c — a fresh scratch directory per test program (scratch.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/scratch.h"

int scratch_make_dir(const char *name, char *dir, size_t len)
{
	const char *base = getenv("HARNESS_SCRATCH");
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0777);
	/* mkdtemp replaces the six trailing template characters */
	int n = snprintf(dir, len, "%s/%s-XXXXXX", base, name);
	if (n < 0 || (size_t)n >= len || !mkdtemp(dir)) {
		fprintf(stderr, "cannot create a scratch directory %s/%s-*: %s\n", base, name,
			n < 0 || (size_t)n >= len ? "path too long" : strerror(errno));
		return -1;
	}
	return 0;
}

void scratch_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}
