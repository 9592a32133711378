/*
 * loop_pmtu.c: the path MTU to the server, as OpenVPN 2.6 handles it on
 * Linux (docs/fragment.md): 'mtu-disc' set on each attempt's UDP socket, and
 * what an EMSGSIZE from that socket says. On EMSGSIZE (a datagram above the
 * path MTU under 'mtu-disc yes', or an ICMP "fragmentation needed" / "packet
 * too big" the kernel reported) the kernel's path MTU for the connected
 * socket is read and handed to the engine, which lowers 'fragment' and
 * 'mssfix' where 2.6 does. When nothing then keeps packets within the path
 * and DF is always set, one warning per attempt says that larger packets are
 * dropped and what to lower, instead of a silent black hole.
 *
 * The kernel only ever lowers a route's path MTU from an ICMP (until it
 * expires), so the values seen in one attempt go down step by step: a
 * spoofed ICMP cannot make these lines alternate.
 */
#include <errno.h>
#include <netinet/in.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"

/* The socket option value of 'mtu-disc' (IPv4 and IPv6 use the same numbers). */
static int mtu_disc_mode(enum vpnc_mtu_disc d)
{
	switch (d) {
	case VPNC_MTU_DISC_NO:
		return IP_PMTUDISC_DONT;
	case VPNC_MTU_DISC_MAYBE:
		return IP_PMTUDISC_WANT;
	case VPNC_MTU_DISC_YES:
		return IP_PMTUDISC_DO;
	case VPNC_MTU_DISC_DEFAULT:
		break;
	}
	return -1;
}

int loop_pmtu_opened(struct loop *l, bool udp)
{
	int mode = mtu_disc_mode(l->conf->mtu_disc);

	l->path_mtu = 0;
	l->pmtu_warned = false;
	if (mode < 0 || !udp)
		return 0; /* the kernel's default; on TCP the kernel finds the path MTU itself */
	int ret = vpnc_link_mtu_disc(l->link, mode);
	if (ret == -EOPNOTSUPP) {
		vpnc_log(VPNC_LOG_NOTE, "mtu-disc: not set on the socket to a SOCKS proxy's UDP relay");
		return 0;
	}
	return ret;
}

void loop_pmtu_emsgsize(struct loop *l)
{
	int mtu = vpnc_link_path_mtu(l->link);

	if (mtu <= 0 || l->eng == NULL || mtu == l->path_mtu)
		return;
	l->path_mtu = mtu;
	vpnc_log(VPNC_LOG_MORE, "link: the path MTU to the server is %d bytes (EMSGSIZE)", mtu);
	int ret = vpnc_engine_path_mtu(l->eng, uv_now(&l->uv), mtu);
	if (ret != -EMSGSIZE || l->conf->mtu_disc != VPNC_MTU_DISC_YES || l->pmtu_warned)
		return;
	/* With DF on every datagram the kernel cannot fragment: say what to change, once. */
	l->pmtu_warned = true;
	int hdrs = l->server.ss_family == AF_INET6 ? 40 + 8 : 20 + 8;
	vpnc_log(VPNC_LOG_WARN, "The path to the server carries IP packets of at most %d bytes "
	         "(EMSGSIZE under 'mtu-disc yes'): larger link packets are dropped; lower 'tun-mtu' "
	         "and 'mssfix', or use 'fragment %d' (or 'fragment %d mtu') where the server uses "
	         "'fragment' too, or leave out 'mtu-disc yes'.", mtu, mtu - hdrs, mtu);
}
