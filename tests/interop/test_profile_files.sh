#!/bin/bash
# test_profile_files.sh: the files a profile names are opened with the rights
# of the profile's owner, and a symbolic link someone else made is not
# followed (docs/privileges.md, "Files a profile opens"), against a stock
# OpenVPN 2.6 server.
#
# Usage: test_profile_files.sh <client-binary>
#
# vpnc runs as root in every case; the profile is a copy of the test's client
# profile plus one line:
#   owner-read   owned by nobody, 'auth-user-pass /etc/shadow': exit 2 and the
#                reason names the owner's rights;
#   owner-log    owned by nobody, 'log' into nobody's own directory: the log
#                is written there, owned by nobody, mode 0600; it connects;
#   owner-write  owned by nobody, 'log' into a root-only directory: no file,
#                one sentence with the reason; it still connects;
#   owner-ctl    owned by nobody, 'control-socket' in a root-only directory:
#                no socket there;
#   link-read    owned by root, 'auth-user-pass' through a link nobody made in
#                a sticky directory (pointing at /etc/shadow): exit 2, refused;
#   link-log     owned by root, 'log' through a link nobody made (pointing at
#                a root file): refused, the file unchanged byte for byte;
#   root-link    owned by root, 'log' through a link root made: followed;
#   device       owned by root, 'log' on a character device that is neither
#                a terminal nor /dev/null (like /dev/zero): refused.
# Needs root and the user nobody. Prints PASS/FAIL per check; last line is
# the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_profile_files
vt_start $name "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: stock openvpn opens these files as root; this test is for vpnc"
	vt_summary $name
	exit 0
fi
if ! getent passwd nobody >/dev/null; then
	vt_fail "prerequisites: user nobody exists"
	vt_summary $name
	exit 1
fi
vt_up $name

nobody=$(id -u nobody)
# nobody may pass through the test directory (not list it) to reach its own.
chmod 711 "$VT_DIR"
own=$VT_DIR/own
rootonly=$VT_DIR/rootonly
sticky=$VT_DIR/sticky
mkdir -p "$own" "$rootonly" "$sticky"
chown nobody "$own"
chmod 755 "$own" "$rootonly"
chmod 1777 "$sticky"

# profile FILE OWNER LINE: the test's client profile plus LINE, owned by OWNER.
profile() {
	{ cat "$VT_DIR/client.ovpn"; printf '%s\n' "$3"; } >"$1"
	chmod 600 "$1"
	chown "$2" "$1"
}
# run FILE: vpnc on that profile in the client namespace (lib.sh's start, another profile).
run() {
	local saved=$VT_CLIENT_CONF
	VT_CLIENT_CONF=${1#"$VT_DIR"/}
	vt_client_start
	VT_CLIENT_CONF=$saved
}
# says PATTERN: client.log has the line within 5 s.
says() {
	local i
	for i in $(seq 1 50); do grep -q -- "$1" "$VT_DIR/client.log" && return 0; sleep 0.1; done
	return 1
}
# refused_at_load LABEL FILE PATTERN: vpnc exits 2 within 5 s and says PATTERN.
refused_at_load() {
	run "$2"
	if vt_client_wait_exit 5 && [ "$VT_CLI_RC" = 2 ]; then
		vt_pass "$1: exit 2 (the profile is refused)"
	else
		vt_fail "$1: exit 2 within 5 s (rc ${VT_CLI_RC:-running})"
		vt_client_stop 2
	fi
	vt_check "$1: the reason: $3" grep -q -- "$3" "$VT_DIR/client.log"
	vt_check "$1: nothing set up" vt_ns_clean
}

# owner-read: /etc/shadow is not nobody's to read.
profile "$own/read.ovpn" nobody "auth-user-pass /etc/shadow"
refused_at_load owner-read "$own/read.ovpn" \
	"cannot read '/etc/shadow': Permission denied (read with the rights of the profile's owner, uid $nobody)"

# owner-log: nobody's own directory: written, as nobody, 0600.
profile "$own/log.ovpn" nobody "log $own/vpnc.log"
run "$own/log.ovpn"
logged() {
	local i
	for i in $(seq 1 150); do grep -q "Initialization Sequence Completed" "$own/vpnc.log" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
vt_check "owner-log: connected, logging into nobody's directory" logged
vt_check "owner-log: the log belongs to nobody, mode 600 (got $(stat -c '%U %a' "$own/vpnc.log" 2>/dev/null))" \
	test "$(stat -c '%U %a' "$own/vpnc.log" 2>/dev/null)" = "nobody 600"
vt_client_stop 5
vt_check "owner-log: SIGTERM, exit 0 (the log file given back at exit: no seccomp kill)" test "${VT_CLI_RC:-x}" = 0

# owner-write: a root-only directory: no file, one sentence, and the session goes on.
profile "$own/write.ovpn" nobody "log $rootonly/vpnc.log"
run "$own/write.ovpn"
vt_check "owner-write: the log file is refused, with the reason" says \
	"Cannot open the log file $rootonly/vpnc.log: Permission denied (opened with the rights of the profile's owner); logging to stderr."
vt_check "owner-write: it still connects" vt_wait_tun_ipv4 15
vt_check "owner-write: no file in the root-only directory" test ! -e "$rootonly/vpnc.log"
vt_client_stop 5

# owner-ctl: the control socket is made with nobody's rights: not in a root-only directory.
profile "$own/ctl.ovpn" nobody "control-socket $rootonly/ctl.sock"
run "$own/ctl.ovpn"
vt_check "owner-ctl: it connects" vt_wait_tun_ipv4 15
vt_check "owner-ctl: no control socket in the root-only directory" test ! -e "$rootonly/ctl.sock"
vt_client_stop 5

# link-read: a link nobody planted in a sticky directory, read by root's profile.
ln -s /etc/shadow "$sticky/creds"
chown -h nobody "$sticky/creds"
profile "$VT_DIR/link-read.ovpn" root "auth-user-pass $sticky/creds"
refused_at_load link-read "$VT_DIR/link-read.ovpn" \
	"cannot read '$sticky/creds': a symbolic link that neither root nor the profile's owner made (not followed)"

# link-log: the same for a log file: the target stays as it was.
printf 'keep me\n' >"$VT_DIR/victim"
cp "$VT_DIR/victim" "$VT_DIR/victim.orig"
ln -s "$VT_DIR/victim" "$sticky/vpnc.log"
chown -h nobody "$sticky/vpnc.log"
profile "$VT_DIR/link-log.ovpn" root "log $sticky/vpnc.log"
run "$VT_DIR/link-log.ovpn"
vt_check "link-log: refused, with the reason" says \
	"Cannot open the log file $sticky/vpnc.log: a symbolic link that neither root nor the profile's owner made; logging to stderr."
vt_client_stop 5
vt_check "link-log: the link's target unchanged byte for byte" cmp -s "$VT_DIR/victim" "$VT_DIR/victim.orig"

# root-link: root's own link is followed, as before.
ln -s "$VT_DIR/target.log" "$sticky/root.log"
profile "$VT_DIR/root-link.ovpn" root "log $sticky/root.log"
run "$VT_DIR/root-link.ovpn"
rootlogged() {
	local i
	for i in $(seq 1 150); do grep -q "Initialization Sequence Completed" "$VT_DIR/target.log" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
vt_check "root-link: a link root made is followed (the log is in its target)" rootlogged
vt_client_stop 5

# device: a character device that is not a terminal or /dev/null.
mknod "$VT_DIR/zero" c 1 5
profile "$VT_DIR/device.ovpn" root "log $VT_DIR/zero"
run "$VT_DIR/device.ovpn"
vt_check "device: refused, with the reason" says \
	"Cannot open the log file $VT_DIR/zero: not a regular file, a terminal or /dev/null; logging to stderr."
vt_client_stop 5

[ "$VT_FAILED" -gt 0 ] && vt_dump_logs
vt_summary $name
