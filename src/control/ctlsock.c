/*
 * ctlsock.c: owns the control socket (ctlsock.h): creating it safely
 * (directory and file modes, stale sockets), accepting and vetting peers
 * (SO_PEERCRED), reading one bounded request line per connection, and
 * answering it from the ops the loop supplies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "control/ctlpath.h"
#include "control/ctlprompt.h"
#include "control/ctlsock.h"

#define CTL_BACKLOG 8

enum ctl_action {
	CTL_NONE = 0,
	CTL_DISCONNECT,
	CTL_RECONNECT,
};

struct ctl_client {
	uv_pipe_t pipe;
	uv_timer_t idle;
	struct vpnc_ctl *ctl;
	struct ctl_client *next, **pprev; /* in ctl->clients */
	int handles;                      /* uv handles not yet closed */
	bool answered;
	bool reading;
	bool read_only;                   /* a member of the read group: status only */
	enum ctl_action action;           /* run once the reply is written */
	uv_write_t wr;
	uv_shutdown_t sd;
	char *reply;
	bool reply_owned;                 /* reply is ours to free */
	size_t req_len;
	char req[VPNC_CTL_REQ_MAX];
};

struct vpnc_ctl {
	uv_loop_t *loop;
	uv_pipe_t server;
	struct vpnc_ctl_ops ops;
	struct ctl_client *clients;
	int n_clients;
	int refs;                         /* the server handle plus one per client */
	bool closing;
	uid_t owner;                      /* the euid that made the socket (see default_peer_ok) */
	char path[VPNC_CTL_PATH_MAX];
};

static void ctl_log(struct vpnc_ctl *ctl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ctl_log(struct vpnc_ctl *ctl, int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ctl->ops.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl->ops.log(ctl->ops.ctx, level, msg);
}

static void ctl_unref(struct vpnc_ctl *ctl)
{
	if (--ctl->refs == 0)
		free(ctl);
}

static void on_client_closed(uv_handle_t *h)
{
	struct ctl_client *c = h->data;
	struct vpnc_ctl *ctl = c->ctl;

	if (--c->handles > 0)
		return;
	if (c->reply_owned)
		free(c->reply);
	OPENSSL_cleanse(c->req, sizeof(c->req)); /* a partial answer may be in it */
	free(c);
	ctl_unref(ctl);
}

static void client_close(struct ctl_client *c)
{
	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	if (c->pprev != NULL) {
		*c->pprev = c->next;
		if (c->next != NULL)
			c->next->pprev = c->pprev;
		c->pprev = NULL;
		c->ctl->n_clients--;
	}
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
	uv_close((uv_handle_t *)&c->idle, on_client_closed);
}

static void on_idle_cb(uv_timer_t *t);

static void on_shutdown(uv_shutdown_t *sd, int status)
{
	if (status < 0)
		client_close(sd->data);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/*
 * The reply is out: half-close, so the client reads it up to EOF, and let
 * the client close its end (or the idle timer). Closing at once would reset
 * a client whose request we have not read in full, and it would lose the
 * reply.
 */
static void on_written(uv_write_t *wr, int status)
{
	struct ctl_client *c = wr->data;
	struct vpnc_ctl *ctl = c->ctl;
	enum ctl_action act = c->action;

	if (!uv_is_closing((uv_handle_t *)&c->pipe)) {
		c->sd.data = c;
		if (status < 0 || uv_shutdown(&c->sd, (uv_stream_t *)&c->pipe, on_shutdown) < 0)
			client_close(c);
		else
			uv_timer_start(&c->idle, on_idle_cb, ctl->ops.idle_ms ? ctl->ops.idle_ms
			                                                     : VPNC_CTL_IDLE_MS, 0);
	}
	if (ctl->closing)
		return;
	/* Last: the action may close ctl (disconnect); ctl lives until c's close callbacks ran. */
	if (act == CTL_DISCONNECT && ctl->ops.disconnect != NULL)
		ctl->ops.disconnect(ctl->ops.ctx);
	else if (act == CTL_RECONNECT && ctl->ops.reconnect != NULL)
		ctl->ops.reconnect(ctl->ops.ctx);
}

/* Sends reply (len bytes; owned = heap memory to free); what the client sends after it is discarded. */
static void reply(struct ctl_client *c, char *text, size_t len, bool owned, enum ctl_action act)
{
	uv_buf_t b = uv_buf_init(text, (unsigned)len);

	c->answered = true;
	c->req_len = 0; /* the request buffer now takes what is discarded */
	c->reply = text;
	c->reply_owned = owned;
	c->action = act;
	uv_timer_stop(&c->idle);
	if (!c->reading && uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read) == 0)
		c->reading = true;
	c->wr.data = c;
	if (uv_write(&c->wr, (uv_stream_t *)&c->pipe, &b, 1, on_written) < 0)
		on_written(&c->wr, -EPIPE);
}

static void reply_str(struct ctl_client *c, const char *s, enum ctl_action act)
{
	reply(c, (char *)s, strlen(s), false, act);
}

static void reply_status(struct ctl_client *c, bool json, unsigned flags)
{
	struct vpnc_ctl *ctl = c->ctl;
	struct vpnc_status_snap snap;
	char *out;
	int64_t now;
	int n;

	if (ctl->ops.status == NULL) {
		reply_str(c, "error not supported\n", CTL_NONE);
		return;
	}
	out = malloc(VPNC_STATUS_MAX + 1);
	if (out == NULL) {
		reply_str(c, "error out of memory\n", CTL_NONE);
		return;
	}
	memset(&snap, 0, sizeof(snap));
	snap.last_recv_ms_ago = snap.last_sent_ms_ago = -1; /* unknown unless the loop knows */
	ctl->ops.status(ctl->ops.ctx, &snap);
	now = ctl->ops.now != NULL ? ctl->ops.now(ctl->ops.ctx) : (int64_t)time(NULL);
	n = json ? vpnc_status_json(&snap, now, out, VPNC_STATUS_MAX)
	         : vpnc_status_text_fmt(&snap, now, flags, out, VPNC_STATUS_MAX);
	if (n < 0) {
		free(out);
		reply_str(c, "error status too large\n", CTL_NONE);
		return;
	}
	/* The text form already ends its last line. */
	if (json || n == 0 || out[n - 1] != '\n')
		out[n++] = '\n';
	reply(c, out, (size_t)n, true, CTL_NONE);
}

/* "prompt": the waiting question in one line `vpnc answer` reads (ctlsock.h). */
static void reply_prompt(struct ctl_client *c)
{
	struct vpnc_ctl *ctl = c->ctl;
	struct vpnc_status_snap snap;
	char *out;
	int n;

	if (ctl->ops.status == NULL) {
		reply_str(c, "error not supported\n", CTL_NONE);
		return;
	}
	memset(&snap, 0, sizeof(snap));
	snap.last_recv_ms_ago = snap.last_sent_ms_ago = -1;
	ctl->ops.status(ctl->ops.ctx, &snap);
	if (snap.prompt_id == 0) {
		reply_str(c, "prompt none\n", CTL_NONE);
		return;
	}
	out = malloc(VPNC_CTL_REQ_MAX + 64);
	if (out == NULL) {
		reply_str(c, "error out of memory\n", CTL_NONE);
		return;
	}
	n = snprintf(out, VPNC_CTL_REQ_MAX + 64, "prompt %u %s %d %s\n", snap.prompt_id,
	             snap.prompt_kind != NULL ? snap.prompt_kind : "question", snap.prompt_echo ? 1 : 0,
	             snap.prompt_text != NULL ? snap.prompt_text : "");
	if (n < 0 || n >= VPNC_CTL_REQ_MAX + 64)
		n = VPNC_CTL_REQ_MAX + 63; /* cut; the newline goes last */
	for (int i = 0; i < n - 1; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	out[n - 1] = '\n';
	reply(c, out, (size_t)n, true, CTL_NONE);
}

static bool is_cmd(const char *line, size_t len, const char *cmd)
{
	return len == strlen(cmd) && memcmp(line, cmd, len) == 0;
}

/* "answer ID TEXT" (ctlprompt.h): only a client with the socket's full rights may answer. */
static void handle_answer(struct ctl_client *c, size_t len)
{
	struct vpnc_ctl *ctl = c->ctl;
	const char *text;
	size_t text_len;
	unsigned id;
	int ret;

	if (c->read_only) {
		reply_str(c, "error permission denied (the status group may not answer questions)\n",
		          CTL_NONE);
		return;
	}
	if (ctl->ops.answer == NULL) {
		reply_str(c, "error not supported\n", CTL_NONE);
		return;
	}
	ret = vpnc_ctl_parse_answer(c->req, len, &id, &text, &text_len);
	if (ret < 0) {
		reply_str(c, ret == -EBADMSG ? "error the answer holds a NUL byte\n"
		                             : "error usage: answer ID TEXT\n",
		          CTL_NONE);
		return;
	}
	ret = ctl->ops.answer(ctl->ops.ctx, id, text, text_len);
	reply_str(c, ret == 0 ? "ok\n"
	             : ret == -ESTALE ? "error no such question (answered already, or withdrawn)\n"
	             : ret == -ENOSPC ? "error the answer is too long\n"
	                              : "error the answer was not taken\n",
	          CTL_NONE);
}

static void handle_request(struct ctl_client *c, size_t len)
{
	const char *line = c->req;
	struct vpnc_ctl *ctl = c->ctl;

	if (len >= 6 && memcmp(line, "answer", 6) == 0 && (len == 6 || line[6] == ' ' || line[6] == '\r')) {
		handle_answer(c, len);
		OPENSSL_cleanse(c->req, sizeof(c->req)); /* the answer is a secret */
		return;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (is_cmd(line, len, "status") || is_cmd(line, len, "status json"))
		reply_status(c, true, 0);
	else if (is_cmd(line, len, "status text"))
		reply_status(c, false, 0);
	else if (is_cmd(line, len, "status text raw"))
		reply_status(c, false, VPNC_STATUS_RAW);
	else if (is_cmd(line, len, "prompt"))
		reply_prompt(c);
	else if (c->read_only && (is_cmd(line, len, "disconnect") || is_cmd(line, len, "reconnect")))
		reply_str(c, "error permission denied (the status group may only read the status; "
		             "disconnect and reconnect need root)\n", CTL_NONE);
	else if (is_cmd(line, len, "disconnect"))
		reply_str(c, ctl->ops.disconnect ? "ok\n" : "error not supported\n", CTL_DISCONNECT);
	else if (is_cmd(line, len, "reconnect"))
		reply_str(c, ctl->ops.reconnect ? "ok\n" : "error not supported\n", CTL_RECONNECT);
	else
		reply_str(c, "error unknown command\n", CTL_NONE);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ctl_client *c = h->data;

	(void)suggested;
	buf->base = c->req + c->req_len;
	buf->len = sizeof(c->req) - c->req_len;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *c = s->data;
	const char *nl;

	(void)buf;
	if (c->answered) {
		/* Discard until the client closes; what came may be a secret (an answer). */
		OPENSSL_cleanse(c->req, sizeof(c->req));
		c->req_len = 0;
		if (nread < 0)
			client_close(c);
		return;
	}
	if (nread == 0)
		return;
	if (nread < 0) {
		/* A request without its newline still counts when the peer half-closes. */
		if (nread == UV_EOF && c->req_len > 0)
			handle_request(c, c->req_len);
		else
			client_close(c);
		return;
	}
	c->req_len += (size_t)nread;
	nl = memchr(c->req, '\n', c->req_len);
	if (nl != NULL)
		handle_request(c, (size_t)(nl - c->req));
	else if (c->req_len >= sizeof(c->req)) {
		OPENSSL_cleanse(c->req, sizeof(c->req)); /* maybe a too long answer: a secret */
		reply_str(c, "error request too long\n", CTL_NONE);
	}
}

static void on_idle_cb(uv_timer_t *t)
{
	struct ctl_client *c = t->data;

	client_close(c);
}

/*
 * Root, or the user that made the socket: not the current euid, which under
 * privilege separation is the network process's user (vpnc-client, or
 * nobody that other daemons may share), never one that may control vpnc.
 */
static bool default_peer_ok(const struct vpnc_ctl *ctl, uid_t uid)
{
	return uid == 0 || uid == ctl->owner;
}

/* Most supplementary groups of a peer looked at (NGROUPS_MAX is 65536; a member rarely has many). */
#define CTL_PEER_GROUPS_MAX 256

/* Whether the peer (its primary group, else SO_PEERGROUPS) is in the read group. */
static bool peer_in_group(int fd, gid_t primary, gid_t want)
{
	gid_t groups[CTL_PEER_GROUPS_MAX];
	socklen_t len = sizeof(groups);

	if (primary == want)
		return true;
	/* More groups than fit (ERANGE): not a member as far as vpnc can tell; the log says refused. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == want)
			return true;
	return false;
}

/* Whether the process at the other end may use the socket; sets c->read_only for the read group. */
static bool peer_allowed(struct vpnc_ctl *ctl, struct ctl_client *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return false;
	if (ctl->ops.peer_ok != NULL ? ctl->ops.peer_ok(ctl->ops.ctx, cred.uid, cred.gid, cred.pid)
	                             : default_peer_ok(ctl, cred.uid))
		return true;
	if (ctl->ops.has_read_group && peer_in_group(fd, cred.gid, ctl->ops.read_group)) {
		c->read_only = true;
		return true;
	}
	ctl_log(ctl, 1, "Control socket: refused a client with uid %u (pid %d).", (unsigned)cred.uid,
	        (int)cred.pid);
	return false;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct vpnc_ctl *ctl = server->data;
	struct ctl_client *c;

	if (status < 0 || ctl->closing)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		ctl_log(ctl, 1, "Control socket: out of memory for a client.");
		return;
	}
	c->ctl = ctl;
	uv_pipe_init(ctl->loop, &c->pipe, 0);
	uv_timer_init(ctl->loop, &c->idle);
	c->pipe.data = c->idle.data = c;
	c->handles = 2;
	ctl->refs++;
	c->next = ctl->clients;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = &ctl->clients;
	ctl->clients = c;
	ctl->n_clients++;

	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		client_close(c);
		return;
	}
	if (!peer_allowed(ctl, c)) {
		reply_str(c, "error permission denied\n", CTL_NONE);
		return;
	}
	if (ctl->n_clients > VPNC_CTL_MAX_CLIENTS) {
		reply_str(c, "error busy\n", CTL_NONE);
		return;
	}
	c->reading = true;
	if (uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read) < 0 ||
	    uv_timer_start(&c->idle, on_idle_cb, ctl->ops.idle_ms ? ctl->ops.idle_ms : VPNC_CTL_IDLE_MS,
	                   0) < 0)
		client_close(c);
}

/* Creates (0700, or 0750 for a read group) or checks the directory that will hold path. */
static int prepare_dir(const char *path, const struct vpnc_ctl_ops *ops)
{
	char dir[VPNC_CTL_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t len;

	if (slash == NULL || slash == path)
		return 0;
	len = (size_t)(slash - path);
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	if (ops->has_read_group) {
		/* The read group lists the instances (`vpnc status`); others see nothing. */
		if (st.st_gid != ops->read_group && chown(dir, (uid_t)-1, ops->read_group) < 0)
			return -errno;
		if ((st.st_mode & 0777) != 0750 && chmod(dir, 0750) < 0)
			return -errno;
		return 0;
	}
	/*
	 * Ours but open to others (e.g. made by a service manager with 0755):
	 * close it; keep group access only when another instance gave the
	 * directory to its read group (not root's group, not ours).
	 */
	mode_t want = st.st_gid != 0 && st.st_gid != getegid() ? (st.st_mode & 0750) : (st.st_mode & 0700);
	if ((st.st_mode & 0777) != want && chmod(dir, want) < 0)
		return -errno;
	return 0;
}

/* Removes a socket file no one listens on; -EADDRINUSE if a daemon answers there. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	close(fd);
	if (ret == 0 || ret == -EAGAIN)
		return -EADDRINUSE;
	if (ret == -ECONNREFUSED)
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	return ret == -ENOENT ? 0 : ret;
}

static void on_server_closed(uv_handle_t *h)
{
	ctl_unref(h->data);
}

int vpnc_ctl_open(uv_loop_t *loop, const char *path, unsigned flags, const struct vpnc_ctl_ops *ops,
                  struct vpnc_ctl **out)
{
	struct vpnc_ctl *ctl;
	mode_t old_mask;
	int ret;

	if (path == NULL || path[0] == '\0' || ops == NULL)
		return -EINVAL;
	if (strlen(path) >= sizeof(ctl->path))
		return -ENAMETOOLONG;
	if ((flags & VPNC_CTL_MKDIR) && (ret = prepare_dir(path, ops)) < 0)
		return ret;
	ret = clear_stale(path);
	if (ret < 0)
		return ret;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -ENOMEM;
	ctl->loop = loop;
	ctl->ops = *ops;
	ctl->refs = 1;
	ctl->owner = geteuid();
	memcpy(ctl->path, path, strlen(path) + 1);
	ret = uv_pipe_init(loop, &ctl->server, 0);
	if (ret < 0) {
		free(ctl);
		return ret;
	}
	ctl->server.data = ctl;
	/* The socket is created with mode 0600 at once: no window with a wider mode. */
	old_mask = umask(0177);
	ret = uv_pipe_bind(&ctl->server, path);
	umask(old_mask);
	if (ret == 0 && chmod(path, 0600) < 0)
		ret = -errno;
	/* The read group: its group first, then the group bits, so no other group ever gets in. */
	if (ret == 0 && ops->has_read_group &&
	    (chown(path, (uid_t)-1, ops->read_group) < 0 || chmod(path, 0660) < 0))
		ret = -errno;
	if (ret == 0)
		ret = uv_listen((uv_stream_t *)&ctl->server, CTL_BACKLOG, on_connection);
	if (ret < 0) {
		/* libuv removes a socket file it bound when the handle closes. */
		ctl->closing = true;
		uv_close((uv_handle_t *)&ctl->server, on_server_closed);
		return ret;
	}
	*out = ctl;
	return 0;
}

void vpnc_ctl_close(struct vpnc_ctl *ctl)
{
	if (ctl == NULL || ctl->closing)
		return;
	ctl->closing = true;
	while (ctl->clients != NULL)
		client_close(ctl->clients);
	/* libuv unlinks the bound path when the server handle closes; this also covers a failure there. */
	unlink(ctl->path);
	uv_close((uv_handle_t *)&ctl->server, on_server_closed);
}
