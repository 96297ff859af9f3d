# SPDX-License-Identifier: GPL-2.0
#
# What every build of pagehint's code shares (Kbuild: pagehint.ko;
# tests/kunit/Kbuild: pagehint_test.ko).  The includer sets PAGEHINT_TOP
# to the top of the tree.
#
# The version and the kernel options pagehint needs have one home,
# dkms.conf, which DKMS reads too; a build outside DKMS (make, make KDIR=)
# stops here with the option it lacks instead of failing later.

PAGEHINT_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(PAGEHINT_TOP)/dkms.conf)
PAGEHINT_NEEDS := $(shell sed -n 's/^BUILD_EXCLUSIVE_CONFIG="\(.*\)"$$/\1/p' $(PAGEHINT_TOP)/dkms.conf)

$(foreach opt,$(PAGEHINT_NEEDS),$(if $(filter y m,$($(opt))),,\
	$(error pagehint needs $(opt), which this kernel ($(KERNELRELEASE)) does not have)))

ccflags-y := -I$(PAGEHINT_TOP)/include -include $(PAGEHINT_TOP)/include/compat/compat.h
ccflags-y += -D'pr_fmt(fmt)=KBUILD_MODNAME ": " fmt'
ccflags-y += -DPAGEHINT_VERSION='"$(PAGEHINT_VERSION)"'
ccflags-y += -Wframe-larger-than=1024

include $(PAGEHINT_TOP)/include/compat/probes.mk
