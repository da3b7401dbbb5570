# SPDX-License-Identifier: GPL-2.0
#
# kipc: the one Makefile.  `make run` is the main job, `make check` runs
# every test.  Both install what they need first (scripts/deps.sh).
#
# The kernels come from scripts/kernels.conf; KVER=<release> picks one.

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD	:= $(TOP)/build
VM	:= $(TOP)/scripts/vm/kipc-vm
SHELL	:= /bin/bash

# Set in sub-makes, once the deps step has made sure the kernels exist.
KVERS	= $(if $(KVER),$(KVER),$(shell $(TOP)/scripts/deps.sh --kvers))

KMOD_SRCS := $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h) $(TOP)/kmod/Kbuild
# kipc's one version: the module, libkipc, the tools, the man pages and
# dkms.conf all take it from this file.
VERSION	:= $(shell cat $(TOP)/VERSION)
UAPI	:= $(TOP)/uapi/linux/kipc.h
Q	:= $(if $(V),,@)

.PHONY: all deps ksrc modules selftests tools userlib lint check-debug debug-kernel bench fuzz check run load unload \
	install install-udev clean help _modules _checkpatch _sparse

all: modules selftests tools userlib

help:
	@echo 'make run        build, boot bookworm 6.1 in qemu, load kipc, show it'
	@echo 'make check      every test: host tests, then the selftests in the guest'
	@echo '                on each kernel; ends with "N passed, N failed"'
	@echo 'make modules    build kipc.ko for every kernel (KVER=... for one)'
	@echo 'make lint       checkpatch --strict and sparse (C=2)'
	@echo 'make load       insmod kipc.ko into the running kernel (real machines)'
	@echo 'make unload     rmmod it'
	@echo 'make deps       install the packages kipc needs (apt-get)'

deps:
	$(Q)$(TOP)/scripts/deps.sh

ksrc: deps
	$(Q)$(TOP)/scripts/ksrc.sh $(BUILD)/ksrc

modules: deps
	$(Q)$(MAKE) --no-print-directory _modules

_modules: $(foreach k,$(KVERS),$(BUILD)/$(k)/kmod/kipc.ko)

# Kbuild of 6.1 cannot put objects outside the source directory of an
# external module, so each kernel gets a directory of links to the sources.
$(BUILD)/%/kmod/kipc.ko: $(KMOD_SRCS) $(UAPI) $(TOP)/VERSION
	$(Q)mkdir -p $(@D)
	$(Q)ln -sf $(KMOD_SRCS) $(@D)/
	$(Q)$(MAKE) -C /lib/modules/$*/build M=$(@D) KIPC_UAPI=$(TOP)/uapi \
		KIPC_VERSION=$(VERSION) \
		KIPC_WERROR=y W=1 $(if $(V),V=1) modules \
		2>&1 | grep -v 'Skipping BTF generation' ; exit $${PIPESTATUS[0]}

tools: userlib
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/tools/kipcctl O=$(BUILD)/tools
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/tools/preload O=$(BUILD)/tools
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/tools/bench
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/tools/fuzz OUTPUT=$(BUILD)/tools

userlib:
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/userlib

selftests: ksrc
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/selftests \
		TOP=$(TOP) OUTPUT=$(BUILD)/selftests KSFT_INC=$(BUILD)/ksrc/include

lint: ksrc modules
	$(Q)$(MAKE) --no-print-directory _checkpatch _sparse

CHECKPATCH = $(BUILD)/ksrc/scripts/checkpatch.pl --strict --no-tree --terse \
	--show-types -f $(TOP)/kmod/*.c $(TOP)/kmod/*.h $(UAPI)

_checkpatch:
	$(Q)out=$$($(CHECKPATCH) 2>&1); [ -z "$$out" ] || { echo "$$out"; exit 1; }
	@echo "lint: checkpatch --strict clean"

# W=1 and sparse on every kernel: any warning fails.
_sparse:
	$(Q)for k in $(KVERS); do \
		d=$(BUILD)/$$k/sparse; mkdir -p $$d; ln -sf $(KMOD_SRCS) $$d/; \
		out=$$($(MAKE) -C /lib/modules/$$k/build M=$$d \
			KIPC_UAPI=$(TOP)/uapi KIPC_VERSION=$(VERSION) \
			W=1 C=2 modules 2>&1); \
		rc=$$?; \
		warn=$$(echo "$$out" | grep -E 'warning:|error:'); \
		if [ $$rc -ne 0 ] || [ -n "$$warn" ]; then \
			echo "$$out" | grep -E 'warning:|error:'; \
			echo "lint: sparse/W=1 failed on $$k"; exit 1; fi; \
		echo "lint: sparse C=2 and W=1 clean on $$k"; \
	done

check: deps
	$(Q)$(MAKE) --no-print-directory modules selftests tools userlib
	$(Q)$(TOP)/scripts/check.sh $(KVERS)

# Every guest test on the KASAN/lockdep/kmemleak/KUnit kernel (built and
# cached outside the clone on first use: see scripts/vm/debug-kernel.sh).
check-debug: deps
	$(Q)$(MAKE) --no-print-directory selftests tools userlib
	$(Q)$(TOP)/scripts/check-debug.sh

# kipc-fuzz on the debug kernel: FUZZ_OPS (default 100000), FUZZ_SEED.
fuzz: deps
	$(Q)$(MAKE) --no-print-directory modules tools
	$(Q)$(TOP)/tools/fuzz/run.sh

debug-kernel: deps
	$(Q)$(TOP)/scripts/vm/debug-kernel.sh

run: deps
	$(Q)$(MAKE) --no-print-directory modules tools userlib
	$(Q)$(TOP)/scripts/run.sh $(KVERS)

# kipc-bench in the guest, in wall-clock and in icount mode: out/bench/.
bench: deps
	$(Q)$(MAKE) --no-print-directory modules tools userlib
	$(Q)$(TOP)/tools/bench/run-bench.sh $(firstword $(KVERS)) \
		$(TOP)/out/bench $(BENCH_ARGS)

# On a machine whose running kernel loads modules.
load:
	$(Q)$(MAKE) -C $(TOP)/kmod KIPC_UAPI=$(TOP)/uapi modules
	insmod $(TOP)/kmod/kipc.ko
	$(Q)$(MAKE) --no-print-directory install-udev
	@ls -l /dev/kipc

unload:
	rmmod kipc

# Everything but the module (DKMS installs that: see README): the udev
# rule, libkipc (with its headers <libkipc.h> and <kipc.h>, and the
# module's ABI <linux/kipc.h>, which <libkipc.h> includes), the tools and
# the man pages.
PREFIX	?= /usr/local
bindir	?= $(PREFIX)/bin
includedir ?= $(PREFIX)/include
mandir	?= $(PREFIX)/share/man
datadir	?= $(PREFIX)/share

install: tools userlib install-udev
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/userlib install \
		DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) includedir=$(includedir) \
		mandir=$(mandir)
	$(Q)$(MAKE) --no-print-directory -C $(TOP)/tools/preload install \
		O=$(BUILD)/tools DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) \
		mandir=$(mandir)
	install -D -m 0755 $(BUILD)/tools/kipcctl $(DESTDIR)$(bindir)/kipcctl
	install -D -m 0644 $(TOP)/tools/kipcctl/kipcctl.bash-completion \
		$(DESTDIR)$(datadir)/bash-completion/completions/kipcctl
	install -D -m 0755 $(BUILD)/tools/kipc-bench \
		$(DESTDIR)$(bindir)/kipc-bench
	install -D -m 0755 $(BUILD)/tools/kipc-fuzz \
		$(DESTDIR)$(bindir)/kipc-fuzz
	$(Q)$(TOP)/scripts/install-man.sh $(DESTDIR)$(mandir) \
		$(TOP)/tools/kipcctl/kipcctl.1 $(TOP)/tools/bench/kipc-bench.1 \
		$(TOP)/tools/fuzz/kipc-fuzz.1

install-udev:
	install -D -m 0644 $(TOP)/packaging/udev/60-kipc.rules \
		$(DESTDIR)/etc/udev/rules.d/60-kipc.rules
	-udevadm control --reload-rules 2>/dev/null

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(TOP)/kmod clean 2>/dev/null
