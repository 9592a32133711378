/*
 * tun_offload.h: a Linux TUN device with the kernel's segmentation offloads:
 * IFF_VNET_HDR (every read and write carries a 10-byte virtio_net_hdr) and
 * TUNSETOFFLOAD (checksum, TSO4/TSO6 and, on Linux >= 6.2, USO4/USO6).
 *
 * With offloads on, a read returns up to VPNC_VNET_FRAME_MAX bytes (header +
 * a super-packet of up to 64 KB): split it with vpnc_gso_begin()/_next()
 * (core/vnet.h). Writes take a header too (vpnc_gro_*). Without them the
 * device is an ordinary IFF_TUN | IFF_NO_PI one and packets go as they are.
 * docs/offload.md says how the daemon loop uses it.
 */
#ifndef VPNC_TUN_OFFLOAD_H
#define VPNC_TUN_OFFLOAD_H

#include <stdbool.h>

#include "os/os.h"

/* What vpnc_tun_offload_open() got (bits of the result). */
#define VPNC_TUN_OFF_VNET 0x01  /* IFF_VNET_HDR: frames carry a virtio_net_hdr */
#define VPNC_TUN_OFF_TSO  0x02  /* TCP super-packets (TSO4 + TSO6, with CSUM) */
#define VPNC_TUN_OFF_USO  0x04  /* UDP super-packets (USO4 + USO6) */

/*
 * Creates a TUN device like vpnc_tun_open() (same dev rules, non-blocking),
 * with IFF_VNET_HDR and offloads when want_offload is true and the kernel
 * agrees. Returns a negative errno code if no device could be made at all,
 * otherwise the VPNC_TUN_OFF_* bits that are in effect: 0 means a plain TUN
 * (the kernel refused IFF_VNET_HDR or TUNSETOFFLOAD, or want_offload was
 * false); VNET|TSO (and maybe USO) means frames with a header. VNET is never
 * returned without TSO: a header without offloads buys nothing.
 */
int vpnc_tun_offload_open(const char *dev, bool want_offload, struct vpnc_tun *tun);

#endif
