# SPDX-License-Identifier: GPL-2.0
# What every shell test of harness/tests shares: one pass/fail count, the
# results in TAP (scripts/tap.sh counts them for `make check`), and a plan
# at the end.  Source it after setting $synth (the awk generator gen uses),
# if any.
# shellcheck shell=bash
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $1"; }
# bad NAME [WHY]
bad() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $1"; [ -z "${2:-}" ] || echo "# $2"; }
# check NAME COMMAND...: passes when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# skip NAME WHY: a test that cannot run here, counted as skipped
skip() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $1 # SKIP $2"; }
# jqc NAME FILTER FILE: passes when the filter holds on FILE
jqc() { if jq -e "$2" "$3" >/dev/null 2>&1; then ok "$1"; else bad "$1"; fi; }
# gen OUT AWK-ARGS...: a synthetic document from $synth
gen() { local out=$1; shift; awk "$@" -f "${synth:?set synth before sourcing common.sh}" >"$out"; }
# finish NAME: the plan, and the counts as a comment for a reader; the exit
# status says whether all passed
finish() { echo "1..$((pass + fail))"; echo "# $1: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
