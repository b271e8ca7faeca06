// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading the syscall filter libseccomp compiled at build time. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "seccomp-filter.h"
#include "spec.h"

int seccomp_apply(struct nc_err *err)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(sizeof(nsbox_seccomp_filter) / sizeof(nsbox_seccomp_filter[0])),
	    .filter = (struct sock_filter *)nsbox_seccomp_filter,
	};
	/* no_new_privs is set by then, which lets any process install one. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return nc_err_errno(err, errno, "seccomp: load the filter");
	return 0;
}
