/*
 * cli.h: the client side of the control socket and the program's own
 * help and version text.
 *
 *   vpnc status [--json] [--instance NAME | --control-socket PATH]
 *   vpnc disconnect [--instance NAME | --control-socket PATH]
 *   vpnc reconnect [--instance NAME | --control-socket PATH]
 *   vpnc answer [--instance NAME | --control-socket PATH]   (cli_answer.c)
 *
 * Without --instance or --control-socket the one socket in the socket
 * directory is used (ctlpath.h); with several running instances one must be
 * named. Exit status (VPNC_CLI_*): 0 done; 1 vpnc is not running there,
 * cannot be reached (permission, timeout) or answered with an error;
 * 2 bad usage (unknown option, bad instance name, several instances and
 * none named).
 *
 * Everything here is plain blocking I/O with timeouts: it runs in the
 * short-lived `vpnc status` process, never in the daemon's loop.
 */
#ifndef VPNC_CONTROL_CLI_H
#define VPNC_CONTROL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VPNC_CLI_OK 0
#define VPNC_CLI_FAIL 1
#define VPNC_CLI_USAGE 2

/* How long each step of a request (connect, send, every read) may take. */
#define VPNC_CLI_TIMEOUT_MS 5000
/* Longest request line sent (the daemon takes VPNC_CTL_REQ_MAX, less: an answer fits both). */
#define VPNC_CLI_REQ_MAX 1024

/* True if arg is one of the client commands (status, disconnect, reconnect, answer, kill-switch). */
bool vpnc_cli_is_command(const char *arg);

/* Runs `vpnc COMMAND [options]` (argv[1] is the command); returns the exit status. */
int vpnc_cli_main(int argc, char **argv);

/* `vpnc kill-switch off [--instance NAME]` (cli_killswitch.c): returns the exit status. */
int vpnc_cli_killswitch(int argc, char **argv);

/* `vpnc --show-pkcs11-ids [PROVIDER [CERT_PRIVATE]]` (cli_pkcs11.c): returns the exit status. */
int vpnc_cli_show_pkcs11_ids(int argc, char **argv);

/*
 * `vpnc answer` (cli_answer.c): asks the user the question the daemon at
 * path waits for (on the terminal, echo as the question says; from stdin
 * when it is not a terminal) and sends the answer. Returns the exit status.
 */
int vpnc_cli_answer(const char *path);

/* Why a request failed, for people ("vpnc is not running there", ...). */
const char *vpnc_cli_explain(int err);

/*
 * Sends the request line req (without its newline, at most VPNC_CLI_REQ_MAX
 * bytes; wiped from the stack once sent, it may hold an answer) to the
 * control socket at path and reads the whole reply into out (NUL-terminated). Returns the
 * reply's length, -EMSGSIZE if it does not fit cap, -EAGAIN on a timeout, or
 * the negative errno of socket/connect/read/write (-ENOENT or -ECONNREFUSED:
 * nothing runs there; -EACCES: not allowed).
 */
int vpnc_cli_request(const char *path, const char *req, char *out, size_t cap, int timeout_ms);

/* The text of `vpnc --help` and `vpnc --version`. */
void vpnc_cli_usage(FILE *f);
void vpnc_cli_version(FILE *f);

#endif
