#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench` (after scripts/deps.sh): build everything, run the job file
# (default bench/quick.ini) on the host backends (all but driver) and its
# driver part where the module can be loaded: directly on a host that loads
# modules, else in the lab VM; then draw the charts and write the report.
#
#   scripts/bench.sh [JOBFILE]
#
# Everything of one run goes to results/<hostname>/<UTC stamp>-<commit>/:
#   host.json                uring + pagemap results
#   driver.json | vm.json    driver results (direct | lab VM; vm/ holds the
#                            VM's console log)
#   report/index.html        the report; report/plots/ the charts (TSV,
#                            SVG, PNG); compared against the previous run of
#                            this host when there is one
# A small hugetlb pool is reserved for the run (BENCH_HUGEPAGES 2 MiB pages,
# default 160) and the old size restored after.  BENCH_VM_REPS overrides the
# repetitions per round inside the VM (default: the job's).  BENCH_RESULTS_DIR
# replaces results/ (the tests use it); BENCH_VM_PANIC_AFTER_ROUND=K makes
# the guest panic once the checkpoint after round K (0: the first one) is
# on the host (fault injection: how a dead lab VM is reported), and
# BENCH_VM_OOM_AFTER_ROUND=K has its OOM killer run there instead (how a
# guest out of memory is reported).
#
# Exit status: 0 when every part ran; 1 when a part failed or the lab VM
# died (what could be produced still is: the VM's results up to its last
# round, marked complete: false with the reason, and the report says so);
# 2 when nothing could run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
top=$PWD
start=$SECONDS
job=${1:-bench/quick.ini}
PFNLAB=$top/build/harness/pfnlab
failed=()
notes=()

say() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }
elapsed() { echo "$((SECONDS - start)) s"; }

[ -r "$job" ] || die "job file $job not found"
host=$(hostname -s 2>/dev/null || hostname)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
results_dir=${BENCH_RESULTS_DIR:-results}
out=$results_dir/$host/$stamp-$commit
mkdir -p "$out" || die "cannot create $out"

# --- build ---------------------------------------------------------------
say "building the module and the harness ($(elapsed))"
driver_built=1
# With KBUILD= (a kernel tree of your own, booted in the lab VM) the module
# is built against that tree, else against the default one.
make -s -C driver -j2 ${KBUILD:+KDIR="$KBUILD"} >"$out/build-driver.log" 2>&1 || {
	driver_built=0
	say "module build failed (log: $out/build-driver.log); the driver part is skipped"
	failed+=("module build")
}
make -s -C harness -j2 >"$out/build-harness.log" 2>&1 ||
	die "harness build failed (log: $out/build-harness.log)"
[ -x "$PFNLAB" ] || die "$PFNLAB missing after the build"

# --- a small hugetlb pool, restored on exit --------------------------------
hp=/proc/sys/vm/nr_hugepages
old_hp=
# shellcheck disable=SC2317 # called by the EXIT trap
restore() {
	if [ -n "$old_hp" ]; then
		echo "$old_hp" >"$hp" 2>/dev/null || say "could not restore $hp to $old_hp"
	fi
	if [ -n "${loaded_module:-}" ]; then
		rmmod pfnlab 2>/dev/null || say "could not unload pfnlab.ko"
	fi
}
trap restore EXIT
trap 'exit 130' INT TERM
want_hp=${BENCH_HUGEPAGES:-160}
if [ -w "$hp" ] && [ "$(cat "$hp")" -lt "$want_hp" ]; then
	old_hp=$(cat "$hp")
	echo "$want_hp" >"$hp" 2>/dev/null || true
	say "hugetlb pool: $(cat "$hp") x 2 MiB for the run (was $old_hp)"
fi

# --- host backends -----------------------------------------------------------
# Every registered backend but the module's, which runs below.
host_backends=$("$PFNLAB" info --json | jq -r '[.backends | keys[] | select(. != "driver")] | join(",")')
say "running $job on the host backends $host_backends ($(elapsed))"
"$PFNLAB" run -q --backend "$host_backends" -o "$out/host.json" "$job"
rc=$?
case $rc in
0) ;;
1) failed+=("a host benchmark failed (see $out/host.json)") ;;
*) failed+=("host run (exit $rc)") ;;
esac

# --- driver backend: directly where modules load, else in the lab VM --------
can_load() {
	[ -e /proc/modules ] && [ -d "/lib/modules/$(uname -r)/build" ] && [ "$(id -u)" -eq 0 ]
}
run_direct() {
	local kdir ko
	kdir=/lib/modules/$(uname -r)/build
	make -s -C driver KDIR="$kdir" >>"$out/build-driver.log" 2>&1 || return 1
	ko=$(make -s -C driver print-ko KDIR="$kdir") && [ -f "$ko" ] || return 1
	insmod "$ko" || return 1
	loaded_module=1
	say "pfnlab.ko loaded; running the driver part ($(elapsed))"
	"$PFNLAB" run -q --backend driver -o "$out/driver.json" "$job"
	local r=$?
	rmmod pfnlab && loaded_module=
	[ $r -le 1 ]
}
# vm_incomplete REASON: the driver part did not finish in the lab VM.  Its
# last checkpoint (vm.json, complete: false) keeps the rounds done and marks
# every benchmark not reached "missing"; the reason goes into it, and into
# the report as a note.
vm_incomplete() {
	local why=$1 tmp
	notes+=("driver part (lab VM): $why")
	[ -f "$out/vm.json" ] || return 0
	tmp=$out/.vm.json.tmp
	if jq --arg why "$why" '.complete = false |
	    .incomplete_reason = ($why + (if .incomplete_reason then "; " + .incomplete_reason else "" end))' \
	    "$out/vm.json" >"$tmp"; then
		mv -f "$tmp" "$out/vm.json"
	else
		rm -f "$tmp"
	fi
}
run_vm() {
	local b64 reps=${BENCH_VM_REPS:-} rel=${job#/} r died
	# The job file travels inside the command, base64 in one word, so the
	# guest needs nothing from the host tree but the image.  It lands under
	# /tmp/job at its own relative path (any directory, absolute paths too),
	# which the results then record as the host did.  The results go to
	# /live, on the host share, checkpointed before every round: a guest
	# that dies leaves the rounds it finished, never nothing.
	b64=$(base64 -w0 "$job")
	# Fault injection (vm-check uses it): once the checkpoint after that
	# round is on the host, the guest panics (sysrq c) or runs its OOM
	# killer (sysrq f).
	local panic='' mark after=${BENCH_VM_PANIC_AFTER_ROUND:-} key=c
	if [ -n "${BENCH_VM_OOM_AFTER_ROUND:-}" ]; then
		after=$BENCH_VM_OOM_AFTER_ROUND
		key=f
	fi
	if [ -n "$after" ]; then
		mark="after round $after of"
		[ "$after" = 0 ] && mark="before its first round"
		panic="(until grep -q '$mark' /live/vm.json 2>/dev/null; do sleep 0.2; done; echo $key >/proc/sysrq-trigger) & "
	fi
	# uring too: every driver figure gets its io_uring anchor from the same boot
	say "the host cannot load modules: running the driver part (and its io_uring anchor) in the lab VM ($(elapsed))"
	harness/vm/pfnlab-vm --quiet --timeout "${BENCH_VM_TIMEOUT:-300}" --out "$out/vm" -- \
		sh -c "$panic mkdir -p \"/tmp/job/$(dirname "$rel")\" && echo $b64 | base64 -d >\"/tmp/job/$rel\" && \
cd /tmp/job && PFNLAB_SUITE_COMMIT=$commit pfnlab run -q --checkpoint --backend driver,uring ${reps:+-n $reps} -o /live/vm.json \"$rel\""
	r=$?
	[ -f "$out/vm/vm.json" ] && mv "$out/vm/vm.json" "$out/vm.json"
	if [ -f "$out/vm/oom" ]; then
		say "$(cat "$out/vm/oom")"
		vm_incomplete "$(cat "$out/vm/oom") (console: $out/vm/console.log)"
		return 1
	fi
	if [ -f "$out/vm/died" ]; then
		died=$(cat "$out/vm/died")
		say "the lab VM died: $died (console: $out/vm/console.log)"
		vm_incomplete "the lab VM died: $died (console: $out/vm/console.log)"
		return 1
	fi
	if [ ! -f "$out/vm.json" ]; then
		vm_incomplete "no results came back (pfnlab-vm exit $r; console: $out/vm/console.log)"
		return 1
	fi
	[ $r -le 1 ]
}
if [ $driver_built = 1 ]; then
	# KERNEL= asks for that kernel, which only the lab VM can boot.
	if [ -z "${KERNEL:-}" ] && can_load && run_direct; then
		:
	else
		[ -n "${loaded_module:-}" ] && { rmmod pfnlab 2>/dev/null; loaded_module=; }
		run_vm || failed+=("driver part in the lab VM (console: $out/vm/console.log)")
	fi
fi

# --- the kernel's own paths beside the model: bench/anchors.ini -------------
# In the anchors' lab kernel (Debian's source with iommufd's selftest
# interface, gup_test and VFIO; built once per machine, then taken from its
# cache), in two boots of the lab VM (bench/anchors.ini says why two:
# anchors.ini without an IOMMU, anchors-iommu.ini with intel-iommu).  The
# guest is named pfnlab-vm-lab: another kernel on the same virtual machine,
# whose results compare keeps apart from the Debian kernel's (pfnlab-vm).
# BENCH_ANCHORS=0 leaves this part out; BENCH_ANCHORS_JOB=plan-anchors runs
# the capacity sweeps bench/plan-anchors.ini and plan-anchors-iommu.ini in
# the same two boots instead (docs/plan.md; they want VM_MEM_MIB=4096).
anchors_job=${BENCH_ANCHORS_JOB:-anchors}
# shellcheck source=harness/vm/lib.sh
. "$top/harness/vm/lib.sh"
anchors_boot() { # NAME VM-FLAGS JOB GUEST-COMMAND
	local name=$1 flags=$2 job=$3 cmd=$4 b64 r
	b64=$(base64 -w0 "$job")
	# shellcheck disable=SC2086 # $flags: zero or one pfnlab-vm option
	KERNEL=$anchors_kernel KBUILD=$anchors_kbuild VM_HUGEPAGES_2M=${BENCH_VM_HUGEPAGES:-160} \
		harness/vm/pfnlab-vm --quiet $flags --timeout "${BENCH_VM_TIMEOUT:-600}" --out "$out/$name" -- \
		sh -c "hostname pfnlab-vm-lab && mkdir -p /tmp/job/bench && echo $b64 | base64 -d >/tmp/job/$job && \
cd /tmp/job && $cmd"
	r=$?
	if [ -f "$out/$name/oom" ]; then
		notes+=("model vs kernel ($name boot): $(cat "$out/$name/oom") (console: $out/$name/console.log)")
		r=1
	fi
	if [ -f "$out/$name/died" ]; then
		notes+=("model vs kernel ($name boot): the lab VM died: $(cat "$out/$name/died") (console: $out/$name/console.log)")
		r=1
	fi
	[ -f "$out/$name/$name.json" ] && mv "$out/$name/$name.json" "$out/$name.json"
	[ -f "$out/$name.json" ] || {
		notes+=("model vs kernel ($name boot): no results came back (console: $out/$name/console.log)")
		return 1
	}
	[ $r -le 1 ]
}
run_anchors() {
	local kern run="PFNLAB_SUITE_COMMIT=$commit pfnlab run -q --checkpoint"
	"$top/harness/vm/kconfig/lab-kernel.sh" --anchors --check >/dev/null 2>&1 ||
		say "building the anchors' lab kernel, once for this machine (about 15 min on 2 cores; log: $out/build-anchors-kernel.log)"
	if ! kern=$("$top/harness/vm/kconfig/lab-kernel.sh" --anchors 2>"$out/build-anchors-kernel.log"); then
		notes+=("model vs kernel: the anchors' lab kernel did not build (log: $out/build-anchors-kernel.log)")
		return 1
	fi
	anchors_kernel=$(sed -n 's/^KERNEL=//p' <<<"$kern")
	anchors_kbuild=$(sed -n 's/^KBUILD=//p' <<<"$kern")
	local j=bench/$anchors_job.ini ji=bench/$anchors_job-iommu.ini
	if [ ! -r "$j" ] || [ ! -r "$ji" ]; then
		notes+=("model vs kernel: BENCH_ANCHORS_JOB=$anchors_job: $j or $ji not found")
		return 1
	fi
	say "the kernel's own paths beside the model: $j and ${ji#bench/} in the anchors' lab kernel, a boot of the lab VM each ($(elapsed))"
	anchors_boot anchors --no-iommu "$j" \
		"$run -o /live/anchors.json $j" || return 1
	anchors_boot anchors-iommu '' "$ji" \
		"$VM_GUEST_BIND_EDU
sed -i \"s/^device = .*/device = \$edu/\" $ji && $run -o /live/anchors-iommu.json $ji"
}
if [ $driver_built = 1 ] && [ "${BENCH_ANCHORS:-1}" != 0 ] && [ -z "${KERNEL:-}" ]; then
	run_anchors || failed+=("the kernel's own paths beside the model (bench/anchors*.ini)")
fi

# --- charts and report -----------------------------------------------------
mapfile -t runs < <(ls "$out"/*.json 2>/dev/null)
[ ${#runs[@]} -gt 0 ] || die "no results were written; see the messages above"
# The previous run of this host (the newest other directory with results).
prev=
for d in $(printf '%s\n' "$results_dir/$host"/*/ | sort -r); do
	[ -d "$d" ] || continue
	d=${d%/}
	[ "$d" = "$out" ] && continue
	ls "$d"/*.json >/dev/null 2>&1 && { prev=$d; break; }
done
say "charts and report ($(elapsed))"
base_args=()
[ -n "$prev" ] && base_args=(--base "$prev")
note_args=()
for n in "${notes[@]}"; do note_args+=(--note "$n"); done
"$PFNLAB" report -o "$out/report" "${base_args[@]}" --history "$results_dir/$host" \
	"${note_args[@]}" "${runs[@]}" >/dev/null || failed+=("report")

echo
say "done in $(elapsed)"
for r in "${runs[@]}"; do echo "  results  $r"; done
# the charts pfnlab drew (its registry decides which), in its order
"$PFNLAB" plot --help | sed -n 's/.*Charts: //p' | tr -d ',' | tr ' ' '\n' | while read -r c; do
	[ -n "$c" ] && [ -f "$out/report/plots/$c.svg" ] && echo "  chart    $out/report/plots/$c.svg (.png, .tsv)"
done
[ -f "$out/report/index.html" ] && echo "  report   $out/report/index.html"
if [ -n "$prev" ]; then
	echo "  compared with the previous run $prev (noise model: its rounds and the earlier runs of $host):"
	"$PFNLAB" compare --history "$results_dir/$host" "$prev" "$out" 2>/dev/null |
		grep -E '^noise model|metrics compared|^REGRESSED' | sed 's/^/    /'
fi
if [ ${#failed[@]} -gt 0 ]; then
	say "incomplete: ${failed[*]}"
	exit 1
fi
exit 0
