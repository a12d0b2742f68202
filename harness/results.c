// SPDX-License-Identifier: GPL-2.0
/*
 * Results documents: metric objects with summaries, and the atomic write
 * that never leaves a half-written file, even when the process is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"
#include "rounds.h"
#include "stats.h"

void results_utc(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int results_write_atomic(json_t *doc, const char *path, char *err, size_t errlen)
{
	char dirbuf[PATH_MAX], tmp[PATH_MAX + 64], proc[64];
	const char *base;
	char *text, *dir;
	int fd, saved, linked = 0;
	sigset_t all, old;

	if (strlen(path) >= sizeof(dirbuf)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	text = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	if (!text) {
		snprintf(err, errlen, "%s: cannot encode JSON", path);
		return -1;
	}
	memcpy(dirbuf, path, strlen(path) + 1);
	dir = dirname(dirbuf);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, base, (int)getpid());
	/* SIGINT during the write must not leave the dot-file behind. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* An unnamed file vanishes by itself if we are killed before linking it. */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		linked = 1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in %s: %s", path, dir,
			 strerror(errno));
		goto fail_nofd;
	}
	if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd)) {
		snprintf(err, errlen, "%s: write: %s", path, strerror(errno));
		goto fail;
	}
	if (!linked) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW)) {
			snprintf(err, errlen, "%s: link: %s", path, strerror(errno));
			goto fail;
		}
		linked = 1;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(text);
	return 0;
fail:
	saved = errno;
	close(fd);
	if (linked)
		unlink(tmp);
	errno = saved;
fail_nofd:
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(text);
	return -1;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -1;
	memcpy(buf, path, strlen(path) + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int results_default_path(char *buf, size_t len, const char *dir, const char *hostname,
			 const char *commit, time_t when, char *err, size_t errlen)
{
	char sub[PATH_MAX], stamp[32];
	struct tm tm;
	int n;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	n = snprintf(sub, sizeof(sub), "%s/%s", dir, hostname);
	if (n < 0 || (size_t)n >= sizeof(sub)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (mkdir_p(sub)) {
		snprintf(err, errlen, "%s: cannot create: %s", sub, strerror(errno));
		return -1;
	}
	n = snprintf(buf, len, "%s/%s-%s.json", sub, stamp, commit);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", sub);
		return -1;
	}
	return 0;
}

/* Store the median of @x (n of them) as @obj's "median". */
static void stats_median_into(double *x, size_t n, json_t *obj)
{
	struct summary s;

	if (n && !stats_summarize(x, n, 0, &s))
		json_object_set_new(obj, "median", json_real(s.median));
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *results_metric(const struct metric_def *def, const double *v, const size_t *ends,
		       size_t nrounds, double noisy_cv)
{
	json_t *m = json_object(), *rounds = json_array(), *meds = json_array(), *sum;
	size_t n = nrounds ? ends[nrounds - 1] : 0, start = 0;
	double *medians = calloc(nrounds + 1, sizeof(*medians));
	struct round_stats rs;
	struct summary s;

	for (size_t k = 0; k < nrounds; k++) {
		json_t *arr = json_array();

		for (size_t i = start; i < ends[k]; i++)
			json_array_append_new(arr, num_or_null(v[i]));
		json_array_append_new(rounds, arr);
		start = ends[k];
	}
	json_object_set_new(m, "unit", json_string(def->unit));
	json_object_set_new(m, "better", json_string(def->lower_is_better ? "lower" : "higher"));
	json_object_set_new(m, "kind", json_string(metric_kind_name(def->kind)));
	json_object_set_new(m, "rounds", rounds);
	if (!medians || n == 0 || stats_summarize(v, n, noisy_cv, &s) ||
	    round_stats(v, ends, nrounds, medians, &rs)) {
		json_object_set_new(m, "summary", json_null());
		free(medians);
		return m;
	}
	for (size_t k = 0; k < nrounds; k++)
		json_array_append_new(meds, num_or_null(medians[k]));
	free(medians);
	/*
	 * The pooled descriptives (median ... cv) describe the samples; the
	 * interval describes where a rerun would land, so with two rounds or
	 * more it comes from the rounds, else from the order statistics.
	 */
	sum = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:I, s:o, s:f, s:o,"
			" s:o, s:o, s:b}",
			"n", (json_int_t)s.n, "median", s.median, "mean", s.mean, "stddev",
			s.stddev, "min", s.min, "max", s.max, "p10", s.p10, "p90", s.p90, "cv",
			s.cv, "noisy", s.noisy, "rounds", (json_int_t)rs.nrounds, "round_medians",
			meds, "center", rs.center, "between_round_cv", num_or_null(rs.between_cv),
			"within_round_cv", num_or_null(rs.within_cv), "mde95", num_or_null(rs.mde),
			"log_scale", rs.log_scale);
	if (rs.nrounds >= 2) {
		json_object_set_new(sum, "ci95_lo", json_real(rs.ci_lo));
		json_object_set_new(sum, "ci95_hi", json_real(rs.ci_hi));
		json_object_set_new(sum, "ci_method", json_string("rounds"));
	} else {
		json_object_set_new(sum, "ci95_lo", json_real(s.ci95_lo));
		json_object_set_new(sum, "ci95_hi", json_real(s.ci95_hi));
		json_object_set_new(sum, "ci_coverage", json_real(s.ci_coverage));
		json_object_set_new(sum, "ci_method", json_string("order-statistics"));
	}
	json_object_set_new(m, "summary", sum);
	return m;
}

/* ---- appending the rounds of one run to another (pfnlab ab) ---- */

static json_t *find_bench(json_t *benches, const char *key)
{
	size_t i;
	json_t *b;

	json_array_foreach(benches, i, b)
		if (json_string_value(json_object_get(b, "key")) &&
		    !strcmp(json_string_value(json_object_get(b, "key")), key))
			return b;
	return NULL;
}

/* Append every round array of each metric of @from to the same metric of @into. */
static void append_metric_rounds(json_t *into, json_t *from)
{
	const char *name;
	json_t *m;

	json_object_foreach(from, name, m) {
		json_t *dst = json_object_get(into, name);

		if (!dst) {
			json_object_set(into, name, m);
			continue;
		}
		json_array_extend(json_object_get(dst, "rounds"), json_object_get(m, "rounds"));
	}
}

static void append_counters(json_t *into, json_t *from)
{
	const char *name;
	json_t *c;

	json_object_foreach(from, name, c) {
		json_t *dst = json_object_get(into, name);

		if (!dst)
			json_object_set(into, name, c);
		else if (json_is_array(json_object_get(dst, "values")))
			json_array_extend(json_object_get(dst, "values"),
					  json_object_get(c, "values"));
	}
}

/* A measured status keeps the worst news: failed over flagged over ok. */
static int status_rank(const char *s)
{
	static const char *const order[] = { "missing", "skipped", "ok", "flagged", "failed" };

	for (int i = 0; i < 5; i++)
		if (s && !strcmp(s, order[i]))
			return i;
	return 0;
}

int results_append_rounds(json_t *into, json_t *from, const char *source)
{
	json_t *benches = json_object_get(into, "benchmarks"), *fb;
	size_t i;

	if (!json_is_array(benches) || !json_is_array(json_object_get(from, "benchmarks")))
		return -1;
	json_array_foreach(json_object_get(from, "benchmarks"), i, fb) {
		const char *key = json_string_value(json_object_get(fb, "key"));
		json_t *b = key ? find_bench(benches, key) : NULL, *r, *pt;
		const char *st = json_string_value(json_object_get(fb, "status"));
		size_t k;

		json_array_foreach(json_object_get(fb, "rounds"), k, r)
			json_object_set_new(r, "source", json_string(source));
		if (!b) {
			json_array_append(benches, fb);
			continue;
		}
		if (status_rank(st) > status_rank(json_string_value(json_object_get(b, "status")))) {
			json_object_set(b, "status", json_object_get(fb, "status"));
			json_object_set(b, "reason", json_object_get(fb, "reason"));
		}
		append_metric_rounds(json_object_get(b, "metrics"), json_object_get(fb, "metrics"));
		append_counters(json_object_get(b, "counters"), json_object_get(fb, "counters"));
		json_array_extend(json_object_get(b, "rounds"), json_object_get(fb, "rounds"));
		json_array_foreach(json_object_get(b, "threads"), k, pt) {
			json_t *ft = json_array_get(json_object_get(fb, "threads"), k);

			if (ft)
				append_metric_rounds(json_object_get(pt, "metrics"),
						     json_object_get(ft, "metrics"));
		}
		json_object_set_new(b, "samples",
				    json_integer(json_integer_value(json_object_get(b, "samples")) +
						 json_integer_value(json_object_get(fb, "samples"))));
		json_object_set_new(b, "measured_s",
				    json_real(json_number_value(json_object_get(b, "measured_s")) +
					      json_number_value(json_object_get(fb, "measured_s"))));
		json_object_set_new(b, "interrupted",
				    json_boolean(json_is_true(json_object_get(b, "interrupted")) ||
						 json_is_true(json_object_get(fb, "interrupted"))));
		/* Paired ratios are per round: they append like the rounds. */
		if (json_is_object(json_object_get(b, "paired")) &&
		    json_is_object(json_object_get(fb, "paired"))) {
			const char *m;
			json_t *pm;

			json_object_foreach(json_object_get(json_object_get(fb, "paired"), "metrics"),
					    m, pm) {
				json_t *d = json_object_get(json_object_get(json_object_get(b,
											    "paired"),
									    "metrics"),
							    m);

				if (d)
					json_array_extend(json_object_get(d, "round_ratios"),
							  json_object_get(pm, "round_ratios"));
			}
		}
	}
	if (!json_is_true(json_object_get(from, "complete")))
		json_object_set(into, "complete", json_false());
	json_object_set(into, "finished_utc", json_object_get(from, "finished_utc"));
	return 0;
}

/* Recompute one metric object's summary from its rounds. */
static json_t *resummarize_metric(const char *name, json_t *m, double noisy_cv)
{
	json_t *rounds = json_object_get(m, "rounds"), *r, *v;
	const struct metric_def *known = metric_def_find(name);
	int kind = metric_kind_parse(json_string_value(json_object_get(m, "kind")));
	const char *unit = json_string_value(json_object_get(m, "unit"));
	const char *better = json_string_value(json_object_get(m, "better"));
	struct metric_def def = {
		.name = name,
		.unit = unit ? unit : "",
		.lower_is_better = !better || strcmp(better, "higher") != 0,
		.kind = kind >= 0 ? (enum metric_kind)kind :
			known	  ? known->kind :
				    METRIC_GATED,
	};
	size_t nr = json_array_size(rounds), total = 0, i, k, n = 0;
	double *vals;
	size_t *ends;
	json_t *out;

	json_array_foreach(rounds, i, r)
		total += json_array_size(r);
	vals = calloc(total + 1, sizeof(*vals));
	ends = calloc(nr + 1, sizeof(*ends));
	if (!vals || !ends) {
		free(vals);
		free(ends);
		return NULL;
	}
	json_array_foreach(rounds, i, r) {
		json_array_foreach(r, k, v)
			if (json_is_number(v))
				vals[n++] = json_number_value(v);
		ends[i] = n;
	}
	out = results_metric(&def, vals, ends, nr, noisy_cv);
	free(vals);
	free(ends);
	return out;
}

static void resummarize_metrics(json_t *metrics, double noisy_cv)
{
	const char *name;
	json_t *m;
	void *tmp;

	json_object_foreach_safe(metrics, tmp, name, m) {
		json_t *fresh = resummarize_metric(name, m, noisy_cv);

		if (fresh)
			json_object_set_new(metrics, name, fresh);
	}
}

int results_resummarize(json_t *doc)
{
	size_t i, k;
	json_t *b, *t;

	json_array_foreach(json_object_get(doc, "benchmarks"), i, b) {
		json_t *params = json_object_get(b, "params"), *paired;
		double noisy_cv = json_number_value(json_object_get(params, "noisy_cv"));
		const char *m;
		json_t *pm;

		if (!(noisy_cv > 0))
			noisy_cv = 0.05;
		resummarize_metrics(json_object_get(b, "metrics"), noisy_cv);
		json_array_foreach(json_object_get(b, "threads"), k, t)
			resummarize_metrics(json_object_get(t, "metrics"), noisy_cv);
		if (params)
			json_object_set_new(params, "rounds",
					    json_integer((json_int_t)json_array_size(
						    json_object_get(b, "rounds"))));
		paired = json_object_get(json_object_get(b, "paired"), "metrics");
		json_object_foreach(paired, m, pm) {
			json_t *rr = json_object_get(pm, "round_ratios"), *v;
			double *x = calloc(json_array_size(rr) + 1, sizeof(*x));
			size_t n = 0, j;

			if (!x)
				return -1;
			json_array_foreach(rr, j, v)
				x[n++] = json_number_value(v);
			stats_median_into(x, n, pm);
			free(x);
		}
	}
	return 0;
}
