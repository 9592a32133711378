/*
 * prompt_tty.c: the prompt module's terminal front end (prompt.h): reading
 * an answer from /dev/tty, with echo turned off for secrets and the terminal
 * settings restored on every path -- blocking before the loop, and through a
 * uv_poll_t on a non-blocking descriptor of its own within it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon/prompt_int.h"

static int tty_puts(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one line (without the newline) into out; the rest of an over-long line is an error. */
static int tty_line(int fd, char *out, size_t cap)
{
	size_t len = 0;
	int ret = 0;

	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR) {
			ret = -EINTR;
			break;
		}
		if (n <= 0) {
			ret = -EIO;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (len + 1 >= cap) {
			ret = -ENOSPC;
			continue; /* keep consuming to the end of the line */
		}
		out[len++] = c;
	}
	out[len < cap ? len : cap - 1] = '\0';
	if (ret < 0)
		OPENSSL_cleanse(out, cap);
	return ret;
}

/* The terminal state to restore if a signal ends the process during the prompt. */
static int saved_fd = -1;
static struct termios saved_tio;

static void restore_and_die(int sig)
{
	if (saved_fd >= 0)
		(void)tcsetattr(saved_fd, TCSANOW, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_FATAL_SIGNALS (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static int ask(int fd, const char *question, bool echo, char *out, size_t cap)
{
	struct termios quiet;
	struct sigaction sa, old_sa[N_FATAL_SIGNALS];
	bool restore = false;
	int ret;

	/* Echo goes off before the question is shown: an answer typed (or written by a program
	 * driving the terminal) as soon as the question appears must neither be echoed nor be
	 * discarded by the flush that drops what was typed before the question. */
	if (!echo && tcgetattr(fd, &saved_tio) == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = restore_and_die;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < N_FATAL_SIGNALS; i++)
			sigaction(fatal_signals[i], &sa, &old_sa[i]);
		saved_fd = fd;
		quiet = saved_tio;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = true;
		(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	ret = tty_puts(fd, question);
	if (ret == 0)
		ret = tty_line(fd, out, cap);
	if (restore) {
		/* TCSANOW: the answer to a next question, typed ahead, is kept. */
		(void)tcsetattr(fd, TCSANOW, &saved_tio);
		saved_fd = -1;
		for (size_t i = 0; i < N_FATAL_SIGNALS; i++)
			sigaction(fatal_signals[i], &old_sa[i], NULL);
		(void)tty_puts(fd, "\n");
	}
	return ret;
}

int vpnc_prompt_tty_sync(const struct vpnc_prompt_q *q, char *out, size_t cap)
{
	char question[VPNC_PROMPT_TEXT_MAX + 2];
	int fd, ret;

	if (cap == 0)
		return -ENOSPC;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	snprintf(question, sizeof(question), "%s ", q->text);
	ret = ask(fd, question, q->echo, out, cap);
	close(fd);
	return ret;
}

void prompt_tty_print(const char *line)
{
	int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return;
	(void)tty_puts(fd, line);
	(void)tty_puts(fd, "\n");
	close(fd);
}

/* One question's handle: its own allocation, so the next question need not wait for the close. */
struct tty_handle {
	uv_poll_t poll;
	int fd;
	struct vpnc_prompt *p;
};

static void on_tty_closed(uv_handle_t *h)
{
	struct tty_handle *th = h->data;

	close(th->fd);
	prompt_unref(th->p);
	free(th);
}

/* Puts the terminal back and lets go of it; the buffer is wiped. */
static void tty_release(struct vpnc_prompt *p)
{
	struct prompt_tty *t = &p->tty;
	struct tty_handle *th = t->h;

	if (!t->active)
		return;
	t->active = false;
	t->h = NULL;
	if (t->restore) {
		(void)tcsetattr(th->fd, TCSANOW, &t->saved); /* keeps typed-ahead input */
		t->restore = false;
		(void)tty_puts(th->fd, "\n");
	}
	uv_poll_stop(&th->poll);
	uv_close((uv_handle_t *)&th->poll, on_tty_closed);
	OPENSSL_cleanse(t->buf, sizeof(t->buf));
	t->len = 0;
}

static void on_tty_readable(uv_poll_t *h, int status, int events)
{
	struct tty_handle *th = h->data;
	struct vpnc_prompt *p = th->p;
	struct prompt_tty *t = &p->tty;
	char chunk[128];
	ssize_t n;

	(void)events;
	if (!t->active || t->h != th)
		return;
	if (status < 0) {
		tty_release(p);
		prompt_fe_done(p, VPNC_PROMPT_FE_TTY, -EIO, NULL);
		return;
	}
	for (;;) {
		n = read(th->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) { /* the terminal went away, or input ended */
			OPENSSL_cleanse(chunk, sizeof(chunk));
			tty_release(p);
			prompt_fe_done(p, VPNC_PROMPT_FE_TTY, -EIO, NULL);
			return;
		}
		for (ssize_t i = 0; i < n; i++) {
			char c = chunk[i];

			if (c == '\n' || c == '\r') {
				int ret = t->overflow ? -ENOSPC : 0;
				char answer[VPNC_PROMPT_MAX + 1];

				t->buf[t->len] = '\0';
				memcpy(answer, t->buf, t->len + 1);
				OPENSSL_cleanse(chunk, sizeof(chunk));
				tty_release(p); /* wipes t->buf */
				prompt_fe_done(p, VPNC_PROMPT_FE_TTY, ret, ret == 0 ? answer : NULL);
				OPENSSL_cleanse(answer, sizeof(answer));
				return;
			}
			if (t->len >= VPNC_PROMPT_MAX)
				t->overflow = true; /* the rest of the line is read and dropped */
			else
				t->buf[t->len++] = c;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
}

int prompt_tty_start(struct vpnc_prompt *p)
{
	struct prompt_tty *t = &p->tty;
	char question[VPNC_PROMPT_TEXT_MAX + 2];
	struct tty_handle *th;
	int ret;

	th = calloc(1, sizeof(*th));
	if (th == NULL)
		return -ENOMEM;
	th->fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (th->fd < 0) {
		free(th);
		return -ENXIO;
	}
	ret = uv_poll_init(p->loop, &th->poll, th->fd);
	if (ret < 0) {
		close(th->fd);
		free(th);
		return ret;
	}
	th->poll.data = th;
	th->p = p;
	prompt_ref(p);
	t->h = th;
	t->active = true;
	t->overflow = false;
	t->len = 0;
	/* Echo off first, then the question (see ask()). */
	if (!p->echo && tcgetattr(th->fd, &t->saved) == 0) {
		struct termios quiet = t->saved;

		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		t->restore = tcsetattr(th->fd, TCSAFLUSH, &quiet) == 0;
	}
	snprintf(question, sizeof(question), "%s ", p->text);
	(void)tty_puts(th->fd, question);
	ret = uv_poll_start(&th->poll, UV_READABLE, on_tty_readable);
	if (ret < 0) {
		tty_release(p);
		return ret;
	}
	return 0;
}

void prompt_tty_stop(struct vpnc_prompt *p)
{
	tty_release(p);
}
