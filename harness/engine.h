/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run engine: every case of a job set, in rounds.
 *
 * A round is the unit of replication: a fresh buffer (so a new physical
 * layout, its placement checked again), fresh worker threads, counters and
 * backend state, then warmup and measured samples.  Rounds are taken round
 * by round over the whole job (round 1 of every case, then round 2 ...), so
 * a slow drift of the machine falls on every case's rounds alike and shows
 * up as between-round variation instead of as a difference between cases.
 *
 * Variants of one benchmark (bench_case_same_buffer(): fill strategy, batch
 * capacity, pages per call, pattern, window) share the round's buffer, so a
 * comparison between them is not also a comparison of two layouts; the
 * order in which they run rotates from round to round.
 */
#ifndef PFNLAB_ENGINE_H
#define PFNLAB_ENGINE_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "jobfile.h"

struct engine_opts {
	int rounds;		     /* > 0 overrides the job files */
	int repetitions;	     /* > 0 overrides: samples per round */
	double min_time_s;	     /* >= 0 overrides: seconds per round */
	int strict;		     /* a case that cannot run here fails */
	volatile sig_atomic_t *stop; /* set by a signal: end after this sample */
	/*
	 * Called before every round with the benchmarks array as it stands
	 * after @round rounds (a case not yet measured is "missing"); may be
	 * NULL.
	 */
	void (*checkpoint)(json_t *benchmarks, int round, int rounds, void *arg);
	void *checkpoint_arg;
};

struct engine_result {
	json_t *benchmarks; /* one object per case, job order */
	int any_failed;
	int interrupted;
};

/* Run every case of @set.  Returns 0, or -1 when out of memory. */
int engine_run(const struct job_set *set, const struct engine_opts *o, struct engine_result *out);

/* The number of rounds a case runs under @o. */
int engine_case_rounds(const struct bench_case *bc, const struct engine_opts *o);

/*
 * The order in which round @round visits the @n benchmarks of a run: a
 * permutation of 0 .. n-1 in @order, shuffled afresh every round and the
 * same for the same round every time.
 */
void engine_round_order(size_t n, int round, size_t *order);

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

#endif
