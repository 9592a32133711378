#!/bin/bash
# demo.sh: the one-command demo from the README.
#
# Usage: sudo ./contrib/demo.sh [--stock-client | --vpnc PATH] [--keep]
#
# Builds vpnc if needed (unless --vpnc names one), then, entirely inside two
# private network namespaces: makes a throwaway PKI, starts a stock OpenVPN 2.6 server,
# runs `vpnc --config demo.ovpn` as the client, pings the server through the
# tunnel over IPv4 and IPv6, runs a short iperf3 both ways, stops vpnc with
# SIGTERM and removes everything again. Nothing touches the host's network.
#
# --stock-client  use the stock openvpn binary as the client (for comparison)
# --vpnc PATH     use this vpnc binary, e.g. the installed /usr/sbin/vpnc
#                 (tests/package/test_deb.sh), instead of building one
# --keep          keep the temporary directory (configs, logs) afterwards
# VPNC_CLIENT_CMD overrides the client command line entirely.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stock=0
vpnc_bin=""
while [ $# -gt 0 ]; do
	case "$1" in
	--stock-client) stock=1 ;;
	--vpnc)
		[ $# -ge 2 ] || { echo "demo: --vpnc needs a path"; exit 2; }
		vpnc_bin=$2
		shift
		;;
	--keep) export VT_KEEP=1 ;;
	-h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1' (try --help)"; exit 2 ;;
	esac
	shift
done
if [ -n "$vpnc_bin" ] && [ ! -x "$vpnc_bin" ]; then
	echo "demo: --vpnc $vpnc_bin: not an executable file"
	exit 2
fi

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root for network namespaces and tun devices: sudo $0 $*"
	exit 1
fi
# The Debian packages the demo needs (nothing happens when they are there).
"$root/contrib/install-deps.sh" demo || exit 1

export VT_VERBOSE=1
export VT_CLIENT_CONF=demo.ovpn
# shellcheck source-path=SCRIPTDIR source=../tests/interop/lib.sh
. "$root/tests/interop/lib.sh"

step() { printf '\n==> %s\n' "$*"; }

client_arg=--stock-client
if [ $stock = 0 ] && [ -n "$vpnc_bin" ]; then
	client_arg=$vpnc_bin
elif [ $stock = 0 ] && [ -z "${VPNC_CLIENT_CMD:-}" ]; then
	client_arg="$root/build/vpnc"
	# Configure once, then let the (incremental) build decide what is stale.
	step "Building vpnc (cmake -S . -B build && cmake --build build -j2)"
	if [ ! -f "$root/build/CMakeCache.txt" ]; then
		cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
			{ echo "demo: cmake configure failed"; exit 1; }
	fi
	if ! cmake --build "$root/build" -j2 --target vpnc >"${TMPDIR:-/tmp}/vpnc-demo-build.log" 2>&1; then
		tail -n 30 "${TMPDIR:-/tmp}/vpnc-demo-build.log"
		echo "demo: build failed (full log: ${TMPDIR:-/tmp}/vpnc-demo-build.log)"
		exit 1
	fi
fi

vt_require_tools || exit 1
vt_client_resolve "$client_arg" || exit 1
vt_init || exit 1

step "Creating network namespaces $VT_SRV_NS and $VT_CLI_NS"
vt_netns_up || { echo "demo: could not create the namespaces"; exit 1; }
vt_info "veth: server $VT_SRV_IP / $VT_SRV_IP6, client $VT_CLI_IP / $VT_CLI_IP6"

step "Making a throwaway PKI with openssl (Ed25519) and a tls-crypt key"
vt_pki ed25519 || { echo "demo: PKI failed, see $VT_DIR/pki/openssl.log"; exit 1; }

step "Starting a stock OpenVPN server ($(openvpn --version | head -n 1 | awk '{print $1, $2}')) in $VT_SRV_NS"
vt_server_conf
vt_client_conf
vt_server_start || exit 1
vt_info "tunnel network $VT_TUN_NET/24 and $VT_TUN_NET6, server at $VT_TUN_SRV_IP"

step "Connecting: ${VT_CLIENT_CMD[*]} --config demo.ovpn (in $VT_CLI_NS)"
vt_client_start
if ! vt_wait_tun_ipv4 15; then
	echo "demo: the client did not connect within 15 s"
	vt_dump_logs
	exit 1
fi
addr4=$(ip -n "$VT_CLI_NS" -4 -o addr show dev "$VT_CLI_TUN" | awk '{print $4}')
vt_wait_tun_ipv6 3
addr6=$(ip -n "$VT_CLI_NS" -6 -o addr show dev "$VT_CLI_TUN" scope global | awk '{print $4}')
vt_info "connected in $VT_CONNECT_MS ms: $VT_CLI_TUN has ${addr4:-no IPv4} ${addr6:-(no IPv6)}"
vt_info "client log (last lines):"
tail -n 5 "$VT_DIR/client.log" | sed 's/^/       /'

step "Pinging the server through the tunnel"
ping4="failed"
ping6="failed"
vt_ping "$VT_TUN_SRV_IP" && ping4="ok"
vt_ping "$VT_TUN_SRV_IP6" && ping6="ok"

step "Measuring throughput with iperf3 (2 s each way)"
up="n/a"
down="n/a"
if vt_iperf_start; then
	up=$(vt_iperf) || up="failed"
	down=$(vt_iperf -R) || down="failed"
	vt_iperf_stop
fi
vt_info "client -> server: $up Mbit/s, server -> client: $down Mbit/s"

step "Stopping the client with SIGTERM"
stopped="no"
if vt_client_stop 5; then
	stopped="yes, exit code $VT_CLI_RC after $VT_CLI_STOP_MS ms"
fi
clean="no"
vt_ns_clean && clean="yes"
vt_info "stopped: $stopped; tunnel device and routes removed: $clean"

step "Summary"
cat <<EOF
  client:          ${VT_CLIENT_CMD[*]}
  connect time:    $VT_CONNECT_MS ms
  ping IPv4:       $ping4 ($VT_TUN_SRV_IP)
  ping IPv6:       $ping6 ($VT_TUN_SRV_IP6)
  iperf3 up/down:  $up / $down Mbit/s
  clean shutdown:  $stopped; namespace clean: $clean
EOF
echo "  (namespaces, processes and $VT_DIR are removed on exit)"
[ "$ping4" = ok ] && [ "$ping6" = ok ] && [ "$clean" = yes ]
