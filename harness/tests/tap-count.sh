#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/tap.sh, the one counter of every suite, against programs whose
# right counts are known: a clean run, a failure, skips, a crash half-way
# (planned tests never reported), a program with no plan, one that bails
# out, a non-zero exit with nothing failed, and a suite's summary line
# added up (with its own failures and skips).  Each case runs in a fresh
# shell, as a suite would, under busybox sh too when it is installed (the
# lab VM's guest counts its tests with it).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/tests/lib/common.sh
. "$top/harness/tests/lib/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# counts SHELL SCRIPT: "passed failed skipped status" after SCRIPT, run in
# SHELL (bash, or busybox for its sh) with tap.sh sourced.
counts() {
	local script=". '$top/scripts/tap.sh'; { $2; } >/dev/null 2>&1; tap_finish t >/dev/null; r=\$?;
		echo \"\$tap_passed \$tap_failed \$tap_skipped \$r\""
	if [ "$1" = busybox ]; then busybox sh -c "$script"; else bash -c "$script"; fi
}
# prog NAME BODY: a test program that prints BODY (printf format) and
# exits with the status after it.
prog() { printf '#!/bin/sh\nprintf "%s"\nexit %s\n' "$2" "${3:-0}" >"$tmp/$1"; chmod +x "$tmp/$1"; }

prog clean '1..3\nok 1 - a\nok 2 - b\nok 3 - c\n'
prog onefail '1..3\nok 1 - a\nnot ok 2 - b\nok 3 - c\n' 1
prog skips '1..3\nok 1 - a # SKIP no device\nnot ok 2 # SKIP b\nok 3 - c\n'
prog crash '1..5\nok 1 - a\nok 2 - b\n' 134
prog noplan 'ok 1 - a\nok 2 - b\n'
prog bail '1..3\nok 1 - a\nBail out! the device went away\n' 1
prog sanitizer '1..2\nok 1 - a\nok 2 - b\n' 1
prog planlast 'ok 1 - a\nnot ok 2 - b\n1..2\n' 1
prog indented '1..1\n    1..2\n    ok 1 - sub\n    not ok 2 - sub\nnot ok 1 - parent\n' 1
printf 'suite-a: 7 passed, 2 failed, 3 skipped\n' >"$tmp/suite.log"

shells=(bash)
command -v busybox >/dev/null && shells+=(busybox)
for sh in "${shells[@]}"; do
	run() { counts "$sh" "tap_run x '$tmp/x.log' '$tmp/$1'"; }
	check "$sh: clean run: 3 passed" [ "$(run clean)" = "3 0 0 0" ]
	check "$sh: one not ok: 2 passed, 1 failed" [ "$(run onefail)" = "2 1 0 1" ]
	check "$sh: SKIP lines count as skipped, neither passed nor failed" [ "$(run skips)" = "1 0 2 0" ]
	check "$sh: a crash after 2 of 5: 3 planned tests failed" [ "$(run crash)" = "2 3 0 1" ]
	check "$sh: no plan: one failure" [ "$(run noplan)" = "2 1 0 1" ]
	check "$sh: bail out: one failure" [ "$(run bail)" = "1 1 0 1" ]
	check "$sh: non-zero exit with nothing failed: one failure" [ "$(run sanitizer)" = "2 1 0 1" ]
	check "$sh: the plan may come last" [ "$(run planlast)" = "1 1 0 1" ]
	check "$sh: indented subtests are left to their parent's line" [ "$(run indented)" = "0 1 0 1" ]
	check "$sh: tap_check counts a command's status" \
		[ "$(counts "$sh" "tap_check yes true; tap_check no false")" = "1 1 0 1" ]
	check "$sh: a suite's summary line is added, skips too" \
		[ "$(counts "$sh" "tap_summary_of '$tmp/suite.log' s 1")" = "7 2 3 1" ]
	check "$sh: a suite without a summary line: one failure" \
		[ "$(counts "$sh" "tap_summary_of /dev/null s 0")" = "0 1 0 1" ]
	check "$sh: a failed suite with nothing failed: one failure" \
		[ "$(counts "$sh" "printf 's: 4 passed, 0 failed\n' >'$tmp/s0.log'; tap_summary_of '$tmp/s0.log' s 2")" = "4 1 0 1" ]
done
check "tap_finish writes the summary line, with the skips" bash -c ". '$top/scripts/tap.sh'; tap_passed=3 tap_skipped=1;
	tap_finish mine '$tmp/sum' >/dev/null; [ \"\$(cat '$tmp/sum')\" = 'mine: 3 passed, 0 failed, 1 skipped' ]"
check "tap_finish '' writes the bare total" bash -c ". '$top/scripts/tap.sh'; tap_passed=2;
	[ \"\$(tap_finish '')\" = '2 passed, 0 failed' ]"

finish tap-count
