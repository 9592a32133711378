/*
 * script.c: owns running one script: uv_spawn with the built argv and
 * environment, a kill timer, and the completion callback.
 *
 * Each run allocates one struct script_run, holding the process handle and
 * the timer; it is freed after both handles are closed, so the caller owns
 * nothing once vpnc_script_run() returns. vpnc_script_run_sync() runs the
 * same on a loop of its own and waits. libuv forks and execs inside
 * uv_spawn, so the argv and environment arrays only need to live for that
 * call. The child gets /dev/null on stdin and vpnc's stdout and stderr, as
 * OpenVPN's scripts do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/script.h"

struct script_run {
	uv_process_t proc;
	uv_timer_t timer;
	vpnc_script_done_fn done;
	void *ctx;
	int open_handles;
	int status;
};

static void run_handle_closed(uv_handle_t *h)
{
	struct script_run *r = h->data;

	if (--r->open_handles == 0) {
		if (r->done != NULL)
			r->done(r->ctx, r->status);
		free(r);
	}
}

static void run_exited(uv_process_t *p, int64_t exit_status, int term_signal)
{
	struct script_run *r = p->data;

	r->status = term_signal != 0 ? 128 + term_signal : (int)(exit_status & 0xff);
	uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)&r->timer, run_handle_closed);
	uv_close((uv_handle_t *)&r->proc, run_handle_closed);
}

static void run_timeout(uv_timer_t *t)
{
	struct script_run *r = t->data;

	/* The exit callback follows and reports 128 + SIGKILL. */
	(void)uv_process_kill(&r->proc, SIGKILL);
}

int vpnc_script_run(uv_loop_t *uv, const char *cmd, const struct vpnc_script_env *env,
                    const char *const extra[], int timeout_ms, vpnc_script_done_fn done, void *ctx)
{
	struct vpnc_script_argv *a = NULL;
	struct script_run *r = NULL;
	uv_process_options_t opt;
	uv_stdio_container_t stdio[3];
	char file[VPNC_SCRIPT_CMD_MAX + 2];
	int ret;

	if (done == NULL)
		return -EINVAL;
	a = malloc(sizeof(*a));
	r = calloc(1, sizeof(*r));
	if (a == NULL || r == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = vpnc_script_argv_build(a, cmd, extra)) < 0)
		goto out;
	/* No PATH search: "name" means ./name, as with OpenVPN's execve. */
	if (strchr(a->argv[0], '/') == NULL && strlen(a->argv[0]) + 3 <= sizeof(file)) {
		memcpy(file, "./", 2);
		memcpy(file + 2, a->argv[0], strlen(a->argv[0]) + 1);
	} else if (strlen(a->argv[0]) < sizeof(file)) {
		memcpy(file, a->argv[0], strlen(a->argv[0]) + 1);
	} else {
		ret = -ENAMETOOLONG;
		goto out;
	}
	memset(&opt, 0, sizeof(opt));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = 1;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	opt.file = file;
	opt.args = a->argv;
	opt.env = (char **)env->vars;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	opt.exit_cb = run_exited;
	if ((ret = uv_timer_init(uv, &r->timer)) < 0)
		goto out;
	r->timer.data = r;
	r->proc.data = r;
	r->done = done;
	r->ctx = ctx;
	ret = uv_spawn(uv, &r->proc, &opt);
	if (ret < 0) {
		/* The process handle must still be closed; done is not called for a failed start. */
		r->done = NULL;
		r->open_handles = 2;
		uv_close((uv_handle_t *)&r->proc, run_handle_closed);
		uv_close((uv_handle_t *)&r->timer, run_handle_closed);
		r = NULL; /* freed when both handles are closed */
		goto out;
	}
	r->open_handles = 2;
	(void)uv_timer_start(&r->timer, run_timeout,
	                     (uint64_t)(timeout_ms > 0 ? timeout_ms : VPNC_SCRIPT_TIMEOUT_MS), 0);
	r = NULL;
out:
	free(a);
	free(r);
	return ret;
}

static void sync_done(void *ctx, int status)
{
	*(int *)ctx = status;
}

int vpnc_script_run_sync(const char *cmd, const struct vpnc_script_env *env, const char *const extra[],
                         int timeout_ms)
{
	uv_loop_t uv;
	int status = -EINTR, ret = uv_loop_init(&uv);

	if (ret < 0)
		return ret;
	ret = vpnc_script_run(&uv, cmd, env, extra, timeout_ms, sync_done, &status);
	/* Also after a failed start: its handles are closed on this loop. */
	(void)uv_run(&uv, UV_RUN_DEFAULT);
	(void)uv_loop_close(&uv);
	return ret < 0 ? ret : status;
}
