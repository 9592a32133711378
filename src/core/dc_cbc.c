/*
 * dc_cbc.c: the CBC+HMAC data-channel format of OpenVPN 2.x
 * (openvpn_encrypt_v1() in src/openvpn/crypto.c).
 *
 *   header | HMAC (L) | IV (B) | CBC(packet_id (4) || framed plaintext || PKCS#7 padding)
 *
 * and its static-key form (vpnc_dc_set_static()): no header, and the packet id
 * in long form (id, then the sender's time).
 *
 * Send: a fresh IV from the key's RNG, the cipher fed the packet id, the
 * framing and the payload as separate pieces, then the HMAC over IV and
 * ciphertext (encrypt-then-MAC). Receive: the HMAC is checked first, in
 * constant time; only an authentic packet is decrypted. The first block goes to
 * the stack (it holds the packet id and the framing), the other blocks straight
 * to where the payload belongs; the padding is checked in constant time and a
 * bad one gives the same -EBADMSG as a bad HMAC. No allocation per packet.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/datachan.h"
#include "core/dc_int.h"

/* The packet id's length inside the ciphertext: the long form (id, time) in static-key mode. */
static inline size_t cbc_pid_len(const struct vpnc_dc_key *k)
{
	return k->static_fmt ? VPNC_DC_PID_LONG : VPNC_DC_PID;
}

/* Runs one piece through the cipher and advances *done by what it wrote. */
static bool cbc_piece(EVP_CIPHER_CTX *ctx, uint8_t *out, size_t *done, const uint8_t *in, size_t len)
{
	int outl = 0;
	if (len == 0)
		return true;
	if (!EVP_CipherUpdate(ctx, out + *done, &outl, in, (int)len) || outl < 0)
		return false;
	*done += (size_t)outl;
	return true;
}

int vpnc_dc_cbc_seal(struct vpnc_dc_key *k, const struct dc_piece *pc, size_t npc, size_t plen,
                     const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint8_t pidb[VPNC_DC_PID_LONG];
	size_t done = 0;
	int fin = 0;

	if (k->rand == NULL)
		return -ENOKEY;
	size_t B = k->block, L = k->enc_mac.len;
	size_t hdr = vpnc_dc_hdr_len(k);
	size_t head = hdr + L + B;
	size_t pidlen = cbc_pid_len(k); /* the packet id, and static-key's time after it */
	if (plen > (size_t)INT_MAX - head - pidlen - B)
		return -ENOSPC;
	/* PKCS#7 always adds 1..B bytes. */
	size_t ct_len = ((pidlen + plen) / B + 1) * B;
	if (cap < head + ct_len)
		return -ENOSPC;
	if (dc_overlap(in, len, out, head + ct_len))
		return -EINVAL;
	if (k->send_pid == UINT32_MAX)
		return -EOVERFLOW;
	uint32_t pid = k->send_pid + 1;

	dc_put_header(k, out);
	uint8_t *mac = out + hdr;
	uint8_t *iv = mac + L;
	uint8_t *ct = iv + B;
	k->rand(k->rand_ctx, iv, B);
	vpnc_put_u32(pidb, pid);
	vpnc_put_u32(pidb + VPNC_DC_PID, k->pid_time); /* static-key's long form only */
	bool ok = EVP_EncryptInit_ex(k->enc, NULL, NULL, NULL, iv) && cbc_piece(k->enc, ct, &done, pidb, pidlen);
	for (size_t i = 0; ok && i < npc; i++)
		ok = cbc_piece(k->enc, ct, &done, pc[i].p, pc[i].n);
	if (!ok || !EVP_EncryptFinal_ex(k->enc, ct + done, &fin) || done + (size_t)fin != ct_len) {
		ERR_clear_error();
		return -EIO;
	}
	vpnc_dc_hmac_mac(&k->enc_mac, iv, B + ct_len, mac);
	/* The pid is spent even if the caller never sends the packet. */
	k->send_pid = pid;
	return (int)(head + ct_len);
}

int vpnc_dc_cbc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, size_t hdr, uint8_t *out,
                        size_t cap)
{
	uint8_t mac[VPNC_DC_HMAC_MAX], first[2 * VPNC_DC_MAX_BLOCK];
	struct vpnc_rd rd;
	size_t done = 0;
	int ret;

	size_t B = k->block, L = k->dec_mac.len, plen = cbc_pid_len(k);
	/* The leading blocks that hold the packet id and the framing bytes: one, or two with a
	 * long-form id in 64-bit blocks. Any packet with a payload has at least as many. */
	size_t F = plen + DC_COMP_MAX_LEAD <= B ? B : 2 * B;
	vpnc_rd_init(&rd, pkt, len);
	const uint8_t *h = vpnc_rd_take(&rd, hdr);
	const uint8_t *pmac = vpnc_rd_take(&rd, L);
	const uint8_t *iv = vpnc_rd_take(&rd, B);
	/* Lengths are public: a packet that cannot be whole blocks is malformed, not forged. */
	if (rd.err || (hdr > 0 && h == NULL) || pmac == NULL || iv == NULL || rd.left < F ||
	    rd.left % B != 0 || rd.left > (size_t)INT_MAX)
		return -EINVAL;
	const uint8_t *ct = rd.p;
	size_t P = rd.left;
	if (cap < P)
		return -ENOSPC;
	if (dc_overlap(out, P, pkt, len))
		return -EINVAL;

	ret = -EBADMSG;
	vpnc_dc_hmac_mac(&k->dec_mac, iv, B + P, mac);
	if (CRYPTO_memcmp(mac, pmac, L) != 0)
		goto out;

	ret = -EIO;
	if (!EVP_DecryptInit_ex(k->dec, NULL, NULL, NULL, iv) || !cbc_piece(k->dec, first, &done, ct, F) ||
	    done != F)
		goto out;
	/* The framing follows the packet id in the leading blocks: decide where the rest goes. */
	uint8_t b0 = first[plen], b1 = first[plen + 1];
	size_t skip = plen + dc_frame_shift(k->comp, b0);
	size_t d = F - skip;
	done = 0;
	if (P > F && (!cbc_piece(k->dec, out + d, &done, ct + F, P - F) || done != P - F))
		goto out;
	memcpy(out, first + skip, d);

	/* Plaintext byte i is first[i] below F and out[i - skip] above. Padding in constant time. */
	size_t pad = P >= F + 1 ? out[P - 1 - skip] : first[P - 1];
	unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > B) | (unsigned)(pad + plen > P);
	for (size_t i = 0; i < B; i++) {
		size_t at = P - 1 - i;
		uint8_t byte = at < F ? first[at] : out[at - skip];
		bad |= (unsigned)(i < pad) & (unsigned)(byte != pad);
	}
	ret = -EBADMSG;
	if (bad)
		goto out;

	ret = -EALREADY;
	uint32_t pid = vpnc_get_u32(first);
	uint32_t time = k->static_fmt ? vpnc_get_u32(first + VPNC_DC_PID) : 0;
	if (vpnc_replay_check(&k->replay, pid, time) != 0)
		goto out;
	vpnc_replay_add(&k->replay, pid, time);
	bool z;
	ret = dc_frame_check(k, b0, b1, P - plen - pad, &z);
	ret = dc_frame_finish(k, ret, z, out, cap);
out:
	if (ret == -EIO)
		ERR_clear_error();
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(first, sizeof(first));
	return ret;
}
