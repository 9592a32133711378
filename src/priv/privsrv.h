/*
 * privsrv.h: the privileged parent's side of privilege separation
 * (docs/privileges.md). It holds the TUN device it opened, the rtnetlink
 * socket, the record of every address and route it added (os/os.h) and the
 * DNS it applied (os/dns.h), and does only what a checked request
 * (privmsg.h) asks, with values from its own profile wherever it can: the
 * device name, the no-exec options, the DNS mode and the remotes' names all
 * come from the config it read itself, never from the child.
 *
 * NET_APPLY is accepted only for a server address the parent resolved
 * itself for a configured remote (RESOLVE: the remote, or the HTTP or SOCKS
 * proxy in front of it), so the host route to the server cannot be pointed
 * anywhere else.
 *
 * vpnc_privsrv_revert() undoes everything; the daemon calls it when the
 * child exits or dies. Nothing here logs: each call returns 0 or a negative
 * errno code, and the daemon says what happened.
 */
#ifndef VPNC_PRIV_PRIVSRV_H
#define VPNC_PRIV_PRIVSRV_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "os/dns.h"
#include "os/os.h"
#include "priv/privmsg.h"
#include "vpnc/config.h"

struct vpnc_privsrv {
	const struct vpnc_config *conf;   /* borrowed */
	struct vpnc_nl *nl;               /* owned */
	struct vpnc_tun tun;              /* fd -1 until TUN_OPEN */
	int offloads;
	struct vpnc_netcfg nc;
	struct vpnc_dns dns;
	/* The addresses RESOLVE handed out: the only servers NET_APPLY may name. */
	struct vpnc_priv_addr known[VPNC_PRIV_MAX_REMOTES];
	unsigned n_known;
	/* Test hooks: a resolver replacement and DNS paths (NULL: getaddrinfo, the defaults). */
	int (*resolve)(const char *host, const char *port, int family, struct vpnc_priv_msg_addrs *out);
	const struct vpnc_dns_paths *dns_paths;
	/* DNS is applied and reverted by the caller (the daemon's updown.c), not here. */
	bool dns_by_caller;
	/* remote-random-hostname: writes "LABEL.host" into out (the daemon's remote.h rule); 0 or < 0. */
	int (*random_host)(char *out, size_t cap, const char *host);
	/* The last NET_APPLY as applied (route host names resolved), for the scripts; NULL before one. */
	struct vpnc_push *applied;
	unsigned route_hosts_lost;        /* routes whose host name did not resolve, in the last NET_APPLY */
	/* Told when DNS could not be applied (the request itself succeeds, as in the one-process daemon). */
	void (*on_dns_error)(int err, enum vpnc_dns_mode mode);
	/*
	 * The PKCS#11 token's key (borrowed; os/pkcs11.h), which SIGN uses; NULL
	 * without 'pkcs11-id', and then SIGN is a request that is not allowed.
	 */
	EVP_PKEY *sign_key;
	/*
	 * tls-verify (the daemon's script_verify.c): runs the script for one
	 * checked VERIFY and returns 0 to accept the certificate. Asked only when
	 * the profile has 'tls-verify' or 'tls-export-cert'; NULL rejects every
	 * certificate (-EPERM).
	 */
	int (*verify)(void *ctx, const struct vpnc_priv_msg_verify *q);
	void *verify_ctx;
};

/* Opens the netlink socket. conf must outlive s. 0 or a negative errno code. */
int vpnc_privsrv_init(struct vpnc_privsrv *s, const struct vpnc_config *conf);

/*
 * Handles one checked request (the result of vpnc_priv_recv() from the
 * child) and fills reply; *reply_fd is the TUN's fd to pass along, or -1.
 * Returns 0 when reply is ready (its err may carry a refusal), or -EBADMSG
 * for a request that is well-formed but not allowed here (a server the
 * parent never resolved, a remote index beyond the profile's, SIGN without
 * a token or with an operation the key's type cannot do, VERIFY in a profile
 * without 'tls-verify' and 'tls-export-cert', or with a certificate's PEM
 * without 'tls-export-cert', a SOCKS server's
 * address or a RELAY for a remote that does not go through a SOCKS proxy
 * over UDP): the caller treats the child as compromised. RELAY is only
 * checked here; its RESULT 0 tells the caller to let the relay through.
 */
int vpnc_privsrv_handle(struct vpnc_privsrv *s, const union vpnc_priv_msg *req, union vpnc_priv_msg *reply,
                        int *reply_fd);

/*
 * MARK: sets the profile's 'mark' (SO_MARK) on fd, the link socket the
 * child sent, if it is an AF_INET or AF_INET6 UDP or TCP socket; closes fd
 * in any case and fills reply with a RESULT (err -ENOTSOCK for another kind
 * of descriptor, -EINVAL when the profile has no mark, or setsockopt's).
 */
void vpnc_privsrv_mark(struct vpnc_privsrv *s, int fd, union vpnc_priv_msg *reply);

/* Reverts DNS, removes addresses and routes, closes the TUN. Returns how many steps failed. */
int vpnc_privsrv_revert(struct vpnc_privsrv *s);

/* vpnc_privsrv_revert() and closes the netlink socket. */
void vpnc_privsrv_free(struct vpnc_privsrv *s);

#endif
