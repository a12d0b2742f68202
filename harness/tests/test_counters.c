// SPDX-License-Identifier: GPL-2.0
/*
 * Counters against independent truths: the page-faults event over a phase
 * that first-touches N pages equals getrusage()'s minor-fault delta and is
 * at least N, also when a worker thread created after the events were
 * opened does the touching (inherit); unsupported events carry a reason.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "counters.h"

#define NPAGES 256

static const struct counter *find(const struct counter_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}

static char *fresh_pages(void)
{
	char *m = mmap(NULL, NPAGES * 4096UL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	assert_true(m != MAP_FAILED);
	/* One fault per page: no THP. */
	madvise(m, NPAGES * 4096UL, MADV_NOHUGEPAGE);
	return m;
}

static void *touch(void *arg)
{
	volatile char *m = arg;

	for (size_t i = 0; i < NPAGES; i++)
		m[i * 4096] = 1;
	return NULL;
}

static long minflt_self(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_minflt;
}

static void test_page_faults_match_rusage(void **state)
{
	struct counter_set cs;
	const struct counter *pf, *tc;
	char *m = fresh_pages();
	long before, after;

	(void)state;
	counters_open(&cs);
	pf = find(&cs, "page-faults");
	tc = find(&cs, "task-clock");
	assert_non_null(pf);
	assert_non_null(tc);
	if (!pf->supported)
		skip();
	before = minflt_self(RUSAGE_SELF);
	counters_start(&cs);
	touch(m);
	counters_stop(&cs);
	after = minflt_self(RUSAGE_SELF);
	assert_int_equal(pf->nvalues, 1);
	assert_true(pf->values[0] >= NPAGES);
	/* rusage also counts the faults of reading the counters: allow a few */
	assert_true(pf->values[0] <= (double)(after - before));
	assert_true(pf->values[0] >= (double)(after - before) - 8);
	assert_true(tc->supported && tc->values[0] > 0);
	/* A phase without faults counts none: readings are per phase. */
	counters_start(&cs);
	counters_stop(&cs);
	assert_int_equal(pf->nvalues, 2);
	assert_true(pf->values[1] < 4);
	counters_drop_last(&cs);
	assert_int_equal(pf->nvalues, 1);
	counters_close(&cs);
	munmap(m, NPAGES * 4096UL);
}

static void test_inherited_by_new_threads(void **state)
{
	struct counter_set cs;
	const struct counter *pf;
	char *m = fresh_pages();
	pthread_t t;

	(void)state;
	counters_open(&cs);
	pf = find(&cs, "page-faults");
	if (!pf || !pf->supported)
		skip();
	/* The thread exists only after the events were opened, as workers do. */
	counters_start(&cs);
	assert_int_equal(pthread_create(&t, NULL, touch, m), 0);
	pthread_join(t, NULL);
	counters_stop(&cs);
	assert_true(pf->values[0] >= NPAGES);
	counters_close(&cs);
	munmap(m, NPAGES * 4096UL);
}

/*
 * libpfm4's events the machine has are one group, scheduled together: the
 * members count from the first phase on (a member enabled after its
 * leader misses the phase the group started in, which the rusage check
 * above catches) and are read one by one.
 */
static void test_pfm_events_grouped(void **state)
{
	struct counter_set cs;
	const struct counter *tc, *pf;

	(void)state;
	counters_open(&cs);
	tc = find(&cs, "task-clock");
	pf = find(&cs, "page-faults");
	assert_non_null(tc);
	assert_non_null(pf);
	if (!tc->supported || !pf->supported)
		skip();
	assert_true(tc->grouped && pf->grouped);
	assert_ptr_equal(cs.leader, tc->evsel);
	for (size_t i = 0; i < cs.n; i++)
		if (!cs.c[i].supported)
			assert_false(cs.c[i].grouped);
	counters_close(&cs);
}

static void test_unsupported_has_reason(void **state)
{
	struct counter_set cs;
	json_t *j;
	const char *name;
	json_t *v;

	(void)state;
	counters_open(&cs);
	j = counters_json(&cs);
	json_object_foreach(j, name, v) {
		if (json_is_true(json_object_get(v, "supported")))
			assert_true(json_is_array(json_object_get(v, "values")));
		else
			assert_true(json_is_string(json_object_get(v, "reason")));
	}
	assert_non_null(json_object_get(j, "task-clock"));
	assert_non_null(json_object_get(j, "cycles"));
	json_decref(j);
	counters_close(&cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_faults_match_rusage),
		cmocka_unit_test(test_inherited_by_new_threads),
		cmocka_unit_test(test_pfm_events_grouped),
		cmocka_unit_test(test_unsupported_has_reason),
	};

	return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
