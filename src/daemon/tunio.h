/*
 * tunio.h: the TUN side of the daemon's data path, with or without the
 * kernel's offloads (os/tun_offload.h, core/vnet.h, docs/offload.md).
 *
 * Upload: vpnc_tunio_read() reads frames from the TUN; with offloads each
 * TSO/USO super-packet is split in place into MSS-sized segments
 * (vpnc_gso_next) and each segment is encrypted by the engine straight into
 * a send buffer lent by the link (vpnc_link_tx_buf), so one read becomes one
 * batch for the link with no copy. Download: vpnc_tunio_write() takes each
 * decrypted packet; with offloads TCP segments are merged (vpnc_gro_add) and
 * vpnc_tunio_flush(), once per receive batch, writes the super-packets.
 *
 * Ownership: struct vpnc_tunio is embedded by the loop; it owns its read
 * buffer (wiped when released: it held plaintext) and the GRO state, and
 * borrows the struct vpnc_tun, which the caller opens through
 * vpnc_tunio_open() and closes with vpnc_tun_close() as before. Nothing is
 * allocated or formatted per packet.
 */
#ifndef VPNC_DAEMON_TUNIO_H
#define VPNC_DAEMON_TUNIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vnet.h"
#include "daemon/link.h"
#include "os/os.h"
#include "vpnc/engine.h"

/* Frames read from the TUN per wakeup before other work gets a turn. */
#define VPNC_TUNIO_BUDGET 64

struct vpnc_tunio {
	struct vpnc_tun *tun;        /* borrowed; NULL before vpnc_tunio_open() */
	int offloads;                /* VPNC_TUN_OFF_* bits in effect (0: a plain TUN) */
	bool vnet;                   /* frames carry a virtio_net_hdr */
	uint8_t *rx;                 /* read buffer, rx_cap bytes (owned) */
	size_t rx_cap;
	struct vpnc_gro *gro;        /* owned; NULL without vnet */
	uint64_t write_errors;       /* TUN writes that failed (dropped) */
	uint64_t bad_frames;         /* frames refused by vpnc_gso_begin() */
	uint64_t dropped;            /* segments no send buffer was left for */
	bool one_per_read;           /* 'shaper': one packet per vpnc_tunio_read(), as 2.6 reads them */
};

/*
 * Creates the TUN device into *tun (dev as for vpnc_tun_open()), with
 * IFF_VNET_HDR and TSO/USO when offload is true and the kernel agrees, or a
 * TAP device (Ethernet frames) when tap is true, always without offloads, and
 * allocates the read buffer and GRO state. Returns 0, or a negative errno
 * code (nothing is left open).
 */
int vpnc_tunio_open(struct vpnc_tunio *t, const char *dev, bool tap, bool offload, struct vpnc_tun *tun);

/*
 * The same for a device opened elsewhere (the privileged parent under
 * privilege separation, src/priv/privsrv.c) with the VPNC_TUN_OFF_* bits
 * off it got; offload says whether they were asked for (for the log).
 */
int vpnc_tunio_adopt(struct vpnc_tunio *t, int off, bool offload, struct vpnc_tun *tun);

/* Frees the buffers and GRO state (the read buffer wiped); safe to call twice. */
void vpnc_tunio_release(struct vpnc_tunio *t);

/*
 * Reads up to VPNC_TUNIO_BUDGET frames. With eng (a connected engine) and
 * link, every packet or segment is encrypted into the link's next send
 * buffer (spare, VPNC_PKT_BUF bytes, when the link has none) and queued on
 * the link; frames read without them are dropped. Stops early when the TUN
 * is empty or the link reports busy; the caller flushes the link after.
 * Returns how many packets (segments) went to the engine, or a negative
 * errno code when the device cannot be read any more (it was deleted under
 * us).
 */
int vpnc_tunio_read(struct vpnc_tunio *t, struct vpnc_engine *eng, struct vpnc_link *link,
                    uint64_t now, uint8_t *spare);

/*
 * Writes one decrypted packet (at vpnc_buf_data(pkt), with at least
 * VPNC_VNET_HDR_LEN bytes of headroom) to the TUN, or keeps it for merging
 * until vpnc_tunio_flush(). A failed write drops the packet.
 */
void vpnc_tunio_write(struct vpnc_tunio *t, struct vpnc_buf *pkt);

/* Writes every merged packet kept by vpnc_tunio_write(); once per receive batch. */
void vpnc_tunio_flush(struct vpnc_tunio *t);

#endif
