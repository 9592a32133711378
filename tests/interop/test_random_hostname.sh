#!/bin/bash
# test_random_hostname.sh: `remote-random-hostname` (every AWS Client VPN
# profile has it) against a stock OpenVPN 2.6 server, with a real DNS server.
#
# Usage: test_random_hostname.sh <client-binary> | --stock-client
#
# The client's namespace gets a dnsmasq (its own config, logging every query)
# that answers any name under vpn.example.test with the server's address, and
# a resolv.conf naming it (`ip netns exec` mounts /etc/netns/NS/resolv.conf;
# the host's own file is never touched). The profile names `remote
# vpn.example.test` with `remote-random-hostname`. Checks: the client
# connects and pings through the tunnel; the name looked up is a random label
# of 12 hex digits in front of the remote's name, as 2.6 makes it (6 random
# bytes); after SIGHUP (a reconnect) a new lookup uses a new label. With
# --stock-client the same checks run against stock openvpn.
# Needs root and dnsmasq (Debian's dnsmasq-base). Last line:
# "test_random_hostname: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_random_hostname
dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ ! -x "$dnsmasq" ]; then
	vt_fail "prerequisites: dnsmasq (Debian's dnsmasq-base) is needed"
	vt_summary $name
	exit 1
fi
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
netns_etc="/etc/netns/$VT_CLI_NS"
trap 'rm -rf "$netns_etc"; vt_cleanup' EXIT

DOMAIN=vpn.example.test
VT_CLIENT_REMOTES="remote $DOMAIN $VT_PORT"
VT_CLIENT_EXTRA="remote-random-hostname"
vt_up $name

dns_up() {
	mkdir -p "$netns_etc" && printf 'nameserver 127.0.0.1\n' >"$netns_etc/resolv.conf" || return 1
	ip netns exec "$VT_CLI_NS" "$dnsmasq" --conf-file=/dev/null --no-resolv --no-hosts \
		--listen-address=127.0.0.1 --bind-interfaces --port=53 \
		--address="/$DOMAIN/$VT_SRV_IP" --log-queries --log-facility="$VT_DIR/dns.log" \
		--pid-file="$VT_DIR/dnsmasq.pid" --user=root || return 1
	local i
	for i in $(seq 1 50); do
		ip netns exec "$VT_CLI_NS" getent ahostsv4 "probe.$DOMAIN" 2>/dev/null | grep -q "$VT_SRV_IP" && return 0
		sleep 0.1
	done
	return 1
}
if ! vt_check "dnsmasq in the client namespace answers *.$DOMAIN with the server's address" dns_up; then
	vt_summary $name
	exit 1
fi

# looked_up: the names under $DOMAIN the client asked for (not the probe), in order.
looked_up() {
	sed -n "s/.*query\[A*A*\] \([^ ]*\.$DOMAIN\) from.*/\1/p" "$VT_DIR/dns.log" | grep -v "^probe\." | uniq
}
# label_ok NAME: 12 hex digits, a dot, the remote's name.
label_ok() { [[ $1 =~ ^[0-9a-f]{12}\.vpn\.example\.test$ ]]; }

vt_client_start
if vt_check "connected within 15 s" vt_wait_tun_ipv4 15; then
	vt_check "ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
else
	vt_dump_logs
fi
first=$(looked_up | head -n 1)
vt_log "  first lookup: ${first:-none}"
vt_check "the name looked up is a random 12-hex-digit label in front of $DOMAIN ($first)" label_ok "$first"

n_before=$(looked_up | wc -l)
kill -HUP "$VT_CLI_PID"
sleep 1
if vt_check "connected again after SIGHUP" vt_wait_ping "$VT_TUN_SRV_IP" 20; then
	second=$(looked_up | sed -n "$((n_before + 1))p")
	vt_log "  lookup after the reconnect: ${second:-none}"
	vt_check "the reconnect looked up a new random label ($second)" \
		eval 'label_ok "$second" && [ "$second" != "$first" ]'
else
	vt_dump_logs
fi
vt_check "SIGTERM ends the client" vt_client_stop 5
vt_summary $name
