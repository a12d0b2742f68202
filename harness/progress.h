/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress: one live line on a terminal (benchmark i/N, parameters, elapsed,
 * ETA); nothing but errors otherwise.  -q silences it, -v adds a line per
 * finished benchmark.
 */
#ifndef PFNLAB_PROGRESS_H
#define PFNLAB_PROGRESS_H

#include <stddef.h>

#include "jobfile.h"

void progress_init(int quiet, int verbose, size_t total);
/* Steps of the run (a step is one round of one case), once known. */
void progress_set_total(size_t total);
/* Step @index (0-based) begins: a round of @bc. */
void progress_case(size_t index, const struct bench_case *bc);
void progress_sample(size_t nsamples);
/* A benchmark ended: @status and a one-line @summary (shown with -v). */
void progress_done(const struct bench_case *bc, const char *status, const char *summary);
void progress_finish(void);
int progress_verbose(void);

#endif
