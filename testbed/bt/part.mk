# SPDX-License-Identifier: GPL-3.0-or-later
# testbed/bt: BitTorrent for the testbed.  bencode (writer and strict
# reader), torrent (making and reading .torrent files), tracker
# (opentracker's configuration and an HTTP announce) and aria2 (a JSON-RPC
# client of aria2c and its command line); fc-bt, the command that offers
# them to scripts; their unit tests and the script test with real
# opentracker and aria2c daemons on 127.0.0.1; the fuzz target of the
# readers (fuzz-bencode.h, seeds in testbed/bt/corpus/), built by
# `make fuzz` and run on its seeds by test-bencode.

TB_PKGS += json-glib-1.0 libcurl
TB_PROGS += $(B)/testbed/fc-bt
TB_TESTS += $(B)/testbed/tests/test-bencode $(B)/testbed/tests/test-torrent \
	$(B)/testbed/tests/test-tracker $(B)/testbed/tests/test-aria2
TB_SCRIPTS += testbed/bt/t-bt.sh testbed/bt/t-fc-bt.sh

TB_BT_OBJS := $(B)/obj/testbed/bt/bencode.o $(B)/obj/testbed/bt/torrent.o \
	$(B)/obj/testbed/bt/tracker.o $(B)/obj/testbed/bt/aria2.o

$(B)/testbed/fc-bt: $(B)/obj/testbed/bt/fc-bt.o $(TB_BT_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(B)/testbed/tests/test-bencode: $(B)/obj/testbed/bt/fuzz-bencode.o
$(B)/testbed/tests/test-bencode $(B)/testbed/tests/test-torrent $(B)/testbed/tests/test-tracker \
		$(B)/testbed/tests/test-aria2: $(B)/testbed/tests/%: \
		$(B)/obj/testbed/bt/%.o $(TB_BT_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

# The libFuzzer program (FUZZ=1, as `make fuzz` builds it).  Run it with
# `build/fuzz/fuzz-bencode build/fuzz/corpus/bencode testbed/bt/corpus`.
fuzz-programs: $(B)/fuzz-bencode
TB_FUZZ += bencode=testbed/bt/corpus
$(B)/fuzz-bencode: $(B)/obj/testbed/bt/fuzz-bencode.o $(TB_BT_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(TB_LIBS)
