/*
 * killswitch.h: the kill switch, a firewall that lets nothing leave or reach
 * the host outside the tunnel (docs/killswitch.md).
 *
 * The caller keeps one struct vpnc_ks_allow, the complete description of
 * what may pass for one vpnc instance: the VPN servers' addresses and ports,
 * the tunnel device, the resolvers (only while names are being resolved) and
 * whether the local networks may be reached. vpnc_ks_apply() installs or
 * replaces the instance's rules from it in one nftables transaction, so the
 * host never sees a half-made rule set; vpnc_ks_remove() takes them away.
 * The rules live in the kernel, not in this process: they stay when vpnc
 * crashes or is killed (fail-closed), until vpnc_ks_remove() is called by a
 * clean exit or by the admin's `vpnc kill-switch off`.
 *
 * Everything that reaches the rule text is formatted here from binary
 * addresses and numbers, or checked first (interface names, instance names);
 * no string from a profile or a peer is pasted in. The struct holds no
 * pointers, so a privileged helper can receive it whole. Needs
 * CAP_NET_ADMIN in the network namespace. Nothing here logs.
 *
 * Parts: killswitch_rules.c (the allowed set and the rule text, pure),
 * killswitch_nft.c (talking to the kernel through libnftables),
 * killswitch_dns.c (the resolvers in resolv.conf).
 */
#ifndef VPNC_OS_KILLSWITCH_H
#define VPNC_OS_KILLSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>
#include <sys/socket.h>

/* Server endpoints: every address of every remote (16 remotes, a few addresses each). */
#define VPNC_KS_MAX_ENDPOINTS 64
/* Resolvers: resolv.conf honours three; systemd-resolved's list may hold more. */
#define VPNC_KS_MAX_RESOLVERS 8
/* The one nftables table all vpnc instances share (family inet). */
#define VPNC_KS_TABLE "vpnc"
/* Room for a generated rule set: ~100 bytes a rule, ~2 rules an endpoint. */
#define VPNC_KS_RULES_MAX 32768
/* Room for an error sentence. */
#define VPNC_KS_ERR_MAX 256

struct vpnc_ks_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t addr[16];  /* network byte order; 4 bytes used for AF_INET */
};

struct vpnc_ks_endpoint {
	struct vpnc_ks_addr a;
	uint8_t proto;     /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t port;     /* host byte order */
};

struct vpnc_ks_allow {
	struct vpnc_ks_endpoint ep[VPNC_KS_MAX_ENDPOINTS];
	size_t n_ep;
	struct vpnc_ks_addr dns[VPNC_KS_MAX_RESOLVERS];
	size_t n_dns;
	bool resolving;    /* port 53 to dns[] is open (only while a name is being resolved) */
	bool lan;          /* the local networks: RFC 1918, link-local, ULA, multicast */
	char tun[IFNAMSIZ]; /* the tunnel device, "" before it exists */
};

/*
 * Adds a server endpoint (sa: sockaddr_in or sockaddr_in6 with the port;
 * proto IPPROTO_UDP or IPPROTO_TCP). Returns 1 if it was new, 0 if it was
 * already there, -EAFNOSUPPORT, -EINVAL or -ENOSPC.
 */
int vpnc_ks_add_endpoint(struct vpnc_ks_allow *a, const struct sockaddr *sa, int proto);

/*
 * Removes the endpoint sa/proto (a SOCKS relay a newer one replaces).
 * Returns 1 if it was there, 0 if not, -EAFNOSUPPORT or -EINVAL.
 */
int vpnc_ks_del_endpoint(struct vpnc_ks_allow *a, const struct sockaddr *sa, int proto);

/*
 * Adds an endpoint given as text (a remote that is an IP literal and a
 * decimal port). Returns 1 or 0 as above, or -EINVAL when host is not an
 * address literal (a name: it is added once resolved).
 */
int vpnc_ks_add_literal(struct vpnc_ks_allow *a, const char *host, const char *port, int proto);

struct vpnc_config;
struct vpnc_remote;
/*
 * What vpnc connects to for remote r of config c, which is what the rules
 * must let through: the remote itself, or the proxy in front of it (a SOCKS
 * proxy's TCP port, its UDP relay comes later; an HTTP proxy's). Sets *host
 * and *port (borrowed from c) and returns IPPROTO_TCP or IPPROTO_UDP.
 */
int vpnc_ks_target(const struct vpnc_config *c, const struct vpnc_remote *r, const char **host,
                   const char **port);

/* Sets the tunnel device. Returns 0, or -EINVAL for a name the kernel would not accept. */
int vpnc_ks_set_tun(struct vpnc_ks_allow *a, const char *ifname);

/*
 * 0 if name is an interface name the kernel accepts (1..15 bytes, not "."
 * or "..", no '/', ':' or blank) and, for the rule text, printable ASCII
 * without '"', '\\' or '*' (a trailing '*' is a wildcard in nftables).
 * -EINVAL otherwise.
 */
int vpnc_ks_ifname_valid(const char *name);

/*
 * The chain-name suffix for an instance name (ctlpath.h's rule): letters
 * and digits stay, any other byte becomes '_' and two hex digits, so
 * different instances never share chains. Returns 0, -EINVAL (empty) or
 * -ENOSPC.
 */
int vpnc_ks_chain_suffix(const char *instance, char *out, size_t cap);

/*
 * Writes the nftables commands that create (or replace) the instance's two
 * chains from a (the base chains and their jumps are killswitch_nft.c's).
 * Returns the length, or -EINVAL / -ENOSPC.
 */
int vpnc_ks_rules(const char *instance, const struct vpnc_ks_allow *a, char *out, size_t cap);

/*
 * Reads the nameservers of a resolv.conf text into a->dns (duplicates and
 * anything that is not an address literal are skipped; a scope id after
 * '%' is dropped). Returns how many were added.
 */
int vpnc_ks_parse_resolvers(struct vpnc_ks_allow *a, const char *text);

/*
 * Fills a->dns afresh from /etc/resolv.conf and, when systemd-resolved
 * runs, from the list of its upstream servers (/run/systemd/resolve/
 * resolv.conf), since resolved asks those for us. Returns the count.
 */
int vpnc_ks_read_resolvers(struct vpnc_ks_allow *a);

/*
 * Installs or replaces the instance's rules, atomically. Returns 0, or a
 * negative errno with one sentence in err (-EPERM without CAP_NET_ADMIN).
 */
int vpnc_ks_apply(const char *instance, const struct vpnc_ks_allow *a, char *err, size_t errlen);

/*
 * Removes the instance's rules (instance NULL: every instance's, and the
 * table). Nothing installed is not an error. Returns 0 or a negative errno
 * with the sentence in err.
 */
int vpnc_ks_remove(const char *instance, char *err, size_t errlen);

#endif
