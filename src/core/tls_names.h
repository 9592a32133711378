/*
 * tls_names.h: the TLS 1.2 cipher suite names a 'tls-cipher' list may use.
 *
 * OpenVPN 2.6 profiles name suites in IANA style with dashes
 * (TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384) or with OpenSSL's own names
 * (ECDHE-RSA-AES256-GCM-SHA384), mixed with OpenSSL keywords (DEFAULT,
 * !kRSA, ...). OpenVPN translates the IANA names to OpenSSL's through a table
 * before it hands the list to OpenSSL; this module does the same with its own
 * sorted table, and drops the words this OpenSSL does not know.
 */
#ifndef VPNC_TLS_NAMES_H
#define VPNC_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The OpenSSL name of the suite whose IANA name is name[0..len), written with
 * '-' as OpenVPN does or with '_' as IANA does; NULL if the table lacks it.
 */
const char *vpnc_tls_cipher_openssl_name(const char *name, size_t len);

/* Entry i of the table (IANA name with dashes, OpenSSL name); false past the end. For tests. */
bool vpnc_tls_cipher_entry(size_t i, const char **iana, const char **openssl);

/* Called for each word of a tls-cipher list that is dropped. */
typedef void (*vpnc_tls_skip_fn)(void *arg, const char *word, size_t len);

/*
 * Turns a tls-cipher list into one for SSL_CTX_set_cipher_list(): each IANA
 * name becomes its OpenSSL name; a suite name or keyword that selects no
 * cipher in this OpenSSL is dropped and reported to skip (may be NULL);
 * words with an operator (!, -, +, @) and empty words pass unchanged.
 * Returns the number of words written to out (0 if none is usable),
 * -ENAMETOOLONG if out (cap bytes) is too small, or -ENOMEM.
 */
int vpnc_tls_cipher_list(const char *in, char *out, size_t cap, vpnc_tls_skip_fn skip, void *arg);

#endif
