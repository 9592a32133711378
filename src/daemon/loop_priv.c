/*
 * loop_priv.c: the network child's side of privilege separation inside the
 * loop (docs/privileges.md): where the single-process daemon opens the TUN,
 * configures it, resolves a remote (or the server behind a SOCKS proxy),
 * lets a SOCKS relay through the kill switch or reverts, the child asks the
 * parent (src/priv/privcli.h) instead. Each call blocks for one round trip on the
 * socketpair, at connect, reconnect or shutdown time only; the packet path
 * never comes here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/ip4.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "priv/privcli.h"

int loop_priv_open_tun(struct loop *l)
{
	int off = 0, ret = vpnc_privc_tun_open(l->p->priv_sock, &l->tun, &off);

	if (ret < 0)
		return ret;
	/* A TAP comes without offloads (tunio.c): not the kernel's refusal. */
	ret = vpnc_tunio_adopt(&l->tio, off, l->offload && !l->conf->dev_tap, &l->tun);
	if (ret < 0)
		l->tun.fd = -1; /* adopt closed it; the parent keeps its own */
	return ret;
}

int loop_priv_apply(struct loop *l, const struct vpnc_push *push)
{
	static const char *const scopes[] = {"full-tunnel", "first", "domains", "shared"};
	struct vpnc_priv_msg_result res;
	int mtu = 0;
	unsigned n_failed = 0, dropped = 0;
	int ret = vpnc_privc_net_apply(l->p->priv_sock, push,
	                               l->have_server ? (const struct sockaddr *)&l->server : NULL, &mtu, &n_failed,
	                               &dropped, &res);

	if (ret < 0)
		return ret;
	/* For the status and systemd's STATUS=: the parent applied DNS; this process never does. */
	l->updown.dns_failed = res.dns == VPNC_PRIV_DNS_FAILED;
	/* Checked by privmsg.c: printable, NUL-terminated, and only with a failure. */
	snprintf(l->updown.dns_why, sizeof(l->updown.dns_why), "%s", res.dns_why);
	l->updown.dns_scope = res.dns >= VPNC_PRIV_DNS_FULL_TUNNEL ? scopes[res.dns - VPNC_PRIV_DNS_FULL_TUNNEL] : NULL;
	l->priv_dns_mode = (enum vpnc_dns_mode)res.dns_mode;
	if (dropped > 0)
		vpnc_log(VPNC_LOG_WARN, "privsep: %u item(s) of the push could not be passed to the privileged "
		         "process and were not applied", dropped);
	/* The child's record: what the log and status need. The parent owns the real one; this one
	 * only names the addresses (as netcfg.c would) and is never used to delete anything. */
	vpnc_netcfg_init(l->nc);
	if (push->has_ifconfig && !l->conf->ifconfig_noexec) {
		struct vpnc_netcfg_item *it = &l->nc->items[l->nc->n++];
		uint32_t a = htonl(push->ifconfig_local);
		int prefix = push->topology == VPNC_TOPO_SUBNET ? vpnc_ip4_mask_prefix(push->ifconfig_mask_or_peer) : 32;

		it->kind = VPNC_NETCFG_ADDR;
		it->family = AF_INET;
		it->prefix = (uint8_t)(prefix < 0 ? 32 : prefix);
		memcpy(it->addr, &a, 4);
	}
	if (push->has_ifconfig6 && !l->conf->ifconfig_noexec) {
		struct vpnc_netcfg_item *it = &l->nc->items[l->nc->n++];

		it->kind = VPNC_NETCFG_ADDR;
		it->family = AF_INET6;
		it->prefix = push->ifconfig6_bits;
		memcpy(it->addr, push->ifconfig6_local, 16);
	}
	l->nc->applied = true;
	l->nc->mtu = mtu;
	l->nc->n_failed = n_failed;
	l->nc->server_family = l->have_server ? l->server.ss_family : 0;
	memset(l->nc->server, 0, sizeof(l->nc->server));
	if (l->have_server && l->server.ss_family == AF_INET)
		memcpy(l->nc->server, &((struct sockaddr_in *)&l->server)->sin_addr, 4);
	else if (l->have_server && l->server.ss_family == AF_INET6)
		memcpy(l->nc->server, &((struct sockaddr_in6 *)&l->server)->sin6_addr, 16);
	return 0;
}

void loop_priv_unapply(struct loop *l)
{
	int ret = vpnc_privc_simple(l->p->priv_sock, VPNC_PRIV_NET_UNAPPLY);

	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "The privileged process could not remove the configuration: %s",
		         strerror(-ret));
	l->nc->applied = false;
}

int loop_priv_repin(struct loop *l)
{
	return vpnc_privc_simple(l->p->priv_sock, VPNC_PRIV_REPIN);
}

int loop_priv_gateway(struct loop *l, uint32_t gateway, unsigned *n_failed)
{
	return vpnc_privc_gateway(l->p->priv_sock, gateway, n_failed);
}

int loop_priv_down(struct loop *l, bool error)
{
	int ret = vpnc_privc_down(l->p->priv_sock, error ? VPNC_PRIV_DOWN_FATAL : VPNC_PRIV_DOWN_SIGTERM);

	l->nc->applied = false;
	return ret;
}

void loop_priv_free_addrs(struct addrinfo *a)
{
	while (a != NULL) {
		struct addrinfo *next = a->ai_next;

		free(a);
		a = next;
	}
}

/* One node with its address in the same block (freed by loop_priv_free_addrs). */
static struct addrinfo *node(const struct vpnc_priv_addr *e, const struct vpnc_remote *r)
{
	struct {
		struct addrinfo ai;
		struct sockaddr_in6 sa; /* large enough for either family */
	} *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->ai.ai_family = e->family;
	n->ai.ai_socktype = r->transport == VPNC_TRANSPORT_TCP ? SOCK_STREAM : SOCK_DGRAM;
	n->ai.ai_protocol = r->transport == VPNC_TRANSPORT_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	n->ai.ai_addr = (struct sockaddr *)&n->sa;
	if (e->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&n->sa;

		s->sin_family = AF_INET;
		s->sin_port = e->port;
		memcpy(&s->sin_addr, e->addr, 4);
		n->ai.ai_addrlen = sizeof(*s);
	} else {
		n->sa.sin6_family = AF_INET6;
		n->sa.sin6_port = e->port;
		memcpy(&n->sa.sin6_addr, e->addr, 16);
		n->ai.ai_addrlen = sizeof(n->sa);
	}
	return &n->ai;
}

int loop_priv_resolve(struct loop *l, const struct vpnc_remote *r, struct addrinfo **out)
{
	struct vpnc_priv_msg_addrs a;
	struct addrinfo *head = NULL, **tail = &head;
	size_t idx = (size_t)(r - l->conf->remotes);
	int ret;

	*out = NULL;
	if (idx >= l->conf->n_remotes)
		return -EINVAL;
	ret = vpnc_privc_resolve(l->p->priv_sock, (unsigned)idx, VPNC_PRIV_RESOLVE_CONNECT, &a);
	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < a.n; i++) {
		struct addrinfo *n = node(&a.addrs[i], r);

		if (n == NULL) {
			loop_priv_free_addrs(head);
			return -ENOMEM;
		}
		*tail = n;
		tail = &n->ai_next;
	}
	*out = head;
	return head != NULL ? 0 : -EHOSTUNREACH;
}

int loop_priv_socks_server(struct loop *l, const struct vpnc_remote *r, struct sockaddr_storage *out)
{
	struct vpnc_priv_msg_addrs a;
	size_t idx = (size_t)(r - l->conf->remotes);
	int ret;

	if (idx >= l->conf->n_remotes)
		return -EINVAL;
	ret = vpnc_privc_resolve(l->p->priv_sock, (unsigned)idx, VPNC_PRIV_RESOLVE_SOCKS_SERVER, &a);
	if (ret < 0)
		return ret;
	if (a.n == 0)
		return -EHOSTUNREACH;
	/* The first, as the one-process link takes it (link_socks.c). */
	memset(out, 0, sizeof(*out));
	if (a.addrs[0].family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)out;

		s->sin_family = AF_INET;
		s->sin_port = a.addrs[0].port;
		memcpy(&s->sin_addr, a.addrs[0].addr, 4);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;

		s->sin6_family = AF_INET6;
		s->sin6_port = a.addrs[0].port;
		memcpy(&s->sin6_addr, a.addrs[0].addr, 16);
	}
	return 0;
}

int loop_priv_relay(struct loop *l, const struct sockaddr *relay)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	size_t idx = (size_t)(r - l->conf->remotes);

	if (idx >= l->conf->n_remotes)
		return -EINVAL;
	return vpnc_privc_relay(l->p->priv_sock, (unsigned)idx, relay);
}

void loop_priv_mark(struct loop *l, int fd)
{
	int mark = l->conf->mark, ret;

	if (mark == 0)
		return;
	/* The jailed network process has no CAP_NET_ADMIN: the parent sets it (privsrv.h). */
	if (l->p->split)
		ret = vpnc_privc_mark(l->p->priv_sock, fd);
	else
		ret = setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0 ? -errno : 0;
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "Cannot set the mark %d on the link socket: %s", mark, strerror(-ret));
	else
		vpnc_log(VPNC_LOG_DEBUG, "Link socket marked %d (SO_MARK).", mark);
}
