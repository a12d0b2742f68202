#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pfnlab compare and history from the command line, on synthetic result
# files (compare_synth.awk), so the tests never depend on a real run:
# exit statuses (0 / 1 / 2, bisect 0 / 1 / 125), --json, bad input messages,
# directories, filters, and change points found by history.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PFNLAB=${PFNLAB:-$here/../../build/harness/pfnlab}
synth=$here/compare_synth.awk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=harness/tests/lib/common.sh
. "$here/lib/common.sh"



gen "$tmp/base.json" -v seed=1 -v started=2026-01-01T00:00:00Z
gen "$tmp/same.json" -v seed=2 -v started=2026-01-02T00:00:00Z
gen "$tmp/slow.json" -v seed=3 -v slow=1.2 -v commit=def5678 -v kernel=6.12.1 -v started=2026-01-03T00:00:00Z
gen "$tmp/slow2.json" -v seed=4 -v slow=1.02 -v started=2026-01-03T00:00:00Z

# 1. two runs of the same build: nothing regressed
"$PFNLAB" compare "$tmp/base.json" "$tmp/same.json" >"$tmp/out" 2>"$tmp/err"
check "same build exits 0" test $? -eq 0
check "same build: environment identical" grep -q '^environment: identical' "$tmp/out"
check "same build: no REGRESSED line" bash -c "! grep -q REGRESSED '$tmp/out'"

# 2. a 20% slower pin path: exit 1 and the metric is named
"$PFNLAB" compare "$tmp/base.json" "$tmp/slow.json" >"$tmp/out" 2>"$tmp/err"
check "slowdown exits 1" test $? -eq 1
check "slowdown names pin_ns_per_page" grep -q '^REGRESSED: pin-uring|.* pin_ns_per_page: +' "$tmp/out"
check "slowdown: only gated metrics on REGRESSED lines" bash -c "! grep -q '^REGRESSED: .* pin_gib_per_s' '$tmp/out'"
check "slowdown: higher-is-better GiB/s shown regressed among the details" bash -c "sed -n '/^detail/,/^layout/p' '$tmp/out' | grep -q 'pin_gib_per_s .*regressed'"
check "slowdown: the table says where the noise came from" grep -q '^noise model: rounds of each run only' "$tmp/out"
check "slowdown: fill metrics not flagged" bash -c "! grep -q 'REGRESSED: fill' '$tmp/out'"
check "environment diff shows the kernel" grep -Eq 'environment\.kernel\.release +"6\.12\.0" -> "6\.12\.1"' "$tmp/out"
check "environment diff shows the suite commit" grep -q 'suite_commit .*"abc1234" -> "def5678"' "$tmp/out"
check "free hugepages are not an environment difference" bash -c "! grep -q '\.free' '$tmp/out'"

# 3. a 2% shift stays under the default 5% threshold
"$PFNLAB" compare "$tmp/base.json" "$tmp/slow2.json" >/dev/null 2>&1
check "2% shift exits 0" test $? -eq 0

# 4. --json
"$PFNLAB" compare --json "$tmp/base.json" "$tmp/slow.json" >"$tmp/json" 2>/dev/null
rc=$?
check "--json exits 1 on regression" test $rc -eq 1
jqc "--json is JSON with the verdicts" '.summary.gated.regressed > 0 and .exit_status == 1 and (.metrics | length) == 84 and ([.metrics[] | select(.verdict == "regressed" and .metric == "pin_ns_per_page")] | length) == 10' "$tmp/json"
jqc "--json: rounds, MDE and kind per metric" 'all(.metrics[]; .base.rounds == 5 and .new.rounds == 5 and (.kind | test("gated|detail|layout")) and (.mde95 == null or .mde95 >= 0))' "$tmp/json"
jqc "--json: skipped benchmark not compared" '.matched_but_not_measured == 1' "$tmp/json"
jqc "--json: CI brackets the ratio" '[.metrics[] | select(.ci95[0] <= .ratio and .ratio <= .ci95[1])] | length == 84' "$tmp/json"

# 5. thresholds and filters
"$PFNLAB" compare --threshold 50 "$tmp/base.json" "$tmp/slow.json" >/dev/null 2>&1
check "--threshold 50 hides a 20% change" test $? -eq 0
"$PFNLAB" compare --json --metric fill_ns_per_page "$tmp/base.json" "$tmp/slow.json" >"$tmp/json" 2>/dev/null
jqc "--metric keeps one metric" '(.metrics | length) == 8 and all(.metrics[]; .metric == "fill_ns_per_page")' "$tmp/json"
"$PFNLAB" compare --threshold abc "$tmp/base.json" "$tmp/slow.json" >/dev/null 2>"$tmp/err"
check "bad --threshold exits 2" test $? -eq 2
check "bad --threshold says why" grep -q 'threshold wants a percentage' "$tmp/err"

# 6. git bisect run mapping
"$PFNLAB" compare --bisect "$tmp/base.json" "$tmp/slow.json" >/dev/null 2>&1
check "--bisect bad = 1" test $? -eq 1
gen "$tmp/n1.json" -v seed=5 -v rounds=2 -v bcv=0.2
gen "$tmp/n2.json" -v seed=6 -v rounds=2 -v bcv=0.2
# two rounds of 20% spread can neither show nor rule out a 5% change
"$PFNLAB" compare --bisect "$tmp/n1.json" "$tmp/n2.json" >/dev/null 2>&1
check "--bisect undecided = 125" test $? -eq 125
gen "$tmp/q1.json" -v seed=10 -v bcv=0.005 -v cv=0.005
gen "$tmp/q2.json" -v seed=11 -v bcv=0.005 -v cv=0.005
"$PFNLAB" compare --bisect "$tmp/q1.json" "$tmp/q2.json" >/dev/null 2>&1
check "--bisect good = 0" test $? -eq 0
"$PFNLAB" compare --bisect "$tmp/base.json" "$tmp/missing.json" >/dev/null 2>&1
check "--bisect input error = 128 (aborts the bisect)" test $? -eq 128

# 7. bad input
head -c 700 "$tmp/base.json" >"$tmp/trunc.json"
"$PFNLAB" compare "$tmp/base.json" "$tmp/trunc.json" >/dev/null 2>"$tmp/err"
check "truncated file exits 2" test $? -eq 2
check "truncated file named with the reason" grep -q "trunc.json: truncated JSON" "$tmp/err"
echo 'this is not json' >"$tmp/garbage.json"
"$PFNLAB" compare "$tmp/garbage.json" "$tmp/base.json" >/dev/null 2>"$tmp/err"
check "invalid JSON named with line and column" grep -q "garbage.json: invalid JSON at line 1, column" "$tmp/err"
echo '{"schema_version": 1}' >"$tmp/nobench.json"
"$PFNLAB" compare "$tmp/nobench.json" "$tmp/base.json" >/dev/null 2>"$tmp/err"
check "not a result document" grep -q "nobench.json: not a pfnlab result (no benchmarks array)" "$tmp/err"

gen "$tmp/v3.json" -v seed=7 -v schema=3
"$PFNLAB" compare "$tmp/base.json" "$tmp/v3.json" >"$tmp/out" 2>"$tmp/err"
check "other schema version still compared (exit 0)" test $? -eq 0
check "other schema version warned" grep -q "v3.json: schema_version 3, this pfnlab reads 1 and 2" "$tmp/err"
check "other schema version: table printed" grep -q 'metrics compared' "$tmp/out"
gen "$tmp/v1.json" -v seed=7 -v schema=1 -v slow=1.2
"$PFNLAB" compare --json "$tmp/base.json" "$tmp/v1.json" >"$tmp/json" 2>"$tmp/err"
check "schema 1 read without a loader warning" bash -c "! grep -q 'this pfnlab reads' '$tmp/err'"
jqc "schema 1 is one round: a 20% step is undecided, never regressed" '.exit_status == 0 and all(.metrics[]; .new.rounds == 1 and .verdict == "undecided")' "$tmp/json"

gen "$tmp/other.json" -v seed=8 -v host=elsewhere
"$PFNLAB" compare "$tmp/base.json" "$tmp/other.json" >"$tmp/out" 2>"$tmp/err"
check "different machines still compared" grep -q 'metrics compared' "$tmp/out"
check "different machines said" grep -q 'come from different machines' "$tmp/err"

jq '.benchmarks |= map(.key = ("renamed-" + .key))' "$tmp/same.json" >"$tmp/renamed.json"
"$PFNLAB" compare "$tmp/base.json" "$tmp/renamed.json" >"$tmp/out" 2>"$tmp/err"
check "no common benchmark exits 2" test $? -eq 2
check "no common benchmark said" grep -q 'no metric in common' "$tmp/err"
check "unmatched counts said" grep -q '29 benchmark(s) only in BASE, 29 only in NEW' "$tmp/err"

# 8. directories: the samples of a side are pooled
mkdir -p "$tmp/dir/sub"
cp "$tmp/base.json" "$tmp/dir/"
gen "$tmp/dir/sub/again.json" -v seed=9 -v started=2026-01-01T01:00:00Z
cp "$tmp/garbage.json" "$tmp/dir/"
"$PFNLAB" compare --json "$tmp/dir" "$tmp/same.json" >"$tmp/json" 2>"$tmp/err"
jqc "directory of runs: two runs of 5 rounds, each run counted once" 'all(.metrics[]; .base.runs == 2 and .base.rounds == 10 and .new.runs == 1 and .new.rounds == 5 and (.noise == "runs"))' "$tmp/json"
check "bad file inside a directory skipped with its name" grep -q 'garbage.json: invalid JSON.*skipped' "$tmp/err"

# 8b. one run = host + lab VM: environments are diffed machine by machine
mkdir -p "$tmp/runA" "$tmp/runB"
gen "$tmp/runA/host.json" -v seed=12 -v host=box -v kernel=6.18
gen "$tmp/runA/vm.json" -v seed=13 -v host=labvm -v kernel=6.12.1
gen "$tmp/runB/host.json" -v seed=14 -v host=box -v kernel=6.18
gen "$tmp/runB/vm.json" -v seed=15 -v host=labvm -v kernel=6.12.2
"$PFNLAB" compare "$tmp/runA" "$tmp/runB" >"$tmp/out" 2>"$tmp/err"
check "host+VM runs: the VM's kernel change is reported under its name" grep -Eq '^  labvm: environment\.kernel\.release +"6\.12\.1" -> "6\.12\.2"' "$tmp/out"
check "host+VM runs: the host is not compared with the VM" bash -c "! grep -q '6\.18' '$tmp/out' && ! grep -q 'different machines' '$tmp/err'"

# 9. history: a 15% step at the sixth of eight runs
mkdir -p "$tmp/hist"
for i in 1 2 3 4 5 6 7 8; do
	s=1.0
	[ "$i" -ge 6 ] && s=1.15
	gen "$tmp/hist/r$i.json" -v seed=$((20 + i)) -v slow=$s -v commit=c$i -v started=2026-02-0${i}T00:00:00Z
done
"$PFNLAB" history --json --metric pin_ns_per_page "$tmp/hist" >"$tmp/json" 2>"$tmp/err"
check "history exits 0" test $? -eq 0
jqc "history: every pin series changes at run 5, +15% +- 6%" '(.series | length) == 10 and all(.series[]; (.change_points | length) == 1 and .change_points[0].run == 5 and (.change_points[0].shift - 0.15 | fabs) < 0.06)' "$tmp/json"
"$PFNLAB" history --json --metric fill_ns_per_page "$tmp/hist" >"$tmp/json" 2>/dev/null
jqc "history: unchanged fill series have no change point" '(.series | length) == 8 and all(.series[]; (.change_points | length) == 0)' "$tmp/json"
"$PFNLAB" history --changes "$tmp/hist" >"$tmp/out" 2>/dev/null
check "history text names the run and the shift" grep -Eq 'change at run \[5\] \(c6 6\.12\.0\): .* \(\+1[0-9]\.[0-9]%, worse\)' "$tmp/out"

# 9a. one odd run is not two changes; a step at the newest run is one
mkdir -p "$tmp/odd" "$tmp/last"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	s=1.0
	[ "$i" -eq 6 ] && s=1.6
	gen "$tmp/odd/r$i.json" -v seed=$((60 + i)) -v slow=$s -v commit=c$i -v started=2026-04-$((10 + i))T00:00:00Z
	s=1.0
	[ "$i" -eq 12 ] && s=1.6
	gen "$tmp/last/r$i.json" -v seed=$((60 + i)) -v slow=$s -v commit=c$i -v started=2026-04-$((10 + i))T00:00:00Z
done
"$PFNLAB" history --json --metric pin_ns_per_page "$tmp/odd" >"$tmp/json" 2>/dev/null
jqc "history: a 60% odd run mid-series is listed as odd, no change point" '(.series | length) == 10 and all(.series[]; (.change_points | length) == 0 and .outlier_runs == [5])' "$tmp/json"
"$PFNLAB" history --metric pin_ns_per_page "$tmp/odd" >"$tmp/out" 2>/dev/null
check "history text: the odd run named" grep -q 'odd run(s), one run off a level that came back: \[5\]' "$tmp/out"
"$PFNLAB" history --json --metric pin_ns_per_page "$tmp/last" >"$tmp/json" 2>/dev/null
jqc "history: the same jump at the newest run is a change there" '(.series | length) == 10 and all(.series[]; (.change_points | length) == 1 and .change_points[0].run == 11 and (.outlier_runs | length) == 0)' "$tmp/json"

# 9b. history as a noise model: runs that differ by 8% as whole processes
# (rcv), which their rounds cannot see.  One run against one: without the
# history that difference reads as a change; with it, it does not.
mkdir -p "$tmp/noisy"
for i in 1 2 3 4 5 6 7 8 9 10; do
	gen "$tmp/noisy/r$i.json" -v seed=$((40 + i)) -v rcv=0.08 -v bcv=0.01 -v started=2026-03-$((10 + i))T00:00:00Z
done
flagged_without=0 flagged_with=0
for pair in "1 2" "3 4" "5 6" "7 8" "9 10" "1 10" "2 9" "3 8"; do
	# shellcheck disable=SC2086 # the pair splits into two run numbers
	set -- $pair
	"$PFNLAB" compare --json "$tmp/noisy/r$1.json" "$tmp/noisy/r$2.json" >"$tmp/json" 2>/dev/null
	jq -e '.summary.gated.regressed + .summary.gated.improved > 0' "$tmp/json" >/dev/null && flagged_without=$((flagged_without + 1))
	"$PFNLAB" compare --json --history "$tmp/noisy" "$tmp/noisy/r$1.json" "$tmp/noisy/r$2.json" >"$tmp/json" 2>/dev/null
	jq -e '.summary.gated.regressed + .summary.gated.improved > 0' "$tmp/json" >/dev/null && flagged_with=$((flagged_with + 1))
done
check "history noise model: run-to-run differences flagged without it ($flagged_without of 8 pairs)" test "$flagged_without" -ge 4
check "history noise model: not flagged with --history ($flagged_with of 8 pairs)" test "$flagged_with" -eq 0
jqc "history noise model: rows say rounds+history, 8 earlier runs used" '.noise_model.history_runs == 8 and any(.metrics[]; .noise == "rounds+history")' "$tmp/json"
"$PFNLAB" compare --history "$tmp/noisy" "$tmp/noisy/r1.json" "$tmp/noisy/r2.json" >"$tmp/out" 2>/dev/null
check "history noise model: said in the table" grep -q '^noise model: rounds of each run, plus the run-to-run variance of earlier runs' "$tmp/out"

# 9c. a short history: each metric's own run-to-run estimate from three
# earlier runs is rough, and some come out near 0.  The floor from all
# gated metrics (CMP_TAU_QUANTILE) keeps those from reading as changes.
mkdir -p "$tmp/few"
for i in 1 2 3 4 5; do
	gen "$tmp/few/r$i.json" -v seed=$((60 + i)) -v rcv=0.08 -v rcvper=1 -v bcv=0.01 -v started=2026-04-1${i}T00:00:00Z
done
flagged_few=0
for pair in "1 2" "1 3" "1 4" "1 5" "2 3" "2 4" "2 5" "3 4" "3 5" "4 5"; do
	# shellcheck disable=SC2086 # the pair splits into two run numbers
	set -- $pair
	"$PFNLAB" compare --json --history "$tmp/few" "$tmp/few/r$1.json" "$tmp/few/r$2.json" >"$tmp/json" 2>/dev/null
	jq -e '.summary.gated.regressed + .summary.gated.improved > 0' "$tmp/json" >/dev/null && flagged_few=$((flagged_few + 1))
done
check "short history: the cross-metric floor keeps A/A pairs unflagged ($flagged_few of 10)" test "$flagged_few" -eq 0

# 9d. an unstable run: NEW's rounds scatter by 25% (the machine changed
# speed under it) and its mean is 30% slower.  Its rounds cannot say
# whether the code changed: undecided, and the table says which side.
gen "$tmp/calm.json" -v seed=70 -v bcv=0.03
gen "$tmp/shaky.json" -v seed=71 -v bcv=0.25 -v slow=1.3
gen "$tmp/slow.json" -v seed=72 -v bcv=0.03 -v slow=1.3
"$PFNLAB" compare --json "$tmp/calm.json" "$tmp/shaky.json" >"$tmp/json" 2>/dev/null
jqc "unstable NEW: no gated metric regressed, round spread names NEW" '.round_spread.unstable == "NEW" and .summary.gated.regressed == 0 and .summary.gated.improved == 0' "$tmp/json"
"$PFNLAB" compare "$tmp/calm.json" "$tmp/shaky.json" >"$tmp/out" 2>/dev/null
check "unstable NEW: said in the table" grep -q "^UNSTABLE: NEW's rounds moved together" "$tmp/out"
"$PFNLAB" compare --json "$tmp/calm.json" "$tmp/slow.json" >"$tmp/json" 2>/dev/null
jqc "stable 30% slower run: pin regressed, spread not unstable" '.round_spread.unstable == null and .summary.gated.regressed > 0' "$tmp/json"

# 9e. --history with too few runs (a new host): one run against one run
# cannot know its run-to-run noise, so nothing is called; without
# --history the same pair is judged on rounds alone, as the table says.
mkdir -p "$tmp/young"
gen "$tmp/young/r1.json" -v seed=80 -v started=2026-05-01T00:00:00Z
gen "$tmp/young/r2.json" -v seed=81 -v started=2026-05-02T00:00:00Z
gen "$tmp/young/r3.json" -v seed=82 -v slow=1.3 -v started=2026-05-03T00:00:00Z
"$PFNLAB" compare --json --history "$tmp/young" "$tmp/young/r2.json" "$tmp/young/r3.json" >"$tmp/json" 2>/dev/null
jqc "young history: a 30% step is undecided, the reason says why" '.exit_status == 0 and .summary.gated.regressed == 0 and any(.metrics[]; .verdict == "undecided" and (.why | test("run-to-run noise unknown")))' "$tmp/json"
"$PFNLAB" compare --json "$tmp/young/r2.json" "$tmp/young/r3.json" >"$tmp/json" 2>/dev/null
jqc "no --history: the same pair regressed on rounds alone" '.exit_status == 1 and .summary.gated.regressed > 0' "$tmp/json"

# 10. every subcommand has --help
for c in compare history plot report; do
	"$PFNLAB" "$c" --help >"$tmp/out" 2>&1
	check "$c --help" bash -c "[ $? -eq 0 ] && grep -q 'usage: pfnlab $c' '$tmp/out'"
done

finish compare.sh
