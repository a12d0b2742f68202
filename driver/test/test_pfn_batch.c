// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pfn_batch: run extension and splitting (with the U32_MAX
 * per-run cap), capacity limits, both fill strategies against each other
 * and against the flat reference, contiguity scans, skip.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "pfn_batch.h"
#include "ref.h"

#define CAP U32_MAX /* PFN_BATCH_MAX_RUN_PFNS, as a u64 in sums below */

static void assert_run(const struct pfn_batch *b, u32 i, u64 pfn, u64 npfns)
{
	assert_true(i < b->nruns);
	assert_int_equal(b->run_pfn[i], pfn);
	assert_int_equal(b->run_npfns[i], npfns);
}

static void test_init_capacity_limits(void **state)
{
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 0), -EINVAL);
	assert_null(b.run_pfn);
	pfn_batch_destroy(&b); /* safe after a failed init */
	assert_int_equal(pfn_batch_init(&b, PFN_BATCH_MAX_RUNS + 1), -EINVAL);
	assert_int_equal(pfn_batch_init(&b, U32_MAX), -EINVAL);

	assert_int_equal(pfn_batch_init(&b, 1), 0);
	assert_int_equal(b.capacity_runs, 1);
	assert_int_equal(b.nruns, 0);
	assert_int_equal(b.total_pfns, 0);
	pfn_batch_destroy(&b);

	/* Either array failing: -ENOMEM, nothing left allocated (LSan). */
	for (long budget = 0; budget < 2; budget++) {
		pfnlab_shim_alloc_budget = budget;
		assert_int_equal(pfn_batch_init(&b, 8), -ENOMEM);
		pfnlab_shim_alloc_budget = -1;
		assert_null(b.run_pfn);
		assert_null(b.run_npfns);
		assert_int_equal(b.capacity_runs, 0);
	}

	assert_int_equal(pfn_batch_init(&b, PFN_BATCH_MAX_RUNS), 0);
	assert_int_equal(b.capacity_runs, PFN_BATCH_MAX_RUNS);
	/* The last run slot is usable. */
	b.run_pfn[PFN_BATCH_MAX_RUNS - 1] = 1;
	b.run_npfns[PFN_BATCH_MAX_RUNS - 1] = 1;
	pfn_batch_destroy(&b);
	assert_null(b.run_pfn);
}

static void test_add_pfn_extends_and_starts_runs(void **state)
{
	static const u64 pfns[] = { 10, 11, 12, 20, 21, 5, 5, 6 };
	struct pfn_batch b;
	size_t i;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 8), 0);
	for (i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++)
		assert_true(pfn_batch_add_pfn(&b, pfns[i]));
	assert_int_equal(b.nruns, 4);
	assert_run(&b, 0, 10, 3);
	assert_run(&b, 1, 20, 2);
	assert_run(&b, 2, 5, 1);
	assert_run(&b, 3, 5, 2); /* a repeated PFN does not extend */
	assert_int_equal(b.total_pfns, 8);

	pfn_batch_clear(&b);
	assert_int_equal(b.nruns, 0);
	assert_int_equal(b.total_pfns, 0);
	assert_true(pfn_batch_add_pfn(&b, 22)); /* does not join a cleared run */
	assert_run(&b, 0, 22, 1);
	pfn_batch_destroy(&b);
}

static void test_add_pfn_full(void **state)
{
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 2), 0);
	assert_true(pfn_batch_add_pfn(&b, 1));
	assert_true(pfn_batch_add_pfn(&b, 3));
	assert_false(pfn_batch_add_pfn(&b, 5)); /* needs a third run */
	assert_int_equal(b.nruns, 2);
	assert_int_equal(b.total_pfns, 2);
	assert_true(pfn_batch_add_pfn(&b, 4)); /* extends the last run */
	assert_true(pfn_batch_add_pfn(&b, 5));
	assert_false(pfn_batch_add_pfn(&b, 2)); /* only the last run extends */
	assert_run(&b, 0, 1, 1);
	assert_run(&b, 1, 3, 3);
	assert_int_equal(b.total_pfns, 4);
	pfn_batch_destroy(&b);
}

static void test_add_run_splits_at_cap(void **state)
{
	struct pfn_batch b;
	u64 added;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 4), 0);
	/* No memory is needed for the PFNs: only runs are stored. */
	added = pfn_batch_add_run(&b, 100, 3 * (u64)CAP + 5);
	assert_int_equal(added, 3 * (u64)CAP + 5);
	assert_int_equal(b.nruns, 4);
	assert_run(&b, 0, 100, CAP);
	assert_run(&b, 1, 100 + (u64)CAP, CAP);
	assert_run(&b, 2, 100 + 2 * (u64)CAP, CAP);
	assert_run(&b, 3, 100 + 3 * (u64)CAP, 5);
	assert_int_equal(b.total_pfns, 3 * (u64)CAP + 5);

	/* Extending fills the last run to the cap; then the batch is full. */
	added = pfn_batch_add_run(&b, 100 + 3 * (u64)CAP + 5, 2 * (u64)CAP);
	assert_int_equal(added, (u64)CAP - 5);
	assert_run(&b, 3, 100 + 3 * (u64)CAP, CAP);
	assert_int_equal(b.total_pfns, 4 * (u64)CAP);
	/* Full: neither a following PFN (last run at cap) nor another fits. */
	assert_false(pfn_batch_add_pfn(&b, 100 + 4 * (u64)CAP));
	assert_int_equal(pfn_batch_add_run(&b, 100 + 4 * (u64)CAP, 1), 0);
	assert_int_equal(pfn_batch_add_run(&b, 7, 0), 0);
	pfn_batch_destroy(&b);
}

static void test_add_pfn_at_cap_starts_run(void **state)
{
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 2), 0);
	assert_int_equal(pfn_batch_add_run(&b, 7, CAP - 1), (u64)CAP - 1);
	assert_true(pfn_batch_add_pfn(&b, 7 + (u64)CAP - 1)); /* reaches the cap */
	assert_int_equal(b.nruns, 1);
	assert_run(&b, 0, 7, CAP);
	assert_true(pfn_batch_add_pfn(&b, 7 + (u64)CAP)); /* follows, but capped */
	assert_int_equal(b.nruns, 2);
	assert_run(&b, 1, 7 + (u64)CAP, 1);
	pfn_batch_destroy(&b);
}

/*
 * Both fills keep the last run in locals, and run-aware scans a long
 * stretch in one step: each must still stop a run at the cap.
 */
static void test_fills_stop_at_cap(void **state)
{
	typedef size_t fill_fn(struct pfn_batch *, const u64 *, size_t);
	fill_fn *const fill[] = { pfn_batch_fill_per_page,
				  pfn_batch_fill_run_aware };
	u64 pfns[41];
	struct pfn_batch b;
	size_t f, i;

	(void)state;
	/* a stretch that continues a run 20 short of the cap, then a lone PFN */
	for (i = 0; i < 40; i++)
		pfns[i] = 7 + (u64)CAP - 20 + i;
	pfns[40] = 3;
	for (f = 0; f < 2; f++) {
		assert_int_equal(pfn_batch_init(&b, 2), 0);
		assert_int_equal(pfn_batch_add_run(&b, 7, CAP - 20),
				 (u64)CAP - 20);
		/* the lone PFN finds both runs in use */
		assert_int_equal(fill[f](&b, pfns, 41), 40);
		assert_int_equal(b.nruns, 2);
		assert_run(&b, 0, 7, CAP);
		assert_run(&b, 1, 7 + (u64)CAP, 20);
		assert_int_equal(b.total_pfns, (u64)CAP + 20);
		pfn_batch_destroy(&b);
	}
}

static void test_add_run_full_partial(void **state)
{
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 2), 0);
	assert_int_equal(pfn_batch_add_run(&b, 0, 10), 10);
	assert_int_equal(pfn_batch_add_run(&b, 100, 5), 5);
	assert_int_equal(pfn_batch_add_run(&b, 200, 5), 0);
	assert_int_equal(pfn_batch_add_run(&b, 105, 10), 10);
	assert_run(&b, 0, 0, 10);
	assert_run(&b, 1, 100, 15);
	assert_int_equal(b.total_pfns, 25);
	pfn_batch_destroy(&b);
}

static void test_no_wrap_past_u64_max(void **state)
{
	const u64 pfns[] = { U64_MAX - 1, U64_MAX, 0, 1 };
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 4), 0);
	assert_int_equal(pfn_batch_add_run(&b, U64_MAX - 2, 10), 3);
	assert_run(&b, 0, U64_MAX - 2, 3);
	assert_true(pfn_batch_add_pfn(&b, 0));
	assert_int_equal(b.nruns, 2);
	assert_run(&b, 1, 0, 1);
	pfn_batch_clear(&b);
	assert_int_equal(pfn_batch_fill_run_aware(&b, pfns, 4), 4);
	assert_int_equal(b.nruns, 2);
	assert_run(&b, 0, U64_MAX - 1, 2);
	assert_run(&b, 1, 0, 2);
	assert_int_equal(pfn_contig_len(pfns, 4), 2);
	assert_int_equal(pfn_layout_min_runs(pfns, 4), 2);
	pfn_batch_destroy(&b);
}

static void test_fill_full_reports_consumed(void **state)
{
	static const u64 pfns[] = { 1, 2, 3, 10, 11, 20, 30, 31 };
	struct pfn_batch a, b;

	(void)state;
	assert_int_equal(pfn_batch_init(&a, 3), 0);
	assert_int_equal(pfn_batch_init(&b, 3), 0);
	assert_int_equal(pfn_batch_fill_per_page(&a, pfns, 8), 6);
	assert_int_equal(pfn_batch_fill_run_aware(&b, pfns, 8), 6);
	assert_int_equal(a.nruns, 3);
	assert_int_equal(b.nruns, 3);
	assert_run(&b, 2, 20, 1);
	/* A full batch consumes nothing more, except what extends its last run. */
	assert_int_equal(pfn_batch_fill_per_page(&a, pfns + 6, 2), 0);
	assert_int_equal(pfn_batch_fill_run_aware(&b, pfns + 6, 2), 0);
	assert_int_equal(pfn_batch_fill_run_aware(&b,
						  (const u64[]){ 21, 22, 40 }, 3),
			 2);
	assert_run(&b, 2, 20, 3);
	pfn_batch_destroy(&a);
	pfn_batch_destroy(&b);
}

enum layout {
	ALL_CONTIG,
	ALL_SCATTERED,
	THP_512,
	RANDOM,
	DESCENDING,
	NR_LAYOUTS
};

static void make_layout(u64 *pfns, size_t n, enum layout layout, u64 *rng)
{
	size_t i, len;

	for (i = 0; i < n;) {
		switch (layout) {
		case ALL_CONTIG:
			pfns[i] = 0x12345 + i;
			i++;
			break;
		case ALL_SCATTERED:
			pfns[i] = 2 * i;
			i++;
			break;
		case THP_512:
			/* 2 MiB folios, scattered; sometimes two in a row. */
			pfns[i] = (test_rand(rng) % 4 == 0 && i) ?
					  pfns[i - 1] + 1 :
					  (test_rand(rng) % 4096) * 512;
			for (len = 1; len < 512 && i + len < n; len++)
				pfns[i + len] = pfns[i] + len;
			i += len;
			break;
		case RANDOM:
			pfns[i] = test_rand(rng) % 64 ?
					  test_rand(rng) % 100000 :
					  U64_MAX - test_rand(rng) % 4;
			len = 1 + test_rand(rng) % 40;
			for (len = (len > 30 ? len * 5 : len);
			     --len && i + 1 < n; i++)
				pfns[i + 1] = pfns[i] + 1;
			i++;
			break;
		case DESCENDING:
			pfns[i] = 1000000 - i;
			i++;
			break;
		default: fail();
		}
	}
}

static void assert_same_runs(const struct pfn_batch *a,
			     const struct pfn_batch *b)
{
	assert_int_equal(a->nruns, b->nruns);
	assert_int_equal(a->total_pfns, b->total_pfns);
	assert_memory_equal(a->run_pfn, b->run_pfn, a->nruns * sizeof(u64));
	assert_memory_equal(a->run_npfns, b->run_npfns, a->nruns * sizeof(u32));
}

/*
 * Both strategies, refilled until the whole layout is consumed (as the
 * pfn_reader does), give the same runs batch after batch, equal to the
 * flat reference's.
 */
static void test_fill_strategies_identical(void **state)
{
	static const u32 capacities[] = { 1, 2, 7, 64, 1000, 20000 };
	const size_t n = 20000;
	u64 *pfns = calloc(n, sizeof(*pfns)), rng = 1;
	struct pfn_batch per_page, run_aware;
	struct ref_batch ref;
	size_t c, done, got_pp, got_ra, got_ref;
	int layout, round;

	(void)state;
	assert_non_null(pfns);
	for (layout = 0; layout < NR_LAYOUTS; layout++) {
		for (round = 0; round < (layout == RANDOM ? 20 : 1); round++) {
			make_layout(pfns, n, layout, &rng);
			for (c = 0;
			     c < sizeof(capacities) / sizeof(capacities[0]);
			     c++) {
				assert_int_equal(pfn_batch_init(&per_page,
								capacities[c]),
						 0);
				assert_int_equal(pfn_batch_init(&run_aware,
								capacities[c]),
						 0);
				ref_batch_init(&ref, capacities[c], n);
				for (done = 0; done < n; done += got_pp) {
					got_pp = pfn_batch_fill_per_page(&per_page,
									 pfns + done,
									 n - done);
					got_ra = pfn_batch_fill_run_aware(&run_aware,
									  pfns + done,
									  n - done);
					got_ref = ref_batch_fill(&ref,
								 pfns + done,
								 n - done);
					assert_int_equal(got_pp, got_ra);
					assert_int_equal(got_pp, got_ref);
					assert_true(got_pp > 0);
					assert_same_runs(&per_page, &run_aware);
					assert_true(
						ref_batch_matches(&ref,
								  &run_aware));
					pfn_batch_clear(&per_page);
					pfn_batch_clear(&run_aware);
					ref_batch_clear(&ref);
				}
				pfn_batch_destroy(&per_page);
				pfn_batch_destroy(&run_aware);
				ref_batch_destroy(&ref);
			}
		}
	}
	free(pfns);
}

/* Hand-computed run counts of the simple layouts. */
static void test_fill_layout_counts(void **state)
{
	const size_t n = 4096;
	u64 *pfns = calloc(n, sizeof(*pfns)), rng = 7;
	struct pfn_batch b;

	(void)state;
	assert_non_null(pfns);
	assert_int_equal(pfn_batch_init(&b, 64), 0);

	make_layout(pfns, n, ALL_CONTIG, &rng);
	assert_int_equal(pfn_batch_fill_run_aware(&b, pfns, n), n);
	assert_int_equal(b.nruns, 1);
	assert_run(&b, 0, 0x12345, n);
	assert_int_equal(pfn_layout_min_runs(pfns, n), 1);

	pfn_batch_clear(&b);
	make_layout(pfns, n, ALL_SCATTERED, &rng);
	assert_int_equal(pfn_batch_fill_run_aware(&b, pfns, n), 64);
	assert_int_equal(b.nruns, 64);
	assert_int_equal(pfn_layout_min_runs(pfns, n), n);

	/* Eight 2 MiB folios at non-adjacent places: 8 runs of 512. */
	pfn_batch_clear(&b);
	for (size_t i = 0; i < n; i++)
		pfns[i] = (i / 512) * 2048 + i % 512;
	assert_int_equal(pfn_batch_fill_per_page(&b, pfns, n), n);
	assert_int_equal(b.nruns, 8);
	assert_run(&b, 7, 7 * 2048, 512);
	assert_int_equal(pfn_layout_min_runs(pfns, n), 8);
	pfn_batch_destroy(&b);
	free(pfns);
}

static void test_contig_len_and_min_runs(void **state)
{
	u64 pfns[80] = { 0 }, rng = 3;
	size_t brk, n, i;

	(void)state;
	assert_int_equal(pfn_contig_len(pfns, 0), 0);
	assert_int_equal(pfn_layout_min_runs(pfns, 0), 0);
	assert_int_equal(pfn_contig_len((const u64[]){ 5, 6, 7, 9 }, 4), 3);
	assert_int_equal(pfn_layout_min_runs((const u64[]){ 5, 6, 7, 9, 10, 1 },
					     6),
			 3);

	/* A break at every position, around the scan's block size. */
	for (n = 1; n <= 80; n++) {
		for (brk = 1; brk <= n; brk++) {
			/* pfns[brk] (if any) does not follow pfns[brk - 1]. */
			for (i = 0; i < n; i++)
				pfns[i] = 1000 + i +
					  (i >= brk ? 1 + test_rand(&rng) % 3 :
						      0);
			assert_int_equal(pfn_contig_len(pfns, n),
					 ref_contig_len(pfns, n));
			assert_int_equal(pfn_contig_len(pfns, n), brk);
			assert_int_equal(pfn_layout_min_runs(pfns, n),
					 ref_count_runs(pfns, n));
		}
	}
}

static void test_skip(void **state)
{
	static const u64 pfns[] = { 10, 11, 12, 20, 21, 5 };
	struct pfn_batch b;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 3), 0);
	assert_int_equal(pfn_batch_fill_per_page(&b, pfns, 6), 6);

	pfn_batch_skip(&b, 0);
	assert_int_equal(b.nruns, 3);
	assert_int_equal(b.total_pfns, 6);

	pfn_batch_skip(&b, 2); /* inside the first run */
	assert_int_equal(b.nruns, 3);
	assert_run(&b, 0, 12, 1);
	assert_run(&b, 1, 20, 2);
	assert_run(&b, 2, 5, 1);
	assert_int_equal(b.total_pfns, 4);

	pfn_batch_skip(&b, 1); /* exactly the first run */
	assert_int_equal(b.nruns, 2);
	assert_run(&b, 0, 20, 2);
	assert_run(&b, 1, 5, 1);
	assert_int_equal(b.total_pfns, 3);

	/* The freed run is usable again, and the last run still extends. */
	assert_true(pfn_batch_add_pfn(&b, 6));
	assert_true(pfn_batch_add_pfn(&b, 50));
	assert_false(pfn_batch_add_pfn(&b, 60));
	assert_run(&b, 1, 5, 2);

	pfn_batch_skip(&b, 3); /* a whole run and part of the next */
	assert_int_equal(b.nruns, 2);
	assert_run(&b, 0, 6, 1);
	assert_run(&b, 1, 50, 1);
	assert_int_equal(b.total_pfns, 2);

	pfn_batch_skip(&b, 5); /* more than it holds: empty */
	assert_int_equal(b.nruns, 0);
	assert_int_equal(b.total_pfns, 0);

	/* Skipping within a capped run keeps the arithmetic in u64. */
	assert_int_equal(pfn_batch_add_run(&b, 1, 2 * (u64)CAP), 2 * (u64)CAP);
	pfn_batch_skip(&b, (u64)CAP + 10);
	assert_int_equal(b.nruns, 1);
	assert_run(&b, 0, 1 + (u64)CAP + 10, CAP - 10);
	pfn_batch_destroy(&b);
}

/* Random adds, fills and skips on one batch against the flat reference. */
static void test_random_ops_against_reference(void **state)
{
	const size_t max = 1 << 16;
	u64 pfns[300], rng = 11, pfn, n;
	struct pfn_batch b;
	struct ref_batch ref;
	int iter;
	size_t i;

	(void)state;
	assert_int_equal(pfn_batch_init(&b, 16), 0);
	ref_batch_init(&ref, 16, max);
	for (iter = 0; iter < 3000; iter++) {
		int op = test_rand(&rng) % 5;

		pfn = test_rand(&rng) % 4 ?
			      test_rand(&rng) % 2000 :
			      (ref.npfns ? ref.pfns[ref.npfns - 1] + 1 : 0);
		if (ref.npfns > max / 2)
			op = 4;
		switch (op) {
		case 0:
			assert_int_equal(pfn_batch_add_pfn(&b, pfn),
					 ref_batch_add_pfn(&ref, pfn));
			break;
		case 1:
			n = test_rand(&rng) % 200;
			assert_int_equal(pfn_batch_add_run(&b, pfn, n),
					 ref_batch_add_run(&ref, pfn, n));
			break;
		case 2:
		case 3:
			n = 1 + test_rand(&rng) % 300;
			for (i = 0; i < n; i++)
				pfns[i] = test_rand(&rng) % 3 && i ?
						  pfns[i - 1] + 1 :
						  test_rand(&rng) % 2000;
			assert_int_equal(op == 2 ? pfn_batch_fill_per_page(&b,
									   pfns,
									   n) :
						   pfn_batch_fill_run_aware(&b,
									    pfns,
									    n),
					 ref_batch_fill(&ref, pfns, n));
			break;
		case 4:
			n = test_rand(&rng) % (ref.npfns + 2);
			pfn_batch_skip(&b, n);
			ref_batch_skip(&ref, n);
			break;
		}
		assert_true(ref_batch_matches(&ref, &b));
	}
	ref_batch_destroy(&ref);
	pfn_batch_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_capacity_limits),
		cmocka_unit_test(test_add_pfn_extends_and_starts_runs),
		cmocka_unit_test(test_add_pfn_full),
		cmocka_unit_test(test_add_run_splits_at_cap),
		cmocka_unit_test(test_add_pfn_at_cap_starts_run),
		cmocka_unit_test(test_fills_stop_at_cap),
		cmocka_unit_test(test_add_run_full_partial),
		cmocka_unit_test(test_no_wrap_past_u64_max),
		cmocka_unit_test(test_fill_full_reports_consumed),
		cmocka_unit_test(test_fill_strategies_identical),
		cmocka_unit_test(test_fill_layout_counts),
		cmocka_unit_test(test_contig_len_and_min_runs),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_random_ops_against_reference),
	};

	return cmocka_run_group_tests_name("pfn_batch", tests, NULL, NULL);
}
