/*
 * privsrv_serve.h: the tests' privileged-parent loop body. Receives one
 * request on sock, lets vpnc_privsrv_handle() (or _mark()) answer it and
 * sends the reply, blocking. The daemon's own loop (src/daemon/privsep.c)
 * does the same inside libuv; the tests drive the parent one message at a
 * time. Returns 1 when a request was served, 0 when the child closed its
 * end, -EBADMSG when it sent something malformed or not allowed, or
 * another negative errno code.
 */
#ifndef VPNC_TESTS_PRIVSRV_SERVE_H
#define VPNC_TESTS_PRIVSRV_SERVE_H

#include <errno.h>

#include "priv/privio.h"
#include "priv/privsrv.h"

static inline int privsrv_serve_one(struct vpnc_privsrv *s, int sock)
{
	static union vpnc_priv_msg req, reply; /* about 10 KiB each; single-threaded */
	int in_fd, fd = -1, ret = vpnc_priv_recv(sock, &req, false, &in_fd);

	if (ret == -ECONNRESET)
		return 0;
	if (ret < 0)
		return ret;
	if (ret == VPNC_PRIV_MARK)
		vpnc_privsrv_mark(s, in_fd, &reply);
	else
		ret = vpnc_privsrv_handle(s, &req, &reply, &fd);
	if (ret < 0)
		return ret;
	ret = vpnc_priv_send(sock, &reply, reply.h.len, fd);
	return ret == -EPIPE || ret == -ECONNRESET ? 0 : ret < 0 ? ret : 1;
}

#endif
