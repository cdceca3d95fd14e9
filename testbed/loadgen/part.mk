# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/loadgen: fc-loadgen, the clients (libcurl multi + c-ares), and
# the unit tests of its plan and config parsers, schedule, DNS cache and
# redirects, and a script that runs it against local servers.

TB_PKGS += libcurl libcares
TB_PROGS += $(B)/testbed/fc-loadgen
TB_LOADGEN_TESTS := test-lg-parse test-lg-sched test-lg-dnscache test-lg-location
TB_TESTS += $(TB_LOADGEN_TESTS:%=$(B)/testbed/tests/%)
TB_SCRIPTS += testbed/loadgen/t-loadgen.sh

TB_LOADGEN_OBJS := $(patsubst %,$(B)/obj/testbed/loadgen/%.o,config plan sched dnscache \
	location loadgen)

$(B)/testbed/fc-loadgen: $(B)/obj/testbed/loadgen/fc-loadgen.o $(TB_LOADGEN_OBJS) $(SIM_A) $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(TB_LOADGEN_TESTS:%=$(B)/testbed/tests/%): $(B)/testbed/tests/%: \
		$(B)/obj/testbed/loadgen/%.o $(TB_LOADGEN_OBJS) $(TESTUTIL_OBJ) $(SIM_A) $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
