/* SPDX-License-Identifier: GPL-2.0 */
/* Printing a comparison (compare_engine.h): the table, the JSON, the notes. */
#ifndef PFNLAB_COMPARE_OUTPUT_H
#define PFNLAB_COMPARE_OUTPUT_H

#include <stdbool.h>

#include "compare_engine.h"

/*
 * The table on stdout: both sides, environment differences, the noise
 * model, a section per metric kind (@all: every row, else gated rows and
 * the others that are not unchanged), the summary line and a REGRESSED:
 * line per regressed gated metric.
 */
void cmp_print_table(const struct rl_set *base, const struct rl_set *new,
		     const struct cmp_report *rep, const struct cmp_options *opt, bool all);

/* The same as one JSON document on stdout, with @status as exit_status. */
int cmp_print_json(const struct rl_set *base, const struct rl_set *new,
		   const struct cmp_report *rep, const struct cmp_options *opt, int status);

/* What makes the comparison weaker than it looks, on stderr. */
void cmp_explain_mismatch(const struct cmp_report *rep);

#endif
