// SPDX-License-Identifier: GPL-2.0
/*
 * Samples of /proc for pagehint-reclaimd: stat, vmstat, meminfo,
 * buddyinfo and pressure/memory.  Each reader fails with -errno when a
 * file it needs is missing or unreadable; PSI alone is optional
 * (CONFIG_PSI=n, or psi=0 on the command line).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sample.h"

static FILE *ph_open(const char *proc, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", proc, name);
	return fopen(path, "re");
}

static int ph_read_stat(const char *proc, struct ph_sample *s)
{
	uint64_t v[10] = { 0 };
	FILE *f = ph_open(proc, "stat");
	int n, i;

	if (!f)
		return -errno;
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	n = fscanf(f, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 4)
		return -EINVAL;
	s->cpu_total = 0;
	for (i = 0; i < 8; i++)
		s->cpu_total += v[i];
	/* Time stolen by the host is not the guest being busy. */
	s->cpu_idle = v[3] + v[4] + v[7];
	return 0;
}

static void ph_read_psi(const char *proc, struct ph_sample *s)
{
	FILE *f = ph_open(proc, "pressure/memory");
	char line[256];

	s->has_psi = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *t = strstr(line, "total=");

		if (!strncmp(line, "some ", 5) && t &&
		    sscanf(t, "total=%" SCNu64, &s->psi_some_us) == 1)
			s->has_psi = true;
	}
	fclose(f);
}

static int ph_read_vmstat(const char *proc, struct ph_sample *s)
{
	FILE *f = ph_open(proc, "vmstat");
	char key[64];
	uint64_t val;
	bool found = false;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %" SCNu64, key, &val) == 2) {
		if (!strcmp(key, "workingset_refault_file")) {
			s->refaults = val;
			found = true;
		}
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static int ph_read_meminfo(const char *proc, struct ph_sample *s)
{
	FILE *f = ph_open(proc, "meminfo");
	unsigned int seen = 0;
	char key[64];
	uint64_t val;

	if (!f)
		return -errno;
	s->file_kib = 0;
	while (fscanf(f, "%63s %" SCNu64 " kB", key, &val) == 2) {
		if (!strcmp(key, "MemTotal:")) {
			s->mem_total_kib = val;
			seen |= 1;
		} else if (!strcmp(key, "Active(file):") ||
			   !strcmp(key, "Inactive(file):")) {
			s->file_kib += val;
			seen |= !strcmp(key, "Active(file):") ? 2 : 4;
		} else if (!strcmp(key, "SwapTotal:")) {
			s->swap_total_kib = val;
			seen |= 8;
		}
	}
	fclose(f);
	return seen == 15 ? 0 : -ENOENT;
}

/* /proc/buddyinfo: "Node 0, zone   Normal  n0 n1 ...", a count per order. */
static int ph_read_buddyinfo(const char *proc, unsigned int pb_order,
			     struct ph_sample *s, unsigned int page_kib)
{
	FILE *f = ph_open(proc, "buddyinfo");
	char line[512];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		unsigned int order = 0;
		uint64_t n;
		int used;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;	/* the zone's name */
		while (sscanf(p, "%" SCNu64 "%n", &n, &used) == 1) {
			uint64_t kib = (n << order) * page_kib;

			if (order < pb_order)
				s->frag_kib += kib;
			else
				s->whole_kib += kib;
			p += used;
			order++;
		}
	}
	fclose(f);
	return 0;
}

unsigned int ph_pageblock_order(const char *proc, unsigned int dflt)
{
	FILE *f = ph_open(proc, "pagetypeinfo");
	unsigned int order;

	if (!f)
		return dflt;
	if (fscanf(f, "Page block order: %u", &order) != 1)
		order = dflt;
	fclose(f);
	return order;
}

int ph_sample_read(const char *proc, unsigned int pb_order, struct ph_sample *s)
{
	struct timespec ts;
	int err;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->now_us = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	err = ph_read_stat(proc, s);
	if (!err)
		err = ph_read_vmstat(proc, s);
	if (!err)
		err = ph_read_meminfo(proc, s);
	if (!err)
		err = ph_read_buddyinfo(proc, pb_order, s, sysconf(_SC_PAGESIZE) >> 10);
	ph_read_psi(proc, s);
	return err;
}

unsigned int ph_sample_cpu_busy_pct(const struct ph_sample *a,
				    const struct ph_sample *b)
{
	uint64_t total = b->cpu_total - a->cpu_total;
	uint64_t idle = b->cpu_idle - a->cpu_idle;

	if (b->cpu_total <= a->cpu_total || idle > total)
		return 0;
	return (unsigned int)((total - idle) * 100 / total);
}

unsigned int ph_sample_psi_bp(const struct ph_sample *a,
			      const struct ph_sample *b)
{
	uint64_t dt = b->now_us - a->now_us;

	if (!a->has_psi || !b->has_psi || !dt || b->psi_some_us < a->psi_some_us)
		return 0;
	return (unsigned int)((b->psi_some_us - a->psi_some_us) * 10000 / dt);
}
