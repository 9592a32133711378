/*
 * rpersist.c: the 'replay-persist' file (rpersist.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/file.h>

#include "daemon/log.h"
#include "daemon/rpersist.h"
#include "os/fsowner.h"

int vpnc_rpersist_open(const struct vpnc_config *conf, struct vpnc_rpersist *rp)
{
	uint8_t img[VPNC_REPLAY_IMAGE_LEN];
	struct vpnc_fsowner fo;
	ssize_t n;
	int fd, ret;

	memset(rp, 0, sizeof(*rp));
	rp->fd = -1;
	if (conf->replay_persist[0] == '\0')
		return 0;
	snprintf(rp->path, sizeof(rp->path), "%s", conf->replay_persist);
	ret = vpnc_fsowner_enter(&fo, conf->owner_uid, conf->owner_gid);
	if (ret < 0) {
		fd = ret;
	} else {
		fd = vpnc_fs_open(rp->path, O_CREAT | O_RDWR, 0600);
		vpnc_fsowner_leave(&fo);
	}
	if (fd < 0) {
		/* 2.6 goes on without it. */
		vpnc_log(VPNC_LOG_WARN, "Cannot open --replay-persist file %s for read/write: %s", rp->path,
		         strerror(-fd));
		return 0;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = -errno;
		vpnc_log(VPNC_LOG_FATAL, "Cannot obtain exclusive lock on --replay-persist file %s: %s.", rp->path,
		         strerror(-ret));
		close(fd);
		return ret == -EWOULDBLOCK ? -EWOULDBLOCK : ret;
	}
	rp->fd = fd;
	n = pread(fd, img, sizeof(img), 0);
	if (n < 0)
		vpnc_log(VPNC_LOG_WARN, "Read error on --replay-persist file %s: %s", rp->path, strerror(errno));
	else if (vpnc_replay_image_decode(img, n < 0 ? 0 : (size_t)n, &rp->time, &rp->id))
		rp->have = true;
	rp->w_time = rp->time;
	rp->w_id = rp->id;
	vpnc_log(VPNC_LOG_MORE, "replay-persist %s: %s", rp->path,
	         rp->have ? "packets up to the saved id are replays" : "no saved state, starting fresh");
	return 0;
}

void vpnc_rpersist_save(struct vpnc_rpersist *rp, uint32_t time, uint32_t id)
{
	uint8_t img[VPNC_REPLAY_IMAGE_LEN];

	if (rp->fd < 0)
		return;
	rp->time = time;
	rp->id = id;
	rp->have = true;
	if (time == rp->w_time && id == rp->w_id)
		return;
	vpnc_replay_image_encode(img, time, id);
	if (pwrite(rp->fd, img, sizeof(img), 0) != (ssize_t)sizeof(img)) {
		if (!rp->write_failed)
			vpnc_log(VPNC_LOG_WARN, "Cannot write to --replay-persist file %s: %s", rp->path,
			         strerror(errno));
		rp->write_failed = true;
		return;
	}
	rp->w_time = time;
	rp->w_id = id;
}

void vpnc_rpersist_close(struct vpnc_rpersist *rp)
{
	if (rp->fd >= 0)
		close(rp->fd);
	rp->fd = -1;
}
