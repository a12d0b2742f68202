// SPDX-License-Identifier: GPL-2.0
/*
 * Job-file parser and matrix expansion.  libinih does the INI syntax; a
 * line-counting reader lets every error name file:line, and all values are
 * checked before anything is expanded, so a bad file runs nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/uapi/pfnlab.h"
#include "backend.h"
#include "jobfile.h"
#include "page_kinds.h"

#define MAX_SECTIONS 256
#define MAX_VALUES 64 /* list items per key after range expansion */
#define MAX_CASES 100000

enum key_type {
	K_ENUM,
	K_BACKEND,
	K_PAGE,
	K_SIZE,
	K_INT,
	K_U64,
	K_DOUBLE,
	K_STRING
};

/* A row of JOB_KEYS (jobfile.h), with where its value lives. */
struct key_def {
	const char *name;
	const char *choices; /* K_ENUM: "a|b|c" */
	const char *dflt;    /* NULL: required */
	double min, max;     /* K_INT, K_U64, K_SIZE, K_DOUBLE */
	size_t off, size;    /* the member in struct bench_case */
	enum key_type type;
	int flags; /* JK_KEY | JK_VARIANT | JK_LIST | JK_KEY_NONDEFAULT */
	const char *help;
};

#define JK_ROW(name, type, member, dflt, min, max, flags, choices, help) \
	{ #name,                                                         \
	  choices,                                                       \
	  dflt,                                                          \
	  min,                                                           \
	  max,                                                           \
	  offsetof(struct bench_case, member),                           \
	  sizeof(((struct bench_case *)0)->member),                      \
	  K_##type,                                                      \
	  flags,                                                         \
	  help },
static const struct key_def keys[] = { JOB_KEYS(JK_ROW) };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct raw_value {
	char *text;
	int line;
};

struct raw_section {
	char name[JOB_NAME_MAX];
	int line;
	struct raw_value vals[NKEYS];
};

struct parse_state {
	const char *path;
	FILE *fp;
	int lineno; /* line last handed to libinih */
	int pending_section_line;
	struct raw_section *secs;
	size_t nsecs;
	char *err;
	size_t errlen;
	int failed;
};

static __attribute__((format(printf, 3, 4))) void set_err(struct parse_state *st, int line,
							  const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	/* analyzer false positive: ap was just initialised by va_start */
	vsnprintf(what, sizeof(what), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (st->failed)
		return;
	st->failed = 1;
	snprintf(st->err, st->errlen, "%s:%d: %s", st->path, line, what);
}

static const struct key_def *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v, mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v))
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		mult = 1024.0;
		end++;
		break;
	case 'M':
		mult = 1024.0 * 1024;
		end++;
		break;
	case 'G':
		mult = 1024.0 * 1024 * 1024;
		end++;
		break;
	case 'T':
		mult = 1024.0 * 1024 * 1024 * 1024;
		end++;
		break;
	default: break;
	}
	if (mult > 1 && (*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (mult > 1 && (*end == 'B' || *end == 'b'))
		end++;
	if (*end)
		return -1;
	v *= mult;
	if (v != floor(v) || v > 18446744073709549568.0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return -1;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (*end && strcmp(end, "s"))
		return -1;
	*out = v;
	return 0;
}

bool job_is_choice(const char *choices, const char *item)
{
	size_t len = strlen(item);

	for (const char *c = choices; c && *c;) {
		size_t n = strcspn(c, "|");

		if (n == len && strncmp(c, item, n) == 0)
			return true;
		c += n;
		if (*c == '|')
			c++;
	}
	return false;
}

/*
 * Check one scalar @item for @k; store its numeric value in @num.
 * Returns NULL when valid, else what is wrong.
 */
static const char *check_item(const struct key_def *k, const char *item, double *num)
{
	uint64_t u;
	char *end;
	long long ll;

	*num = 0;
	switch (k->type) {
	case K_ENUM:
		if (job_is_choice(k->choices, item))
			return NULL;
		return "not one of the allowed values";
	case K_BACKEND: return backend_find(item) ? NULL : "not a backend (pfnlab help lists them)";
	case K_PAGE: return page_kind_find(item) ? NULL : "not one of the allowed values";
	case K_SIZE:
		if (parse_size(item, &u))
			return "not a size (bytes, or with K/M/G/T suffix)";
		if (u % 4096)
			return "not a multiple of 4 KiB";
		*num = (double)u;
		break;
	case K_INT:
	case K_U64:
		errno = 0;
		ll = strtoll(item, &end, 0);
		if (end == item || *end || errno)
			return "not an integer";
		*num = (double)ll;
		break;
	case K_DOUBLE:
		if (parse_seconds(item, num))
			return "not a number";
		break;
	case K_STRING:
		if (strlen(item) >= k->size)
			return "too long (63 characters at most)";
		return NULL;
	}
	if (*num < k->min || *num > k->max)
		return "out of range";
	return NULL;
}

/*
 * Split @text into list items, expanding "A..B" ranges (sizes double, integers
 * count up).  Returns the count, or -1 with @why set.
 */
static int split_values(const struct key_def *k, const char *text, char items[][64],
			const char **why)
{
	char buf[1024], *tok, *next;
	int n = 0;

	if (strlen(text) >= sizeof(buf)) {
		*why = "value too long";
		return -1;
	}
	memcpy(buf, text, strlen(text) + 1);
	/* Split by hand: strtok would skip the empty item of "a,,b". */
	for (tok = buf; tok; tok = next) {
		char *item, *dots;

		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		item = trim(tok);
		dots = strstr(item, "..");
		double lo, hi;

		if (!*item) {
			*why = "empty list item";
			return -1;
		}
		if (dots && (k->type == K_SIZE || k->type == K_INT || k->type == K_U64)) {
			char a[64], b[64];

			*dots = '\0';
			snprintf(a, sizeof(a), "%s", trim(item));
			snprintf(b, sizeof(b), "%s", trim(dots + 2));
			if ((*why = check_item(k, a, &lo)) || (*why = check_item(k, b, &hi)))
				return -1;
			if (hi < lo || (k->type == K_SIZE && lo == 0)) {
				*why = "bad range";
				return -1;
			}
			for (uint64_t v = (uint64_t)lo; v <= (uint64_t)hi;
			     v = k->type == K_SIZE ? v * 2 : v + 1) {
				if (n == MAX_VALUES) {
					*why = "too many values";
					return -1;
				}
				snprintf(items[n++], 64, "%llu", (unsigned long long)v);
			}
			continue;
		}
		if ((*why = check_item(k, item, &lo)))
			return -1;
		if (n == MAX_VALUES) {
			*why = "too many values";
			return -1;
		}
		snprintf(items[n++], 64, "%s", item);
	}
	if (!n) {
		*why = "empty value";
		return -1;
	}
	return n;
}

static char *counting_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *r = fgets(str, num, st->fp);
	const char *p = str;

	if (!r)
		return NULL;
	st->lineno++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[')
		st->pending_section_line = st->lineno;
	return r;
}

static int job_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	struct raw_section *sec = st->nsecs ? &st->secs[st->nsecs - 1] : NULL;
	const struct key_def *k;
	char items[MAX_VALUES][64];
	const char *why = NULL;
	size_t ki;

	if (!st->secs)
		return 0;
	if (!*section) {
		set_err(st, st->lineno, "key '%s': outside any [section]", name);
		return 0;
	}
	if (!sec || strcmp(sec->name, section) || sec->line != st->pending_section_line) {
		if (strlen(section) >= JOB_NAME_MAX || strchr(section, '|')) {
			set_err(st, st->pending_section_line,
				"section '%s': name too long or contains '|'", section);
			return 0;
		}
		for (size_t i = 0; i < st->nsecs; i++)
			if (!strcmp(st->secs[i].name, section)) {
				set_err(st, st->pending_section_line,
					"section '%s': duplicate (first at line %d)", section,
					st->secs[i].line);
				return 0;
			}
		if (st->nsecs == MAX_SECTIONS) {
			set_err(st, st->pending_section_line, "too many sections");
			return 0;
		}
		sec = &st->secs[st->nsecs++];
		memset(sec, 0, sizeof(*sec));
		snprintf(sec->name, sizeof(sec->name), "%s", section);
		sec->line = st->pending_section_line;
	}
	k = find_key(name);
	if (!k) {
		set_err(st, st->lineno, "key '%s': unknown key", name);
		return 0;
	}
	ki = (size_t)(k - keys);
	if (sec->vals[ki].text) {
		set_err(st, st->lineno, "key '%s': duplicate (first at line %d)", name,
			sec->vals[ki].line);
		return 0;
	}
	if (split_values(k, value, items, &why) < 0) {
		set_err(st, st->lineno, "key '%s': '%s': %s", name, value, why);
		return 0;
	}
	sec->vals[ki].text = strdup(value);
	sec->vals[ki].line = st->lineno;
	if (!sec->vals[ki].text) {
		set_err(st, st->lineno, "out of memory");
		return 0;
	}
	return 1;
}

/* The key's value is text in the struct (a choice, a name, a string). */
static bool key_is_text(const struct key_def *k)
{
	return k->type == K_ENUM || k->type == K_BACKEND || k->type == K_PAGE || k->type == K_STRING;
}

/* An integer key's value (K_SIZE, K_U64, K_INT) as unsigned 64 bits. */
static uint64_t key_uint(const struct bench_case *c, const struct key_def *k)
{
	const char *field = (const char *)c + k->off;
	uint64_t u = 0;
	int v;

	if (k->type == K_INT) {
		memcpy(&v, field, sizeof(v));
		return (uint64_t)(int64_t)v;
	}
	memcpy(&u, field, sizeof(u));
	return u;
}

static void set_case_value(struct bench_case *c, const struct key_def *k, const char *item)
{
	char *field = (char *)c + k->off;
	double d = 0;

	switch (k->type) {
	case K_ENUM:
	case K_BACKEND:
	case K_PAGE:
	case K_STRING:
		/* Every choice fits; a longer string was refused by check_item. */
		snprintf(field, k->size, "%s", item);
		break;
	case K_SIZE: {
		uint64_t u = 0;

		parse_size(item, &u);
		memcpy(field, &u, sizeof(u));
		break;
	}
	case K_INT: {
		int v = (int)strtol(item, NULL, 0);

		memcpy(field, &v, sizeof(v));
		break;
	}
	case K_U64: {
		uint64_t u = strtoull(item, NULL, 0);

		memcpy(field, &u, sizeof(u));
		break;
	}
	case K_DOUBLE:
		parse_seconds(item, &d);
		memcpy(field, &d, sizeof(d));
		break;
	}
}

/* @c's value of @k is the key's default (a required key has none). */
static bool key_is_default(const struct bench_case *c, const struct key_def *k)
{
	struct bench_case d;

	if (!k->dflt)
		return false;
	if (key_is_text(k))
		return strcmp((const char *)c + k->off, k->dflt) == 0;
	/* A number: the default as the parser would have stored it. */
	memset(&d, 0, sizeof(d));
	set_case_value(&d, k, k->dflt);
	return memcmp((const char *)c + k->off, (const char *)&d + k->off, k->size) == 0;
}

int bench_case_same_buffer(const struct bench_case *a, const struct bench_case *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->job_path, b->job_path))
		return 0;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_def *k = &keys[i];
		const char *fa = (const char *)a + k->off, *fb = (const char *)b + k->off;

		if (!(k->flags & JK_KEY) || (k->flags & JK_VARIANT))
			continue;
		if (key_is_text(k) ? strcmp(fa, fb) != 0 : memcmp(fa, fb, k->size) != 0)
			return 0;
	}
	return 1;
}

void bench_case_make_key(struct bench_case *c)
{
	size_t n = (size_t)snprintf(c->key, sizeof(c->key), "%s", c->name);

	for (size_t i = 0; i < NKEYS && n < sizeof(c->key); i++) {
		const struct key_def *k = &keys[i];

		if (!(k->flags & JK_KEY) || k->type == K_DOUBLE)
			continue;
		if ((k->flags & JK_KEY_NONDEFAULT) && key_is_default(c, k))
			continue;
		if (key_is_text(k))
			n += snprintf(c->key + n, sizeof(c->key) - n, "|%s=%s", k->name,
				      (const char *)c + k->off);
		else if (k->type == K_INT)
			n += snprintf(c->key + n, sizeof(c->key) - n, "|%s=%lld", k->name,
				      (long long)(int64_t)key_uint(c, k));
		else
			n += snprintf(c->key + n, sizeof(c->key) - n, "|%s=%llu", k->name,
				      (unsigned long long)key_uint(c, k));
	}
}

/* Expand one section (with the file's defaults) into @out; count in @n. */
static int expand_section(struct parse_state *st, const struct raw_section *sec,
			  const struct raw_section *defs, const char *path, struct bench_case **out,
			  size_t *n, size_t *cap)
{
	static char items[NKEYS][MAX_VALUES][64];
	int count[NKEYS], idx[NKEYS], line_of[NKEYS];
	size_t total = 1;
	const char *why = NULL;

	for (size_t i = 0; i < NKEYS; i++) {
		const char *text = sec->vals[i].text;

		line_of[i] = sec->vals[i].line;
		if (!text && defs && defs->vals[i].text) {
			text = defs->vals[i].text;
			line_of[i] = defs->vals[i].line;
		}
		if (!text)
			text = keys[i].dflt;
		if (!text) {
			set_err(st, sec->line, "section '%s': key '%s': missing (required)",
				sec->name, keys[i].name);
			return -1;
		}
		if (keys[i].type == K_STRING && !*text) {
			count[i] = 1;
			items[i][0][0] = '\0';
		} else {
			count[i] = split_values(&keys[i], text, items[i], &why);
		}
		if (count[i] < 0) {
			set_err(st, line_of[i] ? line_of[i] : sec->line, "key '%s': %s",
				keys[i].name, why);
			return -1;
		}
		total *= (size_t)count[i];
		if (total > MAX_CASES) {
			set_err(st, sec->line, "section '%s': matrix larger than %d cases",
				sec->name, MAX_CASES);
			return -1;
		}
		idx[i] = 0;
	}
	for (size_t t = 0; t < total; t++) {
		struct bench_case c;

		memset(&c, 0, sizeof(c));
		snprintf(c.name, sizeof(c.name), "%s", sec->name);
		c.job_path = path;
		c.line = sec->line;
		for (size_t i = 0; i < NKEYS; i++)
			set_case_value(&c, &keys[i], items[i][idx[i]]);
		if (!backend_supports_op(c.backend, c.op)) {
			const struct key_def *opk = find_key("op");
			int l = line_of[opk - keys];

			set_err(st, l ? l : sec->line,
				"key 'op': backend '%s' has no op '%s' (driver: pin map read fill iotlb; uring: pin; pagemap: fill iotlb; any: null)",
				c.backend, c.op);
			return -1;
		}
		if (c.window_bytes > c.size_bytes) {
			const struct key_def *wk = find_key("window");
			int l = line_of[wk - keys];

			set_err(st, l ? l : sec->line,
				"key 'window': %llu bytes is larger than size %llu",
				(unsigned long long)c.window_bytes,
				(unsigned long long)c.size_bytes);
			return -1;
		}
		bench_case_make_key(&c);
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct bench_case *p = realloc(*out, ncap * sizeof(*p));

			if (!p) {
				set_err(st, sec->line, "out of memory");
				return -1;
			}
			*out = p;
			*cap = ncap;
		}
		(*out)[(*n)++] = c;
		/* Odometer: the last key varies fastest. */
		for (size_t i = NKEYS; i-- > 0;) {
			if (++idx[i] < count[i])
				break;
			idx[i] = 0;
		}
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int jobfile_load(struct job_set *set, const char *path, char *err, size_t errlen)
{
	struct parse_state st = { .path = path, .err = err, .errlen = errlen };
	struct bench_case *cases = NULL;
	size_t ncases = 0, cap = 0;
	const struct raw_section *defs = NULL;
	struct job_file *files;
	int rc = -1, r;
	char *text, *pathcopy;

	if (errlen)
		err[0] = '\0';
	st.fp = fopen(path, "r");
	if (!st.fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	st.secs = calloc(MAX_SECTIONS, sizeof(*st.secs));
	if (!st.secs) {
		fclose(st.fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	/* Continuation lines would hide line numbers; a job file needs none. */
	ini_allow_multiline = 0;
	r = ini_parse_stream(counting_reader, &st, job_ini_handler, &st);
	fclose(st.fp);
	if (r != 0 && !st.failed)
		set_err(&st, r > 0 ? r : st.lineno,
			"syntax error (expected [section] or key = value)");
	if (st.failed)
		goto out;
	if (!st.nsecs) {
		set_err(&st, 1, "no benchmark sections");
		goto out;
	}
	for (size_t i = 0; i < st.nsecs; i++)
		if (!strcmp(st.secs[i].name, "defaults"))
			defs = &st.secs[i];
	text = slurp(path);
	pathcopy = strdup(path);
	if (!text || !pathcopy) {
		free(text);
		free(pathcopy);
		set_err(&st, 0, "cannot read");
		goto out;
	}
	for (size_t i = 0; i < st.nsecs; i++) {
		if (&st.secs[i] == defs)
			continue;
		if (expand_section(&st, &st.secs[i], defs, pathcopy, &cases, &ncases, &cap))
			break;
	}
	if (!st.failed && !ncases)
		set_err(&st, 1, "no benchmark sections besides [defaults]");
	if (st.failed) {
		free(text);
		free(pathcopy);
		goto out;
	}
	files = realloc(set->files, (set->nfiles + 1) * sizeof(*files));
	if (files)
		set->files = files;
	if (ncases) {
		struct bench_case *all = realloc(set->cases, (set->ncases + ncases) * sizeof(*all));

		if (all)
			set->cases = all;
		if (!all || !files) {
			free(text);
			free(pathcopy);
			set_err(&st, 0, "out of memory");
			goto out;
		}
	}
	set->files[set->nfiles].path = pathcopy;
	set->files[set->nfiles].text = text;
	set->nfiles++;
	if (ncases)
		memcpy(set->cases + set->ncases, cases, ncases * sizeof(*cases));
	set->ncases += ncases;
	rc = 0;
out:
	for (size_t i = 0; i < st.nsecs; i++)
		for (size_t k = 0; k < NKEYS; k++)
			free(st.secs[i].vals[k].text);
	free(st.secs);
	free(cases);
	return rc;
}

void jobset_filter_backends(struct job_set *set, const char *list)
{
	size_t w = 0;

	for (size_t r = 0; r < set->ncases; r++) {
		char buf[256], *save = NULL, *tok;
		int keep = 0;

		snprintf(buf, sizeof(buf), "%s", list);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(trim(tok), set->cases[r].backend))
				keep = 1;
		if (keep)
			set->cases[w++] = set->cases[r];
	}
	set->ncases = w;
}

void jobset_free(struct job_set *set)
{
	for (size_t i = 0; i < set->nfiles; i++) {
		free(set->files[i].path);
		free(set->files[i].text);
	}
	free(set->files);
	free(set->cases);
	memset(set, 0, sizeof(*set));
}

/* The default as `pfnlab help` shows it. */
static const char *help_default(const struct key_def *k)
{
	return k->dflt ? k->dflt : "required";
}

/* @text from column @indent, words wrapped before column 78. */
static void print_wrapped(FILE *out, const char *text, int col, int indent)
{
	while (*text) {
		size_t n = strcspn(text, " ");

		if (col > indent && col + 1 + (int)n > 78) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, n, out);
		col += (int)n;
		text += n;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

/* The choices of @k as "a|b|c": its own, or the names of its registry. */
static const char *key_choices(const struct key_def *k, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (k->type == K_BACKEND)
		for (const struct backend *const *be = backends_all; *be; be++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      be == backends_all ? "" : "|", (*be)->name);
	else if (k->type == K_PAGE)
		for (const struct page_kind *pk = page_kinds; pk->name; pk++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", pk == page_kinds ? "" : "|",
					      pk->name);
	else
		return k->choices;
	return buf;
}

void jobfile_print_keys(FILE *out)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_def *k = &keys[i];
		char line[1024], names[512];
		const char *choices = key_choices(k, names, sizeof(names));
		size_t n = 0;
		int col;

		col = fprintf(out, "    %-14s ", k->name);
		line[0] = '\0';
		for (const char *c = choices; c && *c && n + 4 < sizeof(line); c++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, *c == '|' ? " | " : "%c",
					      *c);
		snprintf(line + n, sizeof(line) - n, "%s%s [%s]", choices ? ": " : "", k->help,
			 help_default(k));
		print_wrapped(out, line, col, 4 + 15);
	}
}

json_t *bench_case_params(const struct bench_case *c)
{
	json_t *params = json_object();

	for (size_t i = 0; params && i < NKEYS; i++) {
		const struct key_def *k = &keys[i];
		json_t *v;
		double d;

		if (key_is_text(k)) {
			v = json_string((const char *)c + k->off);
		} else if (k->type == K_DOUBLE) {
			memcpy(&d, (const char *)c + k->off, sizeof(d));
			v = json_real(d);
		} else {
			v = json_integer((json_int_t)key_uint(c, k));
		}
		json_object_set_new(params, k->name, v);
	}
	return params;
}

/* A listed key's value as a cell: sizes in KiB, as job files write them. */
static void cell_text(const struct bench_case *c, const struct key_def *k, char *buf, size_t len)
{
	if (key_is_text(k))
		snprintf(buf, len, "%s", (const char *)c + k->off);
	else if (k->type == K_DOUBLE)
		buf[0] = '\0';
	else if (k->type == K_SIZE)
		snprintf(buf, len, "%lluK", (unsigned long long)(key_uint(c, k) >> 10));
	else if (k->type == K_INT)
		snprintf(buf, len, "%lld", (long long)(int64_t)key_uint(c, k));
	else
		snprintf(buf, len, "%llu", (unsigned long long)key_uint(c, k));
}

void jobset_print_table(const struct job_set *set, FILE *out)
{
	size_t width[NKEYS], name_width = strlen("benchmark"), last = 0;
	char cell[80];

	for (size_t i = 0; i < NKEYS; i++)
		width[i] = strlen(keys[i].name);
	for (size_t c = 0; c < set->ncases; c++) {
		if (strlen(set->cases[c].name) > name_width)
			name_width = strlen(set->cases[c].name);
		for (size_t i = 0; i < NKEYS; i++) {
			if (!(keys[i].flags & JK_LIST))
				continue;
			cell_text(&set->cases[c], &keys[i], cell, sizeof(cell));
			if (strlen(cell) > width[i])
				width[i] = strlen(cell);
		}
	}
	/* No padding after the last column. */
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].flags & JK_LIST)
			last = i;
	fprintf(out, "%-4s %-*s", "#", (int)name_width, "benchmark");
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].flags & JK_LIST)
			fprintf(out, "  %-*s", i == last ? 0 : (int)width[i], keys[i].name);
	fputc('\n', out);
	for (size_t c = 0; c < set->ncases; c++) {
		fprintf(out, "%-4zu %-*s", c + 1, (int)name_width, set->cases[c].name);
		for (size_t i = 0; i < NKEYS; i++) {
			if (!(keys[i].flags & JK_LIST))
				continue;
			cell_text(&set->cases[c], &keys[i], cell, sizeof(cell));
			fprintf(out, "  %-*s", i == last ? 0 : (int)width[i], cell);
		}
		fputc('\n', out);
	}
}
