#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# verdict-aa: how often `pfnlab compare` cries wolf on real runs.  N runs of
# one build back to back (the host backends of JOB at `make bench`'s
# settings), then every pair compared, first with the rounds alone and then
# with the other runs as --history (compare never counts the two it
# compares).  A benchmark of the verdict method, not a test: the numbers go
# into docs/verdicts.md.
#
#   scripts/verdict-aa.sh [-n N] [-o DIR] [JOB]     (default 10 runs of
#                                                    bench/quick.ini)
#
# Prints, per noise model, one line:
#   A/A rounds-only: G of P pairs gated (exit 1); F of M gated metric
#   comparisons flagged (x%); U undecided (y%)
# The runs stay in DIR (default build/verdict-aa).  Exit 0 once measured.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
n=10 out=build/verdict-aa
while getopts n:o:h opt; do
	case $opt in
	n) n=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '11,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
job=${1:-bench/quick.ini}
case "$n" in '' | *[!0-9]* | 0 | 1) echo "verdict-aa: -n wants 2 or more runs" >&2; exit 2 ;; esac
PFNLAB=build/harness/pfnlab
make -s -C harness -j2 >/dev/null || { echo "verdict-aa: harness build failed" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/runs"
hp=/proc/sys/vm/nr_hugepages
old_hp=$(cat "$hp")
[ "$old_hp" -lt 160 ] && echo 160 >"$hp"
trap 'echo "$old_hp" >"$hp"' EXIT

for ((i = 1; i <= n; i++)); do
	t0=$SECONDS
	"$PFNLAB" run -q --backend uring,pagemap -o "$(printf '%s/runs/run%02d.json' "$out" "$i")" "$job" ||
		{ echo "verdict-aa: run $i failed" >&2; exit 2; }
	echo "run $i/$n: $((SECONDS - t0)) s"
done

for model in rounds-only history; do
	pairs=0 gated=0 flagged=0 metrics=0 undecided=0
	for ((i = 1; i <= n; i++)); do
		for ((j = i + 1; j <= n; j++)); do
			a=$(printf '%s/runs/run%02d.json' "$out" "$i")
			b=$(printf '%s/runs/run%02d.json' "$out" "$j")
			args=()
			[ "$model" = history ] && args=(--history "$out/runs")
			"$PFNLAB" compare --json "${args[@]}" "$a" "$b" >"$out/$model-$i-$j.json" 2>/dev/null
			rc=$?
			pairs=$((pairs + 1))
			[ "$rc" -eq 1 ] && gated=$((gated + 1))
			read -r m f u < <(jq -r '.summary.gated | "\(.regressed + .improved + .unchanged + .undecided) \(.regressed + .improved) \(.undecided)"' "$out/$model-$i-$j.json")
			metrics=$((metrics + m))
			flagged=$((flagged + f))
			undecided=$((undecided + u))
		done
	done
	awk -v model="$model" -v p="$pairs" -v g="$gated" -v f="$flagged" -v m="$metrics" -v u="$undecided" \
		'BEGIN { printf "A/A %s: %d of %d pairs gated (exit 1); %d of %d gated metric comparisons flagged (%.2f%%); %d undecided (%.1f%%)\n", model, g, p, f, m, 100 * f / m, u, 100 * u / m }' |
		tee -a "$out/summary"
done
# Which metrics were flagged, and how often: where the method still errs.
jq -r '.metrics[] | select(.kind == "gated" and (.verdict == "regressed" or .verdict == "improved")) |
	"\(.key | split("|") | .[0]) \(.metric) \([.key | split("|")[] | select(test("^(page|size|fill|batch_runs|window|pattern)="))] | join(" "))"' \
	"$out"/history-*.json 2>/dev/null | sort | uniq -c | sort -rn | head -n 20 >"$out/flagged-history.txt"
exit 0
