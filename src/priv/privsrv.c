/*
 * privsrv.c: what the privileged parent does for the network child
 * (privsrv.h). Each request is already checked field by field
 * (vpnc_priv_check); this file adds the checks that need the parent's own
 * state: the remote index against its profile, the server against the
 * addresses it resolved.
 */
#include "priv/privsrv.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "os/tun_offload.h"

int vpnc_privsrv_init(struct vpnc_privsrv *s, const struct vpnc_config *conf)
{
	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->tun.fd = -1;
	vpnc_netcfg_init(&s->nc);
	vpnc_dns_init(&s->dns, NULL);
	return vpnc_nl_open(&s->nl);
}

static void result(union vpnc_priv_msg *reply, int request, int err)
{
	memset(&reply->result, 0, sizeof(reply->result));
	vpnc_priv_hdr_init(&reply->h, VPNC_PRIV_RESULT);
	reply->result.request = (uint16_t)request;
	reply->result.err = err < -4095 ? -EIO : err > 0 ? 0 : err;
}

static int tun_open(struct vpnc_privsrv *s, union vpnc_priv_msg *reply, int *reply_fd)
{
	if (s->tun.fd < 0) {
		/* A TAP goes without offloads: they split and merge IP packets, not frames. */
		int off = s->conf->dev_tap ? vpnc_tun_open_type(s->conf->dev, true, &s->tun)
		                           : vpnc_tun_offload_open(s->conf->dev, s->conf->tun_offload, &s->tun);

		if (off < 0) {
			s->tun.fd = -1;
			return off;
		}
		s->offloads = off;
	}
	memset(&reply->tun, 0, sizeof(reply->tun));
	vpnc_priv_hdr_init(&reply->h, VPNC_PRIV_TUN);
	memcpy(reply->tun.name, s->tun.name, strnlen(s->tun.name, IFNAMSIZ - 1));
	reply->tun.ifindex = s->tun.ifindex;
	reply->tun.offloads = (uint32_t)s->offloads;
	*reply_fd = s->tun.fd;
	return 0;
}

/* The default resolver: the remote's host and port, in its family, deduplicated. */
static int resolve_gai(const char *host, const char *port, int family, struct vpnc_priv_msg_addrs *out)
{
	struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int r = getaddrinfo(host, port, &hints, &res);

	if (r != 0)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	for (struct addrinfo *a = res; a != NULL && out->n < VPNC_PRIV_MAX_ADDRS; a = a->ai_next) {
		struct vpnc_priv_addr e = {0};

		if (a->ai_family == AF_INET) {
			const struct sockaddr_in *sa = (const struct sockaddr_in *)a->ai_addr;
			e.family = AF_INET;
			e.port = sa->sin_port;
			memcpy(e.addr, &sa->sin_addr, 4);
		} else if (a->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)a->ai_addr;
			e.family = AF_INET6;
			e.port = sa->sin6_port;
			memcpy(e.addr, &sa->sin6_addr, 16);
		} else {
			continue;
		}
		bool dup = false;
		for (uint32_t i = 0; i < out->n; i++)
			dup = dup || memcmp(&out->addrs[i], &e, sizeof(e)) == 0;
		if (!dup)
			out->addrs[out->n++] = e;
	}
	freeaddrinfo(res);
	return out->n > 0 ? 0 : -EHOSTUNREACH;
}

static void remember(struct vpnc_privsrv *s, const struct vpnc_priv_addr *a)
{
	for (unsigned i = 0; i < s->n_known && i < VPNC_PRIV_MAX_REMOTES; i++)
		if (memcmp(&s->known[i], a, sizeof(*a)) == 0)
			return;
	s->known[s->n_known % VPNC_PRIV_MAX_REMOTES] = *a; /* the oldest goes first */
	s->n_known++;
}

/* A remote that reaches its server over UDP through a SOCKS proxy (UDP ASSOCIATE). */
static bool socks_udp(const struct vpnc_config *c, const struct vpnc_remote *r)
{
	return vpnc_remote_socks(c, r) != NULL && r->transport == VPNC_TRANSPORT_UDP;
}

static int resolve(struct vpnc_privsrv *s, const struct vpnc_priv_msg_resolve *q, union vpnc_priv_msg *reply)
{
	struct vpnc_priv_msg_addrs *out = &reply->addrs;
	int (*gai)(const char *, const char *, int, struct vpnc_priv_msg_addrs *) =
		s->resolve != NULL ? s->resolve : resolve_gai;
	const struct vpnc_socks_proxy *sp;
	const struct vpnc_remote *r;
	char name[sizeof(r->host) + 32];
	const char *host;
	int err;

	if (q->remote >= s->conf->n_remotes)
		return -EBADMSG;
	r = &s->conf->remotes[q->remote];
	sp = vpnc_remote_socks(s->conf, r);
	/* The server's own address is asked for only where a SOCKS UDP header needs it. */
	if (q->what == VPNC_PRIV_RESOLVE_SOCKS_SERVER && !socks_udp(s->conf, r))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	vpnc_priv_hdr_init(&reply->h, VPNC_PRIV_ADDRS);
	out->remote = q->remote;
	out->what = q->what;
	host = r->host;
	/* remote-random-hostname: a fresh label for every lookup, made by the parent itself. */
	if (s->conf->remote_random_hostname && sp == NULL && !s->conf->http_proxy.set && s->random_host != NULL &&
	    s->random_host(name, sizeof(name), host) == 0)
		host = name;
	if (q->what == VPNC_PRIV_RESOLVE_SOCKS_SERVER) /* IPv4 for 'proto udp', as link_socks.c */
		err = gai(r->host, r->port[0] ? r->port : "1194", r->family == AF_INET6 ? AF_INET6 : AF_INET, out);
	else if (sp != NULL) /* the connection, and the route to it, go to the SOCKS proxy */
		err = gai(sp->host, sp->port, AF_UNSPEC, out);
	else if (s->conf->http_proxy.set) /* the same for the HTTP proxy */
		err = gai(s->conf->http_proxy.host, s->conf->http_proxy.port, AF_UNSPEC, out);
	else
		err = gai(host, r->port[0] ? r->port : "1194", r->family, out);
	if (err < 0) {
		memset(out->addrs, 0, sizeof(out->addrs));
		out->n = 0;
		out->err = err < -4095 ? -EIO : err;
		return 0;
	}
	/* Only what vpnc connects to may become NET_APPLY's server (and get a host route). */
	for (uint32_t i = 0; i < out->n && q->what == VPNC_PRIV_RESOLVE_CONNECT; i++)
		remember(s, &out->addrs[i]);
	/* What goes to the child must pass the child's own check. */
	return vpnc_priv_check(reply, sizeof(*out), true) == VPNC_PRIV_ADDRS ? 0 : -EINVAL;
}

/*
 * RELAY: the SOCKS proxy named its UDP relay. Only a remote that goes
 * through a SOCKS proxy over UDP has one; the caller (the kill switch's
 * owner) lets it through once this answers 0.
 */
static int relay(struct vpnc_privsrv *s, const struct vpnc_priv_msg_relay *q, union vpnc_priv_msg *reply)
{
	if (q->remote >= s->conf->n_remotes || !socks_udp(s->conf, &s->conf->remotes[q->remote]))
		return -EBADMSG;
	result(reply, VPNC_PRIV_RELAY, 0);
	return 0;
}

static bool known_server(const struct vpnc_privsrv *s, const struct vpnc_priv_net *n)
{
	unsigned count = s->n_known < VPNC_PRIV_MAX_REMOTES ? s->n_known : VPNC_PRIV_MAX_REMOTES;

	for (unsigned i = 0; i < count; i++) {
		const struct vpnc_priv_addr *k = &s->known[i];

		if (k->family == n->server_family && k->port == n->server_port && memcmp(k->addr, n->server, 16) == 0)
			return true;
	}
	return false;
}

/* The DNS part, as updown.c decides it: none, or left to an 'up' script with dns-mode auto. */
static int apply_dns(struct vpnc_privsrv *s, const struct vpnc_push *push)
{
	struct vpnc_dns_conf c;
	int n;

	if (s->dns_by_caller || s->conf->dns_mode == VPNC_DNS_NONE ||
	    (s->conf->dns_mode == VPNC_DNS_AUTO && s->conf->up[0]))
		return 0;
	n = vpnc_dns_conf_from_push(&c, push, s->tun.name, s->tun.ifindex);
	if (n < 0)
		return n;
	if (n == 0)
		return vpnc_dns_revert(&s->dns);
	if (s->dns_paths != NULL && s->dns.mode == VPNC_DNS_NONE)
		vpnc_dns_init(&s->dns, s->dns_paths);
	n = vpnc_dns_apply(&s->dns, s->conf->dns_mode, &c);
	return n < 0 ? n : 0;
}

/*
 * Routes to a host name of the profile (`route vpn.example.com`): the child
 * names only the index; the name is the parent's own copy, resolved here
 * (os/route_hosts.c), since the child's root has no resolver. An index the
 * profile does not have is refused as compromised.
 */
static int route_hosts(struct vpnc_privsrv *s, struct vpnc_push *push)
{
	const struct vpnc_push *own = s->conf->net;
	size_t n = own != NULL ? own->n_route_hosts : 0;

	for (size_t i = 0; i < push->n_routes; i++)
		if (push->routes[i].net_kind == VPNC_RT_NET_HOST && push->routes[i].net >= n)
			return -EBADMSG;
	if (n == 0)
		return 0;
	memcpy(push->route_hosts, own->route_hosts, sizeof(push->route_hosts));
	push->n_route_hosts = n;
	s->route_hosts_lost = vpnc_route_hosts_resolve(push);
	return 0;
}

static void netcfg_opts(const struct vpnc_privsrv *s, int server_family, const uint8_t server[16],
                        struct vpnc_netcfg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ifconfig_noexec = s->conf->ifconfig_noexec;
	o->route_noexec = s->conf->route_noexec;
	o->route_nopull = s->conf->route_nopull;
	o->mtu = s->conf->tun_mtu;
	o->tap = s->conf->dev_tap;
	o->has_lladdr = s->conf->has_lladdr;
	memcpy(o->lladdr, s->conf->lladdr, sizeof(o->lladdr));
	o->server_family = server_family;
	memcpy(o->server, server, 16);
}

/*
 * NET_GATEWAY: route-gateway dhcp learned the gateway in the network
 * process. Only the routes of the configuration applied last can be added,
 * through the checked unicast address; the child chooses no route.
 */
static int net_gateway(struct vpnc_privsrv *s, uint32_t gw, union vpnc_priv_msg *reply)
{
	struct vpnc_netcfg_opts o;
	int ret;

	if (s->applied == NULL || !s->nc.applied || s->tun.fd < 0 || !s->conf->dev_tap ||
	    !s->applied->route_gateway_dhcp || vpnc_push_vpn_gateway4(s->applied) != 0) {
		result(reply, VPNC_PRIV_NET_GATEWAY, -EALREADY);
		return 0;
	}
	s->applied->has_route_gateway = true;
	s->applied->route_gateway = gw;
	netcfg_opts(s, s->nc.server_family, s->nc.server, &o);
	ret = vpnc_netcfg_add_gateway(&s->nc, s->nl, &s->tun, s->applied, &o);
	result(reply, VPNC_PRIV_NET_GATEWAY, ret < 0 ? ret : 0);
	if (ret > 0)
		reply->result.n_failed = (uint32_t)ret;
	return 0;
}

static int net_apply(struct vpnc_privsrv *s, const struct vpnc_priv_net *n, union vpnc_priv_msg *reply)
{
	static struct vpnc_push push; /* about 10 KiB, no secret: the parent is single-threaded */
	struct vpnc_netcfg_opts o = {0};
	int err;

	if (n->server_family != 0 && !known_server(s, n))
		return -EBADMSG;
	if (s->tun.fd < 0) {
		result(reply, VPNC_PRIV_NET_APPLY, -ENODEV);
		return 0;
	}
	vpnc_priv_net_to_push(n, &push);
	s->route_hosts_lost = 0;
	if (route_hosts(s, &push) < 0)
		return -EBADMSG;
	s->applied = &push;
	netcfg_opts(s, n->server_family, n->server, &o);
	if (s->nc.applied && !vpnc_netcfg_matches(&s->nc, &push, &o))
		(void)vpnc_netcfg_unapply(&s->nc, s->nl);
	if (!s->nc.applied && (err = vpnc_netcfg_apply(&s->nc, s->nl, &s->tun, &push, &o)) < 0) {
		result(reply, VPNC_PRIV_NET_APPLY, err);
		return 0;
	}
	err = apply_dns(s, &push);
	if (err < 0 && s->on_dns_error != NULL)
		s->on_dns_error(err, s->conf->dns_mode);
	result(reply, VPNC_PRIV_NET_APPLY, 0);
	reply->result.mtu = s->nc.mtu;
	reply->result.n_failed = s->nc.n_failed; /* a DNS failure is told through on_dns_error, as updown.c logs it */
	return 0;
}

/*
 * SIGN: the token's private-key operation for the network process's TLS. The
 * key is a pkcs11-helper key (os/pkcs11.c): EVP_PKEY_sign() without a digest
 * hands the bytes to its methods as they are, so PKCS#1 v1.5 reaches the
 * token as CKM_RSA_PKCS, a padded block as CKM_RSA_X_509, a digest as
 * CKM_ECDSA. The child can have anything signed while it runs, as it could
 * with the key in its own memory, but the key itself stays on the token.
 */
static int sign(struct vpnc_privsrv *s, const struct vpnc_priv_msg_sign *q, union vpnc_priv_msg *reply)
{
	struct vpnc_priv_msg_signature *out = &reply->signature;
	int type = s->sign_key != NULL ? EVP_PKEY_get_base_id(s->sign_key) : EVP_PKEY_NONE;
	bool rsa = q->op == VPNC_PRIV_SIGN_RSA_PKCS1 || q->op == VPNC_PRIV_SIGN_RSA_RAW;
	EVP_PKEY_CTX *ctx;
	size_t len = sizeof(out->sig);
	int err = -EIO;

	if ((rsa && type != EVP_PKEY_RSA) || (!rsa && type != EVP_PKEY_EC))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	vpnc_priv_hdr_init(&reply->h, VPNC_PRIV_SIGNATURE);
	if (rsa && (size_t)EVP_PKEY_get_size(s->sign_key) > sizeof(out->sig))
		err = -EMSGSIZE;
	else if ((ctx = EVP_PKEY_CTX_new(s->sign_key, NULL)) != NULL) {
		if (EVP_PKEY_sign_init(ctx) == 1 &&
		    (!rsa || EVP_PKEY_CTX_set_rsa_padding(ctx, q->op == VPNC_PRIV_SIGN_RSA_RAW ? RSA_NO_PADDING
		                                                                           : RSA_PKCS1_PADDING) == 1) &&
		    EVP_PKEY_sign(ctx, out->sig, &len, q->data, q->len) == 1 && len > 0 && len <= sizeof(out->sig))
			err = 0;
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
	if (err < 0) {
		memset(out->sig, 0, sizeof(out->sig));
		out->err = err;
		return 0;
	}
	out->len = (uint32_t)len;
	return 0;
}

/*
 * VERIFY: the network process asks only when its profile has a tls-verify
 * script or a tls-export-cert directory (core/tls_verify.c installs the hook
 * then), and sends a certificate's PEM only with tls-export-cert. Anything
 * else is a child that does not follow its own profile: refused, not
 * answered, since an answer would let it have the parent parse and hold
 * certificate data the profile never asked for.
 */
static int verify(struct vpnc_privsrv *s, const struct vpnc_priv_msg_verify *q, union vpnc_priv_msg *reply)
{
	bool script = s->conf->tls_verify[0] != '\0', export = s->conf->tls_export_cert[0] != '\0';

	if ((!script && !export) || (!export && q->pem[0] != '\0'))
		return -EBADMSG;
	result(reply, VPNC_PRIV_VERIFY, s->verify != NULL && s->verify(s->verify_ctx, q) == 0 ? 0 : -EPERM);
	return 0;
}

void vpnc_privsrv_mark(struct vpnc_privsrv *s, int fd, union vpnc_priv_msg *reply)
{
	int dom = 0, type = 0, proto = 0, mark = s->conf->mark, err = 0;
	socklen_t len = sizeof(int);

	/* Only what the child may open as a link socket gets a mark; never another kind of descriptor. */
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0 || len != sizeof(int) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || len != sizeof(int) ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || len != sizeof(int) ||
	    (dom != AF_INET && dom != AF_INET6) ||
	    !((type == SOCK_DGRAM && proto == IPPROTO_UDP) || (type == SOCK_STREAM && proto == IPPROTO_TCP)))
		err = -ENOTSOCK;
	else if (mark == 0)
		err = -EINVAL;
	else if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		err = -errno;
	close(fd);
	result(reply, VPNC_PRIV_MARK, err);
}

int vpnc_privsrv_handle(struct vpnc_privsrv *s, const union vpnc_priv_msg *req, union vpnc_priv_msg *reply,
                        int *reply_fd)
{
	int type = req->h.type, err;

	*reply_fd = -1;
	switch (type) {
	case VPNC_PRIV_TUN_OPEN:
		err = tun_open(s, reply, reply_fd);
		if (err < 0)
			result(reply, type, err); /* the child reads a RESULT instead of a TUN */
		return 0;
	case VPNC_PRIV_NET_APPLY: return net_apply(s, &req->net.net, reply);
	case VPNC_PRIV_NET_GATEWAY: return net_gateway(s, req->gateway.gateway, reply);
	case VPNC_PRIV_NET_UNAPPLY:
		err = vpnc_dns_revert(&s->dns) < 0;
		err += vpnc_netcfg_unapply(&s->nc, s->nl);
		result(reply, type, 0);
		reply->result.n_failed = (uint32_t)err;
		return 0;
	case VPNC_PRIV_REPIN:
		result(reply, type, s->tun.fd < 0 ? -ENODEV : vpnc_netcfg_repin_server(&s->nc, s->nl, s->tun.ifindex));
		return 0;
	case VPNC_PRIV_RESOLVE: return resolve(s, &req->resolve, reply);
	case VPNC_PRIV_RELAY: return relay(s, &req->relay, reply);
	case VPNC_PRIV_SIGN: return sign(s, &req->sign, reply);
	case VPNC_PRIV_VERIFY: return verify(s, &req->verify, reply);
	case VPNC_PRIV_MARK: /* the socket comes along: vpnc_privsrv_mark() */
		result(reply, type, -EBADF);
		return 0;
	case VPNC_PRIV_DOWN:
		err = vpnc_dns_revert(&s->dns) < 0;
		err += vpnc_netcfg_unapply(&s->nc, s->nl);
		result(reply, type, 0);
		reply->result.n_failed = (uint32_t)err;
		return 0;
	default: return -EBADMSG; /* a reply type (vpnc_priv_recv() never hands one out from the child), or ASK /
	                          * ASK_DONE, which the daemon serves itself (daemon/privask.h) */
	}
}

int vpnc_privsrv_revert(struct vpnc_privsrv *s)
{
	int failed = vpnc_dns_revert(&s->dns) < 0;

	if (s->nl != NULL)
		failed += vpnc_netcfg_unapply(&s->nc, s->nl);
	vpnc_tun_close(&s->tun);
	return failed;
}

void vpnc_privsrv_free(struct vpnc_privsrv *s)
{
	(void)vpnc_privsrv_revert(s);
	vpnc_nl_close(s->nl);
	s->nl = NULL;
}
