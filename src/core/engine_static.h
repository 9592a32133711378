/*
 * engine_static.h: static-key mode (engine_static.c), for engine.c.
 */
#ifndef VPNC_CORE_ENGINE_STATIC_H
#define VPNC_CORE_ENGINE_STATIC_H

#include <stdint.h>

struct vpnc_engine;
struct vpnc_engine_cfg;

/* Keys the one data-channel key from cfg->static_key. Returns 0 or a negative code (logged). */
int vpnc__static_init(struct vpnc_engine *e, const struct vpnc_engine_cfg *cfg);
/* Brings the session up at once: keepalive, MSS, the CONNECTED event with the profile's net. */
void vpnc__static_start(struct vpnc_engine *e, uint64_t now);

#endif
