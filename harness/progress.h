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
void progress_case(size_t index, const struct bench_case *bc);
void progress_sample(size_t nsamples);
/* A benchmark ended: @status and a one-line @summary (shown with -v). */
void progress_done(const struct bench_case *bc, const char *status, const char *summary);
void progress_finish(void);
int progress_verbose(void);

#endif
