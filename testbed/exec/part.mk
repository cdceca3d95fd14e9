# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/exec: the real executor (exec.h) of the testbed's node daemon:
# signed DNS updates, HTTP fetches of rescued copies with libcurl, their
# removal; fc-testbed-node, the daemon built with it (README.md).

TB_PKGS += libcurl ldns

TB_EXEC_OBJS := $(B)/obj/testbed/exec/exec.o
# testbed/node/part.mk is read after this file: its objects are named as
# $$(TB_NODE_LIB_OBJS), expanded when every part has been read.
TB_EXEC_NODE := $(B)/testbed/fc-testbed-node
# The executor's calls without a daemon, for t-exec.sh; built with the
# programs so that the script finds it.
TB_EXEC_DRIVE := $(B)/testbed/tests/exec-drive

TB_PROGS += $(TB_EXEC_NODE) $(TB_EXEC_DRIVE)
TB_TESTS += $(B)/testbed/tests/test-exec
TB_SCRIPTS += testbed/exec/t-exec.sh

$(TB_EXEC_NODE): $(B)/obj/testbed/exec/fc-testbed-node.o $(TB_EXEC_OBJS) $(TB_DNS_OBJS) \
		$$(TB_NODE_LIB_OBJS) $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(TB_EXEC_DRIVE) $(B)/testbed/tests/test-exec: $(B)/testbed/tests/%: \
		$(B)/obj/testbed/exec/%.o $(TB_EXEC_OBJS) $(TB_DNS_OBJS) $$(TB_NODE_LIB_OBJS) \
		$(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
