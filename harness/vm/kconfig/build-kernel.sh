#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh: build a kernel for the pfnlab lab VM from a source tree.
#
#   build-kernel.sh [--config-only] [--fragment FILE]... SRC_TREE OUT_DIR
#
# Configures OUT_DIR as "make tinyconfig" plus lab.config (next to this
# script) and then each --fragment in order (a later line for an option
# overrides an earlier one: anchors.config makes the anchors' kernel),
# checks that every option wanted survived olddefconfig,
# then builds bzImage and modules and prepares the tree for external
# modules.  The last two lines of output are the KERNEL= and KBUILD= values
# for "make vm-check" and "make bench".  --config-only stops after the check.
#
# SRC_TREE is any kernel source tree (a git checkout of the commit under
# test, an unpacked linux-source-6.12); it is only read, everything is
# written under OUT_DIR (make O=).  Environment: JOBS (default 2: the lab
# machines are shared), NICE (default 10), MAKEFLAGS_EXTRA (e.g. "CC=clang").
# Rerunning on an existing OUT_DIR reconfigures it from scratch and rebuilds
# incrementally.
set -euo pipefail

KCONFIG_DIR=$(cd "$(dirname "$0")" && pwd)
FRAGMENT=$KCONFIG_DIR/lab.config

die() {
	echo "build-kernel: $*" >&2
	exit 1
}

usage() {
	sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

config_only=0
fragments=("$FRAGMENT")
while [ $# -gt 0 ]; do
	case "$1" in
	--config-only) config_only=1; shift ;;
	--fragment)
		if [ $# -lt 2 ] || [ ! -f "$2" ]; then die "--fragment wants a file, not '${2:-}'"; fi
		fragments+=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")")
		shift 2 ;;
	-h|--help) usage ;;
	-*) echo "build-kernel: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
src=$1
out=$2
jobs=${JOBS:-2}
nice_level=${NICE:-10}
# shellcheck disable=SC2206 # extra make arguments are words by design
extra=(${MAKEFLAGS_EXTRA:-})

if [ ! -f "$src/Makefile" ] || [ ! -f "$src/scripts/kconfig/merge_config.sh" ]; then
	die "$src is not a kernel source tree (no Makefile or scripts/kconfig/merge_config.sh)"
fi
[ -f "$FRAGMENT" ] || die "no fragment $FRAGMENT"
names=$(printf '%s ' "${fragments[@]##*/}")
case "$jobs" in '' | *[!0-9]* | 0) die "JOBS must be a positive integer, not '$jobs'" ;; esac
for tool in make gcc flex bison bc; do
	command -v "$tool" >/dev/null || die "$tool not found: install it (scripts/deps.sh)"
done
# objtool needs libelf's header; the error from deep in the build is obscure.
if [ ! -f /usr/include/gelf.h ] && [ ! -f /usr/include/libelf/gelf.h ]; then
	die "libelf headers not found: install libelf-dev (scripts/deps.sh)"
fi

src=$(cd "$src" && pwd)
# Kbuild refuses O= when the source tree itself has been configured.
if [ -f "$src/.config" ] || [ -d "$src/include/config" ]; then
	die "$src has been configured in place; run 'make -C $src mrproper' first (O= builds need a clean tree)"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

kmake() {
	nice -n "$nice_level" make -C "$src" O="$out" "${extra[@]}" "$@"
}

# --- configuration --------------------------------------------------------
echo "build-kernel: configuring $out (tinyconfig + ${names% })"
rm -f "$out/.config"
kmake -s tinyconfig
# -m: merge only; olddefconfig then resolves the dependencies.
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}") >/dev/null
kmake -s olddefconfig

# What is wanted: every option's last line over the fragments, in order.
wanted=$(cat "${fragments[@]}" | grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' |
	awk '{ o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o); if (!(o in last)) order[n++] = o; last[o] = $0 }
	     END { for (i = 0; i < n; i++) print last[order[i]] }')

# Every "CONFIG_X=v" and "# CONFIG_X is not set" of the fragment must be in
# the final .config exactly; name the ones that are not, with what they
# became, so that a missing dependency is found without a menuconfig dive.
lost=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		opt=${BASH_REMATCH[1]}
	else
		continue
	fi
	got=$(grep -E "^($opt=|# $opt is not set$)" "$out/.config" || true)
	# An option that is off may also be absent altogether (its menu is off).
	if [ "$got" != "$line" ] && ! { [ -z "$got" ] && [[ $line == "# "* ]]; }; then
		lost+=("$opt (wanted '${line}', got '${got:-absent}')")
	fi
done <<<"$wanted"
if [ ${#lost[@]} -gt 0 ]; then
	echo "build-kernel: ${#lost[@]} option(s) of ${names% } did not survive olddefconfig" \
		"(a dependency is missing or the option does not exist in this tree):" >&2
	printf '  %s\n' "${lost[@]}" >&2
	exit 1
fi
echo "build-kernel: all $(grep -c . <<<"$wanted") options of ${names% } present in $out/.config"
[ "$config_only" = 1 ] && exit 0

# --- build ----------------------------------------------------------------
echo "build-kernel: building bzImage and modules with -j$jobs (nice $nice_level)"
kmake -j"$jobs" bzImage modules
# modules_prepare is part of the above; it is repeated so that a tree whose
# configuration has no modules at all is still ready for pfnlab.ko.
kmake -j"$jobs" modules_prepare

kernel=$out/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "the build ended without $kernel"
[ -f "$out/Module.symvers" ] || die "the build ended without $out/Module.symvers"
echo "build-kernel: kernel $(cat "$out/include/config/kernel.release") built"
echo "KERNEL=$kernel"
echo "KBUILD=$out"
