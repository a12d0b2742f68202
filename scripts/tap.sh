# SPDX-License-Identifier: GPL-2.0
#
# The one way pfnlab's suites count tests (source it; POSIX sh, so the lab
# VM's busybox runs it too).  Every test program speaks TAP version 13: a
# plan "1..N" (first or last), a line per test, "ok N - name" or
# "not ok N - name", "# SKIP" after a test that did not run, "Bail out!" to
# give up.  cmocka speaks it with CMOCKA_MESSAGE_OUTPUT=TAP; the shell tests
# through harness/tests/lib/common.sh.  A suite is a list of programs and
# one-line checks, and ends in the line `make check` adds up:
# "SUITE: N passed, M failed" (", K skipped" when some were).
#
#   tap_run NAME LOG CMD...    run a TAP program, its output on stdout and
#                              in LOG, and count it (tap_count)
#   tap_check NAME CMD...      one test: passes when CMD exits 0
#   tap_suite NAME LOG CMD...  run a whole suite and add its summary line
#   tap_finish SUITE [FILE]    print the summary (and write it to FILE);
#                              the status says whether nothing failed
#
# What counts as failed, beside "not ok" lines: a program with no plan or
# that bailed out (one failure), tests planned but never reported (each
# one), a non-zero exit with no failure otherwise counted (one).  Lines
# indented (KTAP subtests) are left to their parent's line.  Each such
# failure is printed as a "not ok" line of its own, so that what the
# counts say can be read in the log.
# shellcheck shell=sh

tap_passed=0
tap_failed=0
tap_skipped=0

# tap_fail WHY: one failure the program did not report itself.
tap_fail() {
	tap_failed=$((tap_failed + 1))
	echo "not ok - $1"
}

# tap_count NAME LOG STATUS: add the TAP lines of one program's LOG.
tap_count() {
	_name=$1 _log=$2 _rc=$3
	_ok=$(grep -cE '^ok( |$)' "$_log")
	_notok=$(grep -cE '^not ok( |$)' "$_log")
	_okskip=$(grep -ciE '^ok( [^#]*)?#[[:space:]]*skip' "$_log")
	_notokskip=$(grep -ciE '^not ok( [^#]*)?#[[:space:]]*skip' "$_log")
	# Several programs in one log (a suite's console): their plans add up.
	_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$_log" | awk '{ n += $1 } END { print n + 0 }')
	_s=$((_okskip + _notokskip))
	_p=$((_ok - _okskip))
	_f=$((_notok - _notokskip))
	tap_passed=$((tap_passed + _p))
	tap_skipped=$((tap_skipped + _s))
	tap_failed=$((tap_failed + _f))
	if grep -q '^Bail out!' "$_log"; then
		tap_fail "$_name: bailed out"
		_f=$((_f + 1))
	elif ! grep -q '^1\.\.[0-9]' "$_log"; then
		tap_fail "$_name: no test plan (exit status $_rc)"
		_f=$((_f + 1))
	elif [ $((_p + _f + _s)) -lt "$_plan" ]; then
		_missing=$((_plan - _p - _f - _s))
		tap_failed=$((tap_failed + _missing))
		_f=$((_f + _missing))
		echo "not ok - $_name: $_missing of $_plan planned tests never reported (exit status $_rc)"
	fi
	if [ "$_rc" -ne 0 ] && [ "$_f" -eq 0 ]; then
		tap_fail "$_name: exit status $_rc with no failed test (a sanitizer, a crash?)"
	fi
	return 0
}

# tap_exec NAME LOG CMD...: run CMD, its output on stdout and in LOG; its
# status in _rc.
tap_exec() {
	_name=$1 _log=$2
	shift 2
	# The status through a pipe: POSIX sh has no PIPESTATUS.
	{ "$@" 2>&1; echo "# $_name exit status $?"; } | tee "$_log"
	_rc=$(sed -n "s/^# $_name exit status \([0-9]*\)\$/\1/p" "$_log" | tail -n 1)
	_rc=${_rc:-1}
}

# tap_run NAME LOG CMD...: run CMD, keep its output in LOG, count it.
tap_run() {
	echo "# === $1"
	tap_exec "$@"
	tap_count "$_name" "$_log" "$_rc"
}

# tap_check NAME CMD...: a test of one line.
tap_check() {
	_name=$1
	shift
	if "$@"; then
		tap_passed=$((tap_passed + 1))
		echo "ok - $_name"
	else
		tap_fail "$_name"
	fi
}

# tap_summary_of LOG NAME STATUS: add the last summary line in LOG (a
# suite's); none is one failure, and so is a failed status with none
# counted.
tap_summary_of() {
	_log=$1 _name=$2 _rc=$3
	_line=$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$_log" | tail -n 1)
	if [ -z "$_line" ]; then
		tap_fail "$_name: no summary line (exit status $_rc)"
		return 0
	fi
	_p=$(echo "$_line" | sed -E 's/^([A-Za-z0-9_.-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
	_f=$(echo "$_line" | sed -E 's/^([A-Za-z0-9_.-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	_s=$(echo "$_line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	tap_passed=$((tap_passed + _p))
	tap_failed=$((tap_failed + _f))
	tap_skipped=$((tap_skipped + ${_s:-0}))
	if [ "$_rc" -ne 0 ] && [ "$_f" -eq 0 ]; then
		tap_fail "$_name: exit status $_rc with no failed test"
	fi
	return 0
}

# tap_suite NAME LOG CMD...: run a suite, keep its output in LOG, add its
# summary line.
tap_suite() {
	echo "=== $1 (log: $2)"
	tap_exec "$@"
	tap_summary_of "$_log" "$_name" "$_rc"
}

# tap_finish SUITE [FILE]: the summary line (with no "SUITE: " when SUITE
# is empty); the status is 0 when nothing failed.
tap_finish() {
	_line="${1:+$1: }$tap_passed passed, $tap_failed failed"
	[ "$tap_skipped" -gt 0 ] && _line="$_line, $tap_skipped skipped"
	if [ -n "${2:-}" ]; then
		echo "$_line" | tee "$2"
	else
		echo "$_line"
	fi
	[ "$tap_failed" -eq 0 ]
}
