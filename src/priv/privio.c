/*
 * privio.c: the socketpair I/O of privilege separation (privio.h).
 */
#include "priv/privio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int vpnc_priv_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	return 0;
}

int vpnc_priv_send(int sock, const void *msg, size_t len, int passfd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (passfd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Closes every descriptor a control message carried; returns how many there were. */
static int take_fds(struct msghdr *mh, int *first)
{
	int count = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (count++ == 0 && first != NULL)
				*first = fd;
			else
				close(fd);
		}
	}
	return count;
}

int vpnc_priv_recv(int sock, union vpnc_priv_msg *m, bool from_parent, int *fd)
{
	/* One byte more than the largest message, so a longer one is seen as such. */
	static _Thread_local unsigned char buf[VPNC_PRIV_MSG_MAX + 1];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	                    .msg_controllen = sizeof(ctl.buf)};
	int got = -1, nfds, type;
	ssize_t n;

	if (fd != NULL)
		*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	nfds = take_fds(&mh, &got);
	if (n == 0 && nfds == 0)
		return -ECONNRESET;
	type = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? -EBADMSG : vpnc_priv_check(buf, (size_t)n, from_parent);
	if (type > 0 && (nfds > 1 || (nfds == 1) != ((type == VPNC_PRIV_TUN || type == VPNC_PRIV_MARK) && fd != NULL)))
		type = -EBADMSG;
	if (type < 0) {
		if (got >= 0)
			close(got);
		return type;
	}
	memcpy(m, buf, (size_t)n);
	if (nfds == 1)
		*fd = got;
	return type;
}
