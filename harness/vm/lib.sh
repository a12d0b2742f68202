# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the VM_* variables are for the scripts that source this
#
# Shared by pfnlab-vm, mkimage and vm-check: where the repository and the
# build directory are, and which kernel the lab VM boots.

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_SRC/../.." && pwd)
VM_BUILD=${VM_BUILD:-$REPO/build/vm}

vm_err() {
	echo "pfnlab-vm: $*" >&2
}

# resolve_kernel: set VM_KERNEL (bzImage), VM_KREL (its release), VM_KDIR
# (the tree the module builds against) and VM_MODSRC ("system" to take the
# guest's kernel modules from /lib/modules/$VM_KREL, or a kernel build tree).
# KERNEL=bzImage KBUILD=tree in the environment pick a self-built kernel;
# otherwise the newest installed Debian 6.12 kernel wins.
resolve_kernel() {
	if [ -n "${KERNEL:-}" ] || [ -n "${KBUILD:-}" ]; then
		if [ -z "${KERNEL:-}" ] || [ -z "${KBUILD:-}" ]; then
			vm_err "KERNEL and KBUILD go together: KERNEL=path/to/bzImage KBUILD=path/to/build-tree"
			return 1
		fi
		[ -f "$KERNEL" ] || { vm_err "KERNEL=$KERNEL: no such file"; return 1; }
		[ -f "$KBUILD/include/config/kernel.release" ] || {
			vm_err "KBUILD=$KBUILD is not a built kernel tree (no include/config/kernel.release)"
			return 1
		}
		VM_KERNEL=$(readlink -f "$KERNEL")
		VM_KDIR=$(readlink -f "$KBUILD")
		VM_KREL=$(cat "$VM_KDIR/include/config/kernel.release")
		VM_MODSRC=$VM_KDIR
		return 0
	fi
	local k
	k=$(printf '%s\n' /boot/vmlinuz-6.12.*+deb12-amd64 | grep -v '\*' | sort -V | tail -n 1)
	if [ -z "$k" ]; then
		vm_err "no lab kernel in /boot: install linux-image-6.12.*+deb12-amd64 and its headers (make deps)"
		return 1
	fi
	VM_KERNEL=$k
	VM_KREL=${k#/boot/vmlinuz-}
	VM_MODSRC=system
	VM_KDIR=/usr/src/linux-headers-$VM_KREL
	if [ ! -d "$VM_KDIR" ]; then
		vm_err "no headers for $VM_KREL: install linux-headers-$VM_KREL (make deps)"
		return 1
	fi
	if [ ! -f "/lib/modules/$VM_KREL/modules.dep" ]; then
		vm_err "no modules for $VM_KREL in /lib/modules: install linux-image-$VM_KREL (make deps)"
		return 1
	fi
}

need_qemu() {
	command -v qemu-system-x86_64 >/dev/null || {
		vm_err "qemu-system-x86_64 not found: install qemu-system-x86 (make deps)"
		return 1
	}
}

# Guest shell code that binds the VM's edu device to vfio-pci and leaves
# its address in $edu (tests/bind-edu.sh, which the guest's own test
# script sources): anchors-check and `make bench` paste it into their
# guest commands.
VM_GUEST_BIND_EDU=$(sed '/^#/d' "$VM_SRC/tests/bind-edu.sh")
