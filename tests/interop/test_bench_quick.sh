#!/bin/bash
# test_bench_quick.sh: the tunnel benchmark runs and prints numbers.
#
# Usage: test_bench_quick.sh <vpnc-binary>
#
# Runs `bench/tunnel --quick` (one round of 2 s per case, UDP, and TCP when
# vpnc connects over TCP) and checks that it exits 0, names the kernel, CPU
# and versions, prints Mbit/s and CPU-seconds per GB for both clients with
# the ratios for UDP upload and download (TCP: numbers, or the note that vpnc
# lacks TCP), prints heap allocations per packet for vpnc in its default
# mode, privilege separation (or says n/a for a sanitizer build), includes the in-memory benchmark when that binary is built,
# and leaves none of its namespaces behind. It never judges the figures: timing on
# a shared CI machine is not a test. Needs root. Last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../../bench/lib-bench.sh
. "$repo/bench/lib-bench.sh"

name=test_bench_quick
vpnc=${1:-}
if [ -z "$vpnc" ] || [ ! -x "$vpnc" ] || ! vt_require_tools; then
	vt_fail "prerequisites (root, tools, a vpnc binary as the first argument)"
	vt_summary $name
	exit 1
fi

out=$(mktemp /tmp/vpnc-benchq.XXXXXX) || exit 1
bench_pid=""
finish() {
	# bench/tunnel cleans up after itself on TERM; this only makes sure it gets one.
	[ -n "$bench_pid" ] && vt_kill_wait "$bench_pid" 10
	rm -f "$out"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

timeout -s TERM 240 bash "$repo/bench/tunnel" --quick "$vpnc" >"$out" 2>&1 &
bench_pid=$!
wait "$bench_pid"
rc=$?
# bench/tunnel names the namespaces it made; none may be left.
ns_left=""
for ns in $(sed -n 's/^netns: *//p' "$out"); do
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" && ns_left="$ns_left $ns"
done
bench_pid=""
sed 's/^/  | /' "$out"

vt_check "bench/tunnel --quick exits 0 within 240 s (exit $rc)" test "$rc" = 0
for what in kernel cpu openvpn vpnc openssl; do
	vt_check "names the $what it ran on" grep -q "^$what: *[^ ]" "$out"
done

# num_row CASE: the first summary row of CASE (the results table) has six positive numbers (Mbit/s and s/GB for
# openvpn and vpnc, then the two ratios).
num_row() {
	grep -E "^$1 +\|" "$out" | head -n 1 | tr -d '|' | awk -v want="$1" '
		{ n = 0
		  for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+(\.[0-9]+)?$/ && $i + 0 > 0) n++
		  ok = (n == 6) }
		END { exit !(NR == 1 && ok) }'
}
vt_check "udp upload: Mbit/s, CPU-s/GB and ratios for both clients" num_row "udp upload"
vt_check "udp download: Mbit/s, CPU-s/GB and ratios for both clients" num_row "udp download"
if grep -q '^tcp upload ' "$out"; then
	for c in "tcp upload" "tcp download"; do
		if grep -E "^$c +\|" "$out" | grep -q 'vpnc: TCP not supported yet'; then
			vt_pass "$c: vpnc lacks TCP, said so"
		else
			vt_check "$c: numbers for both clients" num_row "$c"
		fi
	done
else
	vt_check "TCP skipped only because vpnc lacks it" grep -q 'vpnc: TCP not supported yet' "$out"
fi
vt_check "per-run lines with client, server and box CPU per GB" \
	grep -qE '^  udp +upload +vpnc +[0-9.]+ Mbit/s +client +[0-9.]+ +server +[0-9.]+ +box +[0-9.]+' "$out"
if [ -x "$(dirname "$vpnc")/bench/bench_engine" ]; then
	vt_check "includes the in-memory benchmark" grep -qE '^upload \(c->s\) +[0-9.]+ +[0-9.]+ +[0-9.]+' "$out"
fi
# Heap allocations per packet: a figure for vpnc in the per-run lines and the
# allocation table, or, for a sanitizer build (which cannot take the malloc
# shim), the note saying so; that note must not appear for a plain build.
if grep -q '^allocs/pkt: n/a (sanitizer build)' "$out"; then
	vt_check "allocs/pkt n/a only for a sanitizer build" vb_sanitized "$vpnc"
elif [ -f "$(dirname "$vpnc")/bench/libvpnc_malloc_count.so" ]; then
	vt_check "per-run line: allocs/pkt figure for vpnc" \
		grep -qE '^  udp +upload +vpnc +[0-9.]+ Mbit/s .* allocs/pkt [0-9]+\.[0-9]{3} \([0-9]+ in [0-9]+ pkts\)' "$out"
	vt_check "allocation table: udp upload figures for both clients" \
		grep -qE '^udp upload +\| +[0-9]+\.[0-9]{3} +[0-9]+\.[0-9]{3}$' "$out"
	vt_check "counted in vpnc's default mode: two processes (privilege separation)" \
		grep -qx '  vpnc: 2 process(es)' "$out"
else
	vt_check "allocs/pkt: says the shim is not built" grep -q 'allocs/pkt n/a (no shim' "$out"
fi
vt_check "reports no failed run" grep -qE '^bench/tunnel: [0-9]+ runs, 0 failed$' "$out"
vt_check "names its namespaces" grep -qE '^netns: +vpncb-srv-[0-9]+ vpncb-cli-[0-9]+$' "$out"
vt_check "no benchmark namespace left behind${ns_left:+:$ns_left}" test -z "$ns_left"

vt_summary $name
