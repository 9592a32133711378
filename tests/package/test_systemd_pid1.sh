#!/bin/bash
# test_systemd_pid1.sh: the README's "Install and use" path, as written, on a
# Debian 12 system whose PID 1 is a real systemd.
#
# Usage: test_systemd_pid1.sh        (needs root, systemd-nspawn, debootstrap)
#
# CI and most build machines are containers without systemd as PID 1, so the
# test boots one: a minimal Debian 12 tree (debootstrap: systemd, dbus, sudo,
# iproute2, ping and the runtime dependencies the built .deb declares),
# cached in /var/cache/vpnc-tests/debian12-systemd (VPNC_TEST_DEBS overrides
# the directory; the first run needs Debian's package registry), is booted
# with `systemd-nspawn -b` on a throwaway overlay of that tree, inside the
# client namespace of tests/interop/lib.sh, whose server namespace runs a
# stock OpenVPN 2.6 server. The host's services are never touched.
#
# The .deb is built as the README says, in a fresh Debian 12: a second
# cached minbase tree (with sudo; in /var/cache/vpnc-tests/debian12-build),
# on a throwaway overlay, gets `apt-get update`, then the README's build
# dependencies line and `dpkg-buildpackage -us -uc -b` in a copy of the
# source tree, run as written (chroot in a mount namespace of its own; it
# needs the package registry, as CI has). VPNC_PID1_HOST_BUILD=1 builds on
# this host instead (offline), VPNC_DEB_DIR=DIR takes the .debs from DIR.
# Inside the booted system the README's own command lines (read
# from README.md, NAME replaced by an instance name) install it, install a
# profile and `systemctl enable --now` the instance. Then:
#  - the unit is active (Type=notify: `enable --now` returns after READY=1),
#    enabled, and has a STATUS= text; `vpnc status NAME` says connected; a
#    ping crosses the tunnel; the pushed DNS server is in /etc/resolv.conf
#    (the file backend under ProtectSystem=strict);
#  - `systemctl reload` reconnects in the same process (the server sees a
#    new session), and the tunnel works again;
#  - after a reboot of the container the enabled instance is up again;
#  - `systemctl stop` ends it with exit status 0 and leaves no device,
#    route, control socket or changed resolv.conf behind;
#  - a bad profile leaves its instance failed with exit status 2, and a
#    profile the server answers with AUTH_FAILED with exit status 4; neither
#    is restarted (RestartPreventExitStatus=) after RestartSec has passed;
#  - a profile with a relative `ca ca.crt` (the file next to it in
#    /etc/vpnc-client) connects through the unit's WorkingDirectory=;
#    its instance runs with the package's example drop-in kill-switch.conf:
#    the kill switch's nftables table (inet vpnc) is there while it runs, a
#    ping outside the tunnel is dropped, and `systemctl stop` removes the
#    table (checked with this host's nft in the shared client namespace);
#  - a member of the group vpnc reads `vpnc status NAME` and `vpnc status`
#    (as a user, through the unit's --control-socket-group), another user is
#    refused with the hint; bash completes `vpnc status <TAB>` with the
#    running instance, for root and for that member (who cannot list the
#    profiles: the running instance's socket is what it sees);
#  - `systemctl status` and `journalctl -u` show what happened.
# Prints PASS/FAIL per check; the last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../interop/lib.sh
. "$top/tests/interop/lib.sh"
name=test_systemd_pid1

cache_dir=${VPNC_TEST_DEBS:-/var/cache/vpnc-tests}
tree="$cache_dir/debian12-systemd"
mirror=${VPNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Packages of the booted system besides the .deb's own dependencies: an init,
# the bus logind and systemctl use, what the README and the checks run, and
# bash-completion (as on a Debian desktop: the package diverts its Cisco vpnc
# completion, and `vpnc status <TAB>` is checked).
base_pkgs="systemd systemd-sysv dbus sudo iproute2 iputils-ping procps bash-completion"
inst=demo                    # the README's NAME
ct_host=vpnc-pid1            # the container's host name
ct_src=/root/src             # stands for the source tree; the .debs are in its parent
boot_limit=90                # seconds for a boot to settle
start_limit=200              # `systemctl enable --now`: the unit's TimeoutStartSec= and some

if ! vt_require_tools; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
missing=""
for t in systemd-nspawn debootstrap nsenter unshare chroot flock dpkg-buildpackage dh fakeroot; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	vt_fail "tools installed:$missing (apt-get install systemd-container debootstrap util-linux dpkg-dev debhelper fakeroot)"
	vt_summary $name
	exit 1
fi
vt_init || exit 1

nspawn_pid=""
ct_rc=""
leader=""
machine="vpnct-pid1-$VT_ID"
ov="$VT_DIR/overlay"
root="$ov/root"

# ct_poweroff: SIGTERM makes systemd-nspawn ask the container's systemd to
# power off; SIGKILL if that takes longer than 60 s.
ct_poweroff() {
	local i=0
	[ -n "$nspawn_pid" ] || return 0
	kill -TERM "$nspawn_pid" 2>/dev/null
	while vt_pid_alive "$nspawn_pid" && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if vt_pid_alive "$nspawn_pid"; then
		kill -KILL "$nspawn_pid" 2>/dev/null
		wait "$nspawn_pid" 2>/dev/null
		nspawn_pid=""
		return 1
	fi
	wait "$nspawn_pid" 2>/dev/null
	ct_rc=$?
	nspawn_pid=""
	return 0
}

pid1_cleanup() {
	ct_poweroff
	if mountpoint -q "$root" 2>/dev/null; then
		umount "$root" 2>/dev/null || umount -l "$root"
	fi
	# systemd-nspawn leaves its (empty) mount propagation directory behind.
	rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null
	vt_cleanup
}
trap pid1_cleanup EXIT

# --- the README's command lines ----------------------------------------------

# Indented lines of the "Install and use" section that start with sudo.
readme_cmds=$(awk '/^## Install and use/ { f = 1; next } /^## / { f = 0 }
	f && /^    sudo / { sub(/^    /, ""); print }' "$top/README.md")
readme_cmd() { grep -m 1 -e "$1" <<<"$readme_cmds"; }
cmd_builddeps=$(readme_cmd '^sudo apt-get install -y build-essential')
cmd_install_deb=$(readme_cmd '^sudo apt-get install \.\./vpnc-ovpn_')
cmd_profile=$(readme_cmd '^sudo install .*/etc/vpnc-client/NAME\.conf')
cmd_enable=$(readme_cmd '^sudo systemctl enable --now vpnc-client@NAME')
cmd_status=$(readme_cmd '^sudo vpnc status NAME')
vt_check "README: dpkg-buildpackage -us -uc -b" grep -qx '    dpkg-buildpackage -us -uc -b' "$top/README.md"
vt_check "README: the package install, profile, enable --now and status lines found" \
	test -n "$cmd_install_deb" -a -n "$cmd_profile" -a -n "$cmd_enable" -a -n "$cmd_status"
# The build dependencies line names every Build-Depends package (debhelper-compat is debhelper's).
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z][a-zA-Z-]*:/p' "$top/debian/control" | sed '$d' |
	sed 's/^Build-Depends://' | tr ',' '\n' | sed 's/[(|].*//; s/[[:space:]]//g; /^$/d; s/^debhelper-compat$/debhelper/')
nobd=""
for p in $bdeps; do
	[[ " $cmd_builddeps " == *" $p "* ]] || nobd="$nobd $p"
done
vt_check "README: its build dependencies line names every Build-Depends package (missing:${nobd:- none})" \
	test -n "$cmd_builddeps" -a -z "$nobd"

# tree_build DIR PACKAGES KEY: debootstrap into DIR.new, then prepared and
# moved in place, KEY written to DIR.key. Runs under DIR's lock.
tree_build() {
	local tree=$1 tree_pkgs=$2 tree_key=$3
	local new="$tree.new" m
	tree_umount_new() {
		findmnt -rn -o TARGET | grep -F "$new/" | sort -r | while read -r m; do umount -l "$m"; done
	}
	tree_umount_new
	rm -rf "$new" "$tree" "$tree.key"
	vt_log "  debootstrap: bookworm ($mirror) with $tree_pkgs"
	if ! debootstrap --variant=minbase --include="${tree_pkgs// /,}" bookworm "$new" "$mirror" \
		>"$VT_DIR/debootstrap.log" 2>&1; then
		tail -n 20 "$VT_DIR/debootstrap.log"
		tree_umount_new
		rm -rf "$new"
		return 1
	fi
	echo "$ct_host" >"$new/etc/hostname"
	printf '127.0.1.1\t%s\n' "$ct_host" >>"$new/etc/hosts"
	# Empty: systemd gives each boot a fresh one, as on a first boot.
	: >"$new/etc/machine-id"
	chroot "$new" apt-get clean >/dev/null 2>&1
	mv "$new" "$tree" && printf '%s\n' "$tree_key" >"$tree.key"
}

# cached_tree DIR PACKAGES: DIR is a Debian 12 minbase tree with PACKAGES
# (made with debootstrap unless DIR.key says it has them); DIR.lock is then
# held shared until the test ends, so that a run that must remake the tree
# waits until this one is done with it.
cached_tree() {
	local dir=$1 pkgs=$2 key="bookworm minbase: $2" fd
	mkdir -p "${dir%/*}" || return 1
	exec {fd}>"$dir.lock"
	flock "$fd"
	if [ -d "$dir" ] && [ "$(cat "$dir.key" 2>/dev/null)" = "$key" ]; then
		vt_pass "cached Debian 12 tree ($dir)"
	else
		vt_check "Debian 12 tree made with debootstrap ($dir)" tree_build "$dir" "$pkgs" "$key"
	fi
	flock -s "$fd"
	[ -f "$dir.key" ]
}

# --- the .deb --------------------------------------------------------------

# fresh_build: the README's build dependencies line and dpkg-buildpackage, as
# written, as root in a fresh Debian 12 (the cached minbase tree $btree, with
# sudo, on a throwaway overlay; chroot in a mount namespace of its own, on
# this host's network, so that apt reaches the package registry). apt-get
# update first, as on an installed system. The downloaded packages are kept
# in $cache_dir/apt-archives for the next run. The .debs land in
# $VT_DIR/fresh/upper/root (the source tree is /root/src). Exit status 10
# (setting the root up), 11, 12 or 13 says which step failed; the log is
# $VT_DIR/fresh.log.
fresh_build() {
	local b="$VT_DIR/fresh"
	mkdir -p "$b/upper" "$b/work" "$b/root" "$cache_dir/apt-archives/partial" || return 1
	unshare -m --propagation private env B="$b" TREE="$btree" ARCHIVES="$cache_dir/apt-archives" TOP="$top" \
		BUILDDEPS="$cmd_builddeps" bash -c '
		r=$B/root
		mount -t overlay vpnct-fresh -o "lowerdir=$TREE,upperdir=$B/upper,workdir=$B/work" "$r" &&
			mount -t proc proc "$r/proc" &&
			mount --bind /dev "$r/dev" &&
			mount --bind "$ARCHIVES" "$r/var/cache/apt/archives" &&
			cp -L /etc/resolv.conf "$r/etc/resolv.conf" &&
			mkdir -p "$r/root/src" || exit 10
		tar -C "$TOP" --exclude="./build*" --exclude=./.git --exclude="./obj-*" -cf - . |
			tar -C "$r/root/src" -xf - || exit 10
		in_root() {
			printf "## %s\n" "$1"
			chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
				DEBIAN_FRONTEND=noninteractive bash -c "cd /root/src && $1" </dev/null
		}
		in_root "apt-get update" || exit 11
		in_root "$BUILDDEPS" || exit 12
		in_root "DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b" || exit 13
	' >"$VT_DIR/fresh.log" 2>&1
}

if [ -n "${VPNC_DEB_DIR:-}" ]; then
	debdir=$VPNC_DEB_DIR
elif [ "${VPNC_PID1_HOST_BUILD:-0}" = 1 ]; then
	debdir="$VT_DIR/deb"
	mkdir -p "$debdir/src"
	tar -C "$top" --exclude='./build*' --exclude=./.git --exclude='./obj-*' -cf - . | tar -C "$debdir/src" -xf -
	vt_check "the README's dpkg-buildpackage -us -uc -b (on this host, in a copy of the tree)" \
		eval '(cd "$debdir/src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) >"$VT_DIR/build.log" 2>&1' ||
		tail -n 30 "$VT_DIR/build.log"
else
	btree="$cache_dir/debian12-build"
	if ! cached_tree "$btree" "sudo"; then
		vt_summary $name
		exit 1
	fi
	t0=$(vt_now_us)
	fresh_build
	rc=$?
	vt_log "  the fresh build took $((($(vt_now_us) - t0) / 1000000)) s"
	# One check per step, up to the one that failed.
	vt_check "a fresh Debian 12 root on a throwaway overlay, the source tree copied in" test $rc != 10 &&
		{ vt_check "it reaches the package registry ($mirror): apt-get update" test $rc != 11 ||
			{ vt_log "  (offline: VPNC_PID1_HOST_BUILD=1 builds the .deb on this host instead)"; false; }; } &&
		vt_check "README, in a fresh Debian 12: $cmd_builddeps" test $rc != 12 &&
		vt_check "README, in a fresh Debian 12: dpkg-buildpackage -us -uc -b (in the source tree)" test $rc = 0
	[ $rc != 0 ] && tail -n 30 "$VT_DIR/fresh.log"
	debdir="$VT_DIR/fresh/upper/root"
fi
deb=$(ls "$debdir"/vpnc-ovpn_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
if ! vt_check "vpnc-ovpn .deb at hand (${deb##*/})" test -s "$deb"; then
	vt_summary $name
	exit 1
fi
# The .deb's file name is the README's (its version included).
want_deb=$(sed -n 's/^sudo apt-get install \.\.\/\(vpnc-ovpn_.*\.deb\)$/\1/p' <<<"$cmd_install_deb" |
	sed "s/\$(dpkg --print-architecture)/$(dpkg --print-architecture)/")
vt_check "README names the .deb the build makes ($want_deb)" test "$want_deb" = "${deb##*/}"

# --- the cached Debian 12 tree ------------------------------------------------

# Runtime dependencies of the .deb (first alternative of each), plus base_pkgs.
deb_deps=$(dpkg-deb -f "$deb" Depends Pre-Depends | sed 's/^[A-Za-z-]*://' | tr ',' '\n' |
	sed 's/|.*//; s/(.*//; s/[[:space:]]//g; /^$/d')
tree_pkgs=$(printf '%s\n' $base_pkgs $deb_deps | sort -u | tr '\n' ' ')
tree_pkgs=${tree_pkgs% }

if ! cached_tree "$tree" "$tree_pkgs"; then
	vt_summary $name
	exit 1
fi

# --- the stock server, the container ------------------------------------------

# The server pushes a DNS server, so that the unit's file DNS backend runs.
VT_SERVER_EXTRA='push "dhcp-option DNS 10.200.0.53"'
vt_up $name

mkdir -p "$ov/upper" "$ov/work" "$root"
vt_check "throwaway overlay on the cached tree" \
	mount -t overlay vpnct-pid1 -o "lowerdir=$tree,upperdir=$ov/upper,workdir=$ov/work" "$root" || {
	vt_summary $name
	exit 1
}
mkdir -p "$root$ct_src"
cp "$deb" "$root${ct_src%/*}/"
cp "$VT_DIR/client.ovpn" "$root$ct_src/client.ovpn"
chmod 644 "$root${ct_src%/*}/${deb##*/}"

# ct_boot: systemd-nspawn -b in the client namespace; sets nspawn_pid and
# leader (the container's PID 1 as the host sees it). No registration with a
# host systemd (there may be none); the TUN clone device bound in.
# CAP_NET_ADMIN: systemd-nspawn keeps it for a network namespace of its own
# making only, and a machine's PID 1 has it (the unit's bounding set needs it).
ct_boot() {
	systemd-nspawn -b -D "$root" -M "$machine" --hostname="$ct_host" \
		--register=no --keep-unit --console=read-only \
		--network-namespace-path="/run/netns/$VT_CLI_NS" --capability=CAP_NET_ADMIN \
		--bind=/dev/net/tun --resolv-conf=copy-host \
		>>"$VT_DIR/boot.log" 2>&1 &
	nspawn_pid=$!
	ct_wait_leader
}

# ct_wait_leader: waits (<= 20 s) for the container's PID 1 (a child of
# systemd-nspawn that runs systemd) and sets leader.
ct_wait_leader() {
	local i=0 p
	leader=""
	while [ $i -lt 200 ]; do
		for p in $(pgrep -P "$nspawn_pid" 2>/dev/null); do
			if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$root/usr/lib/systemd/systemd")" ] ||
				[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then
				leader=$p
				return 0
			fi
		done
		vt_pid_alive "$nspawn_pid" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# ct COMMAND...: runs COMMAND in the container (all its namespaces, its root),
# as root with a login-like environment.
ct() {
	nsenter -t "$leader" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}

# ct_settled: the boot finished (running, or degraded: then the failed units are listed).
ct_settled() {
	local state="" t0
	t0=$(vt_now_us)
	# Until systemd listens on its private socket, systemctl fails at once: ask again.
	while [ $(($(vt_now_us) - t0)) -lt $((boot_limit * 1000000)) ]; do
		state=$(timeout "$boot_limit" nsenter -t "$leader" -a systemctl is-system-running --wait 2>/dev/null)
		case "$state" in running | degraded | maintenance | stopping) break ;; esac
		vt_pid_alive "$leader" || break
		sleep 0.2
	done
	vt_info "system state: $state"
	if [ "$state" = degraded ]; then
		vt_log "  NOTE: degraded; failed units:"
		ct systemctl --failed --no-legend | sed 's/^/    /'
	fi
	[ "$state" = running ] || [ "$state" = degraded ]
}

if ! vt_check "systemd-nspawn -b: systemd is PID 1 of a Debian 12 container in $VT_CLI_NS" ct_boot ||
	! vt_check "the boot finished (systemctl is-system-running --wait)" ct_settled; then
	tail -n 30 "$VT_DIR/boot.log"
	vt_summary $name
	exit 1
fi
vt_check "PID 1 in the container is systemd" test "$(ct cat /proc/1/comm)" = systemd

# readme COMMAND-LINE: one README line, NAME replaced, run by bash in the
# container in $ct_src; its output goes to $VT_DIR/readme.last
# and is added to $VT_DIR/readme.log.
readme() {
	local line=${1//NAME/$inst}
	local rc
	ct timeout "$start_limit" bash -c "cd $ct_src && $line" </dev/null >"$VT_DIR/readme.last" 2>&1
	rc=$?
	{ printf '# %s (exit %s)\n' "$line" "$rc"; cat "$VT_DIR/readme.last"; } >>"$VT_DIR/readme.log"
	return $rc
}
# prop UNIT PROPERTY: one property of a unit, its value only.
prop() { ct systemctl show -P "$2" "$1" 2>/dev/null; }
unit="vpnc-client@$inst.service"
resolv_before=$(ct cat /etc/resolv.conf)

# --- install, enable --now, status ---------------------------------------------

vt_check "README: $cmd_install_deb" readme "$cmd_install_deb" || tail -n 20 "$VT_DIR/readme.log"
vt_check "the unit is installed where systemd looks" test -n "$(ct systemctl list-unit-files --no-legend 'vpnc-client@.service')"
vt_check "README: ${cmd_profile//NAME/$inst}" readme "$cmd_profile"
vt_check "the profile is root's, mode 600" test "$(ct stat -c '%a %U' /etc/vpnc-client/$inst.conf)" = "600 root"
t0=$(vt_now_us)
if ! vt_check "README: ${cmd_enable//NAME/$inst} (returns once vpnc said READY=1)" readme "$cmd_enable"; then
	cat "$VT_DIR/readme.last"
	ct journalctl -u "$unit" --no-pager -o cat | tail -n 30 | sed 's/^/  journal: /'
fi
vt_log "  enable --now took $((($(vt_now_us) - t0) / 1000)) ms"
vt_check "the unit is active" test "$(prop "$unit" ActiveState)/$(prop "$unit" SubState)" = active/running
vt_check "the unit is enabled" test "$(ct systemctl is-enabled "$unit")" = enabled
status_text=$(prop "$unit" StatusText)
vt_check "the unit's status text is vpnc's STATUS= ($status_text)" eval '[[ $status_text == connected* ]]'
main_pid=$(prop "$unit" MainPID)
vt_log "  vpnc's $(ct grep 'locked memory' "/proc/$main_pid/limits" | tr -s ' ') (LimitMEMLOCK=$(prop "$unit" LimitMEMLOCK))"
readme "$cmd_status"
out=$(cat "$VT_DIR/readme.last")
vt_check "README: ${cmd_status//NAME/$inst} says connected" grep -Eq '^ *state: *connected' <<<"$out" ||
	printf '%s\n' "$out" | head -n 20
vt_check "a ping from the container crosses the tunnel" eval 'ct ping -n -c 3 -i 0.2 -W 2 "$VT_TUN_SRV_IP" >/dev/null'
vt_check "the pushed route goes into the tunnel" eval 'ct ip -4 route show "$VT_PUSH_ROUTE" | grep -q "dev tun"'
vt_check "the pushed DNS server is in /etc/resolv.conf" eval 'ct grep -q "^nameserver 10.200.0.53" /etc/resolv.conf'
out=$(ct systemctl status --no-pager --lines=0 "$unit" 2>&1)
vt_check "systemctl status: active (running) and vpnc's status line" \
	eval '[[ $out == *"Active: active (running)"* && $out == *"Status: \"connected"* ]]' ||
	printf '%s\n' "$out" | sed 's/^/  /'

# --- reload: a reconnect in the same process -------------------------------------

peers=$(vt_server_peers)
vt_check "systemctl reload $unit" ct timeout "$start_limit" systemctl reload "$unit"
vt_check "the server saw a new session" vt_wait_server_peers $((peers + 1)) 30
vt_check "same main process ($main_pid), still active, no restart" \
	test "$(prop "$unit" MainPID)/$(prop "$unit" ActiveState)/$(prop "$unit" NRestarts)" = "$main_pid/active/0"
vt_check "a ping crosses the tunnel again" eval 'ct ping -n -c 1 -W 2 "$VT_TUN_SRV_IP" >/dev/null ||
	ct ping -n -c 3 -i 0.5 -W 2 "$VT_TUN_SRV_IP" >/dev/null'

# --- at every boot ---------------------------------------------------------------

# reboot_ok: systemd-nspawn exits with status 133 when its container reboots;
# booting the same tree again is what systemd-nspawn@.service does then
# (RestartForceExitStatus=133).
reboot_ok() {
	ct systemctl reboot || return 1
	local i=0
	while vt_pid_alive "$nspawn_pid" && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_pid_alive "$nspawn_pid" && return 1
	wait "$nspawn_pid"
	ct_rc=$?
	nspawn_pid=""
	[ "$ct_rc" = 133 ] || { vt_log "  systemd-nspawn exited with $ct_rc, not 133 (reboot)"; return 1; }
	ct_boot && ct_settled
}
if vt_check "the container reboots (systemctl reboot)" reboot_ok; then
	vt_check "after the reboot the enabled instance is active" \
		eval 'ct timeout 60 bash -c "until systemctl is-active -q $unit; do sleep 0.2; done"'
	vt_check "and connected" eval 'ct vpnc status "$inst" | grep -Eq "^ *state: *connected"'
	vt_check "and a ping crosses the tunnel" eval 'ct ping -n -c 3 -i 0.2 -W 2 "$VT_TUN_SRV_IP" >/dev/null'
else
	tail -n 20 "$VT_DIR/boot.log"
fi

# --- stop ------------------------------------------------------------------------

vt_check "systemctl stop $unit" ct timeout 60 systemctl stop "$unit"
vt_check "stopped cleanly: inactive, result success, exit status 0" \
	test "$(prop "$unit" ActiveState)/$(prop "$unit" Result)/$(prop "$unit" ExecMainStatus)" = inactive/success/0
vt_check "no tunnel device, address or route left" vt_ns_clean
vt_check "no control socket left" eval '! ct test -e "/run/vpnc/$inst.sock"'
vt_check "/etc/resolv.conf is as before" test "$(ct cat /etc/resolv.conf)" = "$resolv_before"
vt_check "no vpnc process left" eval '! ct pgrep -x vpnc >/dev/null'

# --- a bad profile -----------------------------------------------------------------

bad=bad
sed 's/^verb .*/no-such-option 1/' "$VT_DIR/client.ovpn" >"$root$ct_src/bad.ovpn"
badline=$(grep -n '^no-such-option' "$root$ct_src/bad.ovpn" | cut -d: -f1)
ct install -m 0600 "$ct_src/bad.ovpn" "/etc/vpnc-client/$bad.conf"
vt_check "systemctl start vpnc-client@$bad fails" eval '! ct timeout 60 systemctl start "vpnc-client@$bad" 2>/dev/null'
badunit="vpnc-client@$bad.service"
vt_check "failed with exit status 2" \
	test "$(prop "$badunit" ActiveState)/$(prop "$badunit" Result)/$(prop "$badunit" ExecMainStatus)" = failed/exit-code/2
# AUTH_FAILED: the server's data ciphers and the profile's have nothing in
# common, which stock OpenVPN 2.6 answers with AUTH_FAILED.
af=authfail
sed 's/^data-ciphers .*/data-ciphers AES-128-GCM/' "$VT_DIR/client.ovpn" >"$root$ct_src/$af.ovpn"
ct install -m 0600 "$ct_src/$af.ovpn" "/etc/vpnc-client/$af.conf"
afunit="vpnc-client@$af.service"
vt_check "systemctl start vpnc-client@$af (the server answers AUTH_FAILED) fails" \
	eval '! ct timeout 60 systemctl start "$afunit" 2>/dev/null'
vt_check "failed with exit status 4" \
	test "$(prop "$afunit" ActiveState)/$(prop "$afunit" Result)/$(prop "$afunit" ExecMainStatus)" = failed/exit-code/4
out=$(ct journalctl -u "$afunit" --no-pager -o cat 2>&1)
vt_check "journalctl -u $afunit says why (the server's AUTH_FAILED reason)" \
	grep -Eqi 'AUTH_FAILED|cipher negotiation failed|no (shared|common) (data )?cipher' <<<"$out" ||
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/  /'
restart_sec_us=$(prop "$badunit" RestartUSec)
sleep 7 # RestartSec=5s and some
vt_check "$bad not restarted after RestartSec ($restart_sec_us): still failed, NRestarts 0" \
	test "$(prop "$badunit" ActiveState)/$(prop "$badunit" NRestarts)" = failed/0
vt_check "$af not restarted after RestartSec ($restart_sec_us): still failed, NRestarts 0" \
	test "$(prop "$afunit" ActiveState)/$(prop "$afunit" NRestarts)" = failed/0
out=$(ct systemctl status --no-pager --lines=5 "$badunit" 2>&1)
vt_check "systemctl status says status=2" eval '[[ $out == *"status=2"* ]]' || printf '%s\n' "$out" | sed 's/^/  /'
out=$(ct journalctl -u "$badunit" --no-pager -o cat 2>&1)
vt_check "journalctl -u $badunit names the file and line ($bad.conf:$badline)" \
	eval '[[ $out == *"$bad.conf"*"$badline"* || $out == *"$bad.conf:$badline"* ]]' || printf '%s\n' "$out" | tail -n 5 | sed 's/^/  /'

# --- a relative file name, the status group, completion ---------------------------------

# The profile names its CA relatively; the unit's WorkingDirectory= is
# /etc/vpnc-client, where the CA goes next to the profile.
rel=rel
awk '/^<ca>$/ { skip = 1; print "ca ca.crt"; next } /^<\/ca>$/ { skip = 0; next } !skip' \
	"$VT_DIR/client.ovpn" >"$root$ct_src/$rel.ovpn"
cp "$VT_DIR/pki/ca.crt" "$root$ct_src/ca.crt"
ct install -m 0600 "$ct_src/$rel.ovpn" "/etc/vpnc-client/$rel.conf"
ct install -m 0644 "$ct_src/ca.crt" /etc/vpnc-client/ca.crt
relunit="vpnc-client@$rel.service"
vt_check "profile $rel.conf says 'ca ca.crt' and has no inline <ca>" \
	eval 'ct grep -qx "ca ca.crt" "/etc/vpnc-client/$rel.conf" && ! ct grep -q "^<ca>" "/etc/vpnc-client/$rel.conf"'

# The kill switch, as contrib/systemd/README.md turns it on: the package's
# example drop-in installed for this instance. The container lives in the
# client namespace, so this host's nft sees the nftables table vpnc makes
# there (the tree has libnftables, not the nft program).
ksdrop="/etc/systemd/system/$relunit.d/kill-switch.conf"
ks_table() { vt_cli nft list tables 2>/dev/null | grep -qx 'table inet vpnc'; }
vt_check "the package's example kill-switch.conf is contrib/systemd's" \
	test "$(ct cat /usr/share/doc/vpnc-ovpn/examples/kill-switch.conf)" = "$(cat "$top/contrib/systemd/kill-switch.conf")"
vt_check "kill-switch.conf installed as a drop-in for $relunit, systemctl daemon-reload" \
	ct bash -c "install -D -m 0644 /usr/share/doc/vpnc-ovpn/examples/kill-switch.conf $ksdrop && systemctl daemon-reload"
vt_check "$relunit takes VPNC_ARGS=--kill-switch from it ($(prop "$relunit" Environment))" \
	eval '[[ " $(prop "$relunit" Environment) " == *" VPNC_ARGS=--kill-switch "* ]]'
vt_check "no kill switch table (inet vpnc) before the start" eval '! ks_table'
if ! vt_check "systemctl start vpnc-client@$rel: the relative ca.crt is found, the unit is active" \
	eval 'ct timeout "$start_limit" systemctl start "$relunit" &&
		[ "$(prop "$relunit" ActiveState)" = active ]'; then
	ct journalctl -u "$relunit" --no-pager -o cat | tail -n 10 | sed 's/^/  journal: /'
fi
vt_check "vpnc status $rel: connected" eval 'ct vpnc status "$rel" | grep -Eq "^ *state: *connected"'
vt_check "a ping crosses $rel's tunnel" eval 'ct ping -n -c 3 -i 0.2 -W 2 "$VT_TUN_SRV_IP" >/dev/null'
vt_check "the kill switch's nftables table inet vpnc is in place while $relunit runs" ks_table
vt_check "vpnc status $rel: kill switch on" eval 'ct vpnc status "$rel" | grep -q "^kill switch: *on$"'
vt_check "the kill switch drops a ping outside the tunnel (to the server's $VT_SRV_IP)" \
	eval '! ct ping -n -c 1 -W 1 "$VT_SRV_IP" >/dev/null 2>&1'

# The status group: a member reads the status as itself, another user is refused.
vt_check "users alice (group vpnc) and bob made" \
	eval 'ct useradd -M -s /bin/bash -G vpnc alice && ct useradd -M -s /bin/bash bob'
out=$(ct runuser -u alice -- vpnc status "$rel" 2>&1)
vt_check "alice (group vpnc) runs vpnc status $rel: connected" grep -Eq '^ *state: *connected' <<<"$out" ||
	printf '%s\n' "$out" | head -n 5 | sed 's/^/  /'
out=$(ct runuser -u alice -- vpnc status 2>&1)
vt_check "alice runs vpnc status (no name): the running instance" grep -Eq '^ *state: *connected' <<<"$out" ||
	printf '%s\n' "$out" | head -n 5 | sed 's/^/  /'
out=$(ct runuser -u alice -- vpnc disconnect "$rel" 2>&1)
vt_check "alice may not disconnect $rel, and it stays active ($out)" \
	eval '[[ $out == *"permission denied"* ]] && [ "$(prop "$relunit" ActiveState)" = active ]'
out=$(ct runuser -u bob -- vpnc status "$rel" 2>&1)
rc=$?
vt_check "bob (not in the group) is refused with the hint, exit 1 ($out)" \
	eval '[ $rc = 1 ] && [[ $out == *"try sudo or the vpnc group"* ]]'

# bash completion, as installed, driven as bash drives it.
# ct_complete USER WORD...: the completions of the last word, one a line.
ct_complete() {
	local user=$1
	shift
	ct runuser -u "$user" -- bash -c '. /usr/share/bash-completion/bash_completion
		. /usr/share/bash-completion/completions/vpnc
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=(); _vpnc; printf "%s\n" "${COMPREPLY[@]}"' vpnc "$@" 2>&1 | sort -u
}
vt_check "the installed completion is vpnc-ovpn's, bash-completion's Cisco one diverted aside" \
	eval 'ct grep -q _vpnc_instances /usr/share/bash-completion/completions/vpnc &&
		ct test -s /usr/share/bash-completion/completions/vpnc.cisco'
got=$(ct_complete root vpnc status "")
vt_check "root: vpnc status <TAB> lists $rel (running) and the profiles ($(tr '\n' ' ' <<<"$got"))" \
	eval 'grep -qx "$rel" <<<"$got" && grep -qx "$inst" <<<"$got" && grep -qx "$af" <<<"$got"'
got=$(ct_complete alice vpnc status "")
vt_check "alice: vpnc status <TAB> lists the running $rel, from its socket alone ($(tr '\n' ' ' <<<"$got"))" \
	test "$got" = "$rel"
vt_check "systemctl stop $relunit" ct timeout 60 systemctl stop "$relunit"
vt_check "systemctl stop removed the kill switch: no table inet vpnc left" eval '! ks_table'
vt_check "and a ping outside the tunnel (to $VT_SRV_IP) passes again" \
	eval 'ct ping -n -c 3 -i 0.2 -W 2 "$VT_SRV_IP" >/dev/null'

# --- the journal ------------------------------------------------------------------

out=$(ct journalctl -u "$unit" --no-pager -o cat 2>&1)
printf '%s\n' "$out" >"$VT_DIR/journal.log"
starts=$(grep -c '^Started vpnc-client@' <<<"$out")
vt_check "journalctl -u $unit: started twice (enable --now, the boot), got $starts" test "$starts" = 2
vt_check "journalctl -u $unit: the reload" grep -q '^Reloaded vpnc-client@\|^Reloading vpnc-client@' <<<"$out"
vt_check "journalctl -u $unit: stopped" grep -q '^Stopped vpnc-client@\|^Deactivated successfully' <<<"$out"
vt_check "journalctl -u $unit: vpnc's own lines (Initialization Sequence Completed)" \
	grep -q '^Initialization Sequence Completed' <<<"$out"
vt_check "journalctl -u $unit: nothing lost at shutdown (the bus outlives vpnc)" \
	eval '! grep -q "Lost the system bus" <<<"$out"'
vt_check "journalctl -u $unit: no failure" eval '! grep -q "Failed with result\|Main process exited, code=exited, status=[1-9]" <<<"$out"'

[ "$VT_FAILED" != 0 ] && sed 's/^/  journal: /' "$VT_DIR/journal.log" | tail -n 40

vt_check "the container powers off cleanly" eval 'ct_poweroff && [ "$ct_rc" = 0 ]'
vt_summary $name
