# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the io_uring trace scripts (uring-table-trace.sh,
# uring-search-trace.sh) share: sourced, from the repository's root.  A
# private tracefs instance, so that nothing another tracer set is touched,
# and a job file, both removed on exit however the script ends.

# trace_rounds WHO VALUE: VALUE as a positive number of rounds, or exit 2
trace_rounds() {
	case $2 in
	'' | *[!0-9]* | 0)
		echo "$1: -r wants a positive number of rounds, not '$2'" >&2
		exit 2
		;;
	esac
}

# trace_begin WHO EVENT...: root, tracefs with every EVENT ("kmem/kmalloc"),
# the harness built; then sets $inst, a new instance with tracing off and
# events in it to enable, and $job, an empty job file; exit 2 when not.
trace_begin() {
	local who=$1 tracing=/sys/kernel/tracing ev
	shift
	[ "$(id -u)" -eq 0 ] || { echo "$who: needs root (tracefs)" >&2; exit 2; }
	[ -d "$tracing/events" ] || mount -t tracefs nodev "$tracing" 2>/dev/null
	for ev in "$@"; do
		[ -d "$tracing/events/$ev" ] || { echo "$who: this kernel has no $ev tracepoint" >&2; exit 2; }
	done
	make -s -C harness -j2 >/dev/null || { echo "$who: the harness does not build" >&2; exit 2; }
	inst=$tracing/instances/pfnlab-$who-$$
	job=$(mktemp "/tmp/$who.XXXXXX.ini")
	trap trace_cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir "$inst" || { echo "$who: cannot make a trace instance" >&2; exit 2; }
	echo 0 >"$inst/tracing_on"
}

# shellcheck disable=SC2317 # called by the EXIT trap
trace_cleanup() {
	[ -d "${inst:-}" ] && { echo 0 >"$inst/tracing_on"; rmdir "$inst"; }
	rm -f "${job:-}"
}

# trace_run WHO OUT: run $job through `pfnlab run` with tracing on; the
# results in OUT/run.json, the trace in OUT/trace; exit 2 when the run fails
trace_run() {
	echo 1 >"$inst/tracing_on"
	build/harness/pfnlab run -q -o "$2/run.json" "$job" || { echo "$1: pfnlab run failed" >&2; exit 2; }
	echo 0 >"$inst/tracing_on"
	cat "$inst/trace" >"$2/trace"
}

# median: of the numbers on stdin, "-" when none
trace_median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else printf "-" }'
}
