#!/bin/bash
# test_install.sh: `cmake --install` puts the binary, the man page and the docs
# it names (share/doc/vpnc-ovpn), the systemd
# unit, the sysusers and the tmpfiles files in the standard places, and the
# unit starts the binary that was installed. A configure for /usr (as the
# Debian package does) takes systemd's directories from systemd.pc, the bash
# completion completes (when bash-completion is installed), and the
# packagers' switches (VPNC_BUILD_TESTS, VPNC_BUILD_BENCH, VPNC_WERROR) do
# what they say. The completion is checked against `vpnc --help`: every
# command, mode and option the help's usage forms name is offered where it
# belongs, and no other command.
#
# Usage: test_install.sh <path-to-built-vpnc>   (the build directory is its directory)
set -u -o pipefail

name=test_install
passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "PASS: $what"
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
	fi
}

# vt_skip_or_fail: a package contrib/install-deps.sh installs is missing (fails in CI).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
skip_or_fail() { vt_skip_or_fail "$@" || failed=$((failed + 1)); }

build=$(cd "$(dirname "${1:?usage: $0 <path-to-built-vpnc>}")" && pwd)
dest=$(mktemp -d /tmp/vpnc-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT

check "cmake --install into a staging directory" eval 'DESTDIR="$dest" cmake --install "$build" >"$dest.log" 2>&1'
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
root="$dest$prefix"
check "the binary is installed and runs" eval '"$root/sbin/vpnc" --version >/dev/null'
check "the man page is installed" test -s "$root/share/man/man8/vpnc.8"
# cachevar DIR NAME: a CMake cache value; a relative directory is under the prefix.
cachevar() { sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt"; }
under() { case "$1" in /*) echo "$dest$1" ;; *) echo "$root/$1" ;; esac; }
# The docs the man page names (the package's /usr/share/doc/vpnc-ovpn/NAME.md.gz) are installed
# uncompressed in the same directory under the prefix, and the man page says so.
docdir=$(under "$(cachevar "$build" CMAKE_INSTALL_DOCDIR)")
check "the docs directory is share/doc/vpnc-ovpn under the prefix ($docdir)" test "$docdir" = "$root/share/doc/vpnc-ovpn"
mandocs=$(grep -o '/usr/share/doc/vpnc\\-ovpn/[a-z0-9_.\\-]*\.md\.gz' "$root/share/man/man8/vpnc.8" |
	sed 's/\\//g; s/\.gz$//; s|.*/||' | sort -u)
nodoc=""
for f in $mandocs; do
	[ -s "$docdir/$f" ] || nodoc="$nodoc $f"
done
check "the $(wc -w <<<"$mandocs") docs the man page names are installed in $docdir (missing:${nodoc:- none})" \
	test -n "$mandocs" -a -z "$nodoc"
check "every docs/*.md is installed" bash -c 'for f in "$1"/docs/*.md; do [ -s "$2/${f##*/}" ] || exit 1; done' _ \
	"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)" "$docdir"
check "the man page says where a CMake install has them" \
	grep -q '^installed from a source build by CMake, they are uncompressed in$' "$root/share/man/man8/vpnc.8"
unitdir=$(under "$(cachevar "$build" VPNC_SYSTEMD_UNITDIR)")
unit="$unitdir/vpnc-client@.service"
check "the systemd unit is installed ($unit)" test -s "$unit"
check "the unit starts the installed binary" grep -q "^ExecStart=$prefix/sbin/vpnc " "$unit"
check "the sysusers file is installed" \
	test -s "$(under "$(cachevar "$build" VPNC_SYSUSERSDIR)")/vpnc-client.conf"
tmpfiles=$(under "$(cachevar "$build" VPNC_TMPFILESDIR)")/vpnc-client.conf
check "the tmpfiles file is installed and makes /etc/vpnc-client root-only" \
	grep -q '^d /etc/vpnc-client 0700 root root' "$tmpfiles"
# The NetworkManager plugin (built when libnm is found) brings the system user vpnc runs as there.
if [ -x "$build/contrib/networkmanager/nm-vpnc-ovpn-service" ]; then
	check "the NetworkManager plugin's sysusers file is installed" \
		grep -q '^u nm-vpnc-ovpn ' "$(under "$(cachevar "$build" VPNC_SYSUSERSDIR)")/nm-vpnc-ovpn.conf"
fi

# bash completion: installed, and it completes options, their values, commands and instances.
comp="$(under "$(cachevar "$build" VPNC_BASHCOMPDIR)")/vpnc"
check "the bash completion is installed" test -s "$comp"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	# complete WORD...: what bash offers for the last word (empty: a new word),
	# in an empty directory, so that file names do not mix in.
	mkdir -p "$dest/cwd"
	complete_words() {
		(cd "$dest/cwd" && bash -c '. /usr/share/bash-completion/bash_completion; . "$0"
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			COMPREPLY=(); _vpnc; printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@") | sed '/^$/d' | sort -u
	}
	completes() {
		local want=$1
		shift
		got=$(complete_words "$@" | tr '\n' ' ')
		[ "$got" = "$want " ]
	}
	check "completion: vpnc --dns-m -> --dns-mode" completes --dns-mode vpnc --dns-m
	check "completion: vpnc --tls-crypt-v -> --tls-crypt-v2 --tls-crypt-v2-verify (from docs/options.md)" \
		completes "--tls-crypt-v2 --tls-crypt-v2-verify" vpnc --tls-crypt-v
	check "completion: vpnc --dns-mode resolv -> resolved resolvconf" completes "resolvconf resolved" vpnc --dns-mode resolv
	check "completion: vpnc disc -> disconnect" completes disconnect vpnc disc
	check "completion: vpnc status --j -> --json" completes --json vpnc status --j
	check "completion: vpnc k -> kill-switch" completes kill-switch vpnc k
	check "completion: vpnc --check-config x.conf - -> --json --untrusted-config" \
		completes "--json --untrusted-config" vpnc --check-config x.conf -

	# Every form `vpnc --help` lists (src/control/cli.c) against the completion,
	# so that neither can change without the other: its commands and modes
	# are offered as the first word, and after each (and its subcommand, or
	# its FILE) exactly the options the form names (--help aside).
	usage=$("$build/vpnc" --help 2>&1 | awk '/^Usage:/ { u = 1; sub(/^Usage:/, "") } u && /^$/ { exit } u')
	forms=$(awk '{ if ($1 == "vpnc") { if (l != "") print l; l = $0 } else l = l " " $0 } END { print l }' <<<"$usage" | sed 's/^ *//')
	# differ GOT WANT (sorted lists): what is missing, and the first few too many.
	differ() {
		local miss more
		miss=$(comm -13 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | tr '\n' ' ')
		more=$(comm -23 <(printf '%s\n' "$1") <(printf '%s\n' "$2"))
		printf 'lacks %s; offers %s more: %s' "${miss:-nothing}" "$(grep -c . <<<"$more")" "$(head -n 4 <<<"$more" | tr '\n' ' ')"
	}
	first=$(complete_words vpnc "")
	firstdash=$(complete_words vpnc -)
	nforms=0
	formbad=""
	while read -r _ form; do
		[ -z "$form" ] && continue
		nforms=$((nforms + 1))
		# The words before the first option or argument: a mode or commands (a | b), then a subcommand.
		head=${form%%[[A-Z]*}
		head=${head%%--[a-z]*}
		case $form in --* | "[--"*)
			# vpnc MODE | MODE ...  or  vpnc [--config] FILE [--option args ...]
			modes=$(grep -o -- '^\(\[\?--[a-z0-9-]*\]\? *|\? *\)*' <<<"$form" | tr -d '[]|')
			rest=${form#*[A-Z]}
			opts=$(grep -o -- '--[a-z0-9-]*' <<<"$rest" | sort -u)
			for m in $modes; do
				[ "$m" = --option ] && continue # any profile option, checked below
				grep -qx -- "$m" <<<"$firstdash" || formbad="$formbad [vpnc $m: not offered]"
			done
			set -- $modes
			if [ "$*" = --config ] || [ "$*" = --option ]; then
				# the profile options (--option stands for all of them)
				grep -qx -- --remote <<<"$(complete_words vpnc --config x.conf --)" ||
					formbad="$formbad [vpnc --config x.conf --: no profile options]"
			elif [ $# = 1 ] && [ -n "$opts" ]; then
				got=$(complete_words vpnc "$1" x.conf -)
				[ "$got" = "$opts" ] || formbad="$formbad [vpnc $1 x.conf -: $(differ "$got" "$opts")]"
			fi
			;;
		*)
			read -r -a hw <<<"$(tr -d '|' <<<"$head")"
			opts=$(grep -o -- '--[a-z0-9-]*' <<<"${form#"$head"}" | sort -u)
			if [[ $head == *"|"* ]]; then cmds=("${hw[@]}"); sub=(); else cmds=("${hw[0]}"); sub=("${hw[@]:1}"); fi
			for c in "${cmds[@]}"; do
				grep -qx -- "$c" <<<"$first" || formbad="$formbad [vpnc $c: not offered]"
				for w in "${sub[@]}"; do
					grep -qx -- "$w" <<<"$(complete_words vpnc "$c" "")" ||
						formbad="$formbad [vpnc $c $w: not offered]"
				done
				got=$(complete_words vpnc "$c" "${sub[@]}" - | grep -vx -- --help)
				[ "$got" = "$opts" ] || formbad="$formbad [vpnc $c ${sub[*]} -: $(differ "$got" "$opts")]"
			done
			;;
		esac
	done <<<"$forms"
	check "completion: the $nforms forms of vpnc --help, their commands, modes and options${formbad:- (all offered)}" \
		test "$nforms" -ge 8 -a -z "$formbad"
	# ... and nothing as a first word that vpnc --help does not name.
	helpwords=$(grep -o '^vpnc [^[A-Z]*' <<<"$forms" | grep -o '[a-z][a-z-]*' | sort -u)
	extra=$(comm -13 <(printf '%s\n' $helpwords) <(printf '%s\n' $first) | tr '\n' ' ')
	check "completion: vpnc <TAB> offers only commands vpnc --help names${extra:+ (also: $extra)}" test -z "$extra"

	# Instance names: a user's vpnc keeps its control socket in
	# $XDG_RUNTIME_DIR/vpnc (src/control/ctlpath.c); `vpnc status <TAB>` as
	# that user lists the socket's instance. (A running instance under the
	# real unit: tests/package/test_systemd_pid1.sh.)
	if [ "$(id -u)" = 0 ] && command -v python3 >/dev/null && command -v setpriv >/dev/null; then
		mkdir -p "$dest/xdg/vpnc"
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$dest/xdg/vpnc/vpnct-inst$$.sock"
		: >"$dest/xdg/vpnc/vpnct-notasocket$$.sock"
		chown -R nobody "$dest/xdg" "$dest/cwd"
		chmod 755 "$dest"
		got=$(cd "$dest/cwd" && setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_RUNTIME_DIR="$dest/xdg" \
			bash -c '. /usr/share/bash-completion/bash_completion; . "$0"
			COMP_WORDS=(vpnc status ""); COMP_CWORD=2; COMP_LINE="vpnc status "; COMP_POINT=${#COMP_LINE}
			COMPREPLY=(); _vpnc; printf "%s\n" "${COMPREPLY[@]}"' "$comp" 2>&1)
		check "completion as a user: vpnc status <TAB> lists the instance of \$XDG_RUNTIME_DIR/vpnc's socket, not a plain file (got: $(tr '\n' ' ' <<<"$got"))" \
			eval 'grep -qx "vpnct-inst$$" <<<"$got" && ! grep -q notasocket <<<"$got"'
	fi
else
	skip_or_fail "bash-completion is not installed: the completion is not run"
fi
# A packager's configure: prefix /usr, no tests, no benchmarks, no -Werror (configure only).
top=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
pkg="$dest/pkgbuild"
check "configure for /usr with VPNC_BUILD_TESTS=OFF VPNC_BUILD_BENCH=OFF VPNC_WERROR=OFF" \
	eval 'cmake -S "$top" -B "$pkg" -DCMAKE_INSTALL_PREFIX=/usr -DVPNC_BUILD_TESTS=OFF \
		-DVPNC_BUILD_BENCH=OFF -DVPNC_WERROR=OFF >"$dest.log" 2>&1'
if command -v pkg-config >/dev/null && pkg-config --exists systemd; then
	for pair in VPNC_SYSTEMD_UNITDIR:systemdsystemunitdir VPNC_SYSUSERSDIR:sysusersdir \
		VPNC_TMPFILESDIR:tmpfilesdir; do
		want=$(pkg-config --variable="${pair#*:}" systemd)
		check "${pair%%:*} is systemd.pc's ${pair#*:} ($want)" test "$(cachevar "$pkg" "${pair%%:*}")" = "$want"
	done
else
	skip_or_fail "pkg-config or systemd.pc (pkg-config, systemd) missing: the unit directories are not compared"
fi
targets=$(cmake --build "$pkg" --target help 2>/dev/null)
check "the packager's build has the vpnc target" grep -q '^\.\.\. vpnc$' <<<"$targets"
check "... and no test or benchmark targets" eval '! grep -qE "^\.\.\. (test_|bench_|chaosproxy)" <<<"$targets"'
check "... and no -Werror" eval '! grep -rq -- "-Werror" "$pkg/CMakeFiles/vpnc.dir/flags.make"'
check "the development build has -Werror" grep -rq -- "-Werror" "$build/CMakeFiles/vpnc.dir/flags.make"
rm -f "$dest.log"
echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
