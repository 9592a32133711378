#!/bin/bash
# test_eduvpn.sh: a full-tunnel eduVPN deployment, as faithfully as a test can.
#
# Usage: test_eduvpn.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# The server is configured like an eduVPN node (eduVPN's vpn-server-node writes
# it from vpn-user-portal's src/OpenVpn/ServerConfig.php): topology subnet, IPv4 and IPv6 pools, tls-crypt, TLS 1.3 only,
# AES-256-GCM:CHACHA20-POLY1305, keepalive, and it pushes what eduVPN pushes for
# a default-gateway profile: redirect-gateway def1 ipv6, route 0.0.0.0 0.0.0.0,
# DNS servers, block-outside-dns, explicit-exit-notify. The client profile is an
# eduVPN download (comment header with Expires, server-poll-timeout 10,
# reneg-sec 0, script-security 0). The client namespace has a default route
# through the veth (its "original gateway"), and the server is addressed on a
# far address, so the host route to the server must go around the tunnel.
# Checks: connect, traffic v4/v6, the full-tunnel routes and the host route,
# the server still reachable through the host route, clean exit leaving the
# original default routes alone. Needs root.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_eduvpn
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces, original gateway and PKI" eval 'vt_netns_up && vt_netns_routed && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

VT_SRV_LOCAL=$VT_SRV_FAR_IP
VT_REMOTE=$VT_SRV_FAR_IP
VT_SERVER_EXTRA='push "redirect-gateway def1 ipv6"
push "route 0.0.0.0 0.0.0.0"
push "dhcp-option DNS 9.9.9.9"
push "dhcp-option DNS 2620:fe::fe"
push "block-outside-dns"
reneg-sec 36000'
VT_CLIENT_EXTRA='script-security 0'
vt_server_conf
vt_client_conf
# The header an eduVPN portal download starts with.
sed -i '1i # Portal: https://vpn.example.org/vpn-user-portal/\n# Profile: Default (default)\n# Expires: 2099-02-22T17:32:47+00:00\n' "$VT_DIR/$VT_CLIENT_CONF"

orig4=$(ip -n "$VT_CLI_NS" -4 route show default)
orig6=$(ip -n "$VT_CLI_NS" -6 route show default)

if ! vt_check "server up" vt_server_start; then
	vt_summary $name
	exit 1
fi
vt_client_start
if vt_check "connected (tunnel device up with its IPv4 address)" vt_wait_tun_ipv4; then
	vt_log "  connected in ${VT_CONNECT_MS} ms"
	vt_check "ping IPv4 $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	vt_check "ping IPv6 fd00:200::1 through the tunnel" vt_ping fd00:200::1
	r4=$(ip -n "$VT_CLI_NS" -4 route show)
	r6=$(ip -n "$VT_CLI_NS" -6 route show)
	vt_check "IPv4 default traffic goes into the tunnel (0/1 and 128/1)" \
		eval 'grep -q "^0.0.0.0/1 .*dev $VT_CLI_TUN" <<<"$r4" && grep -q "^128.0.0.0/1 .*dev $VT_CLI_TUN" <<<"$r4"'
	vt_check "IPv6 global traffic goes into the tunnel" \
		eval 'grep -qE "^(::/3|2000::/[34]|::/1) .*dev $VT_CLI_TUN" <<<"$r6"'
	vt_check "host route to the server $VT_SRV_FAR_IP via the original gateway" \
		eval 'ip -n "$VT_CLI_NS" -4 route get "$VT_SRV_FAR_IP" | grep -q "via $VT_SRV_IP dev $VT_CLI_VETH"'
	vt_check "an address outside the tunnel net is routed through the tunnel" \
		eval 'ip -n "$VT_CLI_NS" -4 route get 192.0.2.1 | grep -q "dev $VT_CLI_TUN"'
	vt_check "original default route still there" \
		eval 'ip -n "$VT_CLI_NS" -4 route show default | grep -qF "$orig4"'
	vt_check "the pushed DNS servers left the system alone (--dns-mode none in tests)" \
		eval '! grep -q "9.9.9.9" /etc/resolv.conf'
	sleep 1
	vt_check "still connected a second later" vt_ping "$VT_TUN_SRV_IP"
fi
vt_check "SIGTERM ends the client" vt_client_stop 5
vt_check "exit code 0" eval '[ "${VT_CLI_RC:-1}" = 0 ]'
vt_check "client namespace clean" vt_ns_clean
vt_check "no full-tunnel or host route left" \
	eval '! ip -n "$VT_CLI_NS" -4 route show | grep -qE "^(0.0.0.0/1|128.0.0.0/1|$VT_SRV_FAR_IP)"'
vt_check "original default routes restored" \
	eval '[ "$(ip -n "$VT_CLI_NS" -4 route show default)" = "$orig4" ] && [ "$(ip -n "$VT_CLI_NS" -6 route show default)" = "$orig6" ]'
vt_server_stop
[ "$VT_FAILED" = 0 ] || vt_dump_logs
vt_summary $name
