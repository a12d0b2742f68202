// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic results writes: the document reads back equal, a replaced file is
 * never seen half-written, and a write that fails (read-only filesystem,
 * full filesystem, missing directory) leaves no file behind at all.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "results.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pfnlab-results-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	umount2(dir, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

/* A document big enough not to fit a 16 KiB filesystem. */
static json_t *big_doc(size_t nsamples)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < nsamples; i++)
		json_array_append_new(arr, json_real((double)i * 1.000001));
	return json_pack("{s:i, s:o}", "schema_version", 1, "samples", arr);
}

static void test_roundtrip_and_replace(void **state)
{
	char path[128], err[256];
	json_t *a = big_doc(10), *b = big_doc(20), *back;
	json_error_t jerr;

	(void)state;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	assert_int_equal(results_write_atomic(a, path, err, sizeof(err)), 0);
	back = json_load_file(path, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(a, back));
	json_decref(back);
	assert_int_equal(results_write_atomic(b, path, err, sizeof(err)), 0);
	back = json_load_file(path, 0, &jerr);
	assert_true(json_equal(b, back));
	json_decref(back);
	/* no temporary left next to it */
	assert_int_equal(entries(dir), 1);
	json_decref(a);
	json_decref(b);
}

static void test_missing_dir(void **state)
{
	char path[128], err[256];
	json_t *a = big_doc(1);

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/run.json", dir);
	assert_int_equal(results_write_atomic(a, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_int_equal(entries(dir), 0);
	json_decref(a);
}

static void test_readonly_fs(void **state)
{
	char path[128], err[256];
	json_t *a = big_doc(1);

	(void)state;
	/* Root ignores permission bits, so use a read-only filesystem. */
	if (mount("pfnlab-test", dir, "tmpfs", MS_RDONLY, "size=64k"))
		skip();
	snprintf(path, sizeof(path), "%s/run.json", dir);
	assert_int_equal(results_write_atomic(a, path, err, sizeof(err)), -1);
	assert_int_equal(entries(dir), 0);
	assert_int_equal(umount2(dir, 0), 0);
	json_decref(a);
}

static void test_full_fs(void **state)
{
	char path[128], err[256];
	json_t *a = big_doc(50000), *small = big_doc(2), *back;
	json_error_t jerr;

	(void)state;
	if (mount("pfnlab-test", dir, "tmpfs", 0, "size=16k"))
		skip();
	snprintf(path, sizeof(path), "%s/run.json", dir);
	/* A previous result stays intact when the new one cannot be written. */
	assert_int_equal(results_write_atomic(small, path, err, sizeof(err)), 0);
	assert_int_equal(results_write_atomic(a, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "write"));
	assert_int_equal(entries(dir), 1);
	back = json_load_file(path, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(small, back));
	json_decref(back);
	assert_int_equal(umount2(dir, 0), 0);
	json_decref(a);
	json_decref(small);
}

static void test_default_path(void **state)
{
	char path[512], err[256], want[512];
	struct stat st;

	(void)state;
	/* 2026-11-23 22:40:00 UTC */
	assert_int_equal(results_default_path(path, sizeof(path), dir, "hostA", "64d786c-dirty",
					      1795473600, err, sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/hostA/20261123T224000Z-64d786c-dirty.json", dir);
	assert_string_equal(path, want);
	snprintf(want, sizeof(want), "%s/hostA", dir);
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void test_metric_summary(void **state)
{
	double x[3] = { 3, 1, 2 };
	size_t ends[1] = { 3 };
	json_t *m = results_metric(metric_def_find("pin_ns_per_page"), x, ends, 1, 0.05);
	json_t *sum = json_object_get(m, "summary");
	json_t *rounds = json_object_get(m, "rounds");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(m, "unit")), "ns/page");
	assert_string_equal(json_string_value(json_object_get(m, "better")), "lower");
	assert_string_equal(json_string_value(json_object_get(m, "kind")), "gated");
	assert_int_equal(json_array_size(rounds), 1);
	assert_int_equal(json_array_size(json_array_get(rounds, 0)), 3);
	/* raw samples keep their order */
	assert_true(json_real_value(json_array_get(json_array_get(rounds, 0), 0)) == 3);
	assert_true(json_real_value(json_object_get(sum, "median")) == 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "n")), 3);
	/* mean 2, stddev 1: cv 0.5 */
	assert_true(json_is_true(json_object_get(sum, "noisy")));
	/* one round: no between-round spread, the interval from order statistics */
	assert_true(json_is_null(json_object_get(sum, "between_round_cv")));
	assert_string_equal(json_string_value(json_object_get(sum, "ci_method")),
			    "order-statistics");
	json_decref(m);
}

/*
 * Three rounds whose medians are 10, 20 and 40: the center is their
 * geometric mean, 20; on the log scale the SD is ln 2, and the 95% interval
 * is 20 * exp(+-t(0.975, 2) * ln 2 / sqrt 3), worked out here by hand with
 * t(0.975, 2) = 4.302653.
 */
static void test_metric_rounds(void **state)
{
	double x[7] = { 9, 10, 11, 20, 19, 21, 40 };
	size_t ends[3] = { 3, 6, 7 };
	json_t *m = results_metric(metric_def_find("pin_ns_per_page"), x, ends, 3, 0.05);
	json_t *sum = json_object_get(m, "summary");
	double half = 4.302653 * log(2.0) / sqrt(3.0);

	(void)state;
	assert_int_equal(json_array_size(json_object_get(m, "rounds")), 3);
	assert_int_equal(json_array_size(json_array_get(json_object_get(m, "rounds"), 2)), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "rounds")), 3);
	assert_float_equal(json_real_value(json_array_get(json_object_get(sum, "round_medians"), 1)),
			   20, 1e-12);
	assert_float_equal(json_real_value(json_object_get(sum, "center")), 20, 1e-9);
	assert_float_equal(json_real_value(json_object_get(sum, "between_round_cv")), log(2.0),
			   1e-9);
	assert_float_equal(json_real_value(json_object_get(sum, "ci95_lo")), 20 * exp(-half), 1e-4);
	assert_float_equal(json_real_value(json_object_get(sum, "ci95_hi")), 20 * exp(half), 1e-4);
	assert_string_equal(json_string_value(json_object_get(sum, "ci_method")), "rounds");
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_fs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_fs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
		cmocka_unit_test(test_metric_summary),
		cmocka_unit_test(test_metric_rounds),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
