/*
 * km2.c: writes and parses the key-method-2 message, and builds the peer-info
 * and OCC strings that go in it. Parsing goes through struct vpnc_rd only.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/colonlist.h"
#include "core/km2.h"

/* 2.6's OCC link-mtu for its default BF-CBC: 8-byte IV and 8-byte block. */
#define KM2_OCC_BF_OVERHEAD 16
#define KM2_OCC_OPCODE 1
#define KM2_OCC_PACKET_ID 4
#define KM2_OCC_TCP_LEN 2
#define KM2_OCC_KEYSIZE 128
#define KM2_OCC_FRAG_HDR 4 /* the fragment header is part of 2.6's payload overhead */
#define KM2_DIGEST_NAME_MAX 32

/* Writes one ovstring from a field of size `field`; the string must end within it. */
static bool km2_put_string(struct vpnc_wr *w, const char *s, size_t field, size_t limit)
{
	size_t n = strnlen(s, field);

	if (n == field || n + 1 > limit || n + 1 > UINT16_MAX)
		return false;
	if (n == 0)
		return vpnc_wr_u16(w, 0);
	return vpnc_wr_u16(w, (uint16_t)(n + 1)) && vpnc_wr_bytes(w, s, n + 1);
}

int vpnc_km2_write(const struct vpnc_km2 *m, bool from_client, uint8_t *out, size_t cap)
{
	/* The message is built in a local buffer so that -EINVAL (bad field) and
	 * -ENOSPC (short output) can be told apart. */
	uint8_t tmp[VPNC_KM2_MAX];
	struct vpnc_wr w;
	int ret;

	vpnc_wr_init(&w, tmp, sizeof(tmp));
	vpnc_wr_u32(&w, 0);
	vpnc_wr_u8(&w, VPNC_KM2_METHOD);
	if (from_client)
		vpnc_wr_bytes(&w, m->pre_master, sizeof(m->pre_master));
	vpnc_wr_bytes(&w, m->random1, sizeof(m->random1));
	vpnc_wr_bytes(&w, m->random2, sizeof(m->random2));
	if (!km2_put_string(&w, m->options, sizeof(m->options), VPNC_KM2_OPTIONS_MAX) ||
	    !km2_put_string(&w, m->username, sizeof(m->username), VPNC_KM2_USERPASS_MAX) ||
	    !km2_put_string(&w, m->password, sizeof(m->password), VPNC_KM2_USERPASS_MAX) ||
	    !km2_put_string(&w, m->peer_info, sizeof(m->peer_info), VPNC_KM2_PEER_INFO_MAX) || w.err) {
		ret = -EINVAL;
		goto out;
	}
	if (w.len > cap) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(out, tmp, w.len);
	ret = (int)w.len;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return ret;
}

/* Reads one ovstring into a field of size cap (cap counts the NUL). */
static bool km2_get_string(struct vpnc_rd *r, char *dst, size_t cap)
{
	uint16_t n;
	const uint8_t *p;

	if (!vpnc_rd_u16(r, &n))
		return false;
	if (n == 0) {
		dst[0] = '\0';
		return true;
	}
	if (n > cap || (p = vpnc_rd_take(r, n)) == NULL)
		return false;
	if (p[n - 1] != '\0' || memchr(p, '\0', (size_t)n - 1) != NULL)
		return false;
	memcpy(dst, p, n);
	return true;
}

int vpnc_km2_read(const uint8_t *in, size_t len, bool from_client, struct vpnc_km2 *m)
{
	struct vpnc_rd r;
	uint8_t method;

	vpnc_km2_wipe(m);
	vpnc_rd_init(&r, in, len);
	if (vpnc_rd_take(&r, VPNC_KM2_LEADING_ZERO) == NULL || !vpnc_rd_u8(&r, &method))
		goto bad;
	if ((method & VPNC_KM2_METHOD_MASK) != VPNC_KM2_METHOD)
		goto bad;
	if (from_client && !vpnc_rd_bytes(&r, m->pre_master, sizeof(m->pre_master)))
		goto bad;
	if (!vpnc_rd_bytes(&r, m->random1, sizeof(m->random1)) ||
	    !vpnc_rd_bytes(&r, m->random2, sizeof(m->random2)))
		goto bad;
	if (!km2_get_string(&r, m->options, sizeof(m->options)) ||
	    !km2_get_string(&r, m->username, sizeof(m->username)) ||
	    !km2_get_string(&r, m->password, sizeof(m->password)))
		goto bad;
	/* Peer-info is optional: a message may end right after the password. */
	if (r.left > 0 && !km2_get_string(&r, m->peer_info, sizeof(m->peer_info)))
		goto bad;
	return 0;
bad:
	vpnc_km2_wipe(m);
	return -EBADMSG;
}

void vpnc_km2_wipe(struct vpnc_km2 *m)
{
	OPENSSL_cleanse(m, sizeof(*m));
}

/* A small appender over a char buffer that always stays NUL-terminated. */
struct km2_out {
	char *p;
	size_t cap, len;
	bool err;
};

static void km2_puts(struct km2_out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->err || n >= o->cap - o->len) {
		o->err = true;
		return;
	}
	memcpy(o->p + o->len, s, n + 1);
	o->len += n;
}

static void km2_putu(struct km2_out *o, unsigned long v)
{
	char tmp[24];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	km2_puts(o, tmp + i);
}

static bool km2_cipher_list_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 1024)
		return false;
	for (; *s; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || *s == '-' || *s == ':' || *s == '_'))
			return false;
	return true;
}
static bool km2_text_ok(const char *s)
{
	if (strlen(s) > 256)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int vpnc_km2_peer_info(char *out, size_t cap, const char *ciphers, unsigned iv_proto, int mtu_max,
                          const char *iv_gui_ver, const char *iv_sso)
{
	struct km2_out o = {out, cap, 0, false};

	if (out == NULL || cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!km2_cipher_list_ok(ciphers) || (iv_proto & VPNC_IV_PROTO_RESERVED) ||
	    (iv_proto != 0 && !(iv_proto & VPNC_IV_PROTO_DATA_V2)) ||
	    (iv_gui_ver && !km2_text_ok(iv_gui_ver)) || (iv_sso && !km2_text_ok(iv_sso)))
		return -EINVAL;

	km2_puts(&o, "IV_VER=" VPNC_KM2_IV_VER "\nIV_PLAT=linux\nIV_TCPNL=1\n");
	if (mtu_max > 0) {
		km2_puts(&o, "IV_MTU=");
		km2_putu(&o, (unsigned long)mtu_max);
		km2_puts(&o, "\n");
	}
	if (vpnc_colon_list_has(ciphers, "AES-128-GCM", 11) && vpnc_colon_list_has(ciphers, "AES-256-GCM", 11))
		km2_puts(&o, "IV_NCP=2\n");
	km2_puts(&o, "IV_CIPHERS=");
	km2_puts(&o, ciphers);
	km2_puts(&o, "\nIV_PROTO=");
	km2_putu(&o, iv_proto);
	km2_puts(&o, "\nIV_LZO_STUB=1\nIV_COMP_STUB=1\nIV_COMP_STUBv2=1\n");
	if (iv_gui_ver) {
		km2_puts(&o, "IV_GUI_VER=");
		km2_puts(&o, iv_gui_ver);
		km2_puts(&o, "\n");
	}
	if (iv_sso) {
		km2_puts(&o, "IV_SSO=");
		km2_puts(&o, iv_sso);
		km2_puts(&o, "\n");
	}
	if (o.err) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)o.len;
}

int vpnc_km2_peer_info_p2p(char *out, size_t cap, const char *ciphers, unsigned iv_proto, bool full)
{
	struct km2_out o = {out, cap, 0, false};

	if (out == NULL || cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!km2_cipher_list_ok(ciphers) || (iv_proto & VPNC_IV_PROTO_RESERVED) ||
	    (iv_proto != 0 && !(iv_proto & VPNC_IV_PROTO_DATA_V2)))
		return -EINVAL;
	if (full)
		km2_puts(&o, "IV_VER=" VPNC_KM2_IV_VER "\nIV_PLAT=linux\nIV_TCPNL=1\n");
	km2_puts(&o, "IV_CIPHERS=");
	km2_puts(&o, ciphers);
	km2_puts(&o, "\nIV_PROTO=");
	km2_putu(&o, iv_proto);
	km2_puts(&o, "\n");
	if (full)
		km2_puts(&o, "IV_LZO_STUB=1\nIV_COMP_STUB=1\nIV_COMP_STUBv2=1\n");
	if (o.err) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)o.len;
}

bool vpnc_km2_info_get(const char *info, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = info;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '\n');
		size_t l = end != NULL ? (size_t)(end - p) : strlen(p);

		if (l > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vl = l - nl - 1;

			if (vl >= cap)
				return false;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

int vpnc_km2_occ_string(char *out, size_t cap, const struct vpnc_km2_occ *occ)
{
	bool tcp = occ->tcp, server = occ->server, tls_auth = occ->tls_auth, comp = occ->comp, tap = occ->tap;
	int tun_mtu = occ->tun_mtu, key_direction = occ->key_direction, mtu_extra = occ->mtu_extra;
	const char *auth_digest = occ->auth_digest;
	bool frag = occ->fragment;
	struct km2_out o = {out, cap, 0, false};
	char name[KM2_DIGEST_NAME_MAX];
	int md_size = 0;
	size_t n;

	if (out == NULL || cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (auth_digest == NULL)
		auth_digest = "SHA1";
	n = strlen(auth_digest);
	if (tun_mtu < 48 || tun_mtu > 65535 || key_direction < -1 || key_direction > 1 || n == 0 ||
	    n >= sizeof(name))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		name[i] = (char)toupper((unsigned char)auth_digest[i]);
	if (strcmp(name, "NONE") == 0) {
		strcpy(name, "[null-digest]");
	} else {
		EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);

		if (md == NULL)
			return -EINVAL;
		md_size = EVP_MD_get_size(md);
		EVP_MD_free(md);
		if (md_size <= 0)
			return -EINVAL;
	}

	if (tun_mtu < 0 || mtu_extra < 0)
		return -EINVAL;
	km2_puts(&o, tap ? "V4,dev-type tap,link-mtu " : "V4,dev-type tun,link-mtu ");
	km2_putu(&o, (unsigned long)tun_mtu + (unsigned long)mtu_extra + KM2_OCC_BF_OVERHEAD + KM2_OCC_OPCODE +
	                 KM2_OCC_PACKET_ID + (unsigned long)md_size + (tcp ? KM2_OCC_TCP_LEN : 0) +
	                 (frag ? KM2_OCC_FRAG_HDR : 0));
	km2_puts(&o, ",tun-mtu ");
	km2_putu(&o, (unsigned long)tun_mtu);
	km2_puts(&o, ",proto ");
	km2_puts(&o, !tcp ? "UDPv4" : server ? "TCPv4_SERVER" : "TCPv4_CLIENT");
	/* 2.6 names a configured compression context here; `compress migrate` servers look for it. */
	if (comp)
		km2_puts(&o, ",comp-lzo");
	/* 2.6 still names 'fragment' by its old option name. */
	if (frag)
		km2_puts(&o, ",mtu-dynamic");
	if (key_direction >= 0)
		km2_puts(&o, key_direction ? ",keydir 1" : ",keydir 0");
	km2_puts(&o, ",auth ");
	km2_puts(&o, name);
	km2_puts(&o, ",keysize ");
	km2_putu(&o, KM2_OCC_KEYSIZE);
	if (tls_auth)
		km2_puts(&o, ",tls-auth");
	km2_puts(&o, ",key-method 2");
	km2_puts(&o, server ? ",tls-server" : ",tls-client");
	if (o.err || o.len + 1 > VPNC_KM2_OPTIONS_MAX) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)o.len;
}

int vpnc_km2_occ_cipher(const char *occ, char *out, size_t cap)
{
	static const char key[] = ",cipher ";
	const char *p = strstr(occ, key);
	size_t n;

	if (cap)
		out[0] = '\0';
	if (p == NULL)
		return 0;
	p += sizeof(key) - 1;
	n = strcspn(p, ",");
	if (n >= cap)
		return -ENOSPC;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

