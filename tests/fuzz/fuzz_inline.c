/*
 * fuzz_inline.c: libFuzzer target for `vpnc --inline-config` (cfg_inline.c).
 *
 * Feeds arbitrary bytes as a profile (through a memfd, since the inliner
 * reads a path) to vpnc_config_inline() with the untrusted check. Besides no
 * crash, leak or sanitizer report, one property: text the inliner accepts
 * must load with --untrusted-config whenever it loads without it, i.e. the
 * inliner's check (messages naming the user's file) and the loader's (the
 * one that protects vpnc) agree. Names in the input may point at any file;
 * reads are bounded and only regular files are read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "vpnc/config.h"

static int fd_with(const void *data, size_t size, char *path, size_t cap)
{
	int fd = memfd_create("fuzz-profile", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], path2[64], err[512], *out = NULL;
	size_t len = 0;
	int in = fd_with(data, size, path, sizeof(path)), fd2;

	if (in < 0)
		return 0;
	if (vpnc_config_inline(path, true, &out, &len, err, sizeof(err)) == 0) {
		fd2 = fd_with(out, len, path2, sizeof(path2));
		if (fd2 >= 0) {
			char *argv[] = {"--config", path2, "--untrusted-config"};
			struct vpnc_config *cfg = NULL;

			if (vpnc_config_load(NULL, 3, argv, NULL, &cfg, err, sizeof(err)) == 0) {
				vpnc_config_free(cfg);
			} else if (vpnc_config_load(NULL, 2, argv, NULL, &cfg, err, sizeof(err)) == 0) {
				/* It loads, but not as untrusted: the only difference is the trust check,
				 * so the inliner let through what the loader refuses. (Matching the
				 * refusal's words in err would be fooled by an unknown option's name
				 * that holds them: the loader quotes it.) */
				vpnc_config_free(cfg);
				abort();
			}
			close(fd2);
		}
		OPENSSL_cleanse(out, len);
		free(out);
	}
	close(in);
	return 0;
}
