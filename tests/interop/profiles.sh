# profiles.sh: turns a stored corpus profile into one the tests can run.
#
# The profiles under tests/data/profiles/ are real client profiles whose key
# and certificate material was replaced by placeholder lines
# (@@VPNC-TEST-<KIND>@@, one per inline block) and whose file names still
# point at the publisher's files. pf_prepare fills the placeholders from the
# test PKI that vt_pki made and points every file-naming option at a file of
# the test world, keeping everything else byte for byte (CRLF, comments,
# quoting, option order), so stock OpenVPN and vpnc read the same text.
# pf_each and pf_tally are the two corpus tests' common run and result loops.
# Source it after lib.sh.
#
# shellcheck shell=bash

PF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../data/profiles" && pwd)

# pf_list: every corpus profile, as <source>/<name>, sorted; PF_ONLY (an
# extended regular expression) keeps only the names it matches, for a run by
# hand.
pf_list() {
	(cd "$PF_ROOT" && find . -mindepth 2 -maxdepth 2 -name '*.ovpn' | sed 's|^\./||; s|\.ovpn$||' |
		grep -E -- "${PF_ONLY:-.}" | LC_ALL=C sort)
}

# pf_pki_extras DIR: what the placeholders need beyond vt_pki's files: a
# PKCS#12 bundle (base64 for inline use), an empty CRL, a credentials file,
# a key password file, the server certificate's SHA-256 fingerprint and a
# script that does nothing for `up`/`down` lines.
pf_pki_extras() {
	local d=$1
	openssl pkcs12 -export -passout pass: -inkey "$d/client.key" -in "$d/client.crt" \
		-certfile "$d/ca.crt" -out "$d/client.p12" >>"$d/openssl.log" 2>&1 || return 1
	base64 "$d/client.p12" >"$d/client.p12.b64" || return 1
	: >"$d/index.txt"
	cat >"$d/crl.cnf" <<-EOF
	[ca]
	default_ca = c
	[c]
	database = $d/index.txt
	default_md = sha256
	default_crl_days = 3
	EOF
	openssl ca -gencrl -config "$d/crl.cnf" -keyfile "$d/ca.key" -cert "$d/ca.crt" \
		-out "$d/crl.pem" >>"$d/openssl.log" 2>&1 || return 1
	printf 'vpncuser\nvpncpass\n' >"$d/auth.txt"
	printf 'vpncpass\n' >"$d/pass.txt"
	openssl x509 -in "$d/server.crt" -noout -fingerprint -sha256 |
		sed 's/.*=//' >"$d/server.fp" || return 1
	printf '#!/bin/sh\nexit 0\n' >"$d/noop.sh"
	chmod 755 "$d/noop.sh"
	chmod 600 "$d/auth.txt" "$d/pass.txt"
	return 0
}

# pf_prepare NAME PKI OUTDIR: writes OUTDIR/profile.ovpn from the corpus
# profile NAME (<source>/<name>) with PKI's files. Placeholder lines become
# the file's lines (with the placeholder line's own line end); the path
# argument of ca, cert, key, tls-auth, tls-crypt, tls-crypt-v2, secret,
# pkcs12, extra-certs, crl-verify, auth-user-pass, askpass becomes the test
# file of that kind; log, log-append, status and writepid write into OUTDIR;
# up, down, down-pre, route-up, ipchange run a script that does nothing.
pf_prepare() {
	local name=$1 d=$2 out=$3
	mkdir -p "$out" || return 1
	awk -v d="$d" -v out="$out" -v fp="$(cat "$d/server.fp")" '
	function emit(file, eol,   l) {
		while ((getline l < file) > 0) printf "%s%s\n", l, eol
		close(file)
	}
	BEGIN {
		kind["CA"] = d "/ca.crt"; kind["CLIENT-CERT"] = d "/client.crt"
		kind["CLIENT-KEY"] = d "/client.key"; kind["STATIC-KEY"] = d "/tc.key"
		kind["TLS-CRYPT-V2-CLIENT-KEY"] = d "/tcv2-client.key"
		kind["EXTRA-CERTS"] = d "/ca.crt"; kind["PKCS12"] = d "/client.p12.b64"
		kind["AUTH-USER-PASS"] = d "/auth.txt"; kind["CRL"] = d "/crl.pem"
		path["ca"] = d "/ca.crt"; path["cert"] = d "/client.crt"; path["key"] = d "/client.key"
		path["tls-auth"] = d "/tc.key"; path["tls-crypt"] = d "/tc.key"; path["secret"] = d "/tc.key"
		path["tls-crypt-v2"] = d "/tcv2-client.key"; path["pkcs12"] = d "/client.p12"
		path["extra-certs"] = d "/ca.crt"; path["crl-verify"] = d "/crl.pem"
		path["auth-user-pass"] = d "/auth.txt"; path["askpass"] = d "/pass.txt"
		path["log"] = out "/profile.log"; path["log-append"] = out "/profile.log"
		path["status"] = out "/status.txt"; path["writepid"] = out "/pid.txt"
		path["up"] = d "/noop.sh"; path["down"] = d "/noop.sh"; path["down-pre"] = d "/noop.sh"
		path["route-up"] = d "/noop.sh"; path["ipchange"] = d "/noop.sh"
		inblock = 0
	}
	{
		line = $0; eol = ""
		if (sub(/\r$/, "", line)) eol = "\r"
		if (match(line, /^@@VPNC-TEST-[A-Z0-9-]+@@$/)) {
			k = substr(line, 13, length(line) - 14)
			if (k == "SERVER-FINGERPRINT") { printf "%s%s\n", fp, eol; next }
			if (k in kind) { emit(kind[k], eol); next }
		}
		gsub(/@@VPNC-TEST-SERVER-FINGERPRINT@@/, fp, line)
		if (match(line, /^[ \t]*<[a-z0-9-]+>[ \t]*$/)) inblock = 1
		else if (match(line, /^[ \t]*<\/[a-z0-9-]+>[ \t]*$/)) inblock = 0
		else if (!inblock && match(line, /^[ \t]*(--)?[a-z0-9-]+[ \t]+[^ \t#;]/)) {
			lead = line; sub(/[^ \t].*$/, "", lead)
			rest = substr(line, length(lead) + 1)
			opt = rest; sub(/[ \t].*$/, "", opt)
			bare = opt; sub(/^--/, "", bare)
			if ((bare in path) && index(rest, "[inline]") == 0) {
				rest = substr(rest, length(opt) + 1)
				sp = rest; sub(/[^ \t].*$/, "", sp)
				rest = substr(rest, length(sp) + 1)
				if (substr(rest, 1, 1) == "\"") { arg = rest; sub(/^"[^"]*"/, "", arg) }
				else { arg = rest; sub(/^[^ \t]+/, "", arg) }
				line = lead opt sp path[bare] arg
			}
		}
		printf "%s%s\n", line, eol
	}
	END { }' "$PF_ROOT/$name.ovpn" >"$out/profile.ovpn.tmp" || return 1
	# Keep a missing final newline missing.
	if [ -n "$(tail -c 1 "$PF_ROOT/$name.ovpn")" ]; then
		head -c -1 "$out/profile.ovpn.tmp" >"$out/profile.ovpn"
		rm -f "$out/profile.ovpn.tmp"
	else
		mv "$out/profile.ovpn.tmp" "$out/profile.ovpn"
	fi
	chmod 600 "$out/profile.ovpn"
}

# pf_each FN NAME...: runs `FN NAME IDX DIR` in the background for each
# profile NAME (IDX counts from 1; DIR is $VT_DIR/p/<NAME with / as _>, made
# here), 4 at a time, and waits for all of them.
pf_each() {
	local fn=$1 n idx=0 running=0
	shift
	for n in "$@"; do
		idx=$((idx + 1))
		mkdir -p "$VT_DIR/p/${n//\//_}"
		"$fn" "$n" "$idx" "$VT_DIR/p/${n//\//_}" &
		running=$((running + 1))
		if [ $running -ge 4 ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
}

# pf_tally NAME YES NO VERB JUDGE GAP_SAYS PROFILE...: the result loop of
# both corpus tests (NAME is the test's). DIR/result (DIR as pf_each's) holds
# a "stock WORD DETAIL" and a "vpnc WORD DETAIL" line, WORD being YES or NO
# (the test's words) or anything else for no result. A profile in KNOWN_GAPS
# must still be exactly a gap (stock YES, vpnc NO), and its pass line adds
# ": vpnc says: DETAIL" if GAP_SAYS is 1; a stock YES, or a stock NO with a
# vpnc YES or NO, is judged by `JUDGE PROFILE`, which sees pf_s and pf_v (the
# words), pf_sd and pf_vd (the details) and pf_dir; anything else has no
# result. Then the totals of YES, as "stock VERB n, vpnc VERB n, both n".
pf_tally() {
	local name=$1 yes=$2 no=$3 verb=$4 judge=$5 says=$6 n res gap
	shift 6
	pf_n_stock=0 pf_n_vpnc=0 pf_n_both=0
	for n in "$@"; do
		pf_dir="$VT_DIR/p/${n//\//_}"
		res=$(cat "$pf_dir/result" 2>/dev/null)
		pf_s=$(sed -n 's/^stock \([A-Za-z]*\).*/\1/p' <<<"$res")
		pf_v=$(sed -n 's/^vpnc \([A-Za-z]*\).*/\1/p' <<<"$res")
		# shellcheck disable=SC2034 # read by the judge
		pf_sd=$(sed -n "s/^stock $pf_s //p" <<<"$res")
		pf_vd=$(sed -n "s/^vpnc $pf_v //p" <<<"$res")
		[ "$pf_s" = "$yes" ] && pf_n_stock=$((pf_n_stock + 1))
		[ "$pf_v" = "$yes" ] && pf_n_vpnc=$((pf_n_vpnc + 1))
		[ "$pf_s" = "$yes" ] && [ "$pf_v" = "$yes" ] && pf_n_both=$((pf_n_both + 1))
		gap=${KNOWN_GAPS[$n]:-}
		if [ -z "$gap" ]; then
			if [ "$pf_s" = "$yes" ] || { [ "$pf_s" = "$no" ] && { [ "$pf_v" = "$yes" ] || [ "$pf_v" = "$no" ]; }; }; then
				"$judge" "$n"
			else
				vt_fail "$n: no result (stock='$pf_s' vpnc='$pf_v')"
			fi
		elif [ "$pf_s" = "$yes" ] && [ "$pf_v" = "$no" ]; then
			if [ "$says" = 1 ]; then
				vt_pass "$n: known gap still a gap ($gap): vpnc says: $pf_vd"
			else
				vt_pass "$n: known gap still a gap ($gap)"
			fi
		else
			vt_fail "$n: listed as a known gap ($gap) but stock=$pf_s vpnc=$pf_v: update KNOWN_GAPS"
		fi
	done
	vt_log "$name: $# profiles: stock $verb $pf_n_stock, vpnc $verb $pf_n_vpnc, both $pf_n_both"
}
