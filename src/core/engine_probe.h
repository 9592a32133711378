/*
 * engine_probe.h: the path probe after a network change (engine_probe.c;
 * docs/roaming.md), for the engine's timers.
 */
#ifndef VPNC_CORE_ENGINE_PROBE_H
#define VPNC_CORE_ENGINE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct vpnc_engine;

/* Runs the probe's clock; returns true if the session ended (the probe was not answered). */
bool vpnc__probe_tick(struct vpnc_engine *e, uint64_t now);
/* When vpnc__probe_tick() has work: 0 once answered, the deadline while waiting, else UINT64_MAX. */
uint64_t vpnc__probe_next(const struct vpnc_engine *e);

#endif
