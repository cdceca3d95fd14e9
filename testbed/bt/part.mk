# SPDX-License-Identifier: GPL-3.0-or-later
# testbed/bt: BitTorrent for the testbed.  bencode (writer and strict
# reader), torrent (making and reading .torrent files), tracker
# (opentracker's configuration and an HTTP announce) and aria2 (a JSON-RPC
# client of aria2c and its command line); fc-bt, the command that offers
# them to scripts; their unit tests and the script test with real
# opentracker and aria2c daemons on 127.0.0.1.

TB_PKGS += json-glib-1.0 libcurl
TB_PROGS += $(B)/testbed/fc-bt
TB_TESTS += $(B)/testbed/tests/test-bencode $(B)/testbed/tests/test-torrent \
	$(B)/testbed/tests/test-tracker $(B)/testbed/tests/test-aria2
TB_SCRIPTS += testbed/bt/t-bt.sh

TB_BT_OBJS := $(B)/obj/testbed/bt/bencode.o $(B)/obj/testbed/bt/torrent.o \
	$(B)/obj/testbed/bt/tracker.o $(B)/obj/testbed/bt/aria2.o

$(B)/testbed/fc-bt: $(B)/obj/testbed/bt/fc-bt.o $(TB_BT_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(B)/testbed/tests/test-bencode $(B)/testbed/tests/test-torrent $(B)/testbed/tests/test-tracker \
		$(B)/testbed/tests/test-aria2: $(B)/testbed/tests/%: \
		$(B)/obj/testbed/bt/%.o $(TB_BT_OBJS) $(TESTUTIL_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
