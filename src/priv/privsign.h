/*
 * privsign.h: the network process's stand-in for a PKCS#11 token's key
 * under privilege separation (docs/pkcs11.md). The parent keeps the token
 * (os/pkcs11.h) and answers SIGN requests (privmsg.h, privsrv.c); the child
 * gets an EVP_PKEY holding only the certificate's public key, whose private
 * operations are those requests, so its TLS context uses it like any key.
 */
#ifndef VPNC_PRIV_PRIVSIGN_H
#define VPNC_PRIV_PRIVSIGN_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/*
 * A key for cert's public key (RSA or EC) that signs through the parent on
 * sock (the child's end of the privsep socketpair). Returns a new reference,
 * or NULL with one sentence in err. One socket per process: a later call
 * replaces it.
 */
EVP_PKEY *vpnc_privsign_key(X509 *cert, int sock, char *err, size_t errlen);

#endif
