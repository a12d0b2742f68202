/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Model vs kernel: the module's pin and map beside the kernel paths it
 * stands for (iommufd, VFIO type1, io_uring, gup_test), measured on the
 * same buffers in the anchors' lab kernel (bench/anchors.ini).  One table
 * of ns per 4 KiB page per path and page kind, each against iommufd's, for
 * the report's section and its chart.
 */
#ifndef PFNLAB_ANCHORS_H
#define PFNLAB_ANCHORS_H

#include <stdbool.h>
#include <stddef.h>

#include "result_load.h"

enum anchor_op {
	ANCHOR_PIN, /* pin_ns_per_page */
	ANCHOR_MAP, /* map_ns_per_page + unmap_ns_per_page: a whole map's life */
	ANCHOR_NOPS
};

#define ANCHOR_MAX_COLS 16
#define ANCHOR_MAX_PATHS 12

/*
 * One path: a backend and the parameters that tell its variants apart
 * (NULL: any), and the path it is a ratio of: iommufd's, into the same
 * kind of domain (its mock domain or access path, or a real domain).
 */
struct anchor_path {
	const char *label;
	const char *backend;
	const char *fill, *domain, *gup;
	size_t reference; /* an index of anchor_paths[] */
};

extern const struct anchor_path anchor_paths[];
extern const size_t anchor_npaths;

struct anchor_col {
	const char *page; /* borrowed from the results */
	double size_bytes;
};

/*
 * ns per 4 KiB page, the center of the rounds (NaN: not measured).  Taken
 * from the results of one host: the first that measured a kernel anchor
 * (iommufd, vfio or gup_test) — the anchors' lab kernel — so that the
 * module's own figures in the table come from the same kernel build.
 */
struct anchors_table {
	/* borrowed; hypervisor and vm_clock may be "" */
	const char *host, *kernel, *hypervisor, *vm_clock;
	size_t ncols;
	struct anchor_col cols[ANCHOR_MAX_COLS];
	double ns[ANCHOR_NOPS][ANCHOR_MAX_COLS][ANCHOR_MAX_PATHS];    /* [op][col][path] */
	double ratio[ANCHOR_NOPS][ANCHOR_MAX_COLS][ANCHOR_MAX_PATHS]; /* to its reference; NaN */
	size_t nresults; /* the documents of that host read */
};

/* Build the table from @set.  Returns false when no result holds an anchor. */
bool anchors_table_build(const struct rl_set *set, struct anchors_table *t);

/* Does path @p have a value in @op in any column? */
bool anchors_path_has(const struct anchors_table *t, enum anchor_op op, size_t p);

/* "HOST, kernel K, QEMU-TCG (emulated, ...: behaviour, not hardware speed)" */
void anchors_environment(const struct anchors_table *t, char *buf, size_t len);

/* "4k 64 MiB" */
void anchors_col_name(const struct anchor_col *c, char *buf, size_t len);

#endif
