/*
 * privcli.c: the child's blocking requests to the privileged parent (privcli.h).
 */
#include "priv/privcli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "priv/privio.h"

/* Sends req and waits for a reply of type want (RESULT replies must name req's type). */
static int call(int sock, const void *req, size_t len, int want, union vpnc_priv_msg *reply, int *fd)
{
	int req_type = ((const struct vpnc_priv_hdr *)req)->type;
	int ret = vpnc_priv_send(sock, req, len, -1);

	if (ret < 0)
		return ret;
	ret = vpnc_priv_recv(sock, reply, true, fd);
	if (ret < 0)
		return ret;
	if (ret == VPNC_PRIV_RESULT && reply->result.request == req_type)
		return want == VPNC_PRIV_RESULT ? 0 : reply->result.err < 0 ? reply->result.err : -EBADMSG;
	return ret == want ? 0 : -EBADMSG;
}

int vpnc_privc_tun_open(int sock, struct vpnc_tun *tun, int *offloads)
{
	struct vpnc_priv_hdr h;
	union vpnc_priv_msg r;
	int fd = -1, ret;

	vpnc_priv_hdr_init(&h, VPNC_PRIV_TUN_OPEN);
	ret = call(sock, &h, sizeof(h), VPNC_PRIV_TUN, &r, &fd);
	if (ret < 0)
		return ret;
	tun->fd = fd;
	memcpy(tun->name, r.tun.name, IFNAMSIZ); /* NUL-terminated: checked */
	tun->ifindex = r.tun.ifindex;
	*offloads = (int)r.tun.offloads;
	return 0;
}

int vpnc_privc_net_apply(int sock, const struct vpnc_push *push, const struct sockaddr *server, int *mtu,
                         unsigned *n_failed, unsigned *dropped, struct vpnc_priv_msg_result *res)
{
	static struct vpnc_priv_msg_net m; /* about 12 KiB; the loop is single-threaded */
	union vpnc_priv_msg r;
	int ret = vpnc_priv_net_from_push(&m, push, server, dropped);

	if (ret < 0)
		return ret;
	ret = call(sock, &m, sizeof(m), VPNC_PRIV_RESULT, &r, NULL);
	if (ret < 0)
		return ret;
	*mtu = r.result.mtu;
	*n_failed = r.result.n_failed;
	if (res != NULL)
		*res = r.result;
	return r.result.err;
}

int vpnc_privc_mark(int sock, int fd)
{
	struct vpnc_priv_hdr h;
	union vpnc_priv_msg r;
	int ret;

	vpnc_priv_hdr_init(&h, VPNC_PRIV_MARK);
	ret = vpnc_priv_send(sock, &h, sizeof(h), fd);
	if (ret < 0)
		return ret;
	ret = vpnc_priv_recv(sock, &r, true, NULL);
	if (ret < 0)
		return ret;
	if (ret != VPNC_PRIV_RESULT || r.result.request != VPNC_PRIV_MARK)
		return -EBADMSG;
	return r.result.err;
}

int vpnc_privc_simple(int sock, int type)
{
	struct vpnc_priv_hdr h;
	union vpnc_priv_msg r;
	int ret;

	if (type != VPNC_PRIV_NET_UNAPPLY && type != VPNC_PRIV_REPIN)
		return -EINVAL;
	vpnc_priv_hdr_init(&h, type);
	ret = call(sock, &h, sizeof(h), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : r.result.err;
}

int vpnc_privc_gateway(int sock, uint32_t gateway, unsigned *n_failed)
{
	struct vpnc_priv_msg_gateway q;
	union vpnc_priv_msg r;
	int ret;

	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_NET_GATEWAY);
	q.gateway = gateway;
	if (vpnc_priv_check(&q, sizeof(q), false) != VPNC_PRIV_NET_GATEWAY)
		return -EINVAL;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	if (ret < 0)
		return ret;
	*n_failed = r.result.n_failed;
	return r.result.err;
}

int vpnc_privc_resolve(int sock, unsigned idx, int what, struct vpnc_priv_msg_addrs *out)
{
	struct vpnc_priv_msg_resolve q;
	union vpnc_priv_msg r;
	int ret;

	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_RESOLVE);
	q.remote = idx;
	q.what = (uint32_t)what;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_ADDRS, &r, NULL);
	if (ret < 0)
		return ret;
	if (r.addrs.remote != idx || r.addrs.what != q.what)
		return -EBADMSG;
	*out = r.addrs;
	return out->err;
}

int vpnc_privc_relay(int sock, unsigned idx, const struct sockaddr *relay)
{
	struct vpnc_priv_msg_relay q;
	union vpnc_priv_msg r;
	int ret;

	memset(&q, 0, sizeof(q));
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_RELAY);
	q.remote = idx;
	if (relay->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)relay;

		q.relay.port = a->sin_port;
		memcpy(q.relay.addr, &a->sin_addr, 4);
	} else if (relay->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)relay;

		q.relay.port = a->sin6_port;
		memcpy(q.relay.addr, &a->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	q.relay.family = (uint8_t)relay->sa_family;
	/* What the proxy named must pass the parent's check, or the parent ends us: refuse it here. */
	if (vpnc_priv_check(&q, sizeof(q), false) != VPNC_PRIV_RELAY)
		return -EADDRNOTAVAIL;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : r.result.err;
}

int vpnc_privc_down(int sock, int why)
{
	struct vpnc_priv_msg_down q;
	union vpnc_priv_msg r;
	int ret;

	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_DOWN);
	q.why = (uint32_t)why;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : (int)r.result.n_failed;
}

int vpnc_privc_sign(int sock, int op, const unsigned char *data, size_t len, unsigned char *out, size_t cap)
{
	static struct vpnc_priv_msg_sign q; /* the loop is single-threaded */
	static union vpnc_priv_msg r;
	int ret;

	if (len == 0 || len > sizeof(q.data))
		return -EMSGSIZE;
	memset(&q, 0, sizeof(q));
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_SIGN);
	q.op = (uint32_t)op;
	q.len = (uint32_t)len;
	memcpy(q.data, data, len);
	if (vpnc_priv_check(&q, sizeof(q), false) != VPNC_PRIV_SIGN)
		return -EINVAL;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_SIGNATURE, &r, NULL);
	if (ret < 0)
		return ret;
	if (r.signature.err < 0)
		return r.signature.err;
	if (r.signature.len > cap)
		return -EMSGSIZE;
	memcpy(out, r.signature.sig, r.signature.len);
	return (int)r.signature.len;
}

int vpnc_privc_ask(int sock, unsigned id, int kind, bool echo, const char *text)
{
	struct vpnc_priv_msg_ask q;
	union vpnc_priv_msg r;
	int ret = vpnc_priv_ask_init(&q, id, kind, echo, text);

	if (ret < 0)
		return ret;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : r.result.err;
}

int vpnc_privc_ask_done(int sock, unsigned id)
{
	struct vpnc_priv_msg_ask_done q;
	union vpnc_priv_msg r;
	int ret;

	if (id == 0)
		return -EINVAL;
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_ASK_DONE);
	q.id = (uint32_t)id;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : r.result.err;
}

int vpnc_privc_verify(int sock, const struct vpnc_tls_cert_info *ci)
{
	static struct vpnc_priv_msg_verify q; /* the loop is single-threaded */
	union vpnc_priv_msg r;
	int ret;

	if (ci->depth < 0)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_VERIFY);
	q.depth = (uint32_t)ci->depth;
	memcpy(q.subject, ci->subject, sizeof(q.subject));
	memcpy(q.serial, ci->serial, sizeof(q.serial));
	memcpy(q.serial_hex, ci->serial_hex, sizeof(q.serial_hex));
	memcpy(q.sha1, ci->sha1, sizeof(q.sha1));
	memcpy(q.sha256, ci->sha256, sizeof(q.sha256));
	memcpy(q.x509, ci->x509, sizeof(q.x509));
	memcpy(q.pem, ci->pem, sizeof(q.pem));
	if (vpnc_priv_check(&q, sizeof(q), false) != VPNC_PRIV_VERIFY)
		return -EINVAL;
	ret = call(sock, &q, sizeof(q), VPNC_PRIV_RESULT, &r, NULL);
	return ret < 0 ? ret : r.result.err;
}
