/*
 * ctrlmsg.h: control messages carried as text over the TLS channel.
 *
 * Each message is printable ASCII terminated by a NUL. We send one message
 * per TLS record, but what TLS hands back is a byte stream: a message may be
 * split across reads, and one read may hold several. struct vpnc_ctrlmsg_rx
 * reassembles them and hands complete, validated messages to a callback.
 *
 * Ownership: the rx struct is a plain value owned by the caller (no
 * allocation). The msg pointer given to the callback points into rx->buf and
 * is valid only during the callback; it is NUL-terminated. Once the callback
 * returns (or a message is found bad) its bytes are wiped, since a message
 * may carry a secret (a pushed auth-token).
 */
#ifndef VPNC_CTRLMSG_H
#define VPNC_CTRLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPNC_CTRLMSG_MAX 4096 /* longest accepted message, without the NUL */

struct vpnc_ctrlmsg_rx {
	char buf[VPNC_CTRLMSG_MAX + 1];
	size_t len;
	bool overflow; /* the current message is bad and is being skipped up to its NUL */
};

void vpnc_ctrlmsg_rx_init(struct vpnc_ctrlmsg_rx *rx);

/*
 * Called once per complete message with msg NUL-terminated (the NUL and any
 * trailing CR/LF stripped, len without them), or with msg = NULL and len = 0
 * once per bad message (a non-printable byte, a CR/LF before the end, or more
 * than VPNC_CTRLMSG_MAX bytes). Empty messages are skipped silently.
 */
typedef void (*vpnc_ctrlmsg_cb)(void *ctx, const char *msg, size_t len);

/*
 * Feeds plaintext bytes from TLS. Calls cb for each complete message as
 * described above. Returns the number of good messages delivered, or -EINVAL
 * if rx or cb is NULL (or data is NULL with len > 0).
 */
int vpnc_ctrlmsg_feed(struct vpnc_ctrlmsg_rx *rx, const uint8_t *data, size_t len, vpnc_ctrlmsg_cb cb,
                      void *ctx);

/* Wipes the reassembly buffer (it may have held an auth-token). */
void vpnc_ctrlmsg_rx_wipe(struct vpnc_ctrlmsg_rx *rx);

enum vpnc_ctrlmsg_type {
	VPNC_MSG_UNKNOWN,
	VPNC_MSG_PUSH_REQUEST,
	VPNC_MSG_PUSH_REPLY,
	VPNC_MSG_AUTH_FAILED,
	VPNC_MSG_RESTART,
	VPNC_MSG_HALT,
	VPNC_MSG_INFO_PRE,
	VPNC_MSG_INFO,
	VPNC_MSG_CR_RESPONSE,
	VPNC_MSG_AUTH_PENDING,
	VPNC_MSG_EXIT,
};

/*
 * Classifies a message by its command word, in OpenVPN's dispatch order
 * (AUTH_FAILED, PUSH_*, RESTART, HALT, INFO_PRE, INFO, CR_RESPONSE,
 * AUTH_PENDING, EXIT). Unlike OpenVPN's plain prefix test, the command must be
 * followed by ',' or the end of the message ("INFOX" is unknown). *arg (if
 * arg is not NULL) is set to the text after "COMMAND," or to "" when there is
 * none, and *arg_len to its length. For UNKNOWN, *arg is the whole message.
 */
enum vpnc_ctrlmsg_type vpnc_ctrlmsg_classify(const char *msg, size_t len, const char **arg,
                                             size_t *arg_len);

#endif
