/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backends: how a benchmark reaches the kernel (DESIGN.md §3), and the run
 * state the engine (cmd_run.c) shares with them.
 */
#ifndef PFNLAB_BACKEND_H
#define PFNLAB_BACKEND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "jobfile.h"
#include "memory.h"
#include "team.h"

struct metric_series {
	char name[48];
	const char *unit;
	const char *better;	/* "lower" | "higher" */
	double *v;
	size_t n, cap;
};

struct metric_list {
	struct metric_series *m;
	size_t n;
};

struct bench_run {
	const struct bench_case *bc;
	struct buffer buf;		/* faulted in and verified; empty for op=null */
	struct team *team;		/* bc->threads workers bound to cpu_node */
	struct metric_list metrics;	/* aggregate, one value per sample */
	struct metric_list *thread_metrics;	/* [bc->threads] */
	json_t *extra;			/* backend notes for the results, or NULL */
	void *priv;			/* backend state */
};

/* Append one sample of metric @name (created on first use). */
void run_metric(struct bench_run *r, const char *name, const char *unit, const char *better,
		double v);
void run_thread_metric(struct bench_run *r, int thread, const char *name, const char *unit,
		       const char *better, double v);

struct backend {
	const char *name;
	/* 0 if the backend can run on this machine, else -1 and why not. */
	int (*probe)(char *why, size_t len);
	/*
	 * Prepare a case whose buffer and team exist.  Returns BUF_OK, BUF_SKIP
	 * (cannot run here, @why says so) or BUF_FAIL.
	 */
	int (*setup)(struct bench_run *r, char *why, size_t len);
	/* One sample; @record is 0 for warmup.  0, or -1 with @why. */
	int (*sample)(struct bench_run *r, int record, char *why, size_t len);
	/* Release everything setup and sample took (pins included). */
	void (*teardown)(struct bench_run *r);
};

extern const struct backend backend_uring;
extern const struct backend backend_pagemap;
extern const struct backend backend_driver;

/* Every backend, in the order `pfnlab info` reports them; NULL-terminated. */
extern const struct backend *const backends_all[];

const struct backend *backend_find(const char *name);

/*
 * Fewest runs a pfn_batch could hold @pfns in (the shared core's
 * pfn_layout_min_runs): the yardstick of batch density.
 */
uint64_t layout_min_runs(const uint64_t *pfns, size_t npfns);

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

#endif
