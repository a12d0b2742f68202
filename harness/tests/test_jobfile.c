// SPDX-License-Identifier: GPL-2.0
/*
 * Job files: every error names file:line and the key and loads nothing;
 * list values and ranges expand into exactly the cartesian product.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jobfile.h"
#include "page_kinds.h"

static char path[64];

static const char *write_job(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/pfnlab-job-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load @text; expect failure with "<path>:<line>: " and @needle in the message. */
static void expect_error(const char *text, int line, const char *needle)
{
	struct job_set set = { 0 };
	char err[1024], prefix[128];
	const char *p = write_job(text);

	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), -1);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", p, line);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, needle))
		fail_msg("got \"%s\", want prefix \"%s\" and \"%s\"", err, prefix, needle);
	/* Nothing is loaded from a bad file. */
	assert_int_equal(set.ncases, 0);
	assert_int_equal(set.nfiles, 0);
	jobset_free(&set);
	unlink(p);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("[a]\nbackend = uring\nop = pin\nsizee = 64M\n", 4, "key 'sizee': unknown key");
}

static void test_bad_enum(void **state)
{
	(void)state;
	expect_error("; comment\n[a]\nbackend = uring\nop = pin\npage = 4k, huge\n", 5,
		     "key 'page': '4k, huge': not one of the allowed values");
}

/*
 * The page key takes exactly the kinds of the page-kind table, one case
 * each with the kind's name, and the key's help lists every one of them.
 */
static void test_page_kinds_table(void **state)
{
	char text[1024] = "[a]\nbackend = uring\nop = pin\npage = ", help[4096] = "";
	struct job_set set = { 0 };
	size_t nkinds = 0;
	char err[1024];
	FILE *f;
	const char *p;

	(void)state;
	for (const struct page_kind *k = page_kinds; k->name; k++, nkinds++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
			 nkinds ? ", " : "", k->name);
	strcat(text, "\n");
	p = write_job(text);
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), 0);
	assert_int_equal(set.ncases, nkinds);
	for (size_t i = 0; i < nkinds; i++)
		assert_string_equal(set.cases[i].page, page_kinds[i].name);
	jobset_free(&set);
	unlink(p);
	f = fmemopen(help, sizeof(help) - 1, "w");
	assert_non_null(f);
	jobfile_print_keys(f);
	fclose(f);
	for (const struct page_kind *k = page_kinds; k->name; k++)
		assert_non_null(strstr(help, k->name));
	expect_error("[a]\nbackend = uring\nop = pin\npage = 2m\n", 4,
		     "key 'page': '2m': not one of the allowed values");
}

static void test_bad_size(void **state)
{
	(void)state;
	expect_error("[a]\nbackend = uring\nop = pin\nsize = 64Q\n", 4, "key 'size'");
	expect_error("[a]\nbackend = uring\nop = pin\nsize = 5000\n", 4, "not a multiple of 4 KiB");
	expect_error("[a]\nbackend = uring\nop = pin\nthreads = 0\n", 4,
		     "key 'threads': '0': out of range");
	expect_error("[a]\nbackend = uring\nop = pin\nthreads = 2..1\n", 4,
		     "key 'threads': '2..1': bad range");
	expect_error("[a]\nbackend = uring\nop = pin\nmin_time = fast\n", 4, "key 'min_time'");
	expect_error("[a]\nbackend = uring\nop = pin\nsize = 64M,,128M\n", 4, "empty list item");
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_error("[a]\nbackend = uring\nop = pin\nbackend = driver\n", 4,
		     "key 'backend': duplicate (first at line 2)");
	expect_error("[a]\nbackend = uring\nop = pin\n\n[a]\nbackend = uring\nop = pin\n", 5,
		     "section 'a': duplicate (first at line 1)");
}

static void test_missing_required(void **state)
{
	(void)state;
	/* A missing key is reported at the section header. */
	expect_error("[first]\nbackend = uring\nop = pin\n\n[second]\nbackend = uring\n", 5,
		     "section 'second': key 'op': missing (required)");
}

static void test_bad_combination(void **state)
{
	(void)state;
	expect_error("[a]\nbackend = uring, pagemap\nop = fill\n", 3,
		     "key 'op': backend 'uring' has no op 'fill'");
	expect_error("[a]\nbackend = pagemap\nop = iotlb\nsize = 1M\nwindow = 2M\n", 5,
		     "key 'window'");
}

static void test_syntax(void **state)
{
	(void)state;
	expect_error("backend = uring\n[a]\nop = pin\n", 1, "key 'backend': outside any [section]");
	expect_error("[a]\nbackend = uring\nop pin\n", 3, "syntax error");
	expect_error("; nothing\n", 1, "no benchmark sections");
}

static void test_missing_file(void **state)
{
	struct job_set set = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(jobfile_load(&set, "/nonexistent/x.ini", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.ini: No such file"));
}

/* A failed file leaves what earlier files loaded untouched. */
static void test_error_keeps_previous(void **state)
{
	struct job_set set = { 0 };
	char err[256], first[64];
	const char *p;

	(void)state;
	p = write_job("[a]\nbackend = uring\nop = pin\n");
	snprintf(first, sizeof(first), "%s", p);
	assert_int_equal(jobfile_load(&set, first, err, sizeof(err)), 0);
	assert_int_equal(set.ncases, 1);
	p = write_job("[b]\nbackend = uring\nop = bogus\n");
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), -1);
	assert_int_equal(set.ncases, 1);
	assert_int_equal(set.nfiles, 1);
	unlink(p);
	unlink(first);
	jobset_free(&set);
}

static void test_matrix(void **state)
{
	struct job_set set = { 0 };
	char err[256];
	const char *p;
	int seen[2][3][2] = { { { 0 } } };
	static const uint64_t sizes[3] = { 64ULL << 20, 128ULL << 20, 256ULL << 20 };

	(void)state;
	p = write_job("[defaults]\nrepetitions = 7\nthreads = 1..2\n\n"
		      "[m]\nbackend = uring\nop = pin\npage = 4k, thp\nsize = 64M..256M\n\n"
		      "[one]\nbackend = pagemap\nop = fill\nthreads = 3\nrepetitions = 2\n");
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), 0);
	/* 2 pages x 3 sizes x 2 thread counts, then one case */
	assert_int_equal(set.ncases, 13);
	for (size_t i = 0; i < 12; i++) {
		const struct bench_case *c = &set.cases[i];
		int pi = !strcmp(c->page, "thp"), si = -1;

		assert_string_equal(c->name, "m");
		assert_int_equal(c->repetitions, 7); /* from [defaults] */
		assert_int_equal(c->line, 5);
		for (int k = 0; k < 3; k++)
			if (c->size_bytes == sizes[k])
				si = k;
		assert_true(si >= 0);
		assert_true(c->threads == 1 || c->threads == 2);
		seen[pi][si][c->threads - 1]++;
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c->key, set.cases[j].key);
	}
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 3; b++)
			for (int t = 0; t < 2; t++)
				assert_int_equal(seen[a][b][t], 1);
	/* Section values override [defaults]; untouched keys keep defaults. */
	assert_int_equal(set.cases[12].threads, 3);
	assert_int_equal(set.cases[12].repetitions, 2);
	assert_int_equal(set.cases[12].size_bytes, 64ULL << 20);
	assert_string_equal(set.cases[12].fill, "run-aware");
	assert_int_equal(set.cases[12].batch_runs, 512);
	assert_string_equal(set.cases[12].key,
			    "one|backend=pagemap|batch_runs=512|cpu_node=0|device=|domain=mock"
			    "|fill=run-aware|mem_node=0|op=fill|page=4k|pages_per_call=0"
			    "|passes=1|pattern=sequential|seed=1|size=67108864|stride=4096"
			    "|threads=3|window=0");
	jobset_filter_backends(&set, "pagemap");
	assert_int_equal(set.ncases, 1);
	assert_string_equal(set.cases[0].name, "one");
	jobset_free(&set);
	unlink(p);
}

/*
 * A key added after results exist (gup, JK_KEY_NONDEFAULT) is in the
 * comparison key only away from its default, so every earlier run's key
 * still matches (test_matrix has the whole default key); its values are
 * variants measured on one round's buffer.
 */
static void test_key_added_later(void **state)
{
	struct job_set set = { 0 };
	char err[256];
	const char *p;

	(void)state;
	p = write_job("[g]\nbackend = gup_test\nop = pin\ngup = pin-longterm, pin-fast\n");
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), 0);
	assert_int_equal(set.ncases, 2);
	assert_string_equal(set.cases[0].gup, "pin-longterm");
	assert_null(strstr(set.cases[0].key, "gup="));
	assert_non_null(strstr(set.cases[1].key, "|gup=pin-fast|"));
	assert_string_not_equal(set.cases[0].key, set.cases[1].key);
	assert_true(bench_case_same_buffer(&set.cases[0], &set.cases[1]));
	jobset_free(&set);
	unlink(p);
}

/* evict: off by default and then out of the key; on, a variant of the same buffer. */
static void test_evict_key(void **state)
{
	struct job_set set = { 0 };
	char err[256];
	const char *p;

	(void)state;
	p = write_job("[e]\nbackend = uring\nop = pin\nevict = 0, 256M\n");
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), 0);
	assert_int_equal(set.ncases, 2);
	assert_true(set.cases[0].evict_bytes == 0);
	assert_null(strstr(set.cases[0].key, "evict="));
	assert_true(set.cases[1].evict_bytes == 256ULL << 20);
	assert_non_null(strstr(set.cases[1].key, "|evict=268435456|"));
	assert_true(bench_case_same_buffer(&set.cases[0], &set.cases[1]));
	jobset_free(&set);
	unlink(p);
	/* not a whole number of pages: refused, naming the key */
	p = write_job("[e]\nbackend = uring\nop = pin\nevict = 1000\n");
	assert_int_equal(jobfile_load(&set, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "evict"));
	unlink(p);
}

/* Statistics controls do not change the key: runs compare across overrides. */
static void test_key_ignores_statistics(void **state)
{
	struct job_set a = { 0 }, b = { 0 };
	char err[256], pa[64];
	const char *p;

	(void)state;
	p = write_job("[k]\nbackend = uring\nop = pin\nrepetitions = 3\nmin_time = 2s\n");
	snprintf(pa, sizeof(pa), "%s", p);
	assert_int_equal(jobfile_load(&a, pa, err, sizeof(err)), 0);
	p = write_job("[k]\nbackend = uring\nop = pin\nwarmup = 9\nmin_time = 500ms\n");
	assert_int_equal(jobfile_load(&b, p, err, sizeof(err)), 0);
	assert_string_equal(a.cases[0].key, b.cases[0].key);
	assert_true(a.cases[0].min_time_s == 2.0);
	assert_true(b.cases[0].min_time_s == 0.5);
	jobset_free(&a);
	jobset_free(&b);
	unlink(pa);
	unlink(p);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("64M", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("1.5G", &v), 0);
	assert_int_equal(v, 3ULL << 29);
	assert_int_equal(parse_size("4k", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("-1", &v), -1);
	assert_int_equal(parse_size("1.5", &v), -1);
	assert_int_equal(parse_size("M", &v), -1);
	assert_int_equal(parse_size("12X", &v), -1);
}

/* Every shipped job file parses. */
static void test_shipped_job_files(void **state)
{
	static const char *const files[] = { "bench/quick.ini", "bench/pin.ini", "bench/batch.ini",
					     "bench/iotlb.ini", "bench/numa.ini" };
	char err[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct job_set set = { 0 };

		if (jobfile_load(&set, files[i], err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(set.ncases > 0);
		jobset_free(&set);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_enum),
		cmocka_unit_test(test_page_kinds_table),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_bad_combination),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_error_keeps_previous),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_key_ignores_statistics),
		cmocka_unit_test(test_key_added_later),
		cmocka_unit_test(test_evict_key),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_shipped_job_files),
	};

	return cmocka_run_group_tests_name("jobfile", tests, NULL, NULL);
}
