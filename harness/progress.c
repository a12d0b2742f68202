// SPDX-License-Identifier: GPL-2.0
/*
 * Progress line.  Written to stderr with \r and erase-line, at most ten
 * times a second, so it costs nothing measurable between samples.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static struct {
	int live; /* stderr is a terminal and not -q */
	int verbose;
	size_t total, index;
	const struct bench_case *bc;
	double start_s, case_start_s, last_draw_s;
	size_t done;
} pg;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(int quiet, int verbose, size_t total)
{
	memset(&pg, 0, sizeof(pg));
	pg.live = !quiet && isatty(STDERR_FILENO);
	pg.verbose = verbose && !quiet;
	pg.total = total;
	pg.start_s = now_s();
}

int progress_verbose(void)
{
	return pg.verbose;
}

static void draw(size_t nsamples)
{
	double t = now_s(), elapsed = t - pg.start_s, eta = -1;
	const struct bench_case *bc = pg.bc;

	if (!pg.live || !bc)
		return;
	if (pg.index)
		eta = elapsed / (double)pg.index * (double)(pg.total - pg.index);
	pg.last_draw_s = t;
	fprintf(stderr, "\r\033[K[%zu/%zu] %s %s/%s page=%s size=%lluK thr=%d  sample %zu  %.0fs",
		pg.index + 1, pg.total, bc->name, bc->backend, bc->op, bc->page,
		(unsigned long long)(bc->size_bytes >> 10), bc->threads, nsamples, elapsed);
	if (eta >= 0)
		fprintf(stderr, "  ETA %.0fs", eta);
	fflush(stderr);
}

void progress_set_total(size_t total)
{
	pg.total = total;
}

void progress_case(size_t index, const struct bench_case *bc)
{
	pg.index = index;
	pg.bc = bc;
	pg.case_start_s = now_s();
	draw(0);
}

void progress_sample(size_t nsamples)
{
	if (pg.live && now_s() - pg.last_draw_s >= 0.1)
		draw(nsamples);
}

void progress_done(const struct bench_case *bc, const char *status, const char *summary)
{
	pg.done++;
	if (!pg.verbose)
		return;
	if (pg.live)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%-8s %s  %s\n", status, bc->key, summary ? summary : "");
}

void progress_finish(void)
{
	if (pg.live)
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}
