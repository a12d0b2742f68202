#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the core's unit tests and the bounded fuzz run; end with the line
# "driver-core: N passed, N failed" and exit non-zero on any failure.
# Every cmocka test counts as one test, the fuzz run as one more;
# scripts/tap.sh counts them (a binary that dies fails every test it did
# not report, and at least one).
#
# usage: run_check.sh BUILD_DIR FUZZ_SECONDS SEED_CORPUS_DIR TEST...
set -uo pipefail

build=$1 fuzz_seconds=$2 seeds=$3
shift 3
# shellcheck source=scripts/tap.sh
. "$(dirname "$0")/../../scripts/tap.sh"

for t in "$@"; do
	CMOCKA_MESSAGE_OUTPUT=TAP tap_run "$t" "$build/$t.log" "$build/$t"
done

# The fuzz run: new inputs go to build/, the seed corpus stays as it is.
log=$build/fuzz_core.log
mkdir -p "$build/fuzz-corpus"
echo "fuzz_core: ${fuzz_seconds} s (log: $log)"
fuzz() {
	"$build/fuzz_core" -max_total_time="$fuzz_seconds" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$build/fuzz-" \
		"$build/fuzz-corpus" "$seeds" >"$log" 2>&1
	rc=$?
	grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log"
	[ "$rc" -eq 0 ] && return 0
	tail -n 40 "$log"
	echo "# fuzz_core: exit status $rc (artifacts: $build/fuzz-*)"
	return 1
}
tap_check fuzz_core fuzz

tap_finish driver-core
