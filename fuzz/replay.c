// SPDX-License-Identifier: GPL-2.0-or-later
/* A main for a harness without libFuzzer: runs it once on each file named,
 * or on each file of each directory named (the seed corpora, as unit tests;
 * under valgrind or a sanitizer build too). */
#include "fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		perror(path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 1;
}

int main(int argc, char **argv)
{
	int ran = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			ran++;
			continue;
		}
		struct dirent **list;
		int n = scandir(argv[i], &list, NULL, alphasort);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int k = 0; k < n; k++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], list[k]->d_name);
			if (list[k]->d_name[0] != '.' && run_file(path) < 0)
				return 1;
			ran += list[k]->d_name[0] != '.';
			free(list[k]);
		}
		free(list);
	}
	printf("%d inputs\n", ran);
	return ran ? 0 : 1;
}
