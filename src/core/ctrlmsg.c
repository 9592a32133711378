/*
 * ctrlmsg.c: reassembles NUL-terminated control messages from the TLS
 * plaintext stream, rejects malformed ones, and classifies them by command.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/ctrlmsg.h"

void vpnc_ctrlmsg_rx_init(struct vpnc_ctrlmsg_rx *rx)
{
	rx->buf[0] = '\0';
	rx->len = 0;
	rx->overflow = false;
}

void vpnc_ctrlmsg_rx_wipe(struct vpnc_ctrlmsg_rx *rx)
{
	OPENSSL_cleanse(rx->buf, sizeof(rx->buf));
	vpnc_ctrlmsg_rx_init(rx);
}

static bool ctrlmsg_printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Wipes what the buffer held of the current message: it may have been an auth-token. */
static void ctrlmsg_forget(struct vpnc_ctrlmsg_rx *rx)
{
	size_t n = rx->len < sizeof(rx->buf) ? rx->len + 1 : sizeof(rx->buf);

	OPENSSL_cleanse(rx->buf, n);
	rx->len = 0;
}

/* Marks the current message bad and reports it once. */
static void ctrlmsg_bad(struct vpnc_ctrlmsg_rx *rx, vpnc_ctrlmsg_cb cb, void *ctx)
{
	rx->overflow = true;
	ctrlmsg_forget(rx);
	cb(ctx, NULL, 0);
}

/* Ends the current message at a NUL; returns 1 if a good message was delivered. */
static int ctrlmsg_end(struct vpnc_ctrlmsg_rx *rx, vpnc_ctrlmsg_cb cb, void *ctx)
{
	size_t n = rx->len;
	int ret = 0;

	if (rx->overflow)
		goto out;
	while (n > 0 && (rx->buf[n - 1] == '\r' || rx->buf[n - 1] == '\n'))
		n--;
	if (n == 0)
		goto out;
	if (memchr(rx->buf, '\r', n) != NULL || memchr(rx->buf, '\n', n) != NULL) {
		cb(ctx, NULL, 0);
		goto out;
	}
	rx->buf[n] = '\0';
	cb(ctx, rx->buf, n);
	ret = 1;
out:
	/* The message is consumed: its plaintext (a PUSH_REPLY's auth-token) goes now. */
	ctrlmsg_forget(rx);
	rx->overflow = false;
	return ret;
}

int vpnc_ctrlmsg_feed(struct vpnc_ctrlmsg_rx *rx, const uint8_t *data, size_t len, vpnc_ctrlmsg_cb cb,
                      void *ctx)
{
	int count = 0;

	if (rx == NULL || cb == NULL || (data == NULL && len > 0))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		if (c == '\0') {
			count += ctrlmsg_end(rx, cb, ctx);
			continue;
		}
		if (rx->overflow)
			continue;
		if (!ctrlmsg_printable(c) && c != '\r' && c != '\n') {
			ctrlmsg_bad(rx, cb, ctx);
			continue;
		}
		if (rx->len >= VPNC_CTRLMSG_MAX) {
			ctrlmsg_bad(rx, cb, ctx);
			continue;
		}
		rx->buf[rx->len++] = (char)c;
	}
	return count;
}

struct ctrlmsg_cmd {
	const char *word;
	enum vpnc_ctrlmsg_type type;
};

/* OpenVPN's dispatch order; PUSH_ is split into its two client-relevant forms. */
static const struct ctrlmsg_cmd ctrlmsg_cmds[] = {
	{"AUTH_FAILED", VPNC_MSG_AUTH_FAILED},
	{"PUSH_REQUEST", VPNC_MSG_PUSH_REQUEST},
	{"PUSH_REPLY", VPNC_MSG_PUSH_REPLY},
	{"RESTART", VPNC_MSG_RESTART},
	{"HALT", VPNC_MSG_HALT},
	{"INFO_PRE", VPNC_MSG_INFO_PRE},
	{"INFO", VPNC_MSG_INFO},
	{"CR_RESPONSE", VPNC_MSG_CR_RESPONSE},
	{"AUTH_PENDING", VPNC_MSG_AUTH_PENDING},
	{"EXIT", VPNC_MSG_EXIT},
};

enum vpnc_ctrlmsg_type vpnc_ctrlmsg_classify(const char *msg, size_t len, const char **arg,
                                             size_t *arg_len)
{
	const char *a = msg ? msg : "";
	size_t al = msg ? len : 0;
	enum vpnc_ctrlmsg_type t = VPNC_MSG_UNKNOWN;

	for (size_t i = 0; msg && i < sizeof(ctrlmsg_cmds) / sizeof(ctrlmsg_cmds[0]); i++) {
		size_t n = strlen(ctrlmsg_cmds[i].word);

		if (len < n || memcmp(msg, ctrlmsg_cmds[i].word, n) != 0)
			continue;
		if (len == n) {
			a = "";
			al = 0;
		} else if (msg[n] == ',') {
			a = msg + n + 1;
			al = len - n - 1;
		} else {
			continue;
		}
		t = ctrlmsg_cmds[i].type;
		break;
	}
	if (arg)
		*arg = a;
	if (arg_len)
		*arg_len = al;
	return t;
}

