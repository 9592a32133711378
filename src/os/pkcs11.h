/*
 * pkcs11.h: the client certificate and private key on a PKCS#11 token
 * (smartcard, USB key, HSM), through pkcs11-helper (docs/pkcs11.md).
 *
 * vpnc_p11_open() loads the profile's providers, finds the certificate its
 * 'pkcs11-id' names, logs in to the token (asking for the PIN once) and
 * hands back the certificate and an EVP_PKEY whose private operations are
 * done by the token: the key never leaves it. The TLS context builder
 * (core/tls.h) takes both like a key read from a file.
 *
 * The PIN is asked through the caller's function, into a buffer this module
 * wipes. A wrong PIN is tried exactly once: no second login is attempted in
 * this process after a failure, so vpnc never brings a token closer to
 * locking itself than one attempt per start.
 */
#ifndef VPNC_OS_PKCS11_H
#define VPNC_OS_PKCS11_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "vpnc/config.h"

#define VPNC_P11_PIN_MAX 256 /* longest PIN accepted, NUL included */

/*
 * Asks for a PIN: question is one line such as "Enter vpnc-test token
 * Password:" (the token label escaped). Writes a NUL-terminated PIN of at
 * most cap - 1 bytes into buf and returns 0, or a negative errno (-ENXIO:
 * nobody to ask). buf belongs to this module, which wipes it.
 */
typedef int (*vpnc_p11_pin_fn)(const char *question, char *buf, size_t cap, void *arg);

/*
 * Opens cfg->pkcs11_id on cfg->pkcs11_providers (with their per-provider
 * settings and cfg->pkcs11_pin_cache). On success *cert and *key are new
 * references for the caller. Returns 0, or a negative errno with one
 * sentence in err: -EACCES wrong PIN, -EPERM PIN locked, -ENXIO no PIN
 * (nobody to ask), -ENOENT no such token or certificate, -ELIBBAD a
 * provider cannot be loaded, -EINVAL a malformed id, -EIO another token error.
 */
int vpnc_p11_open(const struct vpnc_config *cfg, vpnc_p11_pin_fn pin, void *arg, X509 **cert,
                  EVP_PKEY **key, char *err, size_t errlen);

/* One certificate found by vpnc_p11_list(): its serialized id and DER bytes. */
typedef void (*vpnc_p11_each_fn)(void *ctx, const char *id, const unsigned char *der, size_t len);

/*
 * Loads provider alone and calls each() for every user certificate on its
 * tokens (not CA certificates), as 2.6's --show-pkcs11-ids does. With
 * cert_private the tokens are logged in first (PIN asked). Returns the
 * number of certificates, or a negative errno with a sentence in err.
 */
int vpnc_p11_list(const char *provider, bool cert_private, vpnc_p11_pin_fn pin, void *arg,
                  vpnc_p11_each_fn each, void *ctx, char *err, size_t errlen);

/*
 * Unloads the providers (logging out of the tokens). Call after every
 * SSL_CTX holding a key from vpnc_p11_open() is freed; not in a process
 * that forked off the one using the token (privsep's parent).
 */
void vpnc_p11_close(void);

#endif
