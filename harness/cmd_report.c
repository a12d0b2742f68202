// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab report RESULT...: one static HTML page with the charts, summary
 * tables, the compare verdicts (with --base) and the environment records.
 * The page is self-contained: charts are embedded as data: URIs and a
 * Content-Security-Policy forbids any network fetch, so it can be mailed,
 * archived or opened offline and shows the same thing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anchors.h"
#include "commands.h"
#include "compare_engine.h"
#include "compare_history.h"
#include "html.h"
#include "plan_model.h"
#include "plot_charts.h"
#include "report_lab.h"
#include "result_load.h"

#define REPORT_MANY_RUNS 20

static void report_usage(FILE *out)
{
	fputs("usage: pfnlab report [options] RESULT...\n"
	      "\n"
	      "Write a static HTML report (no network, no external assets) with the\n"
	      "charts of `pfnlab plot`, a capacity plan per host (`pfnlab plan` at\n"
	      "--plan-size), a summary table per result, the compare verdicts against\n"
	      "--base, and each run's environment record.\n"
	      "\n"
	      "options:\n"
	      "  -o, --output DIR   where to write index.html and plots/ (default:\n"
	      "                     report/ next to the first RESULT)\n"
	      "  --base BASE        results to compare RESULT against\n"
	      "  --history DIR      runs for the trend chart (default: RESULT...), and the\n"
	      "                     compare's run-to-run noise model\n"
	      "  --metric NAME      metric of the trend chart (default pin_ns_per_page)\n"
	      "  --threshold PCT    compare effect threshold in percent (default 5)\n"
	      "  --plan-size SIZE   target of the capacity plan and its chart (default 1G)\n"
	      "  --note TEXT        a line shown atop the page (up to 8; `make bench`\n"
	      "                     says there which part of a run is missing and why)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "pfnlab report --lab DIR writes the report of a whole results tree from\n"
	      "its store instead: small pages per host and per series (see\n"
	      "`pfnlab report --lab --help`).\n"
	      "\n"
	      "Without gnuplot the page is written without charts and the command\n"
	      "says what to install.  Exit status: 0 written, 2 error.\n",
	      out);
}

static int embed_base64(FILE *f, const char *path)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *in = fopen(path, "rb");
	unsigned char buf[3];
	size_t n;

	if (!in)
		return -1;
	while ((n = fread(buf, 1, 3, in)) > 0) {
		unsigned int v = (unsigned int)buf[0] << 16 |
				 (n > 1 ? (unsigned int)buf[1] << 8 : 0) | (n > 2 ? buf[2] : 0);

		fputc(tbl[v >> 18 & 63], f);
		fputc(tbl[v >> 12 & 63], f);
		fputc(n > 1 ? tbl[v >> 6 & 63] : '=', f);
		fputc(n > 2 ? tbl[v & 63] : '=', f);
		if (n < 3)
			break;
	}
	fclose(in);
	return 0;
}

/*
 * Marks the page for whoever opens it headless (tests/report.sh): how many
 * images decoded, and any script error, as attributes on <body>.
 */
static const char page_script[] = "<script>\n"
				  "window.addEventListener('error', function (e) {\n"
				  "  document.body.setAttribute('data-errors', String(e.message));\n"
				  "});\n"
				  "window.addEventListener('load', function () {\n"
				  "  var imgs = document.images, ok = 0;\n"
				  "  for (var i = 0; i < imgs.length; i++)\n"
				  "    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
				  "  document.body.setAttribute('data-images', ok + '/' + imgs.length);\n"
				  "  document.body.setAttribute('data-loaded', 'yes');\n"
				  "});\n"
				  "</script>\n";

static void write_charts(FILE *f, const struct plot_chart *charts, bool have_charts)
{
	fputs("<h2 id=\"charts\">Charts</h2>\n", f);
	if (!have_charts) {
		fputs("<p>No charts: gnuplot is not installed (apt-get install gnuplot-nox).</p>\n",
		      f);
		return;
	}
	for (int c = 0; c < plot_ncharts(); c++) {
		if (!charts[c].rendered)
			continue;
		fprintf(f, "<figure id=\"chart-%s\">\n<img alt=\"", charts[c].name);
		html_esc(f, charts[c].title);
		fputs("\" src=\"data:image/svg+xml;base64,", f);
		embed_base64(f, charts[c].svg);
		fputs("\">\n<figcaption>", f);
		html_esc(f, charts[c].title);
		fprintf(f, "%s (data: <code>plots/%s.tsv</code>)</figcaption>\n</figure>\n",
			charts[c].has_data ? "" : " &mdash; no data in these results",
			charts[c].name);
	}
}

static void free_labels(char **labels, size_t n)
{
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

/*
 * Short names for a table: the parameters that differ between its rows.
 * Frees @keys (the rows' keys, borrowed strings); NULL when out of memory.
 */
static char **short_labels_of(char **keys, size_t n)
{
	char **labels = keys ? calloc(n + 1, sizeof(*labels)) : NULL;

	if (labels && n && short_labels(keys, n, labels) != 0) {
		free(labels);
		labels = NULL;
	}
	free(keys);
	return labels;
}

static void write_compare(FILE *f, const struct rl_set *base, const struct rl_set *results,
			  const struct cmp_options *opt)
{
	char **keys, **labels;
	struct cmp_report rep;

	fputs("<h2 id=\"compare\">Compare</h2>\n", f);
	if (!base) {
		fputs("<p>No baseline given (<code>--base</code>): nothing compared.</p>\n", f);
		return;
	}
	if (cmp_compare(base, results, opt, &rep) != 0) {
		fputs("<p>Out of memory while comparing.</p>\n", f);
		return;
	}
	fprintf(f, "<p>BASE <code>");
	html_esc(f, base->results[0].path);
	fprintf(f,
		"</code>%s vs NEW. Gated metrics: <b>%zu regressed</b>, %zu improved, "
		"%zu unchanged, %zu undecided (threshold %.3g%%, BH-adjusted p &lt; %.3g; "
		"the observation is the round; noise model: %s).  Detail and layout rows never "
		"fail the comparison.</p>\n",
		base->n > 1 ? " and more" : "", cmp_gated(&rep, CMP_REGRESSED),
		cmp_gated(&rep, CMP_IMPROVED), cmp_gated(&rep, CMP_UNCHANGED),
		cmp_gated(&rep, CMP_UNDECIDED), opt->threshold * 100, opt->alpha,
		rep.history_runs ? "rounds + run-to-run variance of earlier runs" :
				   "rounds only (no earlier runs of this host)");
	if (rep.different_machines)
		fputs("<p><b>BASE and NEW come from different machines</b>; ratios include the hardware.</p>\n",
		      f);
	if (rep.nenv) {
		fputs("<details><summary>Environment differences</summary><table>"
		      "<tr><th>field</th><th>BASE</th><th>NEW</th></tr>\n",
		      f);
		for (size_t i = 0; i < rep.nenv; i++) {
			fputs("<tr><td>", f);
			html_esc(f, rep.env[i].path);
			fputs("</td><td>", f);
			html_esc(f, rep.env[i].base);
			fputs("</td><td>", f);
			html_esc(f, rep.env[i].new);
			fputs("</td></tr>\n", f);
		}
		fputs("</table></details>\n", f);
	}
	fputs("<table><tr><th>benchmark</th><th>metric</th><th>kind</th><th>unit</th>"
	      "<th>BASE center (rounds)</th><th>NEW center (rounds)</th><th>ratio</th><th>95% CI</th>"
	      "<th>p (adj.)</th><th>MDE</th><th>verdict</th></tr>\n",
	      f);
	keys = calloc(rep.nrows + 1, sizeof(*keys));
	for (size_t i = 0; keys && i < rep.nrows; i++)
		keys[i] = rep.rows[i].key;
	labels = short_labels_of(keys, rep.nrows);
	for (size_t i = 0; i < rep.nrows; i++) {
		const struct cmp_row *r = &rep.rows[i];

		fprintf(f, "<tr class=\"%s\"><td><code title=\"", cmp_verdict_name(r->verdict));
		html_esc(f, r->key);
		fputs("\">", f);
		html_esc(f, labels ? labels[i] : r->key);
		fputs("</code></td><td>", f);
		html_esc(f, r->metric);
		fprintf(f, "</td><td>%s</td><td>", metric_kind_name(r->kind));
		html_esc(f, r->unit);
		fputs("</td><td class=\"n\">", f);
		html_num(f, r->median_base);
		fprintf(f, " (%zu)</td><td class=\"n\">", r->n_base);
		html_num(f, r->median_new);
		fprintf(f, " (%zu)</td><td class=\"n\">", r->n_new);
		html_num(f, r->ratio);
		fputs("</td><td class=\"n\">", f);
		html_num(f, r->ci_lo);
		fputs(" &ndash; ", f);
		html_num(f, r->ci_hi);
		fprintf(f, "</td><td class=\"n\">%.2g</td><td class=\"n\">", r->p_adj);
		if (isnan(r->mde))
			fputs("-", f);
		else
			fprintf(f, "%.1f%%", r->mde * 100);
		fprintf(f, "</td><td>%s", cmp_verdict_name(r->verdict));
		if (r->why)
			fprintf(f, " (%s%s)", r->why, r->rounds_needed > 0 ? ": more rounds" : "");
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	free_labels(labels, rep.nrows);
	cmp_report_free(&rep);
}

static void fmt_pct(FILE *f, double v)
{
	if (isnan(v))
		fputs("-", f);
	else
		fprintf(f, "%.1f%%", v * 100);
}

static void write_result(FILE *f, const struct rl_result *res, size_t index)
{
	char **keys, **labels;
	char *env = res->environment ?
			    json_dumps(res->environment, JSON_INDENT(2) | JSON_SORT_KEYS) :
			    NULL;

	fprintf(f, "<h2 id=\"run-%zu\">Run: <code>", index);
	html_esc(f, res->path);
	fputs("</code></h2>\n<p>host <b>", f);
	html_esc(f, res->hostname);
	fputs("</b>, suite <code>", f);
	html_esc(f, res->suite_commit);
	fputs("</code>, kernel <code>", f);
	html_esc(f, rl_kernel_release(res));
	fputs("</code>, started ", f);
	html_esc(f, res->started_utc);
	fputs(".</p>\n", f);
	if (!res->complete) {
		size_t missing = 0;

		for (size_t b = 0; b < res->nbenches; b++)
			missing += !strcmp(res->benches[b].status, "missing");
		fputs("<p class=\"incomplete\"><b>Incomplete run</b>: ", f);
		html_esc(f, res->incomplete_reason ? res->incomplete_reason :
						     "the run did not finish");
		fprintf(f,
			". %zu of %zu benchmarks missing (listed below with status "
			"<i>missing</i>); the others keep the rounds they finished.</p>\n",
			missing, res->nbenches);
	}
	fputs("<table><tr><th>benchmark (parameters that differ; hover for the key)</th>"
	      "<th>status</th><th>metric</th><th>kind</th><th>unit</th>"
	      "<th>center</th><th>95% CI</th><th>CV between / within rounds</th>"
	      "<th>MDE</th><th>rounds</th><th>n</th></tr>\n",
	      f);
	keys = calloc(res->nbenches + 1, sizeof(*keys));
	for (size_t b = 0; keys && b < res->nbenches; b++)
		keys[b] = res->benches[b].key;
	labels = short_labels_of(keys, res->nbenches);
	for (size_t b = 0; b < res->nbenches; b++) {
		const struct rl_bench *rb = &res->benches[b];
		size_t rows = rb->nmetrics ? rb->nmetrics : 1;

		for (size_t m = 0; m < rows; m++) {
			const struct rl_metric *rm = rb->nmetrics ? &rb->metrics[m] : NULL;

			fprintf(f, "<tr class=\"%s%s\">", rb->status,
				rm && rm->noisy ? " noisy" : "");
			if (m == 0) {
				fprintf(f, "<td rowspan=\"%zu\"><code title=\"", rows);
				html_esc(f, rb->key);
				fputs("\">", f);
				html_esc(f, labels ? labels[b] : rb->key);
				fprintf(f, "</code></td><td rowspan=\"%zu\">", rows);
				html_esc(f, rb->status);
				if (rb->reason) {
					fputs(": ", f);
					html_esc(f, rb->reason);
				}
				fputs("</td>", f);
			}
			if (!rm) {
				fputs("<td colspan=\"9\">no measurement</td></tr>\n", f);
				continue;
			}
			fputs("<td>", f);
			html_esc(f, rm->name);
			fputs(rm->noisy ? " (noisy)</td><td>" : "</td><td>", f);
			fprintf(f, "%s</td><td>", metric_kind_name(rm->kind));
			html_esc(f, rm->unit);
			fputs("</td>", f);
			html_td_num(f, rm->median);
			html_td_range(f, rm->ci_lo, rm->ci_hi);
			fputs("<td class=\"n\">", f);
			fmt_pct(f, rm->rs.between_cv);
			fputs(" / ", f);
			fmt_pct(f, rm->rs.within_cv);
			fputs("</td><td class=\"n\">", f);
			fmt_pct(f, rm->rs.mde);
			fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
				rm->rs.nrounds, rm->nsamples);
		}
	}
	free_labels(labels, res->nbenches);
	fputs("</table>\n<details><summary>Environment record</summary><pre>", f);
	html_esc(f, env ? env : "(none recorded)");
	fputs("</pre></details>\n", f);
	free(env);
}

/* One cell: ns per page and, beside it, the ratio to iommufd's. */
static void anchors_cell(FILE *f, double ns, double ratio, bool reference)
{
	fputs("<td class=\"n\">", f);
	if (isnan(ns)) {
		fputs("-</td>", f);
		return;
	}
	html_num(f, ns);
	if (reference)
		fputs(" (1)", f);
	else if (!isnan(ratio))
		fprintf(f, " (%.2fx)", ratio);
	fputs("</td>", f);
}

static void write_anchors(FILE *f, const struct rl_set *results)
{
	static const char *const op_title[ANCHOR_NOPS] = { "pin", "map + unmap" };
	struct anchors_table t;
	char env[512], col[64];

	fputs("<h2 id=\"anchors\">Model vs kernel</h2>\n", f);
	if (!anchors_table_build(results, &t)) {
		fputs("<p>No kernel anchors in these results (iommufd, vfio or gup_test: "
		      "<code>bench/anchors.ini</code> in the anchors' lab kernel, which "
		      "<code>make bench</code> runs in the lab VM).</p>\n",
		      f);
		return;
	}
	anchors_environment(&t, env, sizeof(env));
	fputs("<p>ns per 4 KiB page (the center of the rounds) of the module and of the kernel "
	      "paths it models, on the same buffers, and in brackets each path's ratio to "
	      "iommufd's into the same kind of domain.  Pin: the model's ACCESS_PIN against "
	      "iommufd's access path (ACCESS_PAGES into its xarray).  Map + unmap: against "
	      "IOAS_MAP and IOAS_UNMAP into iommufd's selftest mock domain (which stores every "
	      "2 KiB of IOVA in an xarray: no huge IO pages), or, for the real-domain rows, "
	      "into a real intel-iommu domain of one device (iommufd through its VFIO cdev, "
	      "VFIO type1 through its container, the model through its own domain; a boot of "
	      "their own).  ",
	      f);
	html_esc(f, env);
	fputs(".</p>\n", f);
	for (int op = 0; op < ANCHOR_NOPS; op++) {
		size_t shown = 0;

		for (size_t p = 0; p < anchor_npaths; p++)
			shown += anchors_path_has(&t, op, p);
		if (!shown)
			continue;
		fprintf(f, "<h3>%s</h3>\n<table><tr><th>path</th>", op_title[op]);
		for (size_t c = 0; c < t.ncols; c++) {
			anchors_col_name(&t.cols[c], col, sizeof(col));
			fputs("<th>", f);
			html_esc(f, col);
			fputs("</th>", f);
		}
		fputs("</tr>\n", f);
		for (size_t p = 0; p < anchor_npaths; p++) {
			if (!anchors_path_has(&t, op, p))
				continue;
			fputs("<tr><td>", f);
			html_esc(f, anchor_paths[p].label);
			fputs("</td>", f);
			for (size_t c = 0; c < t.ncols; c++)
				anchors_cell(f, t.ns[op][c][p], t.ratio[op][c][p],
					     p == anchor_paths[p].reference);
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
}

/* One host's plan as a table (the data: plan_output.c, as `pfnlab plan` prints it). */
static void plan_table(FILE *f, const struct plan_out *out)
{
	char a[64], b[64], c[64], d[64], terms[512];

	plan_fmt_size(a, sizeof(a), out->target_bytes);
	fprintf(f, "<h3>Host ");
	html_esc(f, out->host);
	fprintf(f,
		": %s</h3>\n<table>\n<tr><th>series</th><th>sizes</th><th>model</th>"
		"<th>%s (%.0f%% interval)</th><th>check: largest size held out</th><th>memory</th></tr>\n",
		a, a, 100.0 * PLAN_LEVEL);
	for (size_t i = 0; i < out->nseries; i++) {
		const struct plan_item *it = &out->items[i];
		const struct plan_series *s = it->s;

		plan_fmt_size(a, sizeof(a), s->sizes[0]);
		plan_fmt_size(b, sizeof(b), s->sizes[s->nsizes - 1]);
		fputs("<tr><td>", f);
		html_esc(f, s->label);
		fprintf(f, "</td><td>%zu: %s .. %s</td>", s->nsizes, a, b);
		if (!it->planned) {
			fputs("<td colspan=\"4\">not planned: ", f);
			html_esc(f, it->why);
			fputs("</td></tr>\n", f);
			continue;
		}
		plan_terms_text(terms, sizeof(terms), &it->fit);
		fputs("<td>", f);
		html_esc(f, terms);
		if (it->split) {
			plan_fmt_ns(b, sizeof(b), it->per_folio_ns);
			plan_fmt_size(c, sizeof(c), s->folio_bytes);
			fprintf(f, "<br>= %.3g ns per page + %s per %s folio", it->per_page_ns, b,
				c);
		}
		plan_fmt_ns(a, sizeof(a), it->pred.ns);
		plan_fmt_ns(b, sizeof(b), it->pred.lo_ns);
		plan_fmt_ns(c, sizeof(c), it->pred.hi_ns);
		fprintf(f, "</td><td>%s (%s .. %s)", a, b, c);
		/* What the line cannot see (pfnlab plan prints the whole WARNING). */
		if (it->cache_level) {
			plan_fmt_size(d, sizeof(d), it->cache_bytes);
			fprintf(f,
				"<br><em>optimistic: a call outgrows the L%d cache (%s) past the sizes fitted</em>",
				it->cache_level, d);
		}
		if (it->xa_levels_target > it->xa_levels_fitted)
			fprintf(f,
				"<br><em>optimistic: the mock domain's xarray grows a level past the sizes fitted</em>");
		if (it->table_vmalloc)
			fprintf(f,
				"<br><em>optimistic: a call's segment table is vmalloc'ed past the sizes fitted</em>");
		if (it->s->terms.checks && !it->fit.terms.checks)
			fprintf(f,
				"<br><em>optimistic: io_uring's search for folios already charged grows with the square of a call</em>");
		fputs("</td>", f);
		if (it->val.done) {
			plan_fmt_size(a, sizeof(a), it->val.size_bytes);
			fprintf(f, "<td class=\"%s\">%s: %+.1f%%, %s</td>",
				it->val.inside ? "ok" : "bad", a, 100.0 * it->val.error,
				it->val.inside ? "inside" : "outside");
		} else {
			fputs("<td>n/a</td>", f);
		}
		plan_fmt_size(d, sizeof(d), it->memlock_bytes);
		fprintf(f, "<td>MEMLOCK %s", d);
		if (!isnan(it->pt_bytes)) {
			plan_fmt_size(d, sizeof(d), it->pt_bytes);
			fprintf(f, ", IO page table %s", d);
		}
		if (!isnan(it->xarray_bytes)) {
			plan_fmt_size(d, sizeof(d), it->xarray_bytes);
			fprintf(f, ", xarray ~%s", d);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static int plan_section_host(const struct plan_out *out, void *arg)
{
	plan_table(arg, out);
	return 0;
}

static void write_plan(FILE *f, const struct rl_set *results, double plan_bytes)
{
	struct plan_request req = { .target_bytes = plan_bytes > 0 ? plan_bytes : 1073741824.0 };
	char target[64], arg[64], factor[32];
	double t = req.target_bytes;
	int hosts;

	plan_fmt_size(target, sizeof(target), t);
	/* the target as `pfnlab plan --size` takes it */
	if (fmod(t, 1073741824.0) == 0)
		snprintf(arg, sizeof(arg), "%.0fG", t / 1073741824.0);
	else if (fmod(t, 1048576.0) == 0)
		snprintf(arg, sizeof(arg), "%.0fM", t / 1048576.0);
	else
		snprintf(arg, sizeof(arg), "%.0fK", t / 1024.0);
	snprintf(factor, sizeof(factor), "%.0f", PLAN_MAX_EXTRAPOLATION);
	fputs("<h2 id=\"plan\">Capacity plan</h2>\n<p>", f);
	fprintf(f,
		"How long one operation of %s takes on each host, from the sizes its results "
		"measured (<code>pfnlab plan --size %s</code>; docs/plan.md): a line of a fixed cost "
		"plus a cost per 4 KiB page (for MAP, a cost per run of the layout too) through the "
		"%.0f%% trimmed mean of each size's rounds, with the 95%% "
		"interval of one operation.  <i>Check</i>: the largest size fitted is held out and "
		"predicted from the others.  A plan needs %d sizes and extrapolates at most %sx the "
		"largest.</p>\n",
		target, arg, 100.0 * PLAN_TRIM, PLAN_MIN_SIZES, factor);
	hosts = plan_each_host(results, &req, plan_section_host, f);
	if (hosts == 0)
		fputs("<p>No size sweep in these results (pin, map or read at several sizes).</p>\n",
		      f);
}

static int write_page(const char *path, const struct rl_set *results, const struct rl_set *base,
		      const struct plot_chart *charts, bool have_charts,
		      const struct cmp_options *opt, const char *const *notes, int nnotes,
		      double plan_bytes)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f = html_open("pfnlab report", path);

	if (!f)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	html_head(f, "pfnlab report");
	fputs("<body>\n", f);
	fputs(page_script, f);
	fprintf(f,
		"<h1>pfnlab report</h1>\n<p>Generated %s by pfnlab from %zu result file(s). "
		"Sections: <a href=\"#charts\">charts</a>, <a href=\"#anchors\">model vs "
		"kernel</a>, <a href=\"#plan\">plan</a>, "
		"<a href=\"#compare\">compare</a>",
		when, results->n);
	for (size_t i = 0; i < results->n; i++)
		fprintf(f, ", <a href=\"#run-%zu\">run %zu</a>", i, i + 1);
	fputs(". A run's value is the <i>center</i> of its rounds (the geometric mean of the "
	      "round medians) with the 95% interval of a rerun from the spread between rounds; "
	      "MDE is the smallest change a comparison with another run like it would detect "
	      "(95% power); <i>noisy</i> marks a CV above the job's threshold.</p>\n",
	      f);
	for (int i = 0; i < nnotes; i++) {
		fputs("<p class=\"incomplete\"><b>Note</b>: ", f);
		html_esc(f, notes[i]);
		fputs("</p>\n", f);
	}
	write_charts(f, charts, have_charts);
	write_anchors(f, results);
	write_plan(f, results, plan_bytes);
	write_compare(f, base, results, opt);
	for (size_t i = 0; i < results->n; i++)
		write_result(f, &results->results[i], i);
	fputs("</body>\n</html>\n", f);
	return html_close("pfnlab report", f, path);
}

int cmd_report(int argc, char **argv)
{
	struct plot_chart charts[PLOT_MAX_CHARTS];
	char plotdir[4200], page[4200];
	struct plot_cli cli;
	int ret, status;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--lab") == 0)
			return report_lab(argc, argv);
	status = plot_cli_parse(&cli, "report", "report", report_usage, argc, argv);
	if (status >= 0)
		goto out;
	status = 2;
	/* One page with a table per run stops being readable well before a lab's history. */
	if (cli.results.n > REPORT_MANY_RUNS)
		fprintf(stderr,
			"pfnlab report: %zu runs on one page; for a whole results tree, "
			"`pfnlab report --lab DIR` writes small pages per host and series\n",
			cli.results.n);
	snprintf(plotdir, sizeof(plotdir), "%s/plots", cli.outdir);
	snprintf(page, sizeof(page), "%s/index.html", cli.outdir);
	ret = plot_all(&cli.in, plotdir, charts);
	if (ret < 0)
		goto out;
	if (write_page(page, &cli.results, cli.in.base, charts, ret == 0, &cli.opt, cli.notes,
		       cli.nnotes, cli.in.plan_bytes) != 0)
		goto out;
	printf("%s\n", page);
	status = 0;
out:
	plot_cli_free(&cli);
	return status;
}
