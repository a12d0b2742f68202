#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pfnlab-vm-tests: run every integration test binary inside the lab VM
# (busybox sh), in the order that matters: the clock's check, the module
# tests, then the harness' driver backend on a small job (/pfnlab/jobs/driver-smoke.ini,
# results in /out/driver-smoke.json, checked on the host by vm-check), then
# VFIO type1 on the same kernel (/pfnlab/jobs/vfio-smoke.ini, edu bound to
# vfio-pci for it), then unloading the module, then the kernel-log check of
# the whole run.
#
# Each test prints one TAP line, "ok N - name" or "not ok N - name", and
# tap.sh (scripts/tap.sh, installed beside this script) counts them: a
# binary that dies without its plan counts as one more failure.  Logs go to
# /out (they come back to the host); the last line is
# "vm-tests: N passed, N failed", also written to /out/summary.  Exit
# status 0 only if nothing failed.
#
# pfnlab-vm-tests --no-iommu: the boot without an IOMMU (pfnlab-vm
# --no-iommu) runs only test_noiommu, then the unload and test_dmesg.

bindir=$(dirname "$0")
no_iommu=0
case "${1:-}" in
'') ;;
--no-iommu) no_iommu=1 ;;
*) echo "usage: pfnlab-vm-tests [--no-iommu]" >&2; exit 2 ;;
esac
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:print_summary=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# A bound per binary, so that a hang in one does not eat the VM's timeout.
per_binary_s=${PFNLAB_TEST_TIMEOUT:-300}

# The tests compare pinned PFNs with pagemap read moments before: NUMA
# balancing must not migrate the pages in between.
echo 0 >/proc/sys/kernel/numa_balancing 2>/dev/null

# shellcheck source=scripts/tap.sh
. "$bindir/tap.sh"
start=$(date +%s)

# run_one NAME: run $bindir/NAME, log to /out/NAME.log, count its lines.
run_one() {
	tap_run "$1" "/out/$1.log" timeout "$per_binary_s" "$bindir/$1"
}
check() { tap_check "$@"; }

check "pfnlab.ko loaded, /dev/pfnlab present" test -c /dev/pfnlab
# The clock every timing in this boot is read with (no module needed).
[ "$no_iommu" = 0 ] && run_one test_clock
if [ -c /dev/pfnlab ]; then
	if [ "$no_iommu" = 1 ]; then
		run_one test_noiommu
	else
		for t in test_tiers test_account test_badinput test_real test_race test_harden test_quiesce; do
			run_one "$t"
		done
	fi
fi
# pins_balanced: the system's FOLL_PIN counters agree (every pin released),
# after folding the per-CPU deltas in.
pins_balanced() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	acquired=$(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat)
	released=$(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat)
	echo "# nr_foll_pin_acquired $acquired, nr_foll_pin_released $released"
	[ -n "$acquired" ] && [ "$acquired" = "$released" ]
}

if [ -c /dev/pfnlab ] && [ "$no_iommu" = 1 ]; then
	check "test_noiommu left no page pinned" pins_balanced
fi

# The harness binary on the driver backend: the host checks the document.
job=/pfnlab/jobs/driver-smoke.ini
if [ -c /dev/pfnlab ] && [ "$no_iommu" = 0 ]; then
	echo "# === pfnlab run $job"
	check "pfnlab and $job in the image" test -x "$bindir/pfnlab" -a -f "$job"
	if [ -x "$bindir/pfnlab" ] && [ -f "$job" ]; then
		t0=$(date +%s)
		check "pfnlab run driver-smoke.ini exits 0" \
			timeout "$per_binary_s" "$bindir/pfnlab" run -v --strict \
			-o /out/driver-smoke.json "$job"
		echo "# pfnlab run took $(( $(date +%s) - t0 )) s"
		check "pfnlab run left no page pinned" pins_balanced
	fi
fi

# VFIO type1 on this kernel: edu bound to vfio-pci for the step (the module
# tests above want it unbound), a small vfio job, every pin released, edu
# unbound again.  edu's DMA checks each round's map inside the run.
job=/pfnlab/jobs/vfio-smoke.ini
if [ "$no_iommu" = 0 ] && [ -x "$bindir/pfnlab" ] && [ -f "$job" ]; then
	echo "# === pfnlab run $job"
	check "VFIO: /dev/vfio/vfio (vfio and vfio_iommu_type1 in the image)" test -c /dev/vfio/vfio
	# shellcheck source=harness/vm/tests/bind-edu.sh
	. "$bindir/bind-edu.sh"
	check "VFIO: edu bound to vfio-pci" test -e "/sys/bus/pci/drivers/vfio-pci/${edu:-none}"
	sed "s/^device = .*/device = $edu/" "$job" >/tmp/vfio-smoke.ini
	check "pfnlab run vfio-smoke.ini exits 0 (edu's DMA checked each map)" \
		timeout "$per_binary_s" "$bindir/pfnlab" run -v --strict \
		-o /out/vfio-smoke.json /tmp/vfio-smoke.ini
	check "VFIO: every round's map was checked by edu's DMA" \
		test "$(grep -c 'edu DMA through the IOMMU' /out/vfio-smoke.json 2>/dev/null)" -ge 4
	check "pfnlab run vfio-smoke.ini left no page pinned" pins_balanced
	if [ -n "$edu" ]; then
		echo "$edu" >/sys/bus/pci/drivers/vfio-pci/unbind
		echo >"/sys/bus/pci/devices/$edu/driver_override"
	fi
fi

# Unloading must work once every fd is closed, and must not complain.
if grep -q '^pfnlab ' /proc/modules; then
	check "rmmod pfnlab" rmmod pfnlab
fi
run_one test_dmesg
dmesg >/out/dmesg.log

echo "# integration tests took $(( $(date +%s) - start )) s in the guest"
tap_finish vm-tests /out/summary
