# lib-bench.sh: measuring helpers for bench/tunnel.
#
# This file owns how one benchmark run is measured: CPU time of a process
# (all its threads) from /proc/PID/task/*/schedstat, busy time of the whole
# machine from /proc/stat, one iperf3 run read from its JSON report, medians,
# heap allocations per TUN packet (the malloc_count.c shim's counter file and
# the TUN device's packet counters), and the machine description printed with
# the results. The namespaces, PKI,
# server and client come from tests/interop/lib.sh (vt_*), which bench/tunnel
# sources first; nothing here creates or deletes anything.
#
# shellcheck shell=bash

# vb_cpu_ns PID: nanoseconds the process and its children (vpnc's network
# process under privilege separation) have run on a CPU so far, summed over
# their threads (first field of schedstat). Prints 0 if the process is gone.
vb_cpu_ns() {
	local pid=$1 p f sum=0 ns
	[ -n "$pid" ] && [ -d "/proc/$pid/task" ] || { printf '0'; return 0; }
	for p in "$pid" $(pgrep -P "$pid" 2>/dev/null); do
		for f in /proc/"$p"/task/*/schedstat; do
			read -r ns _ <"$f" 2>/dev/null || continue
			sum=$((sum + ns))
		done
	done
	printf '%s' "$sum"
}

# vb_box_busy_ns: busy time of all CPUs so far (everything in /proc/stat's
# cpu line except idle and iowait), converted from USER_HZ ticks to ns.
vb_box_busy_ns() {
	local hz
	hz=$(getconf CLK_TCK 2>/dev/null || printf '100')
	awk -v hz="$hz" '/^cpu / {
		busy = $2 + $3 + $4 + $7 + $8 + $9
		printf "%.0f", busy * 1e9 / hz
		exit
	}' /proc/stat
}

# vb_iperf SECONDS [ARGS]: one iperf3 run from the client namespace to the
# server's tunnel address, bounded in time. Prints "BYTES BITS_PER_SECOND" as
# counted by the receiving side; returns 1 if iperf3 failed.
vb_iperf() {
	local secs=$1 out bytes bps
	shift
	out=$(vt_cli timeout $((secs + 20)) iperf3 -c "$VT_TUN_SRV_IP" -t "$secs" -J \
		--connect-timeout 3000 "$@" 2>/dev/null)
	bytes=$(printf '%s' "$out" | jq -r '.end.sum_received.bytes // empty' 2>/dev/null)
	bps=$(printf '%s' "$out" | jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	if [ -z "$bytes" ] || [ -z "$bps" ] || [ "${bytes%.*}" = 0 ]; then
		printf '%s' "$out" | jq -r '.error // empty' 2>/dev/null | sed 's/^/  iperf3: /' >&2
		return 1
	fi
	printf '%s %s' "${bytes%.*}" "$bps"
}

# vb_per_gb NS BYTES: seconds of CPU per 10^9 bytes moved (= ns per byte).
vb_per_gb() {
	awk -v ns="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", ns / b; else printf "nan" }'
}

# vb_median VALUE...: the median of numbers (mean of the middle two for an
# even count); "-" if there are none.
vb_median() {
	[ $# -gt 0 ] || { printf -- '-'; return 0; }
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
			else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# vb_median3 VALUE...: the median with three decimals (allocations per
# packet); "-" if there are none.
vb_median3() {
	[ $# -gt 0 ] || { printf -- '-'; return 0; }
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR % 2) printf "%.3f", v[(NR + 1) / 2]
			else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# vb_sanitized BINARY: true when BINARY carries a sanitizer runtime (gcc links
# libasan/libtsan dynamically; clang links it in and exports __asan_init).
# An LD_PRELOAD malloc shim cannot be used with it: the sanitizer owns malloc.
vb_sanitized() {
	readelf -d "$1" 2>/dev/null | grep -qE 'NEEDED.*lib(a|t|m|hwa)san' && return 0
	nm -D "$1" 2>/dev/null | grep -qE ' __(a|t|m|hwa)san_init$'
}

# vb_allocs FILE: the allocation count the shim last wrote to FILE (it writes
# every 100 ms); empty if there is none yet.
vb_allocs() {
	local n=""
	[ -r "$1" ] && read -r n <"$1" 2>/dev/null
	[[ $n =~ ^[0-9]+$ ]] && printf '%s' "$n"
}

# vb_tun_pkts PID DEV: received plus sent packets of the network device DEV in
# the network namespace of process PID (/proc/PID/net/dev); empty if unknown.
vb_tun_pkts() {
	[ -n "$1" ] && [ -n "$2" ] || return 0
	# "NAME:BYTES" has no blank between them once BYTES fills its column.
	awk -v dev="$2" '{ sub(/:/, " ") }
		$1 == dev { print $3 + $11; exit }' "/proc/$1/net/dev" 2>/dev/null
}

# vb_per_pkt ALLOCS PKTS: allocations per packet with three decimals, "n/a"
# without packets.
vb_per_pkt() {
	awk -v a="$1" -v p="$2" 'BEGIN { if (p > 0) printf "%.3f", a / p; else printf "n/a" }'
}

# vb_ratio A B: A / B with two decimals, "-" when either is missing.
vb_ratio() {
	case "$1$2" in *-* | *nan* | "") printf -- '-'; return 0 ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# vb_describe VPNC OPENVPN REPO: the machine and the versions the figures come from.
vb_describe() {
	local vpnc=$1 ovpn=$2 here=$3 cpu ver
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	printf 'kernel:   %s\n' "$(uname -r)"
	printf 'cpu:      %s (%s online CPUs)\n' "${cpu:-unknown}" "$(nproc)"
	printf 'load:     %s\n' "$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
	printf 'openvpn:  %s\n' "$("$ovpn" --version 2>/dev/null | head -n 1)"
	ver=$("$vpnc" --version 2>/dev/null | head -n 1)
	[ -n "$ver" ] || ver="vpnc (no --version) $(git -C "$here" describe --always --dirty 2>/dev/null)"
	printf 'vpnc:     %s [%s, git %s]\n' "$ver" "$vpnc" \
		"$(git -C "$here" describe --always --dirty 2>/dev/null || printf 'unknown')"
	printf 'openssl:  %s\n' "$(openssl version 2>/dev/null)"
	printf 'iperf3:   %s\n' "$(iperf3 --version 2>/dev/null | head -n 1)"
}
