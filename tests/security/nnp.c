// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no_new_privs: a setuid-root (and setgid-root) copy of this program, and
 * copies with file capabilities, must not raise anything on exec. The
 * command runs as root with Docker's capability set, so the test first
 * drops to uid/gid 1000 (setresuid, which clears every capability), then
 * execs the copies, which report what they got: the setuid one and one
 * whose file capabilities (NET_BIND_SERVICE, CHOWN) are within the bounding
 * set, so that only no_new_privs can keep them back. As root, a copy with
 * SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH (outside the bounding set) must
 * not get them: the kernel refuses the exec (EPERM) or grants less. The
 * copies live in DIR, which must allow setuid (not nosuid: checked, or the
 * attempt would prove nothing).
 *
 *   nnp DIR               the case, inside the sandbox
 *   nnp control DIR       outside (no no_new_privs): the setuid copy does
 *                         give euid 0 there, and the file-capability copy
 *                         its capabilities, so DIR is a fair place
 *   nnp report MASK       what the copies run: their ids and capabilities;
 *                         exit 1 if euid or egid is 0 or CapEff has a bit
 *                         outside MASK (hex)
 */
#include "case.h"

#include <grp.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <sys/prctl.h>

#define UID 1000

static unsigned long long status_hex(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long v = ~0ULL;
	size_t len = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtoull(line + len + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static int report(const char *mask_s)
{
	unsigned long long mask = strtoull(mask_s, NULL, 16);
	unsigned long long eff = status_hex("CapEff"), prm = status_hex("CapPrm");
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid %u/%u/%u gid %u/%u/%u CapEff %016llx CapPrm %016llx", r, e, s, gr, ge, gs, eff,
	       prm);
	return e == 0 || s == 0 || ge == 0 || gs == 0 || (eff & ~mask) || (prm & ~mask) ? 1 : 0;
}

/* Copy /proc/self/exe to path with owner 0:0, mode, and optionally file
 * capabilities. */
static int copy_self(const char *path, mode_t mode, unsigned caps)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	unlink(path);
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (in < 0 || out < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	if (fchown(out, 0, 0) < 0 || fchmod(out, mode) < 0)
		return -1;
	if (caps) {
		/* struct vfs_cap_data, revision 2, effective bit set. */
		unsigned data[5] = {0x02000001, caps, 0, 0, 0};
		if (fsetxattr(out, "security.capability", data, sizeof(data), 0) < 0)
			return -1;
	}
	return close(out);
}

/* Run path as uid/gid (or as is, for 0); its report line and exit status. */
static int run_as(uid_t uid, const char *path, const char *mask, char *out, size_t len)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (uid && (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
			    setresuid(uid, uid, uid) < 0)) {
			dprintf(1, "cannot become %u: %s", uid, ename(errno));
			_exit(3);
		}
		execl(path, path, "report", mask, (char *)NULL);
		dprintf(1, "exec: %s", ename(errno));
		_exit(4);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* NET_BIND_SERVICE and CHOWN: in Docker's set, hence in the bounding set. */
#define CAPS_IN (1u << 10 | 1u << 0)
/* SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH: outside it. */
#define CAPS_OUT (1u << 21 | 1u << 19 | 1u << 2)

static int control(const char *dir)
{
	char path[512], out[512];
	snprintf(path, sizeof(path), "%s/nsbox-sec-suid-control", dir);
	if (copy_self(path, 04755, 0) < 0) {
		printf("control: cannot make %s: %s\n", path, ename(errno));
		return 2;
	}
	int r = run_as(UID, path, "0", out, sizeof(out));
	printf("control: uid %d ran the setuid-root copy without no_new_privs: %s; ", UID, out);
	int r2 = copy_self(path, 0755, CAPS_IN) < 0 ? -1 : run_as(UID, path, "0", out, sizeof(out));
	printf("the copy with file capabilities: %s\n", r2 < 0 ? ename(errno) : out);
	unlink(path);
	return r == 1 && r2 == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "report"))
		return report(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "control"))
		return control(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: nnp DIR | nnp control DIR | nnp report MASK\n");
		return 2;
	}
	const char *dir = argv[1];
	if (status_hex("NoNewPrivs") == 1)
		blocked("NoNewPrivs is 1");
	else
		escaped("NoNewPrivs is not set");
	if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 && status_hex("NoNewPrivs") != 1)
		escaped("prctl cleared no_new_privs");
	else
		blocked("no_new_privs cannot be cleared: %s", ename(errno));

	struct statvfs sv;
	if (statvfs(dir, &sv) < 0 || (sv.f_flag & ST_NOSUID)) {
		broken("%s is %s: a setuid bit would be ignored anyway", dir,
		       errno ? ename(errno) : "mounted nosuid");
		return case_finish();
	}
	char suid[512], fcap[512], out[512], bnd[32];
	snprintf(suid, sizeof(suid), "%s/nsbox-sec-suid-%d", dir, getpid());
	snprintf(fcap, sizeof(fcap), "%s/nsbox-sec-fcap-%d", dir, getpid());
	snprintf(bnd, sizeof(bnd), "%llx", status_hex("CapBnd"));
	if (copy_self(suid, 06755, 0) < 0) {
		broken("make the setuid/setgid-root copy %s: %s", suid, ename(errno));
		return case_finish();
	}
	int r = run_as(UID, suid, "0", out, sizeof(out));
	if (r == 0)
		blocked("uid %d execs a setuid/setgid-root copy: %s", UID, out);
	else if (r == 1)
		escaped("uid %d execs a setuid/setgid-root copy: %s", UID, out);
	else
		broken("uid %d execs the setuid copy: %s (status %d)", UID, out, r);
	if (copy_self(fcap, 0755, CAPS_IN) < 0) {
		broken("file capabilities cannot be set in %s: %s", dir, ename(errno));
	} else {
		r = run_as(UID, fcap, "0", out, sizeof(out));
		if (r == 0)
			blocked("uid %d execs a copy with file capabilities %x: %s", UID, CAPS_IN,
				out);
		else if (r == 1)
			escaped("uid %d execs a copy with file capabilities %x: %s", UID, CAPS_IN,
				out);
		else
			broken("uid %d execs the file-capability copy: %s (status %d)", UID, out,
			       r);
	}
	if (copy_self(fcap, 0755, CAPS_OUT) < 0) {
		broken("file capabilities cannot be set in %s: %s", dir, ename(errno));
	} else {
		r = run_as(0, fcap, bnd, out, sizeof(out));
		/* As root the ids are 0 by right: only the capabilities count. */
		if (r == 4 && strstr(out, "EPERM"))
			blocked("root execs a copy with file capabilities %x: refused (%s)",
				CAPS_OUT, out);
		else if (r == 0 || r == 1) {
			unsigned long long eff = strtoull(strstr(out, "CapEff") + 7, NULL, 16);
			unsigned long long b = strtoull(bnd, NULL, 16);
			if (eff & ~b)
				escaped(
				    "root execs a copy with file capabilities %x: %s (bounding %s)",
				    CAPS_OUT, out, bnd);
			else
				blocked(
				    "root execs a copy with file capabilities %x: nothing beyond "
				    "the bounding set %s (%s)",
				    CAPS_OUT, bnd, out);
		} else {
			broken("root execs the file-capability copy: %s (status %d)", out, r);
		}
	}
	unlink(suid);
	unlink(fcap);
	return case_finish();
}
