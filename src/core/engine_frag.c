/*
 * engine_frag.c: 'fragment N [mtu]' in the engine (docs/fragment.md): where
 * OpenVPN 2.6 puts its fragmentation, between the compression framing and the
 * cipher. Sending, the framed packet is sealed whole behind a WHOLE header,
 * or split into fragments that are each sealed straight from the caller's TUN
 * packet into one caller buffer per link packet (the engine keeps only the
 * offset of the next one). Receiving, the plaintext is opened without its
 * framing, its fragment header read (core/fragment.c), and a whole packet
 * unframed in place; a completed packet comes from a reassembly buffer
 * allocated with the engine and is copied once into the TUN buffer.
 *
 * Nothing here allocates per packet or formats on the packet path: a refused
 * fragment is counted (VPNC_DROP_FRAG) with one log line, and its reason goes
 * through the peer's rate-limited log.
 *
 * It also owns 2.6's answer to a path MTU the socket reports
 * (vpnc__frag_path_mtu): 'fragment' and 'mssfix' lowered to it for the rest
 * of the session.
 */
#include <errno.h>
#include <string.h>

#include "core/engine_frag.h"
#include "core/ctrlchan.h"
#include "core/engine_event.h"
#include "core/engine_int.h"

static const char *const frag_errs[] = {
	[VPNC_FRAG_OK] = "",
	[VPNC_FRAG_E_SHORT] = "shorter than the fragment header",
	[VPNC_FRAG_E_WHOLE_FLAGS] = "spurious FRAG_WHOLE flags",
	[VPNC_FRAG_E_TEST] = "FRAG_TEST not implemented",
	[VPNC_FRAG_E_SIZE] = "bad fragment size",
	[VPNC_FRAG_E_OVERFLOW] = "fragment buffer overflow",
	[VPNC_FRAG_E_GAP] = "reassembled packet with bytes no fragment carried",
};

int vpnc__frag_init(struct vpnc_engine *e, const struct vpnc_engine_cfg *cfg)
{
	uint8_t seq = 0;

	if (cfg->fragment <= 0)
		return 0;
	/* 2.6 refuses 'fragment' on TCP; so does the config reader. */
	if (cfg->transport == VPNC_TRANSPORT_TCP || cfg->fragment < VPNC_FRAG_MIN)
		return -EINVAL;
	e->fragment = cfg->fragment;
	e->fragment_mtu = cfg->fragment_mtu;
	/* 2.6: mssfix defaults to the fragment value (with the outer headers, as its default mssfix). */
	if (cfg->mssfix < 0) {
		e->mssfix = cfg->fragment;
		e->mssfix_mode = VPNC_MSSFIX_MTU;
	}
	/* As 2.6: a random first sequence id, so a restarted session does not reuse the last ones. */
	e->rand(e->rand_ctx, &seq, sizeof(seq));
	e->ftx.seq = seq;
	/* A completed packet must fit the TUN buffer it is copied to. */
	return vpnc_frag_rx_init(&e->frx, VPNC_PKT_BUF - VPNC_HEADROOM);
}

void vpnc__frag_free(struct vpnc_engine *e)
{
	vpnc_frag_rx_free(&e->frx);
}

void vpnc__frag_keys(struct vpnc_engine *e, const struct vpnc_dc_key *dc)
{
	bool cbc = dc->mode == VPNC_DC_MODE_CBC;

	e->frag_max = vpnc_frag_max_payload(e->fragment, e->fragment_mtu, e->link_ipv6, dc->peer_id >= 0,
	                                    cbc ? dc->block : 0, cbc ? dc->enc_mac.len : 0, dc->static_fmt);
	VPNC_LOG(e, 4, "fragment %d%s: at most %zu bytes of payload per fragment (max_frag), TCP MSS %u (mss_fix)",
	         e->fragment, e->fragment_mtu ? " mtu" : "", e->frag_max, (unsigned)e->mss4);
}

/* Seals the next fragment of the packet in e->ftx. Returns the link packet's length or a negative code. */
static int frag_next(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *ip, size_t len,
                     struct vpnc_buf *out)
{
	struct vpnc_frag_tx *t = &e->ftx;
	size_t n = t->total - t->off;
	bool last = n <= t->size;

	if (!last)
		n = t->size;
	uint32_t h = vpnc_frag_hdr(last ? VPNC_FRAG_LAST : VPNC_FRAG_NOT_LAST, t->seq, t->id, t->size);
	int r = vpnc_dc_encrypt_frag(&ks->dc, h, ip, len, t->off, n, vpnc_buf_data(out), out->cap - out->off);
	if (r < 0) {
		t->active = false;
		return r;
	}
	t->off += n;
	t->id++;
	t->active = !last;
	return r;
}

int vpnc__frag_tun_in(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *ip, size_t len,
                      struct vpnc_buf *out)
{
	struct vpnc_frag_tx *t = &e->ftx;
	size_t flen = vpnc_dc_framed_len(&ks->dc, ip, len);

	/* A packet still being split is given up, as 2.6 does when its outgoing buffer is not empty. */
	t->active = false;
	if (flen <= e->frag_max)
		return vpnc_dc_encrypt_frag(&ks->dc, vpnc_frag_hdr(VPNC_FRAG_WHOLE, 0, 0, 0), ip, len, 0, flen,
		                            vpnc_buf_data(out), out->cap - out->off);
	size_t size = vpnc_frag_size_for(flen, e->frag_max);
	if (size == 0 || flen > size * VPNC_FRAG_MAX_FRAGS)
		return -EMSGSIZE; /* 2.6: "too many fragments would be required" */
	t->seq = (uint8_t)(t->seq + 1);
	t->id = 0;
	t->size = size;
	t->off = 0;
	t->total = flen;
	t->active = true;
	return frag_next(e, ks, ip, len, out);
}

int vpnc__frag_own(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *msg, size_t len,
                   struct vpnc_buf *out)
{
	(void)e;
	return vpnc_dc_encrypt_frag(&ks->dc, vpnc_frag_hdr(VPNC_FRAG_WHOLE, 0, 0, 0), msg, len, 0,
	                            vpnc_dc_framed_len(&ks->dc, msg, len), vpnc_buf_data(out), out->cap - out->off);
}

bool vpnc_engine_tun_more(const struct vpnc_engine *e)
{
	return e->ftx.active;
}

int vpnc_engine_tun_in_next(struct vpnc_engine *e, uint64_t now, const uint8_t *ip, size_t len,
                            struct vpnc_buf *out)
{
	struct vpnc_keystate *ks = vpnc__tx_key(e);

	if (!e->ftx.active)
		return 0;
	if (ks == NULL || e->state == VPNC_ST_FAILED || ip == NULL || len == 0 ||
	    vpnc_dc_framed_len(&ks->dc, ip, len) != e->ftx.total) {
		e->ftx.active = false;
		return 0;
	}
	int n = frag_next(e, ks, ip, len, out);
	if (n < 0)
		return n;
	out->len = (size_t)n;
	e->last_send = now;
	ks->pkts++;
	e->stats.link_out_pkts++;
	e->stats.link_out_bytes += (size_t)n;
	return 1;
}

/* 2.6's datagram_overhead(): the outer IPv4 or IPv6 header and the UDP header. */
static int frag_encap(const struct vpnc_engine *e)
{
	return e->link_ipv6 ? 40 + 8 : 20 + 8;
}

bool vpnc__frag_fits(const struct vpnc_engine *e, int pmtu)
{
	return e->fragment > 0 && e->fragment + (e->fragment_mtu ? 0 : frag_encap(e)) <= pmtu;
}

unsigned vpnc__frag_path_mtu(struct vpnc_engine *e, uint64_t now, int pmtu)
{
	/* 2.6 looks at the socket's hint in check_fragment(), which runs only with 'fragment', and
	 * only when the value differs from the last one the socket reported. */
	if (e->fragment <= 0 || pmtu == e->path_mtu)
		return 0;
	e->path_mtu = pmtu;
	int encap = frag_encap(e);
	unsigned changed = 0;

	/* 2.6's frame_adjust_path_mtu(), with its comparisons as they are: N without 'mtu' is
	 * compared with the path MTU as if it counted the outer headers, and N with 'mtu' is taken
	 * down (or up) to the path MTU whenever that is below N plus the headers. Either way the
	 * new value fits the path: 'PMTU mtu'. 'mssfix N fixed' stays fixed (2.6 keeps that flag). */
	bool mss_encap = e->mssfix_mode == VPNC_MSSFIX_MTU;
	if (e->mssfix > 0 && (pmtu < e->mssfix || (mss_encap && pmtu < e->mssfix + encap))) {
		VPNC_PEER_LOG(e, now, 1, "Note adjusting 'mssfix %d%s' to 'mssfix %d mtu' according to path MTU discovery",
		              e->mssfix, mss_encap ? " mtu" : "", pmtu);
		e->mssfix = pmtu;
		if (e->mssfix_mode != VPNC_MSSFIX_FIXED)
			e->mssfix_mode = VPNC_MSSFIX_MTU;
		changed |= VPNC__PMTU_MSSFIX;
	}
	if (pmtu < e->fragment || (e->fragment_mtu && pmtu < e->fragment + encap)) {
		VPNC_PEER_LOG(e, now, 1, "Note adjusting 'fragment %d%s' to 'fragment %d mtu' according to path MTU discovery",
		              e->fragment, e->fragment_mtu ? " mtu" : "", pmtu);
		e->fragment = pmtu;
		e->fragment_mtu = true;
		changed |= VPNC__PMTU_FRAGMENT;
	}
	return changed;
}

static int frag_refused(struct vpnc_engine *e, uint64_t now, enum vpnc_frag_err err)
{
	VPNC_PEER_LOG(e, now, 4, "fragment from the peer refused: %s", frag_errs[err]);
	return vpnc__drop(e, VPNC_DROP_FRAG, VPNC__FRAG_DROPPED);
}

int vpnc__frag_link_in(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now, const uint8_t *pkt,
                       size_t len, struct vpnc_buf *tun_out)
{
	enum vpnc_frag_err err;
	uint8_t *f;
	size_t flen, shift;

	/* The plaintext goes where the fragment header then sits in the headroom, so that a whole
	 * packet's payload lands at the buffer's data without a move (without headroom, the data
	 * start moves forward instead). */
	size_t back = tun_out->off < VPNC_FRAG_HDR ? 0 : VPNC_FRAG_HDR;
	uint8_t *p = vpnc_buf_data(tun_out) - back;
	size_t cap = tun_out->cap - tun_out->off + back;
	int n = vpnc_dc_decrypt_raw(&ks->dc, pkt, len, p, cap);
	if (n < 0)
		return n;
	int r = vpnc_frag_in(&e->frx, now, p, (size_t)n, &f, &flen, &err);
	if (r < 0)
		return frag_refused(e, now, err);
	if (r == 0) {
		if (e->frag_wakeup == 0)
			e->frag_wakeup = now + VPNC_FRAG_WAKEUP_MS;
		return 0;
	}
	if (flen == 0 || f == p + VPNC_FRAG_HDR) {
		/* Whole: unframed where it lies. */
		int m = vpnc_dc_unframe(&ks->dc, f, flen, cap - VPNC_FRAG_HDR, &shift);
		if (m > 0)
			tun_out->off += VPNC_FRAG_HDR - back + shift;
		return m;
	}
	/* Reassembled: unframed in its buffer, then copied once into the TUN buffer. */
	int m = vpnc_dc_unframe(&ks->dc, f, flen, e->frx.cap, &shift);
	if (m <= 0)
		return m;
	if ((size_t)m > tun_out->cap - tun_out->off)
		return -ENOSPC;
	memcpy(vpnc_buf_data(tun_out), f + shift, (size_t)m);
	return m;
}

void vpnc__frag_tick(struct vpnc_engine *e, uint64_t now)
{
	if (e->frag_wakeup == 0 || now < e->frag_wakeup)
		return;
	for (unsigned n = vpnc_frag_reap(&e->frx, now); n > 0; n--)
		(void)vpnc__drop(e, VPNC_DROP_FRAG_EXPIRED, 0);
	e->frag_wakeup = vpnc_frag_pending(&e->frx) ? now + VPNC_FRAG_WAKEUP_MS : 0;
}

uint64_t vpnc__frag_next(const struct vpnc_engine *e)
{
	return e->frag_wakeup != 0 ? e->frag_wakeup : UINT64_MAX;
}
