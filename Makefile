# SPDX-License-Identifier: GPL-3.0-or-later
#
# flashcoop build.  Targets:
#   make            build the program, the core library and the tests
#   make run        install missing packages, build, run the default job
#                   (default.db, reusing the runs done there; figures/)
#   make figures    draw figures/ from default.db (RESULTS=FILE: any results
#                   database; FIGURES=DIR: where)
#   make check      install missing packages, build, run the tests under prove
#   make validate   the longer model validations (swarm vs. fluid model, Winny vs. seed 002)
#   make bench      build and run the benchmarks (installs ns-3 and SimGrid for the
#                   comparisons)
#   make install    PREFIX=/usr/local DESTDIR= : program, core library, header,
#                   .pc, man page, bash completion, and under
#                   PREFIX/share/flashcoop the scenarios, figure scripts, docs
#   make deps       install the missing Debian packages needed to build and test
#   make fuzz       build the libFuzzer targets (clang) into build/fuzz/
#   make fuzz-ci    run each for FUZZ_SECONDS (default 60); fails on a crash
#   make fuzz-long  run each for 10 minutes
#   make clean
# Knobs: SANITIZE=address,undefined (separate build tree), WERROR=1 (implied
# by CI=true), CFLAGS (default -O2 -g), V=1 (show commands), FUZZ_SECONDS
# (default 60) and FUZZ_CC (a clang with libFuzzer, default clang).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The program finds this as ../share/flashcoop beside itself (sim/datadir.h).
DATADIR ?= $(PREFIX)/share/flashcoop
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
CXX ?= c++
CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PROVE ?= prove

# The core's own dependencies: GLib, and nettle for HMAC-SHA256 from
# prepared keys (core/internal.h).  Everything that links the core links them.
CORE_PKGS := glib-2.0 nettle
PKGS := $(CORE_PKGS) igraph gsl sqlite3

ifeq ($(CI),true)
WERROR ?= 1
endif
# clang warns about things gcc does not; the gcc build is the one held to
# -Werror, so a clang warning never stops the fuzzing.
ifneq ($(FUZZ),)
override WERROR := 0
endif

ifneq ($(FUZZ),)
# The libFuzzer build (make fuzz): everything instrumented for coverage and
# checked by ASan and UBSan; only the fuzz programs link libFuzzer itself.
B := build/fuzz
FUZZ_CC ?= clang
override CC := $(FUZZ_CC)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DFLASHCOOP_LIBFUZZER
else ifneq ($(SANITIZE),)
B := build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
else
B := build
SAN_FLAGS :=
endif

# Strict warnings, after Git's config.mak.dev.
WARNINGS := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
	-Wwrite-strings -Wvla -Wformat=2 -Wformat-security -Wundef \
	-Wmissing-declarations -Wnull-dereference -Wimplicit-fallthrough
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

# pkg-config is asked lazily (=) so that `make deps` and `make clean` work
# before the libraries are installed.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# Headers are included by their path from the repository root
# ("sim/engine.h", "models/web/server.h"); the core's public headers by
# their installed name ("flashcoop/core.h").  The core itself sees only its
# own include folder, GLib and nettle (CORE_CFLAGS), so it cannot reach the
# simulator by accident.
BASE_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS)
CORE_CFLAGS = $(BASE_CFLAGS) -Icore/include \
	$(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
ALL_CFLAGS = $(BASE_CFLAGS) -I. -Icore/include -I$(B) $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

ifneq ($(V),1)
Q := @
endif

# One archive per layer: core <- sim <- models <- the program.
CORE_SRCS := $(wildcard core/*.c)
SIM_SRCS := $(wildcard sim/*.c)
MODELS_SRCS := $(filter-out models/main.c,$(wildcard models/*.c models/*/*.c))
TEST_SRCS := $(wildcard tests/test-*.c)
# The fuzz targets (tests/fuzz/fuzz.h): libFuzzer programs under FUZZ=1,
# and linked into the tests that run their corpora otherwise.
FUZZ_TARGETS := msg scenario sweep dts
FUZZ_OBJS := $(FUZZ_TARGETS:%=$(B)/obj/tests/fuzz/fuzz-%.o) $(B)/obj/tests/fuzz/fuzz-util.o
FUZZ_SECONDS ?= 60

CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
SIM_OBJS := $(SIM_SRCS:%.c=$(B)/obj/%.o)
MODELS_OBJS := $(MODELS_SRCS:%.c=$(B)/obj/%.o)
TESTS := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
# Helpers every test program links (tests/testutil.h); not a test itself.
TESTUTIL_OBJ := $(B)/obj/tests/testutil.o

CORE_A := $(B)/libflashcoop-core.a
CORE_SO_VERSION := 0
CORE_SO := $(B)/libflashcoop-core.so.$(CORE_SO_VERSION)
SIM_A := $(B)/libflashcoop-sim.a
MODELS_A := $(B)/libflashcoop-models.a
LIBS_A := $(MODELS_A) $(SIM_A) $(CORE_A)
PROG := $(B)/flashcoop
MANPAGE := $(B)/flashcoop.1

# The default job's own database: `flashcoop run` and `sweep` write
# results.db by default, which make run must not touch.
RESULTS ?= default.db
FIGURES ?= figures

# The testbed's components (testbed/*/part.mk).
include testbed/testbed.mk

.PHONY: all run figures check validate bench install uninstall deps deps-bench clean FORCE \
	fuzz fuzz-programs fuzz-ci fuzz-long deps-fuzz
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

all: $(PROG) $(MANPAGE) $(CORE_A) $(CORE_SO) $(TESTS) $(B)/bench-hold $(B)/bench-net \
	testbed-programs $(TB_TESTS)

# Rebuild everything when the compiler or its flags change: the flags are
# written to a file that is rewritten only when its content differs.
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@printf '%s\n' '$(CC) $(ALL_CFLAGS) $(CORE_CFLAGS) $(ALL_LDFLAGS)' > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

# The program version, from git when there is a repository.
$(B)/version.h: FORCE
	@mkdir -p $(B)
	@v=$$(git describe --tags --always --dirty 2>/dev/null || echo unknown); \
	printf '#define FLASHCOOP_VERSION "%s"\n' "$$v" > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

# Core objects are position-independent: they go into the shared library too.
$(B)/obj/core/%.o: core/%.c $(B)/.flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CORE_CFLAGS) -fPIC -fvisibility=default -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.c $(B)/.flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/sim/cli.o: $(B)/version.h

$(CORE_A): $(CORE_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(CORE_SO): $(CORE_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libflashcoop-core.so.$(CORE_SO_VERSION) \
		$(ALL_LDFLAGS) -o $@ $^ $$($(PKG_CONFIG) --libs $(CORE_PKGS)) -lm

$(SIM_A): $(SIM_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(MODELS_A): $(MODELS_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(PROG): $(B)/obj/models/main.o $(LIBS_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The man page, generated from the program's help texts.
$(MANPAGE): $(PROG) tools/man.sh
	@echo "  MAN     $@"
	$(Q)sh tools/man.sh $(PROG) >$@

$(B)/tests/%: $(B)/obj/tests/%.o $(TESTUTIL_OBJ) $(LIBS_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/tests/test-fuzz-msg $(B)/tests/test-fuzz-corpus: $(B)/tests/%: $(B)/obj/tests/%.o \
		$(FUZZ_OBJS) $(TESTUTIL_OBJ) $(LIBS_A)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/fuzz-%: $(B)/obj/tests/fuzz/fuzz-%.o $(B)/obj/tests/fuzz/fuzz-util.o $(LIBS_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

$(B)/bench-net: $(B)/obj/bench/bench-net.o $(LIBS_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/bench-hold: $(B)/obj/bench/bench-hold.o $(LIBS_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The same hold model on ns-3's simulator core, for `make bench` only.
$(B)/bench-hold-ns3: bench/bench-hold-ns3.cc $(B)/.flags
	@echo "  CXX     $<"
	$(Q)$(CXX) -std=c++17 $(CXXFLAGS) -o $@ $< \
		$$($(PKG_CONFIG) --cflags --libs ns3-core gsl)

# The workloads of bench-net on SimGrid's max-min solver, for `make bench` only.
$(B)/bench-net-simgrid: bench/bench-net-simgrid.cc bench/bench-flows.h $(B)/.flags
	@echo "  CXX     $<"
	$(Q)$(CXX) -std=c++17 $(CXXFLAGS) -I. -o $@ $< $$($(PKG_CONFIG) --cflags --libs simgrid)

deps:
	$(Q)sh tools/deps.sh

deps-bench:
	$(Q)sh tools/deps.sh --bench

deps-fuzz:
	$(Q)sh tools/deps.sh --fuzz

# The fuzz programs are built in their own tree (FUZZ=1 above) with clang.
fuzz: deps-fuzz
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzz-programs

fuzz-programs: $(FUZZ_TARGETS:%=$(B)/fuzz-%)

fuzz-ci: fuzz
	$(Q)sh tools/fuzz.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS) $(TB_FUZZ)

fuzz-long: fuzz
	$(Q)sh tools/fuzz.sh build/fuzz 600 $(FUZZ_TARGETS) $(TB_FUZZ)

run: deps
	$(Q)$(MAKE) --no-print-directory $(PROG)
	$(Q)sh tools/run-default.sh $(PROG) $(RESULTS) $(FIGURES)

figures:
	$(Q)$(MAKE) --no-print-directory $(PROG)
	$(Q)sh tools/figures.sh $(PROG) $(RESULTS) $(FIGURES)

# The test scripts and programs share no files, so prove runs them in
# parallel (CHECK_JOBS at once), the slowest first so that none is left
# running alone at the end.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHECK_SLOW := tests/t-web.sh tests/t-web-bittorrent.sh tests/golden.sh tests/hash-order.sh
CHECK_SCRIPTS := $(CHECK_SLOW) \
	$(filter-out $(CHECK_SLOW),$(wildcard tests/t-*.sh)) \
	tests/bad-input.sh tests/core-api.sh tests/layering.sh

# The core's libraries are built first: core-api.sh installs them while
# the other scripts run.
check: deps
	$(Q)$(MAKE) --no-print-directory $(TESTS) $(PROG) $(MANPAGE) $(CORE_A) $(CORE_SO) $(B)/bench-net \
		testbed-programs $(TB_TESTS)
	$(Q)FLASHCOOP=$(PROG) $(PROVE) -j$(CHECK_JOBS) --exec '' $(CHECK_SCRIPTS) $(TB_SCRIPTS) \
		$(TESTS) $(TB_TESTS)

# Longer model validations (the swarm against the fluid model, ~20 s; the
# handover model's origin at 70% load against M/D/1, ~2 s; the Winny
# model against seed 002's measurement, ~1.5 min, and its identification
# from decoy peers against Table 1, ~40 s),
# every key at the ends of its range (~2 min) and the work estimates of
# the shipped scenarios at full size (docs/robustness.md).
validate: deps
	$(Q)$(MAKE) --no-print-directory $(B)/tests/test-swarm $(B)/tests/test-ranges \
		$(B)/tests/test-budget $(B)/tests/test-handover $(PROG)
	$(Q)$(B)/tests/test-swarm -m slow -p /swarm/fluid --verbose
	$(Q)$(B)/tests/test-handover -m slow -p /handover/wait/seventy --verbose
	$(Q)FLASHCOOP=$(PROG) $(B)/tests/test-ranges -m slow -p /ranges/walk
	$(Q)$(B)/tests/test-budget -m slow -p /budget/estimate --verbose
	$(Q)FLASHCOOP=$(PROG) sh tests/validate-winny.sh
	$(Q)FLASHCOOP=$(PROG) sh tests/validate-winny-index.sh
	$(Q)FLASHCOOP=$(PROG) sh tests/validate-identify.sh

bench: deps-bench
	$(Q)$(MAKE) --no-print-directory $(B)/bench-hold $(B)/bench-hold-ns3 $(B)/bench-net \
		$(B)/bench-net-simgrid $(PROG)
	$(Q)sh bench/run.sh $(B)
	$(Q)sh bench/net.sh $(B)
	$(Q)sh bench/sweep.sh $(B)
	$(Q)sh bench/swarm.sh $(B)
	$(Q)sh bench/winny.sh $(B)
	$(Q)sh bench/idle.sh $(B)
	$(Q)sh bench/default.sh $(B)
	$(Q)sh bench/million.sh $(B)

# What fc-testbed run starts, installed beside it.
TB_RUN_PROGS := $(addprefix $(B)/testbed/,fc-testbed fc-testbed-node fc-loadgen fc-delay fc-dns \
	fc-netns.sh mod_flashcoop.so)

install: $(PROG) $(MANPAGE) $(CORE_A) $(CORE_SO) $(TB_RUN_PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/libexec/flashcoop \
		$(DESTDIR)$(INCLUDEDIR)/flashcoop $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(DATADIR)/analysis \
		$(DESTDIR)$(DATADIR)/tools $(DESTDIR)$(DATADIR)/docs \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/flashcoop
	install -m 755 $(TB_RUN_PROGS) $(DESTDIR)$(PREFIX)/libexec/flashcoop/
	install -m 644 scenarios/*.ini scenarios/*.sweep $(DESTDIR)$(DATADIR)/scenarios/
	install -d $(DESTDIR)$(DATADIR)/scenarios/testbed
	install -m 644 scenarios/testbed/*.ini $(DESTDIR)$(DATADIR)/scenarios/testbed/
	install -m 644 analysis/*.gp analysis/*.sql $(DESTDIR)$(DATADIR)/analysis/
	install -m 755 tools/figures.sh $(DESTDIR)$(DATADIR)/tools/
	install -m 644 docs/*.md $(DESTDIR)$(DATADIR)/docs/
	install -m 644 README.md LICENSE $(DESTDIR)$(DATADIR)/
	install -m 644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/flashcoop.1
	install -m 644 tools/flashcoop.bash $(DESTDIR)$(COMPLETIONDIR)/flashcoop
	install -m 644 $(CORE_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(CORE_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libflashcoop-core.so.$(CORE_SO_VERSION) \
		$(DESTDIR)$(LIBDIR)/libflashcoop-core.so
	install -m 644 core/include/flashcoop/*.h $(DESTDIR)$(INCLUDEDIR)/flashcoop/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e "s|@VERSION@|$$(sed -n 's/.*"\(.*\)"/\1/p' $(B)/version.h)|" \
		core/flashcoop-core.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/flashcoop-core.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/flashcoop $(DESTDIR)$(LIBDIR)/libflashcoop-core.* \
		$(DESTDIR)$(PKGCONFIGDIR)/flashcoop-core.pc \
		$(DESTDIR)$(MANDIR)/man1/flashcoop.1 $(DESTDIR)$(COMPLETIONDIR)/flashcoop
	rm -rf $(DESTDIR)$(INCLUDEDIR)/flashcoop $(DESTDIR)$(DATADIR) $(DESTDIR)$(PREFIX)/libexec/flashcoop

clean:
	rm -rf build

FORCE:

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
