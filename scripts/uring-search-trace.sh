#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# uring-search-trace: shows, with the host kernel's own tracepoints, the
# cost of io_uring's search for huge folios already charged (docs/plan.md,
# "Checks that grow with the square of a call").  Registers one iovec of
# huge pages at 256, 512, 768 MiB and 1 GiB, ROUNDS rounds of 3 cold
# samples each, through `pfnlab run`, with the io_uring_register syscall,
# the pfnlab process' kmallocs of 1 KiB and up and io_uring:io_uring_register
# enabled in a private trace instance, and prints for each size the median
# time from the segment table's allocation to the registration's end, where
# the search runs, and that time over the F(F-1)/2 checks of F folios:
#
#   scripts/uring-search-trace.sh [-p thp|hugetlb-2m] [-r ROUNDS] [-o DIR]
#
# Needs root, tracefs, io_uring and (hugetlb-2m) 600 free 2 MiB pages;
# about half a minute at the default 4 rounds.  DIR (default
# build/uring-search-trace) keeps the raw trace, the results document and
# one line a registration (registrations.tsv).  Exit status: 0 when the
# cost a check at 1 GiB is within a factor of 2 of 256 MiB's (a cost with
# the square of the folios, as 6.12 to 6.18 have), 1 when not, 2 when it
# could not run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# shellcheck source=scripts/trace-lib.sh
. scripts/trace-lib.sh

out=build/uring-search-trace
rounds=4
page=thp
while getopts p:r:o:h opt; do
	case $opt in
	p) case $OPTARG in thp | hugetlb-2m) page=$OPTARG ;; *) echo "uring-search-trace: -p wants thp or hugetlb-2m, not '$OPTARG'" >&2; exit 2 ;; esac ;;
	r) trace_rounds uring-search-trace "$OPTARG"; rounds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '14p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
	esac
done
trace_begin uring-search-trace kmem/kmalloc io_uring/io_uring_register syscalls/sys_enter_io_uring_register
mkdir -p "$out"

cat >"$job" <<JOB
[defaults]
rounds = $rounds
repetitions = 3
warmup = 1
size = 256M, 512M, 768M, 1G
[uring-search]
backend = uring
op = pin
page = $page
pages_per_call = 0
evict = 256M
JOB

echo 65536 >"$inst/buffer_size_kb"
echo 'comm == "pfnlab" && bytes_req >= 1024' >"$inst/events/kmem/kmalloc/filter"
echo 1 >"$inst/events/kmem/kmalloc/enable"
echo 'opcode == 0' >"$inst/events/syscalls/sys_enter_io_uring_register/filter"
echo 1 >"$inst/events/syscalls/sys_enter_io_uring_register/enable"
echo 1 >"$inst/events/io_uring/io_uring_register/enable"
trace_run uring-search-trace "$out"

# One line a registration: 4 KiB pages, ms from the table's allocation
# (the second kmalloc of io_sqe_buffer_register after the page array, the
# first being the merged folios' array) to the end.  kvmalloc() and its
# caller both report an allocation: the caller's is taken.
awk '
function bytes() { match($0, /bytes_req=[0-9]+/); return substr($0, RSTART + 10, RLENGTH - 10) + 0 }
function stamp() { match($0, /[0-9]+\.[0-9]+: /); return substr($0, RSTART, RLENGTH - 2) + 0 }
/sys_io_uring_register\(/ { inreg = 1; n = 0; seen = 0; t_table = ""; next }
/call_site=io_pin_pages/ && inreg { n = bytes() / 8; next }
/call_site=io_sqe_buffer_register/ && inreg && n { if (++seen == 2) t_table = stamp(); next }
/ io_uring_register: .*opcode 0,/ && inreg {
	if (t_table != "")
		printf "%d\t%.3f\n", n, (stamp() - t_table) * 1000
	inreg = 0
}' "$out/trace" >"$out/registrations.tsv"

first=""
last=""
for pages in 65536 131072 196608 262144; do
	folios=$((pages / 512))
	checks=$((folios * (folios - 1) / 2))
	total=$(awk -v p=$pages '$1 == p' "$out/registrations.tsv" | wc -l)
	ms=$(awk -v p=$pages '$1 == p { print $2 }' "$out/registrations.tsv" | trace_median)
	per=$(awk -v ms="$ms" -v c=$checks 'BEGIN { if (ms == "-") print "-"; else printf "%.2f", ms * 1e6 / c }')
	echo "uring-search-trace: $page, $((pages / 256)) MiB, $folios folios ($checks checks): $total registrations, median ${ms} ms after the table, ${per} ns a check"
	[ -z "$first" ] && first=$per
	last=$per
done
case "$first$last" in *-*) exit 1 ;; esac
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b <= 2 * a && a <= 2 * b) }'
