// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of pagehint-reclaimd's policy and /proc parsing: synthetic
 * samples, one expectation per rule of policy.c.  Exit status 0 when all
 * pass; each failure is printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "sample.h"

static int failures;

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
	}								\
} while (0)

static const struct ph_policy_cfg cfg = {
	.idle_cpu_pct = 10, .psi_bp = 100, .idle_ticks = 2,
	.step_kib = 128 << 10, .floor_kib = 0, .min_floor_kib = 64 << 10,
	.refault_pct = 10, .backoff_min_s = 30, .backoff_max_s = 120,
	.page_kib = 4,
};

/* A guest of 2 GiB with @file_mib of page cache, @s seconds in. */
static struct ph_sample at(unsigned int s, uint64_t file_mib)
{
	struct ph_sample x = {
		.now_us = (uint64_t)s * 1000000, .has_psi = true,
		.mem_total_kib = 2 << 20, .file_kib = file_mib << 10,
	};
	return x;
}

/* The interval from @a to @b: @busy % of CPU time, @psi_bp of stalls. */
static void load(const struct ph_sample *a, struct ph_sample *b,
		 unsigned int busy, unsigned int psi_bp)
{
	uint64_t dt = b->now_us - a->now_us;

	b->cpu_total = a->cpu_total + 1000;
	b->cpu_idle = a->cpu_idle + 1000 - busy * 10;
	b->psi_some_us = a->psi_some_us + dt * psi_bp / 10000;
	b->refaults = a->refaults;
}

static void test_idle_steps(void)
{
	struct ph_policy p;
	struct ph_sample a = at(0, 1200), b = at(5, 1200), c = at(10, 1200);

	ph_policy_init(&p, &cfg);
	load(&a, &b, 2, 0);
	EXPECT(ph_policy_next(&p, &a, &b) == 0 && p.why == PH_WHY_SETTLING);
	load(&b, &c, 2, 0);
	EXPECT(ph_policy_next(&p, &b, &c) == 128 << 10 && p.why == PH_WHY_STEP);
}

static void test_busy_and_pressure(void)
{
	struct ph_policy p;
	struct ph_sample a = at(0, 1200), b = at(5, 1200), c = at(10, 1200),
			 d = at(15, 1200);

	ph_policy_init(&p, &cfg);
	load(&a, &b, 2, 0);
	ph_policy_next(&p, &a, &b);
	/* Busy resets the idle run: two idle intervals again. */
	load(&b, &c, 50, 0);
	EXPECT(ph_policy_next(&p, &b, &c) == 0 && p.why == PH_WHY_BUSY);
	load(&c, &d, 2, 0);
	EXPECT(ph_policy_next(&p, &c, &d) == 0 && p.why == PH_WHY_SETTLING);
	ph_policy_init(&p, &cfg);
	load(&a, &b, 2, 0);
	ph_policy_next(&p, &a, &b);
	load(&b, &c, 2, 150);
	EXPECT(ph_policy_next(&p, &b, &c) == 0 && p.why == PH_WHY_PRESSURE);
}

static void test_floor(void)
{
	struct ph_policy p;
	struct ph_sample a = at(0, 150), b = at(5, 150), c = at(10, 150);
	struct ph_policy_cfg f = cfg;

	/* 5% of 2 GiB is 102 MiB: 48 MiB above it, half of it asked. */
	ph_policy_init(&p, &cfg);
	EXPECT(ph_policy_floor(&p, &a) == (2 << 20) / 20);
	load(&a, &b, 0, 0);
	ph_policy_next(&p, &a, &b);
	load(&b, &c, 0, 0);
	EXPECT(ph_policy_next(&p, &b, &c) == ((150 << 10) - (2 << 20) / 20) / 2);
	/* At the floor: nothing. */
	f.floor_kib = 150 << 10;
	ph_policy_init(&p, &f);
	ph_policy_next(&p, &a, &b);
	EXPECT(ph_policy_next(&p, &b, &c) == 0 && p.why == PH_WHY_FLOOR);
	/* The minimum floor wins over a smaller share of RAM. */
	f.floor_kib = 0;
	f.min_floor_kib = 200 << 10;
	ph_policy_init(&p, &f);
	EXPECT(ph_policy_floor(&p, &a) == 200 << 10);
}

/* Refaults after a step back off, doubling to the cap; a clean step resets. */
static void test_refault_backoff(void)
{
	struct ph_policy p;
	struct ph_sample s[64];
	unsigned int i, steps = 0, held = 0;
	uint64_t kib;

	ph_policy_init(&p, &cfg);
	s[0] = at(0, 1200);
	for (i = 1; i < 64; i++) {
		s[i] = at(i * 5, 1200);
		load(&s[i - 1], &s[i], 1, 0);
		/* Every step is followed by refaults of 20% of it. */
		if (p.step_kib)
			s[i].refaults += p.step_kib / 4 / 5;
		kib = ph_policy_next(&p, &s[i - 1], &s[i]);
		if (p.why == PH_WHY_REFAULTS)
			held++;
		if (kib) {
			steps++;
			ph_policy_done(&p, &s[i], kib, 0);
			/* Waited 30 s, then 60, then 120, 120: no step between. */
			EXPECT(steps == 1 || s[i].now_us >= p.hold_until_us);
		}
	}
	EXPECT(held >= 3);
	EXPECT(p.backoff_s == 120);
	/* 315 s: a step at 10 s, then 30 + 60 + 120 + settling between. */
	EXPECT(steps >= 3 && steps <= 5);

	/* A step without refaults ends the back-off. */
	ph_policy_init(&p, &cfg);
	p.backoff_s = 60;
	s[0] = at(0, 1200);
	s[1] = at(5, 1200);
	load(&s[0], &s[1], 1, 0);
	ph_policy_done(&p, &s[0], 1024, 0);
	ph_policy_next(&p, &s[0], &s[1]);
	EXPECT(p.backoff_s == 0);
}

static void test_nothing_cold(void)
{
	struct ph_policy p;
	struct ph_sample a = at(0, 1200), b = at(5, 1200);

	ph_policy_init(&p, &cfg);
	ph_policy_done(&p, &a, 1024, -EAGAIN);
	EXPECT(p.why == PH_WHY_NOTHING && p.hold_until_us == 30 * 1000000ULL);
	load(&a, &b, 0, 0);
	EXPECT(ph_policy_next(&p, &a, &b) == 0 && p.why == PH_WHY_BACKOFF);
}

/* Compaction: idle and fragmented for two samples; spaced; judged. */
static void test_compact(void)
{
	struct ph_policy_cfg c = cfg;
	struct ph_policy p;
	struct ph_sample s[8];
	unsigned int i;

	c.compact = true;
	c.compact_min_kib = 64 << 10;
	c.compact_every_s = 60;
	c.compact_max_s = 240;
	ph_policy_init(&p, &c);
	for (i = 0; i < 8; i++) {
		s[i] = at(i * 5, 100);
		s[i].frag_kib = 300 << 10;
		s[i].whole_kib = 100 << 10;
		if (i)
			load(&s[i - 1], &s[i], 1, 0);
	}
	EXPECT(!ph_policy_compact(&p, &s[0], &s[1]));
	EXPECT(ph_policy_compact(&p, &s[1], &s[2]));
	ph_policy_compacted(&p, &s[2]);
	/* It made nothing: the spacing doubles from 60 s to 120 s. */
	EXPECT(!ph_policy_compact(&p, &s[2], &s[3]));
	EXPECT(p.compact_s == 120 && p.compact_until_us == s[3].now_us + 120000000ULL);
	/* Busy: not now, whatever the fragmentation. */
	ph_policy_init(&p, &c);
	load(&s[0], &s[1], 50, 0);
	EXPECT(!ph_policy_compact(&p, &s[0], &s[1]));
	load(&s[1], &s[2], 50, 0);
	EXPECT(!ph_policy_compact(&p, &s[1], &s[2]));
	/* Little fragmented memory: not worth it. */
	ph_policy_init(&p, &c);
	for (i = 1; i < 4; i++) {
		load(&s[i - 1], &s[i], 1, 0);
		s[i].frag_kib = 32 << 10;
		EXPECT(!ph_policy_compact(&p, &s[i - 1], &s[i]));
	}
	/* Off. */
	c.compact = false;
	ph_policy_init(&p, &c);
	s[3].frag_kib = 300 << 10;
	EXPECT(!ph_policy_compact(&p, &s[1], &s[2]) && !ph_policy_compact(&p, &s[2], &s[3]));
	EXPECT(ph_policy_compact_min(&p, &s[3]) == 0);
	/*
	 * The default: 3% of RAM (61 MiB of the 2 GiB guest), but never less
	 * than min_compact_kib.
	 */
	c.compact = true;
	c.compact_min_kib = 0;
	c.min_compact_kib = 0;
	ph_policy_init(&p, &c);
	EXPECT(ph_policy_compact_min(&p, &s[3]) == s[3].mem_total_kib * 3 / 100);
	c.min_compact_kib = 64 << 10;
	ph_policy_init(&p, &c);
	EXPECT(ph_policy_compact_min(&p, &s[3]) == 64 << 10);
	/* A compaction that made whole pageblocks keeps the spacing. */
	c.compact_min_kib = 64 << 10;
	ph_policy_init(&p, &c);
	for (i = 0; i < 8; i++) {
		s[i].frag_kib = 300 << 10;
		s[i].whole_kib = 100 << 10;
		if (i)
			load(&s[i - 1], &s[i], 1, 0);
	}
	ph_policy_compact(&p, &s[0], &s[1]);
	EXPECT(ph_policy_compact(&p, &s[1], &s[2]));
	ph_policy_compacted(&p, &s[2]);
	s[3].whole_kib = 300 << 10;
	EXPECT(!ph_policy_compact(&p, &s[2], &s[3]));
	EXPECT(p.compact_s == 60 && p.compact_until_us == s[2].now_us + 60000000ULL);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void test_sample_read(void)
{
	char dir[] = "/tmp/ph-reclaimd-XXXXXX", sub[600];
	struct ph_sample a, b;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(sub, sizeof(sub), "%s/pressure", dir);
	mkdir(sub, 0700);
	put(dir, "stat", "cpu  100 0 50 800 40 0 0 10 0 0\ncpu0 1 2 3 4\n");
	put(dir, "vmstat", "nr_free_pages 1\nworkingset_refault_anon 7\n"
	    "workingset_refault_file 42\n");
	put(dir, "meminfo", "MemTotal:        2000000 kB\nMemFree: 1 kB\n"
	    "Active(file):      300 kB\nInactive(file):    700 kB\nSwapTotal:             0 kB\n");
	put(dir, "pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=5000\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=100\n");
	put(dir, "buddyinfo", "Node 0, zone      DMA 1 0 0 0 0 0 0 0 0 1 3\n"
	    "Node 0, zone   Normal 10 4 0 0 0 0 0 0 0 2 1\n");
	put(dir, "pagetypeinfo", "Page block order: 9\nPages per block:  512\n");
	EXPECT(ph_pageblock_order(dir, 7) == 9);
	EXPECT(ph_sample_read(dir, 9, &a) == 0);
	EXPECT(a.cpu_total == 1000 && a.cpu_idle == 850);
	/* 1 + 10 + 4 * 2 pages; 512 + 3 * 1024 + 2 * 512 + 1024 pages. */
	EXPECT(a.frag_kib == 19 * (uint64_t)(sysconf(_SC_PAGESIZE) >> 10));
	EXPECT(a.whole_kib == 5632 * (uint64_t)(sysconf(_SC_PAGESIZE) >> 10));
	EXPECT(a.refaults == 42 && a.file_kib == 1000 && a.mem_total_kib == 2000000);
	EXPECT(a.has_psi && a.psi_some_us == 5000);
	b = a;
	b.cpu_total += 100;
	b.cpu_idle += 75;
	b.now_us = a.now_us + 1000000;
	b.psi_some_us += 20000;
	EXPECT(ph_sample_cpu_busy_pct(&a, &b) == 25);
	EXPECT(ph_sample_psi_bp(&a, &b) == 200);
	/* No PSI: not an error, and no stall seen. */
	snprintf(sub, sizeof(sub), "%s/pressure/memory", dir);
	unlink(sub);
	EXPECT(ph_sample_read(dir, 9, &a) == 0 && !a.has_psi);
	EXPECT(ph_sample_psi_bp(&a, &b) == 0);
	/* A kernel without workingset_refault_file is refused. */
	put(dir, "vmstat", "nr_free_pages 1\n");
	EXPECT(ph_sample_read(dir, 9, &a) == -ENOENT);
	snprintf(sub, sizeof(sub), "%s/pagetypeinfo", dir);
	unlink(sub);
	EXPECT(ph_pageblock_order(dir, 7) == 7);
	snprintf(sub, sizeof(sub), "rm -rf %s", dir);
	if (system(sub))
		failures++;
}

int main(void)
{
	test_idle_steps();
	test_busy_and_pressure();
	test_floor();
	test_refault_backoff();
	test_nothing_cold();
	test_compact();
	test_sample_read();
	printf("pagehint-reclaimd policy: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
