/*
 * config_notes.h: how the daemon hears about options the config reader accepted
 * but does not act on (and other non-fatal remarks).
 *
 * Set a callback before vpnc_config_load() / vpnc_config_parse_text(). After a
 * successful load the reader calls it once per note, in file order, with one
 * sentence such as "client.ovpn:7: option 'persist-tun' ignored: vpnc keeps the
 * tun device across reconnects anyway". Notes about ignored options are passed
 * only when the final 'verb' is 4 or more; warnings that change what happens
 * (for example a configured compression vpnc will not do) are passed from verb 1.
 * The msg string is only valid during the call. The setting is process-global
 * and not thread-safe; NULL turns notes off (the default).
 */
#ifndef VPNC_CONFIG_NOTES_H
#define VPNC_CONFIG_NOTES_H

typedef void (*vpnc_config_note_fn)(void *ctx, const char *msg);

void vpnc_config_set_note_fn(vpnc_config_note_fn fn, void *ctx);

#endif
