#!/bin/bash
# test_tlsopt.sh: TLS and certificate options as real OpenVPN 2.6 profiles
# spell them, against a stock OpenVPN 2.6 server.
#
# Usage: test_tlsopt.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# - tls-cipher with OpenVPN's IANA-style names (the 2018 eduVPN string, an
#   unknown name in the list, a DHE CBC suite) against a TLS 1.2-only server
#   that allows one suite, so the cipher really matters; a list without it
#   is refused.
# - ns-cert-type server: a CA-signed server certificate with nsCertType
#   server passes, one with nsCertType client is refused; in a PKI-less setup
#   (where OpenSSL's own purpose check is set aside) the option alone refuses
#   the client-type certificate that connects without it.
# - peer-fingerprint without a CA (OpenVPN's PKI-less setup: self-signed
#   certificates, the server pins the client too), inline with several lines,
#   and a wrong fingerprint (refused with a clear line); with a CA as well.
# - remote-cert-ku with a list (one value matching), and none matching.
# - verify-x509-name with a quoted DN in 2.6's format; the old slash form
#   does not match, as in 2.6.
# Each refusal must end vpnc non-zero with its reason in the log. Needs root.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_tlsopt
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces" vt_netns_up; then
	vt_summary $name
	exit 1
fi

# to_client LINE...: a fresh client profile, then the given option lines appended.
to_client() {
	vt_client_conf
	[ $# -gt 0 ] && printf '%s\n' "$@" >>"$VT_DIR/client.ovpn"
	return 0
}

# to_drop REGEX...: removes matching lines from the client profile.
to_drop() {
	local re
	for re in "$@"; do
		sed -i "/$re/d" "$VT_DIR/client.ovpn"
	done
}

# to_drop_block NAME: removes the inline <NAME> block from the client profile.
to_drop_block() {
	sed -i "/^<$1>\$/,/^<\/$1>\$/d" "$VT_DIR/client.ovpn"
}

# to_signed NAME SUBJECT EXTENSIONS: a certificate signed by the test CA
# (EC P-256, like vt_pki ec) with the given extension lines.
to_signed() {
	local d="$VT_DIR/pki" n=$1
	printf '[ext]\n%s\n' "$3" >"$d/$n.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n.key" \
		-out "$d/$n.csr" -subj "$2" >>"$d/openssl.log" 2>&1 || return 1
	openssl x509 -req -sha256 -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 3 -extfile "$d/$n.ext" -extensions ext \
		-out "$d/$n.crt" >>"$d/openssl.log" 2>&1 || return 1
	chmod 600 "$d/$n.key"
}

# to_selfsigned NAME CN [EXTENSION...]: a self-signed certificate without a
# CA, as OpenVPN's PKI-less example makes them (plus the given extensions).
to_selfsigned() {
	local d="$VT_DIR/pki" n=$1 cn=$2 add=() e
	shift 2
	for e in "$@"; do add+=(-addext "$e"); done
	printf '[req]\ndistinguished_name = dn\n[dn]\n' >"$d/min.cnf"
	openssl req -x509 -config "$d/min.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-sha256 -days 3 -keyout "$d/$n.key" -out "$d/$n.crt" -subj "/CN=$cn" \
		-addext "basicConstraints=CA:FALSE" "${add[@]}" >>"$d/openssl.log" 2>&1 || return 1
	chmod 600 "$d/$n.key"
}

# to_fp NAME: the SHA-256 fingerprint of pki/NAME.crt, as AB:CD:...
to_fp() {
	openssl x509 -in "$VT_DIR/pki/$1.crt" -noout -fingerprint -sha256 | cut -d= -f2
}

# to_server_cert NAME: the server uses pki/NAME.crt and pki/NAME.key.
to_server_cert() {
	sed -i "s|^cert .*|cert $VT_DIR/pki/$1.crt|; s|^key .*|key $VT_DIR/pki/$1.key|" \
		"$VT_DIR/server.conf"
}

# --- tls-cipher with OpenVPN's names, TLS 1.2 only ---------------------------
rm -rf "$VT_DIR/pki"
if vt_check "tls-cipher: PKI" vt_pki ec; then
	vt_server_conf
	sed -i 's/^tls-version-min 1.3$/tls-version-min 1.2\ntls-version-max 1.2/' "$VT_DIR/server.conf"
	printf 'tls-cipher ECDHE-ECDSA-AES256-GCM-SHA384\n' >>"$VT_DIR/server.conf"
	if vt_check "tls-cipher: server up (TLS 1.2, one suite)" vt_server_start; then
		edu="TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384:TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"
		to_client "tls-cipher $edu"
		to_drop '^tls-version-min '
		vt_quick_cycle "tls-cipher eduVPN 2018 string"
		if grep -q 'Control Channel: TLSv1.2, cipher TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384' \
			"$VT_DIR/server.log"; then
			vt_pass "tls-cipher: the server used TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384"
		else
			vt_fail "tls-cipher: the server used TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384"
		fi
		# An RC4 suite OpenSSL 3 no longer has: skipped with a warning.
		to_client "tls-cipher TLS-ECDHE-ECDSA-WITH-RC4-128-SHA:TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"
		to_drop '^tls-version-min '
		vt_quick_cycle "tls-cipher with an unknown name"
		if ! vt_client_is_stock; then
			vt_check "tls-cipher: the unknown name is named in a warning" grep -qF \
				"option 'tls-cipher': 'TLS-ECDHE-ECDSA-WITH-RC4-128-SHA' is not a cipher this OpenSSL knows; skipped" \
				"$VT_DIR/client.log"
		fi
		# Only suites the server does not allow: no TLS 1.2 handshake. Like
		# OpenVPN, the client retries a failed handshake, so it is not told
		# to exit: it must simply never connect.
		to_client "tls-cipher TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256:TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"
		to_drop '^tls-version-min '
		: >"$VT_DIR/server.log"
		vt_client_start
		if vt_wait_tun_ipv4 6; then
			vt_fail "tls-cipher without the server's suite: refused"
		else
			vt_pass "tls-cipher without the server's suite: refused"
		fi
		vt_client_stop 5
		vt_check "tls-cipher without the server's suite: the server saw no shared cipher" \
			grep -q 'no shared cipher' "$VT_DIR/server.log"
	fi
	vt_server_stop
fi

# A DHE CBC suite by its OpenVPN name, against an RSA server with DH parameters.
to_dh_pki() {
	vt_pki rsa && openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 \
		-out "$VT_DIR/pki/dh.pem" >>"$VT_DIR/pki/openssl.log" 2>&1
}
rm -rf "$VT_DIR/pki"
if vt_check "tls-cipher DHE: PKI" to_dh_pki; then
	vt_server_conf
	sed -i "s/^tls-version-min 1.3\$/tls-version-min 1.2\ntls-version-max 1.2/; s|^dh none\$|dh $VT_DIR/pki/dh.pem|" \
		"$VT_DIR/server.conf"
	printf 'tls-cipher DHE-RSA-AES256-SHA\n' >>"$VT_DIR/server.conf"
	if vt_check "tls-cipher DHE: server up" vt_server_start; then
		to_client "tls-cipher TLS-DHE-RSA-WITH-AES-256-CBC-SHA"
		to_drop '^tls-version-min '
		vt_quick_cycle "tls-cipher TLS-DHE-RSA-WITH-AES-256-CBC-SHA"
		# OpenSSL files this suite under SSLv3, which OpenVPN prints before its name.
		if grep -q 'Control Channel: TLSv1.2, cipher [^ ]* DHE-RSA-AES256-SHA,' "$VT_DIR/server.log"; then
			vt_pass "tls-cipher DHE: the server used DHE-RSA-AES256-SHA"
		else
			vt_fail "tls-cipher DHE: the server used DHE-RSA-AES256-SHA"
		fi
	fi
	vt_server_stop
fi

# --- ns-cert-type, remote-cert-ku lists, verify-x509-name quoted DN ----------
# to_ns_pki: the test CA, a server certificate with nsCertType server (and a
# three-part subject) and one with nsCertType client and clientAuth only.
to_ns_pki() {
	vt_pki ec || return 1
	to_signed nsserver "/C=NL/O=SURF/CN=vpn.example.org" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement
nsCertType=server" || return 1
	to_signed nsclient "/CN=server" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=clientAuth
nsCertType=client"
}
rm -rf "$VT_DIR/pki"
if vt_check "ns-cert-type: PKI" to_ns_pki; then
	vt_server_conf
	to_server_cert nsserver
	if vt_check "ns-cert-type: server up (nsCertType server)" vt_server_start; then
		to_client "ns-cert-type server"
		to_drop '^remote-cert-tls ' '^verify-x509-name '
		vt_quick_cycle "ns-cert-type server, nsCertType server"
		if ! vt_client_is_stock; then
			vt_check "ns-cert-type: the deprecation warning" grep -qF \
				"option 'ns-cert-type' is deprecated: use 'remote-cert-tls server' instead" \
				"$VT_DIR/client.log"
		fi
		# remote-cert-ku with a list: the key usage is a8; 40 does not match, a0 does.
		to_client "remote-cert-ku 40 a0"
		to_drop '^remote-cert-tls ' '^verify-x509-name '
		vt_quick_cycle "remote-cert-ku 40 a0"
		to_client "remote-cert-ku 40 04 0x02"
		to_drop '^remote-cert-tls ' '^verify-x509-name '
		vt_client_refused "remote-cert-ku 40 04 0x02" "verification failed" \
			"the certificate has key usage 00a8, expected one of 0040 0004 0002 (remote-cert-ku)"
		# verify-x509-name with the DN as 2.6 prints it, quoted.
		to_client 'verify-x509-name "C=NL, O=SURF, CN=vpn.example.org" subject'
		to_drop '^remote-cert-tls ' '^verify-x509-name [^"]'
		vt_quick_cycle "verify-x509-name quoted DN"
		to_client 'verify-x509-name "/C=NL/O=SURF/CN=vpn.example.org"'
		to_drop '^remote-cert-tls ' '^verify-x509-name [^"]'
		vt_client_refused "verify-x509-name in the old slash form" \
			"does not match verify-x509-name '/C=NL/O=SURF/CN=vpn.example.org' subject" \
			"subject C=NL, O=SURF, CN=vpn.example.org"
	fi
	vt_server_stop
	vt_server_conf
	to_server_cert nsclient
	if vt_check "ns-cert-type: server up (nsCertType client)" vt_server_start; then
		to_client "ns-cert-type server"
		to_drop '^remote-cert-tls ' '^verify-x509-name '
		vt_client_refused "ns-cert-type server, nsCertType client" "verification failed" \
			"subject CN=server"
	fi
	vt_server_stop
fi

# --- peer-fingerprint: PKI-less (no CA anywhere), then with a CA -------------
# to_fp_pki: the test CA (for the case with a CA) and self-signed server,
# client and client-type server certificates for the PKI-less cases.
to_fp_pki() {
	vt_pki ec && to_selfsigned fpserver server && to_selfsigned fpclient client &&
		to_selfsigned fpnsclient server "nsCertType=client"
}
rm -rf "$VT_DIR/pki"
if vt_check "peer-fingerprint: self-signed certificates" to_fp_pki; then
	vt_server_conf
	to_server_cert fpserver
	sed -i '/^ca /d' "$VT_DIR/server.conf"
	printf 'peer-fingerprint %s\n' "$(to_fp fpclient)" >>"$VT_DIR/server.conf"
	# to_pkiless LINE...: the PKI-less client profile (no <ca>, the self-signed pair).
	to_pkiless() {
		vt_client_conf
		to_drop_block ca
		to_drop_block cert
		to_drop_block key
		to_drop '^remote-cert-tls ' '^verify-x509-name '
		printf '<cert>\n%s\n</cert>\n<key>\n%s\n</key>\n' "$(cat "$VT_DIR/pki/fpclient.crt")" \
			"$(cat "$VT_DIR/pki/fpclient.key")" >>"$VT_DIR/client.ovpn"
		[ $# -gt 0 ] && printf '%s\n' "$@" >>"$VT_DIR/client.ovpn"
		return 0
	}
	good=$(to_fp fpserver)
	bad=$(to_fp fpclient)
	if vt_check "peer-fingerprint: server up (no ca)" vt_server_start; then
		to_pkiless "peer-fingerprint $good"
		vt_quick_cycle "peer-fingerprint, no ca"
		to_pkiless "<peer-fingerprint>" "# another server" "$bad" "" "$good" "</peer-fingerprint>"
		vt_quick_cycle "<peer-fingerprint> block, second line matches"
		to_pkiless "peer-fingerprint $bad"
		vt_client_refused "peer-fingerprint wrong" "verification failed: its SHA-256 fingerprint $good" \
			"is not in peer-fingerprint (depth 0, subject CN=server)"
	fi
	vt_server_stop
	# ns-cert-type in a PKI-less setup: OpenSSL's purpose check is set aside,
	# so the option is what refuses a client-type certificate.
	vt_server_conf
	to_server_cert fpnsclient
	sed -i '/^ca /d' "$VT_DIR/server.conf"
	printf 'peer-fingerprint %s\n' "$(to_fp fpclient)" >>"$VT_DIR/server.conf"
	if vt_check "peer-fingerprint: server up (nsCertType client)" vt_server_start; then
		to_pkiless "peer-fingerprint $(to_fp fpnsclient)"
		vt_quick_cycle "PKI-less, nsCertType client, no ns-cert-type"
		to_pkiless "peer-fingerprint $(to_fp fpnsclient)" "ns-cert-type server"
		vt_client_refused "PKI-less, nsCertType client, ns-cert-type server" \
			"verification failed: the certificate is not fit for a TLS server (ns-cert-type server)"
	fi
	vt_server_stop
	# With a CA: the chain and the fingerprint must both hold.
	vt_server_conf
	if vt_check "peer-fingerprint: server up (with ca)" vt_server_start; then
		to_client "peer-fingerprint $(to_fp server)"
		vt_quick_cycle "peer-fingerprint with ca"
		to_client "peer-fingerprint $good"
		vt_client_refused "peer-fingerprint with ca, wrong" "verification failed: its SHA-256 fingerprint" \
			"is not in peer-fingerprint (depth 0, subject CN=server)"
	fi
	vt_server_stop
fi

vt_summary $name
