#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lab-kernel.sh: a lab kernel built from Debian's kernel source package,
# once per machine, and found again by every clone after it.
#
#   lab-kernel.sh [--anchors] [--check]
#
# Takes the newest /usr/src/linux-source-*.tar.xz (`make deps` installs the
# package), and builds it with build-kernel.sh: lab.config, plus
# anchors.config with --anchors (the kernel the anchors run on: iommufd's
# test interface, VFIO, gup_test).  The result lives in a cache outside the
# clone, ${PFNLAB_KERNEL_CACHE:-/var/cache/pfnlab/kernels}/KEY, KEY naming
# the source package version and a hash of everything the build depends on
# (the fragments, build-kernel.sh, the compiler), so a fresh clone (CI's
# too) reuses a kernel built by an earlier one, and any change to the
# recipe builds a new one beside it.  A build holds a lock: two clones
# never build the same KEY at once.  The last two lines are KERNEL= and
# KBUILD=, as for build-kernel.sh.
#
# --check prints them only when the kernel is already in the cache (exit 1
# otherwise): whether a run would have to build first.
#
# The first build takes about 10 minutes on 2 cores (JOBS, NICE as for
# build-kernel.sh) and 2 GiB of disk (the unpacked source stays: external
# modules are built against it).
set -euo pipefail

KCONFIG_DIR=$(cd "$(dirname "$0")" && pwd)
cache=${PFNLAB_KERNEL_CACHE:-/var/cache/pfnlab/kernels}

die() {
	echo "lab-kernel: $*" >&2
	exit 1
}

anchors=0 check=0
for arg in "$@"; do
	case "$arg" in
	--anchors) anchors=1 ;;
	--check) check=1 ;;
	*) echo "usage: lab-kernel.sh [--anchors] [--check]" >&2; exit 2 ;;
	esac
done

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
[ -n "$tarball" ] || die "no /usr/src/linux-source-*.tar.xz: install Debian's kernel source package (make deps)"
package=$(basename "$tarball" .tar.xz)
version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || stat -c %Y "$tarball")

fragments=("$KCONFIG_DIR/lab.config")
args=()
flavour=lab
if [ "$anchors" = 1 ]; then
	fragments+=("$KCONFIG_DIR/anchors.config")
	args+=(--fragment "$KCONFIG_DIR/anchors.config")
	flavour=anchors
fi
hash=$( {
	printf '%s\n' "$package" "$version" "$flavour"
	cat "${fragments[@]}" "$KCONFIG_DIR/build-kernel.sh"
	gcc --version | head -n 1
} | sha256sum | cut -c1-12)
# Only path-safe characters (Debian versions carry '~' and ':').
key=$(printf '%s' "$flavour-$version-$hash" | tr -c 'A-Za-z0-9.+_-' '_')
dir=$cache/$key

report() {
	echo "lab-kernel: $key"
	echo "KERNEL=$dir/out/arch/x86/boot/bzImage"
	echo "KBUILD=$dir/out"
}

if [ -f "$dir/built" ]; then
	report
	exit 0
fi
[ "$check" = 1 ] && { echo "lab-kernel: $key is not built yet ($dir)" >&2; exit 1; }

mkdir -p "$cache" || die "cannot create the cache $cache (PFNLAB_KERNEL_CACHE names another)"
exec 9>"$cache/.$key.lock"
echo "lab-kernel: waiting for the lock on $key" >&2
flock 9
# Another clone may have built it while this one waited.
if [ -f "$dir/built" ]; then
	report
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/src"
echo "lab-kernel: unpacking $tarball into $dir/src" >&2
tar -xJf "$tarball" -C "$dir/src" --strip-components=1
if ! "$KCONFIG_DIR/build-kernel.sh" "${args[@]}" "$dir/src" "$dir/out" >"$dir/build.log" 2>&1; then
	tail -n 30 "$dir/build.log" >&2
	die "the build of $key failed (log: $dir/build.log)"
fi
touch "$dir/built"
report
