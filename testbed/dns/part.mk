# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/dns: BIND9's configuration and zone for a run (named.h), signed
# RFC 2136 updates and A queries (dnsupdate.h), and fc-dns, the command
# line over both.

TB_PKGS += ldns
TB_PROGS += $(B)/testbed/fc-dns
TB_TESTS += $(B)/testbed/tests/test-tb-dns
TB_SCRIPTS += testbed/dns/t-dns.sh

TB_DNS_OBJS := $(B)/obj/testbed/dns/dnsupdate.o $(B)/obj/testbed/dns/named.o

$(B)/testbed/fc-dns: $(B)/obj/testbed/dns/fc-dns.o $(TB_DNS_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)

$(B)/testbed/tests/test-tb-dns: $(B)/obj/testbed/dns/test-dns.o $(TB_DNS_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TB_LIBS)
