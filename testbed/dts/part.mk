# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/dts: fc-dts, the core's DTS filter on real packets (an NFQUEUE)
# with the proxy that hands connections over, and its test on a broadcast
# segment of network namespaces (README.md).

TB_PKGS += libnetfilter_queue
TB_PROGS += $(B)/testbed/fc-dts
TB_SCRIPTS += testbed/dts/t-dts.sh

$(B)/testbed/fc-dts: $(B)/obj/testbed/dts/fc-dts.o $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
