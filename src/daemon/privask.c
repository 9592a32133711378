/*
 * privask.c: the privileged parent asks the network process's questions
 * (privask.h): one question at a time on its own prompt (terminal or
 * systemd-ask-password), and each answer delivered as "answer ID TEXT" on
 * the network process's control socket through a libuv pipe, so the parent's
 * loop never waits for the network process (which may itself be waiting for
 * the parent's reply to a request).
 */
#include "daemon/privask.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "control/ctlpath.h"
#include "control/ctlsock.h"
#include "daemon/log.h"
#include "daemon/prompt.h"

/* One answer on its way to the control socket. */
struct delivery {
	uv_pipe_t pipe;
	uv_connect_t conn;
	uv_write_t wr;
	struct vpnc_privask *a;        /* NULL once a is freed */
	struct delivery *next;
	size_t rlen;
	char reply[128];
	char req[VPNC_CTL_REQ_MAX + 1]; /* "answer ID TEXT\n": a secret, wiped when closed */
};

struct vpnc_privask {
	uv_loop_t *loop;
	struct vpnc_prompt *prompt;
	struct delivery *deliveries;
	uint32_t id;                   /* the network process's id of the question asked, 0 = none */
	struct vpnc_priv_msg_ask q;    /* kept to ask again after an answer too long */
	char path[VPNC_CTL_SOCKET_MAX];
};

int vpnc_privask_ctl_path(const struct vpnc_config *conf, char *out, size_t cap)
{
	char instance[VPNC_CTL_INSTANCE_MAX + 1];

	if (conf->control_socket[0] != '\0')
		return snprintf(out, cap, "%s", conf->control_socket) < (int)cap ? 0 : -ENAMETOOLONG;
	vpnc_ctl_instance_of(conf, instance, sizeof(instance));
	return vpnc_ctl_path(instance, out, cap);
}

int vpnc_privask_new(uv_loop_t *loop, const struct vpnc_config *conf, bool no_sdask, struct vpnc_privask **out)
{
	char instance[VPNC_CTL_INSTANCE_MAX + 1];
	struct vpnc_privask *a = calloc(1, sizeof(*a));
	int ret;

	if (a == NULL)
		return -ENOMEM;
	a->loop = loop;
	vpnc_ctl_instance_of(conf, instance, sizeof(instance));
	ret = vpnc_privask_ctl_path(conf, a->path, sizeof(a->path));
	if (ret == 0)
		ret = vpnc_prompt_new(loop, instance, no_sdask, &a->prompt);
	if (ret < 0) {
		free(a);
		return ret;
	}
	/* The control socket is the network process's: here only the terminal or systemd-ask-password. */
	vpnc_prompt_limit(a->prompt, VPNC_PROMPT_FE_TTY | VPNC_PROMPT_FE_SDASK);
	*out = a;
	return 0;
}

static void unlink_delivery(struct delivery *d)
{
	if (d->a == NULL)
		return;
	for (struct delivery **pp = &d->a->deliveries; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	d->a = NULL;
}

static void on_closed(uv_handle_t *h)
{
	struct delivery *d = h->data;

	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}

static void close_delivery(struct delivery *d)
{
	unlink_delivery(d);
	OPENSSL_cleanse(d->req, sizeof(d->req)); /* the answer, once written or not */
	if (!uv_is_closing((uv_handle_t *)&d->pipe))
		uv_close((uv_handle_t *)&d->pipe, on_closed);
}

/* The control socket's reply: "ok", or why the answer was not taken (answered already: fine). */
static void replied(struct delivery *d)
{
	d->reply[d->rlen < sizeof(d->reply) ? d->rlen : sizeof(d->reply) - 1] = '\0';
	if (strncmp(d->reply, "ok", 2) == 0 || strstr(d->reply, "no such question") != NULL)
		return; /* taken, or another answer came first: first answer wins */
	d->reply[strcspn(d->reply, "\r\n")] = '\0';
	for (char *c = d->reply; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	vpnc_log(VPNC_LOG_WARN, "The network process did not take the answer given on the terminal: %s",
	         d->reply[0] != '\0' ? d->reply : "no reply");
}

static void on_alloc(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
	struct delivery *d = h->data;

	(void)want;
	*buf = uv_buf_init(d->reply + d->rlen, (unsigned)(sizeof(d->reply) - 1 - d->rlen));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct delivery *d = s->data;

	(void)buf;
	if (n > 0)
		d->rlen += (size_t)n;
	if (n < 0 || d->rlen >= sizeof(d->reply) - 1 || memchr(d->reply, '\n', d->rlen) != NULL) {
		replied(d);
		close_delivery(d);
	}
}

static void on_written(uv_write_t *w, int status)
{
	struct delivery *d = w->data;

	OPENSSL_cleanse(d->req, sizeof(d->req));
	if (status < 0 || uv_read_start((uv_stream_t *)&d->pipe, on_alloc, on_read) < 0) {
		if (status != UV_ECANCELED)
			vpnc_log(VPNC_LOG_WARN, "Cannot hand the answer to the network process: %s",
			         uv_strerror(status < 0 ? status : UV_EIO));
		close_delivery(d);
	}
}

static void on_connected(uv_connect_t *c, int status)
{
	struct delivery *d = c->data;
	uv_buf_t buf = uv_buf_init(d->req, (unsigned)strlen(d->req));

	if (status < 0 || uv_write(&d->wr, (uv_stream_t *)&d->pipe, &buf, 1, on_written) < 0) {
		if (status != UV_ECANCELED)
			vpnc_log(VPNC_LOG_WARN, "Cannot hand the answer to the network process: its control socket: %s",
			         uv_strerror(status < 0 ? status : UV_EIO));
		close_delivery(d);
	}
}

/* "answer ID TEXT\n" to the control socket, without waiting for it. */
static void deliver(struct vpnc_privask *a, uint32_t id, const char *answer)
{
	struct delivery *d = calloc(1, sizeof(*d));
	int n;

	if (d == NULL || uv_pipe_init(a->loop, &d->pipe, 0) < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot hand the answer to the network process: out of memory");
		free(d);
		return;
	}
	d->pipe.data = d->conn.data = d->wr.data = d;
	d->a = a;
	d->next = a->deliveries;
	a->deliveries = d;
	n = snprintf(d->req, sizeof(d->req), "answer %u %s\n", (unsigned)id, answer);
	if (n < 0 || (size_t)n >= sizeof(d->req)) { /* cannot happen: VPNC_CTL_REQ_MAX has room */
		close_delivery(d);
		return;
	}
	uv_pipe_connect(&d->conn, &d->pipe, a->path, on_connected);
}

static int ask(struct vpnc_privask *a);

static void on_answer(void *arg, int status, char *answer)
{
	struct vpnc_privask *a = arg;
	uint32_t id = a->id;

	if (status == 0) {
		a->id = 0;
		deliver(a, id, answer); /* the prompt module wipes answer after this returns */
		return;
	}
	if (status == -ENOSPC) {
		vpnc_log(VPNC_LOG_WARN, "The answer is longer than %d bytes; asking again.", VPNC_PROMPT_MAX);
		if (ask(a) == 0)
			return;
	}
	a->id = 0;
	vpnc_log(VPNC_LOG_WARN, "The question cannot be answered here (%s); `vpnc answer` still can.",
	         strerror(status < 0 ? -status : EIO));
}

static int ask(struct vpnc_privask *a)
{
	const struct vpnc_prompt_q q = {.kind = (enum vpnc_prompt_kind)a->q.kind, .text = a->q.text,
	                                .echo = a->q.echo != 0};
	int ret = vpnc_prompt_ask(a->prompt, &q, on_answer, a);

	a->id = ret == 0 ? a->q.id : 0;
	return ret;
}

int vpnc_privask_ask(struct vpnc_privask *a, const struct vpnc_priv_msg_ask *m)
{
	if (a == NULL)
		return -ENXIO;
	(void)vpnc_prompt_cancel(a->prompt); /* an earlier question (its ASK_DONE may not have come) */
	a->q = *m;
	return ask(a);
}

void vpnc_privask_done(struct vpnc_privask *a, uint32_t id)
{
	if (a == NULL || a->id != id)
		return;
	(void)vpnc_prompt_cancel(a->prompt); /* answered elsewhere: the terminal's settings go back */
	a->id = 0;
}

void vpnc_privask_free(struct vpnc_privask *a)
{
	if (a == NULL)
		return;
	vpnc_prompt_free(a->prompt);
	while (a->deliveries != NULL)
		close_delivery(a->deliveries);
	free(a);
}
