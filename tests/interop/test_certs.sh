#!/bin/bash
# test_certs.sh: the client with Ed25519, EC P-256 and RSA certificates.
#
# Usage: test_certs.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# A fresh PKI of each key type (CA, server and client), the default eduVPN
# cipher list; the client must connect with remote-cert-tls server and
# verify-x509-name, pass IPv4 and IPv6 traffic and shut down cleanly. Ends
# with a negative case: a server certificate without serverAuth must be
# refused. Needs root.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_certs
if ! vt_require_tools || ! vt_client_resolve "${1:-}"; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_init || exit 1
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
		vt_check "bad-eku: client namespace clean" vt_ns_clean
	fi
	vt_server_stop
fi

vt_summary $name
