// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint-reclaimd's means of reclaiming.
 *
 * memory.reclaim (cgroup v2, 5.19+, on the root cgroup too) reclaims from
 * the LRU lists as kswapd would, coldest first, in proactive mode; it
 * fails with EAGAIN when it could not reclaim all it was asked.  It also
 * swaps anonymous memory out when swap is on, unless told "swappiness=0",
 * which kernels before 6.11 reject with EINVAL.  drop_caches drops all
 * clean page cache at once, floor or not, the way WSL's autoMemoryReclaim
 * does: a fallback, off unless asked for.
 *
 * Compaction: the kernel offers user space a node's whole compaction
 * (the node's "compact" file), nothing smaller; the policy spaces them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reclaim.h"

#define PH_CGROUP_MNT "/run/pagehint-reclaimd/cgroup"

const char *ph_method_name(enum ph_method m)
{
	switch (m) {
	case PH_METHOD_RECLAIM:
		return "memory.reclaim";
	case PH_METHOD_DROP:
		return "drop_caches";
	default:
		return "none";
	}
}

static int ph_write(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, strlen(buf));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The mount point of cgroup v2 from /proc/self/mountinfo, or mount one. */
static int ph_find_cgroup2(char *dir, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], mnt[256], fstype[64];

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			const char *sep = strstr(line, " - ");

			if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
			    sscanf(sep, " - %63s", fstype) != 1 ||
			    strcmp(fstype, "cgroup2"))
				continue;
			fclose(f);
			snprintf(dir, size, "%s", mnt);
			return 0;
		}
		fclose(f);
	}
	/* No cgroup v2 mounted (an initramfs, a v1 system): a private one. */
	mkdir("/run", 0755);
	mkdir("/run/pagehint-reclaimd", 0700);
	mkdir(PH_CGROUP_MNT, 0700);
	if (mount("cgroup2", PH_CGROUP_MNT, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) && errno != EBUSY)
		return -errno;
	snprintf(dir, size, "%s", PH_CGROUP_MNT);
	return 0;
}

int ph_reclaimer_init(struct ph_reclaimer *r, const char *cgroot,
		      bool has_swap, bool allow_drop)
{
	char dir[256];
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (cgroot)
		snprintf(dir, sizeof(dir), "%s", cgroot);
	else
		err = ph_find_cgroup2(dir, sizeof(dir));
	if (!err) {
		snprintf(r->path, sizeof(r->path), "%s/memory.reclaim", dir);
		if (access(r->path, W_OK))
			err = -errno;
	}
	if (!err) {
		/* Asking for nothing only parses the arguments. */
		r->swappiness = !ph_write(r->path, "0 swappiness=0");
		if (r->swappiness || !has_swap) {
			r->method = PH_METHOD_RECLAIM;
			snprintf(r->why, sizeof(r->why), "%s%s", r->path,
				 r->swappiness ? ", swappiness=0" : ", no swap");
			return 0;
		}
		snprintf(r->why, sizeof(r->why),
			 "%s cannot spare swap on this kernel", r->path);
		err = -EOPNOTSUPP;
	} else {
		snprintf(r->why, sizeof(r->why), "no cgroup v2 memory.reclaim: %s",
			 strerror(-err));
	}
	if (allow_drop) {
		snprintf(r->path, sizeof(r->path), "/proc/sys/vm/drop_caches");
		if (!access(r->path, W_OK)) {
			r->method = PH_METHOD_DROP;
			snprintf(r->why + strlen(r->why), sizeof(r->why) - strlen(r->why),
				 "; dropping clean page cache instead");
			return 0;
		}
	}
	r->method = PH_METHOD_NONE;
	return err;
}

int ph_reclaim(struct ph_reclaimer *r, uint64_t kib)
{
	char buf[64];

	switch (r->method) {
	case PH_METHOD_RECLAIM:
		snprintf(buf, sizeof(buf), "%" PRIu64 "K%s", kib,
			 r->swappiness ? " swappiness=0" : "");
		return ph_write(r->path, buf);
	case PH_METHOD_DROP:
		return ph_write(r->path, "1");
	default:
		return -EOPNOTSUPP;
	}
}

int ph_compact(void)
{
	glob_t g;
	size_t i;
	int err = 0;

	if (glob("/sys/devices/system/node/node*/compact", 0, NULL, &g)) {
		globfree(&g);
		return ph_write("/proc/sys/vm/compact_memory", "1");
	}
	for (i = 0; i < g.gl_pathc && !err; i++)
		err = ph_write(g.gl_pathv[i], "1");
	globfree(&g);
	return err;
}
