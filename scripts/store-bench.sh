#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The analysis at lab scale, measured: RUNS runs made from real result files
# (harness/tools/synth_runs.c: each metric scattered by its own run-level
# uncertainty, known steps injected), then the time and peak memory of
# `pfnlab index`, `history` of one series and of all (from the store, and
# from the files without it), and `report --lab` with its largest page; and
# whether history found the injected steps, with no other change point.
#
#   scripts/store-bench.sh [-n RUNS] [-H HOSTS] [-o DIR] [TEMPLATE.json...]
#
# TEMPLATE defaults to the host results of the newest `make bench` run
# (results/*/*/host.json).  The runs are kept in DIR/runs (default
# build/store-bench) and remade only when RUNS, HOSTS or the templates
# change.  Results: DIR/results.tsv and a summary on stdout.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
nruns=10000 nhosts=2 out=$top/build/store-bench
while getopts n:H:o:h opt; do
	case $opt in
	n) nruns=$OPTARG ;;
	H) nhosts=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,16p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
templates=("$@")
if [ ${#templates[@]} -eq 0 ]; then
	newest=$(find "$top/results" -name host.json -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n1 | cut -d' ' -f2-)
	[ -n "$newest" ] || { echo "store-bench: no TEMPLATE given and no results/*/*/host.json (run make bench)" >&2; exit 2; }
	templates=("$newest")
fi
[ -x /usr/bin/time ] || { echo "store-bench: needs GNU time (apt-get install time)" >&2; exit 2; }

make -s -C "$top/harness" >/dev/null
pfnlab=$top/build/harness/pfnlab synth=$top/build/harness/synth-runs
per_host=$((nruns / nhosts))
# Steps: every host's 60% mark +10% worse; the second host also 8% better at 80%.
steps=(--step "$((per_host * 6 / 10)):10")
[ "$nhosts" -ge 2 ] && steps+=(--step "$((per_host * 8 / 10)):-8:lab-1")
mkdir -p "$out"
params="$nruns $nhosts ${steps[*]} $(sha256sum "${templates[@]}" | cut -c1-16 | tr '\n' ' ')"
if [ "$(cat "$out/params" 2>/dev/null)" != "$params" ]; then
	rm -rf "$out/runs" "$out/params"
	echo "store-bench: making $nruns runs from ${templates[*]}"
	t0=$(date +%s)
	"$synth" -n "$nruns" -H "$nhosts" -o "$out/runs" "${steps[@]}" "${templates[@]}" >"$out/truth.tsv"
	echo "$params" >"$out/params"
	echo "store-bench: made in $(( $(date +%s) - t0 )) s, $(du -sh "$out/runs" | cut -f1)"
fi

# measure NAME CMD...: wall seconds and peak RSS (MiB) of CMD into results.tsv;
# its line goes to fd 3 (stdout) since the caller may redirect CMD's output.
exec 3>&1
: >"$out/results.tsv"
measure() {
	local name=$1; shift
	/usr/bin/time -f '%e %M' -o "$out/time.$name" "$@"
	read -r secs kib <"$out/time.$name"
	printf '%s\t%s\t%s\n' "$name" "$secs" "$((kib / 1024))" >>"$out/results.tsv"
	printf 'store-bench: %-22s %8s s %6s MiB\n' "$name" "$secs" "$((kib / 1024))" >&3
}

rm -f "$out/runs/pfnlab-index.sqlite"*
measure index "$pfnlab" index -q "$out/runs"
measure index-again "$pfnlab" index -q "$out/runs"
echo "store-bench: store $(du -sh "$out/runs/pfnlab-index.sqlite" | cut -f1)"
key=$(jq -r 'first(.benchmarks[] | select(.status == "ok") | .key)' "${templates[0]}")
measure history-one "$pfnlab" history --json --host lab-0 --metric pin_ns_per_page --bench "$key" "$out/runs" >"$out/one.json"
measure history-all "$pfnlab" history --json "$out/runs" >"$out/all.json"
measure history-one-files "$pfnlab" history --no-store --json --host lab-0 --metric pin_ns_per_page --bench "$key" "$out/runs" >"$out/one-files.json"
measure report-lab "$pfnlab" report --lab -o "$out/lab" "$out/runs" >"$out/report.out"
largest=$(find "$out/lab" -name '*.html' -printf '%s\n' | sort -n | tail -n1)
pages=$(find "$out/lab" -name '*.html' | wc -l)
printf 'report-largest-page-bytes\t%s\t%s\n' "$largest" "$pages" >>"$out/results.tsv"
echo "store-bench: report: $pages pages, largest $largest bytes"
cmp -s <(jq -S .series "$out/one.json") <(jq -S .series "$out/one-files.json") ||
	{ echo "store-bench: history of one series differs between the store and the files" >&2; exit 1; }

# The truth: a step at commit C of host H is run index C * HOSTS + H.
# Found: a change point within 2% of the series' length of it, worse for
# +PCT, better for -PCT (a 10% step on a metric whose runs scatter by 28%
# is placed up to ~1.6% off; docs/store.md).  False: every other change
# point.  Odd runs (one run off a level that came back) are counted apart.
jq -r --argjson hosts "$nhosts" --argjson per "$per_host" --rawfile truth "$out/truth.tsv" '
	($per * $hosts * 2 / 100) as $win
	| ($truth | split("\n") | map(select(startswith("step"))) | map(split("\t"))
	 | map({host: .[1], commit: (.[2] | tonumber), pct: (.[3] | tonumber)})) as $steps
	| [.series[] | select(.kind != "layout") as $s
	   | ($s.host | ltrimstr("lab-") | tonumber) as $h
	   | [$steps[] | select(.host == "all" or .host == $s.host)
	      | {run: (.commit * $hosts + $h), worse: (.pct > 0)}] as $want
	   | [$want[] as $w | [$s.change_points[]
			| select(((.run - $w.run) | fabs) <= $win
				 and ((.shift > 0) == ($s.better == "lower")) == $w.worse)
			| ((.run - $w.run) | fabs) / $hosts] | min] as $offsets
	   | {want: ($want | length),
	      found: ($offsets | map(select(. != null)) | length),
	      offset: ($offsets | map(select(. != null)) | max // 0),
	      odd: ($s.outlier_runs | length),
	      false: ([$s.change_points[] as $c | [$want[] | select((($c.run - .run) | fabs) <= $win)] | length == 0] | map(select(.)) | length)}]
	| "steps\t\(map(.found) | add)\t\(map(.want) | add)\t\(map(.offset) | max)\nfalse_change_points\t\(map(.false) | add)\t\(length)\nodd_runs\t\(map(.odd) | add)\t\(length)"
' "$out/all.json" >>"$out/results.tsv"
awk -F'\t' '$1 == "steps" { printf "store-bench: injected steps found: %s of %s (farthest %s commits off)\n", $2, $3, $4 }
	$1 == "false_change_points" { printf "store-bench: other change points: %s over %s series\n", $2, $3 }
	$1 == "odd_runs" { printf "store-bench: odd runs (one run off a level, not changes): %s\n", $2 }' "$out/results.tsv"
echo "store-bench: results in $out/results.tsv"
