#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# uring-table-trace: shows, with the host kernel's own tracepoints, where
# io_uring's registration of one iovec of 4 KiB pages changes path
# (docs/plan.md, "A table kmalloc cannot hold").  Registers 1 GiB - 16 KiB
# and 1 GiB, ROUNDS rounds of 3 cold samples each, through `pfnlab run`,
# with kmem:kmalloc (1 MiB and up), vmalloc:alloc_vmap_area and
# io_uring:io_uring_register enabled in a private trace instance, and
# prints for each size how many registrations vmalloc'ed their table and
# the median time from the page array's allocation to the table's (GUP)
# and from the table's to the registration's end:
#
#   scripts/uring-table-trace.sh [-r ROUNDS] [-o DIR]
#
# Needs root, tracefs and io_uring; about a minute at the default 12
# rounds.  DIR (default build/uring-table-trace) keeps the raw trace, the
# results document and one line a registration (registrations.tsv).
# Exit status: 0 when the larger size vmalloc'ed every table and the
# smaller none (what 6.18 does on x86-64), 1 when not, 2 when it could
# not run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# shellcheck source=scripts/trace-lib.sh
. scripts/trace-lib.sh

out=build/uring-table-trace
rounds=12
while getopts r:o:h opt; do
	case $opt in
	r) trace_rounds uring-table-trace "$OPTARG"; rounds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '14p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
	esac
done
trace_begin uring-table-trace kmem/kmalloc vmalloc/alloc_vmap_area io_uring/io_uring_register
mkdir -p "$out"

cat >"$job" <<EOF
[defaults]
rounds = $rounds
repetitions = 3
warmup = 1
size = 1048560K, 1G
[uring-table]
backend = uring
op = pin
page = 4k
pages_per_call = 0
evict = 256M
EOF

echo 32768 >"$inst/buffer_size_kb"
echo 'bytes_req >= 1048576' >"$inst/events/kmem/kmalloc/filter"
echo 1 >"$inst/events/kmem/kmalloc/enable"
# every process' vmallocs are traced: a fork beside the run vmallocs its
# stack and would be counted as the table's
echo 'comm == "pfnlab"' >"$inst/events/vmalloc/alloc_vmap_area/filter"
echo 1 >"$inst/events/vmalloc/alloc_vmap_area/enable"
echo 1 >"$inst/events/io_uring/io_uring_register/enable"
trace_run uring-table-trace "$out"

# One line a registration: pages, whether its table was vmalloc'ed, ms
# from the page array (8 bytes a page) to the table (16 bytes a page and
# a header), ms from the table to the end.  kvmalloc() and its caller
# both report an allocation: the first of each is taken.
awk '
function bytes() { match($0, /bytes_req=[0-9]+/); return substr($0, RSTART + 10, RLENGTH - 10) + 0 }
# the timestamp, "12345.678901: " before the event name (a task name may hold spaces)
function stamp() { match($0, /[0-9]+\.[0-9]+: /); return substr($0, RSTART, RLENGTH - 2) + 0 }
/ kmalloc: / {
	b = bytes()
	if (t_pages == "" && b % 8 == 0) { t_pages = stamp(); n = b / 8 }
	else if (t_pages != "" && t_table == "" && b >= 16 * n) t_table = stamp()
}
/ alloc_vmap_area: / { if (t_table != "") vm = 1 }
/ io_uring_register: .*opcode 0,/ {
	if (t_pages != "" && t_table != "")
		printf "%d\t%d\t%.3f\t%.3f\n", n, vm, (t_table - t_pages) * 1000, (stamp() - t_table) * 1000
	t_pages = ""; t_table = ""; vm = 0
}' "$out/trace" >"$out/registrations.tsv"

status=0
for pages in 262140 262144; do
	total=$(awk -v p=$pages '$1 == p' "$out/registrations.tsv" | wc -l)
	vm=$(awk -v p=$pages '$1 == p && $2 == 1' "$out/registrations.tsv" | wc -l)
	gup=$(awk -v p=$pages '$1 == p { print $3 }' "$out/registrations.tsv" | trace_median)
	rest=$(awk -v p=$pages '$1 == p { print $4 }' "$out/registrations.tsv" | trace_median)
	echo "uring-table-trace: $pages pages ($((pages * 4)) KiB): $total registrations, $vm with a vmalloc'ed table; median ${gup} ms to the table, ${rest} ms after it"
	if [ "$total" -eq 0 ]; then
		status=1
	elif [ $pages -eq 262140 ] && [ "$vm" -ne 0 ]; then
		status=1
	elif [ $pages -eq 262144 ] && [ "$vm" -ne "$total" ]; then
		status=1
	fi
done
exit $status
