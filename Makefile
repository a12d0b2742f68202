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
	vm-check bench lint clean help

all: driver harness

help:
	@echo 'make deps       install every Debian package pfnlab needs (root, idempotent)'
	@echo 'make all        build the module and the pfnlab command'
	@echo 'make driver     build pfnlab.ko (KDIR=tree to pick the kernel tree)'
	@echo 'make harness    build the pfnlab command and its tests'
	@echo 'make check      every test: core units + fuzz, harness, lint, lab VM'
	@echo 'make vm-check   boot the lab VM and run the module integration tests'
	@echo 'make bench      run bench/quick.ini end to end: results, plots, report'
	@echo 'make lint       clang-tidy, cppcheck, kernel-doc, shellcheck, no pinned Debian versions, no module call circle'

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

# Suites run one after the other so that a failure names its suite; each
# prints its own summary line, and scripts/check.sh adds them up.
check: deps
	@bash scripts/check.sh

bench: deps
	@bash scripts/bench.sh

lint: deps
	@bash scripts/lint-pins.sh --self-test
	@bash scripts/lint-pins.sh
	@bash scripts/module-calls.sh --self-test
	@bash scripts/module-calls.sh >/dev/null
	$(MAKE) -C driver lint
	$(MAKE) -C harness lint
	$(MAKE) -C harness/vm lint
	shellcheck -x scripts/*.sh docs/*.sh .ci/run harness/tests/*.sh harness/tests/lib/*.sh \
		driver/test/run_check.sh harness/vm/kconfig/build-kernel.sh

# `make lint` as a suite of `make check`, with the summary line check.sh reads.
check-lint: deps
	@if $(MAKE) --no-print-directory lint; then echo 'lint: 1 passed, 0 failed'; \
	else echo 'lint: 0 passed, 1 failed'; exit 1; fi

clean:
	-$(MAKE) -C driver clean
	-$(MAKE) -C harness clean
	-$(MAKE) -C harness/vm clean
	rm -rf build
