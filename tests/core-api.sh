#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The core library as another project would use it: the public header
# compiles alone under strict C11, and a program built against the
# installed header and shared library through pkg-config drives a node.
. "$(dirname "$0")/test-lib.sh"

cc=${CC:-cc}

test_expect_success 'flashcoop/core.h compiles alone with -std=c11 -Wall -Wextra -Werror -pedantic' '
	printf "#include <flashcoop/core.h>\n#include <flashcoop/quantity.h>\nint main(void) { return fc_strerror(0) == 0; }\n" >h.c &&
	$cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$SRC/core/include" -c h.c -o h.o
'

# A plain build, whatever the calling make was asked (SANITIZE=...).
test_expect_success 'make install PREFIX=...' '
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SANITIZE &&
	${MAKE:-make} -s -C "$SRC" install PREFIX="$TRASH/prefix" &&
	test -f "$TRASH/prefix/lib/pkgconfig/flashcoop-core.pc"
'

cat >prog.c <<'END'
#include <stdio.h>
#include <string.h>
#include <flashcoop/core.h>

static uint64_t next(void *u) { return ++*(uint64_t *)u; }

int main(void)
{
	static const uint8_t key[16] = "0123456789abcdef";
	struct fc_site mine = { 1, 100 }, theirs = { 2, 100 };
	struct fc_peer peer = { .id = 2, .address = 2, .key = key, .key_len = 16,
				.sites = &theirs, .nsites = 1 };
	struct fc_config c;
	uint64_t seed = 0;
	struct fc_host host = { next, &seed };
	struct fc_node *n;
	struct fc_load load = { 95, 100 };
	struct fc_action a;
	int sends = 0, rc;

	fc_config_default(&c);
	c.id = 1;
	c.sites = &mine;
	c.nsites = 1;
	c.peers = &peer;
	c.npeers = 1;
	rc = fc_node_new(&c, &host, 0, &n);
	if (rc) {
		printf("%s\n", fc_strerror(rc));
		return 1;
	}
	fc_node_report_load(n, FC_SEC, &load, 1);
	while (fc_node_next_action(n, &a))
		sends += a.type == FC_ACT_SEND;
	printf("%s %d\n", fc_state_name(fc_node_state(n)), sends);
	fc_node_free(n);
	return 0;
}
END

test_expect_success 'a program built through pkg-config against the installed library drives a node' '
	pc=$TRASH/prefix/lib/pkgconfig &&
	$cc -std=c11 -Wall -Werror prog.c -o prog \
		$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs flashcoop-core) &&
	LD_LIBRARY_PATH=$TRASH/prefix/lib ./prog >out &&
	echo "FLASH 1" >expect &&
	test_cmp expect out
'

test_done
