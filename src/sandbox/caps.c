// SPDX-License-Identifier: GPL-2.0-or-later
/* Capability sets through libcap-ng. */
#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spec.h"

uint64_t caps_default(void)
{
	static const int caps[] = {
	    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
	    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
	    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	    CAP_KILL,	 CAP_AUDIT_WRITE,
	};
	uint64_t m = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		m |= 1ULL << caps[i];
	return m;
}

int caps_parse(const char *name, int *ret_cap, bool *ret_all, struct nc_err *err)
{
	*ret_all = false;
	if (!strcasecmp(name, "ALL")) {
		*ret_all = true;
		return 0;
	}
	const char *bare = strncasecmp(name, "CAP_", 4) ? name : name + 4;
	char lower[64];
	size_t i = 0;
	for (; bare[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)bare[i]);
	lower[i] = '\0';
	int cap = capng_name_to_capability(lower);
	if (cap < 0 || cap > CAP_LAST_CAP)
		return nc_err_set(err, EINVAL,
				  "capability %s: unknown (names as in capabilities(7), e.g. "
				  "NET_ADMIN or CAP_NET_ADMIN, or ALL)",
				  name);
	*ret_cap = cap;
	return 0;
}

int caps_apply(uint64_t mask, struct nc_err *err)
{
	capng_clear(CAPNG_SELECT_ALL);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (!(mask & (1ULL << cap)))
			continue;
		if (capng_update(CAPNG_ADD,
				 CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
				     CAPNG_BOUNDING_SET,
				 (unsigned)cap) < 0)
			return nc_err_set(err, EINVAL, "capability %d: cannot be set", cap);
	}
	/* Bounding first (needs CAP_SETPCAP, still held), then the rest. */
	int r = capng_apply(CAPNG_SELECT_ALL);
	if (r < 0)
		return nc_err_set(err, EPERM, "set capabilities: libcap-ng error %d", r);
	return 0;
}
