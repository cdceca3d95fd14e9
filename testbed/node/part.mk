# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/node: fc-noded, the sidecar that hosts one libflashcoop-core
# node per web server, and mod_flashcoop, the Apache module that asks it
# where each request goes (README.md).

TB_NODE_LIB_SRCS := testbed/node/config.c testbed/node/proto.c testbed/node/executor.c \
	testbed/node/nodelog.c testbed/node/measure.c testbed/node/noded.c
TB_NODE_LIB_OBJS := $(TB_NODE_LIB_SRCS:%.c=$(B)/obj/%.o)
TB_NODE_TESTS := test-node-config test-node-proto test-node-measure test-node-daemon

TB_NODE_NODED := $(B)/testbed/fc-noded
TB_NODE_CTL := $(B)/testbed/fc-nodectl
TB_NODE_MOD := $(B)/testbed/mod_flashcoop.so

TB_PROGS += $(TB_NODE_NODED) $(TB_NODE_CTL) $(TB_NODE_MOD)
TB_TESTS += $(TB_NODE_TESTS:%=$(B)/testbed/tests/%)
TB_SCRIPTS += testbed/node/t-node-apache.sh

$(TB_NODE_NODED): $(B)/obj/testbed/node/fc-noded.o $(TB_NODE_LIB_OBJS) $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(TB_NODE_CTL): $(B)/obj/testbed/node/fc-nodectl.o $(B)/obj/testbed/node/proto.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# test-node-proto runs the fuzz target over its seeds (fuzz-node.h).
$(B)/testbed/tests/test-node-proto: $(B)/obj/testbed/node/fuzz-node.o

# The libFuzzer program (FUZZ=1, as `make fuzz` builds it).  Run it with
# `build/fuzz/fuzz-node build/fuzz/corpus/node testbed/node/corpus`.
fuzz-programs: $(B)/fuzz-node
TB_FUZZ += node=testbed/node/corpus
$(B)/fuzz-node: $(B)/obj/testbed/node/fuzz-node.o $(B)/obj/testbed/node/config.o \
		$(B)/obj/testbed/node/proto.o $(CORE_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(TB_LIBS)

# The integration test runs fc-noded: it is built first.
$(B)/testbed/tests/test-node-daemon: $(TB_NODE_NODED)

$(TB_NODE_TESTS:%=$(B)/testbed/tests/%): $(B)/testbed/tests/%: $(B)/obj/testbed/node/tests/%.o \
		$(TB_NODE_LIB_OBJS) $(CORE_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(TB_LIBS)

# The module is built by apxs (libtool), in a folder of its own under the
# build tree so that no object lands beside the sources; the project's
# warnings go through -Wc, and Apache's and APR's headers count as system
# headers.  It is never built with the sanitizers: Apache would need their
# runtime preloaded.
TB_NODE_APXS ?= apxs
TB_NODE_MOD_DIR := $(B)/obj/testbed/node/apxs
TB_NODE_MOD_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 $(WARNINGS) -Wno-missing-declarations \
	-Wno-missing-prototypes -I$(CURDIR) -I$(CURDIR)/core/include \
	-isystem $(shell $(TB_NODE_APXS) -q INCLUDEDIR 2>/dev/null) \
	-isystem $(shell $(TB_NODE_APXS) -q APR_INCLUDEDIR 2>/dev/null)

$(TB_NODE_MOD): testbed/node/mod_flashcoop.c testbed/node/proto.c testbed/node/proto.h \
		core/include/flashcoop/core.h $(B)/.flags
	@rm -rf $(TB_NODE_MOD_DIR)
	@mkdir -p $(TB_NODE_MOD_DIR) $(@D)
	@echo "  APXS    $@"
	$(Q)cp testbed/node/mod_flashcoop.c testbed/node/proto.c $(TB_NODE_MOD_DIR)/
	$(Q)cd $(TB_NODE_MOD_DIR) && $(TB_NODE_APXS) -c -o mod_flashcoop.la \
		$(foreach f,$(TB_NODE_MOD_CFLAGS),-Wc,$(f)) mod_flashcoop.c proto.c \
		>build.log 2>&1 || { cat build.log >&2; exit 1; }
	$(Q)if grep -q 'warning:' $(TB_NODE_MOD_DIR)/build.log; then \
		grep -A3 'warning:' $(TB_NODE_MOD_DIR)/build.log >&2; fi
	$(Q)cp $(TB_NODE_MOD_DIR)/.libs/mod_flashcoop.so $@
