/*
 * test_privsign.c: signing through the privileged parent (privsep with
 * 'pkcs11-id'): the SIGN and SIGNATURE messages' checks (privmsg.c), the
 * parent's handling (privsrv.c) and the network process's stand-in key
 * (privsign.c), over a real socketpair with a forked process as the parent.
 *
 * The parent holds an ordinary OpenSSL key here, not a token's (the interop
 * test test_pkcs11.sh has the token): what is checked is that signatures
 * made with the stand-in verify with the certificate's public key, for
 * RSA with PKCS#1 v1.5 (TLS 1.2) and RSA-PSS (TLS 1.3, the raw path) and for
 * ECDSA; that a parent without a key, or with a key of the other type,
 * treats SIGN as a request that is not allowed; and that malformed SIGN and
 * SIGNATURE messages fail the one check.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "priv/privcli.h"
#include "priv/privio.h"
#include "priv/privmsg.h"
#include "priv/privsign.h"
#include "priv/privsrv.h"

#include "../check.h"
#include "../privsrv_serve.h"

/* A self-signed certificate for key, so the stand-in has a public key to copy. */
static X509 *cert_for(EVP_PKEY *key)
{
	X509 *x = X509_new();

	if (x == NULL)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"t", -1,
	                           -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * Forks a parent that serves requests on sv[0] with key until the child's
 * end closes; returns its pid, the test keeping sv[1]. Its exit status is
 * 0 after a clean end, 2 after a request that is not allowed.
 */
static pid_t parent_start(EVP_PKEY *key, int *sock)
{
	int sv[2];
	pid_t pid;

	if (vpnc_priv_socketpair(sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct vpnc_privsrv s;
		int ret;

		close(sv[1]);
		memset(&s, 0, sizeof(s));
		s.tun.fd = -1;
		s.sign_key = key;
		while ((ret = privsrv_serve_one(&s, sv[0])) > 0)
			;
		_exit(ret < 0 ? 2 : 0);
	}
	close(sv[0]);
	*sock = sv[1];
	return pid;
}

static int parent_end(pid_t pid, int sock)
{
	int st = 0;

	close(sock);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Signs a message with the stand-in (padding for RSA: PKCS#1 v1.5 or PSS), verifies with cert's key. */
static bool sign_verify(EVP_PKEY *standin, X509 *cert, int padding)
{
	static const unsigned char msg[] = "TLS handshake transcript";
	unsigned char sig[1024];
	size_t len = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = false;

	if (md == NULL)
		return false;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, standin) == 1 &&
	    (padding == 0 || EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1) &&
	    (padding != RSA_PKCS1_PSS_PADDING || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1) &&
	    EVP_DigestSign(md, sig, &len, msg, sizeof(msg)) == 1) {
		EVP_MD_CTX_reset(md);
		pctx = NULL;
		ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
		     (padding == 0 || EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1) &&
		     (padding != RSA_PKCS1_PSS_PADDING ||
		      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1) &&
		     EVP_DigestVerify(md, sig, len, msg, sizeof(msg)) == 1;
	}
	EVP_MD_CTX_free(md);
	return ok;
}

static void test_roundtrip(const char *what, EVP_PKEY *key)
{
	X509 *cert = cert_for(key);
	char err[256] = "";
	int sock = -1;
	pid_t pid = cert != NULL ? parent_start(key, &sock) : -1;
	EVP_PKEY *standin;

	CHECK(pid > 0, "%s: parent started", what);
	if (pid <= 0) {
		X509_free(cert);
		return;
	}
	standin = vpnc_privsign_key(cert, sock, err, sizeof(err));
	CHECK(standin != NULL, "%s: stand-in key: %s", what, err);
	if (standin != NULL) {
		/* The stand-in matches the certificate, as SSL_CTX_use_PrivateKey() checks. */
		CHECK(X509_check_private_key(cert, standin) == 1, "%s: matches its certificate", what);
		if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
			CHECK(sign_verify(standin, cert, RSA_PKCS1_PADDING), "%s: PKCS#1 v1.5 signature verifies", what);
			CHECK(sign_verify(standin, cert, RSA_PKCS1_PSS_PADDING), "%s: PSS signature verifies", what);
		} else {
			CHECK(sign_verify(standin, cert, 0), "%s: ECDSA signature verifies", what);
		}
	}
	EVP_PKEY_free(standin);
	CHECK(parent_end(pid, sock) == 0, "%s: the parent ended cleanly", what);
	X509_free(cert);
}

/* A parent without the key (no 'pkcs11-id'), or with the other type: SIGN is not allowed. */
static void test_refused(EVP_PKEY *rsa, EVP_PKEY *ec)
{
	unsigned char digest[32] = {1}, out[1024];
	int sock;
	pid_t pid = parent_start(NULL, &sock);

	CHECK(pid > 0);
	if (pid > 0) {
		CHECK(vpnc_privc_sign(sock, VPNC_PRIV_SIGN_ECDSA, digest, sizeof(digest), out, sizeof(out)) < 0);
		CHECK(parent_end(pid, sock) == 2);
	}
	pid = parent_start(rsa, &sock);
	CHECK(pid > 0);
	if (pid > 0) {
		CHECK(vpnc_privc_sign(sock, VPNC_PRIV_SIGN_ECDSA, digest, sizeof(digest), out, sizeof(out)) < 0);
		CHECK(parent_end(pid, sock) == 2);
	}
	pid = parent_start(ec, &sock);
	CHECK(pid > 0);
	if (pid > 0) {
		CHECK(vpnc_privc_sign(sock, VPNC_PRIV_SIGN_RSA_RAW, digest, sizeof(digest), out, sizeof(out)) < 0);
		CHECK(parent_end(pid, sock) == 2);
	}
	/* Too long for the message: refused before anything is sent. */
	CHECK(vpnc_privc_sign(-1, VPNC_PRIV_SIGN_RSA_RAW, out, VPNC_PRIV_SIGN_MAX + 1, out, sizeof(out)) == -EMSGSIZE);
}

static void test_checks(void)
{
	struct vpnc_priv_msg_sign q;
	struct vpnc_priv_msg_signature r;

	memset(&q, 0, sizeof(q));
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_SIGN);
	q.op = VPNC_PRIV_SIGN_ECDSA;
	q.len = 32;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == VPNC_PRIV_SIGN);
	CHECK(vpnc_priv_check(&q, sizeof(q), true) == -EBADMSG); /* a request from the parent */
	q.len = VPNC_PRIV_DIGEST_MAX + 1;                         /* no digest is that long */
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.op = VPNC_PRIV_SIGN_RSA_RAW;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == VPNC_PRIV_SIGN);
	q.len = 0;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.len = VPNC_PRIV_SIGN_MAX + 1;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.len = 16;
	q.data[16] = 1; /* a byte past len */
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.data[16] = 0;
	q.op = 0;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.op = VPNC_PRIV_SIGN_ECDSA + 1;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	CHECK(vpnc_priv_check(&q, sizeof(q) - 1, false) == -EBADMSG);

	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_SIGNATURE);
	r.len = 256;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_SIGNATURE);
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == -EBADMSG); /* a reply from the child */
	r.err = -EIO;                                             /* an error carries no signature */
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.len = 0;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_SIGNATURE);
	r.err = 0; /* neither error nor signature */
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.len = 8;
	r.sig[8] = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.sig[8] = 0;
	r.err = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
}

int main(void)
{
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	EVP_PKEY *ec = EVP_EC_gen("P-256");

	signal(SIGPIPE, SIG_IGN);
	CHECK(rsa != NULL && ec != NULL);
	test_checks();
	if (rsa != NULL && ec != NULL) {
		test_roundtrip("RSA 2048", rsa);
		test_roundtrip("EC P-256", ec);
		test_refused(rsa, ec);
	}
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	printf("test_privsign: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
