// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing the host's files from inside: every mount in the sandbox's table
 * that is not one of its own writable places (/tmp, /var/tmp, /run, /dev
 * and below, a DIR root's overlay, the binds the test made writable on
 * purpose) is the host's, bound read-only (README: the host view's /usr,
 * /bin, /lib*, /etc; /etc/netns/NAME/FILE over /etc/FILE; resolv.conf, hosts,
 * hostname). A file there must not open for writing, a directory must not
 * take a new entry. /proc and /sys are procwrite's.
 *
 *   readonly [RW-PATH...]     mounts written on purpose (-b SRC:DST)
 */
#include "case.h"

static bool own(const char *mp, const char *fstype, int n_rw, char **rw)
{
	static const char *const mine[] = {"/tmp", "/var/tmp", "/run", "/dev"};
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		size_t l = strlen(mine[i]);
		if (!strncmp(mp, mine[i], l) && (mp[l] == '\0' || mp[l] == '/'))
			return true;
	}
	if (!strcmp(mp, "/proc") || !strncmp(mp, "/proc/", 6) || !strcmp(mp, "/sys") ||
	    !strncmp(mp, "/sys/", 5))
		return true;
	/* A DIR root: the overlay's upper layer is the sandbox's own. */
	if (!strcmp(mp, "/") && !strcmp(fstype, "overlay"))
		return true;
	for (int i = 0; i < n_rw; i++)
		if (!strcmp(mp, rw[i]))
			return true;
	return false;
}

/* mountinfo escapes spaces and the like as \\ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

int main(int argc, char **argv)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		broken("open mountinfo: %s", ename(errno));
		return case_finish();
	}
	char line[8192];
	int tried = 0;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096], fstype[256];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE ... */
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*d %*d %*s %*s %4095s", mp) != 1 ||
		    sscanf(dash + 3, "%255s", fstype) != 1)
			continue;
		unescape(mp);
		if (own(mp, fstype, argc - 1, argv + 1))
			continue;
		struct stat st;
		if (stat(mp, &st) < 0)
			continue;
		tried++;
		if (S_ISDIR(st.st_mode)) {
			char p[4200];
			snprintf(p, sizeof(p), "%s/.nsbox-sec-ro-%d", strcmp(mp, "/") ? mp : "",
				 getpid());
			int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0) {
				escaped("%s (%s) takes a new file: %s", mp, fstype, p);
				close(fd);
				unlink(p);
			} else {
				blocked("create in %s (%s): %s", mp, fstype, ename(errno));
			}
		} else {
			int fd = open(mp, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd >= 0) {
				escaped("%s (%s) opens for writing (nothing written)", mp, fstype);
				close(fd);
			} else {
				blocked("open %s (%s) for writing: %s", mp, fstype, ename(errno));
			}
		}
	}
	fclose(f);
	if (!tried)
		note("no mount of the host's to try");
	return case_finish();
}
