#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ktap.py CONSOLE.LOG [PREFIX]: count the KUnit results a guest printed.

tests/guest/kunit.sh prints each suite's debugfs results file with every
line prefixed "PH-KTAP: ".  This reads them back as KTAP, and prints one
line per leaf test (a case, or one parameter of a parameterised case):

    ok      kunit: pagehint_map.map_free_alloc.order 3
    FAIL    kunit: pagehint_virtio.virtio_refuses_small_queue.16 entries
    skip    kunit: pagehint_tracker.tracker_free_hints.order 10 (no free block)

then "counts PASSED FAILED SKIPPED".  PREFIX (default "kunit") starts each
name.  A suite whose plan announces more tests than it reported counts the
missing ones as failed (a crash mid-suite).  Exit status 1 if anything
failed or no result was found.
"""

import re
import sys

RESULT = re.compile(r"^(not ok|ok) (\d+)(?: - | )?([^#]*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
SUBTEST = re.compile(r"^# Subtest: (.*)$")


def parse(lines, prefix):
    """Leaves of KTAP text, as (status, name, reason).  A "# Subtest: X"
    header and X's plan sit at the indentation of X's own results, one
    level (4 spaces) deeper than X's result line."""
    leaves = []
    # frames[d]: the (sub)test whose results are at depth d.
    frames = [{"name": None, "plan": None, "results": 0}]

    def frame(depth):
        while len(frames) <= depth:
            frames.append({"name": None, "plan": None, "results": 0})
        return frames[depth]

    for raw in lines:
        line = raw.strip()
        depth = (len(raw) - len(raw.lstrip(" "))) // 4
        m = SUBTEST.match(line)
        if m:
            del frames[depth:]
            frame(depth)["name"] = m.group(1)
            continue
        m = PLAN.match(line)
        if m:
            frame(depth)["plan"] = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        status, name = m.group(1), m.group(3).strip()
        directive, reason = m.group(4), m.group(5)
        child = frames[depth + 1] if depth + 1 < len(frames) else None
        if child and child["name"] == name and child["results"]:
            # The summary line of a suite or a parameterised case: its
            # leaves are counted; the ones a crash swallowed fail.
            path = ".".join(f["name"] for f in frames[1:depth + 2] if f["name"])
            for i in range(child["results"], child["plan"] or 0):
                leaves.append(("FAIL", f"{prefix}: {path}.#{i + 1}", "never reported"))
        else:
            path = ".".join([f["name"] for f in frames[1:depth + 1] if f["name"]] + [name])
            if directive == "SKIP":
                leaves.append(("skip", f"{prefix}: {path}", reason or ""))
            else:
                leaves.append(("ok" if status == "ok" else "FAIL", f"{prefix}: {path}", ""))
        del frames[depth + 1:]
        frame(depth)["results"] += 1
    return leaves


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    prefix = sys.argv[2] if len(sys.argv) == 3 else "kunit"
    lines = []
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            i = line.find("PH-KTAP: ")
            if i >= 0:
                lines.append(line[i + len("PH-KTAP: "):].rstrip("\r\n"))
    leaves = parse(lines, prefix)
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    for status, name, reason in leaves:
        counts[status] += 1
        print(f"{status:<7} {name}" + (f" ({reason})" if reason else ""))
    print(f"counts {counts['ok']} {counts['FAIL']} {counts['skip']}")
    sys.exit(1 if counts["FAIL"] or not leaves else 0)


if __name__ == "__main__":
    main()
