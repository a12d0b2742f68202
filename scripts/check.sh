#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every suite in turn.  Each suite ends its output with one
# line "N passed, N failed" (optionally "suite: N passed, N failed"); this
# script keeps each suite's log under build/check/ and adds the lines up.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/check

suites=(check-driver check-harness check-lint vm-check)
total_pass=0 total_fail=0 broken=()
start=$SECONDS
for s in "${suites[@]}"; do
	log=build/check/$s.log
	t0=$SECONDS
	echo "=== $s (log: $log)"
	make --no-print-directory "$s" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	read -r p f < <(sed -nE 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/p' <<<"$line")
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0}))
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		broken+=("$s")
		[ -z "$line" ] && echo "$s: no summary line: counted as one failure" && total_fail=$((total_fail + 1))
	fi
	echo "=== $s: exit $rc, $((SECONDS - t0)) s"
done
echo "make check took $((SECONDS - start)) s"
[ ${#broken[@]} -eq 0 ] || echo "failed suites: ${broken[*]}"
echo "$total_pass passed, $total_fail failed"
[ ${#broken[@]} -eq 0 ] && [ "$total_fail" -eq 0 ]
