# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/net: the NFQUEUE delay line fc-delay (delayq: the line itself,
# delaytab: its table), the namespaces script netns.sh, and their tests.

TB_PKGS += libnetfilter_queue gio-2.0
TB_PROGS += $(B)/testbed/fc-delay
TB_TESTS += $(B)/testbed/tests/test-delayq $(B)/testbed/tests/test-delaytab
TB_SCRIPTS += testbed/net/t-netns.sh

TB_NET_OBJS := $(B)/obj/testbed/net/delayq.o $(B)/obj/testbed/net/delaytab.o

$(B)/testbed/fc-delay: $(B)/obj/testbed/net/fc-delay.o $(TB_NET_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(B)/testbed/tests/test-delayq $(B)/testbed/tests/test-delaytab: $(B)/testbed/tests/%: \
		$(B)/obj/testbed/net/%.o $(TB_NET_OBJS) $(TESTUTIL_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
