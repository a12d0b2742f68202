// SPDX-License-Identifier: GPL-2.0
/*
 * Counters.  libpfm4 turns event names into perf_event_attr; tracepoints and
 * IOMMU PMUs are found in tracefs and /sys/bus/event_source, whose formats
 * libpfm4 does not know.  perf's libperf opens, enables, disables and reads
 * them: one evsel an event, libpfm4's events as one group in an evlist of
 * their own (open_group()), the others in a second evlist.  Every event is
 * read alone, a group's members too: libperf's group read gives only the
 * leader's value.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <perf/cpumap.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "environment.h"

static const struct {
	const char *name; /* name in the results */
	const char *pfm;  /* libpfm4 name */
	const char *unit;
} pfm_events[] = {
	{ "task-clock", "perf::TASK-CLOCK", "ns" },
	{ "page-faults", "perf::PAGE-FAULTS", "count" },
	{ "context-switches", "perf::CONTEXT-SWITCHES", "count" },
	{ "cycles", "perf::CYCLES", "count" },
	{ "instructions", "perf::INSTRUCTIONS", "count" },
	{ "dTLB-load-misses", "perf::DTLB-LOAD-MISSES", "count" },
};

static struct counter *add_counter(struct counter_set *s, const char *name, const char *unit)
{
	struct counter *c, *p = realloc(s->c, (s->n + 1) * sizeof(*p));

	if (!p)
		return NULL;
	s->c = p;
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->unit, sizeof(c->unit), "%s", unit);
	return c;
}

/* The fields every event shares: disabled, inherited or CPU-wide, times read. */
static void prepare_attr(struct perf_event_attr *attr, bool system_wide)
{
	attr->size = sizeof(*attr);
	attr->disabled = 1;
	attr->inherit = !system_wide;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
}

/*
 * @attr opened alone: for this process and the threads it creates later
 * (inherit), or, @system_wide, for every process on CPU 0 (uncore-style
 * PMUs); disabled until counters_start().  NULL with @c's reason set.
 */
static struct perf_evsel *open_alone(struct counter_set *s, struct counter *c,
				     struct perf_event_attr *attr, bool system_wide)
{
	struct perf_evsel *evsel;
	int err;

	prepare_attr(attr, system_wide);
	if (!s->evlist || !s->self || (system_wide && (!s->any || !s->cpu0))) {
		snprintf(c->reason, sizeof(c->reason), "not supported: libperf maps: out of memory");
		return NULL;
	}
	evsel = perf_evsel__new(attr);
	if (!evsel) {
		snprintf(c->reason, sizeof(c->reason), "not supported: out of memory");
		return NULL;
	}
	err = system_wide ? perf_evsel__open(evsel, s->cpu0, s->any) :
			    perf_evsel__open(evsel, NULL, s->self);
	if (err) {
		snprintf(c->reason, sizeof(c->reason), "not supported: %s", strerror(-err));
		perf_evsel__delete(evsel);
		return NULL;
	}
	return evsel;
}

/* Open @attr for @c alone and add it to the set's evlist. */
static void open_attr(struct counter_set *s, struct counter *c, struct perf_event_attr *attr,
		      bool system_wide)
{
	struct perf_evsel *evsel = open_alone(s, c, attr, system_wide);

	if (!evsel)
		return;
	perf_evlist__add(s->evlist, evsel);
	c->evsel = evsel;
	c->supported = 1;
}

#define NPFM (sizeof(pfm_events) / sizeof(pfm_events[0]))

/*
 * The events of @idx (counter indexes) with @attrs as one group in the
 * set's group evlist: the PMU schedules a group as a whole, so that the
 * ratios of its events (instructions per cycle, misses per access) come
 * from the same stretches of time even when the kernel multiplexes.
 * False when the machine cannot hold them together (nothing is left open).
 */
static bool open_group(struct counter_set *s, struct perf_event_attr *attrs, const size_t *idx,
		       size_t n)
{
	struct perf_evsel *member[NPFM];

	if (!s->group || n < 2)
		return false;
	for (size_t k = 0; k < n; k++) {
		prepare_attr(&attrs[k], false);
		member[k] = perf_evsel__new(&attrs[k]);
		if (!member[k])
			goto fail;
		perf_evlist__add(s->group, member[k]);
	}
	/*
	 * Opened one by one, leader first, with the set's maps: libperf's
	 * perf_evsel__delete() would not drop the references an evlist's
	 * maps give its evsels.
	 */
	perf_evlist__set_leader(s->group);
	for (size_t k = 0; k < n; k++)
		if (perf_evsel__open(member[k], NULL, s->self))
			goto fail;
	for (size_t k = 0; k < n; k++) {
		s->c[idx[k]].evsel = member[k];
		s->c[idx[k]].supported = 1;
		s->c[idx[k]].grouped = 1;
	}
	s->leader = member[0];
	return true;
fail:
	/* closes and frees the members added so far */
	perf_evlist__delete(s->group);
	s->group = perf_evlist__new();
	return false;
}

/*
 * libpfm4's events: each tried alone first, so that one the machine lacks
 * is recorded as unsupported; the rest as one group (open_group()), or
 * each alone where the PMU cannot hold them together.
 */
static void open_pfm_events(struct counter_set *s)
{
	int pfm_ok = pfm_initialize() == PFM_SUCCESS;
	struct perf_event_attr attrs[NPFM];
	size_t idx[NPFM], n = 0;

	for (size_t i = 0; i < NPFM; i++) {
		struct counter *c = add_counter(s, pfm_events[i].name, pfm_events[i].unit);
		struct perf_event_attr attr;
		struct perf_evsel *probe;
		pfm_perf_encode_arg_t arg;
		int r;

		if (!c)
			return;
		if (!pfm_ok) {
			snprintf(c->reason, sizeof(c->reason), "not supported: libpfm4 init failed");
			continue;
		}
		memset(&attr, 0, sizeof(attr));
		memset(&arg, 0, sizeof(arg));
		arg.attr = &attr;
		arg.size = sizeof(arg);
		r = pfm_get_os_event_encoding(pfm_events[i].pfm, PFM_PLM0 | PFM_PLM3,
					      PFM_OS_PERF_EVENT, &arg);
		if (r != PFM_SUCCESS) {
			snprintf(c->reason, sizeof(c->reason), "not supported: %s", pfm_strerror(r));
			continue;
		}
		probe = open_alone(s, c, &attr, false);
		if (!probe)
			continue;
		perf_evsel__close(probe);
		perf_evsel__delete(probe);
		attrs[n] = attr;
		idx[n++] = s->n - 1;
	}
	if (open_group(s, attrs, idx, n))
		return;
	for (size_t k = 0; k < n; k++)
		open_attr(s, &s->c[idx[k]], &attrs[k], false);
}

static void open_tracepoints(struct counter_set *s)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events/pfnlab",
					     "/sys/kernel/debug/tracing/events/pfnlab" };
	DIR *d = NULL;
	const char *root = NULL;
	struct dirent *e;

	if (!environment_module_loaded())
		return;
	for (size_t i = 0; i < 2 && !d; i++) {
		d = opendir(roots[i]);
		root = roots[i];
	}
	if (!d) {
		struct counter *c = add_counter(s, "pfnlab:*", "count");

		if (c)
			snprintf(c->reason, sizeof(c->reason),
				 "not supported: no pfnlab tracepoints in tracefs");
		return;
	}
	while ((e = readdir(d))) {
		char path[512], idbuf[32], name[96];
		struct perf_event_attr attr;
		struct counter *c;

		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s/id", root, e->d_name);
		if (read_line(path, idbuf, sizeof(idbuf)))
			continue;
		snprintf(name, sizeof(name), "pfnlab:%.80s", e->d_name);
		c = add_counter(s, name, "count");
		if (!c)
			break;
		memset(&attr, 0, sizeof(attr));
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.config = strtoull(idbuf, NULL, 10);
		open_attr(s, c, &attr, false);
	}
	closedir(d);
}

/*
 * Put @value into the attr field described by the PMU's format file text
 * @fmt ("config:0-7,32-35" style).  Returns 0 or -1.
 */
static int apply_format(struct perf_event_attr *attr, const char *fmt, uint64_t value)
{
	char buf[128], *save = NULL, *tok, *colon;
	__u64 *field;
	unsigned int bit = 0;

	snprintf(buf, sizeof(buf), "%s", fmt);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (!strcmp(buf, "config"))
		field = &attr->config;
	else if (!strcmp(buf, "config1"))
		field = &attr->config1;
	else if (!strcmp(buf, "config2"))
		field = &attr->config2;
	else
		return -1;
	for (tok = strtok_r(colon + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int lo, hi;

		if (sscanf(tok, "%u-%u", &lo, &hi) != 2) {
			if (sscanf(tok, "%u", &lo) != 1)
				return -1;
			hi = lo;
		}
		for (unsigned int b = lo; b <= hi && b < 64; b++, bit++)
			if (value >> bit & 1)
				*field |= 1ULL << b;
	}
	return 0;
}

/* "event=0x1,umask=0x2" from the PMU's events/ dir, through its format/ dir. */
static int encode_pmu_event(const char *pmu_dir, const char *spec, struct perf_event_attr *attr)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), path[600], fmt[128];
		uint64_t v = 1;

		if (eq) {
			*eq = '\0';
			v = strtoull(eq + 1, NULL, 0);
		}
		snprintf(path, sizeof(path), "%s/format/%s", pmu_dir, tok);
		if (read_line(path, fmt, sizeof(fmt)) || apply_format(attr, fmt, v))
			return -1;
	}
	return 0;
}

static void open_iommu_pmus(struct counter_set *s)
{
	static const char *const globs[] = { "dmar*", "amd_iommu_*", "smmuv3_pmcg_*" };
	DIR *d = opendir("/sys/bus/event_source/devices");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char pmu[300], path[320], typebuf[32];
		int match = 0;
		DIR *ed;
		struct dirent *ev;

		for (size_t i = 0; i < 3; i++)
			match |= !fnmatch(globs[i], e->d_name, 0);
		if (!match)
			continue;
		snprintf(pmu, sizeof(pmu), "/sys/bus/event_source/devices/%.255s", e->d_name);
		snprintf(path, sizeof(path), "%s/type", pmu);
		if (read_line(path, typebuf, sizeof(typebuf)))
			continue;
		snprintf(path, sizeof(path), "%s/events", pmu);
		ed = opendir(path);
		while (ed && (ev = readdir(ed))) {
			char spec[256], name[96], evpath[600];
			struct perf_event_attr attr;
			struct counter *c;

			if (ev->d_name[0] == '.')
				continue;
			snprintf(evpath, sizeof(evpath), "%s/%.255s", path, ev->d_name);
			if (read_line(evpath, spec, sizeof(spec)))
				continue;
			snprintf(name, sizeof(name), "%.40s/%.50s/", e->d_name, ev->d_name);
			c = add_counter(s, name, "count");
			if (!c)
				break;
			memset(&attr, 0, sizeof(attr));
			attr.type = (__u32)strtoul(typebuf, NULL, 10);
			if (encode_pmu_event(pmu, spec, &attr)) {
				snprintf(c->reason, sizeof(c->reason),
					 "not supported: cannot encode '%.90s'", spec);
				continue;
			}
			/* Uncore-style PMUs count system-wide on one CPU. */
			open_attr(s, c, &attr, true);
		}
		if (ed)
			closedir(ed);
	}
	if (d)
		closedir(d);
}

void counters_open(struct counter_set *s)
{
	memset(s, 0, sizeof(*s));
	s->evlist = perf_evlist__new();
	s->group = perf_evlist__new();
	s->self = perf_thread_map__new_dummy();
	if (s->self)
		perf_thread_map__set_pid(s->self, 0, 0);
	s->any = perf_thread_map__new_dummy();
	s->cpu0 = perf_cpu_map__new("0");
	open_pfm_events(s);
	open_tracepoints(s);
	open_iommu_pmus(s);
}

/* value, time enabled, time running; summed over inherited threads */
static int read_counter(const struct counter *c, uint64_t v[3])
{
	struct perf_counts_values counts = { 0 };

	if (perf_evsel__read(c->evsel, 0, 0, &counts))
		return -1;
	v[0] = counts.val;
	v[1] = counts.ena;
	v[2] = counts.run;
	return 0;
}

/*
 * Phases are measured as differences of readings rather than with
 * PERF_EVENT_IOC_RESET, which does not clear the counts that exited threads
 * folded into an inherited event.
 */
void counters_start(struct counter_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct counter *c = &s->c[i];

		if (c->evsel && read_counter(c, c->base))
			memset(c->base, 0, sizeof(c->base));
	}
	/* the members first: each joins the group when its leader starts it */
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].grouped && s->c[i].evsel != s->leader)
			perf_evsel__enable(s->c[i].evsel);
	if (s->leader)
		perf_evsel__enable(s->leader);
	if (s->evlist)
		perf_evlist__enable(s->evlist);
}

void counters_stop(struct counter_set *s)
{
	if (s->evlist)
		perf_evlist__disable(s->evlist);
	if (s->leader)
		perf_evsel__disable(s->leader);
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].grouped && s->c[i].evsel != s->leader)
			perf_evsel__disable(s->c[i].evsel);
	for (size_t i = 0; i < s->n; i++) {
		struct counter *c = &s->c[i];
		uint64_t v[3];
		double value, enabled, running;

		if (!c->evsel || read_counter(c, v))
			continue;
		value = (double)(v[0] - c->base[0]);
		enabled = (double)(v[1] - c->base[1]);
		running = (double)(v[2] - c->base[2]);
		/* Scale when the kernel multiplexed the event. */
		if (running > 0 && running < enabled)
			value = value * enabled / running;
		if (c->nvalues == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 64;
			double *p = realloc(c->values, ncap * sizeof(*p));

			if (!p)
				continue;
			c->values = p;
			c->cap = ncap;
		}
		c->values[c->nvalues++] = value;
	}
}

void counters_drop_last(struct counter_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].nvalues)
			s->c[i].nvalues--;
}

json_t *counters_json(const struct counter_set *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->n; i++) {
		const struct counter *c = &s->c[i];
		json_t *e;

		if (c->supported) {
			json_t *vals = json_array();

			for (size_t k = 0; k < c->nvalues; k++)
				json_array_append_new(vals, json_real(c->values[k]));
			e = json_pack("{s:b, s:s, s:o}", "supported", 1, "unit", c->unit, "values",
				      vals);
		} else {
			e = json_pack("{s:b, s:s}", "supported", 0, "reason", c->reason);
		}
		json_object_set_new(o, c->name, e);
	}
	return o;
}

int counters_absorb(struct counter_set *acc, struct counter_set *s)
{
	int ret = 0;

	for (size_t i = 0; i < s->n && !ret; i++) {
		struct counter *src = &s->c[i], *dst = NULL;

		for (size_t j = 0; j < acc->n && !dst; j++)
			if (!strcmp(acc->c[j].name, src->name))
				dst = &acc->c[j];
		if (!dst) {
			dst = add_counter(acc, src->name, src->unit);
			if (!dst) {
				ret = -1;
				break;
			}
			dst->supported = src->supported;
			snprintf(dst->reason, sizeof(dst->reason), "%s", src->reason);
		}
		if (src->nvalues && dst->nvalues + src->nvalues > dst->cap) {
			size_t ncap = dst->nvalues + src->nvalues;
			double *p = realloc(dst->values, ncap * sizeof(*p));

			if (!p) {
				ret = -1;
				break;
			}
			dst->values = p;
			dst->cap = ncap;
		}
		if (src->nvalues)
			memcpy(dst->values + dst->nvalues, src->values,
			       src->nvalues * sizeof(*src->values));
		dst->nvalues += src->nvalues;
	}
	counters_close(s);
	return ret;
}

void counters_close(struct counter_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->c[i].values);
	free(s->c);
	/* closes and frees every evsel in them */
	perf_evlist__delete(s->group);
	perf_evlist__delete(s->evlist);
	perf_thread_map__put(s->self);
	perf_thread_map__put(s->any);
	perf_cpu_map__put(s->cpu0);
	memset(s, 0, sizeof(*s));
}
