// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab report --lab DIR: the report of a results tree at lab scale,
 * read from its store one series at a time.  Small static pages:
 *
 *   index.html            per host: latest run, change points in the last
 *                         N commits (worse first), link to the host page
 *   host-<n>.html         every series of one host, its last value and
 *                         last change point, linked to its page
 *   series/<id>.html      one series: an inline SVG trend chart (medians,
 *                         95% band, levels between change points), its
 *                         change points and its latest runs
 *
 * A run's own page (the per-run report) is made on demand with
 * `pfnlab report FILE`; the series pages name the file and the command.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compare_engine.h"
#include "compare_history.h"
#include "html.h"
#include "report_lab.h"
#include "store.h"

#define CMD "pfnlab report"
#define LAB_RECENT_RUNS 30 /* rows of the runs table of a series page */

struct lab_series {
	long long id;
	size_t host; /* index into lab.hosts */
	char *key, *metric, *unit;
	bool lower_is_better;
	size_t npoints;
	double last;
	size_t last_run; /* run index of the last point */
	bool has_change;
	struct hist_change last_change; /* most recent change point */
	size_t last_change_run;
};

struct lab_change {
	size_t series; /* index into lab.series */
	size_t run;
	double before, after;
	bool worse;
};

struct lab_host {
	char *name;
	size_t nruns, last_run;
	size_t recent_from; /* run index of its Nth-latest run */
	size_t nseries, nworse, nbetter;
};

struct lab {
	const char *outdir;
	const struct hist_runs *runs;
	double min_shift;
	size_t last_commits;
	struct lab_host *hosts;
	size_t nhosts;
	struct lab_series *series;
	size_t nseries, cap;
	struct lab_change *changes;
	size_t nchanges, changes_cap;
	size_t nruns;
	size_t largest_page; /* bytes */
	int failed;
};

static void lab_usage(FILE *out)
{
	fputs("usage: pfnlab report --lab [options] DIR\n"
	      "\n"
	      "The report of a whole results tree, for a lab: DIR's store (made or\n"
	      "brought up to date first, as `pfnlab index DIR` does) is read one\n"
	      "series at a time and written as small static pages: index.html (per\n"
	      "host, the latest run and the change points of the last commits),\n"
	      "one page per host listing its series, and one page per series with\n"
	      "its trend chart.  A run's own page is made on demand with\n"
	      "`pfnlab report FILE`.\n"
	      "\n"
	      "options:\n"
	      "  -o, --output DIR   where to write (default: DIR/lab-report)\n"
	      "  --last N           change points of each host's last N commits on\n"
	      "                     the index page (default 20)\n"
	      "  --threshold PCT    smallest shift reported, in percent (default 5)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "exit status: 0 written, 2 error.\n",
	      out);
}

static size_t host_of(struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->nhosts; i++)
		if (strcmp(lab->hosts[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* Hosts, their run counts and where their last N commits begin. */
static int lab_hosts(struct lab *lab)
{
	const struct hist_runs *runs = lab->runs;

	for (size_t r = 0; r < runs->n; r++) {
		size_t h = host_of(lab, runs->runs[r].host);

		if (h == (size_t)-1) {
			struct lab_host *more = realloc(lab->hosts,
							(lab->nhosts + 1) * sizeof(*more));

			if (!more)
				return -1;
			lab->hosts = more;
			h = lab->nhosts++;
			memset(&more[h], 0, sizeof(*more));
			more[h].name = strdup(runs->runs[r].host);
			if (!more[h].name)
				return -1;
		}
		lab->hosts[h].nruns++;
		lab->hosts[h].last_run = r;
	}
	for (size_t h = 0; h < lab->nhosts; h++) {
		size_t seen = 0;

		lab->hosts[h].recent_from = 0;
		for (size_t r = runs->n; r-- > 0;) {
			if (strcmp(runs->runs[r].host, lab->hosts[h].name) != 0)
				continue;
			lab->hosts[h].recent_from = r;
			if (++seen == lab->last_commits)
				break;
		}
	}
	return 0;
}

static void run_link(FILE *f, const struct hist_run *run)
{
	html_esc(f, run->suite_commit);
	fputs(" <small>", f);
	html_esc(f, run->kernel);
	fputs("</small>", f);
}

/* ---- the trend chart ------------------------------------------------ */

#define SVG_W 960.0
#define SVG_H 300.0
#define SVG_L 70.0
#define SVG_R 10.0
#define SVG_T 10.0
#define SVG_B 40.0

struct chart_scale {
	double lo, hi;
	size_t n;
};

static double sx(const struct chart_scale *c, size_t k)
{
	return SVG_L + (c->n > 1 ? (double)k / (double)(c->n - 1) : 0.5) * (SVG_W - SVG_L - SVG_R);
}

static double sy(const struct chart_scale *c, double v)
{
	return SVG_T + (c->hi - v) / (c->hi - c->lo) * (SVG_H - SVG_T - SVG_B);
}

/* The band's extent is that of the medians and any finite interval around them. */
static void chart_range(const struct hist_series *s, struct chart_scale *c)
{
	c->lo = INFINITY;
	c->hi = -INFINITY;
	c->n = s->npoints;
	for (size_t k = 0; k < s->npoints; k++) {
		const struct hist_point *p = &s->points[k];

		c->lo = fmin(c->lo, isnan(p->ci_lo) ? p->median : fmin(p->ci_lo, p->median));
		c->hi = fmax(c->hi, isnan(p->ci_hi) ? p->median : fmax(p->ci_hi, p->median));
	}
	if (!(c->hi > c->lo)) {
		double pad = fabs(c->hi) * 0.05 + 1e-9;

		c->lo -= pad;
		c->hi += pad;
	}
}

static void svg_chart(FILE *f, const struct hist_series *s, const struct hist_runs *runs)
{
	struct chart_scale c;
	size_t start = 0;

	chart_range(s, &c);
	fprintf(f,
		"<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"trend\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f,
		"<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#ccc\"/>\n",
		SVG_L, SVG_T, SVG_W - SVG_L - SVG_R, SVG_H - SVG_T - SVG_B);
	/* The 95% band: upper edge forward, lower edge back. */
	fputs("<polygon fill=\"#cfe0f5\" stroke=\"none\" points=\"", f);
	for (size_t k = 0; k < s->npoints; k++) {
		double v = s->points[k].ci_hi;

		fprintf(f, "%.1f,%.1f ", sx(&c, k), sy(&c, isnan(v) ? s->points[k].median : v));
	}
	for (size_t k = s->npoints; k-- > 0;) {
		double v = s->points[k].ci_lo;

		fprintf(f, "%.1f,%.1f ", sx(&c, k), sy(&c, isnan(v) ? s->points[k].median : v));
	}
	fputs("\"/>\n<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1\" points=\"", f);
	for (size_t k = 0; k < s->npoints; k++)
		fprintf(f, "%.1f,%.1f ", sx(&c, k), sy(&c, s->points[k].median));
	fputs("\"/>\n", f);
	/* Levels between change points, and a mark at each change. */
	for (size_t i = 0; i <= s->nchanges; i++) {
		size_t end = i < s->nchanges ? s->changes[i].at : s->npoints;
		double level = i < s->nchanges ? s->changes[i].before :
			       s->nchanges     ? s->changes[s->nchanges - 1].after :
						 NAN;

		if (isnan(level)) {
			level = 0.0;
			for (size_t k = start; k < end; k++)
				level += s->points[k].median / (double)(end - start);
		}
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n",
			sx(&c, start), sy(&c, level), sx(&c, end ? end - 1 : 0), sy(&c, level));
		if (i < s->nchanges)
			fprintf(f,
				"<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n",
				sx(&c, end), SVG_T, sx(&c, end), SVG_H - SVG_B);
		start = end;
	}
	fprintf(f,
		"<g font-size=\"11\" font-family=\"sans-serif\">"
		"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>"
		"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>"
		"<text x=\"4\" y=\"%.0f\">",
		SVG_L - 4, SVG_T + 10, c.hi, SVG_L - 4, SVG_H - SVG_B, c.lo, SVG_H / 2);
	html_esc(f, s->unit);
	fprintf(f, "</text><text x=\"%.0f\" y=\"%.0f\">", SVG_L, SVG_H - SVG_B + 16);
	html_esc(f, runs->runs[s->points[0].run].suite_commit);
	fprintf(f, "</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">", SVG_W - SVG_R,
		SVG_H - SVG_B + 16);
	html_esc(f, runs->runs[s->points[s->npoints - 1].run].suite_commit);
	fprintf(f,
		"</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%zu runs, in run order</text>"
		"</g>\n</svg></figure>\n",
		(SVG_W + SVG_L) / 2, SVG_H - 8, s->npoints);
}

/* ---- pages ----------------------------------------------------------- */

static void page_start(FILE *f, const char *title, const char *up)
{
	html_head(f, title);
	fputs("<body>\n", f);
	if (up)
		fprintf(f, "<p><a href=\"%s\">&larr; lab index</a></p>\n", up);
	fputs("<h1>", f);
	html_esc(f, title);
	fputs("</h1>\n", f);
}

static int page_end(struct lab *lab, FILE *f, const char *path)
{
	struct stat sb;

	fputs("</body>\n</html>\n", f);
	if (html_close(CMD, f, path) != 0)
		return -1;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size > lab->largest_page)
		lab->largest_page = (size_t)sb.st_size;
	return 0;
}

static void shift_cell(FILE *f, double before, double after, bool worse)
{
	double pct = before != 0.0 ? (after / before - 1.0) * 100.0 : NAN;

	fprintf(f, "<td class=\"n %s\">", worse ? "regressed" : "improved");
	if (isnan(pct))
		fputs("&ndash;", f);
	else
		fprintf(f, "%+.1f%%", pct);
	fprintf(f, " %s</td>", worse ? "worse" : "better");
}

static int series_page(struct lab *lab, const struct hist_series *s)
{
	char path[4200];
	FILE *f;
	size_t from;

	snprintf(path, sizeof(path), "%s/series/%lld.html", lab->outdir, s->id);
	f = html_open(CMD, path);
	if (!f)
		return -1;
	page_start(f, s->metric, "../index.html");
	fputs("<p><span class=\"key\">", f);
	html_esc(f, s->key);
	fputs("</span> on <b>", f);
	html_esc(f, s->host);
	fprintf(f,
		"</b>: %zu runs; %s is better; change points found with a %.3g%% threshold.</p>\n",
		s->npoints, s->lower_is_better ? "lower" : "higher", lab->min_shift * 100.0);
	svg_chart(f, s, lab->runs);
	fputs("<h2>Change points</h2>\n", f);
	if (!s->nchanges)
		fputs("<p>None.</p>\n", f);
	else
		fputs("<table><tr><th>first run of the new level</th><th>started</th><th>before</th>"
		      "<th>after</th><th>shift</th></tr>\n",
		      f);
	for (size_t i = 0; i < s->nchanges; i++) {
		const struct hist_change *ch = &s->changes[i];
		const struct hist_run *run = &lab->runs->runs[s->points[ch->at].run];

		fputs("<tr><td>", f);
		run_link(f, run);
		fputs("</td>", f);
		html_td(f, run->started_utc);
		html_td_num(f, ch->before);
		html_td_num(f, ch->after);
		shift_cell(f, ch->before, ch->after, (ch->after > ch->before) == s->lower_is_better);
		fputs("</tr>\n", f);
	}
	if (s->nchanges)
		fputs("</table>\n", f);
	if (s->noutliers) {
		fprintf(f, "<p>%zu odd run(s), one run off a level that came back (not changes):",
			s->noutliers);
		for (size_t k = 0; k < s->noutliers; k++) {
			fputc(' ', f);
			html_esc(f, lab->runs->runs[s->points[s->outliers[k]].run].suite_commit);
			fputs(" (", f);
			html_num(f, s->points[s->outliers[k]].median);
			fputc(')', f);
		}
		fputs("</p>\n", f);
	}
	from = s->npoints > LAB_RECENT_RUNS ? s->npoints - LAB_RECENT_RUNS : 0;
	fprintf(f,
		"<h2>Latest runs</h2>\n<p>A run's own report: <code>pfnlab report FILE</code>.</p>\n"
		"<table><tr><th>commit</th><th>started</th><th>median (%s)</th><th>95%% interval</th>"
		"<th>file</th></tr>\n",
		s->unit);
	for (size_t k = s->npoints; k-- > from;) {
		const struct hist_point *p = &s->points[k];
		const struct hist_run *run = &lab->runs->runs[p->run];

		fputs("<tr><td>", f);
		run_link(f, run);
		fputs("</td>", f);
		html_td(f, run->started_utc);
		html_td_num(f, p->median);
		html_td_range(f, p->ci_lo, p->ci_hi);
		fputs("<td><code>", f);
		html_esc(f, run->path);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</table>\n", f);
	return page_end(lab, f, path);
}

static int add_change(struct lab *lab, size_t series, size_t run, const struct hist_change *ch,
		      bool lower_is_better)
{
	if (lab->nchanges == lab->changes_cap) {
		size_t cap = lab->changes_cap ? 2 * lab->changes_cap : 64;
		struct lab_change *more = realloc(lab->changes, cap * sizeof(*more));

		if (!more)
			return -1;
		lab->changes = more;
		lab->changes_cap = cap;
	}
	lab->changes[lab->nchanges++] = (struct lab_change){
		series, run, ch->before, ch->after, (ch->after > ch->before) == lower_is_better
	};
	return 0;
}

/* store_each_series callback: detect, write its page, keep its summary. */
static int lab_series_cb(struct hist_series *s, void *arg)
{
	struct lab *lab = arg;
	struct lab_series *ls;
	size_t h = host_of(lab, s->host);

	if (h == (size_t)-1 || hist_detect(s, lab->min_shift) != 0 || series_page(lab, s) != 0) {
		lab->failed = 1;
		return -1;
	}
	if (lab->nseries == lab->cap) {
		size_t cap = lab->cap ? 2 * lab->cap : 256;
		struct lab_series *more = realloc(lab->series, cap * sizeof(*more));

		if (!more)
			return -1;
		lab->series = more;
		lab->cap = cap;
	}
	ls = &lab->series[lab->nseries];
	memset(ls, 0, sizeof(*ls));
	ls->id = s->id;
	ls->host = h;
	ls->key = strdup(s->key);
	ls->metric = strdup(s->metric);
	ls->unit = strdup(s->unit);
	if (!ls->key || !ls->metric || !ls->unit) {
		free(ls->key);
		free(ls->metric);
		free(ls->unit);
		return -1;
	}
	lab->nseries++;
	ls->lower_is_better = s->lower_is_better;
	ls->npoints = s->npoints;
	ls->last = s->points[s->npoints - 1].median;
	ls->last_run = s->points[s->npoints - 1].run;
	lab->hosts[h].nseries++;
	if (s->nchanges) {
		ls->has_change = true;
		ls->last_change = s->changes[s->nchanges - 1];
		ls->last_change_run = s->points[ls->last_change.at].run;
	}
	for (size_t i = 0; i < s->nchanges; i++) {
		size_t run = s->points[s->changes[i].at].run;

		if (run < lab->hosts[h].recent_from)
			continue;
		if (add_change(lab, lab->nseries - 1, run, &s->changes[i], s->lower_is_better) != 0)
			return -1;
		if (lab->changes[lab->nchanges - 1].worse)
			lab->hosts[h].nworse++;
		else
			lab->hosts[h].nbetter++;
	}
	return 0;
}

static int cmp_change(const void *pa, const void *pb)
{
	const struct lab_change *a = pa, *b = pb;

	if (a->worse != b->worse)
		return a->worse ? -1 : 1;
	return (a->run < b->run) - (a->run > b->run);
}

static void series_label(FILE *f, const struct lab_series *ls, const char *label)
{
	fprintf(f, "<a class=\"key\" href=\"series/%lld.html\">", ls->id);
	html_esc(f, label);
	fputs("</a>", f);
}

/* Every key of @host's series, shortened to what differs between them. */
static char **host_labels(struct lab *lab, size_t host, size_t **which, size_t *n)
{
	char **keys, **labels;
	size_t k = 0;

	*which = calloc(lab->hosts[host].nseries + 1, sizeof(**which));
	keys = calloc(lab->hosts[host].nseries + 1, sizeof(*keys));
	labels = calloc(lab->hosts[host].nseries + 1, sizeof(*labels));
	if (!*which || !keys || !labels)
		goto fail;
	for (size_t i = 0; i < lab->nseries; i++) {
		if (lab->series[i].host != host)
			continue;
		(*which)[k] = i;
		keys[k++] = lab->series[i].key;
	}
	if (short_labels(keys, k, labels) != 0)
		goto fail;
	free(keys);
	*n = k;
	return labels;
fail:
	free(*which);
	*which = NULL;
	free(keys);
	free(labels);
	return NULL;
}

static int host_page(struct lab *lab, size_t h)
{
	const struct lab_host *host = &lab->hosts[h];
	char path[4200], title[300];
	size_t *which = NULL, n = 0;
	char **labels = host_labels(lab, h, &which, &n);
	FILE *f;

	if (!labels)
		return -1;
	snprintf(path, sizeof(path), "%s/host-%zu.html", lab->outdir, h);
	snprintf(title, sizeof(title), "%s: every series", host->name);
	f = html_open(CMD, path);
	if (!f)
		goto fail;
	page_start(f, title, "index.html");
	fprintf(f,
		"<p>%zu runs, %zu series; the last change point of each.</p>\n"
		"<table><tr><th>benchmark</th><th>metric</th><th>runs</th><th>last value</th>"
		"<th>last change point</th><th>shift</th></tr>\n",
		host->nruns, host->nseries);
	for (size_t k = 0; k < n; k++) {
		const struct lab_series *ls = &lab->series[which[k]];

		fputs("<tr><td>", f);
		series_label(f, ls, labels[k]);
		fputs("</td><td>", f);
		html_esc(f, ls->metric);
		fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">", ls->npoints);
		html_num(f, ls->last);
		fputc(' ', f);
		html_esc(f, ls->unit);
		fputs("</td>", f);
		if (ls->has_change) {
			fputs("<td>", f);
			run_link(f, &lab->runs->runs[ls->last_change_run]);
			fputs("</td>", f);
			shift_cell(f, ls->last_change.before, ls->last_change.after,
				   (ls->last_change.after > ls->last_change.before) ==
					   ls->lower_is_better);
		} else {
			fputs("<td>none</td><td></td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	for (size_t k = 0; k < n; k++)
		free(labels[k]);
	free(labels);
	free(which);
	return page_end(lab, f, path);
fail:
	for (size_t k = 0; k < n; k++)
		free(labels[k]);
	free(labels);
	free(which);
	return -1;
}

static int index_page(struct lab *lab)
{
	char path[4200], when[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", lab->outdir);
	f = html_open(CMD, path);
	if (!f)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	page_start(f, "pfnlab lab report", NULL);
	fprintf(f,
		"<p>Generated %s from the store of %zu runs on %zu host(s), %zu series. "
		"Change points as in <code>pfnlab history</code> (threshold %.3g%%).</p>\n",
		when, lab->runs->n, lab->nhosts, lab->nseries, lab->min_shift * 100.0);
	fprintf(f,
		"<h2>Hosts</h2>\n<table><tr><th>host</th><th>runs</th><th>latest run</th>"
		"<th>started</th><th>series</th><th>changes in its last %zu commits</th></tr>\n",
		lab->last_commits);
	for (size_t h = 0; h < lab->nhosts; h++) {
		const struct lab_host *host = &lab->hosts[h];
		const struct hist_run *last = &lab->runs->runs[host->last_run];

		fprintf(f, "<tr><td><a href=\"host-%zu.html\">", h);
		html_esc(f, host->name);
		fprintf(f, "</a></td><td class=\"n\">%zu</td><td>", host->nruns);
		run_link(f, last);
		fputs("</td><td>", f);
		html_esc(f, last->started_utc);
		fprintf(f,
			"</td><td class=\"n\">%zu</td><td class=\"%s\">%zu worse, %zu better</td></tr>\n",
			host->nseries,
			host->nworse  ? "regressed" :
			host->nbetter ? "improved" :
					"ok",
			host->nworse, host->nbetter);
	}
	fprintf(f, "</table>\n<h2>Change points of the last %zu commits</h2>\n", lab->last_commits);
	if (!lab->nchanges)
		fputs("<p>None.</p>\n", f);
	else
		fputs("<table><tr><th>host</th><th>benchmark</th><th>metric</th><th>new level from</th>"
		      "<th>before</th><th>after</th><th>shift</th></tr>\n",
		      f);
	qsort(lab->changes, lab->nchanges, sizeof(*lab->changes), cmp_change);
	for (size_t i = 0; i < lab->nchanges; i++) {
		const struct lab_change *c = &lab->changes[i];
		const struct lab_series *ls = &lab->series[c->series];

		fputs("<tr><td>", f);
		html_esc(f, lab->hosts[ls->host].name);
		fputs("</td><td>", f);
		series_label(f, ls, ls->key);
		fputs("</td><td>", f);
		html_esc(f, ls->metric);
		fputs("</td><td>", f);
		run_link(f, &lab->runs->runs[c->run]);
		fputs("</td>", f);
		html_td_num(f, c->before);
		html_td_num(f, c->after);
		shift_cell(f, c->before, c->after, c->worse);
		fputs("</tr>\n", f);
	}
	if (lab->nchanges)
		fputs("</table>\n", f);
	return page_end(lab, f, path);
}

static void lab_free(struct lab *lab)
{
	for (size_t i = 0; i < lab->nseries; i++) {
		free(lab->series[i].key);
		free(lab->series[i].metric);
		free(lab->series[i].unit);
	}
	free(lab->series);
	for (size_t h = 0; h < lab->nhosts; h++)
		free(lab->hosts[h].name);
	free(lab->hosts);
	free(lab->changes);
}

static int make_dirs(const char *outdir)
{
	char sub[4200];

	snprintf(sub, sizeof(sub), "%s/series", outdir);
	if ((mkdir(outdir, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(sub, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, CMD ": cannot make %s: %s\n", sub, strerror(errno));
		return -1;
	}
	return 0;
}

static int lab_write(struct store *st, struct lab *lab)
{
	struct store_query q = { 0 };
	struct hist_runs runs = { 0 };
	char err[1024];
	int ret = -1;

	if (store_runs(st, &q, &runs, err, sizeof(err)) != 0) {
		fprintf(stderr, CMD ": %s\n", err);
		return -1;
	}
	if (runs.n == 0) {
		fprintf(stderr, CMD ": %s: no runs in the store\n", store_dir(st));
		goto out;
	}
	lab->runs = &runs;
	lab->nruns = runs.n;
	if (lab_hosts(lab) != 0 || make_dirs(lab->outdir) != 0)
		goto out;
	if (store_each_series(st, &q, &runs, lab_series_cb, lab, err, sizeof(err)) != 0) {
		if (!lab->failed)
			fprintf(stderr, CMD ": %s\n", err[0] ? err : "out of memory");
		goto out;
	}
	for (size_t h = 0; h < lab->nhosts; h++)
		if (host_page(lab, h) != 0)
			goto out;
	ret = index_page(lab);
out:
	lab->runs = NULL;
	hist_runs_free(&runs);
	return ret;
}

int report_lab(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lab", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "last", required_argument, NULL, 'n' },
		{ "threshold", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lab lab = { .min_shift = 0.05, .last_commits = 20 };
	struct store_sync_stats stats = { 0 };
	char outdir[4200] = "", err[1024];
	struct store *st;
	char *end;
	int c, status = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'L': break;
		case 'o': snprintf(outdir, sizeof(outdir), "%s", optarg); break;
		case 'n':
			lab.last_commits = strtoul(optarg, &end, 10);
			if (*end || lab.last_commits == 0) {
				fprintf(stderr, CMD ": --last wants a count of commits, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			if (cmp_parse_percent(optarg, &lab.min_shift) != 0) {
				fprintf(stderr,
					CMD
					": --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h': lab_usage(stdout); return 0;
		default: lab_usage(stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, CMD " --lab: one DIR, the top of a results tree\n");
		lab_usage(stderr);
		return 2;
	}
	if (!outdir[0])
		snprintf(outdir, sizeof(outdir), "%s/lab-report", argv[optind]);
	lab.outdir = outdir;
	st = store_open(argv[optind], true, err, sizeof(err));
	if (!st) {
		fprintf(stderr, CMD ": %s\n", err);
		return 2;
	}
	if (store_sync(st, &stats) != 0)
		goto out;
	if (lab_write(st, &lab) != 0)
		goto out;
	printf("%s/index.html (%zu runs, %zu series, largest page %zu bytes)\n", outdir, lab.nruns,
	       lab.nseries, lab.largest_page);
	status = 0;
out:
	lab_free(&lab);
	store_close(st);
	return status;
}
