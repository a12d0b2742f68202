#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The results store (pfnlab index) and what reads it: history from the
# store against history from the files (the reference: the same analysis
# without the store), idempotence, corrupt, truncated, changed and deleted
# files, two schema versions, an index killed mid-transaction, two writers
# at once, `pfnlab run` adding to a store, and the lab report's pages.
# Runs are made by synth-runs from synthetic documents (compare_synth.awk).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PFNLAB=${PFNLAB:-$here/../../build/harness/pfnlab}
SYNTH=${SYNTH:-$here/../../build/harness/synth-runs}
synth=$here/compare_synth.awk
tmp=$(mktemp -d)
tmp=$(cd "$tmp" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=harness/tests/lib/common.sh
. "$here/lib/common.sh"

# The same history read from the files, for comparison with the store's.
hist_files() { "$PFNLAB" history --no-store --json "$@" 2>/dev/null; }
hist_store() { "$PFNLAB" history --json "$@" 2>/dev/null; }

gen "$tmp/t1.json" -v seed=11 -v rounds=5 -v bcv=0.01 -v cv=0.01
gen "$tmp/t2.json" -v seed=12 -v rounds=5 -v bcv=0.01 -v cv=0.01

# A tree of 2 hosts x 20 commits; lab-0 gets 25% worse from commit 12.
tree=$tmp/tree
"$SYNTH" -n 40 -H 2 -o "$tree" --step 12:25:lab-0 "$tmp/t1.json" "$tmp/t2.json" >"$tmp/truth"
check "synth-runs states the step" grep -qP '^step\tlab-0\t12\t\+25\.0$' "$tmp/truth"
nfiles=$(find "$tree" -name '*.json' | wc -l)
check "40 run files" [ "$nfiles" -eq 40 ]

# 1. make the store; a second index changes nothing
"$PFNLAB" index "$tree" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "index exits 0" [ "$rc" -eq 0 ]
check "index: 40 added" grep -q ': 40 added, 0 updated, 0 unchanged, 0 removed, 0 skipped' "$tmp/out"
check "store file made" [ -f "$tree/pfnlab-index.sqlite" ]
hist_files "$tree" >"$tmp/ref.json"
hist_store "$tree" >"$tmp/st.json"
check "history from the store == history from the files" cmp -s "$tmp/ref.json" "$tmp/st.json"
jqc "history: 40 runs, both hosts" '(.runs | length) == 40 and ([.runs[].host] | unique) == ["lab-0", "lab-1"]' "$tmp/st.json"
# The step: every lab-0 pin_ns_per_page series changes at lab-0's commit 12
# (run index 24), lab-1's never do.
jqc "history: lab-0 pin series change at commit 12, +25% +- 8%" \
	'[.series[] | select(.host == "lab-0" and .metric == "pin_ns_per_page")] | length > 0 and all(.[]; (.change_points | length) == 1 and .change_points[0].run == 24 and (.change_points[0].shift - 0.25 | fabs) < 0.08)' "$tmp/st.json"
jqc "history: no change point on lab-1" '[.series[] | select(.host == "lab-1") | .change_points[]] | length == 0' "$tmp/st.json"
"$PFNLAB" index "$tree" >"$tmp/out" 2>&1
check "index again: all 40 unchanged" grep -q ': 0 added, 0 updated, 40 unchanged, 0 removed, 0 skipped' "$tmp/out"
hist_store "$tree" >"$tmp/st2.json"
check "index again: the store reads the same" cmp -s "$tmp/ref.json" "$tmp/st2.json"
"$PFNLAB" index --check "$tree" >"$tmp/out" 2>&1; rc=$?
check "--check: consistent, exit 0" bash -c "[ $rc -eq 0 ] && grep -q '40 runs indexed' \"\$1\" && grep -q '^integrity: ok' \"\$1\" && grep -q '^files: all indexed' \"\$1\"" _ "$tmp/out"

# 2. queries: host, kernel, commit range, metric, bench
hist_store --host lab-1 --metric pin_ns_per_page "$tree" >"$tmp/q.json"
jqc "--host: only lab-1's 20 runs and series" '(.runs | length) == 20 and all(.runs[]; .host == "lab-1") and all(.series[]; .host == "lab-1" and .metric == "pin_ns_per_page")' "$tmp/q.json"
hist_files --host lab-1 --metric pin_ns_per_page "$tree" >"$tmp/qf.json"
check "--host: store and files agree" cmp -s "$tmp/q.json" "$tmp/qf.json"
hist_store --commits c000005..c000009 "$tree" >"$tmp/q.json"
jqc "--commits: 5 commits x 2 hosts" '(.runs | length) == 10 and (.runs[0].suite_commit == "c000005") and (.runs[-1].suite_commit == "c000009")' "$tmp/q.json"
hist_files --commits c000005..c000009 "$tree" >"$tmp/qf.json"
check "--commits: store and files agree" cmp -s "$tmp/q.json" "$tmp/qf.json"
"$PFNLAB" history --commits nosuch.. "$tree" >/dev/null 2>"$tmp/err"; rc=$?
check "--commits: unknown commit exits 2, named" bash -c "[ $rc -eq 2 ] && grep -q \"no run of suite commit 'nosuch'\" \"\$1\"" _ "$tmp/err"
hist_store --kernel 6.12.0 --bench size=67108864 "$tree" >"$tmp/q.json"
jqc "--kernel and --bench select" '(.runs | length) == 40 and (.series | length) > 0 and all(.series[]; .key | test("size=67108864"))' "$tmp/q.json"
hist_store --kernel 9.9 "$tree" >"$tmp/q.json"
jqc "--kernel: none of that kernel, no runs" '(.runs | length) == 0' "$tmp/q.json"

# 3. a changed file is re-read
f=$tree/lab-1/c000003/run.json
jq -c '.benchmarks[0].metrics.pin_ns_per_page.rounds |= map(map(. * 3))' "$f" >"$tmp/x" && mv "$tmp/x" "$f"
"$PFNLAB" index "$tree" >"$tmp/out" 2>&1
check "changed file: 1 updated" grep -q ': 0 added, 1 updated, 39 unchanged' "$tmp/out"
hist_files "$tree" >"$tmp/ref.json"
hist_store "$tree" >"$tmp/st.json"
check "changed file: store == files again" cmp -s "$tmp/ref.json" "$tmp/st.json"

# 4. a truncated file and a corrupt one: named, skipped, their rows gone
head -c 2000 "$tree/lab-0/c000004/run.json" >"$tmp/x" && mv "$tmp/x" "$tree/lab-0/c000004/run.json"
printf 'not json at all\n' >"$tree/lab-1/c000007/run.json"
"$PFNLAB" index "$tree" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "corrupt files: exit 1" [ "$rc" -eq 1 ]
check "corrupt files: both named, skipped" bash -c "grep -q 'lab-0/c000004/run.json.*skipped' \"\$1\" && grep -q 'lab-1/c000007/run.json.*skipped' \"\$1\"" _ "$tmp/err"
check "corrupt files: rows removed, said" bash -c "[ \$(grep -c 'no longer loads; removed from the index' \"\$1\") -eq 2 ]" _ "$tmp/err"
check "corrupt files: summary 2 removed, 2 skipped" grep -q ': 0 added, 0 updated, 38 unchanged, 2 removed, 2 skipped' "$tmp/out"
hist_files "$tree" >"$tmp/ref.json"
hist_store "$tree" >"$tmp/st.json"
check "corrupt files: store == files (38 runs)" bash -c "cmp -s \"\$1\" \"\$2\" && [ \$(jq '.runs | length' \"\$2\") -eq 38 ]" _ "$tmp/ref.json" "$tmp/st.json"
"$PFNLAB" index --check "$tree" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--check: the corrupt files named as not indexed, exit 1" bash -c "[ $rc -eq 1 ] && grep -q '^integrity: ok' \"\$1\" && grep -q '^files: 2 new' \"\$1\" && grep -q 'c000004/run.json: new or changed' \"\$2\"" _ "$tmp/out" "$tmp/err"
rm -f "$tree/lab-0/c000004/run.json" "$tree/lab-1/c000007/run.json"

# 5. a deleted file
rm "$tree/lab-1/c000009/run.json"
"$PFNLAB" index "$tree" >"$tmp/out" 2>"$tmp/err"
check "deleted file: named and removed" grep -q 'lab-1/c000009/run.json: gone; removed from the index' "$tmp/err"
check "deleted file: 37 runs left, consistent" bash -c "'$PFNLAB' index --check \"\$1\" | grep -q '37 runs indexed'" _ "$tree"
# history brings the store up to date itself
rm "$tree/lab-1/c000010/run.json"
hist_store "$tree" >"$tmp/st.json"
hist_files "$tree" >"$tmp/ref.json"
check "history syncs a deletion itself" bash -c "cmp -s \"\$1\" \"\$2\" && [ \$(jq '.runs | length' \"\$2\") -eq 36 ]" _ "$tmp/ref.json" "$tmp/st.json"

# 6. two schema versions in one tree
mkdir -p "$tree/old"
gen "$tree/old/s1.json" -v seed=21 -v schema=1 -v host=lab-1 -v started=2026-06-01T00:00:00Z
"$PFNLAB" index "$tree" >"$tmp/out" 2>&1
check "schema 1 file: added" grep -q ': 1 added' "$tmp/out"
hist_store "$tree" >"$tmp/st.json"
hist_files "$tree" >"$tmp/ref.json"
check "schema 1 and 2: store == files (37 runs)" bash -c "cmp -s \"\$1\" \"\$2\" && [ \$(jq '.runs | length' \"\$2\") -eq 37 ]" _ "$tmp/ref.json" "$tmp/st.json"

# 7. an index killed in the middle of a file's transaction
kill_tree=$tmp/kill
"$SYNTH" -n 12 -H 1 -o "$kill_tree" "$tmp/t1.json" >/dev/null
PFNLAB_STORE_KILL_AT=5 "$PFNLAB" index "$kill_tree" >/dev/null 2>&1; rc=$?
check "killed index: died by SIGKILL" [ "$rc" -eq 137 ]
"$PFNLAB" index --check "$kill_tree" >"$tmp/out" 2>/dev/null
check "killed index: 4 whole runs, sound, the rest not indexed" bash -c "grep -q ': 4 runs indexed' \"\$1\" && grep -q '^integrity: ok' \"\$1\" && grep -q '^files: 8 new' \"\$1\"" _ "$tmp/out"
hist_store --metric pin_ns_per_page "$kill_tree" >"$tmp/st.json"
"$PFNLAB" index "$kill_tree" >"$tmp/out" 2>&1
check "killed index: history completed it (0 added by index after)" grep -q ': 0 added, 0 updated, 12 unchanged' "$tmp/out"
hist_files --metric pin_ns_per_page "$kill_tree" >"$tmp/ref.json"
check "killed index: completed store == files" cmp -s "$tmp/ref.json" "$tmp/st.json"

# 8. two writers at once: every add succeeds, nothing lost or doubled
w=$tmp/writers
"$SYNTH" -n 24 -H 2 -o "$w" "$tmp/t1.json" >/dev/null
"$PFNLAB" index "$w" "$w/lab-0/c000000/run.json" >/dev/null 2>&1
writer() {
	local host=$1 bad=0
	for f in "$w/$host"/*/run.json; do
		"$PFNLAB" index -q "$w" "$f" 2>>"$tmp/writer-$host.err" || bad=$((bad + 1))
	done
	echo "$bad" >"$tmp/writer-$host.bad"
}
writer lab-0 & p0=$!
writer lab-1 & p1=$!
wait "$p0" "$p1"
writers_ok() { [ "$(cat "$tmp/writer-lab-0.bad")" -eq 0 ] && [ "$(cat "$tmp/writer-lab-1.bad")" -eq 0 ] && ! [ -s "$tmp/writer-lab-0.err" ] && ! [ -s "$tmp/writer-lab-1.err" ]; }
check "two writers: no add failed" writers_ok
"$PFNLAB" index --check "$w" >"$tmp/out" 2>&1; rc=$?
check "two writers: 24 runs, sound, matches the files" bash -c "[ $rc -eq 0 ] && grep -q ': 24 runs indexed' \"\$1\"" _ "$tmp/out"
hist_store "$w" >"$tmp/st.json"
hist_files "$w" >"$tmp/ref.json"
check "two writers: store == files" cmp -s "$tmp/ref.json" "$tmp/st.json"

# 9. bad input to index and history
"$PFNLAB" index "$tmp/nosuch" >/dev/null 2>"$tmp/err"; rc=$?
check "index of a missing DIR: exit 2, named" bash -c "[ $rc -eq 2 ] && grep -q 'nosuch' \"\$1\"" _ "$tmp/err"
"$PFNLAB" index "$w" "$tmp/t1.json" >/dev/null 2>"$tmp/err"; rc=$?
check "index of a file outside the tree: exit 1, named" bash -c "[ $rc -eq 1 ] && grep -q 't1.json: not a file under' \"\$1\"" _ "$tmp/err"
"$PFNLAB" index --check "$tmp" >/dev/null 2>"$tmp/err"; rc=$?
check "--check without a store: exit 2" bash -c "[ $rc -eq 2 ] && grep -q 'no store' \"\$1\"" _ "$tmp/err"
printf 'garbage' >"$tmp/g.sqlite"
mkdir -p "$tmp/gtree" && cp "$tmp/t1.json" "$tmp/gtree/" && mv "$tmp/g.sqlite" "$tmp/gtree/pfnlab-index.sqlite"
"$PFNLAB" history "$tmp/gtree" >/dev/null 2>"$tmp/err"; rc=$?
check "a store that is not SQLite: exit 2, named" bash -c "[ $rc -eq 2 ] && grep -q 'pfnlab-index.sqlite' \"\$1\"" _ "$tmp/err"

# 10. pfnlab run adds its results to the store of its tree
cat >"$tmp/tiny.ini" <<'INI'
[defaults]
rounds = 1
repetitions = 1
warmup = 0
size = 1M

[fill]
backend = pagemap
op = fill
fill = per-page
INI
mkdir -p "$w/new"
"$PFNLAB" run -q -o "$w/new/run.json" "$tmp/tiny.ini" >/dev/null 2>"$tmp/err"; rc=$?
if [ "$rc" -eq 0 ]; then
	"$PFNLAB" index --check "$w" >"$tmp/out" 2>&1; rc=$?
	check "run: its file is in the store at once" bash -c "[ $rc -eq 0 ] && grep -q ': 25 runs indexed' \"\$1\"" _ "$tmp/out"
else
	bad "run of a tiny pagemap job failed: $(head -c 300 "$tmp/err")"
fi

# 10b. compare --history from a store: the noise model is the one the
# files give (runs differing by 8% as whole processes, compare.sh 9b)
mkdir -p "$tmp/noisy"
for i in 1 2 3 4 5 6 7 8 9 10; do
	gen "$tmp/noisy/r$i.json" -v seed=$((40 + i)) -v rcv=0.08 -v bcv=0.01 -v started=2026-03-$((10 + i))T00:00:00Z
done
"$PFNLAB" compare --json --history "$tmp/noisy" "$tmp/noisy/r1.json" "$tmp/noisy/r2.json" >"$tmp/cmp-files.json" 2>/dev/null
"$PFNLAB" index -q "$tmp/noisy"
"$PFNLAB" compare --json --history "$tmp/noisy" "$tmp/noisy/r1.json" "$tmp/noisy/r2.json" >"$tmp/cmp-store.json" 2>/dev/null
jqc "compare --history: the files' noise model used 8 earlier runs" '.noise_model.history_runs == 8' "$tmp/cmp-files.json"
check "compare --history: store and files give the same verdicts" cmp -s <(jq -S 'del(.generated_utc)' "$tmp/cmp-files.json") <(jq -S 'del(.generated_utc)' "$tmp/cmp-store.json")

# 11. the lab report: small pages, the step on the index, no network (on a
# fresh tree: the one above has gained another run on lab-1)
"$SYNTH" -n 40 -H 2 -o "$tmp/labtree" --step 12:25:lab-0 "$tmp/t1.json" "$tmp/t2.json" >/dev/null
"$PFNLAB" report --lab -o "$tmp/lab" "$tmp/labtree" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "report --lab exits 0" [ "$rc" -eq 0 ]
check "report --lab: index, host pages, series pages" bash -c "[ -f \"\$1/index.html\" ] && [ -f \"\$1/host-0.html\" ] && [ -f \"\$1/host-1.html\" ] && [ \$(ls \"\$1/series\" | wc -l) -gt 10 ]" _ "$tmp/lab"
largest=$(find "$tmp/lab" -name '*.html' -printf '%s\n' | sort -n | tail -n1)
check "report --lab: largest page ${largest} bytes < 2 MB" [ "$largest" -lt 2000000 ]
check "report --lab: says the largest page" grep -q "largest page $largest bytes" "$tmp/out"
check "report --lab: index lists lab-0's change points, worse" bash -c "grep -q 'lab-0</td>.*pin_ns_per_page.*c00000c.*worse' \"\$1/index.html\"" _ "$tmp/lab"
check "report --lab: lab-1 has no change" bash -c "grep -q 'lab-1</a></td>.*0 worse, 0 better' \"\$1/index.html\"" _ "$tmp/lab"
check "report --lab: series pages have a trend chart" bash -c "grep -l '<svg' \"\$1\"/series/*.html | wc -l | grep -qx \$(ls \"\$1/series\" | wc -l)" _ "$tmp/lab"
check "report --lab: nothing fetched from a network" bash -c "! grep -hoE '(src|href)=\"(https?:)?//' \"\$1\"/*.html \"\$1\"/series/*.html | grep -q ." _ "$tmp/lab"
check "report --lab: every link resolves" bash -c "cd \"\$1\" && for p in *.html series/*.html; do d=\$(dirname \"\$p\"); grep -o 'href=\"[^\"#]*\"' \"\$p\" | sed 's/href=\"//; s/\"\$//' | while read -r l; do [ -f \"\$d/\$l\" ] || { echo \"\$p -> \$l\"; exit 1; }; done || exit 1; done" _ "$tmp/lab"
"$PFNLAB" report --lab "$tmp/nosuch" >/dev/null 2>"$tmp/err"; rc=$?
check "report --lab of a missing DIR: exit 2" [ "$rc" -eq 2 ]

finish store
