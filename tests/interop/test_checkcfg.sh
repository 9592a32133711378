#!/bin/bash
# test_checkcfg.sh: `vpnc --check-config FILE [--untrusted-config]`.
#
# Usage: test_checkcfg.sh <vpnc-binary>
#
# Runs the check over tests/data/config/eduvpn.ovpn and profiles made here
# (a good one naming files, a bad line, a missing file, no remote, an
# expired certificate, an encrypted key, a key that does not match, refused
# options under --untrusted-config) and checks the plan's key lines on
# stdout, the first error on stderr and the exit status (0 or 2). The
# certificates it needs beyond tests/data/config are made with openssl(1).
# Needs no root and no network; as root it also runs one check as nobody
# in a network namespace without interfaces, to show neither is needed.
# Last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
data="$top/tests/data/config"
name=test_checkcfg
vpnc=${1:-}
passed=0
failed=0
tmp=$(mktemp -d /tmp/vpnct-chk-$$-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
# vt_skip_or_fail (a missing package fails in CI); this test keeps its own counters.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
skip_or_fail() { vt_skip_or_fail "$@" || failed=$((failed + 1)); }

# check NAME FILE [ARGS...]: runs the check without a terminal; sets rc, out and err.
check() {
	local tag=$1
	shift
	timeout 20 "$vpnc" --check-config "$@" </dev/null >"$tmp/$tag.out" 2>"$tmp/$tag.err"
	rc=$?
	out="$tmp/$tag.out"
	err="$tmp/$tag.err"
}

# has TAG TEXT...: every TEXT is a line of TAG's stdout (fixed strings, whole line).
has() {
	local tag=$1 what
	shift
	for what in "$@"; do
		if ! grep -qxF -- "$what" "$tmp/$tag.out"; then
			fail "$tag: no line '$what' in:"
			sed 's/^/    /' "$tmp/$tag.out" "$tmp/$tag.err"
			return 1
		fi
	done
	pass "$tag: $# expected lines printed"
}

# status TAG WANT: the exit status; with 2 also nothing on stdout.
status() {
	if [ "$rc" = "$2" ] && { [ "$2" = 0 ] || [ ! -s "$tmp/$1.out" ]; }; then
		pass "$1: exit $rc${3:+: $(head -1 "$tmp/$1.err")}"
	else
		fail "$1: exit $rc, wanted $2"
		sed 's/^/    /' "$tmp/$1.out" "$tmp/$1.err"
	fi
}

# errline TAG REGEX: the one line on stderr matches REGEX.
errline() {
	if [ "$(wc -l <"$tmp/$1.err")" = 1 ] && grep -qE -- "$2" "$tmp/$1.err"; then
		pass "$1: error reads: $(cat "$tmp/$1.err")"
	else
		fail "$1: stderr is not one line matching '$2':"
		sed 's/^/    /' "$tmp/$1.err"
	fi
}

if [ -z "$vpnc" ] || [ ! -x "$vpnc" ]; then
	fail "no vpnc binary given"
	printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"
	exit 1
fi
if ! command -v openssl >/dev/null; then
	fail "openssl is not installed (Debian: apt-get install openssl)"
	printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"
	exit 1
fi

# The eduVPN profile: everything inline, tls-crypt, an '# Expires:' header.
check eduvpn "$data/eduvpn.ovpn"
status eduvpn 0
has eduvpn "  1. vpn.example.org 1194 udp" "  2. vpn.example.org 1194 tcp" \
	"  certificate: CN=0123abcd,OU=default" "  CA: CN=VPN CA" \
	"  control channel wrapping: tls-crypt" "  versions: 1.3 to the newest" \
	"  data-ciphers offered (IV_CIPHERS): AES-256-GCM:CHACHA20-POLY1305" \
	"result: vpnc would start with this profile"
if grep -q '^profile expires: 2027-02-22 17:32:47 UTC' "$out"; then
	pass "eduvpn: the '# Expires:' header is read"
else
	fail "eduvpn: no 'profile expires' line"
fi
# Inline blocks are allowed in an untrusted profile.
check eduvpn-untrusted "$data/eduvpn.ovpn" --untrusted-config
status eduvpn-untrusted 0
has eduvpn-untrusted "profile: $data/eduvpn.ovpn (untrusted)"

# A profile naming files, with a <connection> block, an ignored option and a script.
cat >"$tmp/good.ovpn" <<EOT
client
dev tun
remote a.example 1194 udp
<connection>
remote b.example 443 tcp
</connection>
remote-random
ca $data/ca.pem
cert $data/client.crt
key $data/client.key
tls-crypt-v2 $data/tls-crypt-v2-client.key
auth-user-pass $data/userpass.txt
data-ciphers AES-128-GCM:AES-256-GCM
data-ciphers-fallback AES-256-CBC
route-method exe
up /bin/true
script-security 1
EOT
check good "$tmp/good.ovpn"
status good 0
has good "remotes, tried in a random order chosen at start (remote-random):" \
	"  1. a.example 1194 udp" "  2. b.example 443 tcp" \
	"  key: loaded, matches the certificate" "  control channel wrapping: tls-crypt-v2" \
	"  auth-user-pass: username from the file, password from the file" \
	"  data-ciphers offered (IV_CIPHERS): AES-128-GCM:AES-256-GCM" \
	"  data-ciphers-fallback: AES-256-CBC" \
	"  $tmp/good.ovpn:15: option 'route-method' ignored: Windows only" \
	"  up: /bin/true (NOT run: needs script-security 2)"
if grep -q 'expires within\|EXPIRED\|^warning' "$out"; then
	fail "good: an expiry warning for certificates valid until 2036"
else
	pass "good: no expiry warning"
fi
sed 's/^script-security 1/script-security 2/' "$tmp/good.ovpn" >"$tmp/scripts.ovpn"
check scripts "$tmp/scripts.ovpn"
status scripts 0
has scripts "  up: /bin/true (runs)"
# Privilege separation is on by default; the files are read with the profile owner's rights.
has scripts "privileges (when run as root):" \
	"  privilege separation: the network process as vpnc-client (else nobody), with no capability" \
	"  files it names: opened with the rights of uid $(stat -c %u "$tmp/scripts.ovpn") (the profile's owner)"
printf 'privsep no\nuser nobody\n' | cat "$tmp/scripts.ovpn" - >"$tmp/privsep-no.ovpn"
check privsep-no "$tmp/privsep-no.ovpn"
has privsep-no "  privilege separation: off (privsep no): one process, switching after the first connect to user nobody"
# Credentials to be asked are reported, not asked for; a control character in the
# profile is printed escaped, never sent to the terminal.
printf 'client\nremote a.example 1194\nca %s\nauth-user-pass\nup /bin/x\033[31m\n' "$data/ca.pem" \
	>"$tmp/ask.ovpn"
check ask "$tmp/ask.ovpn"
status ask 0
has ask "  auth-user-pass: username will be asked, password will be asked" \
	"  certificate and key: none" '  up: /bin/x\x1b[31m (NOT run: needs script-security 2)'
# Files named in an untrusted profile are refused at their line.
check untrusted "$tmp/good.ovpn" --untrusted-config
status untrusted 2
errline untrusted "^$tmp/good.ovpn:8: option 'ca': not allowed in an untrusted profile"

# A bad line, a missing file, no remote, bad usage.
# The profile's own routes and DNS are in the plan (a dns server replaces dhcp-option DNS).
{
	cat "$tmp/good.ovpn"
	printf '%s\n' "route 10.10.0.0 255.255.0.0" "route 198.51.100.7 255.255.255.255 net_gateway 5" \
		"route-ipv6 2001:db8::/32" "redirect-gateway def1" "dhcp-option DNS 10.8.0.1" \
		"dhcp-option DOMAIN-ROUTE corp.example" "dns server 0 address 10.9.9.9"
} >"$tmp/net.ovpn"
check net "$tmp/net.ovpn"
status net 0
has net "  routes: from the profile, below; and those the server pushes" \
	"    10.10.0.0 255.255.0.0 via vpn_gateway" "    198.51.100.7 255.255.255.255 via net_gateway metric 5" \
	"    2001:db8::/32 via the tunnel" "    redirect-gateway from the profile: IPv4 default" \
	"    server 10.8.0.1 (replaced by the dns option's servers)" "    server 10.9.9.9 (dns server 0)" \
	"    routing domain corp.example"

sed 's/^route-method exe/bogus-option 1/' "$tmp/good.ovpn" >"$tmp/bad.ovpn"
check bad "$tmp/bad.ovpn"
status bad 2
errline bad "^$tmp/bad.ovpn:15: unknown option 'bogus-option'"
check missing "$tmp/none.ovpn"
status missing 2
errline missing "^$tmp/none.ovpn: .*No such file"
grep -v '^remote\|connection>$' "$tmp/good.ovpn" >"$tmp/noremote.ovpn"
check noremote "$tmp/noremote.ovpn"
status noremote 2
errline noremote "^$tmp/noremote.ovpn: no remote given"
check usage
status usage 2

# A certificate that expired in 2021, from a CA made here.
(
	cd "$tmp" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout oldca.key \
		-out oldca.crt -subj "/CN=Old CA" -days 30 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout old.key -out old.csr \
		-subj "/CN=old-client" &&
	printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n' >ca.cnf &&
	: >index.txt && echo 01 >serial &&
	openssl ca -batch -config ca.cnf -cert oldca.crt -keyfile oldca.key -in old.csr -out old.crt \
		-startdate 20200101000000Z -enddate 20210101000000Z -notext
) >"$tmp/openssl.log" 2>&1 || { fail "openssl could not make the expired certificate:"; sed 's/^/    /' "$tmp/openssl.log"; }
sed -e "s#^ca .*#ca $tmp/oldca.crt#" -e "s#^cert .*#cert $tmp/old.crt#" -e "s#^key .*#key $tmp/old.key#" \
	"$tmp/good.ovpn" >"$tmp/expired.ovpn"
check expired "$tmp/expired.ovpn"
status expired 0
has expired "  certificate: CN=old-client" "    expires: 2021-01-01 00:00:00 UTC (EXPIRED)" \
	"warning: 1 of the dates above have passed: the server will likely refuse the connection" \
	"result: vpnc would start with this profile"

# An encrypted key: reported, nobody asked (no terminal here), the rest still checked.
openssl pkey -in "$tmp/old.key" -aes256 -passout pass:secret -out "$tmp/enc.key" 2>>"$tmp/openssl.log"
sed "s#^key .*#key $tmp/enc.key#" "$tmp/expired.ovpn" >"$tmp/enc.ovpn"
check enc "$tmp/enc.ovpn"
status enc 0
has enc "  key: encrypted, passphrase will be asked (so not yet checked against the certificate)" \
	"  CA: CN=Old CA" "result: vpnc would start with this profile"
# ... and what comes after the key is still loaded: a crl-verify file without a CRL is an error.
printf 'not a CRL\n' >"$tmp/broken.pem"
printf 'crl-verify %s\n' "$tmp/broken.pem" | cat "$tmp/enc.ovpn" - >"$tmp/enc-badcrl.ovpn"
check enc-badcrl "$tmp/enc-badcrl.ovpn"
status enc-badcrl 2
errline enc-badcrl "^$tmp/enc-badcrl.ovpn: TLS setup failed: 'crl-verify' holds no PEM CRL"
# An encrypted pkcs12 holding the CA, without 'ca': reported, the rest still checked.
openssl pkcs12 -export -in "$tmp/old.crt" -inkey "$tmp/old.key" -certfile "$tmp/oldca.crt" \
	-passout pass:secret -out "$tmp/enc.p12" 2>>"$tmp/openssl.log"
grep -v '^ca \|^cert \|^key ' "$tmp/expired.ovpn" >"$tmp/p12.ovpn"
printf 'pkcs12 %s\n' "$tmp/enc.p12" >>"$tmp/p12.ovpn"
check p12 "$tmp/p12.ovpn"
status p12 0
has p12 "  pkcs12: encrypted, passphrase will be asked" \
	"  CA: in the encrypted pkcs12, read once it is decrypted"
printf 'crl-verify %s\n' "$tmp/broken.pem" | cat "$tmp/p12.ovpn" - >"$tmp/p12-badcrl.ovpn"
check p12-badcrl "$tmp/p12-badcrl.ovpn"
status p12-badcrl 2
errline p12-badcrl "^$tmp/p12-badcrl.ovpn: TLS setup failed: 'crl-verify' holds no PEM CRL"
# A key that is not the certificate's.
sed "s#^key .*#key $tmp/old.key#" "$tmp/good.ovpn" >"$tmp/mismatch.ovpn"
check mismatch "$tmp/mismatch.ovpn"
status mismatch 2
errline mismatch "^$tmp/mismatch.ovpn: TLS setup failed: the private key \('key'\) does not match"

# --json: the same plan for programs; an error as {"ok":false,...} and exit 2.
check json-good "$tmp/enc.ovpn" --json
status json-good 0
check json-bad "$tmp/bad.ovpn" --json
rc_bad=$rc
if command -v python3 >/dev/null; then
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d
assert [(r["host"], r["port"], r["proto"]) for r in d["remotes"]] == \
	[("a.example", "1194", "udp"), ("b.example", "443", "tcp")], d["remotes"]
assert d["remote_random"] is True
assert d["certificate"]["subject"] == "CN=old-client", d["certificate"]
assert d["certificate"]["not_after"] == "2021-01-01T00:00:00Z", d["certificate"]
assert d["certificate"]["expired"] is True
assert d["key"] == "encrypted", d["key"]
assert [c["subject"] for c in d["cas"]] == ["CN=Old CA"], d["cas"]
assert d["wrap"] == "tls-crypt-v2", d["wrap"]
assert d["auth_user_pass"] == {"username": "file", "password": "file"}, d["auth_user_pass"]
assert d["iv_ciphers"] == "AES-128-GCM:AES-256-GCM", d["iv_ciphers"]
assert d["data_ciphers_fallback"] == "AES-256-CBC"
assert d["scripts"] == [{"name": "up", "command": "/bin/true", "runs": False}], d["scripts"]
assert any("route-method" in n for n in d["notes"]), d["notes"]
e = json.load(open(sys.argv[2]))
assert e["ok"] is False and e["error"].endswith(":15: unknown option \x27bogus-option\x27"), e
' "$tmp/json-good.out" "$tmp/json-bad.out" 2>"$tmp/json.err" && [ "$rc_bad" = 2 ]; then
		pass "--json: valid JSON with remotes, certificate, key, CAs, wrapping, ciphers, scripts, notes; error object and exit 2"
	else
		fail "--json (error exit $rc_bad): $(cat "$tmp/json.err")"
		sed 's/^/    /' "$tmp/json-good.out" "$tmp/json-bad.out"
	fi
	check json-ask "$tmp/ask.ovpn" --json
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scripts"][0]["command"] == "/bin/x\x1b[31m", d["scripts"]
assert d["auth_user_pass"] == {"username": "ask", "password": "ask"}, d["auth_user_pass"]
assert d["certificate"] is None and d["key"] == "none", d
' "$tmp/json-ask.out" 2>"$tmp/json.err" && ! grep -q $'\x1b' "$tmp/json-ask.out"; then
		pass "--json: a control character is escaped, credentials to ask are \"ask\""
	else
		fail "--json escaping: $(cat "$tmp/json.err")"
	fi
else
	skip_or_fail "python3 missing, --json only checked by pattern"
	grep -q '^{"ok":true,' "$tmp/json-good.out" && grep -q '^{"ok":false,"error":' "$tmp/json-bad.out" &&
		pass "--json ok and error objects" || fail "--json ok and error objects"
fi

# No root and no network: as nobody, in a network namespace with no interface up.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && command -v unshare >/dev/null; then
	cp "$data/eduvpn.ovpn" "$tmp/nobody.ovpn"
	chmod 755 "$tmp" && chmod 644 "$tmp/nobody.ovpn"
	unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$vpnc" --check-config "$tmp/nobody.ovpn" </dev/null >"$tmp/nobody.out" 2>"$tmp/nobody.err"
	rc=$?
	status nobody 0
	has nobody "result: vpnc would start with this profile"
elif [ "$(id -u)" = 0 ]; then
	skip_or_fail "no setpriv or unshare (util-linux): the check as nobody without network"
else
	printf 'SKIP: not root: the check as nobody without network\n'
fi

printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"
[ "$failed" = 0 ]
