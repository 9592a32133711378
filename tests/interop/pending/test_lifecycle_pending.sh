#!/bin/bash
# test_lifecycle_pending.sh: the test_lifecycle.sh cases vpnc cannot pass yet.
#
# Usage: test_lifecycle_pending.sh <client-binary> | --stock-client
#
# failover: two remotes, the first a dead UDP port (ICMP port unreachable),
# the second the live server. vpnc logs "link error: connection refused" on
# the first remote and does not move on to the second. When this passes,
# add the case to all_cases in ../test_lifecycle.sh and delete this file.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_CASES=${VT_CASES:-failover} VT_NAME=test_lifecycle_pending \
	exec bash "$here/../test_lifecycle.sh" "$@"
