#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pfnlab plan from the command line, on synthetic size sweeps with a known
# cost model (plan_synth.awk): the terms come back, the out-of-sample check
# of 1 GiB holds, --json, and every bad input exits 2 with a message naming
# what is missing and nothing on stdout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PFNLAB=${PFNLAB:-$here/../../build/harness/pfnlab}
synth=$here/plan_synth.awk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=harness/tests/lib/common.sh
. "$here/lib/common.sh"

# fails2 NAME PATTERN ARGS...: exit 2, PATTERN on stderr, nothing on stdout
fails2() {
	local name=$1 pat=$2 rc
	shift 2
	"$PFNLAB" plan "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$name: exit 2" test $rc -eq 2
	check "$name: says why" grep -q -- "$pat" "$tmp/err"
	check "$name: nothing on stdout" test ! -s "$tmp/out"
}

# 4k: 30 + 200 ns per page (a folio is a page); thp: 30 + 200/512 ns per page
# (6.18: io_uring's search for charged folios stays within a 64 MiB iovec)
gen "$tmp/sweep.json" -v pages="4k thp" -v per_page=30 -v per_folio=200 -v fixed=40000 -v ppc=16384 -v release=6.18.0 -v seed=1

# 1. the text plan: terms in words, the split, the check, the out-of-sample check
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/sweep.json" >"$tmp/out" 2>"$tmp/err"
check "plan exits 0" test $? -eq 0
check "names each series" grep -q '^uring pin thp ' "$tmp/out"
check "terms in words" grep -Eq 'model: [0-9.]+ ns per 4 KiB page \+ [0-9.]+ us fixed' "$tmp/out"
check "thp split into page and folio costs" grep -Eq '= [0-9.]+ ns per 4 KiB page \+ [0-9.]+ ns per 2 MiB folio' "$tmp/out"
check "self-check printed" grep -q 'check: fitted without 256 MiB' "$tmp/out"
check "1 GiB measured beyond the fit is checked" grep -q 'beyond the fit: 1 GiB: .*inside the interval' "$tmp/out"

# 2. --json: the truth comes back
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/sweep.json" >"$tmp/plan.json" 2>"$tmp/err"
check "--json exits 0" test $? -eq 0
jqc "json: schema and target" '.schema_version == 1 and .target_bytes == 1073741824 and .fit_max_bytes == 268435456' "$tmp/plan.json"
# Within 5%: over seeds 1-12 of mawk's and of gawk's random streams (awk is
# either, by what else a machine has installed) the fit fell within 3.6%
# of the truth, its own SD 0.7-2.7%.
jqc "json: 4k slope within 5% of 230 ns" '.series[] | select(.page == "4k") | .fit.ns_per_page / 230 - 1 | fabs < 0.05' "$tmp/plan.json"
jqc "json: thp folio cost within 10% of 200 ns" '.series[] | select(.page == "thp") | .split.ns_per_folio / 200 - 1 | fabs < 0.10' "$tmp/plan.json"
jqc "json: 1 GiB predicted within 5% and inside" '[.series[] | .beyond_fit[0] | (.error | fabs < 0.05) and .inside] | all' "$tmp/plan.json"
jqc "json: prediction interval holds the prediction" '[.series[] | .prediction | .lo_ns < .ns and .ns < .hi_ns] | all' "$tmp/plan.json"
jqc "json: memlock is the target" '[.series[] | .memory.memlock_bytes == 1073741824] | all' "$tmp/plan.json"

# 3. filters
"$PFNLAB" plan --json --size 1G --page thp "$tmp/sweep.json" >"$tmp/thp.json" 2>/dev/null
jqc "--page keeps only thp" '[.series[].page] == ["thp"]' "$tmp/thp.json"

# 4. a curve the line cannot follow: the check says OUTSIDE
gen "$tmp/curve.json" -v quad=0.0005 -v bcv=0.01 -v seed=2
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/curve.json" >"$tmp/out" 2>&1
check "curved cost: the hold-out check fails visibly" grep -q 'OUTSIDE the interval' "$tmp/out"
check "curved cost: the plan is called optimistic" grep -q 'WARNING: the check failed.*under-predicted.*optimistic' "$tmp/out"
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/sweep.json" >"$tmp/out" 2>&1
check "straight cost: no warning" bash -c "! grep -q WARNING '$tmp/out'"

# 5. memory and IOTLB needs, counted by hand
# driver map of 1 GiB of 4 KiB leaves: 262144 PTEs in 512 tables + 1 + 1 + 1
# (515 x 4 KiB); of 2 MiB leaves: 512 PDEs in 1 table + 1 + 1; bookkeeping
# 8 bytes a page (2 MiB); GUP calls one per 512 pages
gen "$tmp/map.json" -v backend=driver -v op=map -v pages="4k thp" -v seed=5
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/map.json" >"$tmp/map-plan.json" 2>"$tmp/err"
jqc "map 4k: IO page table 515 tables" '.series[] | select(.page == "4k") | .memory.io_page_table_bytes == 2109440' "$tmp/map-plan.json"
jqc "map thp: IO page table 3 tables" '.series[] | select(.page == "thp") | .memory.io_page_table_bytes == 12288' "$tmp/map-plan.json"
jqc "map: bookkeeping 2 MiB, 512 GUP calls" '[.series[] | .memory.index_bytes == 2097152 and (.gup_calls | . > 511.9 and . < 512.1)] | all' "$tmp/map-plan.json"
jqc "map 4k: 262144 IOTLB entries to cover 1 GiB" '.series[] | select(.page == "4k") | .iotlb.entries_needed == [262144, 0, 0]' "$tmp/map-plan.json"
# driver map whose rounds drew layouts of 0.05 .. 1 runs per page, 450 ns a
# run; 1 GiB less fragmented (0.1 .. 0.3): the plan is at the sweep's median
# density, and the held-out 1 GiB is brought to it before the check
gen "$tmp/runs.json" -v backend=driver -v op=map -v per_page=100 -v fixed=0 -v per_run=450 -v seed=7
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/runs.json" >"$tmp/out" 2>"$tmp/err"
check "map with layouts: a cost per run in words" grep -Eq 'model: [0-9.]+ ns per 4 KiB page \+ [0-9.]+ ns per run .*at [0-9.]+ runs per page, the sweep' "$tmp/out"
check "map with layouts: the check says the density it came from" grep -q 'brought from its 0\.[123][0-9]* runs per page' "$tmp/out"
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/runs.json" >"$tmp/runs-plan.json" 2>"$tmp/err"
jqc "map with layouts: 450 ns per run within 10%" '.series[0].fit.runs.ns_per_run / 450 - 1 | fabs < 0.1' "$tmp/runs-plan.json"
jqc "map with layouts: 1 GiB predicted within 5% and inside" '.series[0].beyond_fit[0] | (.error | fabs < 0.05) and .inside' "$tmp/runs-plan.json"
jqc "map with layouts: 1 GiB as measured is cheaper than at the sweep's density" '.series[0].beyond_fit[0] | .as_measured_ns < 0.8 * .measured_ns' "$tmp/runs-plan.json"
# the same layouts for a backend that counts no runs of its own (VFIO
# type1, iommufd): the runs come from each round's placement.pfn_runs
gen "$tmp/placed.json" -v backend=vfio -v op=map -v per_page=100 -v fixed=0 -v per_run=450 -v placed=1 -v seed=7
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/placed.json" >"$tmp/placed-plan.json" 2>"$tmp/err"
jqc "vfio map, runs from placement: 450 ns per run within 10%" '.series[0].fit.runs.ns_per_run / 450 - 1 | fabs < 0.1' "$tmp/placed-plan.json"
jqc "vfio map, runs from placement: 1 GiB predicted within 5% and inside" '.series[0].beyond_fit[0] | (.error | fabs < 0.05) and .inside' "$tmp/placed-plan.json"
# iommufd's MAP into the selftest mock domain: its xarray (an entry per
# 2 KiB of IOVA from 16 MiB) is 3 levels high up to IOVA 512 MiB and 4 past
# it, a step no fit below 496 MiB sees; the plan says so, and names the
# aperture's end (2 GiB) as a limit; a real domain has neither
gen "$tmp/mock.json" -v backend=iommufd -v op=map -v domain=mock -v seed=8
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/mock.json" >"$tmp/out" 2>&1
check "mock map 1 GiB: the xarray's fourth level is named" grep -q 'WARNING: a step the line did not see.*3 levels high at the largest size fitted, 4 at the target' "$tmp/out"
"$PFNLAB" plan --size 256M "$tmp/mock.json" >"$tmp/out" 2>&1
check "mock map 256 MiB: no step, no warning" bash -c "! grep -q 'step the line did not see' '$tmp/out'"
"$PFNLAB" plan --size 4G "$tmp/mock.json" >"$tmp/out" 2>&1
check "mock map 4 GiB: the aperture is named" grep -q 'limit: beyond the selftest mock domain.s aperture' "$tmp/out"
gen "$tmp/real.json" -v backend=iommufd -v op=map -v domain=real -v seed=8
"$PFNLAB" plan --json --size 4G "$tmp/real.json" >"$tmp/real-plan.json" 2>"$tmp/err"
jqc "real-domain map: no mock levels, no aperture" '.series[0] | .mock_xarray_levels == null and .memory.limit == null' "$tmp/real-plan.json"
# io_uring, one iovec a buffer: at 256 MiB a call's page array is 512 KiB,
# at 1 GiB 2 MiB, past this machine's 1 MiB L2, so a plan fitted up to
# 256 MiB cannot see what the 1 GiB call costs once it misses; 64 MiB
# iovecs (128 KiB) cross nothing, and under the lab VM's instruction clock
# a miss costs nothing, so neither warns
gen "$tmp/iov.json" -v ppc=0 -v caches=1 -v seed=9
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/iov.json" >"$tmp/out" 2>&1
check "one iovec to 1 GiB: the call outgrowing L2 is named" grep -q "WARNING: a call the fit did not see: .*page array of 2 MiB .*L2 cache (1 MiB), which held every fitted size's (512 KiB at most)" "$tmp/out"
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/iov.json" >"$tmp/iov-plan.json" 2>"$tmp/err"
jqc "one iovec to 1 GiB: json names L2" '.series[0].call_outgrows_cache == {"level": 2, "cache_bytes": 1048576, "array_bytes_fitted": 524288, "array_bytes_target": 2097152}' "$tmp/iov-plan.json"
"$PFNLAB" plan --size 512M --fit-max 256M "$tmp/iov.json" >"$tmp/out" 2>&1
check "one iovec to 512 MiB: 1 MiB still fits L2, no warning" bash -c "! grep -q 'a page array of' '$tmp/out'"
gen "$tmp/iov64.json" -v ppc=16384 -v caches=1 -v seed=9
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/iov64.json" >"$tmp/out" 2>&1
check "64 MiB iovecs: no warning" bash -c "! grep -q 'a page array of' '$tmp/out'"
gen "$tmp/iovvm.json" -v ppc=0 -v caches=1 -v clock=instructions -v seed=9
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/iovvm.json" >"$tmp/out" 2>&1
check "one iovec under the instruction clock: no warning" bash -c "! grep -q 'a page array of' '$tmp/out'"
# io_uring's segment table (16 bytes a segment) of a 1 GiB call of 4 KiB
# pages is 4 MiB, more than kmalloc's largest object at order 10: the
# kernel vmallocs it, where 256 MiB's 1 MiB was kmalloc'ed; the plan says
# so on the host's clock (under the lab VM's instruction clock that path
# cost 0.45% more work, not 48% more time, and is not named).  Huge folios are a segment each from 6.12 (512
# segments: nothing to say), a page each before; the unregistration frees
# the table, which vfree() defers, and is not named; at order 11 kmalloc
# holds 8 MiB, and 64 MiB iovecs never need more than 256 KiB
gen "$tmp/tab.json" -v pages="4k thp" -v ppc=0 -v order=10 -v seed=10
"$PFNLAB" plan --size 1G --fit-max 256M --page 4k "$tmp/tab.json" >"$tmp/out" 2>&1
check "one iovec of 4 KiB pages to 1 GiB: the vmalloc'ed table is named" grep -q "WARNING: a call the fit did not see: io_uring keeps a call's segments in one table of 16 bytes a segment; at the target a call has 262144 (4 MiB and a header), more than kmalloc's largest object (4 MiB), so the kernel vmallocs it, where every fitted size's (1 MiB at most) was kmalloc'ed" "$tmp/out"
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/tab.json" >"$tmp/tab-plan.json" 2>"$tmp/err"
jqc "json: the 4 KiB series' table, the thp series' none" '[.series[] | {page, t: .call_table_vmalloc}] == [{"page": "4k", "t": {"segments_target": 262144, "table_bytes_fitted": 1048576, "table_bytes_target": 4194304, "kmalloc_max_bytes": 4194304}}, {"page": "thp", "t": null}]' "$tmp/tab-plan.json"
"$PFNLAB" plan --size 512M --fit-max 256M --page 4k "$tmp/tab.json" >"$tmp/out" 2>&1
check "one iovec to 512 MiB: a 2 MiB table is kmalloc'ed, no warning" bash -c "! grep -q 'kernel vmallocs it' '$tmp/out'"
gen "$tmp/tabun.json" -v ppc=0 -v order=10 -v unpin=1 -v seed=10
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/tabun.json" >"$tmp/tab-plan.json" 2>"$tmp/err"
jqc "the unregistration's table is not named (its vfree is deferred)" '[.series[] | {op, t: (.call_table_vmalloc != null)}] == [{"op": "pin", "t": true}, {"op": "unpin", "t": false}]' "$tmp/tab-plan.json"
gen "$tmp/tab61.json" -v pages="4k thp" -v ppc=0 -v order=10 -v release=6.1.0 -v seed=10
"$PFNLAB" plan --json --size 1G --fit-max 256M --page thp "$tmp/tab61.json" >"$tmp/tab-plan.json" 2>"$tmp/err"
jqc "6.1 does not merge folios: thp's table is vmalloc'ed too" '.series[0].call_table_vmalloc.segments_target == 262144' "$tmp/tab-plan.json"
gen "$tmp/tab11.json" -v ppc=0 -v order=11 -v seed=10
"$PFNLAB" plan --size 1G --fit-max 256M --page 4k "$tmp/tab11.json" >"$tmp/out" 2>&1
check "order 11: kmalloc holds 8 MiB, no warning" bash -c "! grep -q 'kernel vmallocs it' '$tmp/out'"
gen "$tmp/tab99.json" -v ppc=0 -v order=99 -v seed=10
"$PFNLAB" plan --size 1G --fit-max 256M --page 4k "$tmp/tab99.json" >"$tmp/out" 2>&1
check "a garbled order (99) is not shifted by: 10 is taken" grep -q "more than kmalloc's largest object (4 MiB)" "$tmp/out"
gen "$tmp/tab64.json" -v ppc=16384 -v seed=10
"$PFNLAB" plan --size 1G --fit-max 256M --page 4k "$tmp/tab64.json" >"$tmp/out" 2>&1
check "64 MiB iovecs, order not recorded (10 taken): no warning" bash -c "! grep -q 'kernel vmallocs it' '$tmp/out'"
gen "$tmp/tabvm.json" -v ppc=0 -v clock=instructions -v seed=10
"$PFNLAB" plan --size 1G --fit-max 256M --page 4k "$tmp/tabvm.json" >"$tmp/out" 2>&1
check "instruction clock: the table is not named (0.45% more work in the lab VM)" bash -c "! grep -q 'kernel vmallocs it' '$tmp/out'"
# io_uring charges each huge folio once and, before it does, searches the
# segments registered before it: F folios, F(F-1)/2 checks where folios
# are merged (a segment each), 512 times that where not (6.1).  One iovec
# of THP: 512 folios at 1 GiB, 130,816 checks, 0.50 a page; 8,128 at
# 256 MiB, 0.124 a page; 384 MiB's 0.187 is under 0.1 more a page, 512 MiB's
# 0.249 is not.  The search spans an iovec on 6.18 (64 MiB iovecs: 32
# folios each, nothing to say) and the whole call on 6.12 (the same 130,816
# as one iovec).  It is work, so the instruction clock names it too; 4 KiB
# pages and the unregistration have no search.
gen "$tmp/chk.json" -v pages="4k thp" -v ppc=0 -v release=6.18.44 -v unpin=1 -v seed=11
"$PFNLAB" plan --size 1G --fit-max 256M --page thp --op pin "$tmp/chk.json" >"$tmp/out" 2>&1
check "one iovec of THP to 1 GiB: the search is named" grep -q "WARNING: a cost with the square of a call: .* at the target that is 131 k checks, 0.5 a 4 KiB page, where the largest size fitted made 0.12 a page" "$tmp/out"
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/chk.json" >"$tmp/chk-plan.json" 2>"$tmp/err"
jqc "json: the thp pin's checks; not 4k's, not the unpin's" '[.series[] | {page, op, c: .call_folio_checks}] == [{"page": "4k", "op": "pin", "c": null}, {"page": "4k", "op": "unpin", "c": null}, {"page": "thp", "op": "pin", "c": {"checks_target": 130816, "checks_per_page_fitted": 0.1240234375, "checks_per_page_target": 0.4990234375, "fitted": false}}, {"page": "thp", "op": "unpin", "c": null}]' "$tmp/chk-plan.json"
"$PFNLAB" plan --size 384M --fit-max 256M --page thp --op pin "$tmp/chk.json" >"$tmp/out" 2>&1
check "one iovec of THP to 384 MiB: 0.063 more a page, not named" bash -c "! grep -q 'a cost with the square' '$tmp/out'"
"$PFNLAB" plan --size 512M --fit-max 256M --page thp --op pin "$tmp/chk.json" >"$tmp/out" 2>&1
check "one iovec of THP to 512 MiB: 0.125 more a page, named" grep -q "32.6 k checks, 0.25 a 4 KiB page" "$tmp/out"
gen "$tmp/chk64.json" -v pages=thp -v ppc=16384 -v release=6.18.44 -v seed=11
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/chk64.json" >"$tmp/out" 2>&1
check "64 MiB iovecs on 6.18: a search an iovec, not named" bash -c "! grep -q 'a cost with the square' '$tmp/out'"
gen "$tmp/chk64old.json" -v pages=thp -v ppc=16384 -v release=6.12.117 -v seed=11
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/chk64old.json" >"$tmp/chk-plan.json" 2>"$tmp/err"
jqc "64 MiB iovecs on 6.12: the search spans the call" '.series[0].call_folio_checks.checks_target == 130816' "$tmp/chk-plan.json"
gen "$tmp/chk61.json" -v pages=thp -v ppc=0 -v release=6.1.0 -v seed=11
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/chk61.json" >"$tmp/chk-plan.json" 2>"$tmp/err"
jqc "6.1 does not merge folios: 512 checks a folio before" '.series[0].call_folio_checks.checks_target == 66977792' "$tmp/chk-plan.json"
gen "$tmp/chkvm.json" -v pages=thp -v ppc=0 -v clock=instructions -v seed=11
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/chkvm.json" >"$tmp/out" 2>&1
check "instruction clock: the search is work, named" grep -q 'a cost with the square' "$tmp/out"
# the search's cost fitted where the rounds tell it from 0: 12.6 ns a check
# and 40 ns a page, rounds within 0.1% (the lab VM's clock); 1 GiB is
# predicted with it, and the text names what it adds (130,816 x 12.6 ns)
gen "$tmp/chkfit.json" -v pages=thp -v ppc=0 -v release=6.18.44 -v per_page=40 -v per_folio=0 -v check_ns=12.6 -v bcv=0.001 -v seed=12
"$PFNLAB" plan --json --size 1G --fit-max 256M "$tmp/chkfit.json" >"$tmp/chk-plan.json" 2>"$tmp/err"
jqc "the search fitted: 12.6 ns a check within 5%" '.series[0] | .call_folio_checks.fitted and (.fit.checks.ns_per_check / 12.6 - 1 | fabs) < 0.05' "$tmp/chk-plan.json"
jqc "the search fitted: 1 GiB within 2% and inside" '.series[0].beyond_fit[] | select(.size_bytes == 1073741824) | .inside and (.error | fabs) < 0.02' "$tmp/chk-plan.json"
"$PFNLAB" plan --size 1G --fit-max 256M "$tmp/chkfit.json" >"$tmp/out" 2>&1
check "the search fitted: its cost in words, no WARNING" bash -c "grep -q 'ns per check of io_uring.s search for folios already charged' '$tmp/out' && grep -q '131 k checks, 0.5 a 4 KiB page (the largest size fitted 0.12): 1.6[0-9] ms of the plan' '$tmp/out' && ! grep -q 'WARNING: a cost with the square' '$tmp/out'"
# driver pin of 1 GiB: the xarray holds 262144 entries in 4096 + 64 + 1 nodes of 576 bytes
gen "$tmp/pin.json" -v backend=driver -v op=pin -v seed=6
"$PFNLAB" plan --json --size 1G "$tmp/pin.json" >"$tmp/pin-plan.json" 2>"$tmp/err"
jqc "pin: xarray tier 4161 nodes" '.series[0].memory.xarray_bytes == 2396736' "$tmp/pin-plan.json"
"$PFNLAB" plan --size 256G --force "$tmp/pin.json" >"$tmp/out" 2>&1
check "pin 256 GiB: the module's per-fd limit is named" grep -q 'limit: beyond PFNLAB_MAX_INDEX_BYTES' "$tmp/out"

# 6. bad input
gen "$tmp/two.json" -v sizes="16 64" -v seed=3
fails2 "two sizes" '2 sizes measured.*needs 3' --size 256M "$tmp/two.json"
fails2 "page not measured" 'page hugetlb-1g.*pages: 4k, thp' --size 1G --page hugetlb-1g "$tmp/sweep.json"
fails2 "backend not measured" 'backend driver.*backends: uring' --size 1G --backend driver "$tmp/sweep.json"
gen "$tmp/other.json" -v host=otherhost -v seed=4
fails2 "two hosts" 'more than one host (planhost' --size 1G "$tmp/sweep.json" "$tmp/other.json"
fails2 "target below the data" 'below the smallest size measured (16 MiB)' --size 8M "$tmp/sweep.json"
fails2 "too far beyond the data" '64x the largest size fitted (256 MiB).*--force' --size 16G --fit-max 256M "$tmp/sweep.json"
fails2 "no --size" '--size is required' "$tmp/sweep.json"
fails2 "bad --size" 'multiple of 4 KiB' --size 1000 "$tmp/sweep.json"
fails2 "bad --op" 'pin, unpin, map or read' --size 1G --op fill "$tmp/sweep.json"
fails2 "no result" 'no RESULT' --size 1G
printf '{"schema_version": 2, "benchmarks": [' >"$tmp/trunc.json"
fails2 "truncated result" 'trunc.json' --size 1G "$tmp/trunc.json"

# 7. --force extrapolates and says so
"$PFNLAB" plan --size 16G --fit-max 256M --force "$tmp/sweep.json" >"$tmp/out" 2>&1
check "--force plans 64x and marks it" grep -q '64x the largest size fitted (--force)' "$tmp/out"

finish plan.sh
