#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# libperf.sh: perf's libperf (tools/lib/perf, with the libapi it needs),
# built static from Debian's kernel source package once per machine and
# found again by every clone after it.  Debian packages no libperf; the
# kernel source `make deps` installs for the lab kernel carries it.
#
#   libperf.sh          print the directory holding include/ and lib/
#                       (libperf.a, libapi.a), building it first if needed
#   libperf.sh --check  print it only when it is built (exit 1 otherwise)
#
# The cache is ${PFNLAB_LIBPERF_CACHE:-/var/cache/pfnlab/libperf}/KEY, KEY
# naming the source package version and a hash of this script and the
# compiler; a build holds a lock, so two clones never build one KEY at
# once.  Only the source's tools/ directory is unpacked (the whole archive
# is still read: about a minute on 2 cores), and it is removed after the
# build.  Errors go to stderr with what to do; the exit status is 1.
set -euo pipefail

cache=${PFNLAB_LIBPERF_CACHE:-/var/cache/pfnlab/libperf}
script=$(readlink -f "$0")

die() {
	echo "libperf: $*" >&2
	exit 1
}

check=0
case "${1:-}" in
'') ;;
--check) check=1 ;;
*) echo "usage: libperf.sh [--check]" >&2; exit 2 ;;
esac

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || die "no /usr/src/linux-source-*.tar.xz: install Debian's kernel source package (make deps)"
package=$(basename "$tarball" .tar.xz)
version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || stat -c %Y "$tarball")
hash=$( {
	printf '%s\n' "$package" "$version"
	cat "$script"
	${CC:-cc} --version | head -n 1
} | sha256sum | cut -c1-12)
key=$(printf '%s' "$version-$hash" | tr -c 'A-Za-z0-9.+_-' '_')
dir=$cache/$key

if [ -f "$dir/built" ]; then
	echo "$dir"
	exit 0
fi
[ "$check" = 1 ] && { echo "libperf: $key is not built yet ($dir)" >&2; exit 1; }

mkdir -p "$cache" || die "cannot create the cache $cache (PFNLAB_LIBPERF_CACHE names another)"
exec 9>"$cache/.$key.lock"
flock 9
if [ -f "$dir/built" ]; then
	echo "$dir"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/obj"
echo "libperf: building perf's libperf from $tarball (once for this machine)" >&2
tar -xJf "$tarball" -C "$dir/src" --strip-components=1 "$package/tools" ||
	die "cannot unpack tools/ from $tarball"
# libperf's own Makefile builds libapi too; O= keeps the objects apart.
if ! make -s -C "$dir/src/tools/lib/perf" O="$dir/obj" DESTDIR="$dir" prefix= \
	libdir_relative=lib install_lib install_headers >"$dir/build.log" 2>&1; then
	tail -n 20 "$dir/build.log" >&2
	die "the build failed (log: $dir/build.log)"
fi
cp "$dir/obj/libapi.a" "$dir/lib/" || die "no libapi.a after the build (log: $dir/build.log)"
if [ ! -f "$dir/lib/libperf.a" ] || [ ! -f "$dir/include/perf/evsel.h" ]; then
	die "no libperf.a or perf/evsel.h after the build (log: $dir/build.log)"
fi
rm -rf "$dir/src" "$dir/obj"
touch "$dir/built"
echo "$dir"
