// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mount propagation. Sandbox to host must never happen: mounts made inside
 * (where the command may mount at all: --cap-add SYS_ADMIN --seccomp=off)
 * stay in the sandbox's mount namespace; the test looks for them on the
 * host. Host to sandbox: a host-view root is a slave of the host's mounts
 * (MS_SLAVE), so a mount the host makes later below a directory the
 * sandbox sees may show up inside; where README promises a read-only view
 * (/usr, /etc, ...), it must then be read-only too.
 *
 *   prop mount NAME DIR...     mount a tmpfs called NAME on each DIR
 *   prop look DIR FILE         after the host mounted a tmpfs holding FILE
 *                              on DIR: DIR must not take a new file
 */
#include "case.h"

#include <sys/mount.h>

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "mount")) {
		for (int i = 3; i < argc; i++) {
			mkdir(argv[i], 0755);
			if (mount(argv[2], argv[i], "tmpfs", 0, NULL) == 0)
				note("mounted a tmpfs %s on %s (the host must not see it)", argv[2],
				     argv[i]);
			else
				blocked("mount a tmpfs on %s: %s", argv[i], ename(errno));
		}
		/* Judged by the test, on the host: nothing to escape here. */
		return case_finish();
	}
	if (argc == 4 && !strcmp(argv[1], "look")) {
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", argv[2], argv[3]);
		if (access(p, F_OK) < 0) {
			blocked("the host's mount on %s did not propagate inside (%s)", argv[2],
				ename(errno));
			return case_finish();
		}
		note("the host's mount on %s propagated inside", argv[2]);
		snprintf(p, sizeof(p), "%s/nsbox-sec-written-%d", argv[2], getpid());
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			escaped("%s (read-only inside) takes a new file through the host's later "
				"mount: %s",
				argv[2], p);
			close(fd);
		} else {
			blocked("the propagated mount on %s is read-only (%s)", argv[2],
				ename(errno));
		}
		return case_finish();
	}
	fprintf(stderr, "usage: prop mount NAME DIR... | prop look DIR FILE\n");
	return 2;
}
