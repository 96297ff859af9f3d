#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""demo-plot.py OUT.png KERNEL DIR=LABEL...: the demo's picture, QEMU's
RSS over time for each run directory of the rig (rss.tsv, events.tsv),
lined up on the moment the guest's workload freed its memory (the "peak"
mark), from a few seconds before the workload to the end of the run."""

import os
import sys

from rssplot import plot_rss


def marks(d):
    m = {}
    with open(os.path.join(d, "events.tsv")) as f:
        for line in f:
            t, _, text = line.rstrip("\n").partition("\t")
            w = text.split()
            if len(w) >= 2 and w[0] == "mark":
                m[w[1]] = float(t)
    return m


def rss(d):
    with open(os.path.join(d, "rss.tsv")) as f:
        next(f)
        return [(float(t), int(k) / 1024) for t, k, *_ in (x.split("\t") for x in f)]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    png, kernel, series = sys.argv[1], sys.argv[2], []
    for arg in sys.argv[3:]:
        d, _, label = arg.partition("=")
        m = marks(d)
        if "peak" not in m:
            print(f"demo-plot: {d} has no peak mark: left out", file=sys.stderr)
            continue
        t0, start = m["peak"], m.get("before", m["peak"]) - 3
        series.append((label, [(t - t0, mib) for t, mib in rss(d) if t >= start]))
    if not series or not plot_rss(png, f"QEMU RSS on the host: guest {kernel}, "
                                  "1 GiB touched then freed", "seconds since the free",
                                  series):
        sys.exit(1)


if __name__ == "__main__":
    main()
