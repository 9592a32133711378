/*
 * ctrlchan.h: the control channel's functions for the engine (ctrlchan.c):
 * key states, control packets in and out, and its retransmission timer.
 */
#ifndef VPNC_CORE_CTRLCHAN_H
#define VPNC_CORE_CTRLCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "vpnc/buf.h"

struct vpnc_engine;
struct vpnc_keystate;

/* Queues our first reset (client) and sets up key state 0. */
int vpnc__ctrl_start(struct vpnc_engine *e, uint64_t now);
/*
 * Takes one control packet. Returns 1 when the current key state (e->ks) got
 * input for what runs inside TLS, which the engine then hands to the key
 * exchange (keyex.h); 0 when there is nothing for it; or a negative error.
 */
int vpnc__ctrl_in(struct vpnc_engine *e, uint64_t now, const uint8_t *pkt, size_t len);
int vpnc__ctrl_out(struct vpnc_engine *e, uint64_t now, struct vpnc_buf *out);
uint64_t vpnc__ctrl_next_timer(const struct vpnc_engine *e);
/* Starts a renegotiation: a new key state on the next key id, with our SOFT_RESET queued. */
int vpnc__soft_reset(struct vpnc_engine *e, uint64_t now);
/* The key state whose keys encrypt outgoing data, or NULL. */
struct vpnc_keystate *vpnc__tx_key(struct vpnc_engine *e);
/* Frees a key state's TLS and keys and wipes all it held (key-method-2 randoms, control packets,
 * control messages): before the slot is reused or the engine freed. */
void vpnc__ks_clear(struct vpnc_keystate *ks);

#endif
