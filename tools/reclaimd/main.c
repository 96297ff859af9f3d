// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint-reclaimd: give a guest's cold page cache back to the host.
 *
 * Free page reporting returns only memory the guest has freed; an idle
 * guest's memory is mostly page cache.  When the guest is idle and calm,
 * this daemon reclaims cold page cache in small steps (policy.c) through
 * memory.reclaim (reclaim.c); the pages it frees reach the free lists,
 * where pagehint (or any free page reporter) reports them to the host.
 * Free memory scattered in blocks below a pageblock, which reporting at
 * pageblock order leaves (and below which the host loses its huge pages),
 * it compacts into whole pageblocks, at most every few minutes.
 *
 * It runs in user space because the kernel exports no proactive reclaim
 * to modules: memory.reclaim is the interface, and a daemon can be
 * stopped, tuned and restarted without touching the module.
 *
 *   pagehint-reclaimd [options]    (see usage())
 *
 * Exit status: 0 when stopped by SIGTERM or SIGINT, or when the guest has
 * nothing it can reclaim with (logged); 1 when /proc or memory.reclaim
 * fails; 2 on a bad option.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "reclaim.h"
#include "sample.h"

static volatile sig_atomic_t ph_stop;
static int ph_verbose;

static void ph_on_signal(int sig)
{
	(void)sig;
	ph_stop = 1;
}

static void ph_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pagehint-reclaimd [options]\n"
		"  -i, --interval SEC      seconds between samples (5; 1..3600)\n"
		"  -c, --idle-cpu PCT      CPUs busy below PCT%% count as idle (10; 1..100)\n"
		"  -p, --psi PCT           memory stalls below PCT%% count as calm (1; 0.01..100)\n"
		"  -t, --idle-ticks N      idle samples in a row before a step (2; 1..1000)\n"
		"  -s, --step MIB          most page cache reclaimed per step (128; 1..65536)\n"
		"  -f, --floor MIB         page cache never reclaimed below (0: 5%% of RAM,\n"
		"                          at least 64 MiB; 0..1048576)\n"
		"  -r, --refault PCT       refaults past PCT%% of a step back off (10; 0..100)\n"
		"  -b, --backoff SEC       first back-off, doubling (30; 1..86400)\n"
		"  -B, --backoff-max SEC   longest back-off (600; 1..86400)\n"
		"  -m, --compact-min MIB   compact when this much free memory is in blocks\n"
		"                          below a pageblock (0: 3%% of RAM, at least 64 MiB;\n"
		"                          0..1048576)\n"
		"  -e, --compact-every SEC at most one compaction this often (300; 10..86400)\n"
		"  -E, --compact-max SEC   spacing after compactions that made little (3600;\n"
		"                          10..86400)\n"
		"  -C, --no-compact        never compact\n"
		"  -d, --allow-drop        without a usable memory.reclaim, drop the clean\n"
		"                          page cache (floor not kept)\n"
		"  -n, --once              one step if the guest is idle, then exit\n"
		"  -v, --verbose           log every decision\n"
		"  -h, --help\n");
}

/* A number in [lo, hi], or exit 2 saying which option was wrong. */
static double ph_num(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < lo || v > hi) {
		ph_log("pagehint-reclaimd: --%s %s: not a number in %g..%g", opt, arg, lo, hi);
		exit(2);
	}
	return v;
}

static int ph_sleep(unsigned int s)
{
	struct timespec ts = { .tv_sec = s };

	while (!ph_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
	return ph_stop;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "idle-cpu", required_argument, NULL, 'c' },
		{ "psi", required_argument, NULL, 'p' },
		{ "idle-ticks", required_argument, NULL, 't' },
		{ "step", required_argument, NULL, 's' },
		{ "floor", required_argument, NULL, 'f' },
		{ "refault", required_argument, NULL, 'r' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "backoff-max", required_argument, NULL, 'B' },
		{ "compact-min", required_argument, NULL, 'm' },
		{ "compact-every", required_argument, NULL, 'e' },
		{ "compact-max", required_argument, NULL, 'E' },
		{ "no-compact", no_argument, NULL, 'C' },
		{ "allow-drop", no_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ph_policy_cfg cfg = {
		.idle_cpu_pct = 10, .psi_bp = 100, .idle_ticks = 2,
		.step_kib = 128 << 10, .floor_kib = 0, .min_floor_kib = 64 << 10,
		.refault_pct = 10, .backoff_min_s = 30, .backoff_max_s = 600,
		.compact = true, .compact_min_kib = 0, .min_compact_kib = 64 << 10,
		.compact_every_s = 300, .compact_max_s = 3600,
	};
	unsigned int interval = 5, once = 0, pb_order;
	bool allow_drop = false;
	struct ph_sample prev, cur;
	struct ph_reclaimer rec;
	struct ph_policy pol;
	enum ph_why last = PH_WHY_STEP;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "i:c:p:t:s:f:r:b:B:m:e:E:Cdnvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			interval = ph_num("interval", optarg, 1, 3600);
			break;
		case 'c':
			cfg.idle_cpu_pct = ph_num("idle-cpu", optarg, 1, 100);
			break;
		case 'p':
			cfg.psi_bp = ph_num("psi", optarg, 0.01, 100) * 100 + 0.5;
			break;
		case 't':
			cfg.idle_ticks = ph_num("idle-ticks", optarg, 1, 1000);
			break;
		case 's':
			cfg.step_kib = (uint64_t)ph_num("step", optarg, 1, 65536) << 10;
			break;
		case 'f':
			cfg.floor_kib = (uint64_t)ph_num("floor", optarg, 0, 1048576) << 10;
			break;
		case 'r':
			cfg.refault_pct = ph_num("refault", optarg, 0, 100);
			break;
		case 'b':
			cfg.backoff_min_s = ph_num("backoff", optarg, 1, 86400);
			break;
		case 'B':
			cfg.backoff_max_s = ph_num("backoff-max", optarg, 1, 86400);
			break;
		case 'm':
			cfg.compact_min_kib = ph_num("compact-min", optarg, 0, 1048576);
			cfg.compact_min_kib <<= 10;
			break;
		case 'e':
			cfg.compact_every_s = ph_num("compact-every", optarg, 10, 86400);
			break;
		case 'E':
			cfg.compact_max_s = ph_num("compact-max", optarg, 10, 86400);
			break;
		case 'C':
			cfg.compact = false;
			break;
		case 'd':
			allow_drop = true;
			break;
		case 'n':
			once = 1;
			break;
		case 'v':
			ph_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		ph_log("pagehint-reclaimd: unexpected argument %s", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (cfg.backoff_max_s < cfg.backoff_min_s) {
		ph_log("pagehint-reclaimd: --backoff-max %u is below --backoff %u",
		       cfg.backoff_max_s, cfg.backoff_min_s);
		return 2;
	}
	if (cfg.compact_max_s < cfg.compact_every_s) {
		ph_log("pagehint-reclaimd: --compact-max %u is below --compact-every %u",
		       cfg.compact_max_s, cfg.compact_every_s);
		return 2;
	}
	cfg.page_kib = sysconf(_SC_PAGESIZE) >> 10;
	/* 512 pages of 4 KiB: x86's and arm64's (4 KiB pages) 2 MiB. */
	pb_order = ph_pageblock_order("/proc", 9);

	signal(SIGTERM, ph_on_signal);
	signal(SIGINT, ph_on_signal);
	err = ph_sample_read("/proc", pb_order, &prev);
	if (err) {
		ph_log("pagehint-reclaimd: cannot read /proc: %s", strerror(-err));
		return 1;
	}
	err = ph_reclaimer_init(&rec, NULL, prev.swap_total_kib > 0, allow_drop);
	if (err) {
		/* A setup, not a failure: the unit should not restart it. */
		ph_log("pagehint-reclaimd: nothing to reclaim with: %s", rec.why);
		return 0;
	}
	ph_policy_init(&pol, &cfg);
	ph_log("pagehint-reclaimd: reclaiming with %s; floor %" PRIu64 " MiB, steps of %"
	       PRIu64 " MiB, every %u s when CPUs < %u%% and memory stalls < %u.%02u%%",
	       rec.why, ph_policy_floor(&pol, &prev) >> 10, cfg.step_kib >> 10, interval,
	       cfg.idle_cpu_pct, cfg.psi_bp / 100, cfg.psi_bp % 100);
	if (cfg.compact)
		ph_log("pagehint-reclaimd: compacting when %" PRIu64
		       " MiB of free memory is in blocks below %u KiB, at most every %u s",
		       ph_policy_compact_min(&pol, &prev) >> 10, cfg.page_kib << pb_order,
		       cfg.compact_every_s);
	if (!prev.has_psi)
		ph_log("pagehint-reclaimd: %s",
		       "no /proc/pressure/memory (psi=0?): idle by CPU and refaults only");

	while (!ph_sleep(interval)) {
		bool acted = false;
		uint64_t kib;

		err = ph_sample_read("/proc", pb_order, &cur);
		if (err) {
			ph_log("pagehint-reclaimd: cannot read /proc: %s", strerror(-err));
			return 1;
		}
		kib = ph_policy_next(&pol, &prev, &cur);
		if (pol.why != last || ph_verbose) {
			unsigned int psi = ph_sample_psi_bp(&prev, &cur);

			ph_log("pagehint-reclaimd: %s (CPUs %u%%, stalls %u.%02u%%, page cache %"
			       PRIu64 " MiB)", ph_policy_why(pol.why),
			       ph_sample_cpu_busy_pct(&prev, &cur), psi / 100, psi % 100,
			       cur.file_kib >> 10);
			last = pol.why;
		}
		if (kib) {
			err = ph_reclaim(&rec, kib);
			if (err && err != -EAGAIN) {
				ph_log("pagehint-reclaimd: %s: %s", rec.path, strerror(-err));
				return 1;
			}
			ph_policy_done(&pol, &cur, kib, err);
			acted = true;
			if (ph_verbose)
				ph_log("pagehint-reclaimd: asked %" PRIu64 " MiB: %s", kib >> 10,
				       err ? "found too little" : "done");
		}
		if (!kib && ph_policy_compact(&pol, &prev, &cur)) {
			err = ph_compact();
			if (err) {
				ph_log("pagehint-reclaimd: compaction: %s", strerror(-err));
				return 1;
			}
			ph_policy_compacted(&pol, &cur);
			acted = true;
			ph_log("pagehint-reclaimd: compacted (free: %" PRIu64
			       " MiB in small blocks, %" PRIu64 " MiB in whole pageblocks)",
			       cur.frag_kib >> 10, cur.whole_kib >> 10);
		}
		if (once && (kib || pol.why == PH_WHY_FLOOR))
			break;
		prev = cur;
		/* The reclaim's or compaction's own time is not the guest's. */
		if (acted) {
			err = ph_sample_read("/proc", pb_order, &prev);
			if (err)
				return 1;
			prev.refaults = cur.refaults;
		}
	}
	return 0;
}
