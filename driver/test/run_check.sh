#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the core's unit tests and the bounded fuzz run; end with the line
# "driver-core: N passed, N failed" and exit non-zero on any failure.
# Every cmocka test counts as one test, the fuzz run as one more.  A test
# binary that dies (a sanitizer report, a leak) fails every test it did not
# report as passed, and at least one.
#
# usage: run_check.sh BUILD_DIR FUZZ_SECONDS SEED_CORPUS_DIR TEST...
set -uo pipefail

build=$1 fuzz_seconds=$2 seeds=$3
shift 3
passed=0 failed=0

for t in "$@"; do
	log=$build/$t.log
	CMOCKA_MESSAGE_OUTPUT=TAP "$build/$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$log" | head -n 1)
	ok=$(grep -cE '^ok [0-9]+' "$log")
	total=${plan:-$ok}
	bad=$((total - ok))
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "$t: exit status $rc"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
done

# The fuzz run: new inputs go to build/, the seed corpus stays as it is.
log=$build/fuzz_core.log
mkdir -p "$build/fuzz-corpus"
echo "fuzz_core: ${fuzz_seconds} s (log: $log)"
"$build/fuzz_core" -max_total_time="$fuzz_seconds" -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$build/fuzz-" \
	"$build/fuzz-corpus" "$seeds" >"$log" 2>&1
rc=$?
grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log"
if [ "$rc" -eq 0 ]; then
	echo "ok - fuzz_core"
	passed=$((passed + 1))
else
	tail -n 40 "$log"
	echo "not ok - fuzz_core: exit status $rc (artifacts: $build/fuzz-*)"
	failed=$((failed + 1))
fi

echo "driver-core: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
