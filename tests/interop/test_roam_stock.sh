#!/bin/bash
# test_roam_stock.sh: the stock side of test_roam.sh's side-by-side figures,
# run on every interop run: the fast cases (addr, route, defroute, linkdown)
# with stock openvpn 2.6 as the client. Its recovery times and packets in the
# clear are printed as test_roam.sh's table, not asserted (they are stock's,
# for comparison with vpnc's); the run still fails if a step of the test
# breaks (namespaces, the server, the client's first connection, a change).
# tcp and relink are left out: stock waits for ping-restart there (about 60 s
# each). VT_CASES overrides the cases.
#
# Usage: test_roam_stock.sh [<client-binary>]  (the argument, given by ctest, is
# ignored: the client is the openvpn found on PATH, whatever VPNC_CLIENT_CMD says)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unset VPNC_CLIENT_CMD
VT_NAME=${VT_NAME:-test_roam_stock} VT_CASES=${VT_CASES:-"addr route defroute linkdown"} \
	exec bash "$here/test_roam.sh" --stock-client
