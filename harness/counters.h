/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Performance counters around each measured phase, through perf's libperf
 * (an evlist of evsels, enabled and disabled around each phase): events
 * named through libpfm4, the module's tracepoints and IOMMU PMUs.  An
 * event that cannot be opened is recorded as not supported, never fatal.
 */
#ifndef PFNLAB_COUNTERS_H
#define PFNLAB_COUNTERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct perf_evsel;
struct perf_evlist;
struct perf_thread_map;
struct perf_cpu_map;

struct counter {
	char name[96];
	char unit[16];
	struct perf_evsel *evsel; /* open, in one of the set's evlists; NULL when not */
	int supported;
	int grouped; /* a member of the set's group (scheduled with the others) */
	char reason[128];
	uint64_t base[3]; /* value, time enabled, time running at the phase's start */
	double *values;	  /* one per measured sample */
	size_t nvalues, cap;
};

struct counter_set {
	struct counter *c;
	size_t n;
	struct perf_evlist *group;    /* libpfm4's events, one group when possible */
	struct perf_evsel *leader;    /* the group's first event, or NULL */
	struct perf_evlist *evlist;   /* every other open evsel */
	struct perf_thread_map *self; /* this process, its threads inherit */
	struct perf_thread_map *any;  /* any process (a CPU's events) */
	struct perf_cpu_map *cpu0;    /* where system-wide PMUs count */
};

/*
 * Open every event for this process and the threads it creates afterwards
 * (inherit), disabled.  Always succeeds; unsupported events keep a reason.
 */
void counters_open(struct counter_set *s);
/* Reset and enable all counters: a measured phase begins. */
void counters_start(struct counter_set *s);
/* Disable and append each counter's value for the phase. */
void counters_stop(struct counter_set *s);
/* Forget the values of the last phase (a warmup sample). */
void counters_drop_last(struct counter_set *s);
/* {"name": {"supported": true, "unit": .., "values": [..]} | {"supported": false, "reason": ..}} */
json_t *counters_json(const struct counter_set *s);
void counters_close(struct counter_set *s);
/*
 * Append the values of @s (one round) to @acc, matching events by name, and
 * close @s.  0, or -1 when out of memory (@s is closed either way).
 */
int counters_absorb(struct counter_set *acc, struct counter_set *s);

#endif
