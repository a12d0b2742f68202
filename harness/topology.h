/* SPDX-License-Identifier: GPL-2.0 */
/* Machine topology (hwloc) and NUMA nodes (libnuma). */
#ifndef PFNLAB_TOPOLOGY_H
#define PFNLAB_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

/* Load hwloc's view of this machine once.  0 or -1. */
int topology_init(void);
void topology_fini(void);

int topology_sockets(void);
int topology_cores(void);
int topology_threads(void);
/* Bytes of one data (or unified) cache of @level (1-3) of this machine; 0 when it has none. */
long long topology_cache_bytes(int level);

/* Highest NUMA node id, 0 when libnuma says NUMA is unavailable. */
int topology_max_node(void);
/* Node @node exists and has memory or CPUs. */
int topology_node_exists(int node);
/* "0-1,4" for the CPUs of @node into @buf. */
void topology_node_cpus(int node, char *buf, size_t len);
/* The NUMA distance between two nodes (10 = local). */
int topology_distance(int a, int b);
/* Total memory of @node in KiB, or -1. */
long long topology_node_mem_kib(int node);
/*
 * Hugepage pool of @node for pages of @kib KiB: total and free pages.
 * Both 0 when the size is not supported.  Returns 0 if the size exists.
 */
int topology_node_hugepages(int node, unsigned long kib, long *total, long *free_pages);

/* Bind the calling thread to the CPUs of @node (hwloc).  0 or -1. */
int topology_bind_thread_to_node(int node);
/* The i-th CPU (logical index) of @node's cpuset, wrapping; -1 if none. */
int topology_node_cpu(int node, int i);

#endif
