/*
 * prompt_sdask.c: the prompt module's systemd-ask-password front end
 * (prompt.h): with no terminal, a question goes to the password agents
 * (the boot splash, a desktop agent, `systemd-tty-ask-password-agent`) as
 * OpenVPN 2.6 does under systemd. The helper prints the answer on its
 * standard output; vpnc reads it through a pipe -- blocking before the loop,
 * through libuv (uv_spawn) within it -- and wipes every copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon/prompt_int.h"

extern char **environ;

void prompt_sdask_argv(const char *text, bool echo, enum vpnc_prompt_kind kind, const char *instance,
                       char *id, const char **argv)
{
	int i = 0;

	snprintf(id, VPNC_SDASK_ID_MAX, "--id=vpnc:%s:%s", instance != NULL && instance[0] ? instance : "vpnc",
	         vpnc_prompt_kind_name(kind));
	argv[i++] = VPNC_SDASK_PATH;
	argv[i++] = "--icon=network-vpn";
	argv[i++] = id;
	argv[i++] = "--timeout=0"; /* as OpenVPN: wait as long as it takes */
	if (echo)
		argv[i++] = "--echo";
	argv[i++] = "--";
	argv[i++] = text;
	argv[i] = NULL;
}

/* The helper's output: the answer and one newline. 0, -ENOSPC, or -EIO when there is none. */
static int take_answer(char *buf, size_t len, bool overflow)
{
	size_t n;

	if (overflow)
		return -ENOSPC;
	if (len == 0 || buf[len - 1] != '\n')
		return -EIO; /* cancelled or failed: it prints nothing */
	n = len - 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	/* One line: a newline or NUL inside would cut the answer short on its way to the control
	 * socket (`answer ID TEXT`), which would then take a wrong secret without a word. */
	if (memchr(buf, '\n', n) != NULL || memchr(buf, '\0', n) != NULL)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int prompt_sdask_sync(const struct vpnc_prompt_q *q, const char *instance, char *out, size_t cap)
{
	char id[VPNC_SDASK_ID_MAX], buf[VPNC_PROMPT_MAX + 2];
	const char *argv[9];
	posix_spawn_file_actions_t fa;
	size_t len = 0;
	bool overflow = false;
	int pipefd[2], status = 0, ret;
	pid_t pid;

	if (cap == 0)
		return -ENOSPC;
	if (access(VPNC_SDASK_PATH, X_OK) < 0)
		return -ENXIO;
	prompt_sdask_argv(q->text, q->echo, q->kind, instance, id, argv);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	ret = posix_spawn(&pid, VPNC_SDASK_PATH, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret != 0) {
		close(pipefd[0]);
		return -ret;
	}
	for (;;) {
		char c[64];
		ssize_t n = read(pipefd[0], c, sizeof(c));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (len < sizeof(buf))
				buf[len++] = c[i];
			else
				overflow = true;
		}
		OPENSSL_cleanse(c, sizeof(c));
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? take_answer(buf, len, overflow) : -EIO;
	if (ret == 0 && strlen(buf) >= cap)
		ret = -ENOSPC;
	if (ret == 0)
		memcpy(out, buf, strlen(buf) + 1);
	else
		OPENSSL_cleanse(out, cap);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

/* One run of the helper: its own allocation, freed when both handles have closed. */
struct sdask_run {
	uv_process_t proc;
	uv_pipe_t out;
	struct vpnc_prompt *p;
	int handles;
	bool active;               /* still the question's front end */
	bool eof, exited, overflow;
	bool ok;                   /* exit status 0 */
	size_t len;
	char buf[VPNC_PROMPT_MAX + 2];
};

static void on_run_closed(uv_handle_t *h)
{
	struct sdask_run *r = h->data;

	if (--r->handles > 0)
		return;
	OPENSSL_cleanse(r->buf, sizeof(r->buf));
	prompt_unref(r->p);
	free(r);
}

static void run_close(struct sdask_run *r)
{
	if (!uv_is_closing((uv_handle_t *)&r->out))
		uv_close((uv_handle_t *)&r->out, on_run_closed);
	if (!uv_is_closing((uv_handle_t *)&r->proc))
		uv_close((uv_handle_t *)&r->proc, on_run_closed);
}

/* Both the output's end and the exit are in: the answer, or why not. */
static void run_finish(struct sdask_run *r)
{
	struct vpnc_prompt *p = r->p;
	int ret;

	if (!r->eof || !r->exited)
		return;
	ret = r->ok ? take_answer(r->buf, r->len, r->overflow) : -EIO;
	run_close(r);
	if (!r->active)
		return;
	r->active = false;
	p->sd.run = NULL;
	prompt_fe_done(p, VPNC_PROMPT_FE_SDASK, ret, ret == 0 ? r->buf : NULL);
	OPENSSL_cleanse(r->buf, sizeof(r->buf));
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
	struct sdask_run *r = proc->data;

	r->exited = true;
	r->ok = status == 0 && sig == 0;
	run_finish(r);
}

static void on_out_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct sdask_run *r = h->data;

	(void)suggested;
	if (r->len >= sizeof(r->buf)) {
		/* Too long: the rest lands at the end again and is dropped. */
		r->overflow = true;
		r->len = sizeof(r->buf) - 1;
	}
	*buf = uv_buf_init(r->buf + r->len, (unsigned)(sizeof(r->buf) - r->len));
}

static void on_out_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct sdask_run *r = s->data;

	(void)buf;
	if (n > 0) {
		r->len += (size_t)n;
		return;
	}
	if (n == 0)
		return;
	uv_read_stop(s);
	r->eof = true;
	run_finish(r);
}

int prompt_sdask_start(struct vpnc_prompt *p)
{
	struct uv_process_options_s opt;
	uv_stdio_container_t stdio[3];
	char id[VPNC_SDASK_ID_MAX];
	const char *argv[9];
	struct sdask_run *r;
	int ret;

	if (access(VPNC_SDASK_PATH, X_OK) < 0)
		return -ENXIO;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->p = p;
	ret = uv_pipe_init(p->loop, &r->out, 0);
	if (ret < 0) {
		free(r);
		return ret;
	}
	r->out.data = r->proc.data = r;
	prompt_sdask_argv(p->text, p->echo, p->kind, p->instance, id, argv);
	memset(&opt, 0, sizeof(opt));
	stdio[0].flags = UV_IGNORE; /* /dev/null: never the terminal (there is none) */
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&r->out;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = STDERR_FILENO;
	opt.file = VPNC_SDASK_PATH;
	opt.args = (char **)argv;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	opt.exit_cb = on_exit_cb;
	prompt_ref(p);
	r->handles = 1;
	ret = uv_spawn(p->loop, &r->proc, &opt);
	if (ret < 0) {
		/* libuv wants the process handle closed even after a failed spawn. */
		r->handles = 2;
		run_close(r);
		return ret;
	}
	r->handles = 2;
	ret = uv_read_start((uv_stream_t *)&r->out, on_out_alloc, on_out_read);
	if (ret < 0) {
		uv_process_kill(&r->proc, SIGTERM);
		r->eof = true; /* the exit callback closes it */
		return ret;
	}
	r->active = true;
	p->sd.run = r;
	return 0;
}

void prompt_sdask_stop(struct vpnc_prompt *p)
{
	struct sdask_run *r = p->sd.run;

	if (r == NULL)
		return;
	p->sd.run = NULL;
	r->active = false;
	/* The agent's question goes away with the helper; its exit callback closes the handles. */
	if (!r->exited)
		uv_process_kill(&r->proc, SIGTERM);
	else
		run_close(r);
}
