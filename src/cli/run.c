// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox run */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sandbox/launch.h"

static const char usage[] =
    "Usage: nsbox run [OPTIONS] [--] CMD [ARG...]\n"
    "\n"
    "Run CMD in a sandbox: fresh mount, UTS, IPC and PID namespaces, a network\n"
    "namespace, and a pivot_rooted root filesystem. PID 1 is nsbox's init.\n"
    "\n"
    "Network:\n"
    "      --net none|host     a fresh netns with only lo (default) | nsbox's own\n"
    "      --netns NAME        join the persistent netns NAME (nsbox's or iproute2's);\n"
    "                          /etc/netns/NAME/* is bound over /etc/*\n"
    "Filesystem:\n"
    "      --rootfs host|DIR   host: read-only /usr /bin /sbin /lib* /etc of the host,\n"
    "                          private /tmp /run /var/tmp (default); DIR: an unpacked\n"
    "                          root, the lower layer of an overlay (DIR is never written)\n"
    "      --rootfs-rw         with DIR: write through to DIR instead\n"
    "  -b, --bind SRC:DST[:ro] bind a host path into the sandbox (repeatable)\n"
    "  -w, --workdir DIR       working directory inside (default /)\n"
    "Identity:\n"
    "      --name NAME         the sandbox's name (default sb-XXXXXX)\n"
    "      --hostname H        default: the name\n"
    "  -u, --user UID[:GID]    run as this user (numbers or host names)\n"
    "  -e, --env K=V           set a variable (repeatable); the environment is\n"
    "                          otherwise clean: PATH, HOME=/root (and TERM with -t)\n"
    "Privilege:\n"
    "      --cap-add CAP       keep CAP too (NET_ADMIN, CAP_SYS_TIME, ALL)\n"
    "      --cap-drop CAP      drop CAP from the default set (or ALL)\n"
    "      --seccomp=off       no syscall filter (on by default)\n"
    "Process:\n"
    "  -d, --detach            run in the background; print the name\n"
    "  -t, --tty               give the command this terminal (its own foreground\n"
    "                          process group); without it the sandbox has a session\n"
    "                          of its own and nsbox forwards signals\n"
    "      --keep-fds N        pass fds 3..3+N-1 to the command (others close)\n"
    "Uplink (a way out through nsbox's netns, NAT'd; see nsbox uplink --help):\n"
    "      --uplink            with the default --net none\n"
    "      --dns ADDR          name server (default: the host's)\n"
    "      --publish [HOSTADDR:]HOSTPORT:PORT[/tcp|/udp]   forward a host port inside\n"
    "      --allow CIDR[:PORT[/tcp|/udp]]   reach only these (and DNS); reject the rest\n"
    "\n"
    "Capabilities kept by default (Docker's set): CHOWN DAC_OVERRIDE FSETID FOWNER\n"
    "MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL\n"
    "AUDIT_WRITE, in every set including the bounding set; no_new_privs is set.\n"
    "\n"
    "Exit status: the command's; 128+N if it died of signal N; 125 nsbox failed\n"
    "(nothing is left behind); 126 the command cannot be executed; 127 not found.\n";

enum {
	OPT_NETNS = OPT_FIRST_LOCAL,
	OPT_NET,
	OPT_ROOTFS,
	OPT_ROOTFS_RW,
	OPT_NAME,
	OPT_HOSTNAME,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_KEEP_FDS,
	OPT_SECCOMP,
	OPT_UPLINK,
};

struct run_opts {
	struct sandbox_spec spec;
	const char *name, *net, *rootfs, *keep_fds, *user, *seccomp;
	bool uplink_opt;      /* --dns, --publish or --allow given */
	const char **cap_ops; /* "+CAP" or "-CAP", in order */
	size_t n_cap_ops;
	struct nc_err err;
	bool failed;
};

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int run_opt(int c, const char *arg, void *data)
{
	struct run_opts *o = data;
	struct sandbox_spec *s = &o->spec;
	int r = 0;
	switch (c) {
	case OPT_NETNS:
		s->net = SANDBOX_NET_NETNS;
		s->netns = arg;
		break;
	case OPT_NET:
		o->net = arg;
		break;
	case OPT_ROOTFS:
		o->rootfs = arg;
		break;
	case OPT_ROOTFS_RW:
		s->rootfs_rw = true;
		break;
	case OPT_NAME:
		o->name = arg;
		break;
	case 'd':
		s->detach = true;
		break;
	case OPT_HOSTNAME:
		s->hostname = arg;
		break;
	case 'b': {
		struct sandbox_bind *nb = realloc(s->binds, (s->n_binds + 1) * sizeof(*nb));
		if (!nb)
			return cli_usage("run", "out of memory");
		s->binds = nb;
		if (bind_parse(arg, &s->binds[s->n_binds], &o->err) < 0) {
			o->failed = true;
			return EXIT_NSBOX;
		}
		s->n_binds++;
		break;
	}
	case 'e':
		if (!strchr(arg, '=') || arg[0] == '=')
			return cli_usage("run", "--env %s: expected K=V", arg);
		r = push(&s->env, &s->n_env, arg);
		break;
	case 'w':
		if (arg[0] != '/')
			return cli_usage("run", "--workdir %s: must be an absolute path", arg);
		s->workdir = arg;
		break;
	case 'u':
		o->user = arg;
		break;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: {
		char *op;
		if (asprintf(&op, "%c%s", c == OPT_CAP_ADD ? '+' : '-', arg) < 0)
			return cli_usage("run", "out of memory");
		r = push(&o->cap_ops, &o->n_cap_ops, op);
		break;
	}
	case 't':
		s->tty = true;
		break;
	case OPT_KEEP_FDS:
		o->keep_fds = arg;
		break;
	case OPT_SECCOMP:
		o->seccomp = arg;
		break;
	case OPT_UPLINK:
		s->uplink = true;
		break;
	default:
		r = uplink_opt_parse(c, arg, &s->uplink_opts, &o->err);
		if (r == -ENOENT)
			return cli_usage("run", "unexpected option");
		if (r < 0) {
			o->failed = true;
			return EXIT_NSBOX;
		}
		o->uplink_opt = true;
		return 0;
	}
	return r < 0 ? cli_usage("run", "out of memory") : 0;
}

static const struct option longopts[] = {
    {"netns", required_argument, NULL, OPT_NETNS},
    {"net", required_argument, NULL, OPT_NET},
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"rootfs-rw", no_argument, NULL, OPT_ROOTFS_RW},
    {"name", required_argument, NULL, OPT_NAME},
    {"detach", no_argument, NULL, 'd'},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"bind", required_argument, NULL, 'b'},
    {"env", required_argument, NULL, 'e'},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"tty", no_argument, NULL, 't'},
    {"keep-fds", required_argument, NULL, OPT_KEEP_FDS},
    {"seccomp", required_argument, NULL, OPT_SECCOMP},
    {"uplink", no_argument, NULL, OPT_UPLINK},
    {"dns", required_argument, NULL, OPT_UP_DNS},
    {"publish", required_argument, NULL, OPT_UP_PUBLISH},
    {"allow", required_argument, NULL, OPT_UP_ALLOW},
    {0},
};

/* Everything but what only the kernel can tell (a rootfs or bind source
 * that does not exist is found by rootfs_open, before any change). */
static int validate(struct run_opts *o, struct nc_err *err)
{
	struct sandbox_spec *s = &o->spec;
	if (o->net) {
		if (s->net == SANDBOX_NET_NETNS)
			return nc_err_set(err, EINVAL, "--net and --netns exclude each other");
		if (!strcmp(o->net, "none"))
			s->net = SANDBOX_NET_NONE;
		else if (!strcmp(o->net, "host"))
			s->net = SANDBOX_NET_HOST;
		else
			return nc_err_set(err, EINVAL, "--net %s: expected none or host", o->net);
	}
	if (s->net == SANDBOX_NET_NETNS && nc_netns_name_valid(s->netns, err) < 0)
		return -EINVAL;
	if (o->name) {
		if (sandbox_name_valid(o->name, err) < 0)
			return -EINVAL;
		snprintf(s->name, sizeof(s->name), "%s", o->name);
	} else {
		sandbox_name_generate(s->name);
	}
	if (s->hostname && (!*s->hostname || strlen(s->hostname) > 64 || strchr(s->hostname, '/')))
		return nc_err_set(err, EINVAL, "--hostname %s: 1 to 64 bytes, no '/'", s->hostname);
	if (o->rootfs && strcmp(o->rootfs, "host")) {
		static char real[PATH_MAX];
		if (!realpath(o->rootfs, real))
			return nc_err_errno(err, errno, "rootfs %s", o->rootfs);
		if (!strcmp(real, "/"))
			return nc_err_set(err, EINVAL,
					  "rootfs /: use --rootfs host for a view of the host");
		s->rootfs = real;
	}
	if (s->rootfs_rw && !s->rootfs)
		return nc_err_set(err, EINVAL, "--rootfs-rw needs --rootfs DIR");
	if (o->user) {
		if (user_parse(o->user, &s->uid, &s->gid, err) < 0)
			return -EINVAL;
		s->set_user = true;
	}
	s->caps = caps_default();
	for (size_t i = 0; i < o->n_cap_ops; i++) {
		int cap;
		bool all;
		if (caps_parse(o->cap_ops[i] + 1, &cap, &all, err) < 0)
			return -EINVAL;
		uint64_t bits = all ? ~0ULL : 1ULL << cap;
		if (o->cap_ops[i][0] == '+')
			s->caps |= bits;
		else
			s->caps &= ~bits;
	}
	s->seccomp = true;
	if (o->seccomp) {
		if (!strcmp(o->seccomp, "off"))
			s->seccomp = false;
		else if (strcmp(o->seccomp, "on"))
			return nc_err_set(err, EINVAL, "--seccomp=%s: expected on or off",
					  o->seccomp);
	}
	if (o->keep_fds) {
		uint64_t n;
		if (nc_uint_parse(o->keep_fds, 0, 1024, "--keep-fds", &n, err) < 0)
			return -EINVAL;
		for (int fd = 3; fd < 3 + (int)n; fd++)
			if (fcntl(fd, F_GETFD) < 0)
				return nc_err_set(err, EBADF, "--keep-fds %s: fd %d is not open",
						  o->keep_fds, fd);
		s->keep_fds = (unsigned)n;
	}
	if (s->tty && !isatty(STDIN_FILENO))
		return nc_err_set(err, ENOTTY, "--tty: standard input is not a terminal");
	if (s->tty && s->detach)
		return nc_err_set(err, EINVAL, "--tty and --detach exclude each other");
	if (o->uplink_opt && !s->uplink)
		return nc_err_set(err, EINVAL, "--dns, --publish and --allow go with --uplink");
	if (s->uplink && s->net != SANDBOX_NET_NONE)
		return nc_err_set(err, EINVAL,
				  "--uplink goes with the sandbox's own netns (--net none); for "
				  "a persistent one, use 'nsbox uplink add NS'");
	/* Known before the launch: the init writes them into its root while
	 * nsbox makes the uplink. */
	if (s->uplink && !s->uplink_opts.n_dns &&
	    uplink_host_dns(s->uplink_opts.dns, 4, &s->uplink_opts.n_dns, err) < 0)
		return -EIO;
	return 0;
}

int run_parse(int argc, char **argv, struct sandbox_spec *spec, int *ret_code)
{
	struct run_opts o = {0};
	int code, r = -1;
	*ret_code = EXIT_NSBOX;
	int i = cli_getopt(argc, argv, "run", usage, "+db:e:w:u:t", longopts, run_opt, &o, &code);
	if (i < 0) {
		if (o.failed)
			cli_fail(EXIT_NSBOX, &o.err);
		/* --help is success; a usage error is nsbox failing: 125. */
		if (code == 0)
			*ret_code = 0;
		goto out;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc) {
		cli_usage("run", "missing command");
		goto out;
	}
	o.spec.argv = argv + i;
	struct nc_err err;
	if (validate(&o, &err) < 0) {
		cli_fail(EXIT_NSBOX, &err);
		goto out;
	}
	r = 0;
out:
	*spec = o.spec;
	for (size_t k = 0; k < o.n_cap_ops; k++)
		free((char *)o.cap_ops[k]);
	free(o.cap_ops);
	return r;
}

void run_spec_free(struct sandbox_spec *spec)
{
	for (size_t k = 0; k < spec->n_binds; k++) {
		free((char *)spec->binds[k].src);
		free((char *)spec->binds[k].dst);
	}
	free(spec->binds);
	free(spec->env);
}

int cmd_run(int argc, char **argv)
{
	struct sandbox_spec spec;
	int r;
	if (run_parse(argc, argv, &spec, &r) == 0) {
		struct nc_err err;
		struct sandbox_launch l;
		r = sandbox_run(&spec, &l, &err);
		if (r < 0)
			r = cli_fail(-r, &err);
		else if (spec.detach) {
			/* Whoever started it needs its name: a sandbox they
			 * cannot name is one too many. */
			if (printf("%s\n", spec.name) < 0 || fflush(stdout) == EOF) {
				nc_err_errno(&err, errno, "sandbox %s: print its name", spec.name);
				sandbox_launch_abort(&l, &err);
				r = cli_fail(EXIT_NSBOX, &err);
			} else
				close(l.pidfd);
		}
	}
	run_spec_free(&spec);
	return r;
}
