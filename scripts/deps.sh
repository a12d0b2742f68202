#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package pfnlab needs, idempotently.
#
# Run as root (or through sudo).  When every package is already present this
# does nothing and touches no package list, so it is cheap to call from every
# make target that needs it.  CONTRIBUTING.md says why each package is here.
set -euo pipefail

# The lab kernel: Debian bookworm's 6.12 series from bookworm-security.  The
# newest version that has both an image and headers wins: the signed image
# is built after the headers are published and can lag them by days (seen
# 2026-12-02: the newest upload had headers and an -unsigned image, and no
# signed image yet).  pick_lab_kernel reads `apt-cache search` lines.
pick_lab_kernel() {
	sed -n 's/^linux-\(image\|headers\)-\(6\.12\.[0-9]*+deb12-amd64\) .*/\2/p' |
		sort -V | uniq -d | tail -n 1
}

lab_kernel_version() {
	apt-cache search --names-only '^linux-(image|headers)-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
		pick_lab_kernel
}

# --self-test: the pick on a package list where the newest headers have no
# signed image (only -unsigned and -dbg ones), and on one where they do.
self_test() {
	local v=6.12 a b got rc=0
	a="$v.7+deb12-amd64" b="$v.9+deb12-amd64"
	got=$(printf '%s\n' "linux-headers-$a - h" "linux-image-$a - i" "linux-headers-$b - h" \
		"linux-image-$b-unsigned - i" "linux-image-$b-dbg - d" | pick_lab_kernel)
	[ "$got" = "$a" ] || { echo "deps self-test: picked '$got' where only $a has a signed image"; rc=1; }
	got=$(printf '%s\n' "linux-image-$b - i" "linux-headers-$a - h" "linux-image-$a - i" \
		"linux-headers-$b - h" | pick_lab_kernel)
	[ "$got" = "$b" ] || { echo "deps self-test: picked '$got', not the newest complete $b"; rc=1; }
	[ $rc -eq 0 ] && echo "deps self-test: the newest version with image and headers is picked"
	return $rc
}
[ "${1:-}" = --self-test ] && { self_test; exit; }

installed_lab_kernel() {
	dpkg-query -W -f '${Package} ${Status}\n' 'linux-image-6.12.*+deb12-amd64' 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\) install ok installed$/\1/p' |
		sort -V | tail -n 1
}

PKGS=(
	# toolchain and static analysis
	gcc make clang libclang-rt-dev llvm pkg-config clang-tidy clang-format cppcheck shellcheck
	# kernel module builds: bookworm's 6.1 headers (compile check) + kmod
	linux-headers-amd64 kmod
	# userspace libraries (CONTRIBUTING.md, "Dependencies")
	libnuma-dev numactl libhwloc-dev libpfm4-dev libjansson-dev
	libinih-dev liburing-dev libcmocka-dev libsqlite3-dev
	# results, plots, report check; time: peak memory in scripts/store-bench.sh
	gnuplot-nox jq chromium time
	# lab VM (xz-utils: harness/vm/mkimage unpacks Debian's .ko.xz guest modules)
	qemu-system-x86 busybox-static cpio xz-utils
	# lab kernel from a source tree (harness/vm/kconfig/build-kernel.sh):
	# Kconfig's parser (flex, bison), objtool (libelf-dev), timeconst (bc)
	flex bison libelf-dev bc
	# the anchors' lab kernel is built from Debian's source of the lab
	# kernel's series (harness/vm/kconfig/lab-kernel.sh)
	linux-source-6.12
	# LAVA, the kernel world's lab engine (lava/README.md): its dispatcher
	# runs pfnlab jobs (lava-run), tftpd-hpa is what its tftp deploy of a
	# ramdisk needs installed, lavacli submits to a server, curl reads a
	# server's REST API; lava-server and postgresql: `make lava-check`
	# runs a private LAVA lab (lava/lab-server) and a job through it
	lava-dispatcher tftpd-hpa lavacli curl lava-server postgresql
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
kver=$(installed_lab_kernel || true)
if [ -z "$kver" ] || ! dpkg-query -W -f '${Status}' "linux-headers-$kver" 2>/dev/null | grep -q 'install ok installed'; then
	need_kernel=1
else
	need_kernel=0
fi

if [ ${#missing[@]} -eq 0 ] && [ $need_kernel -eq 0 ]; then
	echo "deps: all packages present (lab kernel $kver)"
	exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]} lab-kernel" >&2; exit 1; }
	SUDO=sudo
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing: ${missing[*]}$([ $need_kernel -eq 1 ] && echo ' + lab kernel 6.12')"
$SUDO apt-get update -qq
if [ $need_kernel -eq 1 ]; then
	kver=$(lab_kernel_version)
	[ -n "$kver" ] || { echo "deps: no 6.12 version with both linux-image-6.12.*+deb12-amd64 and its headers in the package lists; enable bookworm-security" >&2; exit 1; }
	missing+=("linux-image-$kver" "linux-headers-$kver")
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done (lab kernel $kver)"
