/*
 * prompt.c: owns reading credentials from the terminal, with echo turned off
 * for the password and the terminal settings restored on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon/prompt.h"

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

	/*
	 * Echo goes off before the question is shown: an answer typed (or sent by a
	 * program) as soon as the question appears would otherwise be echoed, then
	 * discarded by the flush.
	 */
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
		(void)tcsetattr(fd, TCSAFLUSH, &saved_tio);
		saved_fd = -1;
		for (size_t i = 0; i < N_FATAL_SIGNALS; i++)
			sigaction(fatal_signals[i], &old_sa[i], NULL);
		(void)tty_puts(fd, "\n");
	}
	return ret;
}

int vpnc_prompt_pair(const char *user_q, char *user, const char *pass_q, char *pass, size_t cap)
{
	int fd, ret = 0;

	if (cap == 0)
		return -ENOSPC;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	if (user_q != NULL)
		ret = ask(fd, user_q, true, user, cap);
	if (ret == 0 && pass_q != NULL)
		ret = ask(fd, pass_q, false, pass, cap);
	close(fd);
	return ret;
}

int vpnc_prompt_credentials(bool ask_user, char *user, bool ask_pass, char *pass, size_t cap)
{
	return vpnc_prompt_pair(ask_user ? "Enter Auth Username: " : NULL, user,
	                        ask_pass ? "Enter Auth Password: " : NULL, pass, cap);
}

int vpnc_prompt_secret(const char *question, char *out, size_t cap)
{
	int fd, ret;

	if (cap == 0)
		return -ENOSPC;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	ret = ask(fd, question, false, out, cap);
	close(fd);
	return ret;
}
