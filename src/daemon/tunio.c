/*
 * tunio.c: owns the TUN side of the data path: opening the device with
 * offloads (falling back to a plain TUN), reading and splitting
 * super-packets into engine-encrypted link packets, and writing decrypted
 * packets through the GRO coalescer. See tunio.h and docs/offload.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon/log.h"
#include "daemon/tunio.h"
#include "os/tun_offload.h"

/* Bytes allocated for the read buffer in each mode. */
#define VPNC_TUNIO_RX_PLAIN VPNC_PKT_BUF
#define VPNC_TUNIO_RX_VNET VPNC_VNET_FRAME_MAX

static void note_write_error(struct vpnc_tunio *t, int err)
{
	/* Only the first failure is formatted; the rest are counted. */
	if (t->write_errors++ == 0)
		vpnc_log(VPNC_LOG_MORE, "writing to %s failed (%s); dropping such packets", t->tun->name,
		         strerror(err));
}

/* GRO's output: one frame (virtio_net_hdr + packet) for the TUN. */
static void gro_write(void *ctx, const uint8_t *frame, size_t len)
{
	struct vpnc_tunio *t = ctx;

	if (t->tun->fd >= 0 && write(t->tun->fd, frame, len) < 0)
		note_write_error(t, errno); /* EAGAIN: a full queue drops, as a network would */
}

void vpnc_tunio_release(struct vpnc_tunio *t)
{
	if (t->rx != NULL) {
		OPENSSL_cleanse(t->rx, t->vnet ? VPNC_TUNIO_RX_VNET : VPNC_TUNIO_RX_PLAIN);
		free(t->rx);
	}
	t->rx = NULL;
	vpnc_gro_free(t->gro);
	t->gro = NULL;
}

int vpnc_tunio_open(struct vpnc_tunio *t, const char *dev, bool tap, bool offload, struct vpnc_tun *tun)
{
	int off;

	memset(t, 0, sizeof(*t));
	/* The offload code splits and merges IP packets: a TAP's frames go without it (docs/tap.md). */
	if (tap) {
		off = vpnc_tun_open_type(dev, true, tun);
		offload = false;
	} else {
		off = vpnc_tun_offload_open(dev, offload, tun);
	}
	if (off < 0)
		return off;
	return vpnc_tunio_adopt(t, off, offload, tun);
}

int vpnc_tunio_adopt(struct vpnc_tunio *t, int off, bool offload, struct vpnc_tun *tun)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->tun = tun;
	t->offloads = off;
	t->vnet = (off & VPNC_TUN_OFF_VNET) != 0;
	/* A plain read is bounded by the largest link packet, as the engine's input is. */
	t->rx_cap = t->vnet ? VPNC_TUNIO_RX_VNET : VPNC_LINK_MAX;
	t->rx = malloc(t->vnet ? VPNC_TUNIO_RX_VNET : VPNC_TUNIO_RX_PLAIN);
	if (t->rx == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	if (t->vnet && (ret = vpnc_gro_new(0, gro_write, t, &t->gro)) < 0)
		goto fail;
	if (t->vnet)
		vpnc_log(VPNC_LOG_MORE, "TUN offloads on %s: vnet tso%s", tun->name,
		         (off & VPNC_TUN_OFF_USO) ? " uso" : "");
	else
		vpnc_log(VPNC_LOG_MORE, "TUN offloads on %s: none%s", tun->name,
		         offload ? " (the kernel refused them)" : " (disabled)");
	return 0;
fail:
	vpnc_tunio_release(t);
	vpnc_tun_close(tun);
	t->tun = NULL;
	return ret;
}

/* The link's next send buffer (after a flush if its queue is full), else the spare. */
static void next_out(struct vpnc_link *link, uint8_t *spare, struct vpnc_buf *out)
{
	uint8_t *base = vpnc_link_tx_buf(link);

	if (base == NULL) {
		/* The link's queue is full: hand it to the kernel, then take a freed buffer. */
		(void)vpnc_link_flush(link);
		base = vpnc_link_tx_buf(link);
	}
	vpnc_buf_init(out, base != NULL ? base : spare, VPNC_PKT_BUF, VPNC_HEADROOM);
}

/*
 * Encrypts one IP packet into the link's next send buffer and queues it there;
 * with 'fragment', each further fragment into a buffer of its own (one batch,
 * as a GSO split is).
 */
static void send_one(struct vpnc_tunio *t, struct vpnc_engine *eng, struct vpnc_link *link,
                     uint64_t now, uint8_t *ip, size_t len, uint8_t *spare)
{
	struct vpnc_buf out;

	next_out(link, spare, &out);
	if (vpnc_engine_tun_in(eng, now, ip, len, &out) != 0)
		return;
	if (vpnc_link_send(link, vpnc_buf_data(&out), out.len) < 0)
		t->dropped++;
	/* Bounded: the engine splits a packet into at most 32 fragments. */
	while (vpnc_engine_tun_more(eng)) {
		next_out(link, spare, &out);
		if (vpnc_engine_tun_in_next(eng, now, ip, len, &out) != 1)
			break;
		if (vpnc_link_send(link, vpnc_buf_data(&out), out.len) < 0)
			t->dropped++;
	}
}

int vpnc_tunio_read(struct vpnc_tunio *t, struct vpnc_engine *eng, struct vpnc_link *link,
                    uint64_t now, uint8_t *spare)
{
	bool up = eng != NULL && link != NULL;
	int pkts = 0;

	for (int i = 0; i < (t->one_per_read ? 1 : VPNC_TUNIO_BUDGET); i++) {
		if (up && vpnc_link_busy(link))
			break; /* back-pressure: leave the rest in the TUN queue */
		ssize_t n = read(t->tun->fd, t->rx, t->rx_cap);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno; /* EBADFD/EIO: the device was deleted; polling would spin */
		}
		/* Not connected (reconnecting) or empty: drop. */
		if (!up || n == 0)
			continue;
		if (!t->vnet) {
			/* Possibly truncated: drop. */
			if ((size_t)n < t->rx_cap) {
				send_one(t, eng, link, now, t->rx, (size_t)n, spare);
				pkts++;
			}
			continue;
		}
		struct vpnc_gso g;
		uint8_t *ip;
		size_t len;
		int segs = vpnc_gso_begin(&g, t->rx, (size_t)n);
		if (segs < 0) {
			t->bad_frames++; /* malformed or not enabled: drop */
			continue;
		}
		/* The engine is done with each segment before the next is built over its tail. */
		while (vpnc_gso_next(&g, &ip, &len) == 1) {
			send_one(t, eng, link, now, ip, len, spare);
			pkts++;
		}
		/* One super-packet is one run of equal-sized packets: one GSO send or writev. */
		if (segs > 1)
			(void)vpnc_link_flush(link);
	}
	return pkts;
}

void vpnc_tunio_write(struct vpnc_tunio *t, struct vpnc_buf *pkt)
{
	if (t->tun == NULL || t->tun->fd < 0)
		return;
	if (t->gro != NULL) {
		if (vpnc_gro_add(t->gro, pkt) < 0)
			t->write_errors++; /* no headroom for the header: cannot happen with engine buffers */
		return;
	}
	if (write(t->tun->fd, vpnc_buf_data(pkt), pkt->len) < 0)
		note_write_error(t, errno);
}

void vpnc_tunio_flush(struct vpnc_tunio *t)
{
	if (t->gro != NULL)
		vpnc_gro_flush(t->gro);
}
