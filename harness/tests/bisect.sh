#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks pass their scripts to bash -c in single quotes, expanded there.
# shellcheck disable=SC2016
# docs/bisect-step.sh end to end, with its three replaceable commands
# stubbed: BUILD_KERNEL writes a placeholder bzImage (or fails, for the
# "does not build" commit), BUILD_MODULE does nothing, and VM_RUNNER,
# instead of booting, writes one synthetic round (compare_synth.awk) to
# the out directory it is given, slower by $SLOW_TEST when it is handed the
# test kernel, its rounds $BCV apart (default 1%).  What is real: the argument handling, the two build
# directories, the `pfnlab ab --bisect` run with its alternation and
# verdict, and the mapping to git bisect's exit codes (0 good, 1 bad,
# 125 skip, 128 abort).  The real kernels and boots are the lab's own
# (harness/vm/README.md); this checks the script that drives them.
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$PWD
# shellcheck source=harness/tests/lib/common.sh
. harness/tests/lib/common.sh
tmp=$(mktemp -d /tmp/pfnlab-bisect.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT


# A directory that passes for a kernel tree.
mkdir -p "$tmp/linux/arch/x86"
echo 'all:' >"$tmp/linux/Makefile"

cat >"$tmp/build-kernel" <<'EOF'
#!/bin/sh
# build-kernel SRC OUT: fails when the tree says so
[ -e "$1/BROKEN" ] && { echo "stub: this commit does not build"; exit 2; }
mkdir -p "$2/arch/x86/boot" && echo "$MAKEFLAGS_EXTRA" >"$2/arch/x86/boot/bzImage"
EOF
cat >"$tmp/vm-runner" <<EOF
#!/bin/sh
# vm-runner [--quiet] [--timeout S] --out DIR -- sh -c CMD: one synthetic round
out=
while [ \$# -gt 0 ]; do
	case \$1 in
	--out) out=\$2; shift 2 ;;
	--) break ;;
	*) shift ;;
	esac
done
[ -n "\$out" ] || exit 2
slow=1.0
case \$KERNEL in */kernel-test/*) slow=\${SLOW_TEST:-1.0} ;; esac
[ -n "\${VM_FAIL:-}" ] && case \$KERNEL in */kernel-test/*) echo "Kernel panic" >&2; exit 3 ;; esac
mkdir -p "\$out"
awk -v seed="\$PFNLAB_AB_STEP" -v rounds=1 -v bcv="\${BCV:-0.01}" -v slow="\$slow" -f "$top/harness/tests/compare_synth.awk" >"\$out/step.json"
EOF
chmod +x "$tmp/build-kernel" "$tmp/vm-runner"

step() {	# step [--base]: bisect-step.sh from the kernel tree, stubs in place
	(cd "$tmp/linux" && BASE_OUT="$tmp/kernel-base" OUT="$tmp/kernel-test" \
		STEP_DIR="$tmp/step" BUILD_KERNEL="$tmp/build-kernel" BUILD_MODULE=true \
		VM_RUNNER="$tmp/vm-runner" PAIRS=${PAIRS:-4} BUDGET=0 bash "$top/docs/bisect-step.sh" "$@")
}

step >/dev/null 2>"$tmp/err"; rc=$?
check "no base kernel yet: abort (128) and say how to make one" bash -c \
	'[ $1 -eq 128 ] && grep -q "run bisect-step.sh --base" "$2"' _ "$rc" "$tmp/err"

step --base >/dev/null 2>"$tmp/err"; rc=$?
check "--base builds the base kernel with its own LOCALVERSION" bash -c \
	'[ $1 -eq 0 ] && grep -q "LOCALVERSION=-bisect-base" "$2/arch/x86/boot/bzImage"' _ "$rc" "$tmp/kernel-base"

SLOW_TEST=1.0 BCV=0.05 step >/dev/null 2>"$tmp/err"; rc=$?
check "unchanged test kernel, 4 pairs of rounds 5% apart: undecided, skip (125)" bash -c '[ $1 -eq 125 ] && grep -q "undecided within the budget" "$2"' _ "$rc" "$tmp/err"
SLOW_TEST=1.0 PAIRS=8 step >/dev/null 2>"$tmp/err"; rc=$?
check "unchanged test kernel, 8 pairs: good (0)" bash -c '[ $1 -eq 0 ] && grep -q "bisect-step: good" "$2"' _ "$rc" "$tmp/err"
check "the test kernel built apart, as -bisect-test" grep -q "LOCALVERSION=-bisect-test" "$tmp/kernel-test/arch/x86/boot/bzImage"
check "boots alternate base and test: a b b a a b ..., 16 steps for 8 pairs" bash -c \
	'cd "$1/steps" && [ "$(ls -- *.json | head -n 6 | tr "\n" " ")" = "001-a.json 002-b.json 003-b.json 004-a.json 005-a.json 006-b.json " ] &&
	 [ "$(ls -- *.json | wc -l)" -eq 16 ]' _ "$tmp/step"

export SLOW_TEST=1.3
step >/dev/null 2>"$tmp/err"; rc=$?
check "30% slower pin on the test kernel: bad (1), the metric named" bash -c \
	'[ $1 -eq 1 ] && grep -q "^REGRESSED: .*pin_ns_per_page" "$2"' _ "$rc" "$tmp/err"

touch "$tmp/linux/BROKEN"
step >/dev/null 2>"$tmp/err"; rc=$?
check "a commit that does not build: skip (125)" bash -c '[ $1 -eq 125 ] && grep -q "does not build" "$2"' _ "$rc" "$tmp/err"
rm "$tmp/linux/BROKEN"

VM_FAIL=1 step >/dev/null 2>"$tmp/err"; rc=$?
check "a boot of the test kernel that dies: skip (125), not bad" bash -c '[ $1 -eq 125 ] && grep -q "lab VM boot failed" "$2"' _ "$rc" "$tmp/err"

(cd "$tmp" && bash "$top/docs/bisect-step.sh") >/dev/null 2>"$tmp/err"; rc=$?
check "outside a kernel tree: abort (128)" bash -c '[ $1 -eq 128 ] && grep -q "not a kernel source tree" "$2"' _ "$rc" "$tmp/err"

finish bisect
