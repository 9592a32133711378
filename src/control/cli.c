/*
 * cli.c: owns the client commands `vpnc status|disconnect|reconnect`
 * (`vpnc kill-switch` is passed on to cli_killswitch.c, `vpnc answer`, once
 * its socket is found, to cli_answer.c)
 * (argument handling, finding the socket, one request, printing the reply,
 * the exit status; see cli.h) and the --help / --version text.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "control/cli.h"
#include "control/ctlpath.h"
#include "daemon/version.h"

/* Room for a reply: the largest status plus its newline. */
#define CLI_REPLY_MAX (65536 + 2)
/* Pause between connect attempts while the daemon's backlog is full. */
#define CLI_RETRY_MS 10

void vpnc_cli_usage(FILE *f)
{
	fprintf(f,
	        "Usage: vpnc [--config] FILE [--option args ...]\n"
	        "       vpnc --option args ...   (options as in an OpenVPN client config)\n"
	        "       vpnc status [--json | --raw] [[--instance] NAME | --control-socket PATH]\n"
	        "       vpnc disconnect | reconnect | answer [[--instance] NAME | --control-socket PATH]\n"
	        "       vpnc kill-switch off [--instance NAME]\n"
	        "       vpnc kill-switch on --instance NAME --dev DEV --config FILE [--untrusted-config]\n"
	        "                           [--allow-lan]\n"
	        "       vpnc --inline-config FILE [--untrusted-config]\n"
	        "       vpnc --check-config FILE [--untrusted-config] [--json]\n"
	        "       vpnc --show-pkcs11-ids [PROVIDER [CERT_PRIVATE]]\n"
	        "       vpnc --help | --version\n"
	        "\n"
	        "An OpenVPN 2.x compatible VPN client (UDP and TCP). Options given on the command\n"
	        "line override those in the config file. Common ones: --verb N (0 fatal only,\n"
	        "1 normal, 3 more, 4 options and notes, 7+ debug), --dev NAME, --remote HOST [PORT],\n"
	        "--route-nopull, --route-noexec, --ifconfig-noexec, --auth-user-pass [FILE],\n"
	        "--control-socket PATH (default /run/vpnc/INSTANCE.sock, INSTANCE being the\n"
	        "config file's name without .conf/.ovpn).\n"
	        "--untrusted-config refuses options in config files that would run programs or\n"
	        "read or write files; --inline-config prints FILE with every file it names\n"
	        "inlined; --check-config loads FILE and its keys without root or network and\n"
	        "prints what vpnc would do with it (see vpnc(8)); --show-pkcs11-ids lists the\n"
	        "certificates on PKCS#11 tokens with the id 'pkcs11-id' takes.\n"
	        "\n"
	        "status prints the state, server, cipher, addresses, routes, DNS, traffic (KiB,\n"
	        "MiB; the last packet each way), reconnects and the certificate and profile\n"
	        "expiry of a running vpnc, of every one when none is named (--raw: exact\n"
	        "numbers; --json for machines, a JSON array for several instances);\n"
	        "disconnect ends its session as SIGTERM does; reconnect reconnects as SIGHUP does.\n"
	        "answer asks you the question vpnc waits for (a password, a challenge: status\n"
	        "shows it) and hands your answer over (from stdin when it is not a terminal).\n"
	        "kill-switch off removes the firewall rules --kill-switch left after vpnc was\n"
	        "killed or failed (all instances' unless one is named); kill-switch on installs\n"
	        "them for a vpnc without CAP_NET_ADMIN (the NetworkManager plugin uses it).\n"
	        "Exit status of these: 0 done, 1 not running or not reachable or refused,\n"
	        "2 bad usage.\n"
	        "\n"
	        "Signals: SIGINT/SIGTERM disconnect, remove what vpnc configured and exit 0;\n"
	        "SIGHUP reconnects from the first remote; SIGUSR1 reconnects (soft restart).\n"
	        "See vpnc(8).\n");
}

void vpnc_cli_version(FILE *f)
{
	fprintf(f, "vpnc %s (OpenVPN 2.x compatible client; %s)\n", VPNC_VERSION,
	        OpenSSL_version(OPENSSL_VERSION));
}

bool vpnc_cli_is_command(const char *arg)
{
	return arg != NULL && (strcmp(arg, "status") == 0 || strcmp(arg, "disconnect") == 0 ||
	                       strcmp(arg, "reconnect") == 0 || strcmp(arg, "kill-switch") == 0 ||
	                       strcmp(arg, "answer") == 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes; 0, -EAGAIN or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -EAGAIN;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -EAGAIN;
		if (errno != EINTR)
			return -errno;
	}
}

int vpnc_cli_request(const char *path, const char *req, char *out, size_t cap, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[VPNC_CLI_REQ_MAX + 2];
	int64_t deadline = now_ms() + timeout_ms;
	size_t len = 0, req_len = strlen(req), sent = 0;
	int fd = -1, ret;
	ssize_t n;

	if (cap == 0 || strlen(path) >= sizeof(sa.sun_path) || req_len + 2 > sizeof(line))
		return -EINVAL;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	memcpy(line, req, req_len);
	line[req_len++] = '\n';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A Unix connect either completes at once or fails with EAGAIN while the backlog is full. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		if (ret != -EAGAIN && ret != -EINTR)
			goto out;
		if (now_ms() >= deadline)
			goto out;
		poll(NULL, 0, CLI_RETRY_MS);
	}
	while (sent < req_len) {
		n = send(fd, line + sent, req_len - sent, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((ret = wait_fd(fd, POLLOUT, deadline)) < 0)
				goto out;
			continue;
		}
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		sent += (size_t)n;
	}
	/* Read until the daemon closes the connection; the reply must fit. */
	for (;;) {
		if (len + 1 >= cap) {
			ret = -EMSGSIZE;
			goto out;
		}
		n = read(fd, out + len, cap - 1 - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((ret = wait_fd(fd, POLLIN, deadline)) < 0)
				goto out;
			continue;
		}
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	ret = len > (size_t)0x7FFFFFFF ? -EMSGSIZE : (int)len;
out:
	OPENSSL_cleanse(line, sizeof(line)); /* an answer may be in it */
	if (ret < 0)
		out[0] = '\0';
	close(fd);
	return ret;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vpnc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vpnc --help'.\n");
	return VPNC_CLI_USAGE;
}

/* Picks the socket from the options, or the only running instance. */
static int find_socket(const char *instance, const char *sock, char *path, size_t cap)
{
	char dir[VPNC_CTL_PATH_MAX], sys[VPNC_CTL_PATH_MAX];
	int ret;

	if (sock != NULL) {
		if (strlen(sock) >= cap)
			return usage_error("the control socket path '%s' is too long.", sock);
		memcpy(path, sock, strlen(sock) + 1);
		return VPNC_CLI_OK;
	}
	if (instance != NULL) {
		ret = vpnc_ctl_path(instance, path, cap);
		if (ret == -EINVAL)
			return usage_error("'%s' is not a valid instance name.", instance);
		if (ret < 0)
			return usage_error("the socket path of instance '%s' is too long.", instance);
		/* Not in this user's directory: a system instance (vpnc-client@NAME) in /run/vpnc. */
		if (access(path, F_OK) < 0 && vpnc_ctl_system_path(instance, sys, sizeof(sys)) == 0 &&
		    strcmp(sys, path) != 0 && strlen(sys) < cap)
			memcpy(path, sys, strlen(sys) + 1);
		return VPNC_CLI_OK;
	}
	ret = vpnc_ctl_find_single(path, cap);
	if (ret == 0)
		return VPNC_CLI_OK;
	if (vpnc_ctl_dir(dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	if (ret == -EEXIST) {
		fprintf(stderr, "vpnc: several instances are running (sockets in %s); name one with "
		                "--instance NAME.\n", dir);
		return VPNC_CLI_USAGE;
	}
	fprintf(stderr, "vpnc: no running vpnc found (no control socket in %s).\n", dir);
	return VPNC_CLI_FAIL;
}

const char *vpnc_cli_explain(int err)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		return "vpnc is not running there";
	case -EACCES:
	case -EPERM:
		return "permission denied (try sudo or the vpnc group)";
	case -EAGAIN:
		return "vpnc did not answer in time";
	case -EMSGSIZE:
		return "the reply is too long";
	default:
		return strerror(-err);
	}
}

/* The request for one status: JSON, text with human units, or text with exact numbers. */
static const char *status_req(bool json, bool raw)
{
	return json ? "status" : raw ? "status text raw" : "status text";
}

/*
 * `vpnc status` with no instance named and several running: every one, in
 * name order, text blocks separated by a blank line or one JSON array. An
 * instance that cannot be asked is reported and makes the exit status 1.
 */
static int status_all(char (*paths)[VPNC_CTL_PATH_MAX], size_t n, bool json, bool raw, char *reply)
{
	int code = VPNC_CLI_OK, ret;
	bool first = true;

	if (json)
		fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		ret = vpnc_cli_request(paths[i], status_req(json, raw), reply, CLI_REPLY_MAX,
		                       VPNC_CLI_TIMEOUT_MS);
		if (ret <= 0 || strncmp(reply, "error", 5) == 0) {
			fprintf(stderr, "vpnc: %s: %s", paths[i],
			        ret < 0 ? vpnc_cli_explain(ret) : ret == 0 ? "no answer from vpnc" : reply);
			fputs(ret <= 0 ? ".\n" : "", stderr);
			code = VPNC_CLI_FAIL;
			continue;
		}
		if (json) {
			reply[strcspn(reply, "\n")] = '\0';
			printf("%s%s", first ? "" : ",", reply);
		} else {
			printf("%s%s", first ? "" : "\n", reply);
		}
		first = false;
	}
	if (json)
		fputs("]\n", stdout);
	return code;
}

int vpnc_cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL, *instance = NULL, *sock = NULL;
	char path[VPNC_CTL_PATH_MAX];
	char *reply = NULL;
	bool json = false, raw = false;
	int ret, code;

	if (!vpnc_cli_is_command(cmd))
		return usage_error("unknown command '%s'.", cmd != NULL ? cmd : "");
	if (strcmp(cmd, "kill-switch") == 0)
		return vpnc_cli_killswitch(argc, argv); /* cli_killswitch.c: no daemon needed */
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			vpnc_cli_usage(stdout);
			return VPNC_CLI_OK;
		} else if (strcmp(a, "--json") == 0 && strcmp(cmd, "status") == 0) {
			json = true;
		} else if (strcmp(a, "--raw") == 0 && strcmp(cmd, "status") == 0) {
			raw = true;
		} else if (strcmp(a, "--instance") == 0 && i + 1 < argc) {
			instance = argv[++i];
		} else if (strcmp(a, "--control-socket") == 0 && i + 1 < argc) {
			sock = argv[++i];
		} else if (a[0] != '-' && instance == NULL) {
			/* `vpnc status NAME`, as systemd's instance name (vpnc-client@NAME). */
			instance = a;
		} else {
			return usage_error("unknown or incomplete option '%s'.", a);
		}
	}
	if (instance != NULL && sock != NULL)
		return usage_error("%s", "--instance and --control-socket exclude each other.");
	reply = malloc(CLI_REPLY_MAX);
	if (reply == NULL) {
		fprintf(stderr, "vpnc: out of memory.\n");
		return VPNC_CLI_FAIL;
	}
	/* `vpnc status` alone, like `wg show`: every running instance. */
	if (instance == NULL && sock == NULL && strcmp(cmd, "status") == 0) {
		static char paths[VPNC_CTL_LIST_MAX][VPNC_CTL_PATH_MAX];
		size_t n = 0;

		ret = vpnc_ctl_find_all(paths, VPNC_CTL_LIST_MAX, &n);
		if (ret == -EACCES) {
			fprintf(stderr, "vpnc: cannot list the running instances: %s.\n", vpnc_cli_explain(ret));
			free(reply);
			return VPNC_CLI_FAIL;
		}
		if (n > 1) {
			code = status_all(paths, n, json, raw, reply);
			free(reply);
			return code;
		}
		if (n == 1)
			sock = paths[0]; /* the only one, maybe a system instance seen by a non-root user */
	}
	code = find_socket(instance, sock, path, sizeof(path));
	if (code != VPNC_CLI_OK) {
		free(reply);
		return code;
	}
	if (strcmp(cmd, "answer") == 0) {
		free(reply);
		return vpnc_cli_answer(path); /* cli_answer.c */
	}
	ret = vpnc_cli_request(path, strcmp(cmd, "status") == 0 ? status_req(json, raw) : cmd, reply,
	                       CLI_REPLY_MAX, VPNC_CLI_TIMEOUT_MS);
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s: %s.\n", path, vpnc_cli_explain(ret));
		code = VPNC_CLI_FAIL;
	} else if (strncmp(reply, "error", 5) == 0 || ret == 0) {
		fprintf(stderr, "vpnc: %s", ret == 0 ? "no answer from vpnc.\n" : reply);
		code = VPNC_CLI_FAIL;
	} else if (strcmp(cmd, "status") == 0) {
		fputs(reply, stdout);
		code = VPNC_CLI_OK;
	} else {
		printf("%s\n", strcmp(cmd, "disconnect") == 0 ? "Disconnecting." : "Reconnecting.");
		code = VPNC_CLI_OK;
	}
	free(reply);
	return code;
}
