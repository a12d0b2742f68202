// SPDX-License-Identifier: GPL-2.0
/*
 * synth-runs: a results tree of many runs made from real result files,
 * with known steps, for measuring the analysis itself (scripts/store-bench.sh)
 * and for the store tests.
 *
 *   synth-runs -n RUNS -o DIR [-H HOSTS] [-s SEED] [--step COMMIT:PCT[:HOST]]...
 *              TEMPLATE.json...
 *
 * Host h (lab-0 .. lab-(HOSTS-1)) gets template h % ntemplates and runs
 * RUNS / HOSTS commits, one run per commit: DIR/lab-h/cNNNNNN/run.json.
 * Each run's gated and detail metrics are scaled by a log-normal factor
 * whose spread is the metric's own run-level uncertainty in the template
 * (its 95% interval / 3.92), so the noise is that of a real rerun; from
 * commit COMMIT on, a step of PCT percent makes the metric that much worse
 * (lower-is-better metrics grow, higher-is-better ones shrink).  Layout
 * metrics are properties of the memory layout and are left alone.  The
 * truth (host, commit index of each step, percent) is printed on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#define MAX_STEPS 16

struct step {
	long commit;
	double pct;
	long host; /* -1: every host */
};

static uint64_t rng_state;

/* splitmix64: small, seeded, the same stream on every machine. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_normal(void)
{
	double u1 = ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
	double u2 = ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void scale_number(json_t *v, double f)
{
	if (json_is_real(v))
		json_real_set(v, json_real_value(v) * f);
	else if (json_is_integer(v))
		json_real_set(v, (double)json_integer_value(v) * f);
}

/* Every number of an array, and of arrays inside it (rounds of samples). */
static void scale_array(json_t *a, double f)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_array(v))
			scale_array(v, f);
		else if (json_is_integer(v)) {
			json_array_set_new(a, i, json_real((double)json_integer_value(v) * f));
		} else {
			scale_number(v, f);
		}
	}
}

/* The summary fields that are in the metric's unit (not the CVs). */
static const char *const scaled_fields[] = { "median", "mean",	 "stddev",  "min",     "max", "p10",
					     "p90",    "center", "ci95_lo", "ci95_hi", NULL };

static void scale_metric(json_t *m, double f)
{
	json_t *summary = json_object_get(m, "summary");

	scale_array(json_object_get(m, "rounds"), f);
	scale_array(json_object_get(m, "samples"), f);
	if (!summary)
		return;
	for (const char *const *k = scaled_fields; *k; k++) {
		json_t *v = json_object_get(summary, *k);

		if (json_is_integer(v))
			json_object_set_new(summary, *k,
					    json_real((double)json_integer_value(v) * f));
		else
			scale_number(v, f);
	}
	scale_array(json_object_get(summary, "round_medians"), f);
}

/* A run's relative uncertainty: its 95% interval over 3.92, else 1%. */
static double rel_sigma(json_t *m)
{
	json_t *s = json_object_get(m, "summary");
	double lo = json_number_value(json_object_get(s, "ci95_lo"));
	double hi = json_number_value(json_object_get(s, "ci95_hi"));
	double c = json_number_value(json_object_get(s, "center"));

	if (c == 0.0)
		c = json_number_value(json_object_get(s, "median"));
	if (c <= 0.0 || hi <= lo)
		return 0.01;
	return (hi - lo) / 3.92 / c;
}

static double step_factor(const struct step *steps, int nsteps, long host, long commit)
{
	double f = 1.0;

	for (int i = 0; i < nsteps; i++)
		if (commit >= steps[i].commit && (steps[i].host < 0 || steps[i].host == host))
			f *= 1.0 + steps[i].pct / 100.0;
	return f;
}

static void perturb(json_t *doc, const struct step *steps, int nsteps, long host, long commit)
{
	json_t *benches = json_object_get(doc, "benchmarks"), *b;
	double step = step_factor(steps, nsteps, host, commit);
	size_t i;

	json_array_foreach(benches, i, b) {
		json_t *metrics = json_object_get(b, "metrics"), *m;
		const char *name;

		json_object_foreach(metrics, name, m) {
			const char *kind = json_string_value(json_object_get(m, "kind"));
			const char *better = json_string_value(json_object_get(m, "better"));
			double f;

			if (kind && strcmp(kind, "layout") == 0)
				continue;
			f = exp(rel_sigma(m) * rng_normal());
			f *= better && strcmp(better, "higher") == 0 ? 1.0 / step : step;
			scale_metric(m, f);
		}
	}
}

static int mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int parse_step(const char *arg, struct step *s)
{
	char *end;

	s->commit = strtol(arg, &end, 10);
	if (*end != ':' || s->commit < 0)
		return -1;
	s->pct = strtod(end + 1, &end);
	s->host = -1;
	if (*end == ':') {
		const char *h = end + 1;

		if (strncmp(h, "lab-", 4) == 0)
			h += 4;
		s->host = strtol(h, &end, 10);
	}
	return *end ? -1 : 0;
}

static void usage(FILE *out)
{
	fputs("usage: synth-runs -n RUNS -o DIR [-H HOSTS] [-s SEED]\n"
	      "                  [--step COMMIT:PCT[:lab-H]]... TEMPLATE.json...\n",
	      out);
}

static int write_run(json_t *tmpl, const char *outdir, long host, long commit, long run,
		     const struct step *steps, int nsteps)
{
	char dir[4096], path[4200], stamp[32], hostname[32], sha[24];
	json_t *doc = json_deep_copy(tmpl);
	long t = 1767225600L + run * 600L; /* 2026-01-01T00:00:00Z, 10 min apart */
	struct tm tm;
	time_t tt = (time_t)t;
	int ret;

	if (!doc)
		return -1;
	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(hostname, sizeof(hostname), "lab-%ld", host);
	snprintf(sha, sizeof(sha), "c%06lx", (unsigned long)commit);
	json_object_set_new(doc, "hostname", json_string(hostname));
	json_object_set_new(doc, "started_utc", json_string(stamp));
	json_object_set_new(doc, "finished_utc", json_string(stamp));
	json_object_set_new(doc, "suite_commit", json_string(sha));
	perturb(doc, steps, nsteps, host, commit);
	snprintf(dir, sizeof(dir), "%s/%s/%s", outdir, hostname, sha);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	ret = mkdirs(dir) == 0 && json_dump_file(doc, path, JSON_COMPACT) == 0 ? 0 : -1;
	if (ret)
		fprintf(stderr, "synth-runs: cannot write %s\n", path);
	json_decref(doc);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "step", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct step steps[MAX_STEPS];
	long nruns = 0, nhosts = 1, written = 0;
	const char *outdir = NULL;
	json_t **tmpl;
	int nsteps = 0, c, ntmpl;

	rng_state = 1;
	while ((c = getopt_long(argc, argv, "n:o:H:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': nruns = strtol(optarg, NULL, 10); break;
		case 'o': outdir = optarg; break;
		case 'H': nhosts = strtol(optarg, NULL, 10); break;
		case 's': rng_state = strtoull(optarg, NULL, 10); break;
		case 'S':
			if (nsteps == MAX_STEPS || parse_step(optarg, &steps[nsteps]) != 0) {
				fprintf(stderr,
					"synth-runs: bad --step '%s' (COMMIT:PCT[:lab-H], at most %d)\n",
					optarg, MAX_STEPS);
				return 2;
			}
			nsteps++;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (nruns <= 0 || nhosts <= 0 || !outdir || optind >= argc) {
		usage(stderr);
		return 2;
	}
	ntmpl = argc - optind;
	tmpl = calloc((size_t)ntmpl, sizeof(*tmpl));
	if (!tmpl)
		return 2;
	for (int i = 0; i < ntmpl; i++) {
		json_error_t jerr;

		tmpl[i] = json_load_file(argv[optind + i], 0, &jerr);
		if (!tmpl[i] || !json_is_array(json_object_get(tmpl[i], "benchmarks"))) {
			fprintf(stderr, "synth-runs: %s: not a result document (%s)\n",
				argv[optind + i], tmpl[i] ? "no benchmarks" : jerr.text);
			while (i >= 0)
				json_decref(tmpl[i--]);
			free(tmpl);
			return 2;
		}
	}
	for (int i = 0; i < nsteps; i++) {
		char host[32] = "all";

		if (steps[i].host >= 0)
			snprintf(host, sizeof(host), "lab-%ld", steps[i].host);
		printf("step\t%s\t%ld\t%+.1f\n", host, steps[i].commit, steps[i].pct);
	}
	for (long r = 0; r < nruns; r++) {
		long host = r % nhosts, commit = r / nhosts;

		if (write_run(tmpl[host % ntmpl], outdir, host, commit, r, steps, nsteps) != 0)
			break;
		written++;
	}
	for (int i = 0; i < ntmpl; i++)
		json_decref(tmpl[i]);
	free(tmpl);
	return written == nruns ? 0 : 1;
}
