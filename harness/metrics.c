// SPDX-License-Identifier: GPL-2.0
/*
 * The metric table.  A backend records a metric by name only; unit,
 * direction and kind come from here, so a new metric is one line.
 */
#include "metrics.h"

#include <stddef.h>
#include <string.h>

#define LOWER true
#define HIGHER false

static const struct metric_def defs[] = {
	/* what a sample costs: the gate */
	{ "pin_ns_per_page", "ns/page", LOWER, METRIC_GATED,
	  "pin wall time, first thread start to last thread end, per 4 KiB page" },
	{ "unpin_ns_per_page", "ns/page", LOWER, METRIC_GATED, "unpin wall time per 4 KiB page" },
	{ "map_ns_per_page", "ns/page", LOWER, METRIC_GATED,
	  "whole MAP ioctl (pin, fill, map) per 4 KiB page" },
	{ "read_ns_per_page", "ns/page", LOWER, METRIC_GATED, "whole READ ioctl per 4 KiB page" },
	{ "fill_ns_per_page", "ns/page", LOWER, METRIC_GATED,
	  "pfn_batch fill over the whole layout, refills included, per 4 KiB page" },
	{ "sweep_ns_per_access", "ns/access", LOWER, METRIC_GATED,
	  "one access of an IOTLB model sweep" },
	{ "phase_ns", "ns", LOWER, METRIC_GATED,
	  "op=null: an empty phase (two clock reads per worker)" },
	{ "harness_ns", "ns", LOWER, METRIC_GATED,
	  "op=null: the whole sample as the engine sees it (counters, workers)" },
	/* transforms and phases of the gated costs */
	{ "pin_gib_per_s", "GiB/s", HIGHER, METRIC_DETAIL,
	  "pin throughput over all threads (pin_ns_per_page inverted)" },
	{ "pin_pages_per_s", "pages/s", HIGHER, METRIC_DETAIL,
	  "pin throughput in 4 KiB pages per second" },
	{ "scan_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "op=fill (pagemap): a bare loop that only reads the PFN array, per 4 KiB page: the "
	  "floor of any fill" },
	{ "pin_ns", "ns", LOWER, METRIC_DETAIL, "the pin phase" },
	{ "pin_gup_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "driver op=pin: ACCESS_PIN's GUP calls per 4 KiB page (CPU time, all threads)" },
	{ "pin_fill_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "driver op=pin: ACCESS_PIN's batch fill per 4 KiB page" },
	{ "pin_store_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "driver op=pin: ACCESS_PIN's stores into the xarray tier (and the access counts they "
	  "raise) per 4 KiB page" },
	{ "pin_rest_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "driver op=pin: the rest of ACCESS_PIN (reading each chunk's tier, per-index holder "
	  "counts, accounting, the ioctl) per 4 KiB page" },
	{ "fill_ns", "ns", LOWER, METRIC_DETAIL, "the batch fill phase" },
	{ "map_ns", "ns", LOWER, METRIC_DETAIL, "the IO page table map phase" },
	{ "unmap_ns", "ns", LOWER, METRIC_DETAIL, "the unmap phase" },
	{ "unmap_ns_per_page", "ns/page", LOWER, METRIC_DETAIL,
	  "whole UNMAP ioctl (unmap, unpin) per 4 KiB page" },
	{ "invalidate_ns", "ns", LOWER, METRIC_DETAIL, "the IOTLB invalidation phase" },
	{ "unpin_ns", "ns", LOWER, METRIC_DETAIL, "the unpin phase" },
	/* properties of the memory layout a round drew */
	{ "gup_calls", "calls", LOWER, METRIC_LAYOUT,
	  "GUP calls the pin took (pages per call, folio boundaries)" },
	{ "runs", "runs", LOWER, METRIC_LAYOUT, "pfn_batch runs the range produced" },
	{ "batch_refills", "refills", LOWER, METRIC_LAYOUT, "times the batch was drained" },
	{ "pfns_per_run", "pfns/run", HIGHER, METRIC_LAYOUT, "PFNs per batch run" },
	{ "runs_per_batch", "runs/batch", LOWER, METRIC_LAYOUT, "runs per full batch" },
	{ "refills_per_gib", "refills/GiB", LOWER, METRIC_LAYOUT, "batch refills per GiB" },
	{ "density_ratio", "runs/min_runs", LOWER, METRIC_LAYOUT,
	  "runs produced / fewest runs the layout allows (1.0 is perfect)" },
	{ "iopte_4k", "ioptes", LOWER, METRIC_LAYOUT, "4 KiB leaves of the map" },
	{ "iopte_2m", "ioptes", LOWER, METRIC_LAYOUT, "2 MiB leaves of the map" },
	{ "iopte_1g", "ioptes", LOWER, METRIC_LAYOUT, "1 GiB leaves of the map" },
	{ "iotlb_hit_rate", "fraction", HIGHER, METRIC_LAYOUT, "IOTLB model hits / accesses" },
	{ "iotlb_misses_per_mib", "misses/MiB", LOWER, METRIC_LAYOUT,
	  "IOTLB model misses per MiB swept" },
	{ "walk_reads_per_mib", "reads/MiB", LOWER, METRIC_LAYOUT,
	  "IO page table reads per MiB swept" },
};

static const char *const kind_names[METRIC_NKINDS] = {
	[METRIC_GATED] = "gated",
	[METRIC_DETAIL] = "detail",
	[METRIC_LAYOUT] = "layout",
};

const struct metric_def *metric_def_find(const char *name)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (!strcmp(defs[i].name, name))
			return &defs[i];
	return NULL;
}

const struct metric_def *metric_defs(unsigned int *count)
{
	*count = (unsigned int)(sizeof(defs) / sizeof(defs[0]));
	return defs;
}

const char *metric_kind_name(enum metric_kind kind)
{
	return kind < METRIC_NKINDS ? kind_names[kind] : "?";
}

int metric_kind_parse(const char *s)
{
	for (int k = 0; k < METRIC_NKINDS; k++)
		if (s && !strcmp(s, kind_names[k]))
			return k;
	return -1;
}
