# SPDX-License-Identifier: GPL-2.0
"""One PNG of the QEMU process's RSS over time, a line per run, drawn by
gnuplot (pngcairo).  Used by the demo (demo-plot.py) and the benchmarks
(bench-report.py)."""

import os
import subprocess
import sys


def plot_rss(png, title, xlabel, series):
    """series: [(label, [(t_s, rss_mib), ...]), ...].  Returns png, or None
    (with the reason on stderr) if gnuplot could not draw it."""
    paths, lines = [], []
    for i, (label, points) in enumerate(series):
        path = f"{os.path.splitext(png)[0]}-{i}.dat"
        with open(path, "w") as f:
            for t, mib in points:
                f.write(f"{t:.2f}\t{mib:.1f}\n")
        paths.append(path)
        lines.append(f"'{path}' using 1:2 with lines lw 2 title '{label}'")
    script = (f"set terminal pngcairo size 900,500 font ',10'\n"
              f"set output '{png}'\n"
              f"set title '{title}'\n"
              "set termoption noenhanced\n"
              f"set xlabel '{xlabel}'\n"
              "set ylabel 'MiB'\nset grid\nset key top right\n"
              f"plot {', '.join(lines)}\n")
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"no plot {png}: {e}", file=sys.stderr)
        return None
    return png
