# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Guest shell code (the lab VM's busybox sh), sourced or pasted into a
# guest command (harness/vm/lib.sh: VM_GUEST_BIND_EDU): bind the VM's edu
# device (QEMU's PCI 1234:11e8) to vfio-pci, for the VFIO and iommufd
# backends, and leave its address in $edu ("" when the machine has none).
edu=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && edu=${d##*/}
done
if [ -n "$edu" ]; then
	echo vfio-pci >"/sys/bus/pci/devices/$edu/driver_override"
	echo "$edu" >/sys/bus/pci/drivers_probe
fi
