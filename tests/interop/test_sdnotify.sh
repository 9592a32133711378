#!/bin/bash
# test_sdnotify.sh: what vpnc tells systemd during a real session, received
# on a notify socket of the test's own (as systemd would with Type=notify).
#
# Usage: test_sdnotify.sh <vpnc-binary>
#
# Against a stock OpenVPN 2.6 server in two network namespaces, with
# NOTIFY_SOCKET, WATCHDOG_USEC=400000 and WATCHDOG_PID (the main pid) set:
# STATUS= updates before the tunnel is up, exactly one READY=1 and only once
# the tunnel has its address,
# WATCHDOG=1 about every 200 ms, RELOADING=1 with MONOTONIC_USEC on SIGHUP
# followed by READY=1 when the new session is up, and STOPPING=1 on SIGTERM
# (exit status 0), every message sent by the main process (what systemd's
# NotifyAccess=main accepts; the network process's go through the parent).
# Needs root and a C compiler (for the small receiver).
# Prints PASS/FAIL per check; last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_sdnotify
if ! vt_require_tools || ! command -v cc >/dev/null; then
	vt_fail "prerequisites (and cc)"
	vt_summary $name
	exit 1
fi
vt_client_resolve "${1:-}" || { vt_fail "client binary"; vt_summary $name; exit 1; }
if vt_client_is_stock; then
	vt_log "$name: stock openvpn sends READY=1 before the tunnel is up; this test is for vpnc"
	vt_summary $name
	exit 0
fi
vt_init || exit 1

# The receiver: one line per datagram, "<ms since start> <message with \n as |>".
cat >"$VT_DIR/sdrecv.c" <<'EOF'
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timespec t0, t;
	char buf[4096];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (argc != 2 || fd < 0 || strlen(argv[1]) >= sizeof(sun.sun_path))
		return 1;
	strcpy(sun.sun_path, argv[1]);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return 1;
	/* The sender's pid, as systemd checks it for NotifyAccess=main: to stderr, one line each. */
	int on = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct ucred))];
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
		ssize_t n = recvmsg(fd, &mh, 0);
		if (n < 0)
			return 1;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		struct ucred cred = {0};
		if (c != NULL && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		fprintf(stderr, "%d\n", (int)cred.pid);
		fflush(stderr);
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '|';
		clock_gettime(CLOCK_MONOTONIC, &t);
		printf("%ld %s\n", (long)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000), buf);
		fflush(stdout);
	}
}
EOF
if ! cc -O1 -o "$VT_DIR/sdrecv" "$VT_DIR/sdrecv.c"; then
	vt_fail "receiver compiled"
	vt_summary $name
	exit 1
fi
sock="$VT_DIR/notify.sock"
log="$VT_DIR/notify.log"
pids="$VT_DIR/notify.pids"
timeout 120 "$VT_DIR/sdrecv" "$sock" >"$log" 2>"$pids" &
recv_pid=$!
# Stopped before lib.sh's cleanup removes the directory.
trap 'kill $recv_pid 2>/dev/null; wait $recv_pid 2>/dev/null; vt_cleanup' EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

setup() {
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	vt_server_conf
	vt_client_conf
	vt_server_start
}
if ! vt_check "namespaces, PKI, stock OpenVPN server and notify receiver up" setup || [ ! -S "$sock" ]; then
	vt_summary $name
	exit 1
fi

count() { grep -c -- "$1" "$log"; }
# Waits up to $2 tenths of a second for at least $3 (default 1) lines matching $1.
wait_for() {
	local i=0
	while [ "$(count "$1")" -lt "${3:-1}" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(count "$1")" -ge "${3:-1}" ]
}
line_no() { grep -n -- "$1" "$log" | sed -n "${2:-1}p" | cut -d: -f1; }

# As systemd does, WATCHDOG_PID names the main process (the wrapper execs vpnc, keeping its pid);
# under privilege separation vpnc hands the watchdog to its network process (src/priv/privsd.h).
real_cmd=("${VT_CLIENT_CMD[@]}")
# shellcheck disable=SC2016 # expanded by the wrapper shell
VT_CLIENT_CMD=(sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"' "${real_cmd[@]}")
NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 vt_client_start
VT_CLIENT_CMD=("${real_cmd[@]}")
tun_up=0
vt_wait_tun_ipv4 15 && tun_up=1
vt_check "client connected (tunnel has IPv4) within 15 s" test $tun_up = 1
vt_check "READY=1 within 3 s" wait_for '^[0-9]* READY=1|STATUS=connected: ' 30
vt_check "exactly one READY=1 for the first session" test "$(count 'READY=1')" = 1
first_ready=$(line_no 'READY=1')
vt_check "STATUS= updates (TLS handshake, key exchange) came before READY=1" \
	test -n "$first_ready" -a -n "$(line_no 'STATUS=TLS handshake')" -a \
	"$(line_no 'STATUS=TLS handshake')" -lt "${first_ready:-0}" -a \
	"$(line_no 'STATUS=key exchange')" -lt "${first_ready:-0}"
ready_text=$(grep -m1 'READY=1' "$log" | sed 's/^[0-9]* //')
vt_check "READY's status names the tunnel device ($ready_text)" grep -q "connected: $VT_CLI_TUN " <<<"$ready_text"
vt_check "ping IPv4 through the tunnel" vt_ping "$VT_TUN_SRV_IP"

# WATCHDOG_USEC 400 ms: a keep-alive every 200 ms.
w0=$(count '^[0-9]* WATCHDOG=1$')
sleep 1.2
w1=$(count '^[0-9]* WATCHDOG=1$')
vt_check "WATCHDOG=1 every ~200 ms (got $((w1 - w0)) in 1.2 s, want 4..8)" test $((w1 - w0)) -ge 4 -a $((w1 - w0)) -le 8

kill -HUP "$VT_CLI_PID"
vt_check "RELOADING=1 with MONOTONIC_USEC after SIGHUP" \
	wait_for '^[0-9]* RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*|STATUS=reconnecting (SIGHUP)$' 30
vt_check "READY=1 again once the new session is up" wait_for 'READY=1|STATUS=connected: ' 100 2
vt_check "the second READY=1 follows RELOADING=1" \
	test "$(line_no 'READY=1' 2)" -gt "$(line_no 'RELOADING=1')"
vt_check "ping IPv4 after the reload" vt_wait_ping "$VT_TUN_SRV_IP" 10

main_pid=$VT_CLI_PID
vt_client_stop 5
vt_check "client exit code 0 (got ${VT_CLI_RC:-none})" test "${VT_CLI_RC:-x}" = 0
vt_check "STOPPING=1 on SIGTERM" wait_for '^[0-9]* STOPPING=1|STATUS=exiting (SIGTERM)$' 10
vt_check "STOPPING=1 comes after every READY=1" \
	test "$(line_no 'STOPPING=1')" -gt "$(line_no 'READY=1' 2)"
vt_check "nothing claims READY after STOPPING" \
	test -z "$(sed -n "$(line_no 'STOPPING=1'),\$p" "$log" | grep 'READY=1')"
# systemd's NotifyAccess=main takes only the main process's messages: under privilege separation
# the parent passes the network process's on (src/priv/privsd.h).
senders=$(sort -u "$pids" | tr '\n' ' ')
vt_check "every message came from the main process $main_pid (senders: $senders)" \
	test "$(sort -u "$pids")" = "$main_pid"
[ "$VT_FAILED" = 0 ] || { sed 's/^/  notify: /' "$log" | grep -v 'WATCHDOG=1$'; vt_dump_logs; }
vt_summary $name
[ "$VT_FAILED" = 0 ]
