/*
 * colonlist.h: OpenVPN's colon-separated name lists (data-ciphers,
 * IV_CIPHERS): whether a name is one whole entry of such a list.
 */
#ifndef VPNC_CORE_COLONLIST_H
#define VPNC_CORE_COLONLIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if the name_len bytes at name are one entry of list, compared without
 * case, as OpenVPN compares cipher names. An empty name is in no list.
 */
bool vpnc_colon_list_has(const char *list, const char *name, size_t name_len);

#endif
