/*
 * fuzz_run.c: libFuzzer target for the whole input path in one process:
 * load (YAML, objects, the Scenario), simulate and write both reports.
 *
 * Why this shape.  Every byte ksim reads from a user goes through
 * ks_scenario_load, and what the loader accepts must then simulate and
 * report without a crash, a leak or undefined behaviour; fuzzing the three
 * together finds inputs that validate but break the engine (the class of
 * `replicas: 4294967298`).  The catalog is loaded once, as ksim plan does,
 * because it is the same for every input and takes most of a cold start.
 *
 * The input is written to one temporary file (the loader reads files, and
 * error marks name them), and the run is cut to one simulated hour, which
 * is where nearly every scenario's interesting events are, so an input
 * costs milliseconds.  Warnings are silenced.  Built and run by run.sh
 * with clang's -fsanitize=fuzzer,address,undefined; see README.md.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "io/report.h"
#include "ksim.h"
#include "util/error.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalog	*cat;		/* loaded once, shared by every input */
static char		 path[64];	/* the input's temporary file */
static FILE		*devnull;	/* the text report goes here */

static void
cleanup(void)
{
	unlink(path);
	catalog_free(cat);
	if (devnull != NULL)
		fclose(devnull);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ksim_opts o;
	struct ks_error err = { 0 };
	const char *tmp = getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	memset(&o, 0, sizeof(o));
	if (ksim_catalog_load(&o, &cat, &err) != 0) {
		ks_error_print(stderr, &err);
		abort();
	}
	snprintf(path, sizeof(path), "%s/ksim-fuzz-XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0 || (devnull = fopen("/dev/null", "w")) == NULL) {
		perror("ksim fuzz");
		abort();
	}
	close(fd);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[1] = { path };
	struct ksim_opts o;
	struct ks_error err = { 0 };
	struct ks_run *r = NULL;
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 1;
	o.quiet = 1;
	o.duration_ms = 3600 * 1000;
	if (ksim_simulate(&o, cat, NULL, &r, &err) == 0) {
		json_t *j = report_json(r);
		char *s = json_dumps(j, JSON_SORT_KEYS);

		free(s);
		json_decref(j);
		report_text(r, devnull);
		ksim_simulation_free(r);
	}
	return 0;
}
