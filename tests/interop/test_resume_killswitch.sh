#!/bin/bash
# test_resume_killswitch.sh: test_resume.sh with vpnc's --kill-switch: the
# session is back as fast after a resume, and no packet meant for the tunnel
# reaches the far side in the clear during the outage (counted there; must be 0).
#
# Usage: test_resume_killswitch.sh <client-binary> | --stock-client (skipped)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_NAME=${VT_NAME:-test_resume_killswitch} exec bash "$here/test_resume.sh" "${1:-}" --kill-switch
