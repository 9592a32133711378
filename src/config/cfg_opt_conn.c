/*
 * cfg_opt_conn.c: handlers for the role (client, pull, tls-client, mode), the
 * remotes and their transport, connection timers, the tun interface, 'cd' and
 * 'config'.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config/cfg_handlers.h"
#include "vpnc/defaults.h"

#define TIMER_MAX 2000000  /* seconds; keeps millisecond arithmetic in range */
#define TUN_MTU_MIN 100    /* OpenVPN's TUN_MTU_MIN */
#define VPNC_CFG_FRAGMENT_MIN 68 /* 2.6: "--fragment needs to be at least 68" */
#define IFNAME_MAX 15      /* IFNAMSIZ - 1 */

VPNC_CFG_HANDLER(vpnc_cfg_opt_client)
{
	ctx->cfg->client = true;
	ctx->cfg->pull = true;
	ctx->cfg->tls_client = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_pull)
{
	ctx->cfg->pull = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_client)
{
	ctx->cfg->tls_client = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_mode)
{
	if (strcmp(p[1], "p2p") == 0)
		return 0;
	if (strcmp(p[1], "server") == 0)
		return vpnc_cfg_fail(ctx, -ENOTSUP, "option 'mode server' is not supported");
	return vpnc_cfg_bad(ctx, p[0], "must be 'p2p' or 'server'");
}

/* Parses a proto word; returns 0, -ENOTSUP for server modes, -EINVAL otherwise. */
static int cfg_proto(const char *s, enum vpnc_transport *t, int *family)
{
	static const struct {
		const char *name;
		enum vpnc_transport t;
		int family;
	} protos[] = {
		{"udp", VPNC_TRANSPORT_UDP, AF_UNSPEC},        {"udp4", VPNC_TRANSPORT_UDP, AF_INET},
		{"udp6", VPNC_TRANSPORT_UDP, AF_INET6},        {"tcp", VPNC_TRANSPORT_TCP, AF_UNSPEC},
		{"tcp4", VPNC_TRANSPORT_TCP, AF_INET},         {"tcp6", VPNC_TRANSPORT_TCP, AF_INET6},
		{"tcp-client", VPNC_TRANSPORT_TCP, AF_UNSPEC}, {"tcp4-client", VPNC_TRANSPORT_TCP, AF_INET},
		{"tcp6-client", VPNC_TRANSPORT_TCP, AF_INET6},
	};

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strcmp(s, protos[i].name) == 0) {
			*t = protos[i].t;
			*family = protos[i].family;
			return 0;
		}
	}
	if (strcmp(s, "tcp-server") == 0 || strcmp(s, "tcp4-server") == 0 ||
	    strcmp(s, "tcp6-server") == 0)
		return -ENOTSUP;
	return -EINVAL;
}

static int cfg_proto_err(struct vpnc_cfg_ctx *ctx, int ret, const char *opt, const char *val)
{
	char safe[64];

	vpnc_cfg_sanitize(safe, sizeof(safe), val);
	if (ret == -ENOTSUP)
		return vpnc_cfg_fail(ctx, -ENOTSUP, "option '%s %s' is not supported", opt, safe);
	return vpnc_cfg_bad(ctx, opt, "'%s' is not one of udp, udp4, udp6, tcp, tcp4, tcp6, "
	                    "tcp-client, tcp4-client, tcp6-client", safe);
}

int vpnc_cfg_port(const char *s, char out[VPNC_CFG_PORT_LEN])
{
	int v;

	if (vpnc_cfg_parse_int(s, 1, UINT16_MAX, &v) < 0 || s[0] == '+' || s[0] == '-')
		return -EINVAL;
	snprintf(out, VPNC_CFG_PORT_LEN, "%d", v);
	return 0;
}

/* A port word of a remote, 'port' or 'rport' into out; a bad one is named in the error. */
static int cfg_port(struct vpnc_cfg_ctx *ctx, const char *opt, const char *s, char out[VPNC_CFG_PORT_LEN])
{
	char safe[64];

	if (vpnc_cfg_port(s, out) == 0)
		return 0;
	vpnc_cfg_sanitize(safe, sizeof(safe), s);
	return vpnc_cfg_bad(ctx, opt, "'%s' is not a port number (1..65535)", safe);
}

bool vpnc_cfg_host_ok(const char *h, size_t cap)
{
	if (h[0] == '\0' || strlen(h) >= cap)
		return false;
	for (const char *c = h; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return false;
	return true;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_remote)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_remote *r;
	size_t i = cfg->n_remotes;
	int ret;

	if (i >= VPNC_MAX_REMOTES)
		return vpnc_cfg_bad(ctx, p[0], "more than %d remotes", VPNC_MAX_REMOTES);
	if (!vpnc_cfg_host_ok(p[1], sizeof(cfg->remotes[i].host)))
		return vpnc_cfg_bad(ctx, p[0], "the host name is empty, too long or has bad characters");
	r = &cfg->remotes[i];
	memset(r, 0, sizeof(*r));
	memcpy(r->host, p[1], strlen(p[1]) + 1);
	ctx->remote_port_set[i] = false;
	ctx->remote_socks_set[i] = false;
	ctx->remote_proto_set[i] = false;
	ctx->remote_fragment_set[i] = false;
	if (n > 2) {
		ret = cfg_port(ctx, p[0], p[2], r->port);
		if (ret < 0)
			return ret;
		ctx->remote_port_set[i] = true;
	}
	if (n > 3) {
		ret = cfg_proto(p[3], &r->transport, &r->family);
		if (ret < 0)
			return cfg_proto_err(ctx, ret, p[0], p[3]);
		ctx->remote_proto_set[i] = true;
	}
	cfg->n_remotes++;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_proto)
{
	enum vpnc_transport t;
	int family, ret = cfg_proto(p[1], &t, &family);

	if (ret < 0)
		return cfg_proto_err(ctx, ret, p[0], p[1]);
	if (ctx->in_connection) {
		ctx->conn_transport = t;
		ctx->conn_family = family;
		ctx->conn_proto_set = true;
	} else {
		ctx->cfg->default_transport = t;
		ctx->cfg->default_family = family;
	}
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_port)
{
	char port[8];
	int ret = cfg_port(ctx, p[0], p[1], port);

	if (ret < 0)
		return ret;
	if (ctx->in_connection) {
		memcpy(ctx->conn_port, port, sizeof(port));
		ctx->conn_port_set = true;
	} else {
		memcpy(ctx->cfg->default_port, port, sizeof(port));
	}
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_lport)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, UINT16_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "not a port number (0..65535)");
	ctx->cfg->lport = v;
	ctx->cfg->nobind = false;
	return 0;
}

/*
 * 'local ADDR': bind the socket to ADDR (with 'lport', 'bind''s 1194, or any
 * port), like 2.6. A name is resolved once at start, before privileges drop.
 * With 'nobind' it is an error, as in 2.6 (cfg_finish.c).
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_local)
{
	/* An address, or a name that vpnc resolves once at start, as 2.6 does (a failure is fatal). */
	if (!vpnc_cfg_host_ok(p[1], sizeof(ctx->cfg->local)))
		return vpnc_cfg_bad(ctx, p[0], "the address or host name is empty, too long or has bad characters");
	memcpy(ctx->cfg->local, p[1], strlen(p[1]) + 1);
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_nobind)
{
	ctx->cfg->nobind = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_random)
{
	ctx->cfg->remote_random = true;
	return 0;
}

/* 'remote-random-hostname': a random label before each name resolved (remote.h). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_random_hostname)
{
	ctx->cfg->remote_random_hostname = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_resolv_retry)
{
	int v;

	if (strcmp(p[1], "infinite") == 0) {
		ctx->cfg->resolv_retry = -1;
		return 0;
	}
	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds or 'infinite'");
	ctx->cfg->resolv_retry = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_connect_retry)
{
	int v, max;

	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the delay must be a number of seconds");
	if (n > 2 && vpnc_cfg_parse_int(p[2], 1, TIMER_MAX, &max) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the maximum delay must be a number of seconds");
	ctx->cfg->connect_retry = v;
	if (n > 2)
		ctx->cfg->connect_retry_max_delay = max;
	return 0;
}

/* 'connect-retry-max N': how many times each remote is tried. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_positive)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 1, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a positive number");
	ctx->cfg->connect_retry_max = v;
	return 0;
}

/* 'bind [ipv6only]': bind the local port (lport, else 1194) even as a pulling client. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_bind)
{
	if (n > 1 && strcmp(p[1], "ipv6only") != 0)
		return vpnc_cfg_bad(ctx, p[0], "the only argument allowed is 'ipv6only'");
	ctx->cfg->bind = true;
	ctx->cfg->nobind = false;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_server_poll_timeout)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, TIMER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds");
	ctx->cfg->server_poll_timeout = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_dev)
{
	size_t len = strlen(p[1]);
	char safe[64];

	vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
	/* 2.6's null device (a test setup): no device at all, see cfg_finish.c. */
	ctx->cfg->dev_null = strcmp(p[1], "null") == 0;
	if (len == 0 || len > IFNAME_MAX || strcmp(p[1], ".") == 0 || strcmp(p[1], "..") == 0)
		return vpnc_cfg_bad(ctx, p[0], "'%s' is not a valid interface name", safe);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[1][i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
			return vpnc_cfg_bad(ctx, p[0], "'%s' is not a valid interface name", safe);
	}
	memcpy(ctx->cfg->dev, p[1], len + 1);
	if (ctx->line > 0) {
		ctx->file_dev_tap = strncmp(p[1], "tap", 3) == 0;
		ctx->file_dev_tun = strncmp(p[1], "tun", 3) == 0;
	}
	return 0;
}

/* As 2.6: an explicit dev-type wins over what the dev name starts with (cfg_finish.c). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_dev_type)
{
	if (strcmp(p[1], "tun") == 0 || strcmp(p[1], "tap") == 0) {
		ctx->dev_type = p[1][1] == 'u' ? VPNC_CFG_DEV_TUN : VPNC_CFG_DEV_TAP;
		ctx->cfg->dev_null = false; /* as 2.6: the type wins; a device named "null" is a device */
		if (ctx->line > 0)
			ctx->file_dev_type = ctx->dev_type;
		return 0;
	}
	if (strcmp(p[1], "null") == 0) {
		ctx->cfg->dev_null = true;
		return 0;
	}
	return vpnc_cfg_bad(ctx, p[0], "must be 'tun', 'tap' or 'null'");
}

/*
 * 'lladdr MAC': the TAP device's Ethernet address, set before the addresses
 * as 2.6 does on Linux. 2.6's mac_addr_safe() takes one or two hex digits
 * between colons; six groups are needed here (2.6 would set a half-read
 * address), and an address the kernel refuses (group bit, all zeros) is an
 * error here rather than a warning at connect.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_lladdr)
{
	const char *s = p[1];
	unsigned v[6] = {0}, groups = 1, digits = 0;

	for (; *s != '\0'; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
		        : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (*s == ':' && digits > 0 && groups < 6) {
			groups++;
			digits = 0;
		} else if (d >= 0 && digits < 2) {
			v[groups - 1] = v[groups - 1] * 16 + (unsigned)d;
			digits++;
		} else {
			groups = 0;
			break;
		}
	}
	if (groups != 6 || digits == 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a MAC address such as 02:00:5e:10:00:01");
	if ((v[0] & 1) != 0 || (v[0] | v[1] | v[2] | v[3] | v[4] | v[5]) == 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a unicast MAC address other than 00:00:00:00:00:00");
	for (int i = 0; i < 6; i++)
		ctx->cfg->lladdr[i] = (uint8_t)v[i];
	ctx->cfg->has_lladdr = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], TUN_MTU_MIN, UINT16_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number from %d to %d", TUN_MTU_MIN, UINT16_MAX);
	ctx->cfg->tun_mtu = v;
	return 0;
}

/*
 * 'tun-mtu-extra N': room 2.6 keeps for what the device adds beyond tun-mtu
 * (32 by default on TAP, for the Ethernet header). It counts in the link-mtu
 * announced in the OCC string and comes off the MSS that mssfix clamps to.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu_extra)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, UINT16_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number from 0 to %d", UINT16_MAX);
	ctx->cfg->tun_mtu_extra = v;
	return 0;
}

/*
 * 'tun-mtu-max N' (68..65536, as 2.6 checks it): the largest tun-mtu a server
 * may push. Announced as IV_MTU (with tun-mtu and 2.6's floor of 1600); a
 * larger push is cut to it. vpnc's packet buffers carry tunnel packets of up
 * to VPNC_TUN_MTU_CARRY bytes, so a larger value is announced as that.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu_max)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 68, 65536, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number from 68 to 65536");
	if (v > VPNC_TUN_MTU_CARRY) {
		vpnc_cfg_note(ctx, 1, "option 'tun-mtu-max %d': vpnc carries tunnel packets of up to %d bytes "
		              "and announces that", v, VPNC_TUN_MTU_CARRY);
		v = VPNC_TUN_MTU_CARRY;
	}
	ctx->cfg->tun_mtu_max = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_mssfix)
{
	int v = -1;

	if (n > 1 && vpnc_cfg_parse_int(p[1], 0, UINT16_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number from 0 to %d", UINT16_MAX);
	if (n > 2 && strcmp(p[2], "mtu") != 0 && strcmp(p[2], "fixed") != 0)
		return vpnc_cfg_bad(ctx, p[0], "the second argument must be 'mtu' or 'fixed'");
	ctx->cfg->mssfix = v;
	/* As 2.6: a bare value is the UDP payload; no value is the default (which counts the headers). */
	ctx->cfg->mssfix_mode = n < 2    ? VPNC_MSSFIX_MTU
	                        : n == 2 ? VPNC_MSSFIX_PAYLOAD
	                        : strcmp(p[2], "mtu") == 0 ? VPNC_MSSFIX_MTU
	                                                   : VPNC_MSSFIX_FIXED;
	return 0;
}

/*
 * 'fragment N [mtu]': OpenVPN's internal fragmentation (docs/fragment.md). N
 * from 68, as 2.6; a third word other than 'mtu' is an error, as in 2.6.
 * Inside a <connection> block it belongs to that block's remote; the one
 * outside applies to every remote without its own. TCP is refused at the end
 * (cfg_finish.c), when each remote's protocol is known.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_fragment)
{
	int v;
	bool mtu = false;

	if (vpnc_cfg_parse_int(p[1], VPNC_CFG_FRAGMENT_MIN, UINT16_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number from %d to %d", VPNC_CFG_FRAGMENT_MIN, UINT16_MAX);
	if (n > 2) {
		if (strcmp(p[2], "mtu") != 0)
			return vpnc_cfg_bad(ctx, p[0], "the second argument must be 'mtu'");
		mtu = true;
	}
	if (ctx->in_connection) {
		ctx->conn_fragment = v;
		ctx->conn_fragment_mtu = mtu;
		ctx->conn_fragment_line = ctx->line;
		ctx->conn_fragment_set = true;
	} else {
		ctx->cfg->fragment = v;
		ctx->cfg->fragment_mtu = mtu;
		ctx->fragment_line = ctx->line;
	}
	return 0;
}

/* 'cd' works like OpenVPN's chdir, but only changes where relative paths point. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_cd)
{
	char *dir = vpnc_cfg_resolve(ctx->cd, p[1]);
	struct stat st;
	char safe[128];

	if (dir == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(dir);
		vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
		return vpnc_cfg_bad(ctx, p[0], "'%s' is not a directory", safe);
	}
	free(ctx->cd);
	ctx->cd = dir;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_config)
{
	return vpnc_cfg_include(ctx, p[1]);
}

/*
 * --untrusted-config is seen before anything is read (vpnc_config_load), so
 * here it only has to stay out of files: a profile cannot vouch for itself.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_untrusted)
{
	(void)n;
	if (ctx->line > 0)
		return vpnc_cfg_bad(ctx, p[0], "can only be given on the command line");
	return 0;
}
