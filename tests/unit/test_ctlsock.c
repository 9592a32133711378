/*
 * test_ctlsock.c: the control socket on a real libuv loop, with a client
 * thread that uses the same request code as `vpnc status` (cli.c):
 * status (JSON and text), disconnect and reconnect reach their callbacks,
 * unknown and over-long requests are answered with errors, a peer refused
 * by the (injected) credential check gets "permission denied" and reaches
 * nothing, silent clients are dropped, too many clients get "busy", and the
 * socket is 0600 in a 0700 directory, replaces a stale socket, refuses a live
 * one or a non-socket, and is removed on close.
 *
 * Needs libuv at link time (tests/CMakeLists.txt links it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/cli.c"
#include "control/cli_answer.c"
#include "control/cli_killswitch.c"
#include "control/ctlpath.c"
#include "control/ctlprompt.c"
#include "control/ctlsock.c"
#include "control/status.c"
#include "control/status_netev.c"
#include "daemon/prompt.c"
#include "daemon/prompt_pick.c"
#include "daemon/prompt_sdask.c"
#include "daemon/prompt_tty.c"
#include "control/status_expiry.c"

#include "../check.h"

#define IDLE_MS 300

struct fixture {
	atomic_int n_status, n_disconnect, n_reconnect, n_refused_logs, n_peer_checks;
	atomic_bool deny;
	char path[VPNC_CTL_PATH_MAX];
	uv_loop_t loop;
	uv_async_t done;
	struct vpnc_ctl *ctl;

	/* Results the client thread records; checked in the main thread after join. */
	char r_status[VPNC_STATUS_MAX + 2], r_text[VPNC_STATUS_MAX + 2];
	char r_disc[64], r_reco[64], r_bogus[64], r_long[64], r_denied[64], r_busy[64], r_eof[4096];
	int n_status_before_deny, n_status_after_deny;
	int idle_closed_ms;
	int busy_ret;
	/* The prompt requests: the question shown, and what the answer op received. */
	char r_prompt[VPNC_CTL_REQ_MAX + 64], r_ans_ok[64], r_ans_stale[128], r_ans_bad[64], r_ans_long[64];
	unsigned ans_id;
	char ans_text[VPNC_CTL_REQ_MAX];
	atomic_int n_answer;
};

static void fx_status(void *ctx, struct vpnc_status_snap *s)
{
	struct fixture *fx = ctx;

	atomic_fetch_add(&fx->n_status, 1);
	s->state = VPNC_STATUS_CONNECTED;
	s->instance = "t1";
	s->host = "vpn.example.org";
	s->cipher = "AES-256-GCM";
	s->prompt_id = 7;
	s->prompt_kind = "password";
	s->prompt_text = "Enter Auth\tPassword:"; /* a control byte, shown as '?' */
}

/* Question 7 waits; its answer is kept for the checks. */
static int fx_answer(void *ctx, unsigned id, const char *text, size_t len)
{
	struct fixture *fx = ctx;

	atomic_fetch_add(&fx->n_answer, 1);
	if (id != 7)
		return -ESTALE;
	fx->ans_id = id;
	memcpy(fx->ans_text, text, len);
	fx->ans_text[len] = '\0';
	return 0;
}

static void fx_disconnect(void *ctx)
{
	atomic_fetch_add(&((struct fixture *)ctx)->n_disconnect, 1);
}

static void fx_reconnect(void *ctx)
{
	atomic_fetch_add(&((struct fixture *)ctx)->n_reconnect, 1);
}

/* The injected credential check: the real peer is us, so this simulates another uid. */
static bool fx_peer_ok(void *ctx, uid_t uid, gid_t gid, pid_t pid)
{
	struct fixture *fx = ctx;

	atomic_fetch_add(&fx->n_peer_checks, 1);
	return uid == geteuid() && pid == getpid() && !atomic_load(&fx->deny);
}

static int64_t fx_now(void *ctx)
{
	return 1800000000;
}

static void fx_log(void *ctx, int level, const char *msg)
{
	if (strstr(msg, "refused") != NULL)
		atomic_fetch_add(&((struct fixture *)ctx)->n_refused_logs, 1);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int64_t ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *client_thread(void *arg)
{
	struct fixture *fx = arg;
	char longreq[700];
	int fds[VPNC_CTL_MAX_CLIENTS], fd;
	int64_t t0;
	ssize_t n;

	vpnc_cli_request(fx->path, "status", fx->r_status, sizeof(fx->r_status), 3000);
	vpnc_cli_request(fx->path, "status text", fx->r_text, sizeof(fx->r_text), 3000);
	vpnc_cli_request(fx->path, "disconnect", fx->r_disc, sizeof(fx->r_disc), 3000);
	vpnc_cli_request(fx->path, "reconnect", fx->r_reco, sizeof(fx->r_reco), 3000);
	vpnc_cli_request(fx->path, "bogus", fx->r_bogus, sizeof(fx->r_bogus), 3000);
	vpnc_cli_request(fx->path, "prompt", fx->r_prompt, sizeof(fx->r_prompt), 3000);
	vpnc_cli_request(fx->path, "answer 7 pa ss, word  ", fx->r_ans_ok, sizeof(fx->r_ans_ok), 3000);
	vpnc_cli_request(fx->path, "answer 8 x", fx->r_ans_stale, sizeof(fx->r_ans_stale), 3000);
	vpnc_cli_request(fx->path, "answer x7", fx->r_ans_bad, sizeof(fx->r_ans_bad), 3000);
	vpnc_cli_request(fx->path, "answer 99999999999 x", fx->r_ans_long, sizeof(fx->r_ans_long), 3000);
	memset(longreq, 's', sizeof(longreq) - 1);
	longreq[sizeof(longreq) - 1] = '\0';
	vpnc_cli_request(fx->path, longreq, fx->r_long, sizeof(fx->r_long), 3000);

	fx->n_status_before_deny = atomic_load(&fx->n_status);
	atomic_store(&fx->deny, true);
	vpnc_cli_request(fx->path, "status", fx->r_denied, sizeof(fx->r_denied), 3000);
	fx->n_status_after_deny = atomic_load(&fx->n_status);
	atomic_store(&fx->deny, false);

	/* A client that never sends a line is dropped after the idle time. */
	fx->idle_closed_ms = -1;
	fd = raw_connect(fx->path);
	if (fd >= 0) {
		char b;

		t0 = ms();
		n = read(fd, &b, 1);
		if (n == 0)
			fx->idle_closed_ms = (int)(ms() - t0);
		close(fd);
	}

	/* VPNC_CTL_MAX_CLIENTS silent clients fill the server; the next one is turned away. */
	for (int i = 0; i < VPNC_CTL_MAX_CLIENTS; i++)
		fds[i] = raw_connect(fx->path);
	fx->busy_ret = vpnc_cli_request(fx->path, "status", fx->r_busy, sizeof(fx->r_busy), 3000);
	for (int i = 0; i < VPNC_CTL_MAX_CLIENTS; i++)
		if (fds[i] >= 0)
			close(fds[i]);

	/*
	 * A request without its newline counts when the client half-closes. The
	 * server may not have seen the silent clients go yet: retry while busy.
	 */
	for (int tries = 0; tries < 100; tries++) {
		size_t len = 0;

		fd = raw_connect(fx->path);
		if (fd < 0)
			break;
		if (write(fd, "status", 6) == 6 && shutdown(fd, SHUT_WR) == 0)
			while (len + 1 < sizeof(fx->r_eof) &&
			       (n = read(fd, fx->r_eof + len, sizeof(fx->r_eof) - 1 - len)) > 0)
				len += (size_t)n;
		fx->r_eof[len] = '\0';
		close(fd);
		if (strcmp(fx->r_eof, "error busy\n") != 0)
			break;
		usleep(10000);
	}
	uv_async_send(&fx->done);
	return NULL;
}

static void on_done(uv_async_t *a)
{
	struct fixture *fx = a->data;

	vpnc_ctl_close(fx->ctl);
	fx->ctl = NULL;
	uv_close((uv_handle_t *)a, NULL);
}

static struct vpnc_ctl_ops fx_ops(struct fixture *fx)
{
	return (struct vpnc_ctl_ops){
		.status = fx_status,
		.disconnect = fx_disconnect,
		.reconnect = fx_reconnect,
		.answer = fx_answer,
		.peer_ok = fx_peer_ok,
		.now = fx_now,
		.log = fx_log,
		.ctx = fx,
		.idle_ms = IDLE_MS,
	};
}

static void test_serve(const char *dir)
{
	static struct fixture fx;
	struct vpnc_ctl_ops ops = fx_ops(&fx);
	struct stat st;
	pthread_t th;
	int ret;

	snprintf(fx.path, sizeof(fx.path), "%s/run/t1.sock", dir);
	uv_loop_init(&fx.loop);
	ret = vpnc_ctl_open(&fx.loop, fx.path, VPNC_CTL_MKDIR, &ops, &fx.ctl);
	CHECK(ret == 0);
	if (ret != 0)
		return;
	CHECK(lstat(fx.path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	char sub[VPNC_CTL_PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/run", dir);
	CHECK(lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);

	uv_async_init(&fx.loop, &fx.done, on_done);
	fx.done.data = &fx;
	CHECK(pthread_create(&th, NULL, client_thread, &fx) == 0);
	uv_run(&fx.loop, UV_RUN_DEFAULT);
	pthread_join(th, NULL);
	CHECK(uv_loop_close(&fx.loop) == 0);

	size_t sl = strlen(fx.r_status);
	CHECK(fx.r_status[0] == '{' && sl > 2 && strcmp(fx.r_status + sl - 2, "}\n") == 0);
	CHECK(strstr(fx.r_status, "\"state\":\"connected\"") != NULL);
	CHECK(strstr(fx.r_status, "\"instance\":\"t1\"") != NULL);
	CHECK(strstr(fx.r_status, "\"cipher\":\"AES-256-GCM\"") != NULL);
	CHECK(strstr(fx.r_text, "instance:     t1\n") != NULL);
	CHECK(strstr(fx.r_text, "state:        connected\n") != NULL);
	CHECK(strcmp(fx.r_disc, "ok\n") == 0);
	CHECK(strcmp(fx.r_reco, "ok\n") == 0);
	CHECK(strcmp(fx.r_bogus, "error unknown command\n") == 0);
	/* The prompt: one line, the answer's text exactly (blanks kept), the rest refused. */
	CHECK(strcmp(fx.r_prompt, "prompt 7 password 0 Enter Auth?Password:\n") == 0);
	CHECK(strcmp(fx.r_ans_ok, "ok\n") == 0);
	CHECK(fx.ans_id == 7 && strcmp(fx.ans_text, "pa ss, word  ") == 0);
	CHECK(strncmp(fx.r_ans_stale, "error no such question", 22) == 0);
	CHECK(strcmp(fx.r_ans_bad, "error usage: answer ID TEXT\n") == 0);
	CHECK(strcmp(fx.r_ans_long, "error usage: answer ID TEXT\n") == 0);
	CHECK(atomic_load(&fx.n_answer) == 2);
	{ /* `vpnc answer` reads the same line back. */
		char line[sizeof(fx.r_prompt)];
		const char *kind = NULL, *text = NULL;
		unsigned id = 0;
		bool echo = true;

		snprintf(line, sizeof(line), "%s", fx.r_prompt);
		CHECK(vpnc_cli_parse_prompt(line, &id, &echo, &kind, &text) == 1);
		CHECK(id == 7 && !echo && strcmp(kind, "password") == 0 &&
		      strcmp(text, "Enter Auth?Password:") == 0);
	}
	CHECK(strcmp(fx.r_long, "error request too long\n") == 0);
	CHECK(strcmp(fx.r_denied, "error permission denied\n") == 0);
	CHECK(fx.n_status_before_deny == 3 && fx.n_status_after_deny == 3);
	CHECK(atomic_load(&fx.n_refused_logs) == 1);
	CHECK(fx.idle_closed_ms >= IDLE_MS - 50 && fx.idle_closed_ms < 2000);
	CHECK(fx.busy_ret > 0 && strcmp(fx.r_busy, "error busy\n") == 0);
	CHECK(strstr(fx.r_eof, "\"state\":\"connected\"") != NULL);
	CHECK(atomic_load(&fx.n_status) == 4);
	CHECK(atomic_load(&fx.n_disconnect) == 1);
	CHECK(atomic_load(&fx.n_reconnect) == 1);
	CHECK(atomic_load(&fx.n_peer_checks) >= 10);
	/* Closed: the socket file is gone, and the CLI says nothing runs there. */
	CHECK(lstat(fx.path, &st) < 0 && errno == ENOENT);
	char buf[64];
	CHECK(vpnc_cli_request(fx.path, "status", buf, sizeof(buf), 1000) == -ENOENT);
}

/* Runs the loop until every closed handle has been freed. */
static void settle(uv_loop_t *loop)
{
	uv_run(loop, UV_RUN_DEFAULT);
}

static void test_open_rules(const char *dir)
{
	static struct fixture fx;
	struct vpnc_ctl_ops ops = fx_ops(&fx);
	struct vpnc_ctl *a = NULL, *b = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[VPNC_CTL_PATH_MAX + 16], sub[VPNC_CTL_PATH_MAX];
	uv_loop_t loop;
	struct stat st;
	int fd;

	uv_loop_init(&loop);

	/* A live instance on the path: refused, and its socket stays. */
	snprintf(path, sizeof(path), "%s/live.sock", dir);
	CHECK(vpnc_ctl_open(&loop, path, 0, &ops, &a) == 0);
	CHECK(vpnc_ctl_open(&loop, path, 0, &ops, &b) == -EADDRINUSE);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	vpnc_ctl_close(a);
	settle(&loop);
	CHECK(lstat(path, &st) < 0);

	/* A stale socket (bound, nobody listening) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1); /* short: a mkdtemp name plus "/live.sock" */
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	a = NULL;
	CHECK(vpnc_ctl_open(&loop, path, 0, &ops, &a) == 0);
	CHECK(lstat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	vpnc_ctl_close(a);
	vpnc_ctl_close(NULL);
	settle(&loop);

	/* Not a socket: left alone. */
	snprintf(path, sizeof(path), "%s/file.sock", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK(vpnc_ctl_open(&loop, path, 0, &ops, &a) == -EEXIST);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(path);

	/* Our own directory made with a wider mode is narrowed to 0700. */
	snprintf(sub, sizeof(sub), "%s/wide", dir);
	CHECK(mkdir(sub, 0755) == 0 && chmod(sub, 0755) == 0);
	snprintf(path, sizeof(path), "%s/x.sock", sub);
	a = NULL;
	CHECK(vpnc_ctl_open(&loop, path, VPNC_CTL_MKDIR, &ops, &a) == 0);
	CHECK(lstat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
	vpnc_ctl_close(a);
	settle(&loop);
	rmdir(sub);

	/* A directory owned by someone else is refused (needs root to set up). */
	if (geteuid() == 0) {
		snprintf(sub, sizeof(sub), "%s/other", dir);
		CHECK(mkdir(sub, 0700) == 0 && chown(sub, 65534, 65534) == 0);
		snprintf(path, sizeof(path), "%s/x.sock", sub);
		CHECK(vpnc_ctl_open(&loop, path, VPNC_CTL_MKDIR, &ops, &a) == -EPERM);
		rmdir(sub);
	}
	/* A path that cannot be a socket address. */
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK(vpnc_ctl_open(&loop, longp, 0, &ops, &a) == -ENAMETOOLONG);
	CHECK(vpnc_ctl_open(&loop, "", 0, &ops, &a) == -EINVAL);
	settle(&loop);
	CHECK(uv_loop_close(&loop) == 0);
}

/* The command-line side without a daemon: usage errors and "not running". */
static void test_cli(const char *dir)
{
	char sock[VPNC_CTL_PATH_MAX];
	char *argv_bad[] = {"vpnc", "status", "--bogus", NULL};
	char *argv_inst[] = {"vpnc", "status", "--instance", "../etc", NULL};
	char *argv_both[] = {"vpnc", "status", "--instance", "a", "--control-socket", "/x", NULL};
	char *argv_json_disc[] = {"vpnc", "disconnect", "--json", NULL};
	char *argv_missing[] = {"vpnc", "status", "--control-socket", sock, NULL};

	snprintf(sock, sizeof(sock), "%s/none.sock", dir);
	CHECK(vpnc_cli_is_command("status") && vpnc_cli_is_command("disconnect") &&
	      vpnc_cli_is_command("reconnect") && !vpnc_cli_is_command("client.ovpn") &&
	      !vpnc_cli_is_command(NULL));
	CHECK(vpnc_cli_main(3, argv_bad) == VPNC_CLI_USAGE);
	CHECK(vpnc_cli_main(4, argv_inst) == VPNC_CLI_USAGE);
	CHECK(vpnc_cli_main(6, argv_both) == VPNC_CLI_USAGE);
	CHECK(vpnc_cli_main(3, argv_json_disc) == VPNC_CLI_USAGE);
	CHECK(vpnc_cli_main(4, argv_missing) == VPNC_CLI_FAIL);
}

int main(void)
{
	char dir[] = "/tmp/vpnc-test-ctl-XXXXXX";
	char cmd[64];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_serve(dir);
	test_open_rules(dir);
	test_cli(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("test_ctlsock: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
