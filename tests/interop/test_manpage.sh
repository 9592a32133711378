#!/bin/bash
# test_manpage.sh: the manual page and the program's own help.
#
# Usage: test_manpage.sh <vpnc-binary>
#
# Checks that docs/vpnc.8 renders without a single groff warning (all
# warnings on: groff -ww -man -z) and through man(1) when it is installed,
# that it points at the installed docs (/usr/share/doc/vpnc-ovpn), not at a
# source tree, that its version matches `vpnc --version`, that every option it documents
# is one vpnc knows (the option table in src/config/cfg_options.c, or a
# program option), that `vpnc --help` names the control commands, and the
# exit status of `vpnc status` without a daemon (1, also for an instance
# named without --instance) and with bad usage (2).
# Needs no root and no network. Last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
page="$top/docs/vpnc.8"
table="$top/src/config/cfg_options.c"
name=test_manpage
vpnc=${1:-}
passed=0
failed=0
tmp=$(mktemp -d /tmp/vpnct-man-$$-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }

if ! command -v groff >/dev/null; then
	fail "groff is not installed (Debian: apt-get install groff-base)"
else
	if groff -ww -man -z "$page" >"$tmp/groff.out" 2>&1 && [ ! -s "$tmp/groff.out" ]; then
		pass "groff -ww -man -z renders docs/vpnc.8 without warnings"
	else
		fail "groff warnings:"
		sed 's/^/    /' "$tmp/groff.out"
	fi
	# Rendered text: the sections a man page needs are all there.
	groff -man -Tutf8 "$page" 2>/dev/null | sed 's/.\x08//g' >"$tmp/page.txt"
	missing=""
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "CONTROL SOCKET" SIGNALS FILES "EXIT STATUS" EXAMPLES; do
		grep -q "^$sec\$" "$tmp/page.txt" || missing="$missing $sec"
	done
	if [ -z "$missing" ]; then pass "all sections present"; else fail "missing sections:$missing"; fi
	if grep -q 'vpnc status --json --instance work' "$tmp/page.txt"; then
		pass "the vpnc status example renders"
	else
		fail "the vpnc status example is missing"
	fi
fi

if command -v man >/dev/null; then
	if MANWIDTH=80 man -l "$page" >/dev/null 2>"$tmp/man.err" && [ ! -s "$tmp/man.err" ]; then
		pass "man -l docs/vpnc.8 renders without warnings"
	else
		fail "man -l warnings:"
		sed 's/^/    /' "$tmp/man.err"
	fi
else
	printf 'SKIP: man is not installed (groff checked the page above)\n'
fi

# The page points at the installed documentation, never at a source tree the
# reader of an installed man page does not have: no "source tree", no bare
# docs/NAME.md (comment lines aside). Each /usr/share/doc/vpnc-ovpn/NAME it
# names is a docs/*.md that debian/vpnc-ovpn.docs installs, named as
# dh_compress leaves it (gzipped when larger than 4 KiB); test_deb.sh checks
# the installed files themselves.
srcrefs=$(grep -n -i 'source tree\|\(^\|[^/a-z-]\)docs/[a-z0-9_-]*\.md' "$page" | grep -v '^[0-9]*:\.\\"')
if [ -z "$srcrefs" ]; then
	pass "the page names no source tree and no bare docs/NAME.md"
else
	fail "the page points at the source tree:"
	sed 's/^/    /' <<<"$srcrefs"
fi
docbad=""
docrefs=$(grep -o '/usr/share/doc/vpnc\\-ovpn/[a-z0-9_.\\-]*' "$page" | sed 's/\\//g; s/[.]$//' | grep -v '/$' | sort -u)
for ref in $docrefs; do
	f=${ref##*/}
	[ -z "$f" ] && continue
	md=${f%.gz}
	if [ ! -f "$top/docs/$md" ] || ! grep -qx 'docs/\*\.md' "$top/debian/vpnc-ovpn.docs"; then
		docbad="$docbad $ref(not-installed)"
	elif [ "$(stat -c %s "$top/docs/$md")" -gt 4096 ] && [ "$f" = "$md" ]; then
		docbad="$docbad $ref(installed-as-$md.gz)"
	elif [ "$(stat -c %s "$top/docs/$md")" -le 4096 ] && [ "$f" != "$md" ]; then
		docbad="$docbad $ref(installed-as-$md)"
	fi
done
if [ -n "$docrefs" ] && [ -z "$docbad" ]; then
	pass "every installed doc the page names is installed under that name ($(wc -w <<<"$docrefs") files)"
else
	fail "installed docs the page names:${docbad:- none found}"
fi

# Every --option in the page is a known option or a program option.
program_opts="help version config control-socket json raw instance option inline-config"
program_opts="$program_opts check-config show-pkcs11-ids allow-lan"
unknown=""
for opt in $(grep -o '\\-\\-[a-z0-9\\-]*' "$page" | sed 's/\\//g; s/^--//' | sort -u); do
	case " $program_opts " in *" $opt "*) continue ;; esac
	grep -q "S(\"$opt\"" "$table" || unknown="$unknown $opt"
done
if [ -z "$unknown" ]; then
	pass "every option in the page is in the option table"
else
	fail "options documented but not supported:$unknown"
fi

if [ -z "$vpnc" ] || [ ! -x "$vpnc" ]; then
	fail "no vpnc binary given"
else
	page_ver=$(sed -n 's/^\.TH VPNC 8 "[^"]*" "vpnc \([^"]*\)".*/\1/p' "$page")
	bin_ver=$("$vpnc" --version 2>/dev/null | sed -n '1s/^vpnc \([^ ]*\).*/\1/p')
	if [ -n "$page_ver" ] && [ "$page_ver" = "$bin_ver" ]; then
		pass "man page version $page_ver = vpnc --version"
	else
		fail "man page version '$page_ver' differs from vpnc --version '$bin_ver'"
	fi
	if "$vpnc" --help >"$tmp/help" 2>&1 && grep -q 'vpnc status' "$tmp/help" &&
		grep -q 'disconnect' "$tmp/help" && grep -q -- '--control-socket' "$tmp/help"; then
		pass "vpnc --help exits 0 and names status, disconnect and --control-socket"
	else
		fail "vpnc --help:"
		sed 's/^/    /' "$tmp/help"
	fi
	"$vpnc" status --control-socket "$tmp/none.sock" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 1 ] && grep -q 'not running' "$tmp/err"; then
		pass "vpnc status without a daemon exits 1: $(cat "$tmp/err")"
	else
		fail "vpnc status without a daemon: exit $rc, $(cat "$tmp/err")"
	fi
	"$vpnc" status --bogus >/dev/null 2>&1
	rc=$?
	if [ $rc = 2 ]; then pass "vpnc status --bogus exits 2"; else fail "vpnc status --bogus: exit $rc"; fi
	# The instance without --instance, as systemd names it (vpnc-client@NAME).
	"$vpnc" status "vpnct-none-$$" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "/vpnct-none-$$.sock: vpnc is not running" "$tmp/err"; then
		pass "vpnc status NAME looks for NAME's socket and exits 1: $(cat "$tmp/err")"
	else
		fail "vpnc status NAME: exit $rc, $(cat "$tmp/err")"
	fi
	"$vpnc" status one two >/dev/null 2>&1
	rc=$?
	if [ $rc = 2 ]; then pass "vpnc status with two names exits 2"; else fail "vpnc status one two: exit $rc"; fi
fi

printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"
[ "$failed" = 0 ]
