#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every suite in turn.  Each suite ends its output with its
# summary line "SUITE: N passed, N failed" (scripts/tap.sh); this script
# keeps each suite's log under build/check/ and adds the lines up, a suite
# without one counting as a failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/check
# shellcheck source=scripts/tap.sh
. scripts/tap.sh

suites=(check-driver check-harness check-lint vm-check anchors-check lava-check)
broken=()
start=$SECONDS
for s in "${suites[@]}"; do
	t0=$SECONDS failed_before=$tap_failed
	tap_suite "$s" "build/check/$s.log" make --no-print-directory "$s"
	[ "$tap_failed" -eq "$failed_before" ] || broken+=("$s")
	echo "=== $s: $((SECONDS - t0)) s"
done
echo "make check took $((SECONDS - start)) s"
[ ${#broken[@]} -eq 0 ] || echo "failed suites: ${broken[*]}"
tap_finish ''
