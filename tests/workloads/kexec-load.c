// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-load: load a kernel with kexec_file_load(2) and, with -e, reboot
 * into it at once (reboot(2) with LINUX_REBOOT_CMD_KEXEC, as `kexec -e`
 * does: the kernel runs its reboot notifiers and shuts devices down first).
 *
 *   kexec-load [-e] KERNEL INITRD CMDLINE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kfd, ifd, exec = 0, opt;
	const char *cmdline;

	while ((opt = getopt(argc, argv, "e")) != -1) {
		if (opt != 'e')
			goto usage;
		exec = 1;
	}
	if (argc - optind != 3)
		goto usage;
	cmdline = argv[optind + 2];
	kfd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	ifd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || ifd < 0) {
		perror("open");
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, 0UL)) {
		perror("kexec_file_load");
		return 1;
	}
	if (!exec)
		return 0;
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	perror("reboot");
	return 1;
usage:
	fprintf(stderr, "usage: %s [-e] KERNEL INITRD CMDLINE\n", argv[0]);
	return 2;
}
