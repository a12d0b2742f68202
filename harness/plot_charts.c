// SPDX-License-Identifier: GPL-2.0
/*
 * Results -> TSV -> gnuplot.  The TSV files are kept next to the images so
 * a chart can be redrawn or restyled by hand with its script alone.
 */
#include "plot_charts.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anchors.h"
#include "compare_history.h"
#include "jobfile.h"
#include "plan_model.h"
#include "srcdir.h"

#define MIB (1024.0 * 1024.0)
#define MAX_TREND_SERIES 8
#define MAX_COMPARE_ROWS 40

extern char **environ;

const char *plot_scripts_dir(void)
{
	static char dir[PATH_MAX + 32];
	const char *env = getenv("PFNLAB_PLOTS");

	if (env && *env)
		return env;
	srcdir_path("plots", R_OK, dir, sizeof(dir));
	return dir;
}

bool plot_have_gnuplot(const char *who)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (!path)
		path = "/usr/bin:/bin";
	copy = strdup(path);
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char candidate[PATH_MAX];

		snprintf(candidate, sizeof(candidate), "%s/gnuplot", dir);
		found = access(candidate, X_OK) == 0;
	}
	free(copy);
	if (!found)
		fprintf(stderr,
			"pfnlab %s: gnuplot not found; install it: apt-get install gnuplot-nox\n",
			who);
	return found;
}

/* ---- the latest measurement of every benchmark key ---- */

struct latest {
	const struct rl_result *res;
	const struct rl_bench *bench;
};

static struct latest *latest_benches(const struct rl_set *set, size_t *n)
{
	struct latest *out = NULL;
	size_t count = 0;

	for (size_t r = 0; set && r < set->n; r++) {
		for (size_t b = 0; b < set->results[r].nbenches; b++) {
			const struct rl_bench *rb = &set->results[r].benches[b];
			size_t i;

			if (!rl_bench_measured(rb))
				continue;
			/* one key on two hosts (make bench: host and lab VM) is two points */
			for (i = 0; i < count; i++)
				if (strcmp(out[i].bench->key, rb->key) == 0 &&
				    strcmp(out[i].res->hostname, set->results[r].hostname) == 0)
					break;
			if (i == count) {
				struct latest *more = realloc(out, (count + 1) * sizeof(*more));

				if (!more) {
					free(out);
					return NULL;
				}
				out = more;
				count++;
			}
			out[i] = (struct latest){ &set->results[r], rb };
		}
	}
	*n = count;
	return out ? out : calloc(1, sizeof(*out));
}

/*
 * " on HOST" when the latest benchmarks come from more than one host, so
 * that a chart's series of one key on two machines have two names.
 */
static void host_suffix(const struct latest *lb, size_t n, size_t i, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t j = 0; j < n; j++) {
		if (strcmp(lb[j].res->hostname, lb[i].res->hostname) != 0) {
			snprintf(buf, len, " on %s", lb[i].res->hostname);
			return;
		}
	}
}

static bool param_is(const struct rl_bench *b, const char *name, const char *value)
{
	const char *s = rl_param_str(b, name);

	return s && strcmp(s, value) == 0;
}

static const char *param_or(const struct rl_bench *b, const char *name, const char *fallback)
{
	const char *s = rl_param_str(b, name);

	return s ? s : fallback;
}

/* ---- series of points, written as gnuplot index blocks ---- */

struct point {
	char label[160];
	double x;
	double y[6]; /* value, ci_lo, ci_hi (twice for two metrics) */
};

struct points {
	struct point *p;
	size_t n;
};

static int points_add(struct points *pts, const char *label, double x, const double *y, int ny)
{
	struct point *more;
	struct point *pt;
	bool any = false;

	/* a metric without samples has no median: nothing to draw */
	for (int i = 0; i < ny; i += 3)
		any |= !isnan(y[i]);
	if (!any || isnan(x))
		return 0;
	more = realloc(pts->p, (pts->n + 1) * sizeof(*more));

	if (!more)
		return -1;
	pts->p = more;
	pt = &more[pts->n++];
	memset(pt, 0, sizeof(*pt));
	snprintf(pt->label, sizeof(pt->label), "%s", label);
	pt->x = x;
	for (int i = 0; i < ny; i++)
		pt->y[i] = y[i];
	return 0;
}

static int cmp_point(const void *pa, const void *pb)
{
	const struct point *a = pa, *b = pb;
	int c = strcmp(a->label, b->label);

	if (c)
		return c;
	return (a->x > b->x) - (a->x < b->x);
}

/* Median and its CI; a missing CI collapses onto the median. */
static void metric_triplet(const struct rl_metric *m, double *out)
{
	out[0] = m->median;
	out[1] = isnan(m->ci_lo) ? m->median : m->ci_lo;
	out[2] = isnan(m->ci_hi) ? m->median : m->ci_hi;
}

static FILE *tsv_open(const char *path, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s.tmp", path);
	return fopen(tmp, "w");
}

static int tsv_close(FILE *f, const char *tmp, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int write_blocks(const char *path, struct points *pts, const char *header, int ny)
{
	char tmp[4200];
	FILE *f = tsv_open(path, tmp, sizeof(tmp));

	if (!f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (pts->n > 1)
		qsort(pts->p, pts->n, sizeof(*pts->p), cmp_point);
	for (size_t i = 0; i < pts->n; i++) {
		if (i == 0 || strcmp(pts->p[i].label, pts->p[i - 1].label) != 0)
			fprintf(f, "%s\"%s\"\t%s\n", i ? "\n\n" : "", pts->p[i].label, header);
		fprintf(f, "\"%s\"\t%.6g", pts->p[i].label, pts->p[i].x);
		for (int k = 0; k < ny; k++) {
			/* gnuplot skips "NaN"; printf's "nan" is not portable to it */
			if (isnan(pts->p[i].y[k]))
				fputs("\tNaN", f);
			else
				fprintf(f, "\t%.6g", pts->p[i].y[k]);
		}
		fputc('\n', f);
	}
	return tsv_close(f, tmp, path);
}

/* ---- the charts' data ---- */

static int data_pin(const struct latest *lb, size_t n, const char *path, bool *has)
{
	struct points pts = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct rl_bench *b = lb[i].bench;
		const struct rl_metric *m = rl_find_metric(b, "pin_gib_per_s");
		double size = rl_param_num(b, "size"), threads = rl_param_num(b, "threads");
		double y[3];
		char label[160];

		double cpu = rl_param_num(b, "cpu_node"), mem = rl_param_num(b, "mem_node");

		/* Remote placements belong to the NUMA heatmap, not to this chart. */
		if (!param_is(b, "op", "pin") || isnan(size) ||
		    (!isnan(cpu) && !isnan(mem) && cpu != mem))
			continue;
		if (m) {
			metric_triplet(m, y);
		} else {
			/* Derive GiB/s from ns per 4 KiB page when only that exists. */
			const struct rl_metric *ns = rl_find_metric(b, "pin_ns_per_page");
			double t[3];

			if (!ns || !(ns->median > 0))
				continue;
			metric_triplet(ns, t);
			y[0] = 4096.0 / t[0] / 1.073741824;
			y[1] = 4096.0 / t[2] / 1.073741824;
			y[2] = 4096.0 / t[1] / 1.073741824;
		}
		{
			char extra[64] = "", where[80];
			size_t off = 0;

			if (threads > 1)
				off += (size_t)snprintf(extra, sizeof(extra), " x%.0f threads",
							threads);
			if (mem > 0)
				snprintf(extra + off, sizeof(extra) - off, " node %.0f", mem);
			host_suffix(lb, n, i, where, sizeof(where));
			snprintf(label, sizeof(label), "%s %s%s%s", param_or(b, "page", "?"),
				 param_or(b, "backend", "?"), extra, where);
		}
		ret = points_add(&pts, label, size / MIB, y, 3);
	}
	*has = pts.n > 0;
	if (ret == 0)
		ret = write_blocks(path, &pts, "size_MiB\tGiB_per_s\tci95_lo\tci95_hi", 3);
	free(pts.p);
	return ret;
}

static int data_batch(const struct latest *lb, size_t n, const char *path, bool *has)
{
	struct points pts = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct rl_bench *b = lb[i].bench;
		const struct rl_metric *dens = rl_find_metric(b, "pfns_per_run");
		const struct rl_metric *cost = rl_find_metric(b, "fill_ns_per_page");
		double cap = rl_param_num(b, "batch_runs"), y[6];
		char label[160];

		if (!param_is(b, "op", "fill") || isnan(cap) || (!dens && !cost))
			continue;
		for (int k = 0; k < 6; k++)
			y[k] = NAN;
		if (dens)
			metric_triplet(dens, y);
		if (cost)
			metric_triplet(cost, y + 3);
		snprintf(label, sizeof(label), "%s %s (%s)", param_or(b, "fill", "?"),
			 param_or(b, "page", "?"), param_or(b, "backend", "?"));
		ret = points_add(&pts, label, cap, y, 6);
	}
	*has = pts.n > 0;
	if (ret == 0)
		ret = write_blocks(path, &pts,
				   "capacity_runs\tpfns_per_run\tci95_lo\tci95_hi"
				   "\tfill_ns_per_page\tci95_lo\tci95_hi",
				   6);
	free(pts.p);
	return ret;
}

static int data_iotlb(const struct latest *lb, size_t n, const char *path, bool *has)
{
	struct points pts = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct rl_bench *b = lb[i].bench;
		const struct rl_metric *m = rl_find_metric(b, "iotlb_misses_per_mib");
		double window = rl_param_num(b, "window"), y[3];
		const char *pattern = param_or(b, "pattern", "sequential");
		char label[160];

		if (!param_is(b, "op", "iotlb") || !m)
			continue;
		/* window 0 means the whole buffer */
		if (!(window > 0))
			window = rl_param_num(b, "size");
		if (!(window > 0))
			continue;
		metric_triplet(m, y);
		/* strided sweeps differ only by stride: it must split the series */
		if (!strcmp(pattern, "strided"))
			snprintf(label, sizeof(label), "%s strided %.0f KiB (%s)",
				 param_or(b, "page", "?"), rl_param_num(b, "stride") / 1024.0,
				 param_or(b, "backend", "?"));
		else
			snprintf(label, sizeof(label), "%s %s (%s)", param_or(b, "page", "?"),
				 pattern, param_or(b, "backend", "?"));
		ret = points_add(&pts, label, window / MIB, y, 3);
	}
	*has = pts.n > 0;
	if (ret == 0)
		ret = write_blocks(path, &pts, "window_MiB\tmisses_per_MiB\tci95_lo\tci95_hi", 3);
	free(pts.p);
	return ret;
}

/*
 * The heatmap needs one comparable group: the (backend, page, size,
 * threads) combination measured on the most node pairs.
 */
static void numa_group(const struct latest *l, char *buf, size_t len)
{
	const struct rl_bench *b = l->bench;
	const char *fill = rl_param_str(b, "fill");

	/* one host's, one fill's: make bench has the model on two kernels */
	snprintf(buf, len, "%s %s%s%s %.0f MiB, %.0f thread(s), %s", param_or(b, "backend", "?"),
		 param_or(b, "page", "?"), fill ? " " : "", fill ? fill : "",
		 rl_param_num(b, "size") / MIB, rl_param_num(b, "threads"), l->res->hostname);
}

/* Is @lb[@i] a placement an earlier benchmark of its group already has? */
static bool numa_repeat(const struct latest *lb, size_t i)
{
	char mine[160], other[160];

	numa_group(&lb[i], mine, sizeof(mine));
	for (size_t k = 0; k < i; k++) {
		if (!param_is(lb[k].bench, "op", "pin") ||
		    !rl_find_metric(lb[k].bench, "pin_gib_per_s") ||
		    rl_param_num(lb[k].bench, "cpu_node") != rl_param_num(lb[i].bench, "cpu_node") ||
		    rl_param_num(lb[k].bench, "mem_node") != rl_param_num(lb[i].bench, "mem_node"))
			continue;
		numa_group(&lb[k], other, sizeof(other));
		if (!strcmp(mine, other))
			return true;
	}
	return false;
}

static int data_numa(const struct latest *lb, size_t n, const char *path, bool *has, char *subtitle,
		     size_t sublen)
{
	char best[160] = "", group[160], tmp[4200];
	size_t best_pairs = 0, cells = 0;
	FILE *f;

	for (size_t i = 0; i < n; i++) {
		size_t pairs = 0;

		if (!param_is(lb[i].bench, "op", "pin") ||
		    !rl_find_metric(lb[i].bench, "pin_gib_per_s") ||
		    isnan(rl_param_num(lb[i].bench, "cpu_node")) ||
		    isnan(rl_param_num(lb[i].bench, "mem_node")))
			continue;
		numa_group(&lb[i], group, sizeof(group));
		for (size_t j = 0; j < n; j++) {
			char other[160];

			if (!param_is(lb[j].bench, "op", "pin") ||
			    !rl_find_metric(lb[j].bench, "pin_gib_per_s") || numa_repeat(lb, j))
				continue;
			numa_group(&lb[j], other, sizeof(other));
			pairs += strcmp(group, other) == 0;
		}
		if (pairs > best_pairs) {
			best_pairs = pairs;
			snprintf(best, sizeof(best), "%s", group);
		}
	}
	f = tsv_open(path, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "cpu_node\tmem_node\tGiB_per_s\n");
	for (size_t i = 0; i < n && best_pairs; i++) {
		const struct rl_bench *b = lb[i].bench;

		if (!param_is(b, "op", "pin") || !rl_find_metric(b, "pin_gib_per_s"))
			continue;
		numa_group(&lb[i], group, sizeof(group));
		if (strcmp(group, best) != 0 || isnan(rl_param_num(b, "cpu_node")) ||
		    isnan(rl_param_num(b, "mem_node")) || numa_repeat(lb, i) ||
		    isnan(rl_find_metric(b, "pin_gib_per_s")->median))
			continue;
		fprintf(f, "%.0f\t%.0f\t%.6g\n", rl_param_num(b, "cpu_node"),
			rl_param_num(b, "mem_node"), rl_find_metric(b, "pin_gib_per_s")->median);
		cells++;
	}
	*has = cells > 0;
	snprintf(subtitle, sublen, "%s", best);
	return tsv_close(f, tmp, path);
}

/*
 * Model vs kernel: two blocks (pin, then map + unmap), each a row per page
 * kind and size and a column per path that has a value in that block ("-"
 * where a path did not run on that page kind).  @ncols gets each block's
 * number of path columns.
 */
static int data_anchors(const struct rl_set *set, const char *path, bool *has, char *subtitle,
			size_t sublen, size_t ncols[ANCHOR_NOPS])
{
	static const char *const op_name[ANCHOR_NOPS] = { "pin", "map+unmap" };
	struct anchors_table t;
	char tmp[4200], col[64];
	FILE *f;

	*has = anchors_table_build(set, &t) && t.ncols > 0;
	subtitle[0] = '\0';
	if (*has)
		anchors_environment(&t, subtitle, sublen);
	f = tsv_open(path, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int op = 0; op < ANCHOR_NOPS; op++) {
		ncols[op] = 0;
		if (op)
			fputs("\n\n", f);
		fprintf(f, "\"%s\"", op_name[op]);
		for (size_t p = 0; *has && p < anchor_npaths; p++) {
			if (!anchors_path_has(&t, op, p))
				continue;
			fprintf(f, "\t\"%s\"", anchor_paths[p].label);
			ncols[op]++;
		}
		fputc('\n', f);
		for (size_t c = 0; *has && ncols[op] && c < t.ncols; c++) {
			anchors_col_name(&t.cols[c], col, sizeof(col));
			fprintf(f, "\"%s\"", col);
			for (size_t p = 0; p < anchor_npaths; p++) {
				if (!anchors_path_has(&t, op, p))
					continue;
				if (isnan(t.ns[op][c][p]))
					fputs("\t-", f);
				else
					fprintf(f, "\t%.6g", t.ns[op][c][p]);
			}
			fputc('\n', f);
		}
	}
	return tsv_close(f, tmp, path);
}

static int data_trend(const struct rl_set *set, const char *metric, double min_shift,
		      const char *path, bool *has, char *ylabel, size_t ylen)
{
	struct hist_series *series = NULL;
	size_t nseries = 0, chosen[MAX_TREND_SERIES], nchosen = 0;
	char *keys[MAX_TREND_SERIES], *labels[MAX_TREND_SERIES], tmp[4200];
	int ret = -1;
	FILE *f;

	if (hist_build(set, metric ? metric : "pin_ns_per_page", NULL, min_shift, &series,
		       &nseries) != 0)
		return -1;
	if (nseries == 0 && !metric) {
		/* No pin runs: trend the first metric there is. */
		hist_build(set, NULL, NULL, min_shift, &series, &nseries);
		if (nseries) {
			const char *first = series[0].metric;
			struct hist_series *again = NULL;
			size_t nagain = 0;

			if (hist_build(set, first, NULL, min_shift, &again, &nagain) != 0) {
				hist_free(series, nseries);
				return -1;
			}
			hist_free(series, nseries);
			series = again;
			nseries = nagain;
		}
	}
	/* The series with the most runs, so a chart stays readable. */
	for (size_t pick = 0; pick < MAX_TREND_SERIES; pick++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < nseries; i++) {
			bool taken = false;

			for (size_t k = 0; k < nchosen; k++)
				taken |= chosen[k] == i;
			if (!taken && (best == SIZE_MAX || series[i].npoints > series[best].npoints))
				best = i;
		}
		if (best == SIZE_MAX)
			break;
		chosen[nchosen] = best;
		keys[nchosen++] = series[best].key;
	}
	if (nchosen && short_labels(keys, nchosen, labels) != 0)
		goto out;
	f = tsv_open(path, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		goto free_labels;
	}
	for (size_t k = 0; k < nchosen; k++) {
		const struct hist_series *s = &series[chosen[k]];

		fprintf(f, "%s\"%s\"\trun\tmedian\tci95_lo\tci95_hi\tchange_point\trun_label\n",
			k ? "\n\n" : "", labels[k]);
		for (size_t i = 0; i < s->npoints; i++) {
			const struct hist_point *p = &s->points[i];
			bool cp = false;
			char run[256];

			for (size_t c = 0; c < s->nchanges; c++)
				cp |= s->changes[c].at == i;
			char cpval[32] = "NaN";

			if (cp)
				snprintf(cpval, sizeof(cpval), "%.6g", p->median);
			hist_run_label(&set->results[p->run], run, sizeof(run));
			fprintf(f, "\"%s\"\t%zu\t%.6g\t%.6g\t%.6g\t%s\t\"%s\"\n", labels[k], p->run,
				p->median, isnan(p->ci_lo) ? p->median : p->ci_lo,
				isnan(p->ci_hi) ? p->median : p->ci_hi, cpval, run);
		}
	}
	ret = tsv_close(f, tmp, path);
	*has = nchosen > 0;
	if (nchosen)
		snprintf(ylabel, ylen, "%s (%s, median, 95%% CI)", series[chosen[0]].metric,
			 series[chosen[0]].unit);
free_labels:
	for (size_t k = 0; k < nchosen; k++)
		free(labels[k]);
out:
	hist_free(series, nseries);
	return ret;
}

static int verdict_rank(enum cmp_verdict v)
{
	switch (v) {
	case CMP_REGRESSED: return 0;
	case CMP_IMPROVED: return 1;
	case CMP_UNDECIDED: return 2;
	default: return 3;
	}
}

static const struct cmp_row *sort_rows_base;

static int cmp_row_order(const void *pa, const void *pb)
{
	const struct cmp_row *a = &sort_rows_base[*(const size_t *)pa];
	const struct cmp_row *b = &sort_rows_base[*(const size_t *)pb];
	int ra = verdict_rank(a->verdict), rb = verdict_rank(b->verdict);
	/* Effect size on the chart's log scale: halving ranks with doubling. */
	double ea = fabs(log(a->ratio)), eb = fabs(log(b->ratio));

	if (ra != rb)
		return ra - rb;
	return (ea < eb) - (ea > eb);
}

static unsigned int verdict_colour(enum cmp_verdict v)
{
	switch (v) {
	case CMP_REGRESSED: return 0xd62728;
	case CMP_IMPROVED: return 0x2ca02c;
	case CMP_UNDECIDED: return 0xff9f1c;
	default: return 0x9e9e9e;
	}
}

/* The suite commit of a side: the first file that knows it. */
static const char *known_commit(const struct rl_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->results[i].suite_commit, "unknown") != 0)
			return set->results[i].suite_commit;
	return "unknown";
}

static int data_compare(const struct plot_inputs *in, const char *path, bool *has, size_t *nrows,
			char *subtitle, size_t sublen)
{
	struct cmp_options def;
	struct cmp_report rep = { 0 };
	size_t *order = NULL, n = 0;
	char **keys = NULL, **labels = NULL, tmp[4200];
	int ret = -1;
	FILE *f;

	*has = false;
	*nrows = 0;
	cmp_default_options(&def);
	if (in->base && in->base->n && in->results->n) {
		if (cmp_compare(in->base, in->results, in->cmp ? in->cmp : &def, &rep) != 0)
			goto out;
		order = calloc(rep.nrows + 1, sizeof(*order));
		keys = calloc(rep.nrows + 1, sizeof(*keys));
		labels = calloc(rep.nrows + 1, sizeof(*labels));
		if (!order || !keys || !labels)
			goto out;
		for (size_t i = 0; i < rep.nrows; i++)
			/*
			 * The gated rows only (the others never decide), and not
			 * a 0 the log axis cannot show.
			 */
			if (rep.rows[i].kind == METRIC_GATED && rep.rows[i].ratio > 0 &&
			    rep.rows[i].ci_lo > 0)
				order[n++] = i;
		sort_rows_base = rep.rows;
		qsort(order, n, sizeof(*order), cmp_row_order);
		if (n > MAX_COMPARE_ROWS)
			n = MAX_COMPARE_ROWS;
		for (size_t i = 0; i < n; i++)
			keys[i] = rep.rows[order[i]].key;
		if (n && short_labels(keys, n, labels) != 0)
			goto out;
		snprintf(subtitle, sublen,
			 "BASE %s  vs  NEW %s (%zu gated metrics shown: %zu regressed, %zu improved, %zu undecided)",
			 known_commit(in->base), known_commit(in->results), n,
			 cmp_gated(&rep, CMP_REGRESSED), cmp_gated(&rep, CMP_IMPROVED),
			 cmp_gated(&rep, CMP_UNDECIDED));
	}
	f = tsv_open(path, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		goto out;
	}
	fprintf(f, "row\tlabel\tratio\tci95_lo\tci95_hi\tcolour\tverdict\n");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_row *r = &rep.rows[order[i]];

		fprintf(f, "%zu\t\"%s: %s\"\t%.6g\t%.6g\t%.6g\t%u\t%s\n", i, labels[i], r->metric,
			r->ratio, r->ci_lo, r->ci_hi, verdict_colour(r->verdict),
			cmp_verdict_name(r->verdict));
	}
	ret = tsv_close(f, tmp, path);
	*has = n > 0;
	*nrows = n;
out:
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
	free(keys);
	free(order);
	cmp_report_free(&rep);
	return ret;
}

/* ---- the plan chart: every host's planned series ---- */

struct plan_chart_arg {
	FILE *f;
	size_t series; /* planned series written */
	bool host_in_label;
};

static int plan_chart_host(const struct plan_out *out, void *arg)
{
	struct plan_chart_arg *a = arg;

	if (out->nplanned == 0)
		return 0;
	/* gnuplot index blocks are separated by two blank lines */
	if (a->series)
		fputs("\n\n", a->f);
	a->series += out->nplanned;
	return plan_write_tsv(a->f, out, a->host_in_label);
}

static int data_plan(const struct plot_inputs *in, const char *path, bool *has, char *sub,
		     size_t sublen)
{
	struct plan_request req = { .target_bytes = in->plan_bytes > 0 ? in->plan_bytes :
									 1073741824.0 };
	struct plan_chart_arg a = { 0 };
	char tmp[4200], target[64];
	int ret;

	for (size_t r = 1; in->results && r < in->results->n; r++)
		a.host_in_label |= strcmp(in->results->results[r].hostname,
					  in->results->results[0].hostname) != 0;
	a.f = tsv_open(path, tmp, sizeof(tmp));
	if (!a.f) {
		fprintf(stderr, "pfnlab plot: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = in->results ? plan_each_host(in->results, &req, plan_chart_host, &a) : 0;
	if (tsv_close(a.f, tmp, path) != 0 || ret < 0)
		return -1;
	*has = a.series > 0;
	plan_fmt_size(target, sizeof(target), req.target_bytes);
	snprintf(sub, sublen, "%zu series; fit (dashed) to %s with its 95%% interval (band)",
		 a.series, target);
	return 0;
}

/* ---- rendering ---- */

/* gnuplot single-quoted string: a quote is written twice. */
static void gp_quote(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	if (len < 3)
		return;
	dst[o++] = '\'';
	for (; *src && o + 3 < len; src++) {
		if (*src == '\'')
			dst[o++] = '\'';
		dst[o++] = *src;
	}
	dst[o++] = '\'';
	dst[o] = '\0';
}

static int run_gnuplot(const char *script, const char *data, const char *out, bool has_data,
		       const char *extra)
{
	char qdata[4200], qout[4200], expr[12000];
	char *argv[] = { "gnuplot", "-e", expr, (char *)script, NULL };
	pid_t pid;
	int status, err;

	gp_quote(qdata, sizeof(qdata), data);
	gp_quote(qout, sizeof(qout), out);
	snprintf(expr, sizeof(expr), "data=%s; out=%s; nodata=%d; %s", qdata, qout,
		 has_data ? 0 : 1, extra ? extra : "");
	err = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "pfnlab plot: cannot run gnuplot: %s\n", strerror(err));
		return -1;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pfnlab plot: gnuplot failed on %s for %s\n", script, out);
		unlink(out);
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* ---- the registry: a chart is a row here, a data function and plots/NAME.gp ---- */

/* What a chart's data function gets: the inputs and the latest run of each key. */
struct chart_ctx {
	const struct plot_inputs *in;
	const struct latest *lb;
	size_t nlb;
};

/*
 * Write the chart's TSV to @path, set *@has when it holds data, and put the
 * gnuplot variables the script takes besides data/out (NAME=value; ...)
 * into @extra.  Returns 0, or -1 after printing why.
 */
typedef int (*chart_data_fn)(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
			     size_t extralen);

static int chart_pin(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		     size_t extralen)
{
	(void)extra;
	(void)extralen;
	return data_pin(ctx->lb, ctx->nlb, path, has);
}

static int chart_batch(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		       size_t extralen)
{
	(void)extra;
	(void)extralen;
	return data_batch(ctx->lb, ctx->nlb, path, has);
}

static int chart_iotlb(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		       size_t extralen)
{
	(void)extra;
	(void)extralen;
	return data_iotlb(ctx->lb, ctx->nlb, path, has);
}

/* "NAME='text'" with the text quoted for gnuplot */
static void gp_var(char *extra, size_t len, const char *name, const char *text)
{
	char quoted[1100];

	gp_quote(quoted, sizeof(quoted), text);
	snprintf(extra, len, "%s=%s", name, quoted);
}

static int chart_numa(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		      size_t extralen)
{
	char sub[512] = "";

	if (data_numa(ctx->lb, ctx->nlb, path, has, sub, sizeof(sub)) != 0)
		return -1;
	gp_var(extra, extralen, "subtitle", sub);
	return 0;
}

static int chart_anchors(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
			 size_t extralen)
{
	char sub[512] = "", var[1200];
	size_t ncols[ANCHOR_NOPS];

	if (data_anchors(ctx->in->results, path, has, sub, sizeof(sub), ncols) != 0)
		return -1;
	gp_var(var, sizeof(var), "subtitle", sub);
	snprintf(extra, extralen, "%s; npin=%zu; nmap=%zu", var, ncols[ANCHOR_PIN],
		 ncols[ANCHOR_MAP]);
	return 0;
}

static int chart_trend(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		       size_t extralen)
{
	const struct plot_inputs *in = ctx->in;
	char ylabel[512] = "median";

	if (data_trend(in->history ? in->history : in->results, in->trend_metric,
		       in->cmp ? in->cmp->threshold : 0.05, path, has, ylabel, sizeof(ylabel)) != 0)
		return -1;
	gp_var(extra, extralen, "ylabel", ylabel);
	return 0;
}

static int chart_compare(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
			 size_t extralen)
{
	char sub[512] = "", var[1200];
	size_t nrows = 0;

	if (data_compare(ctx->in, path, has, &nrows, sub, sizeof(sub)) != 0)
		return -1;
	gp_var(var, sizeof(var), "subtitle", sub);
	snprintf(extra, extralen, "%s; nrows=%zu; threshold=%g", var, nrows ? nrows : 1,
		 ctx->in->cmp ? ctx->in->cmp->threshold : 0.05);
	return 0;
}

static int chart_plan(const struct chart_ctx *ctx, const char *path, bool *has, char *extra,
		      size_t extralen)
{
	char sub[512] = "";

	if (data_plan(ctx->in, path, has, sub, sizeof(sub)) != 0)
		return -1;
	gp_var(extra, extralen, "subtitle", sub);
	return 0;
}

static const struct {
	const char *name, *title;
	chart_data_fn data;
} chart_defs[] = {
	{ "pin_throughput", "Pin throughput vs buffer size", chart_pin },
	{ "batch", "Batch density and fill cost", chart_batch },
	{ "iotlb", "IOTLB misses vs window", chart_iotlb },
	{ "numa", "NUMA: CPU node x memory node", chart_numa },
	{ "anchors", "Model vs kernel: ns per 4 KiB page", chart_anchors },
	{ "trend", "Per-commit trend", chart_trend },
	{ "compare", "Compare: ratio per metric", chart_compare },
	{ "plan", "Capacity plan: time vs size", chart_plan },
};

_Static_assert(sizeof(chart_defs) / sizeof(chart_defs[0]) <= PLOT_MAX_CHARTS,
	       "raise PLOT_MAX_CHARTS");

int plot_ncharts(void)
{
	return (int)(sizeof(chart_defs) / sizeof(chart_defs[0]));
}

void plot_chart_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = 0; c < plot_ncharts() && used < len; c++) {
		int w = snprintf(buf + used, len - used, "%s%s", c ? ", " : "", chart_defs[c].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int plot_all(const struct plot_inputs *in, const char *outdir,
	     struct plot_chart charts[PLOT_MAX_CHARTS])
{
	char extra[PLOT_MAX_CHARTS][2048];
	struct chart_ctx ctx = { .in = in };
	const char *scripts = plot_scripts_dir();
	struct latest *lb;
	int ret = 0;

	if (mkdir_p(outdir) != 0) {
		fprintf(stderr, "pfnlab plot: cannot create %s: %s\n", outdir, strerror(errno));
		return -1;
	}
	lb = latest_benches(in->results, &ctx.nlb);
	if (!lb)
		return -1;
	ctx.lb = lb;
	for (int c = 0; c < plot_ncharts(); c++) {
		memset(&charts[c], 0, sizeof(charts[c]));
		charts[c].name = chart_defs[c].name;
		charts[c].title = chart_defs[c].title;
		snprintf(charts[c].tsv, sizeof(charts[c].tsv), "%s/%s.tsv", outdir, charts[c].name);
		snprintf(charts[c].svg, sizeof(charts[c].svg), "%s/%s.svg", outdir, charts[c].name);
		snprintf(charts[c].png, sizeof(charts[c].png), "%s/%s.png", outdir, charts[c].name);
		extra[c][0] = '\0';
		if (chart_defs[c].data(&ctx, charts[c].tsv, &charts[c].has_data, extra[c],
				       sizeof(extra[c])) != 0) {
			free(lb);
			return -1;
		}
	}
	free(lb);
	if (!plot_have_gnuplot("plot"))
		return 1;
	for (int c = 0; c < plot_ncharts(); c++) {
		char script[4200];

		snprintf(script, sizeof(script), "%s/%s.gp", scripts, charts[c].name);
		if (access(script, R_OK) != 0) {
			fprintf(stderr,
				"pfnlab plot: %s: %s (set PFNLAB_PLOTS to the plots/ directory)\n",
				script, strerror(errno));
			ret = -1;
			continue;
		}
		if (run_gnuplot(script, charts[c].tsv, charts[c].svg, charts[c].has_data,
				extra[c]) != 0 ||
		    run_gnuplot(script, charts[c].tsv, charts[c].png, charts[c].has_data,
				extra[c]) != 0) {
			ret = -1;
			continue;
		}
		charts[c].rendered = true;
	}
	return ret;
}

/* <dir>/<subdir> for the first RESULT: its directory, or the directory itself. */
static void plot_default_outdir(const char *first, const char *subdir, char *buf, size_t len)
{
	struct stat st;

	if (stat(first, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(buf, len, "%s/%s", first, subdir);
	} else {
		char *copy = strdup(first);

		snprintf(buf, len, "%s/%s", copy ? dirname(copy) : ".", subdir);
		free(copy);
	}
}

int plot_cli_parse(struct plot_cli *cli, const char *cmd, const char *subdir,
		   void (*usage)(FILE *out), int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ "history", required_argument, NULL, 'H' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "note", required_argument, NULL, 'N' },
		{ "plan-size", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base_path = NULL, *history_path = NULL;
	int c;

	memset(cli, 0, sizeof(*cli));
	cmp_default_options(&cli->opt);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': cli->outdir = optarg; break;
		case 'b': base_path = optarg; break;
		case 'H': history_path = optarg; break;
		case 'm': cli->in.trend_metric = optarg; break;
		case 't':
			if (cmp_parse_percent(optarg, &cli->opt.threshold) != 0) {
				fprintf(stderr,
					"pfnlab %s: --threshold wants a percentage in [0, 100), got '%s'\n",
					cmd, optarg);
				return 2;
			}
			break;
		case 'P': {
			uint64_t v;

			if (parse_size(optarg, &v) != 0 || v == 0 || v % 4096) {
				fprintf(stderr,
					"pfnlab %s: --plan-size wants a size, a multiple of 4 KiB (K/M/G/T suffixes), got '%s'\n",
					cmd, optarg);
				return 2;
			}
			cli->in.plan_bytes = (double)v;
			break;
		}
		case 'N':
			if (cli->nnotes == PLOT_MAX_NOTES) {
				fprintf(stderr, "pfnlab %s: %d --note at most\n", cmd,
					PLOT_MAX_NOTES);
				return 2;
			}
			cli->notes[cli->nnotes++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab %s: no RESULT given\n", cmd);
		usage(stderr);
		return 2;
	}
	if (rl_load_paths(&argv[optind], (size_t)(argc - optind), &cli->results) != 0)
		return 2;
	if (base_path && rl_load_paths((char *const *)&base_path, 1, &cli->base) != 0)
		return 2;
	if (history_path && rl_load_paths((char *const *)&history_path, 1, &cli->history) != 0)
		return 2;
	if (!cli->outdir) {
		plot_default_outdir(argv[optind], subdir, cli->default_outdir,
				    sizeof(cli->default_outdir));
		cli->outdir = cli->default_outdir;
	}
	cli->in.results = &cli->results;
	cli->in.base = base_path ? &cli->base : NULL;
	cli->in.history = history_path ? &cli->history : NULL;
	/* Earlier runs are the compare's noise model as well as the trend. */
	cli->opt.history = cli->in.history;
	cli->in.cmp = &cli->opt;
	return -1;
}

void plot_cli_free(struct plot_cli *cli)
{
	rl_set_free(&cli->results);
	rl_set_free(&cli->base);
	rl_set_free(&cli->history);
}
