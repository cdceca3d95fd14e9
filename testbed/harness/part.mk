# SPDX-License-Identifier: GPL-3.0-or-later
# fc-testbed: the harness that turns a scenario into a testbed run and its
# results into the simulator's schema.  It links the simulator's layers
# (the scenario, the web model's plan, the results database).

TB_HARNESS_SRCS := $(wildcard testbed/harness/*.c)
TB_HARNESS_OBJS := $(TB_HARNESS_SRCS:%.c=$(B)/obj/%.o)
TB_PROGS += $(B)/testbed/fc-testbed
TB_SCRIPTS += testbed/harness/t-plan.sh testbed/harness/t-import.sh testbed/harness/t-run-args.sh \
	testbed/harness/t-testbed.sh

$(B)/testbed/fc-testbed: $(TB_HARNESS_OBJS) $(TB_DNS_OBJS) $(LIBS_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

# The namespaces script beside the programs, where fc-testbed run finds it.
TB_PROGS += $(B)/testbed/fc-netns.sh
$(B)/testbed/fc-netns.sh: testbed/net/netns.sh
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod 755 $@

# The testbed and the simulator side by side (docs/testbed.md): as root,
# `make testbed-compare [COMPARE_R=3] [COMPARE_OUT=testbed-compare]
# [COMPARE_SCENARIO=scenarios/testbed/small.ini]`.
COMPARE_R ?= 3
COMPARE_OUT ?= testbed-compare
COMPARE_SCENARIO ?= scenarios/testbed/small.ini
testbed-compare: deps
	$(Q)$(MAKE) --no-print-directory all testbed-programs
	$(Q)sh testbed/harness/compare.sh -r $(COMPARE_R) -o $(COMPARE_OUT) -b $(B) $(COMPARE_SCENARIO)

.PHONY: testbed-compare
# The importer records the program's version with the run, as flashcoop run.
$(B)/obj/testbed/harness/import.o: $(B)/version.h
