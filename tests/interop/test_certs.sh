#!/bin/bash
# test_certs.sh: the client with Ed25519, EC P-256 and RSA certificates.
#
# Usage: test_certs.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# A fresh PKI of each key type (CA, server and client), the default eduVPN
# cipher list; the client must connect with remote-cert-tls server and
# verify-x509-name, pass IPv4 and IPv6 traffic and shut down cleanly. Then:
# a server certificate without serverAuth must be refused; a TLS 1.2-only
# server; a root + intermediate CA with extra-certs on the client; a
# passphrase-encrypted key with askpass; pkcs12 (with CA, passphrase);
# verify-x509-name in its subject, name and name-prefix forms, passing and
# failing; crl-verify with a revoked server certificate, and with a chain whose
# intermediate CA has no CRL in the file (passes, as in 2.6). Every refusal must
# end vpnc with a "verification failed" line naming the reason and subject.
# Needs root.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_certs
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces" vt_netns_up; then
	vt_summary $name
	exit 1
fi

for kind in ed25519 ec rsa; do
	rm -rf "$VT_DIR/pki"
	vt_check "$kind: PKI" vt_pki "$kind" || continue
	vt_server_conf
	vt_client_conf
	if vt_check "$kind: server up" vt_server_start; then
		vt_connect_cycle "$kind"
	fi
	vt_server_stop
done

# Negative: the server presents a certificate signed by the right CA with the
# right CN but with clientAuth only; remote-cert-tls server must reject it.
rm -rf "$VT_DIR/pki"
if vt_check "bad-eku: PKI" vt_pki ed25519; then
	cp "$VT_DIR/pki/client.crt" "$VT_DIR/pki/server.crt"
	cp "$VT_DIR/pki/client.key" "$VT_DIR/pki/server.key"
	vt_server_conf
	vt_client_conf
	# The client cert says CN=client, so also accept that name here: only the
	# EKU check is left to fail.
	sed -i 's/^verify-x509-name .*/verify-x509-name client name/' "$VT_DIR/client.ovpn"
	if vt_check "bad-eku: server up" vt_server_start; then
		vt_client_start
		if vt_wait_tun_ipv4 4; then
			vt_fail "bad-eku: client refused a server cert without serverAuth"
		else
			vt_pass "bad-eku: client refused a server cert without serverAuth"
		fi
		vt_client_stop 5
		case "${VT_CLIENT_CMD[0]}" in
		*openvpn) ;;
		*) vt_check "bad-eku: log names the reason and subject" grep -qF \
			"verification failed: unsuitable certificate purpose (depth 0, subject CN=client)" \
			"$VT_DIR/client.log" ;;
		esac
		vt_check "bad-eku: client namespace clean" vt_ns_clean
	fi
	vt_server_stop
fi

# certs_set_x509 VALUE...: replaces the client's verify-x509-name line.
certs_set_x509() {
	local line="verify-x509-name $*"
	sed -i '/^verify-x509-name /d' "$VT_DIR/client.ovpn"
	printf '%s\n' "$line" >>"$VT_DIR/client.ovpn"
}

# certs_drop_blocks NAME...: removes inline <NAME> blocks from the client profile.
certs_drop_blocks() {
	local b
	for b in "$@"; do
		sed -i "/^<$b>\$/,/^<\/$b>\$/d" "$VT_DIR/client.ovpn"
	done
}

# A TLS 1.2-only server (tls-version-max 1.2), client without tls-version-min.
rm -rf "$VT_DIR/pki"
if vt_check "tls12: PKI" vt_pki ec; then
	vt_server_conf
	sed -i 's/^tls-version-min 1.3$/tls-version-min 1.2\ntls-version-max 1.2/' "$VT_DIR/server.conf"
	vt_client_conf
	sed -i '/^tls-version-min /d' "$VT_DIR/client.ovpn"
	if vt_check "tls12: server up" vt_server_start; then
		vt_connect_cycle "tls12"
		if grep -q 'Control Channel: TLSv1.2' "$VT_DIR/server.log"; then
			vt_pass "tls12: the server used TLSv1.2"
		else
			vt_fail "tls12: the server used TLSv1.2"
		fi
	fi
	vt_server_stop
fi

# certs_chain_pki: root CA -> intermediate CA -> server and client (EC). The
# server certificate's subject has three parts, for verify-x509-name; the
# server sends the intermediate, the client sends it through extra-certs.
certs_chain_pki() {
	local d="$VT_DIR/pki" who subj
	vt_pki ec || return 1
	cat >>"$d/ext.cnf" <<-'EOF'
	[inter]
	basicConstraints = critical,CA:TRUE
	keyUsage = critical,keyCertSign,cRLSign
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	EOF
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/int.key" \
		-out "$d/int.csr" -subj "/CN=vpnc test intermediate" >>"$d/openssl.log" 2>&1 || return 1
	openssl x509 -req -sha256 -in "$d/int.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 3 -extfile "$d/ext.cnf" -extensions inter \
		-out "$d/int.crt" >>"$d/openssl.log" 2>&1 || return 1
	for who in server client; do
		subj="/CN=$who"
		[ $who = server ] && subj="/C=NL/O=vpnc test/CN=server"
		openssl req -new -key "$d/$who.key" -subj "$subj" -out "$d/$who.csr" \
			>>"$d/openssl.log" 2>&1 || return 1
		openssl x509 -req -sha256 -in "$d/$who.csr" -CA "$d/int.crt" -CAkey "$d/int.key" \
			-CAcreateserial -days 3 -extfile "$d/ext.cnf" -extensions "$who" \
			-out "$d/$who.crt" >>"$d/openssl.log" 2>&1 || return 1
	done
	cat "$d/int.crt" >>"$d/server.crt"
}

rm -rf "$VT_DIR/pki"
if vt_check "chain: PKI with an intermediate CA" certs_chain_pki; then
	d="$VT_DIR/pki"
	vt_server_conf
	if vt_check "chain: server up" vt_server_start; then
		# Root CA only in <ca>; the intermediate goes to the server in <extra-certs>.
		vt_client_conf
		printf '<extra-certs>\n%s\n</extra-certs>\n' "$(cat "$d/int.crt")" >>"$VT_DIR/client.ovpn"
		vt_connect_cycle "chain+extra-certs"

		# The key encrypted with a passphrase, given by 'askpass FILE'.
		openssl pkey -in "$d/client.key" -aes-256-cbc -passout pass:vpnc-key-pass \
			-out "$d/client.enc.key" 2>>"$d/openssl.log"
		printf 'vpnc-key-pass\n' >"$d/askpass.txt"
		chmod 600 "$d/askpass.txt" "$d/client.enc.key"
		vt_client_conf
		certs_drop_blocks key
		printf '<extra-certs>\n%s\n</extra-certs>\nkey %s\naskpass %s\n' "$(cat "$d/int.crt")" \
			"$d/client.enc.key" "$d/askpass.txt" >>"$VT_DIR/client.ovpn"
		vt_quick_cycle "encrypted key + askpass"
		printf 'wrong-pass\n' >"$d/askpass.txt"
		# Only vpnc's own messages and exit codes are checked.
		if ! vt_client_is_stock; then
			vt_client_start
			sleep 0.5
			i=0
			while vt_pid_alive "$VT_CLI_PID" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			if ! vt_pid_alive "$VT_CLI_PID" && grep -q "cannot load the private key ('key')" "$VT_DIR/client.log"; then
				vt_pass "wrong askpass: refused with a clear message"
			else
				vt_fail "wrong askpass: refused with a clear message"
				vt_dump_logs
			fi
			vt_client_stop 2
			if grep -q 'wrong-pass\|vpnc-key-pass' "$VT_DIR/client.log"; then
				vt_fail "wrong askpass: the passphrase is not logged"
			else
				vt_pass "wrong askpass: the passphrase is not logged"
			fi
		fi

		# pkcs12: certificate, key, intermediate and root in one file with a
		# passphrase; no <ca>, <cert> or <key>: the root comes from the file.
		openssl pkcs12 -export -inkey "$d/client.key" -in "$d/client.crt" \
			-certfile <(cat "$d/int.crt" "$d/ca.crt") -passout pass:vpnc-p12-pass \
			-out "$d/client.p12" 2>>"$d/openssl.log"
		printf 'vpnc-p12-pass\n' >"$d/askpass.txt"
		vt_client_conf
		certs_drop_blocks ca cert key
		printf 'pkcs12 %s\naskpass %s\n' "$d/client.p12" "$d/askpass.txt" >>"$VT_DIR/client.ovpn"
		vt_quick_cycle "pkcs12 + askpass"

		# verify-x509-name: every form, passing and failing, against the same server.
		vt_client_conf
		printf '<extra-certs>\n%s\n</extra-certs>\n' "$(cat "$d/int.crt")" >>"$VT_DIR/client.ovpn"
		subj="C=NL, O=vpnc test, CN=server"
		certs_set_x509 "\"$subj\"" subject
		vt_quick_cycle "x509 subject '$subj'"
		certs_set_x509 "\"$subj\""
		vt_quick_cycle "x509 subject (default type)"
		certs_set_x509 server name
		vt_quick_cycle "x509 name server"
		certs_set_x509 serv name-prefix
		vt_quick_cycle "x509 name-prefix serv"
		certs_set_x509 "\"CN=server\"" subject
		vt_client_refused "x509 subject CN=server" "verification failed" \
			"does not match verify-x509-name 'CN=server' subject" "subject $subj"
		certs_set_x509 serv name
		vt_client_refused "x509 name serv" "verification failed" \
			"does not match verify-x509-name 'serv' name" "subject $subj"
		certs_set_x509 client name-prefix
		vt_client_refused "x509 name-prefix client" "verification failed" \
			"does not match verify-x509-name 'client' name-prefix"
	fi
	vt_server_stop
fi

# certs_crl: a CRL from the CA, revoking the server's certificate if asked.
certs_crl() {
	local d="$VT_DIR/pki"
	mkdir -p "$d/db" || return 1
	[ -f "$d/db/index.txt" ] || : >"$d/db/index.txt"
	[ -f "$d/db/crlnumber" ] || echo 01 >"$d/db/crlnumber"
	cat >"$d/ca.cnf" <<-EOF
	[ca]
	default_ca = ca_default
	[ca_default]
	database = $d/db/index.txt
	crlnumber = $d/db/crlnumber
	certificate = $d/ca.crt
	private_key = $d/ca.key
	default_md = sha256
	default_crl_days = 2
	EOF
	if [ "${1:-}" = revoke ]; then
		openssl ca -config "$d/ca.cnf" -revoke "$d/${2:-server.crt}" >>"$d/openssl.log" 2>&1 || return 1
	fi
	openssl ca -config "$d/ca.cnf" -gencrl -out "$d/crl.pem" >>"$d/openssl.log" 2>&1
}

rm -rf "$VT_DIR/pki"
if vt_check "crl: PKI and an empty CRL" eval 'vt_pki ec && certs_crl'; then
	vt_server_conf
	vt_client_conf
	printf 'crl-verify %s\n' "$VT_DIR/pki/crl.pem" >>"$VT_DIR/client.ovpn"
	if vt_check "crl: server up" vt_server_start; then
		vt_quick_cycle "crl-verify, server not revoked"
		if vt_check "crl: server certificate revoked" certs_crl revoke; then
			vt_client_refused "crl-verify, server revoked" "verification failed: certificate revoked" \
				"subject CN=server"
		fi
	fi
	vt_server_stop
fi

# crl-verify with a chain whose intermediate CA has no CRL in the file (only
# the root's): 2.6 lets a missing CRL pass, so the client connects; the root's
# CRL is still checked, so revoking the intermediate there refuses the server.
rm -rf "$VT_DIR/pki"
if vt_check "crl-chain: PKI with an intermediate CA, the root's CRL only" eval 'certs_chain_pki && certs_crl'; then
	vt_server_conf
	vt_client_conf
	printf '<extra-certs>\n%s\n</extra-certs>\ncrl-verify %s\n' "$(cat "$VT_DIR/pki/int.crt")" \
		"$VT_DIR/pki/crl.pem" >>"$VT_DIR/client.ovpn"
	if vt_check "crl-chain: server up" vt_server_start; then
		vt_quick_cycle "crl-verify, no CRL for the intermediate CA"
		if vt_check "crl-chain: intermediate revoked by the root" certs_crl revoke int.crt; then
			vt_client_refused "crl-verify, intermediate revoked" "verification failed: certificate revoked" \
				"subject CN=vpnc test intermediate"
		fi
	fi
	vt_server_stop
fi

vt_summary $name
