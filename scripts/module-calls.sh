#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's files must not call each other in a circle: each is one
# concept (docs/design.md), and a call circle is two concepts in one.
#
#   scripts/module-calls.sh [DIR]     (default: driver)
#
# Builds the file-level call graph of DIR/*.c from the functions each file
# defines without `static` and the others' uses of them (a call, or the
# function as a value; comments stripped by the preprocessor, nothing
# expanded), prints it, and exits 1 naming every file that reaches itself.  `--self-test` plants a circle in
# a scratch copy and must see it caught.
set -euo pipefail

check() {
	local dir=$1 tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: the trap outlives this function's locals
	trap "rm -rf '$tmp'" RETURN
	for f in "$dir"/*.c; do
		# -fpreprocessed: comments go, #include and macros stay as written.
		gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null >"$tmp/$(basename "$f")" || cp "$f" "$tmp/$(basename "$f")"
	done
	(cd "$tmp" && awk '
		FNR == 1 { file = FILENAME; files[file] = 1; prev = "" }
		{
			line = $0
			# A definition: a function name at the start of a declaration
			# that is not static (on this line or the return type line
			# above) and not a prototype.
			if (line ~ /^[A-Za-z_]/ && line !~ /;[ \t]*$/ && line !~ /^static/ &&
			    prev !~ /^static/ && match(line, /[A-Za-z_][A-Za-z0-9_]*\(/)) {
				name = substr(line, RSTART, RLENGTH - 1)
				rest = substr(line, 1, RSTART - 1)
				if (name !~ /^(if|for|while|switch|return|sizeof|module_init|module_exit|MODULE_[A-Z_]+|EXPORT_SYMBOL[A-Z_]*|module_param_named|DEFINE_[A-Z_]+|LIST_HEAD|PFNLAB_[A-Z_]+)$/ &&
				    (rest ~ /[A-Za-z_*][ \t*]*$/ || rest == ""))
					def[name] = file
			}
			text[file] = text[file] " " line
			prev = line
		}
		END {
			for (f in files) {
				s = text[f]
				# struct pfnlab_map is a type, not a use of pfnlab_map().
				gsub(/(struct|union|enum)[ \t]+[A-Za-z_][A-Za-z0-9_]*/, " ", s)
				# Any use counts: a call, or a function handed over
				# as a value (the ioctl table, an ops struct).
				while (match(s, /[A-Za-z_][A-Za-z0-9_]*/)) {
					n = substr(s, RSTART, RLENGTH)
					if ((n in def) && def[n] != f && !((f, n) in seen)) {
						seen[f, n] = 1
						edge[f, def[n]] = edge[f, def[n]] " " n
					}
					s = substr(s, RSTART + RLENGTH)
				}
			}
			for (k in edge) {
				split(k, p, SUBSEP)
				reach[p[1], p[2]] = 1
				printf "%s -> %s:%s\n", p[1], p[2], edge[k] | "sort"
			}
			close("sort")
			# Transitive closure over the few files of a module.
			for (m in files) for (a in files) if ((a, m) in reach)
				for (b in files) if ((m, b) in reach) reach[a, b] = 1
			bad = 0
			for (f in files) if ((f, f) in reach) {
				printf "module-calls: %s calls itself through other files\n", f > "/dev/stderr"
				bad = 1
			}
			exit bad
		}' ./*.c)
}

if [ "${1:-}" = --self-test ]; then
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	printf 'int a_one(void)\n{\n\treturn b_two();\n}\n' >"$scratch/a.c"
	printf 'int b_two(void)\n{\n\treturn 0;\n}\n' >"$scratch/b.c"
	check "$scratch" >/dev/null 2>&1 || { echo "module-calls self-test: a clean pair called a circle"; exit 1; }
	printf 'int b_two(void)\n{\n\treturn a_one();\n}\n' >"$scratch/b.c"
	if check "$scratch" >/dev/null 2>&1; then
		echo "module-calls self-test: a planted circle was not caught"
		exit 1
	fi
	echo "module-calls self-test: a clean pair passes, a planted circle is caught"
	exit 0
fi
check "${1:-$(cd "$(dirname "$0")/.." && pwd)/driver}"
