# SPDX-License-Identifier: GPL-3.0-or-later
#
# The testbed's build (included by the top Makefile).  Each component of
# testbed/ lives in its own folder with a part.mk that adds to:
#   TB_PKGS     pkg-config modules it needs beyond glib-2.0
#   TB_PROGS    programs under $(B)/testbed/ (built by `make testbed-programs`)
#   TB_TESTS    unit-test programs under $(B)/testbed/tests/ (run by make check,
#               need no root and no network)
#   TB_SCRIPTS  test scripts run by make check (they skip what needs root)
#   TB_FUZZ     libFuzzer targets as NAME=SEED-DIR, built by `make fuzz` as
#               $(B)/fuzz-NAME and run by make fuzz-ci and fuzz-long
# and defines the rules for them.  Objects go under $(B)/obj/testbed/ through
# the generic rule of the top Makefile; TB_CFLAGS adds the testbed's packages.

TB_PKGS :=
TB_PROGS :=
TB_TESTS :=
TB_SCRIPTS :=
TB_FUZZ :=

# A part may link another part's objects whatever the order the parts are
# read in: it names them as $$(VAR) in its prerequisites, which are then
# expanded once every part.mk has been read.
.SECONDEXPANSION:

include $(sort $(wildcard testbed/*/part.mk))

TB_CFLAGS = $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(TB_PKGS) 2>/dev/null)
TB_LIBS = $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs $(TB_PKGS) 2>/dev/null) -lm

$(B)/obj/testbed/%.o: testbed/%.c $(B)/.flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(TB_CFLAGS) -MMD -MP -c -o $@ $<

testbed-programs: $(TB_PROGS)

.PHONY: testbed-programs
