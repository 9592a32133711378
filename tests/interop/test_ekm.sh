#!/bin/bash
# test_ekm.sh: keying-material-exporter as a stock OpenVPN 2.6 Linux client
# without plugins takes it, against a stock 2.6 server that has the same
# option; every case runs the same with --stock-client, which is how the
# expectations were confirmed.
#
# Usage: test_ekm.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# accepted: server and client both have `keying-material-exporter
#           EXPORTER-vpnc-test 32`; the client connects and pings through
#           the tunnel. 2.6 hands the exported material only to a plugin
#           that handles OPENVPN_PLUGIN_TLS_FINAL and deletes it from the
#           environment after that call, so the client's `up` script and the
#           server's `client-connect` script both run (checked) and neither
#           sees exported_keying_material.
# refused:  a label that does not begin with EXPORTER, and a length of 15 or
#           4096: the client does not start (2.6: an option error).
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_ekm
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

# env.sh SIDE [ARGS...]: writes its environment to $VT_DIR/env.SIDE.
cat >"$VT_DIR/env.sh" <<EOF
#!/bin/sh
env >"$VT_DIR/env.\$1"
exit 0
EOF
chmod 755 "$VT_DIR/env.sh"

VT_SERVER_EXTRA="keying-material-exporter EXPORTER-vpnc-test 32
script-security 2
client-connect \"$VT_DIR/env.sh server\""
vt_up $name

# ---- accepted, and no script sees the material ----
# no_ekm FILE: the environment written to FILE has no exported_keying_material.
no_ekm() { ! grep -q "^exported_keying_material=" "$1"; }
VT_CLIENT_EXTRA="keying-material-exporter EXPORTER-vpnc-test 32
script-security 2
up \"$VT_DIR/env.sh client\""
vt_client_conf
vt_client_start
if vt_check "accepted: connected with keying-material-exporter on both sides" vt_wait_tun_ipv4 15; then
	vt_check "accepted: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	for _ in $(seq 1 50); do [ -s "$VT_DIR/env.client" ] && [ -s "$VT_DIR/env.server" ] && break; sleep 0.1; done
	vt_check "accepted: the client's up script ran (script_type=up)" grep -q -x "script_type=up" "$VT_DIR/env.client"
	vt_check "accepted: the server's client-connect script ran" \
		grep -q -x "script_type=client-connect" "$VT_DIR/env.server"
	vt_check "accepted: no exported_keying_material in the up script's environment" \
		no_ekm "$VT_DIR/env.client"
	vt_check "accepted: no exported_keying_material in the server's client-connect environment" \
		no_ekm "$VT_DIR/env.server"
else
	vt_dump_logs
fi
vt_client_stop 5

# ---- refused: the arguments 2.6 rejects ----
VT_CLIENT_EXTRA="keying-material-exporter exporter-vpnc-test 32"
vt_client_conf
vt_client_refused "label without EXPORTER" "the label must begin with \"EXPORTER\""
VT_CLIENT_EXTRA="keying-material-exporter EXPORTER-vpnc-test 15"
vt_client_conf
vt_client_refused "length 15" "the length must be a number from 16 to 4095"
VT_CLIENT_EXTRA="keying-material-exporter EXPORTER-vpnc-test 4096"
vt_client_conf
vt_client_refused "length 4096" "the length must be a number from 16 to 4095"

vt_server_stop
vt_summary $name
