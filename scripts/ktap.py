#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ktap.py CONSOLE.LOG [PREFIX] [--expect DIR]: count the KUnit results a
guest printed.

tests/guest/kunit.sh prints each suite's debugfs results file with every
line prefixed "PH-KTAP: ".  This reads them back as KTAP, and prints one
line per leaf test (a case, or one parameter of a parameterised case):

    ok      kunit: pagehint_map.map_free_alloc.order 3
    FAIL    kunit: pagehint_virtio.virtio_refuses_small_queue.16 entries
    skip    kunit: pagehint_tracker.tracker_free_hints.order 10 (no free block)

then "counts PASSED FAILED SKIPPED".  PREFIX (default "kunit") starts each
name.  A suite whose plan announces more tests than it reported counts the
missing ones as failed (a crash mid-suite).  With --expect DIR, the
suites the C files of DIR register (kunit_test_suites()) and every case of
each (KUNIT_CASE*() in the suite's case array) must have reported: one
missing is a failure of its own ("never ran").  Exit status 1 if anything
failed or no result was found.
"""

import glob
import os
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


CASES = re.compile(r"static\s+struct\s+kunit_case\s+(\w+)\[\]\s*=\s*\{(.*?)\n\};", re.S)
CASE = re.compile(r"KUNIT_CASE\w*\(\s*(\w+)")
SUITE = re.compile(r"static\s+struct\s+kunit_suite\s+(\w+)\s*=\s*\{(.*?)\n\};", re.S)
REGISTERED = re.compile(r"kunit_test_suites?\((.*?)\);", re.S)


def expected(directory):
    """{suite name: [case names]} of the suites the C files of directory
    register, in the order they are registered."""
    text = ""
    for path in sorted(glob.glob(os.path.join(directory, "*.c"))):
        with open(path) as f:
            text += f.read() + "\n"
    arrays = {m.group(1): CASE.findall(m.group(2)) for m in CASES.finditer(text)}
    suites = {}
    for m in SUITE.finditer(text):
        name = re.search(r'\.name\s*=\s*"([^"]+)"', m.group(2))
        cases = re.search(r"\.test_cases\s*=\s*(\w+)", m.group(2))
        if name and cases:
            suites[m.group(1)] = (name.group(1), arrays.get(cases.group(1), []))
    out = {}
    for m in REGISTERED.finditer(text):
        for var in re.findall(r"&(\w+)", m.group(1)):
            if var in suites:
                out[suites[var][0]] = suites[var][1]
    return out


def missing(leaves, want, prefix):
    """Failures for each expected suite or case with no result in leaves.
    A parameterised case's leaves are named suite.case.param."""
    seen = {name[len(prefix) + 2:] for _, name, _ in leaves}
    out = []
    for suite, cases in want.items():
        if not cases:
            out.append(("FAIL", f"{prefix}: {suite}", "registers no case"))
        for case in cases:
            path = f"{suite}.{case}"
            if path not in seen and not any(n.startswith(path + ".") for n in seen):
                out.append(("FAIL", f"{prefix}: {path}", "never ran"))
    return out


def main():
    args = sys.argv[1:]
    want = None
    if "--expect" in args:
        i = args.index("--expect")
        if i + 1 >= len(args):
            sys.exit(__doc__)
        want = expected(args[i + 1])
        del args[i:i + 2]
        if not want:
            sys.exit(f"ktap.py: no registered suite found in {sys.argv[i + 2]}")
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    prefix = args[1] if len(args) == 2 else "kunit"
    lines = []
    with open(args[0], errors="replace") as f:
        for line in f:
            i = line.find("PH-KTAP: ")
            if i >= 0:
                lines.append(line[i + len("PH-KTAP: "):].rstrip("\r\n"))
    leaves = parse(lines, prefix)
    if want is not None:
        leaves += missing(leaves, want, prefix)
        print(f"expected {len(want)} suites, {sum(len(c) for c in want.values())} cases")
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    for status, name, reason in leaves:
        counts[status] += 1
        print(f"{status:<7} {name}" + (f" ({reason})" if reason else ""))
    print(f"counts {counts['ok']} {counts['FAIL']} {counts['skip']}")
    sys.exit(1 if counts["FAIL"] or not leaves else 0)


if __name__ == "__main__":
    main()
