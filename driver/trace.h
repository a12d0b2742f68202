/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfnlab tracepoints: pfnlab:pin, pfnlab:batch_flush, pfnlab:map and
 * pfnlab:unmap, for `perf stat -e 'pfnlab:*'` and `perf record`.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pfnlab

#if !defined(PFNLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PFNLAB_TRACE_H

#include <linux/tracepoint.h>

/*
 * pfnlab_pin - one pin of a chunk from the origin (one or more GUP calls)
 * pages_id: the pages object; index: first index; npages: indexes asked;
 * result: indexes pinned or a negative errno; ns: time including the
 * pin_delay_ns busy delay.
 */
TRACE_EVENT(pfnlab_pin,
	    TP_PROTO(u32 pages_id, u64 index, u32 npages, long result, u64 ns),
	    TP_ARGS(pages_id, index, npages, result, ns),
	    TP_STRUCT__entry(__field(u32, pages_id) __field(u32, npages)
				     __field(u64, index) __field(long, result)
					     __field(u64, ns)),
	    TP_fast_assign(__entry->pages_id = pages_id;
			   __entry->npages = npages; __entry->index = index;
			   __entry->result = result; __entry->ns = ns;),
	    TP_printk("pages=%u index=%llu npages=%u result=%ld ns=%llu",
		      __entry->pages_id, __entry->index, __entry->npages,
		      __entry->result, __entry->ns));

/*
 * pfnlab_batch_flush - a filled pfn_batch handed to its consumer
 * index: index of its first PFN; npfns: PFNs; runs: runs used;
 * capacity: runs it can hold.
 */
TRACE_EVENT(pfnlab_batch_flush,
	    TP_PROTO(u32 pages_id, u64 index, u64 npfns, u32 runs, u32 capacity),
	    TP_ARGS(pages_id, index, npfns, runs, capacity),
	    TP_STRUCT__entry(__field(u32, pages_id) __field(u32, runs)
				     __field(u64, index) __field(u64, npfns)
					     __field(u32, capacity)),
	    TP_fast_assign(__entry->pages_id = pages_id; __entry->runs = runs;
			   __entry->index = index; __entry->npfns = npfns;
			   __entry->capacity = capacity;),
	    TP_printk("pages=%u index=%llu npfns=%llu runs=%u capacity=%u",
		      __entry->pages_id, __entry->index, __entry->npfns,
		      __entry->runs, __entry->capacity));

/*
 * pfnlab_map - one batch written into a domain
 * ioptes: leaves added per page size (4K, 2M, 1G); ns: map calls only.
 */
TRACE_EVENT(
	pfnlab_map,
	TP_PROTO(u32 domain_id, u32 pages_id, u64 iova, u64 length, u32 runs,
		 u64 ns, const u64 *ioptes),
	TP_ARGS(domain_id, pages_id, iova, length, runs, ns, ioptes),
	TP_STRUCT__entry(
		__field(u32, domain_id) __field(u32, pages_id) __field(u64, iova)
			__field(u64, length) __field(u32, runs) __field(u64, ns)
				__field(u64, ioptes_4k) __field(u64, ioptes_2m)
					__field(u64, ioptes_1g)),
	TP_fast_assign(__entry->domain_id = domain_id;
		       __entry->pages_id = pages_id; __entry->iova = iova;
		       __entry->length = length; __entry->runs = runs;
		       __entry->ns = ns; __entry->ioptes_4k = ioptes[0];
		       __entry->ioptes_2m = ioptes[1];
		       __entry->ioptes_1g = ioptes[2];),
	TP_printk("domain=%u pages=%u iova=0x%llx length=%llu runs=%u ns=%llu ioptes_4k=%llu ioptes_2m=%llu ioptes_1g=%llu",
		  __entry->domain_id, __entry->pages_id, __entry->iova,
		  __entry->length, __entry->runs, __entry->ns,
		  __entry->ioptes_4k, __entry->ioptes_2m, __entry->ioptes_1g));

/*
 * pfnlab_unmap - one teardown piece unmapped from a domain
 * ioptes: leaves removed per page size (mock domains; 0 for real ones).
 */
TRACE_EVENT(
	pfnlab_unmap,
	TP_PROTO(u32 domain_id, u64 iova, u64 length, u64 ns, const u64 *ioptes),
	TP_ARGS(domain_id, iova, length, ns, ioptes),
	TP_STRUCT__entry(
		__field(u32, domain_id) __field(u64, iova) __field(u64, length)
			__field(u64, ns) __field(u64, ioptes_4k)
				__field(u64, ioptes_2m) __field(u64, ioptes_1g)),
	TP_fast_assign(__entry->domain_id = domain_id; __entry->iova = iova;
		       __entry->length = length; __entry->ns = ns;
		       __entry->ioptes_4k = ioptes[0];
		       __entry->ioptes_2m = ioptes[1];
		       __entry->ioptes_1g = ioptes[2];),
	TP_printk("domain=%u iova=0x%llx length=%llu ns=%llu ioptes_4k=%llu ioptes_2m=%llu ioptes_1g=%llu",
		  __entry->domain_id, __entry->iova, __entry->length, __entry->ns,
		  __entry->ioptes_4k, __entry->ioptes_2m, __entry->ioptes_1g));

#endif /* PFNLAB_TRACE_H */

/* Out of tree: the build directory holds this file (see Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
