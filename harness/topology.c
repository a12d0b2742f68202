// SPDX-License-Identifier: GPL-2.0
/*
 * Topology: hwloc for sockets, cores, PUs and CPU binding, libnuma for node
 * existence, distances and sizes; hugepage pools come from sysfs because
 * neither library reports them per node.
 */
#include <hwloc.h>
#include <numa.h>
#include <stdio.h>
#include <string.h>

#include "topology.h"

static hwloc_topology_t topo;
static int topo_loaded;

int topology_init(void)
{
	if (topo_loaded)
		return 0;
	if (hwloc_topology_init(&topo))
		return -1;
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		return -1;
	}
	topo_loaded = 1;
	return 0;
}

void topology_fini(void)
{
	if (topo_loaded)
		hwloc_topology_destroy(topo);
	topo_loaded = 0;
}

static int count_type(hwloc_obj_type_t t)
{
	int n;

	if (topology_init())
		return 0;
	n = hwloc_get_nbobjs_by_type(topo, t);
	return n < 0 ? 0 : n;
}

long long topology_cache_bytes(int level)
{
	static const hwloc_obj_type_t types[] = { HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
						  HWLOC_OBJ_L3CACHE };
	hwloc_obj_t obj;

	if (level < 1 || level > 3 || topology_init())
		return 0;
	/* The first of its level: the one above PU 0 on every machine hwloc orders. */
	obj = hwloc_get_obj_by_type(topo, types[level - 1], 0);
	return obj && obj->attr ? (long long)obj->attr->cache.size : 0;
}

int topology_sockets(void)
{
	return count_type(HWLOC_OBJ_PACKAGE);
}

int topology_cores(void)
{
	return count_type(HWLOC_OBJ_CORE);
}

int topology_threads(void)
{
	return count_type(HWLOC_OBJ_PU);
}

int topology_max_node(void)
{
	if (numa_available() < 0)
		return 0;
	return numa_max_node();
}

int topology_node_exists(int node)
{
	if (node < 0)
		return 0;
	if (numa_available() < 0)
		return node == 0;
	if (node > numa_max_node())
		return 0;
	return numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned int)node) ||
	       numa_bitmask_isbitset(numa_nodes_ptr, (unsigned int)node);
}

static hwloc_obj_t numa_obj(int node)
{
	hwloc_obj_t obj = NULL;

	if (topology_init())
		return NULL;
	while ((obj = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, obj)))
		if ((int)obj->os_index == node)
			return obj;
	return NULL;
}

void topology_node_cpus(int node, char *buf, size_t len)
{
	hwloc_obj_t obj = numa_obj(node);

	if (!obj || !obj->cpuset) {
		snprintf(buf, len, "%s", "");
		return;
	}
	hwloc_bitmap_list_snprintf(buf, len, obj->cpuset);
}

int topology_distance(int a, int b)
{
	if (numa_available() < 0)
		return a == b ? 10 : 20;
	return numa_distance(a, b);
}

long long topology_node_mem_kib(int node)
{
	long long bytes;

	if (numa_available() < 0)
		return -1;
	bytes = numa_node_size64(node, NULL);
	return bytes < 0 ? -1 : bytes / 1024;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int topology_node_hugepages(int node, unsigned long kib, long *total, long *free_pages)
{
	char path[256];

	*total = 0;
	*free_pages = 0;
	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-%lukB/nr_hugepages", node,
		 kib);
	*total = read_long(path);
	if (*total < 0 && node == 0) {
		/* No node directory (NUMA off): the global pool is node 0's. */
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kib);
		*total = read_long(path);
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages", kib);
	} else {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-%lukB/free_hugepages",
			 node, kib);
	}
	*free_pages = read_long(path);
	if (*total < 0 || *free_pages < 0) {
		*total = 0;
		*free_pages = 0;
		return -1;
	}
	return 0;
}

int topology_bind_thread_to_node(int node)
{
	hwloc_obj_t obj = numa_obj(node);

	if (!obj || !obj->cpuset || hwloc_bitmap_iszero(obj->cpuset))
		return -1;
	return hwloc_set_cpubind(topo, obj->cpuset, HWLOC_CPUBIND_THREAD);
}

int topology_node_cpu(int node, int i)
{
	hwloc_obj_t obj = numa_obj(node);
	int w, n, cpu = -1;

	if (!obj || !obj->cpuset)
		return -1;
	w = hwloc_bitmap_weight(obj->cpuset);
	if (w <= 0)
		return -1;
	n = i % w;
	hwloc_bitmap_foreach_begin(cpu, obj->cpuset) if (n-- == 0) break;
	hwloc_bitmap_foreach_end();
	return cpu;
}
