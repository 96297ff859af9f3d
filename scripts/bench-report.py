#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Figures of a `make bench` run (scripts/bench.sh), or of a `make
bench-build` run (scripts/bench-build.sh): one directory per
configuration and round (<config>-<round>/), each with the rig's rss.tsv
(QEMU's RSS, minor faults and CPU time every 100 ms), events.tsv (the
guest's marks) and console.log (the guest's PH-BENCH lines).

Prints a markdown table (min / median / max over the rounds), writes
bench.csv (config, round, metric, value) and table.md, and plots host RSS
over time for the bulk and fragmented workloads (bulk.png, frag.png, with
gnuplot).

Metrics, all measured on the host unless said otherwise:
  bulk/frag freed MiB     what the workload gave back to the guest's
                          allocator (bulk: 1 GiB; frag: every other 64 KiB
                          of 1 GiB)
  reclaimed MiB, %        host RSS at the peak minus at the end of the
                          watch window, and as a share of "freed"
  t50 s, t90 s            from the end of the free (the "freed" mark) until
                          RSS fell by 50% / 90% of the final reclaim
  host CPU s/GiB          QEMU's CPU time in the window per GiB reclaimed
  host THP %              QEMU's AnonHugePages at the end of the watch
                          window, as a share of guest RAM: what reporting
                          left of the host's huge pages behind guest memory
  faults pages/s          guest page_fault1-style loop, all vCPUs; and
                          relative to "none"
  churn mean RSS MiB      time-weighted mean host RSS over the phase
  churn host faults       QEMU's minor faults over the phase: refaults of
                          memory the host discarded
  churn given back GiB    the falls of QEMU's RSS over the phase, summed:
                          what the host discarded, whoever reported it
  churn huge pages        the host's thp_fault_alloc and thp_split_pmd
                          over the phase (host-wide /proc/vmstat, read at
                          the marks): huge pages faulted in, and split
  churn faults/GiB back   host faults per GiB given back: what a GiB of
                          reporting cost in refaults (lower is better, at
                          an equal or lower mean RSS); with a "none" run,
                          less the median of its faults in the phase,
                          which happen without any reporting
  metadata bytes          pagehint's free page map (guest), and per GiB RAM
  guest work ms/GiB       pagehint's work_us per GiB it reported (guest)

`make bench-build` (the marks run-start and run-end around the loop):
  build loop mean/peak RSS   QEMU's RSS over the loop, time-weighted mean
                          and peak; and at the end of the loop
  build median time s     the builds' median wall time (guest); the first
                          build's, which reads the project from the disk
  guest CPU s             the guest's CPU time over the loop, all vCPUs
  host CPU s, faults      QEMU's CPU time and minor faults over the loop
"""

import csv
import os
import re
import statistics
import sys

from rssplot import plot_rss


def load_run(d):
    rss = []
    with open(os.path.join(d, "rss.tsv")) as f:
        next(f)
        for line in f:
            p = line.split()
            if len(p) >= 4:
                rss.append((float(p[0]), int(p[1]), int(p[2]), float(p[3])))
    marks = {}
    bench = {"stats": {}, "thp": {}, "host": {}}
    with open(os.path.join(d, "events.tsv")) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[1] == "mark":
                marks[p[2]] = (float(p[0]), int(p[3]))
                if len(p) >= 5 and p[4].isdigit():
                    bench["thp"][p[2]] = int(p[4])
                bench["host"][p[2]] = kv(p[4:])
    with open(os.path.join(d, "console.log"), errors="replace") as f:
        for line in f:
            m = re.search(r"PH-BENCH (\S+) (.*)", line)
            if not m:
                continue
            kind, rest = m.group(1), m.group(2).split()
            if kind == "stats":
                bench["stats"][rest[0]] = kv(rest[1:])
            else:
                bench.setdefault(kind, {}).update(kv(rest))
    return rss, marks, bench


def kv(words):
    out = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def sample_at(rss, t):
    """The first sample at or after t (the last one if none)."""
    for s in rss:
        if s[0] >= t:
            return s
    return rss[-1]


def window(rss, t0, t1):
    return [s for s in rss if t0 <= s[0] <= t1]


def reclaim(rss, marks, name, freed_kib):
    """Reclaim figures of one workload between its freed and end marks."""
    t_peak, peak = marks[f"{name}-peak"]
    t_freed, _ = marks[f"{name}-freed"]
    t_end, _ = marks[f"{name}-end"]
    end = sample_at(rss, t_end)[1]
    rec = max(0, peak - end)
    out = {"freed_mib": freed_kib / 1024, "reclaimed_mib": rec / 1024,
           "reclaimed_pct": 100.0 * rec / freed_kib if freed_kib > 0 else 0}
    for frac in (0.5, 0.9):
        key = f"t{int(frac * 100)}_s"
        out[key] = None
        if rec < 0.05 * freed_kib:
            continue
        goal = peak - frac * rec
        for s in window(rss, t_peak, t_end):
            if s[1] <= goal:
                out[key] = max(0.0, s[0] - t_freed)
                break
    a, b = sample_at(rss, t_freed), sample_at(rss, t_end)
    cpu = b[3] - a[3]
    out["host_cpu_s"] = cpu
    out["host_cpu_s_per_gib"] = cpu / (rec / 1048576) if rec > 65536 else None
    return out


def mean_rss(rss, t0, t1):
    w = window(rss, t0, t1)
    if len(w) < 2:
        return None
    area = sum((w[i + 1][0] - w[i][0]) * w[i][1] for i in range(len(w) - 1))
    return area / (w[-1][0] - w[0][0]) / 1024


def given_back_kib(rss, t0, t1):
    """The falls of the RSS between t0 and t1, summed (KiB)."""
    w = window(rss, t0, t1)
    return sum(max(0, w[i][1] - w[i + 1][1]) for i in range(len(w) - 1))


def build_metrics(rss, marks, bench):
    """A `make bench-build` run: the loop of builds between run-start and
    run-end."""
    t0, t1 = marks["run-start"][0], marks["run-end"][0]
    a, b = sample_at(rss, t0), sample_at(rss, t1)
    times = [v["ms"] / 1000 for k, v in sorted(bench.items())
             if re.fullmatch(r"build\d+", k)]
    cpu = bench.get("guestcpu", {})
    return {
        "build mean_rss_mib": mean_rss(rss, t0, t1),
        "build peak_rss_mib": max(s[1] for s in window(rss, t0, t1)) / 1024,
        "build end_rss_mib": b[1] / 1024,
        "build time_s": statistics.median(times) if times else None,
        "build first_time_s": times[0] if times else None,
        "build guest_cpu_s": cpu["user_s"] + cpu["sys_s"] if cpu else None,
        "build guest_sys_s": cpu.get("sys_s"),
        "build host_cpu_s": b[3] - a[3],
        "build host_faults": b[2] - a[2],
    }


def run_metrics(d):
    rss, marks, bench = load_run(d)
    m = {}
    if "run-start" in marks:
        return build_metrics(rss, marks, bench), rss, marks
    # What the guest freed (PH-BENCH lines; these defaults are the same).
    for name, mib in (("bulk", 1024), ("frag", 512)):
        freed = bench.get(name, {}).get("freed_mib", mib) * 1024
        for k, v in reclaim(rss, marks, name, freed).items():
            m[f"{name} {k}"] = v
    # The share of guest RAM still on the host's transparent huge pages
    # (QEMU's AnonHugePages) once a workload's watch ended.
    ram_kib = bench.get("config", {}).get("memtotal_kib")
    for name in ("bulk", "frag"):
        thp = bench["thp"].get(f"{name}-end")
        m[f"{name} host_thp_pct"] = 100.0 * thp / ram_kib \
            if thp is not None and ram_kib else None
    m["faults pages_per_s"] = bench.get("faults", {}).get("pages_per_s")
    for ph in ("fast", "slow"):
        t0, t1 = marks[f"churn-{ph}-start"][0], marks[f"churn-{ph}-end"][0]
        a, b = sample_at(rss, t0), sample_at(rss, t1)
        m[f"churn-{ph} mean_rss_mib"] = mean_rss(rss, t0, t1)
        m[f"churn-{ph} host_faults"] = b[2] - a[2]
        m[f"churn-{ph} host_cpu_s"] = b[3] - a[3]
        m[f"churn-{ph} given_back_gib"] = given_back_kib(rss, t0, t1) / 1048576
        h0, h1 = bench["host"].get(f"churn-{ph}-start", {}), bench["host"].get(f"churn-{ph}-end", {})
        for k in ("thp_fault_alloc", "thp_split_pmd"):
            m[f"churn-{ph} host_{k}"] = h1[k] - h0[k] if k in h0 and k in h1 else None
    st = bench["stats"]
    if "bulk-start" in st and "churn-slow-end" in st:
        s0, s1 = st["bulk-start"], st["churn-slow-end"]
        gib = (s1["reported_bytes"] - s0["reported_bytes"]) / 2 ** 30
        m["pagehint reported_gib"] = gib
        m["pagehint work_ms_per_gib"] = \
            (s1["work_us"] - s0["work_us"]) / 1000 / gib if gib > 0 else None
        m["pagehint claim_ms_per_gib"] = \
            (s1["claim_us"] - s0["claim_us"]) / 1000 / gib if gib > 0 else None
        ram_gib = bench["config"]["memtotal_kib"] / 1048576
        m["pagehint bitmap_bytes"] = s1["bitmap_bytes"]
        m["pagehint bitmap_bytes_per_gib_ram"] = s1["bitmap_bytes"] / ram_gib
    return m, rss, marks


ROWS = [
    ("bulk freed_mib", "bulk: freed MiB", "%.0f"),
    ("bulk reclaimed_mib", "bulk: reclaimed MiB", "%.0f"),
    ("bulk reclaimed_pct", "bulk: reclaimed %", "%.0f"),
    ("bulk t50_s", "bulk: 50% after s", "%.1f"),
    ("bulk t90_s", "bulk: 90% after s", "%.1f"),
    ("bulk host_cpu_s_per_gib", "bulk: host CPU s/GiB", "%.2f"),
    ("bulk host_thp_pct", "bulk: RAM on host huge pages after, %", "%.0f"),
    ("frag freed_mib", "frag: freed MiB", "%.0f"),
    ("frag reclaimed_mib", "frag: reclaimed MiB", "%.0f"),
    ("frag reclaimed_pct", "frag: reclaimed %", "%.0f"),
    ("frag t50_s", "frag: 50% after s", "%.1f"),
    ("frag t90_s", "frag: 90% after s", "%.1f"),
    ("frag host_cpu_s_per_gib", "frag: host CPU s/GiB", "%.2f"),
    ("frag host_thp_pct", "frag: RAM on host huge pages after, %", "%.0f"),
    ("faults pages_per_s", "faults: pages/s", "%.0f"),
    ("faults relative", "faults: vs none", "%.3f"),
    ("churn-fast mean_rss_mib", "churn 0.5 s: mean RSS MiB", "%.0f"),
    ("churn-fast host_faults", "churn 0.5 s: host faults", "%.0f"),
    ("churn-fast given_back_gib", "churn 0.5 s: given back GiB", "%.2f"),
    ("churn-fast faults_per_gib", "churn 0.5 s: host faults per GiB back", "%.0f"),
    ("churn-fast host_thp_fault_alloc", "churn 0.5 s: host huge pages faulted", "%.0f"),
    ("churn-fast host_thp_split_pmd", "churn 0.5 s: host huge pages split", "%.0f"),
    ("churn-slow mean_rss_mib", "churn 5 s: mean RSS MiB", "%.0f"),
    ("churn-slow host_faults", "churn 5 s: host faults", "%.0f"),
    ("churn-slow given_back_gib", "churn 5 s: given back GiB", "%.2f"),
    ("churn-slow faults_per_gib", "churn 5 s: host faults per GiB back", "%.0f"),
    ("churn-slow host_thp_fault_alloc", "churn 5 s: host huge pages faulted", "%.0f"),
    ("churn-slow host_thp_split_pmd", "churn 5 s: host huge pages split", "%.0f"),
    ("build mean_rss_mib", "build loop: mean RSS MiB", "%.0f"),
    ("build peak_rss_mib", "build loop: peak RSS MiB", "%.0f"),
    ("build end_rss_mib", "build loop: RSS at the end MiB", "%.0f"),
    ("build time_s", "build: median time s", "%.1f"),
    ("build first_time_s", "build: first build s", "%.1f"),
    ("build guest_cpu_s", "build loop: guest CPU s", "%.0f"),
    ("build guest_sys_s", "  of it system s", "%.0f"),
    ("build host_cpu_s", "build loop: host CPU s", "%.0f"),
    ("build host_faults", "build loop: host faults", "%.0f"),
    ("pagehint bitmap_bytes", "metadata bytes", "%.0f"),
    ("pagehint bitmap_bytes_per_gib_ram", "metadata bytes/GiB RAM", "%.0f"),
    ("pagehint work_ms_per_gib", "guest work ms/GiB reported", "%.0f"),
    ("pagehint claim_ms_per_gib", "  of it claiming ms/GiB", "%.0f"),
]


def cell(values, fmt):
    v = [x for x in values if x is not None]
    if not v:
        return "-"
    if len(v) < len(values):
        note = f" ({len(values) - len(v)} n/a)"
    else:
        note = ""
    lo, med, hi = min(v), statistics.median(v), max(v)
    if len(v) == 1:
        return fmt % med + note
    return f"{fmt % lo} / {fmt % med} / {fmt % hi}{note}"


def plot(out, configs, runs, name, win_label):
    """RSS over time since the free, one line per configuration (the
    round whose reclaim is the median)."""
    series = []
    for cfg in configs:
        rounds = sorted(runs[cfg], key=lambda r: r[1].get(f"{name} reclaimed_mib") or 0)
        rnd, _, rss, marks = rounds[len(rounds) // 2]
        t0 = marks[f"{name}-freed"][0]
        start = marks[f"{name}-before"][0] - 1
        end = marks[f"{name}-end"][0] + 1
        series.append((f"{cfg} (round {rnd})",
                       [(s[0] - t0, s[1] / 1024) for s in window(rss, start, end)]))
    return plot_rss(os.path.join(out, f"{name}.png"),
                    f"QEMU RSS on the host: {win_label}",
                    "seconds since the free", series)


def plot_build(out, configs, runs):
    """RSS over the build loop, one line per configuration (the round
    whose mean RSS is the median)."""
    series = []
    for cfg in configs:
        rounds = sorted(runs[cfg], key=lambda r: r[1].get("build mean_rss_mib") or 0)
        rnd, _, rss, marks = rounds[len(rounds) // 2]
        t0, t1 = marks["run-start"][0], marks["run-end"][0]
        series.append((f"{cfg} (round {rnd})",
                       [(s[0] - t0, s[1] / 1024) for s in window(rss, t0, t1)]))
    return plot_rss(os.path.join(out, "build.png"),
                    "QEMU RSS on the host: a C project built in a loop",
                    "seconds since the first build started", series)


def churn_baseline(runs):
    """A churn phase's host faults per GiB given back; with "none" runs,
    only the faults beyond the median of none's in that phase count."""
    for ph in ("fast", "slow"):
        base = statistics.median(r[1][f"churn-{ph} host_faults"]
                                 for r in runs["none"]) if "none" in runs else 0
        for rounds in runs.values():
            for r in rounds:
                m = r[1]
                back = m[f"churn-{ph} given_back_gib"]
                m[f"churn-{ph} faults_per_gib"] = \
                    max(0, m[f"churn-{ph} host_faults"] - base) / back if back > 1 / 64 else None


def main():
    out = sys.argv[1]
    order = ["none", "upstream", "upstream_tuned", "upstream0", "dropcaches",
             "pagehint", "tuned"]
    runs = {}
    for d in sorted(os.listdir(out)):
        m = re.fullmatch(r"(\w+)-(\d+)", d)
        if not m or not os.path.isdir(os.path.join(out, d)):
            continue
        met, rss, marks = run_metrics(os.path.join(out, d))
        runs.setdefault(m.group(1), []).append((int(m.group(2)), met, rss, marks))
    configs = [c for c in order if c in runs] + sorted(c for c in runs if c not in order)
    build = any("build time_s" in r[1] for rs in runs.values() for r in rs)
    if "none" in runs and not build:
        base = statistics.median(r[1]["faults pages_per_s"] for r in runs["none"])
        for cfg in configs:
            for r in runs[cfg]:
                r[1]["faults relative"] = r[1]["faults pages_per_s"] / base
    if not build:
        churn_baseline(runs)

    with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["config", "round", "metric", "value"])
        for cfg in configs:
            for rnd, met, _, _ in sorted(runs[cfg], key=lambda r: r[0]):
                for k, v in met.items():
                    w.writerow([cfg, rnd, k, "" if v is None else f"{v:.6g}"])

    lines = []
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        lines += ["    " + x for x in open(machine).read().splitlines()] + [""]
    nrounds = max(len(r) for r in runs.values())
    lines.append(f"min / median / max over {nrounds} rounds")
    lines.append("")
    lines.append("| metric | " + " | ".join(configs) + " |")
    lines.append("|---|" + "---|" * len(configs))
    for key, label, fmt in ROWS:
        vals = [[r[1].get(key) for r in runs[c]] for c in configs]
        if all(v is None for vs in vals for v in vs):
            continue
        lines.append(f"| {label} | " + " | ".join(cell(v, fmt) for v in vals) + " |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text)
    print(text)
    if build:
        pngs = [plot_build(out, configs, runs)]
    else:
        pngs = [plot(out, configs, runs, name, label) for name, label in
                (("bulk", "1 GiB touched, then freed"),
                 ("frag", "1 GiB touched, every other 64 KiB freed"))]
    for png in pngs:
        if png:
            print(f"plot: {png}")
    print(f"csv: {os.path.join(out, 'bench.csv')}")


if __name__ == "__main__":
    main()
