/*
 * scrv1.c: owns the static-challenge password encoding (scrv1.h), as
 * OpenVPN's client sends it and its server's auth-user-pass-verify scripts
 * read it (https://github.com/OpenVPN/openvpn/blob/release/2.6/doc/management-notes.txt,
 * "Challenge/Response Protocol").
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64.h"
#include "core/scrv1.h"

size_t vpnc_scrv1_len(size_t pass_len, size_t resp_len, bool concat)
{
	if (concat)
		return pass_len + resp_len + 1;
	return 6 + vpnc_b64_len(pass_len) + 1 + vpnc_b64_len(resp_len) + 1;
}

int vpnc_scrv1_encode(const char *pass, const char *resp, bool concat, char *out, size_t cap)
{
	size_t pl = strlen(pass), rl = strlen(resp), off;

	if (vpnc_scrv1_len(pl, rl, concat) > cap || cap > (size_t)0x7fffffff) {
		if (cap > 0)
			OPENSSL_cleanse(out, cap);
		return -ENOSPC;
	}
	if (concat) {
		memcpy(out, pass, pl);
		memcpy(out + pl, resp, rl + 1);
		return (int)(pl + rl);
	}
	memcpy(out, "SCRV1:", 6);
	off = 6;
	/* The length check above leaves room for both encodings, so neither call fails. */
	off += (size_t)vpnc_b64_encode(pass, pl, out + off, cap - off);
	out[off++] = ':';
	off += (size_t)vpnc_b64_encode(resp, rl, out + off, cap - off);
	return (int)off;
}
