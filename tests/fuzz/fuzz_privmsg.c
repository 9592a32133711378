/*
 * fuzz_privmsg.c: libFuzzer target for vpnc_priv_check(), the validation the
 * privileged parent runs on every message from the network child (and the
 * child on the parent's replies).
 *
 * The first input byte picks a mode (the rest is the payload):
 *   0, 1  the payload is a message as sent by the child (0) or the parent (1);
 *   2     the payload is PUSH_REPLY text: whatever the push parser accepts
 *         must turn into a NET_APPLY that passes the check;
 *   3     the payload is a list of (2-byte offset, byte) patches applied to
 *         a good NET_APPLY, so field-level changes are reached quickly.
 * Invariant (trap on failure): a NET_APPLY that passes is canonical: turning
 * it into a push and back gives the same bytes, so no byte the parent acts on
 * escapes the check, and no unchecked byte can ride along. Likewise an ASK
 * that passes is what vpnc_priv_ask_init() builds from its fields (its text
 * printable ASCII, nothing after the NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "priv/privmsg.h"
#include "vpnc/push.h"

static const char GOOD[] =
	"route-gateway 10.8.0.1,topology subnet,ifconfig 10.8.0.2 255.255.255.0,"
	"ifconfig-ipv6 fd00:8::1000/64 fd00:8::1,route 192.168.50.0 255.255.255.0,"
	"route remote_host 255.255.255.255 net_gateway,route-ipv6 fd00:99::/48,"
	"redirect-gateway def1 ipv6,dhcp-option DNS 10.8.0.1,dhcp-option DNS6 fd00:8::1,"
	"dhcp-option DOMAIN corp.example,tun-mtu 1400,route-metric 50,"
	"dns server 1 address 10.8.0.53 [fd00:8::53]:5353,dns server 1 resolve-domains corp.example,"
	"dns server 1 transport DoT,dns server 1 sni dns.corp.example,dns search-domains lab.example";

static struct vpnc_push push;
static union vpnc_priv_msg msg;
static struct vpnc_priv_msg_net again;

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* The server as a sockaddr, the way the child would hold it. */
static const struct sockaddr *server_of(const struct vpnc_priv_net *n, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (n->server_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = n->server_port;
		memcpy(&s->sin_addr, n->server, 4);
		return (struct sockaddr *)ss;
	}
	if (n->server_family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = n->server_port;
		memcpy(&s->sin6_addr, n->server, 16);
		return (struct sockaddr *)ss;
	}
	return NULL;
}

static void canonical(const struct vpnc_priv_msg_net *m)
{
	struct sockaddr_storage ss;

	vpnc_priv_net_to_push(&m->net, &push);
	check(vpnc_priv_net_from_push(&again, &push, server_of(&m->net, &ss), NULL) == 0);
	check(memcmp(&again, m, sizeof(again)) == 0);
}

static void one(const void *p, size_t len, int from_parent)
{
	int t = vpnc_priv_check(p, len, from_parent);

	if (t < 0)
		return;
	check(len == vpnc_priv_len(t) && (t >= VPNC_PRIV_RESULT) == from_parent);
	if (t == VPNC_PRIV_NET_APPLY) {
		memcpy(&msg, p, len);
		canonical(&msg.net);
	}
	if (t == VPNC_PRIV_VERIFY) {
		/* What the parent builds the tls-verify environment from: terminated strings, whole lines. */
		memcpy(&msg, p, len);
		check(msg.verify.depth < VPNC_PRIV_VERIFY_DEPTH && strlen(msg.verify.subject) > 0 &&
		      strlen(msg.verify.sha1) == 59 && strlen(msg.verify.sha256) == 95);
		check(msg.verify.x509[0] == '\0' || msg.verify.x509[strlen(msg.verify.x509) - 1] == '\n');
		check(msg.verify.pem[0] == '\0' || strncmp(msg.verify.pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
		for (size_t i = 0; msg.verify.x509[i] != '\0'; i++)
			check(msg.verify.x509[i] == '\n' || (msg.verify.x509[i] >= 0x20 && msg.verify.x509[i] <= 0x7e));
	}
	if (t == VPNC_PRIV_ASK) {
		/* A question that passes is printable ASCII and exactly what the child's builder makes of it. */
		static struct vpnc_priv_msg_ask again_ask;

		memcpy(&msg, p, len);
		check(vpnc_priv_ask_init(&again_ask, msg.ask.id, msg.ask.kind, msg.ask.echo, msg.ask.text) == 0);
		check(memcmp(&again_ask, &msg.ask, sizeof(again_ask)) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(1194), .sin_addr.s_addr = htonl(0xC000020A)};

	if (size < 1 || size > 2 * VPNC_PRIV_MSG_MAX)
		return 0;
	switch (data[0] & 3) {
	case 0:
	case 1: one(data + 1, size - 1, data[0] & 1); break;
	case 2:
		vpnc_push_init(&push);
		if (vpnc_push_parse(&push, (const char *)data + 1, size - 1, NULL, NULL) == 0) {
			check(vpnc_priv_net_from_push(&msg.net, &push, (struct sockaddr *)&s, NULL) == 0);
			canonical(&msg.net);
		}
		break;
	case 3:
		vpnc_push_init(&push);
		check(vpnc_push_parse(&push, GOOD, sizeof(GOOD) - 1, NULL, NULL) == 0);
		check(vpnc_priv_net_from_push(&msg.net, &push, (struct sockaddr *)&s, NULL) == 0);
		for (size_t i = 1; i + 3 <= size; i += 3) {
			size_t off = ((size_t)data[i] << 8 | data[i + 1]) % sizeof(msg.net);

			((uint8_t *)&msg.net)[off] = data[i + 2];
		}
		one(&msg.net, sizeof(msg.net), 0);
		break;
	}
	return 0;
}
