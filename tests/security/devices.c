// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device nodes: the command keeps CAP_MKNOD (Docker's set), but Docker
 * pairs it with a device cgroup that lets a container open only its own
 * few devices; nsbox has none, so a node made inside must not open
 * wherever it can be made (nodev). For every writable place (/dev, /tmp,
 * /run, /dev/shm, /var/tmp, /, /root and the directories given), this
 * makes nodes of the host's devices, a block device (of /proc/partitions,
 * loop0, and the filesystem under the host's binds) and character devices
 * (tty1, console, kvm, fuse, loop-control, mem, kmsg), and opens each
 * read-only (nothing is read or written). An open is an escape: a block
 * device is the host's disk, raw.
 *
 *   devices [DIR...]
 */
#include "case.h"

struct dev {
	char type;
	unsigned maj, min;
	char name[64];
};

static struct dev devs[64];
static int n_devs;

static void add(char type, unsigned maj, unsigned min, const char *name)
{
	for (int i = 0; i < n_devs; i++)
		if (devs[i].type == type && devs[i].maj == maj && devs[i].min == min)
			return;
	if (n_devs < 64) {
		devs[n_devs] = (struct dev){.type = type, .maj = maj, .min = min};
		snprintf(devs[n_devs++].name, sizeof(devs[0].name), "%s", name);
	}
}

static void candidates(void)
{
	FILE *f = fopen("/proc/partitions", "re");
	char line[256], name[64];
	unsigned maj, min;
	int k = 0;
	while (f && fgets(line, sizeof(line), f) && k < 8)
		if (sscanf(line, " %u %u %*u %63s", &maj, &min, name) == 3) {
			add('b', maj, min, name);
			k++;
		}
	if (f)
		fclose(f);
	/* The block device under a host directory bound in (when it has one). */
	static const char *const bound[] = {"/usr", "/etc", "/opt"};
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		if (stat(bound[i], &st) == 0 && major(st.st_dev))
			add('b', major(st.st_dev), minor(st.st_dev), bound[i]);
	}
	add('b', 7, 0, "loop0");
	add('c', 4, 1, "tty1");
	add('c', 5, 1, "console");
	add('c', 10, 232, "kvm");
	add('c', 10, 229, "fuse");
	add('c', 10, 237, "loop-control");
	add('c', 1, 1, "mem");
	add('c', 1, 11, "kmsg");
}

static void place(const char *dir)
{
	char path[512], opened[1024] = "", why[256] = "";
	int made = 0, n_open = 0, errs[4096] = {0};
	for (int i = 0; i < n_devs; i++) {
		snprintf(path, sizeof(path), "%s/.nsbox-sec-dev-%d", dir, i);
		unlink(path);
		mode_t m = (devs[i].type == 'b' ? S_IFBLK : S_IFCHR) | 0600;
		if (mknod(path, m, makedev(devs[i].maj, devs[i].min)) < 0) {
			if (!why[0])
				snprintf(why, sizeof(why), "mknod: %s", ename(errno));
			continue;
		}
		made++;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0) {
			size_t l = strlen(opened);
			snprintf(opened + l, sizeof(opened) - l, " %s(%c %u:%u)", devs[i].name,
				 devs[i].type, devs[i].maj, devs[i].min);
			n_open++;
			close(fd);
		} else if (errno > 0 && errno < 4096) {
			errs[errno]++;
		}
		unlink(path);
	}
	for (int e = 1; e < 4096; e++)
		if (errs[e]) {
			size_t l = strlen(why);
			snprintf(why + l, sizeof(why) - l, "%sopen: %s x%d", l ? ", " : "",
				 ename(e), errs[e]);
		}
	if (n_open)
		escaped("nodes made in %s open the host's devices:%s", dir, opened);
	else
		blocked("%s: %d of %d nodes made, none opens (%s)", dir, made, n_devs, why);
}

int main(int argc, char **argv)
{
	candidates();
	static const char *const dirs[] = {"/dev",     "/tmp", "/run", "/dev/shm",
					   "/var/tmp", "/",    "/root"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (access(dirs[i], F_OK) == 0)
			place(dirs[i]);
	for (int i = 1; i < argc; i++)
		place(argv[i]);
	return case_finish();
}
