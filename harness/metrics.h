/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every metric a backend records, in one table: its unit, which direction
 * is better, and its kind, which decides what a verdict on it may do.
 *
 *   gated    a cost the suite exists to watch (ns per page, per access);
 *            a regression here fails `pfnlab compare`
 *   detail   a transform of a gated metric (GiB/s of a pin time) or a
 *            phase of one (the pin phase of a MAP): shown and compared,
 *            never fails the gate, since its gated metric already does
 *   layout   a property of the physical memory layout the round drew
 *            (runs, PFNs per run, IOPTEs by size, IOTLB model counts):
 *            reported in its own section, never a regression
 */
#ifndef PFNLAB_METRICS_H
#define PFNLAB_METRICS_H

#include <stdbool.h>

enum metric_kind {
	METRIC_GATED,
	METRIC_DETAIL,
	METRIC_LAYOUT,
	METRIC_NKINDS
};

struct metric_def {
	const char *name;
	const char *unit;
	bool lower_is_better;
	enum metric_kind kind;
	const char *what; /* one line for `pfnlab help metrics` */
};

/* The definition of @name, or NULL for a name no backend records. */
const struct metric_def *metric_def_find(const char *name);

/* Every definition, in table order; *@count of them. */
const struct metric_def *metric_defs(unsigned int *count);

const char *metric_kind_name(enum metric_kind kind);

/* "gated" | "detail" | "layout" -> kind; -1 when unknown. */
int metric_kind_parse(const char *s);

#endif
