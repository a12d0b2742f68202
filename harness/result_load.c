// SPDX-License-Identifier: GPL-2.0
/*
 * Result documents back into memory.  The writer (pfnlab run) is trusted to
 * follow the schema, but files get truncated, hand-edited, or come from
 * another version of the suite, so every field is checked before use and a
 * problem is reported with the file it came from.
 */
#include "result_load.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_stats.h"

static void default_warn(const char *msg)
{
	fprintf(stderr, "pfnlab: %s\n", msg);
}

static rl_warn_fn warn_sink = default_warn;

void rl_set_warn(rl_warn_fn fn)
{
	warn_sink = fn ? fn : default_warn;
}

void rl_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	/* clang-analyzer 14 loses track of va_start here: a false positive. */
	vsnprintf(buf, sizeof(buf), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	warn_sink(buf);
}

static const char *str_or(json_t *obj, const char *field, const char *fallback)
{
	const char *s = json_string_value(json_object_get(obj, field));

	return s ? s : fallback;
}

static double num_or_nan(json_t *obj, const char *field)
{
	json_t *v = json_object_get(obj, field);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int cmp_cstr(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* name|k=v|k=v with keys sorted: the same shape `pfnlab run` gives `key`. */
static char *key_from_params(const char *name, json_t *params)
{
	size_t nkeys = json_is_object(params) ? json_object_size(params) : 0;
	const char **keys = NULL;
	size_t len = strlen(name) + 1, i = 0, off;
	const char *k;
	json_t *v;
	char *key;

	if (nkeys) {
		keys = calloc(nkeys, sizeof(*keys));
		if (!keys)
			return NULL;
		json_object_foreach(params, k, v)
			keys[i++] = k;
		qsort(keys, nkeys, sizeof(*keys), cmp_cstr);
	}
	for (i = 0; i < nkeys; i++) {
		char *val = json_dumps(json_object_get(params, keys[i]),
				       JSON_ENCODE_ANY | JSON_COMPACT);

		len += strlen(keys[i]) + 2 + (val ? strlen(val) : 0);
		free(val);
	}
	key = malloc(len);
	if (!key) {
		free(keys);
		return NULL;
	}
	off = (size_t)snprintf(key, len, "%s", name);
	for (i = 0; i < nkeys; i++) {
		json_t *jv = json_object_get(params, keys[i]);
		const char *sv = json_string_value(jv);
		char *val = sv ? NULL : json_dumps(jv, JSON_ENCODE_ANY | JSON_COMPACT);

		off += (size_t)snprintf(key + off, len - off, "|%s=%s", keys[i],
					sv ? sv : (val ? val : ""));
		free(val);
	}
	free(keys);
	return key;
}

static int append_sample(const char *path, const char *bname, const char *mname, json_t *v,
			 size_t index, struct rl_metric *m)
{
	if (!json_is_number(v)) {
		rl_warn("%s: benchmark %s, metric %s: sample %zu is not a number; ignored", path,
			bname, mname, index);
		return 0;
	}
	m->samples[m->nsamples++] = json_number_value(v);
	return 1;
}

static int load_metric(const char *path, const char *bname, const char *mname, json_t *jm,
		       struct rl_metric *m)
{
	json_t *rounds = json_object_get(jm, "rounds");
	json_t *samples = json_object_get(jm, "samples");
	json_t *summary = json_object_get(jm, "summary");
	const char *better = json_string_value(json_object_get(jm, "better"));
	const struct metric_def *def = metric_def_find(mname);
	int kind = metric_kind_parse(json_string_value(json_object_get(jm, "kind")));
	size_t i, total = 0, nr;
	json_t *v, *r;

	memset(m, 0, sizeof(*m));
	m->name = mname;
	m->unit = str_or(jm, "unit", "");
	/* Schema 2 nests samples in rounds; schema 1 has one flat array. */
	if (!json_is_object(jm) || (!json_is_array(rounds) && !json_is_array(samples))) {
		rl_warn("%s: benchmark %s, metric %s: no rounds or samples array; ignored", path,
			bname, mname);
		return -1;
	}
	if (better && strcmp(better, "higher") == 0) {
		m->lower_is_better = false;
	} else {
		m->lower_is_better = true;
		if (!better || strcmp(better, "lower") != 0)
			rl_warn("%s: benchmark %s, metric %s: \"better\" is not lower|higher; taking lower",
				path, bname, mname);
	}
	m->kind = kind >= 0 ? (enum metric_kind)kind : def ? def->kind : METRIC_GATED;
	nr = json_is_array(rounds) ? json_array_size(rounds) : 1;
	if (json_is_array(rounds)) {
		json_array_foreach(rounds, i, r)
			total += json_is_array(r) ? json_array_size(r) : 0;
	} else {
		total = json_array_size(samples);
	}
	m->samples = calloc(total + 1, sizeof(*m->samples));
	m->round_ends = calloc(nr + 1, sizeof(*m->round_ends));
	m->round_medians = calloc(nr + 1, sizeof(*m->round_medians));
	if (!m->samples || !m->round_ends || !m->round_medians)
		return -1;
	if (json_is_array(rounds)) {
		json_array_foreach(rounds, i, r) {
			size_t k;

			if (!json_is_array(r))
				rl_warn("%s: benchmark %s, metric %s: round %zu is not an array; empty",
					path, bname, mname, i + 1);
			json_array_foreach(r, k, v)
				append_sample(path, bname, mname, v, k, m);
			m->round_ends[m->nrounds++] = m->nsamples;
		}
	} else {
		json_array_foreach(samples, i, v)
			append_sample(path, bname, mname, v, i, m);
		m->round_ends[m->nrounds++] = m->nsamples;
	}
	if (round_stats(m->samples, m->round_ends, m->nrounds, m->round_medians, &m->rs) != 0)
		m->rs.nrounds = 0;
	if (m->rs.nrounds >= 2) {
		m->median = m->rs.center;
		m->ci_lo = m->rs.ci_lo;
		m->ci_hi = m->rs.ci_hi;
	} else {
		m->median = num_or_nan(summary, "median");
		if (isnan(m->median))
			m->median = cs_median(m->samples, m->nsamples);
		m->ci_lo = num_or_nan(summary, "ci95_lo");
		m->ci_hi = num_or_nan(summary, "ci95_hi");
	}
	m->cv = num_or_nan(summary, "cv");
	m->noisy = json_is_true(json_object_get(summary, "noisy"));
	return 0;
}

static int load_bench(const char *path, size_t index, json_t *jb, struct rl_bench *b)
{
	json_t *metrics = json_object_get(jb, "metrics");
	const char *mname, *key;
	json_t *jm;

	memset(b, 0, sizeof(*b));
	if (!json_is_object(jb)) {
		rl_warn("%s: benchmarks[%zu] is not an object; ignored", path, index);
		return -1;
	}
	b->name = json_string_value(json_object_get(jb, "name"));
	if (!b->name) {
		rl_warn("%s: benchmarks[%zu] has no name; ignored", path, index);
		return -1;
	}
	b->params = json_object_get(jb, "params");
	b->json = jb;
	b->status = str_or(jb, "status", "ok");
	b->reason = json_string_value(json_object_get(jb, "reason"));
	key = json_string_value(json_object_get(jb, "key"));
	b->key = key ? strdup(key) : key_from_params(b->name, b->params);
	if (!b->key)
		return -1;
	if (!json_is_object(metrics))
		return 0; /* skipped and failed benchmarks have none */
	b->metrics = calloc(json_object_size(metrics) + 1, sizeof(*b->metrics));
	if (!b->metrics)
		return -1;
	json_object_foreach(metrics, mname, jm) {
		if (load_metric(path, b->name, mname, jm, &b->metrics[b->nmetrics]) == 0) {
			b->nmetrics++;
		} else {
			free(b->metrics[b->nmetrics].samples);
			free(b->metrics[b->nmetrics].round_ends);
			free(b->metrics[b->nmetrics].round_medians);
		}
	}
	return 0;
}

static void free_bench(struct rl_bench *b)
{
	for (size_t i = 0; i < b->nmetrics; i++) {
		free(b->metrics[i].samples);
		free(b->metrics[i].round_ends);
		free(b->metrics[i].round_medians);
	}
	free(b->metrics);
	free(b->key);
}

/*
 * The file's bytes in one read, NUL-terminated.  jansson's own file reader
 * takes a character at a time, which made it most of a lab history's time.
 */
static char *read_whole(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	if (!f || fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory for %lld bytes", path,
			 (long long)st.st_size);
		goto out;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[*len] = '\0';
out:
	if (f)
		fclose(f);
	return buf;
}

int rl_load(const char *path, struct rl_result *res, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *benches, *sv, *jb;
	size_t i, len = 0;
	char *text;

	memset(res, 0, sizeof(*res));
	text = read_whole(path, &len, err, errlen);
	if (!text)
		return -1;
	res->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!res->root) {
		/* jansson: line -1 when the file cannot be opened; a parse
		 * error at the end of the input means the text stops early.
		 */
		if (jerr.line < 0)
			snprintf(err, errlen, "%s: cannot read: %s", path, jerr.text);
		else if (jerr.position == 0 && strstr(jerr.text, "end of file"))
			snprintf(err, errlen, "%s: empty file, not JSON", path);
		else if (strstr(jerr.text, "end of file") || strstr(jerr.text, "premature end"))
			snprintf(err, errlen, "%s: truncated JSON (ends at line %d, column %d: %s)",
				 path, jerr.line, jerr.column, jerr.text);
		else
			snprintf(err, errlen, "%s: invalid JSON at line %d, column %d: %s", path,
				 jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(res->root)) {
		snprintf(err, errlen, "%s: not a pfnlab result (the top level is not an object)",
			 path);
		goto fail;
	}
	sv = json_object_get(res->root, "schema_version");
	if (!json_is_integer(sv)) {
		snprintf(err, errlen, "%s: not a pfnlab result (no integer schema_version)", path);
		goto fail;
	}
	res->schema_version = (long)json_integer_value(sv);
	benches = json_object_get(res->root, "benchmarks");
	if (!json_is_array(benches)) {
		snprintf(err, errlen, "%s: not a pfnlab result (no benchmarks array)", path);
		goto fail;
	}
	if (res->schema_version != RL_SCHEMA_VERSION && res->schema_version != 1)
		rl_warn("%s: schema_version %ld, this pfnlab reads 1 and %d; using what matches",
			path, res->schema_version, RL_SCHEMA_VERSION);
	res->path = strdup(path);
	if (!res->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	res->hostname = str_or(res->root, "hostname", "unknown");
	res->suite_commit = str_or(res->root, "suite_commit", "unknown");
	res->started_utc = str_or(res->root, "started_utc", "");
	res->complete = !json_is_false(json_object_get(res->root, "complete"));
	res->incomplete_reason = json_string_value(json_object_get(res->root, "incomplete_reason"));
	res->environment = json_object_get(res->root, "environment");
	if (!json_is_object(res->environment)) {
		rl_warn("%s: no environment record", path);
		res->environment = NULL;
	}
	if (!res->complete)
		rl_warn("%s: the run did not finish (complete: false%s%s); using what it measured",
			path, res->incomplete_reason ? ": " : "",
			res->incomplete_reason ? res->incomplete_reason : "");
	res->benches = calloc(json_array_size(benches) + 1, sizeof(*res->benches));
	if (!res->benches) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	json_array_foreach(benches, i, jb) {
		if (load_bench(path, i, jb, &res->benches[res->nbenches]) == 0)
			res->nbenches++;
		else
			free_bench(&res->benches[res->nbenches]);
	}
	res->round_spread = rl_round_spread(res);
	return 0;
fail:
	rl_free(res);
	return -1;
}

void rl_free(struct rl_result *res)
{
	for (size_t i = 0; i < res->nbenches; i++)
		free_bench(&res->benches[i]);
	free(res->benches);
	free(res->path);
	json_decref(res->root);
	memset(res, 0, sizeof(*res));
}

static int set_append(struct rl_set *set, struct rl_result *res)
{
	struct rl_result *grown = realloc(set->results, (set->n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	set->results = grown;
	set->results[set->n++] = *res;
	return 0;
}

static int names_add(struct rl_names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		char **more = realloc(l->names, cap * sizeof(*more));

		if (!more)
			return -1;
		l->names = more;
		l->cap = cap;
	}
	l->names[l->n] = strdup(name);
	return l->names[l->n++] ? 0 : -1;
}

void rl_names_free(struct rl_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

/* rl_list_json below @rel (relative to @root; "" for @root itself). */
static int list_json(const char *root, const char *rel, struct rl_names *out)
{
	char path[PATH_MAX * 2];
	struct dirent **ents;
	int n, ret = 0;

	snprintf(path, sizeof(path), "%s%s%s", root, rel[0] ? "/" : "", rel);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "pfnlab: %s: cannot read directory: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		char sub[PATH_MAX * 2], full[PATH_MAX * 3];
		struct stat sb;

		if (name[0] == '.' || ret)
			goto next;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &sb) != 0)
			goto next;
		if (S_ISDIR(sb.st_mode))
			ret = list_json(root, sub, out);
		else if (S_ISREG(sb.st_mode) && len > 5 && strcmp(name + len - 5, ".json") == 0)
			ret = names_add(out, sub);
next:
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int rl_list_json(const char *root, struct rl_names *out)
{
	memset(out, 0, sizeof(*out));
	if (list_json(root, "", out) == 0)
		return 0;
	rl_names_free(out);
	return -1;
}

/* Load every result file under @dir in turn and hand it to @fn. */
static int walk_dir(const char *dir, rl_visit_fn fn, void *arg, size_t *found)
{
	struct rl_names files;
	int ret = 0;

	if (rl_list_json(dir, &files) != 0)
		return -1;
	for (size_t i = 0; i < files.n && ret == 0; i++) {
		struct rl_result res;
		char err[1024], *path;

		if (asprintf(&path, "%s/%s", dir, files.names[i]) < 0) {
			ret = -1;
			break;
		}
		if (rl_load(path, &res, err, sizeof(err)) != 0) {
			fprintf(stderr, "pfnlab: %s; skipped\n", err);
		} else {
			ret = fn(&res, arg);
			if (ret == 0)
				(*found)++;
		}
		free(path);
	}
	rl_names_free(&files);
	return ret;
}

static int cmp_run_order(const void *pa, const void *pb)
{
	const struct rl_result *a = pa, *b = pb;
	int c = strcmp(a->started_utc, b->started_utc);

	return c ? c : strcmp(a->path, b->path);
}

int rl_walk(char *const *paths, size_t npaths, rl_visit_fn fn, void *arg)
{
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) != 0) {
			fprintf(stderr, "pfnlab: %s: %s\n", paths[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t found = 0;

			if (walk_dir(paths[i], fn, arg, &found) != 0)
				return -1;
			if (found == 0) {
				fprintf(stderr,
					"pfnlab: %s: no usable result files (*.json) in this directory\n",
					paths[i]);
				return -1;
			}
		} else {
			struct rl_result res;
			char err[1024];

			if (rl_load(paths[i], &res, err, sizeof(err)) != 0) {
				fprintf(stderr, "pfnlab: %s\n", err);
				return -1;
			}
			if (fn(&res, arg) != 0)
				return -1;
		}
	}
	return 0;
}

/* rl_walk visitor of rl_load_paths: keep every document. */
static int keep_result(struct rl_result *res, void *arg)
{
	if (set_append(arg, res) != 0) {
		rl_free(res);
		return -1;
	}
	return 0;
}

int rl_load_paths(char *const *paths, size_t npaths, struct rl_set *set)
{
	if (rl_walk(paths, npaths, keep_result, set) != 0)
		return -1;
	if (set->n > 1)
		qsort(set->results, set->n, sizeof(*set->results), cmp_run_order);
	return 0;
}

void rl_set_free(struct rl_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		rl_free(&set->results[i]);
	free(set->results);
	set->results = NULL;
	set->n = 0;
}

double rl_round_spread(const struct rl_result *res)
{
	size_t n = 0, cap = 0;
	double *cv = NULL, m;

	for (size_t b = 0; b < res->nbenches; b++) {
		const struct rl_bench *rb = &res->benches[b];

		if (!rl_bench_measured(rb))
			continue;
		for (size_t k = 0; k < rb->nmetrics; k++) {
			const struct rl_metric *rm = &rb->metrics[k];

			if (rm->kind != METRIC_GATED || isnan(rm->rs.between_cv))
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				double *p = realloc(cv, ncap * sizeof(*p));

				if (!p) {
					free(cv);
					return NAN;
				}
				cv = p;
				cap = ncap;
			}
			cv[n++] = rm->rs.between_cv;
		}
	}
	m = n ? cs_median(cv, n) : NAN;
	free(cv);
	return m;
}

bool rl_bench_measured(const struct rl_bench *bench)
{
	return strcmp(bench->status, "ok") == 0 || strcmp(bench->status, "flagged") == 0;
}

const struct rl_metric *rl_find_metric(const struct rl_bench *bench, const char *name)
{
	for (size_t i = 0; i < bench->nmetrics; i++)
		if (strcmp(bench->metrics[i].name, name) == 0)
			return &bench->metrics[i];
	return NULL;
}

double rl_param_num(const struct rl_bench *bench, const char *name)
{
	json_t *v = json_object_get(bench->params, name);
	const char *s = json_string_value(v);
	double x;
	char *end;

	if (json_is_number(v))
		return json_number_value(v);
	if (!s)
		return NAN;
	/* Tolerate the job-file spelling (64M, 2G) in case a writer keeps it. */
	x = strtod(s, &end);
	if (end == s)
		return NAN;
	switch (*end) {
	case 'k':
	case 'K':
		x *= 1024.0;
		end++;
		break;
	case 'm':
	case 'M':
		x *= 1024.0 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		x *= 1024.0 * 1024 * 1024;
		end++;
		break;
	case 't':
	case 'T':
		x *= 1024.0 * 1024 * 1024 * 1024;
		end++;
		break;
	default: break;
	}
	return *end == '\0' || strcmp(end, "iB") == 0 || strcmp(end, "B") == 0 ? x : NAN;
}

const char *rl_param_str(const struct rl_bench *bench, const char *name)
{
	return json_string_value(json_object_get(bench->params, name));
}

const char *rl_kernel_release(const struct rl_result *res)
{
	json_t *kernel = json_object_get(res->environment, "kernel");

	return str_or(kernel, "release", "unknown");
}
