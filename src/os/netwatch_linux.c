/*
 * netwatch_linux.c: owns the rtnetlink notification socket that tells the
 * daemon when links, addresses or routes change (netwatch.h).
 *
 * ENOBUFS (the kernel dropped notifications because the socket buffer was
 * full) is reported as "something changed" rather than hidden with
 * NETLINK_NO_ENOBUFS: the caller then looks the route up again, which is
 * right whatever was lost. Every message is length-checked by libmnl before
 * its header is read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "os/netwatch.h"

/* Receive calls per read before the loop gets a turn back (bursts are debounced anyway). */
#define VPNC_NETWATCH_TURNS 64
/* Socket buffer asked for: room for a burst of route changes. */
#define VPNC_NETWATCH_RCVBUF (256 << 10)
/* One notification datagram (the kernel sends each in its own, well under this). */
#define VPNC_NETWATCH_BUF 16384

struct vpnc_netwatch {
	struct mnl_socket *sock;
	uint8_t buf[VPNC_NETWATCH_BUF];
};

static const unsigned watch_groups[] = {
	RTNLGRP_LINK,       RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
	RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
};

int vpnc_netwatch_open(struct vpnc_netwatch **out)
{
	struct vpnc_netwatch *w;
	int sz = VPNC_NETWATCH_RCVBUF;
	int ret;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (w->sock == NULL) {
		ret = -errno;
		free(w);
		return ret;
	}
	if (mnl_socket_bind(w->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Joining notification groups needs no privilege. */
	for (size_t i = 0; i < sizeof(watch_groups) / sizeof(watch_groups[0]); i++) {
		int g = (int)watch_groups[i];
		if (mnl_socket_setsockopt(w->sock, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			goto fail;
	}
	(void)setsockopt(mnl_socket_get_fd(w->sock), SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*out = w;
	return 0;
fail:
	ret = -errno;
	mnl_socket_close(w->sock);
	free(w);
	return ret;
}

int vpnc_netwatch_fd(const struct vpnc_netwatch *w)
{
	return mnl_socket_get_fd(w->sock);
}

struct watch_ctx {
	int ignore;   /* ifindex whose messages do not count, 0 = none */
	bool changed;
};

static int route_oif_cb(const struct nlattr *a, void *data)
{
	int *oif = data;

	if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*oif = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The interface a notification is about, 0 if it does not say, -1 if it is malformed. */
static int msg_ifindex(const struct nlmsghdr *nlh)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (len < sizeof(struct ifinfomsg))
			return -1;
		return ((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (len < sizeof(struct ifaddrmsg))
			return -1;
		return (int)((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_index;
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		int oif = 0;
		if (len < sizeof(struct rtmsg) ||
		    mnl_attr_parse(nlh, sizeof(struct rtmsg), route_oif_cb, &oif) < 0)
			return -1;
		return oif;
	}
	default:
		return -1;
	}
}

static int watch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch_ctx *c = data;
	int ifindex = msg_ifindex(nlh);

	if (ifindex >= 0 && (c->ignore <= 0 || ifindex != c->ignore))
		c->changed = true;
	return MNL_CB_OK;
}

int vpnc_netwatch_read(struct vpnc_netwatch *w, int ignore_ifindex)
{
	struct watch_ctx c = {.ignore = ignore_ifindex, .changed = false};

	for (int turn = 0; turn < VPNC_NETWATCH_TURNS; turn++) {
		ssize_t n = mnl_socket_recvfrom(w->sock, w->buf, sizeof(w->buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				c.changed = true; /* lost notifications: anything may have changed */
				continue;
			}
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* Notifications carry sequence 0 and port 0; a malformed one ends this datagram only. */
		(void)mnl_cb_run(w->buf, (size_t)n, 0, 0, watch_cb, &c);
	}
	return c.changed ? 1 : 0;
}

void vpnc_netwatch_close(struct vpnc_netwatch *w)
{
	if (w == NULL)
		return;
	mnl_socket_close(w->sock);
	free(w);
}
