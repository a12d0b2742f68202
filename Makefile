# SPDX-License-Identifier: GPL-2.0
#
# pfnlab — top-level build.  Each component has its own Makefile; this one
# only orders them.  `make help` lists the targets.
#
# The two commands a newcomer needs (README.md):
#   make bench   install, build, measure bench/quick.ini, plot, report
#   make check   install, build, run every test (unit, fuzz, harness, lint, lab VM)

SHELL := /bin/bash
.DEFAULT_GOAL := all

# Passed through to the lab VM and the driver build (CONTRIBUTING.md):
#   KDIR=...                  build the module against this tree
#   KERNEL=bzImage KBUILD=... boot this kernel in the lab VM
# Relative paths are made absolute: sub-makes and the VM runner change
# directory before they use them.
override KDIR := $(if $(KDIR),$(abspath $(KDIR)))
override KERNEL := $(if $(KERNEL),$(abspath $(KERNEL)))
override KBUILD := $(if $(KBUILD),$(abspath $(KBUILD)))
export KDIR KERNEL KBUILD VM_ACCEL

.PHONY: all deps driver harness check check-driver check-harness check-lint \
	vm-check anchors-check lava-check bench lint clean help

all: driver harness

help:
	@echo 'make deps       install every Debian package pfnlab needs (root, idempotent)'
	@echo 'make all        build the module and the pfnlab command'
	@echo 'make driver     build pfnlab.ko (KDIR=tree to pick the kernel tree)'
	@echo 'make harness    build the pfnlab command and its tests'
	@echo 'make check      every test: core units + fuzz, harness, lint, lab VM'
	@echo 'make vm-check   boot the lab VM and run the module integration tests'
	@echo 'make anchors-check  gup_test and io_uring beside the model, in the anchors lab kernel'
	@echo 'make lava-check a LAVA job of the lab VM under lava-run, imported and checked'
	@echo 'make bench      run bench/quick.ini end to end: results, plots, report'
	@echo 'make lint       clang-tidy, cppcheck, kernel-doc, shellcheck (every shell script), clang-format (every C file), no pinned Debian versions, no module call circle'

deps:
	@bash scripts/deps.sh

driver: deps
	$(MAKE) -C driver

harness: deps
	$(MAKE) -C harness

check-driver: deps
	$(MAKE) -C driver check

check-harness: deps
	$(MAKE) -C harness check

vm-check: deps
	$(MAKE) -C harness/vm check

# The kernel's own pin paths beside the model in the anchors' lab kernel
# (built once per machine from Debian's source, ~10 minutes, then cached).
anchors-check: deps
	@bash harness/vm/anchors-check

# A LAVA job of the lab VM's machine under LAVA's own dispatcher, its
# results imported and checked against a direct run (lava/README.md).
lava-check: deps
	@bash lava/lava-check

# Suites run one after the other so that a failure names its suite; each
# prints its own summary line, and scripts/check.sh adds them up.
check: deps
	@bash scripts/check.sh

bench: deps
	@bash scripts/bench.sh

lint: deps
	@bash scripts/deps.sh --self-test
	@bash scripts/lint-pins.sh --self-test
	@bash scripts/lint-pins.sh
	@bash scripts/module-calls.sh --self-test
	@bash scripts/module-calls.sh >/dev/null
	$(MAKE) -C driver lint
	$(MAKE) -C harness lint
	$(MAKE) -C harness/vm lint
	bash scripts/lint-files.sh shell | xargs shellcheck -x
	@# .clang-format: the harness' style; driver/.clang-format: the kernel's.
	bash scripts/lint-files.sh c | xargs clang-format --dry-run --Werror

# `make lint` as a suite of `make check`: one test (scripts/tap.sh).
check-lint: deps
	@. scripts/tap.sh; tap_check lint $(MAKE) --no-print-directory lint; tap_finish lint

clean:
	-$(MAKE) -C driver clean
	-$(MAKE) -C harness clean
	-$(MAKE) -C harness/vm clean
	rm -rf build
