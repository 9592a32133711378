/*
 * engine_frag.h: the engine's side of 'fragment' (engine_frag.c): splitting
 * what it sends and reassembling what it receives, around the data channel.
 */
#ifndef VPNC_CORE_ENGINE_FRAG_H
#define VPNC_CORE_ENGINE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/buf.h"

struct vpnc_engine;
struct vpnc_engine_cfg;
struct vpnc_keystate;
struct vpnc_dc_key;

/* Returned by vpnc__frag_link_in() for a plaintext it refused (already counted and logged). */
#define VPNC__FRAG_DROPPED (-EBADE)

/* At engine creation: takes the setting and allocates the reassembly buffers. Returns 0 or -ENOMEM. */
int vpnc__frag_init(struct vpnc_engine *e, const struct vpnc_engine_cfg *cfg);
void vpnc__frag_free(struct vpnc_engine *e);

/* With each new key: the fragment limit for its cipher and header (2.6 recomputes it then too). */
void vpnc__frag_keys(struct vpnc_engine *e, const struct vpnc_dc_key *dc);

/*
 * Seals the TUN packet ip/len: whole, or its first fragment (the rest follow
 * through vpnc_engine_tun_in_next()). Returns the link packet's length or a
 * negative code (-EMSGSIZE: it would need more than 32 fragments).
 */
int vpnc__frag_tun_in(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *ip, size_t len,
                      struct vpnc_buf *out);

/* Seals one of the engine's own messages (ping, OCC) whole. */
int vpnc__frag_own(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *msg, size_t len,
                   struct vpnc_buf *out);

/*
 * Opens one data packet under ks into tun_out. Returns the payload length with
 * vpnc_buf_data(tun_out) moved to the payload (0: a fragment was kept, or the
 * payload is empty), the codes of vpnc_dc_decrypt() for a packet that did not
 * open or whose framing is bad, or VPNC__FRAG_DROPPED.
 */
int vpnc__frag_link_in(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now, const uint8_t *pkt,
                       size_t len, struct vpnc_buf *tun_out);

/*
 * A path MTU the socket reported (vpnc_engine_path_mtu(), 68 or more): 2.6's
 * frame_adjust_path_mtu() on e->fragment and e->mssfix, each change logged
 * through the rate-limited log (an off-path ICMP can cause it).
 * Returns what changed (VPNC__PMTU_* bits): the caller recomputes the limits
 * of the key in use.
 */
#define VPNC__PMTU_FRAGMENT 1u
#define VPNC__PMTU_MSSFIX 2u
unsigned vpnc__frag_path_mtu(struct vpnc_engine *e, uint64_t now, int pmtu);
/* True when 'fragment' keeps every data packet within a path MTU of pmtu bytes. */
bool vpnc__frag_fits(const struct vpnc_engine *e, int pmtu);

/* The reaper of partial packets (2.6's fragment_wakeup), and when it next has work. */
void vpnc__frag_tick(struct vpnc_engine *e, uint64_t now);
uint64_t vpnc__frag_next(const struct vpnc_engine *e);

#endif
