// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/errno.h>

#include "internal.h"

const char *nc_strerror(int code)
{
	switch (code) {
	case EEXIST:
		return "already exists";
	case ENOENT:
		return "no such file or directory";
	case ENODEV:
		return "no such device";
	case EPERM:
		return "operation not permitted (nsbox needs root: CAP_NET_ADMIN and "
		       "CAP_SYS_ADMIN)";
	case EACCES:
		return "permission denied";
	case EOPNOTSUPP:
		return "not supported by this kernel";
	case EBUSY:
		return "device or resource busy";
	case EADDRNOTAVAIL:
		return "address not available";
	case ENETUNREACH:
		return "network unreachable (no interface reaches the gateway)";
	case ESRCH:
		return "no such process or route";
	default:
		return strerror(code);
	}
}

static int vset(struct nc_err *err, int code, const char *cause, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EIO;
	if (err) {
		int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		if (cause && n >= 0 && (size_t)n < sizeof(err->msg))
			snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", cause);
		err->code = code;
	}
	return -code;
}

int nc_err_set(struct nc_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vset(err, code, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int nc_err_errno(struct nc_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vset(err, code, nc_strerror(code < 0 ? -code : code), fmt, ap);
	va_end(ap);
	return r;
}

/* libnl folds the kernel's errno into its own NLE_* codes (nl_syserr2nlerr in
 * lib/error.c); map the ones that reach users back to errno so callers can
 * tell "exists" from "missing" and messages read like iproute2's. */
static int nl_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NODEV:
		return ENODEV;
	case NLE_PERM:
		return EPERM;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_BUSY:
		return EBUSY;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_INVAL:
		return EINVAL;
	case NLE_RANGE:
		return ERANGE;
	case NLE_NOADDR:
		return EADDRNOTAVAIL;
	case NLE_AF_NOSUPPORT:
		return EAFNOSUPPORT;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_MSGSIZE:
		return EMSGSIZE;
	case NLE_NOACCESS:
		return EACCES;
	default:
		return EIO;
	}
}

int nc_err_nl(struct nc_err *err, int nlerr, const char *fmt, ...)
{
	const char *ack = NULL;
	int kerr = nc_nl_last_error(&ack);
	int code = kerr ? kerr : nl_to_errno(nlerr);
	/* For codes without an errno twin, libnl's own text says more than EIO. */
	char cause[256];
	snprintf(cause, sizeof(cause), "%s%s%s",
		 !kerr && code == EIO ? nl_geterror(nlerr) : nc_strerror(code), ack ? " - " : "",
		 ack ? ack : "");
	va_list ap;
	va_start(ap, fmt);
	int r = vset(err, code, cause, fmt, ap);
	va_end(ap);
	return r;
}

int nc_err_prefix(struct nc_err *err, const char *fmt, ...)
{
	if (!err)
		return -EINVAL;
	char prefix[sizeof(err->msg)], old[sizeof(err->msg)];
	memcpy(old, err->msg, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return -(err->code ? err->code : EIO);
}

void nc_err_suffix(struct nc_err *err, const char *fmt, ...)
{
	if (!err)
		return;
	size_t len = strlen(err->msg);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
}
