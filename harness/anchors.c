// SPDX-License-Identifier: GPL-2.0
/* The model-vs-kernel table (anchors.h). */
#include "anchors.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "page_kinds.h"

/* iommufd's two rows, the references of the others */
#define IOMMUFD_MOCK 2
#define IOMMUFD_REAL 5

const struct anchor_path anchor_paths[] = {
	{ "model, per-page fill", "driver", "per-page", "mock", NULL, IOMMUFD_MOCK },
	{ "model, run-aware fill", "driver", "run-aware", "mock", NULL, IOMMUFD_MOCK },
	[IOMMUFD_MOCK] = { "iommufd", "iommufd", NULL, "mock", NULL, IOMMUFD_MOCK },
	{ "model, per-page fill, real domain", "driver", "per-page", "real", NULL, IOMMUFD_REAL },
	{ "model, run-aware fill, real domain", "driver", "run-aware", "real", NULL, IOMMUFD_REAL },
	[IOMMUFD_REAL] = { "iommufd, real domain", "iommufd", NULL, "real", NULL, IOMMUFD_REAL },
	{ "VFIO type1, real domain", "vfio", NULL, NULL, NULL, IOMMUFD_REAL },
	{ "io_uring", "uring", NULL, NULL, NULL, IOMMUFD_MOCK },
	{ "gup_test PIN_LONGTERM", "gup_test", NULL, NULL, "pin-longterm", IOMMUFD_MOCK },
	{ "gup_test PIN_FAST", "gup_test", NULL, NULL, "pin-fast", IOMMUFD_MOCK },
};
const size_t anchor_npaths = sizeof(anchor_paths) / sizeof(anchor_paths[0]);

_Static_assert(sizeof(anchor_paths) / sizeof(anchor_paths[0]) <= ANCHOR_MAX_PATHS,
	       "raise ANCHOR_MAX_PATHS");

static bool str_is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* @b's parameter @name, or @fallback when it has none (an older run). */
static const char *param_or(const struct rl_bench *b, const char *name, const char *fallback)
{
	const char *v = rl_param_str(b, name);

	return v ? v : fallback;
}

/* The path of @b, or -1. */
static int path_of(const struct rl_bench *b)
{
	const char *backend = rl_param_str(b, "backend");

	for (size_t p = 0; p < anchor_npaths; p++) {
		const struct anchor_path *ap = &anchor_paths[p];

		if (!str_is(backend, ap->backend) ||
		    (ap->fill && !str_is(param_or(b, "fill", "run-aware"), ap->fill)) ||
		    (ap->domain && !str_is(param_or(b, "domain", "mock"), ap->domain)) ||
		    /* gup is written into a key only away from its default */
		    (ap->gup && !str_is(param_or(b, "gup", "pin-longterm"), ap->gup)))
			continue;
		return (int)p;
	}
	return -1;
}

static bool is_kernel_anchor(const struct rl_bench *b)
{
	const char *backend = rl_param_str(b, "backend");

	return rl_bench_measured(b) && (str_is(backend, "iommufd") || str_is(backend, "vfio") ||
					str_is(backend, "gup_test"));
}

static int page_rank(const char *page)
{
	for (int i = 0; page_kinds[i].name; i++)
		if (str_is(page, page_kinds[i].name))
			return i;
	return 1000;
}

/* The column of (@page, @size), added in page-kind then size order; -1 when full. */
static int col_of(struct anchors_table *t, const char *page, double size)
{
	size_t at = t->ncols;

	for (size_t c = 0; c < t->ncols; c++)
		if (str_is(t->cols[c].page, page) && t->cols[c].size_bytes == size)
			return (int)c;
	if (t->ncols == ANCHOR_MAX_COLS)
		return -1;
	for (size_t c = 0; c < t->ncols; c++) {
		int r = page_rank(t->cols[c].page), mine = page_rank(page);

		if (mine < r || (mine == r && size < t->cols[c].size_bytes)) {
			at = c;
			break;
		}
	}
	for (size_t c = t->ncols; c > at; c--) {
		t->cols[c] = t->cols[c - 1];
		for (int op = 0; op < ANCHOR_NOPS; op++)
			memcpy(t->ns[op][c], t->ns[op][c - 1], sizeof(t->ns[op][c]));
	}
	t->cols[at] = (struct anchor_col){ .page = page, .size_bytes = size };
	for (int op = 0; op < ANCHOR_NOPS; op++)
		for (size_t p = 0; p < ANCHOR_MAX_PATHS; p++)
			t->ns[op][at][p] = NAN;
	t->ncols++;
	return (int)at;
}

static double center(const struct rl_bench *b, const char *metric)
{
	const struct rl_metric *m = rl_find_metric(b, metric);

	return m && m->median > 0 ? m->median : NAN;
}

static void add_bench(struct anchors_table *t, const struct rl_bench *b)
{
	const char *op = rl_param_str(b, "op"), *page = rl_param_str(b, "page");
	double size = rl_param_num(b, "size"), v[ANCHOR_NOPS] = { NAN, NAN };
	int p = path_of(b), c;

	if (p < 0 || !page || isnan(size) || !rl_bench_measured(b))
		return;
	/* one CPU and memory node: the NUMA chart has the others */
	if (rl_param_num(b, "threads") > 1 || rl_param_num(b, "cpu_node") > 0 ||
	    rl_param_num(b, "mem_node") > 0)
		return;
	if (str_is(op, "pin"))
		v[ANCHOR_PIN] = center(b, "pin_ns_per_page");
	else if (str_is(op, "map"))
		v[ANCHOR_MAP] = center(b, "map_ns_per_page") + center(b, "unmap_ns_per_page");
	else
		return;
	c = col_of(t, page, size);
	if (c < 0)
		return;
	/*
	 * A path's first benchmark of a column stands: a later one with the
	 * same parameters (the NUMA matrix's own-node cell) is another buffer,
	 * not the path's own section.
	 */
	for (int k = 0; k < ANCHOR_NOPS; k++)
		if (!isnan(v[k]) && isnan(t->ns[k][c][p]))
			t->ns[k][c][p] = v[k];
}

bool anchors_table_build(const struct rl_set *set, struct anchors_table *t)
{
	memset(t, 0, sizeof(*t));
	if (!set)
		return false;
	for (size_t r = 0; r < set->n && !t->host; r++)
		for (size_t b = 0; b < set->results[r].nbenches && !t->host; b++)
			if (is_kernel_anchor(&set->results[r].benches[b])) {
				t->host = set->results[r].hostname;
				t->kernel = rl_kernel_release(&set->results[r]);
			}
	if (!t->host)
		return false;
	t->hypervisor = "";
	t->vm_clock = "";
	for (size_t r = 0; r < set->n; r++) {
		const struct rl_result *res = &set->results[r];
		json_t *hv = res->environment ? json_object_get(res->environment, "hypervisor") :
						NULL;
		json_t *clk = res->environment ? json_object_get(res->environment, "vm_clock") :
						 NULL;

		if (strcmp(res->hostname, t->host) != 0)
			continue;
		t->nresults++;
		if (json_is_string(hv))
			t->hypervisor = json_string_value(hv);
		if (json_is_string(clk))
			t->vm_clock = json_string_value(clk);
		for (size_t b = 0; b < res->nbenches; b++)
			add_bench(t, &res->benches[b]);
	}
	for (int op = 0; op < ANCHOR_NOPS; op++)
		for (size_t c = 0; c < t->ncols; c++)
			for (size_t p = 0; p < anchor_npaths; p++)
				t->ratio[op][c][p] = t->ns[op][c][p] /
						     t->ns[op][c][anchor_paths[p].reference];
	return true;
}

bool anchors_path_has(const struct anchors_table *t, enum anchor_op op, size_t p)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!isnan(t->ns[op][c][p]))
			return true;
	return false;
}

void anchors_environment(const struct anchors_table *t, char *buf, size_t len)
{
	bool tcg = strstr(t->hypervisor, "TCG") != NULL;

	const char *why = "";

	if (tcg)
		why = !strcmp(t->vm_clock, "instructions") ?
			      " (emulated, 1 ns = 1 instruction: behaviour, not hardware speed)" :
			      " (emulated: behaviour, not hardware speed)";
	snprintf(buf, len, "%s, kernel %s%s%s%s", t->host, t->kernel ? t->kernel : "?",
		 t->hypervisor[0] ? ", " : "", t->hypervisor, why);
}

void anchors_col_name(const struct anchor_col *c, char *buf, size_t len)
{
	double mib = c->size_bytes / 1048576.0;

	if (mib >= 1024 && fmod(mib, 1024) == 0)
		snprintf(buf, len, "%s %.0f GiB", c->page, mib / 1024);
	else
		snprintf(buf, len, "%s %.0f MiB", c->page, mib);
}
