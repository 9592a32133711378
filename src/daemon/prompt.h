/*
 * prompt.h: asks for the auth-user-pass username and password on the
 * controlling terminal (/dev/tty), the password without echo.
 *
 * Ownership: the caller provides and later wipes the output buffers.
 */
#ifndef VPNC_DAEMON_PROMPT_H
#define VPNC_DAEMON_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest username or password accepted from the terminal. */
#define VPNC_PROMPT_MAX 512

/*
 * Fills user (when ask_user) and pass (when ask_pass), each NUL-terminated,
 * at most cap - 1 bytes. Returns 0, -ENXIO when there is no terminal, -EINTR
 * or -EIO when input ends early, or -ENOSPC when a line is too long.
 */
int vpnc_prompt_credentials(bool ask_user, char *user, bool ask_pass, char *pass, size_t cap);

/* The same with the questions given; a NULL question is not asked (http-proxy's own prompts). */
int vpnc_prompt_pair(const char *user_q, char *user, const char *pass_q, char *pass, size_t cap);

/* Asks one question without echo (e.g. a private key's passphrase); returns as above. */
int vpnc_prompt_secret(const char *question, char *out, size_t cap);

#endif
