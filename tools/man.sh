#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the flashcoop(1) man page on stdout, generated from the program's
# own help texts (`flashcoop --help` and `flashcoop COMMAND --help` for
# each command it lists), so that the page says what the program does.
# Usage: tools/man.sh PATH/TO/flashcoop >flashcoop.1
set -eu

prog=$1
LC_ALL=C
export LC_ALL

# troff-safe text: backslashes, and a leading dot or quote.
esc() {
	sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
}

version=$("$prog" --version | sed 's/^flashcoop //')
help=$("$prog" --help)
commands=$(printf '%s\n' "$help" |
	awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')

cat <<EOF_
.TH FLASHCOOP 1 "" "flashcoop $version" "User Commands"
.SH NAME
flashcoop \\- simulate cooperative load distribution under flash crowds
.SH SYNOPSIS
.B flashcoop
.I COMMAND
.RI [ OPTION ...]
.SH DESCRIPTION
flashcoop is a discrete-event simulator of web sites that lend each other
capacity through HTTP redirects and Dynamic DNS, and replicate hot content
through BitTorrent, under flash crowds.
Scenarios are key files with units; results go to one SQLite database,
from which \\fBflashcoop plot\\fR draws figures.
This page is generated from the program's help texts.
.SH COMMANDS
EOF_
printf '%s\n' "$help" | esc |
	awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
	     on { sub(/^  /, ""); n = match($0, /  +/);
		  printf ".TP\n.B %s\n%s\n", substr($0, 1, n - 1), substr($0, n + RLENGTH) }'
echo ".SH OPTIONS"
printf '%s\n' "$help" | esc |
	awk '/^Options:/ { on = 1; next } on && /^$/ { exit }
	     on { sub(/^  /, ""); n = match($0, /  +/); o = substr($0, 1, n - 1);
		  gsub(/-/, "\\-", o);
		  printf ".TP\n.B %s\n%s\n", o, substr($0, n + RLENGTH) }'

for c in $commands; do
	printf '.SH "flashcoop %s"\n' "$c"
	"$prog" "$c" --help | esc | awk -v cmd="$c" '
		/^Usage:$/ { state = "usage"; next }
		state == "usage" && /^  / {
			sub(/^  /, ""); sub(/\[OPTION[^]]*\]/, "[OPTION...]");
			printf ".B flashcoop\n%s\n.PP\n.nf\n", $0; state = "summary"; next }
		/^Help Options:$/ { if (state == "summary") print ".fi"; state = "skip"; next }
		/^Application Options:$/ { state = "opts"; next }
		state == "summary" { print; next }
		state == "opts" && /^  / {
			sub(/^  /, ""); n = match($0, /  +/); o = substr($0, 1, n - 1);
			gsub(/-/, "\\-", o);
			printf ".TP\n.B %s\n%s\n", o, substr($0, n + RLENGTH) }'
done

cat <<EOF_
.SH "EXIT STATUS"
EOF_
printf '%s\n' "$help" | esc | awk '/^Exit status:/ { on = 1 } on { print }'
cat <<EOF_
.SH FILES
.TP
.I PREFIX/share/flashcoop
scenarios, sweeps, figure scripts (\\fIanalysis/\\fR, \\fItools/figures.sh\\fR)
and documentation of an installed flashcoop; a scenario or sweep named on
the command line that is not found is looked for there, and under its
\\fIscenarios/\\fR folder.
Set \\fBFLASHCOOP_DATADIR\\fR to use another.
.SH "SEE ALSO"
.BR gnuplot (1),
.BR sqlite3 (1),
.BR dot (1);
the documentation in \\fIPREFIX/share/flashcoop/docs\\fR.
EOF_
