// SPDX-License-Identifier: GPL-2.0
/*
 * Metric series over runs and where they shift.  A run contributes its
 * median; the noise that the change-point penalty must rise above is taken
 * both from the scatter between runs and from each run's own CI, so a series
 * of two or three runs does not call every wiggle a change.
 */
#include "compare_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"

static struct hist_series *find_series(struct hist_series *s, size_t n, const char *key,
				       const char *metric)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].key, key) == 0 && strcmp(s[i].metric, metric) == 0)
			return &s[i];
	return NULL;
}

static int add_point(struct hist_series *s, size_t run, const struct rl_metric *m)
{
	struct hist_point *more;

	if (isnan(m->median))
		return 0;
	/* A key measured twice in one run keeps the later measurement. */
	if (s->npoints && s->points[s->npoints - 1].run == run) {
		s->points[s->npoints - 1] = (struct hist_point){ run, m->median, m->ci_lo, m->ci_hi };
		return 0;
	}
	more = realloc(s->points, (s->npoints + 1) * sizeof(*more));
	if (!more)
		return -1;
	s->points = more;
	more[s->npoints++] = (struct hist_point){ run, m->median, m->ci_lo, m->ci_hi };
	return 0;
}

static int detect(struct hist_series *s, double min_shift)
{
	size_t n = s->npoints, *cps, ncps, start = 0;
	double *x, run_sigma = 0.0, *ci_sigmas, mean_abs = 0.0;
	size_t nci = 0;

	if (n < 2)
		return 0;
	x = calloc(n, sizeof(*x));
	ci_sigmas = malloc(n * sizeof(*ci_sigmas));
	cps = calloc(n, sizeof(*cps));
	if (!x || !ci_sigmas || !cps) {
		free(x);
		free(ci_sigmas);
		free(cps);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		x[i] = s->points[i].median;
		mean_abs += fabs(x[i]) / (double)n;
		/* A 95% CI spans about 2 x 1.96 standard errors of the median. */
		if (!isnan(s->points[i].ci_lo) && !isnan(s->points[i].ci_hi))
			ci_sigmas[nci++] = (s->points[i].ci_hi - s->points[i].ci_lo) / 3.92;
	}
	if (nci)
		run_sigma = cs_median(ci_sigmas, nci);
	s->sigma = fmax(cs_diff_sigma(x, n), run_sigma);
	/* A perfectly flat series still needs a scale: 0.1% of its level. */
	s->sigma = fmax(s->sigma, 1e-3 * mean_abs);
	if (s->sigma == 0.0)
		s->sigma = 1e-12;
	ncps = cs_change_points(x, n, cs_bic_penalty(s->sigma, n), cps, n);
	s->changes = calloc(ncps + 1, sizeof(*s->changes));
	if (!s->changes) {
		free(x);
		free(ci_sigmas);
		free(cps);
		return -1;
	}
	for (size_t c = 0; c < ncps; c++) {
		size_t end = c + 1 < ncps ? cps[c + 1] : n;
		double before = 0.0, after = 0.0;

		for (size_t i = start; i < cps[c]; i++)
			before += x[i];
		for (size_t i = cps[c]; i < end; i++)
			after += x[i];
		before /= (double)(cps[c] - start);
		after /= (double)(end - cps[c]);
		start = cps[c];
		if (before != 0.0 && fabs(after / before - 1.0) <= min_shift)
			continue;
		s->changes[s->nchanges++] = (struct hist_change){ cps[c], before, after };
	}
	free(x);
	free(ci_sigmas);
	free(cps);
	return 0;
}

int hist_build(const struct rl_set *set, const char *metric, const char *bench_filter,
	       double min_shift, struct hist_series **out, size_t *nout)
{
	struct hist_series *series = NULL;
	size_t n = 0;

	for (size_t r = 0; r < set->n; r++) {
		const struct rl_result *res = &set->results[r];

		for (size_t b = 0; b < res->nbenches; b++) {
			const struct rl_bench *rb = &res->benches[b];

			if (bench_filter && !strstr(rb->key, bench_filter))
				continue;
			if (!rl_bench_measured(rb))
				continue;
			for (size_t m = 0; m < rb->nmetrics; m++) {
				const struct rl_metric *rm = &rb->metrics[m];
				struct hist_series *s;

				if (metric && strcmp(metric, rm->name) != 0)
					continue;
				s = find_series(series, n, rb->key, rm->name);
				if (!s) {
					struct hist_series *more = realloc(series, (n + 1) * sizeof(*more));

					if (!more)
						goto fail;
					series = more;
					s = &series[n];
					memset(s, 0, sizeof(*s));
					s->key = strdup(rb->key);
					if (!s->key)
						goto fail;
					n++;
					s->metric = rm->name;
					s->unit = rm->unit;
					s->lower_is_better = rm->lower_is_better;
				}
				if (add_point(s, r, rm) != 0)
					goto fail;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (detect(&series[i], min_shift) != 0)
			goto fail;
	*out = series;
	*nout = n;
	return 0;
fail:
	hist_free(series, n);
	return -1;
}

void hist_free(struct hist_series *series, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(series[i].key);
		free(series[i].points);
		free(series[i].changes);
	}
	free(series);
}

void hist_run_label(const struct rl_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", res->suite_commit, rl_kernel_release(res));
}

/* Is the token @tok (@toklen bytes) one of the '|'-separated fields of @key? */
static bool key_has_token(const char *key, const char *tok, size_t toklen)
{
	const char *p = key;

	while (*p) {
		size_t len = strcspn(p, "|");

		if (len == toklen && strncmp(p, tok, toklen) == 0)
			return true;
		p += len;
		if (*p == '|')
			p++;
	}
	return false;
}

int short_labels(char *const *keys, size_t n, char **out)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = keys[i];
		size_t len = strlen(key), off = 0;
		const char *p = key;
		char *label = malloc(len + 1);

		if (!label) {
			while (i--)
				free(out[i]);
			return -1;
		}
		/* The benchmark name: up to the first '|'. */
		while (*p && *p != '|')
			label[off++] = *p++;
		while (*p == '|') {
			const char *tok = ++p;
			size_t toklen = strcspn(tok, "|");
			bool everywhere = true;

			for (size_t j = 0; j < n && everywhere; j++)
				everywhere = key_has_token(keys[j], tok, toklen);
			if (!everywhere && toklen) {
				label[off++] = ' ';
				memcpy(label + off, tok, toklen);
				off += toklen;
			}
			p = tok + toklen;
		}
		label[off] = '\0';
		out[i] = label;
	}
	return 0;
}
