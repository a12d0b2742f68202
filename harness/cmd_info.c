// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab info: what this machine offers the benchmarks, and for each backend
 * whether it works here and why not.  The same record goes into every
 * results document as "environment".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"
#include "counters.h"
#include "environment.h"
#include "topology.h"

static json_t *backends_json(void)
{
	json_t *o = json_object();

	for (const struct backend *const *bep = backends_all; *bep; bep++) {
		const struct backend *be = *bep;
		char why[256] = "";
		int ok = be->probe(why, sizeof(why)) == 0;

		json_object_set_new(o, be->name,
				    json_pack("{s:b, s:o}", "available", ok, "reason",
					      ok ? json_null() : json_string(why)));
	}
	return o;
}

static void print_text(json_t *env, json_t *counters, json_t *backends)
{
	json_t *k = json_object_get(env, "kernel"), *cpu = json_object_get(env, "cpu");
	json_t *numa = json_object_get(env, "numa"), *thp = json_object_get(env, "thp");
	json_t *iommu = json_object_get(env, "iommu"), *mod = json_object_get(env, "module");
	json_t *node, *row, *v;
	const char *name;
	size_t i, j;

	printf("kernel      %s  (%s)\n", json_string_value(json_object_get(k, "release")),
	       json_string_value(json_object_get(k, "version")));
	printf("cmdline     %s\n", json_string_value(json_object_get(k, "cmdline")));
	printf("cpu         %s; %lld socket(s), %lld core(s), %lld thread(s), SMT %s, governor %s\n",
	       json_is_string(json_object_get(cpu, "model")) ?
		       json_string_value(json_object_get(cpu, "model")) :
		       "unknown",
	       json_integer_value(json_object_get(cpu, "sockets")),
	       json_integer_value(json_object_get(cpu, "cores")),
	       json_integer_value(json_object_get(cpu, "threads")),
	       json_is_true(json_object_get(cpu, "smt")) ? "on" : "off",
	       json_string_value(json_object_get(cpu, "governor")));
	printf("virtualized %s%s%s%s%s\n",
	       json_is_true(json_object_get(env, "virtualized")) ? "yes" : "no",
	       json_is_string(json_object_get(env, "hypervisor")) ? ", " : "",
	       json_is_string(json_object_get(env, "hypervisor")) ?
		       json_string_value(json_object_get(env, "hypervisor")) :
		       "",
	       json_is_string(json_object_get(env, "vm_clock")) ? ", clock: " : "",
	       json_is_string(json_object_get(env, "vm_clock")) ?
		       json_string_value(json_object_get(env, "vm_clock")) :
		       "");
	printf("NUMA nodes\n");
	json_array_foreach(json_object_get(numa, "nodes"), i, node) {
		json_t *hp = json_object_get(node, "hugepages");

		printf("  node %lld  cpus %-8s mem %lld MiB  hugepages:",
		       json_integer_value(json_object_get(node, "id")),
		       json_string_value(json_object_get(node, "cpus")),
		       json_integer_value(json_object_get(node, "mem_total_kib")) / 1024);
		json_object_foreach(hp, name, v)
			printf(" %s %lld/%lld free", name,
			       json_integer_value(json_object_get(v, "free")),
			       json_integer_value(json_object_get(v, "total")));
		printf("\n");
	}
	printf("distances\n");
	json_array_foreach(json_object_get(numa, "distances"), i, row) {
		printf(" ");
		json_array_foreach(row, j, v)
			printf(" %3lld", json_integer_value(v));
		printf("\n");
	}
	printf("THP         enabled %s, defrag %s, shmem %s\n",
	       json_string_value(json_object_get(thp, "enabled")),
	       json_string_value(json_object_get(thp, "defrag")),
	       json_string_value(json_object_get(thp, "shmem_enabled")));
	printf("IOMMU       %s, mode %s, %lld group(s)\n",
	       json_is_true(json_object_get(iommu, "present")) ? "present" : "absent",
	       json_string_value(json_object_get(iommu, "mode")),
	       json_integer_value(json_object_get(iommu, "groups")));
	printf("module      %s\n", json_is_true(json_object_get(mod, "loaded")) ?
					   "loaded (/dev/pfnlab)" :
					   "not loaded (/dev/pfnlab missing)");
	printf("perf events\n");
	json_object_foreach(counters, name, v) {
		json_t *reason = json_object_get(v, "reason");

		printf("  %-24s %s\n", name,
		       json_is_true(json_object_get(v, "supported")) ? "supported" :
								       json_string_value(reason));
	}
	printf("backends\n");
	json_object_foreach(backends, name, v) {
		json_t *reason = json_object_get(v, "reason");

		printf("  %-8s %s%s%s\n", name,
		       json_is_true(json_object_get(v, "available")) ? "available" : "unavailable",
		       json_is_string(reason) ? ": " : "",
		       json_is_string(reason) ? json_string_value(reason) : "");
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct counter_set cs;
	json_t *env, *counters, *backends;
	int c, as_json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': as_json = 1; break;
		case 'h':
			printf("usage: pfnlab info [--json]\n\n"
			       "Topology, NUMA distances, hugepage pools per node, THP mode, IOMMU\n"
			       "presence and mode, perf event availability, and which backends work\n"
			       "here (and why not).  --json prints the same as one JSON object:\n"
			       "{\"environment\": ..., \"perf_events\": ..., \"backends\": ...}.\n");
			return 0;
		default: fprintf(stderr, "usage: pfnlab info [--json]\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pfnlab info: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	topology_init();
	env = environment_collect();
	counters_open(&cs);
	counters = counters_json(&cs);
	counters_close(&cs);
	backends = backends_json();
	if (as_json) {
		json_t *doc = json_pack("{s:o, s:o, s:o}", "environment", env, "perf_events",
					counters, "backends", backends);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		print_text(env, counters, backends);
		json_decref(env);
		json_decref(counters);
		json_decref(backends);
	}
	topology_fini();
	return 0;
}
