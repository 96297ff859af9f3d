# SPDX-License-Identifier: GPL-2.0
"""The rig's measurements of the host side: the QEMU process's resident
memory (huge pages included), minor faults and CPU time, sampled every
100 ms into rss.tsv (t_s rss_kib minflt cpu_s)."""

import os

INTERVAL_S = 0.1


def faults_cpu(pid):
    """The process's minor faults and CPU seconds (user + system), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[7]), (int(fields[11]) + int(fields[12])) / tick
    except (OSError, IndexError, ValueError):
        return None


def rss_kib(pid):
    """The process's resident memory: VmRSS, plus its huge pages (hugetlbfs
    memory is not in VmRSS), in KiB."""
    rss = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "HugetlbPages:")):
                    rss = (rss or 0) + int(line.split()[1])
    except OSError:
        return None
    return rss


# The host's /proc/vmstat counters read at each mark: its transparent huge
# pages faulted in, the faults that fell back to 4 KiB pages, the huge
# page mappings split (a discard of part of one splits it).  Host-wide.
HOST_VMSTAT = ("thp_fault_alloc", "thp_fault_fallback", "thp_split_pmd")


def host_vmstat(path="/proc/vmstat"):
    """HOST_VMSTAT's counters that the host has, as "name=value" words."""
    words = []
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(" ")
                if k in HOST_VMSTAT:
                    words.append(f"{k}={int(v)}")
    except (OSError, ValueError):
        return []
    return words


def anon_huge_kib(pid):
    """The process's anonymous memory on transparent huge pages
    (AnonHugePages of smaps_rollup, which walks its page tables: read at
    marks, not every sample), in KiB, or None."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("AnonHugePages:"):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return None


class Sampler:
    """Samples one process into rss.tsv; due() says when the next sample is."""

    def __init__(self, path, pid):
        self.pid = pid
        self.log = open(path, "w")
        self.log.write("t_s\trss_kib\tminflt\tcpu_s\n")
        self.next = 0.0
        self.fc = None           # the last sample's (minor faults, CPU s)

    def due(self, t):
        return t >= self.next

    def sample(self, t):
        """Take a sample at time t: the RSS in KiB, or None if it is gone."""
        self.next = t + INTERVAL_S
        r = rss_kib(self.pid)
        if r is not None:
            fc = faults_cpu(self.pid) or (0, 0.0)
            self.fc = fc
            self.log.write(f"{t:.2f}\t{r}\t{fc[0]}\t{fc[1]:.2f}\n")
            self.log.flush()
        return r

    def close(self):
        self.log.close()
