/*
 * prompt_pick.c: which front ends a question goes to (prompt.h): the
 * terminal when there is one, else systemd-ask-password (as OpenVPN 2.6
 * uses it when it cannot ask on a console), and in the loop the control
 * socket besides. Kept apart from any I/O so the unit tests can check every
 * combination.
 */
#include <fcntl.h>
#include <unistd.h>

#include "daemon/prompt_int.h"

void vpnc_prompt_env_probe(struct vpnc_prompt_env *env)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	env->tty = fd >= 0;
	if (fd >= 0)
		close(fd);
	env->sdask = access(VPNC_SDASK_PATH, X_OK) == 0;
}

unsigned vpnc_prompt_pick(const struct vpnc_prompt_env *env, bool sync)
{
	unsigned fes = 0;

	/* One interactive front end: two would ask the same person twice. */
	if (env->tty)
		fes |= VPNC_PROMPT_FE_TTY;
	else if (env->sdask && !env->no_sdask)
		fes |= VPNC_PROMPT_FE_SDASK;
	/* The control socket exists only in the loop. */
	if (!sync && env->ctl)
		fes |= VPNC_PROMPT_FE_CTL;
	return fes;
}
