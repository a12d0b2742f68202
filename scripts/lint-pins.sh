#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lint-pins: fail when a Makefile, Kbuild file or script names a Debian
# kernel ABI, a kernel package version or a versioned package that has an
# unversioned name.  Debian bumps the 6.1 ABI (6.1.0-N) and the 6.12
# upload (6.12.N+debM) with every security update, so a literal one works
# on the machine it was written on and breaks a fresh machine weeks later.
# The build discovers the newest installed tree of each series instead.
#
#   scripts/lint-pins.sh [FILE...]   (default: every tracked build file and
#                                     script of the repository)
#   scripts/lint-pins.sh --self-test  check the check on planted files
#
# Prints FILE:LINE: TEXT for each pin and exits 1 when there is one.  A
# glob such as 6.12.*+deb12-amd64 is discovery, not a pin, and passes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# A number where Debian changes it: 6.1.0-57, 6.12.117+deb12, 6.1.0-57-amd64,
# an apt pin (pkg=1.2-3), or a versioned runtime with a metapackage
# (libclang-rt-14-dev has libclang-rt-dev).
patterns=(
	'[0-9]+\.[0-9]+(\.[0-9]+)?-[0-9]+-(amd64|arm64|common|cloud-amd64|rt-amd64)'
	'[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+'
	'linux-(image|headers|source|kbuild)-[0-9]+\.[0-9]+\.[0-9]'
	'apt(-get)? .*install .*[a-z0-9]=[0-9]'
	'lib(clang-rt|llvm|clang)-[0-9]+-dev'
)

# build_files: tracked Makefiles, Kbuild, *.mk, *.sh and files whose first
# line starts a shell.
build_files() {
	git ls-files | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		# This file plants pins on purpose: --self-test checks it.
		scripts/lint-pins.sh) ;;
		*/Makefile | Makefile | */Kbuild | Kbuild | *.mk | *.sh) echo "$f" ;;
		*) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*\b(ba)?sh\b' && echo "$f" ;;
		esac
	done
}

# --self-test: the check must catch a planted pin and pass a discovery glob,
# so that a broken pattern cannot turn this lint into one that never fails.
self_test() {
	local dir rc=0
	dir=$(mktemp -d) || return 2
	printf 'KDIR_61 := /usr/src/linux-headers-6.1.0-56-amd64\n' >"$dir/Makefile"
	# shellcheck disable=SC2016 # a make expression, written literally
	printf 'KDIR := $(lastword $(wildcard /usr/src/linux-headers-6.12.*+deb12-amd64))\n' >"$dir/ok.mk"
	printf '#!/bin/sh\napt-get install linux-image-6.12.117+deb12-amd64\n' >"$dir/pinned.sh"
	if "$0" "$dir/Makefile" >/dev/null 2>&1; then echo "lint-pins self-test: missed a 6.1 ABI pin"; rc=1; fi
	if "$0" "$dir/pinned.sh" >/dev/null 2>&1; then echo "lint-pins self-test: missed a 6.12 upload pin"; rc=1; fi
	if ! "$0" "$dir/ok.mk" >/dev/null 2>&1; then echo "lint-pins self-test: flagged a discovery glob"; rc=1; fi
	rm -rf "$dir"
	[ $rc -eq 0 ] && echo "lint-pins self-test: a planted pin is caught, a glob passes"
	return $rc
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit $?
elif [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(build_files)
fi

alternation=$(IFS='|'; echo "${patterns[*]}")
found=0
for f in "${files[@]}"; do
	# Comments may explain a pin; only code lines count.  grep -n gives
	# LINE:TEXT; a line whose text starts with '#' is a comment.
	while IFS= read -r hit; do
		text=${hit#*:}
		case "${text#"${text%%[![:space:]]*}"}" in '#'*) continue ;; esac
		echo "$f:$hit"
		found=1
	done < <(grep -nE -- "$alternation" "$f" 2>/dev/null)
done
if [ $found -ne 0 ]; then
	echo "lint-pins: the lines above name a Debian ABI or package version; discover the installed one instead (CONTRIBUTING.md, \"Dependencies\")" >&2
	exit 1
fi
echo "lint-pins: ${#files[@]} build files and scripts name no Debian version"
