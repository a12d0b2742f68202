#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The files of the tree that `make lint` checks, one per line, so that a
# new file is checked without being listed anywhere:
#
#   lint-files.sh shell   every shell script (name ends in .sh, or its
#                         first line starts a shell): shellcheck
#   lint-files.sh c       every C source and header: clang-format
#
# The tracked files; all files (less build/) when this is no git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
case "$kind" in
shell | c) ;;
*) echo "usage: lint-files.sh shell|c" >&2; exit 2 ;;
esac
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files
else
	find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||'
fi | while IFS= read -r f; do
	[ -f "$f" ] || continue
	case "$kind:$f" in
	c:*.c | c:*.h | shell:*.sh) echo "$f" ;;
	shell:*) head -c 64 "$f" | head -n 1 | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
	esac
done
exit 0
