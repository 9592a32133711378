/*
 * ip4.h: IPv4 address arithmetic shared by the status report, the OS address
 * code, the script environment, the PUSH_REPLY parser and the privileged
 * parent's message check. Header-only, no I/O.
 */
#ifndef VPNC_IP4_H
#define VPNC_IP4_H

#include <stdint.h>

/* Prefix length of a contiguous IPv4 netmask (host order), or -1 if not contiguous. */
static inline int vpnc_ip4_mask_prefix(uint32_t mask)
{
	uint32_t inv = ~mask;

	/* A contiguous mask's complement is 2^k - 1. */
	if ((inv & (inv + 1)) != 0)
		return -1;
	return __builtin_popcount(mask);
}

#endif
