#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The core library as another project would use it: the public header
# compiles alone under strict C11, and a program built against the
# installed header and shared library through pkg-config drives a node.
. "$(dirname "$0")/test-lib.sh"

cc=${CC:-cc}

test_expect_success 'flashcoop/core.h and dts.h compile alone with -std=c11 -Wall -Wextra -Werror -pedantic' '
	printf "#include <flashcoop/core.h>\n#include <flashcoop/quantity.h>\nint main(void) { return fc_strerror(0) == 0; }\n" >h.c &&
	$cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$SRC/core/include" -c h.c -o h.o &&
	printf "#include <flashcoop/dts.h>\nint main(void) { return fc_dts_state_name(0) == 0; }\n" >h.c &&
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
	/* 0.95 every second: the load, 0.95 (1 - e^(-t/10)), passes 0.8 at
	 * 19 s and the node asks its one cooperator for help. */
	for (int t = 1; t <= 30; t++) {
		fc_node_report_load(n, (fc_time_t)t * FC_SEC, &load, 1);
		while (fc_node_next_action(n, &a))
			sends += a.type == FC_ACT_SEND;
	}
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

# The rest of an installation, staged under a DESTDIR: the shared files,
# found by the installed program from any directory (in the same script
# as the install above, so that two makes never share the build tree).
test_expect_success 'make install DESTDIR=... PREFIX=/usr: scenarios, scripts, docs, man, completion' '
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SANITIZE &&
	${MAKE:-make} -s -C "$SRC" install PREFIX=/usr DESTDIR="$TRASH/dest" >/dev/null &&
	share=$TRASH/dest/usr/share &&
	for f in flashcoop/scenarios/default.ini flashcoop/scenarios/mm1-load.sweep \
		flashcoop/analysis/web-timeline.gp flashcoop/tools/figures.sh \
		flashcoop/docs/sweep.md flashcoop/docs/results.md flashcoop/README.md \
		man/man1/flashcoop.1 bash-completion/completions/flashcoop; do
		test -s "$share/$f" || { echo "missing $share/$f" >&2; return 1; }
	done
'

test_expect_success '  ... the installed program runs an installed scenario from elsewhere' - <<-\EOT
	mkdir -p elsewhere && cd elsewhere &&
	"$TRASH/dest/usr/bin/flashcoop" run scenarios/mm1.ini -q -o r.db \
		--set run.duration=2000s &&
	"$TRASH/dest/usr/bin/flashcoop" run mm1.ini -q -o r.db --set run.duration=3000s &&
	test_sql r.db "SELECT count(*) FROM run WHERE status = 'done'" 2 &&
	"$TRASH/dest/usr/bin/flashcoop" sweep mm1-load.sweep --emit parallel jobs >/dev/null &&
	test "$(wc -l <jobs/jobs.txt)" -eq 50
EOT

test_expect_success '  ... and a scenario of ours includes an installed one' - <<-\EOT
	cd elsewhere &&
	printf "[scenario]\nname = mine\ninclude = mm1.ini\n[run]\nduration = 1000s\n" >mine.ini &&
	"$TRASH/dest/usr/bin/flashcoop" run mine.ini -q -o r.db &&
	test_sql r.db "SELECT value FROM param p JOIN run r ON r.id = p.run_id
	  WHERE r.scenario = 'mine' AND p.name = 'mmck.arrival_rate'" 0.8
EOT

test_expect_success '  ... and without it, a missing scenario is still one clear line' '
	cd elsewhere &&
	test_status 2 "$TRASH/dest/usr/bin/flashcoop" run scenarios/nope.ini -o n.db &&
	test_stderr_lines 1 && test_stderr_has "scenarios/nope.ini" &&
	test_path_is_missing n.db
'

test_expect_success '  ... the installed figure script draws with the installed program' '
	cd elsewhere &&
	PATH=$TRASH/dest/usr/bin:$PATH sh "$TRASH/dest/usr/share/flashcoop/tools/figures.sh" \
		flashcoop r.db figs >/dev/null &&
	test -s figs/station-response-by-param.png &&
	test -s figs/station-response-by-param.pdf
'

test_expect_success '  ... the man page renders cleanly and documents every command and option' '
	man=$TRASH/dest/usr/share/man/man1/flashcoop.1 &&
	groff -man -Tutf8 -ww -z "$man" 2>groff.err && test ! -s groff.err &&
	LC_ALL=C groff -man -Tascii "$man" 2>/dev/null | col -b >man.txt &&
	for c in run sweep keys merge fsm plot; do
		grep -q "^flashcoop $c\$" man.txt || { echo "no section for $c" >&2; return 1; }
		for o in $("$FLASHCOOP" $c --help | grep -o -- "--[a-z][a-z-]*" | sort -u); do
			grep -q -- "$o" man.txt || { echo "$c: $o missing" >&2; return 1; }
		done
	done &&
	grep -q "EXIT STATUS" man.txt
'

test_expect_success '  ... bash completion completes commands, options, keys and kinds' '
	cat >comp.bash <<-EOF_ &&
	shopt -s extglob
	. "$TRASH/dest/usr/share/bash-completion/completions/flashcoop"
	c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); _flashcoop; echo "\${COMPREPLY[*]}"; }
	c "$FLASHCOOP" sw
	c "$FLASHCOOP" ex
	c "$FLASHCOOP" plot c
	c "$FLASHCOOP" sweep --em
	c "$FLASHCOOP" run --set mmck.arrival_r
	c "$FLASHCOOP" plot scalar x.db -x web.pol
	EOF_
	bash comp.bash >comp.out &&
	printf "%s\n" sweep export cdf --emit mmck.arrival_rate= web.policy >comp.want &&
	test_cmp comp.want comp.out
'

test_done
