# SPDX-License-Identifier: GPL-2.0
#
# Developer targets.  Objects and flags are in Kbuild.
#
#   make                  build against the running kernel
#   make KDIR=<dir>       build against the kernel build tree <dir>
#   make KERNEL=<id>      build against a fetched stock kernel (see
#                         scripts/fetch-kernels.sh; ids: make kernels)
#   make demo             the demo: QEMU guest, 1 GiB workload, host RSS
#   make check            the test suite (what CI runs): every test on the
#                         default kernel, KUnit and the debug set on the
#                         debug kernel, the core set elsewhere
#   make check-all        every test on every kernel
#   make check-debug      every test on the debug kernel
#   make stress           the long forms of the stress tests (not in CI)
#   make kunit            the KUnit suites, on the debug kernel (KERNEL=debug)
#   make debug-kernel     build (or reuse) the KUnit/debug guest kernel
#   make bench            pagehint vs the kernel's reporting vs none: four
#                         workloads, figures, CSV and plots (not in CI)
#   make bench-build      a real workload: a C project (Lua) compiled in a loop
#                         in a Debian guest, with memory churn between builds:
#                         host RSS, build time, CPU, every reporter side by
#                         side (figures only)
#   make bench-hooks      the allocator hooks' cost, in a guest, at 2 and 8 vCPUs,
#                         in real time and under QEMU's instruction counter
#                         (figures only)
#   make bench-migrate    live migration with free page hinting: bytes sent,
#                         time, downtime, pagehint beside the stock driver and
#                         no driver, guest writing and idle, 3 rounds each
#                         (figures only; DOWNTIME=ms sets QEMU's downtime-limit;
#                         PIN=1 keeps the vCPUs off the migration thread's CPU)
#   make bench-cache      cold page cache back: upstream, WSL-style drops,
#                         pagehint, pagehint with pagehint-reclaimd
#   make bench-compact    balloon compaction: free 2 MiB blocks after
#                         vm.compact_memory with 512 MiB inflated, pagehint
#                         beside the stock driver, 3 rounds (KERNELS=, figures
#                         only)
#   make bench-claims     what claims cost the other vCPUs (interrupts, RCU
#                         grace periods), at 2, 4 and 8 vCPUs, pagehint
#                         beside the stock driver (figures only)
#   make install          install into /lib/modules/$(KVER)/updates, with
#                         pagehint-stat and the modprobe.d file
#   make dkms-install     copy the source into /usr/src and add it to DKMS
#   make reclaimd-install install pagehint-reclaimd, its systemd unit and
#                         /etc/default/pagehint-reclaimd
#   make deb              the Debian packages pagehint-dkms and
#                         pagehint-reclaimd, into dist/
#   make distro-test      a debootstrapped Debian guest: package, kernel
#                         upgrade, DKMS rebuild, boot with systemd
#   make style            checkpatch.pl --strict on every source file
#   make sparse           sparse over every unit (C=2)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)
# The version's one home is dkms.conf (see include/build.mk).
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)

ifneq ($(KERNEL),)
KDIR := $(shell scripts/kdir.sh $(KERNEL))
ifeq ($(KDIR),)
$(error cannot resolve KERNEL=$(KERNEL))
endif
endif

# Flags that are not Kbuild's own (W=1, C=1) pass through unchanged.
KMAKE = $(MAKE) -C $(KDIR) M=$(PWD)

# The DKMS payload: what `make dkms-install`, the Debian package and the
# scripts' builds copy (`make -s payload` prints it; tests stay out of it).
DKMS_SOURCES := dkms.conf Kbuild Makefile \
	$(wildcard src/*.[ch] include/*.h include/*.mk include/*/*.h include/*/*.mk include/*/*/*.h)

all: module

version:
	@echo $(VERSION)

payload:
	@echo $(DKMS_SOURCES)

module:
	$(KMAKE) modules

clean:
	$(KMAKE) clean

install: module tools-install
	$(KMAKE) modules_install INSTALL_MOD_DIR=updates
	depmod -a $(KVER)

# pagehint-stat and the modprobe.d file (make install, make dkms-install).
tools-install:
	install -D -m 755 scripts/pagehint-stat $(DESTDIR)/usr/sbin/pagehint-stat
	install -D -m 644 etc/modprobe.d/pagehint.conf $(DESTDIR)/etc/modprobe.d/pagehint.conf

# pagehint-reclaimd, its unit and its options (make reclaimd-install; the
# package pagehint-reclaimd).  systemctl enable --now pagehint-reclaimd
# starts it after a `make reclaimd-install`.
reclaimd:
	$(MAKE) -C tools/reclaimd

reclaimd-install: reclaimd
	install -D -m 755 tools/reclaimd/pagehint-reclaimd $(DESTDIR)/usr/sbin/pagehint-reclaimd
	install -D -m 644 etc/systemd/pagehint-reclaimd.service \
		$(DESTDIR)/lib/systemd/system/pagehint-reclaimd.service
	install -D -m 644 etc/default/pagehint-reclaimd $(DESTDIR)/etc/default/pagehint-reclaimd

# The DKMS payload under $(DESTDIR)/usr/src (make dkms-install, make deb).
dkms-source:
	rm -rf $(DESTDIR)/usr/src/pagehint-$(VERSION)
	install -d $(DESTDIR)/usr/src/pagehint-$(VERSION)
	tar -cf - $(DKMS_SOURCES) | tar -C $(DESTDIR)/usr/src/pagehint-$(VERSION) -xf -

dkms-install: dkms-source tools-install
	dkms add -m pagehint -v $(VERSION)
	dkms build -m pagehint -v $(VERSION) -k $(KVER)
	dkms install -m pagehint -v $(VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove -m pagehint -v $(VERSION) --all
	rm -rf /usr/src/pagehint-$(VERSION)
	rm -f /usr/sbin/pagehint-stat /etc/modprobe.d/pagehint.conf

deb:
	scripts/build-deb.sh

distro-test:
	scripts/distro-test.sh

kernels:
	scripts/fetch-kernels.sh

style:
	scripts/style.sh

sparse:
	$(KMAKE) C=2 modules

demo:
	scripts/demo.sh

check:
	scripts/check.sh

check-all:
	PH_SUITE=all PH_RESULTS=$(PWD)/results/check-all scripts/check.sh

check-debug:
	PH_SUITE=all PH_KERNELS=debug PH_DISTRO=0 PH_RESULTS=$(PWD)/results/check-debug scripts/check.sh

stress:
	PH_SUITE=stress PH_RESULTS=$(PWD)/results/stress scripts/check.sh

debug-kernel:
	scripts/build-debug-kernel.sh

kunit:
	@k=$(or $(KERNEL),debug); rc=0; \
	scripts/run-guest.sh -k $$k kunit --timeout 900 >/dev/null || rc=$$?; \
	python3 scripts/ktap.py results/$$k/kunit/console.log | grep -v '^ok'; \
	tail -n 1 results/$$k/kunit/verdict; \
	exit $$rc

bench:
	scripts/bench.sh

bench-build:
	scripts/bench-build.sh

bench-hooks:
	@k=$(or $(KERNEL),bookworm-cloud); for n in 2 8; do \
		scripts/run-guest.sh -k $$k -o results/$$k/bench-hooks-$$n bench-hooks \
			--smp $$n --timeout 1200 | tail -n 1; \
		grep -h -e PH-BENCH results/$$k/bench-hooks-$$n/console.log; \
	done; for n in 2 8; do \
		scripts/run-guest.sh -k $$k -o results/$$k/bench-hooks-icount-$$n bench-hooks \
			--smp $$n --timeout 2400 --append="ph.clock=icount ph.rounds=3" \
			-- -icount shift=0,sleep=off | tail -n 1; \
		grep -h -e PH-BENCH results/$$k/bench-hooks-icount-$$n/console.log; \
	done

bench-migrate:
	@k=$(or $(KERNEL),bookworm-cloud); for w in 1 0; do for r in 1 2 3; do \
		for d in pagehint stock none; do \
			o=results/$$k/bench-migrate/$$d-writer$$w-$$r; \
			scripts/run-guest.sh -k $$k -o $$o migrate-hint --reporting=off \
				--free-page-hint $(if $(PIN),--pin) --append="ph.driver=$$d ph.writer=$$w$(if $(DOWNTIME), ph.downtime=$(DOWNTIME))" | tail -n 1; \
			grep -h -e "PH-RESULT migrate" $$o/console.log; \
		done; done; done

# Cold page cache back: the upstream reporter alone, with WSL-style cache
# drops, pagehint alone, pagehint with pagehint-reclaimd; 3 rounds.
bench-cache:
	@for k in $(or $(KERNELS),bookworm-cloud); do for r in 1 2 3; do \
		for c in upstream dropcaches pagehint reclaimd; do \
			o=results/$$k/bench-cache/$$c-$$r; \
			scripts/run-guest.sh -k $$k -o $$o bench-cache --timeout=600 --disk=2G \
				--append="ph.cfg=$$c" | tail -n 1; \
			grep -h -e "PH-BENCH cache" $$o/console.log; \
		done; done; done

bench-compact:
	@for k in $(or $(KERNELS),bookworm-cloud); do for r in 1 2 3; do \
		for t in balloon-compact stock-compact; do \
			o=results/$$k/bench-compact/$$t-$$r; \
			scripts/run-guest.sh -k $$k -o $$o $$t | tail -n 1; \
			grep -h -e "PH-RESULT compact" $$o/console.log; \
		done; done; done

bench-claims:
	@k=$(or $(KERNEL),bookworm-cloud); for n in 2 4 8; do \
		scripts/run-guest.sh -k $$k -o results/$$k/bench-claims-$$n bench-claims \
			--smp $$n --timeout 1800 | tail -n 1; \
		grep -h -e PH-BENCH results/$$k/bench-claims-$$n/console.log; \
	done

.PHONY: all version payload module clean install tools-install reclaimd reclaimd-install dkms-source dkms-install dkms-uninstall deb \
	distro-test kernels style sparse demo check check-all check-debug stress debug-kernel kunit bench bench-build bench-hooks bench-migrate bench-cache bench-compact bench-claims
