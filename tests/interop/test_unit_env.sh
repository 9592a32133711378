#!/bin/bash
# test_unit_env.sh: vpnc in the environment contrib/systemd/vpnc-client@.service
# gives it, reproduced without systemd (CI has no systemd as PID 1), against a
# stock OpenVPN 2.6 server that pushes DNS.
#
# Usage: test_unit_env.sh <vpnc-binary>       (vpnc only; needs root)
#
# The client runs in a private mount namespace where, as under the unit's
# ProtectSystem=strict, /etc is read-only except /etc/resolv.conf
# (ReadWritePaths=-/etc/resolv.conf; a temporary file is bind-mounted there,
# the real one is never touched), /run is a temporary directory, and the
# working directory is the profile directory (WorkingDirectory=). It is
# started as the unit starts it: `--config DIR/work --user nobody --group
# nogroup` where only DIR/work.ovpn exists and names its CA, certificate and
# key relatively (ca ca.crt).
#  1. the profile is found and its relative files are read: it connects;
#  2. the pushed DNS lands in the writable resolv.conf in the read-only /etc;
#  3. after SIGTERM (exit 0; vpnc's network process ran as nobody) the original
#     resolv.conf is back byte for byte;
#  4. with resolv.conf read-only too, the tunnel still comes up and vpnc says
#     at priority warning (<4> on a journal stream) that DNS was not applied,
#     and so do `vpnc status` (text and JSON; the control socket is in the
#     test's /run) and the STATUS= sent to a notify socket of the test's own
#     (as systemd's Type=notify gets it), each with the reason: the backend
#     and "Read-only file system".
# Last line: "test_unit_env: N passed, M failed".
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_unit_env
if ! vt_require_tools || ! command -v unshare >/dev/null; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_client_resolve "${1:-}" || { vt_fail "client binary"; vt_summary $name; exit 1; }
if vt_client_is_stock; then
	vt_log "$name: the unit runs vpnc; nothing to check with stock openvpn"
	vt_summary $name
	exit $?
fi
vt_init || exit 1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

DNS4=10.200.0.53
VT_SERVER_EXTRA="push \"dhcp-option DNS $DNS4\""
setup() {
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	vt_server_conf
	vt_server_start
}
if ! vt_check "namespaces, PKI and stock OpenVPN server up" setup; then
	vt_summary $name
	exit 1
fi

# The profile directory, as /etc/vpnc-client: work.ovpn and the files it names.
prof=$VT_DIR/profiles
mkdir -p "$prof"
cp "$VT_DIR/pki/ca.crt" "$VT_DIR/pki/client.crt" "$VT_DIR/pki/client.key" "$prof/"
{
	printf '%s\n' client 'dev tun' 'proto udp' "remote $VT_REMOTE $VT_PORT" nobind \
		'remote-cert-tls server' "verify-x509-name $VT_X509_NAME" 'tls-version-min 1.3' \
		'reneg-sec 0' 'verb 3' 'ca ca.crt' 'cert client.crt' 'key client.key'
	vt_wrap_client_lines
} >"$prof/work.ovpn"
chmod 600 "$prof/work.ovpn" "$prof/client.key"

orig="# test original
nameserver 192.0.2.53"
printf '%s\n' "$orig" >"$VT_DIR/resolv.conf"
printf '%s\n' "$orig" >"$VT_DIR/resolv.orig"
mkdir -p "$VT_DIR/run"
# RESOLV_RO=1: resolv.conf read-only as well. Exit 97: a mount failed; 98:
# /etc was still writable, so the test would prove nothing.
cat >"$VT_DIR/unitenv.sh" <<WRAPPER
#!/bin/sh
mount --bind /etc /etc && mount -o remount,bind,ro /etc || exit 97
mount --bind "$VT_DIR/resolv.conf" /etc/resolv.conf || exit 97
if [ "\${RESOLV_RO:-0}" = 1 ]; then mount -o remount,bind,ro /etc/resolv.conf || exit 97; fi
mount --bind "$VT_DIR/run" /run || exit 97
touch /etc/.vpnct-unit-env 2>/dev/null && { rm -f /etc/.vpnct-unit-env; exit 98; }
cd "$prof" || exit 97
# stderr is a file here; naming it in JOURNAL_STREAM makes vpnc prefix syslog priorities.
JOURNAL_STREAM=\$(stat -L -c '%d:%i' /proc/self/fd/2)
export JOURNAL_STREAM
exec "\$@"
WRAPPER
chmod 755 "$VT_DIR/unitenv.sh"
real_client=("${VT_CLIENT_CMD[@]}")
# The wrapper changes directory: the binary's path must not be relative.
[[ ${real_client[0]} == */* && ${real_client[0]} != /* ]] && real_client[0]=$PWD/${real_client[0]}
VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/unitenv.sh" "${real_client[@]}")
VT_CLIENT_CONF=profiles/work # no suffix: vpnc finds work.ovpn
VT_CLIENT_ARGS="--dns-mode file --user nobody --group nogroup"

# ---- 1-3. resolv.conf writable in a read-only /etc ----
export RESOLV_RO=0
wrote() {
	for _ in $(seq 1 30); do
		grep -q "^nameserver $DNS4\$" "$VT_DIR/resolv.conf" && return 0
		sleep 0.1
	done
	return 1
}
vt_client_start
if vt_check "connected with --config DIR/work (work.ovpn), ca/cert/key relative to the working directory" \
	vt_wait_tun_ipv4 15; then
	vt_check "pushed DNS written to the writable /etc/resolv.conf in a read-only /etc" wrote
	vt_check "no DNS warning" eval '! grep -q "Cannot apply the pushed DNS" "$VT_DIR/client.log"'
	vt_check "vpnc status --json: DNS not failed" \
		eval '"${real_client[0]}" status --json --control-socket "$VT_DIR/run/vpnc/work.sock" | grep -q "\"dns\":{[^}]*\"failed\":false"'
	vt_check "vpnc's network process runs as nobody" \
		grep -q 'the network process runs as user nobody, group nogroup' "$VT_DIR/client.log"
	vt_check "SIGTERM: exit status 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "resolv.conf restored byte for byte after the privilege drop" \
		cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
else
	vt_dump_logs
	vt_client_stop 5
fi
vt_check "the client namespace is clean" vt_ns_clean

# ---- 4. resolv.conf read-only too: a warning, and the tunnel still works ----
export RESOLV_RO=1
# The notify receiver: each datagram as one line (newlines as '|'), for 60 s at most.
nsock=$VT_DIR/notify.sock
nlog=$VT_DIR/notify.log
: >"$nlog"
timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode("ascii", "replace").replace("\n", "|") + "\n")
        f.flush()
' "$nsock" "$nlog" &
recv_pid=$!
# Stopped before lib.sh's cleanup removes the directory.
trap 'kill $recv_pid 2>/dev/null; wait $recv_pid 2>/dev/null; vt_cleanup' EXIT
for _ in $(seq 50); do [ -S "$nsock" ] && break; sleep 0.1; done
why='file: Read-only file system'
notified() {
	for _ in $(seq 1 30); do
		grep -q "STATUS=connected: .*; pushed DNS NOT applied: $why" "$nlog" && return 0
		sleep 0.1
	done
	return 1
}
warned() {
	for _ in $(seq 1 30); do
		grep -q '^<4>Cannot apply the pushed DNS settings (file)' "$VT_DIR/client.log" && return 0
		sleep 0.1
	done
	return 1
}
NOTIFY_SOCKET=$nsock vt_client_start
if vt_check "connected with a read-only resolv.conf" vt_wait_tun_ipv4 15; then
	vt_check "DNS not applied: said at priority warning" warned
	grep -m 1 'Cannot apply' "$VT_DIR/client.log" | sed 's/^/  | /'
	vt_check "resolv.conf untouched" cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
	st=$("${real_client[0]}" status --control-socket "$VT_DIR/run/vpnc/work.sock")
	vt_check "vpnc status says the pushed DNS is NOT applied, and why" \
		grep -q "^ *NOT applied: $why\$" <<<"$st"
	grep 'NOT applied' <<<"$st" | sed 's/^/  | /'
	st=$("${real_client[0]}" status --json --control-socket "$VT_DIR/run/vpnc/work.sock")
	vt_check "vpnc status --json: failed, with the reason in dns.error" \
		grep -q "\"dns\":{[^}]*\"failed\":true,\"error\":\"$why\"" <<<"$st"
	vt_check "systemd's STATUS= says the pushed DNS is NOT applied, and why" notified
	grep -m 1 'DNS NOT applied' "$nlog" | sed 's/^/  | /'
	vt_check "the tunnel carries traffic anyway" vt_ping "$VT_TUN_SRV_IP"
	vt_check "SIGTERM: exit status 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
else
	vt_dump_logs
	vt_client_stop 5
fi

vt_summary $name
