#!/bin/bash
# test_roam_killswitch.sh: test_roam.sh with vpnc's --kill-switch: every case
# recovers as without it, and no packet meant for the tunnel reaches the far
# side in the clear during the outage (counted there; must be 0).
#
# Usage: test_roam_killswitch.sh <client-binary> | --stock-client (skipped)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_NAME=${VT_NAME:-test_roam_killswitch} exec bash "$here/test_roam.sh" "${1:-}" --kill-switch
