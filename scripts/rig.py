#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one guest under QEMU, run one guest test, measure the host side.

The guest's serial console (ttyS0) is streamed into console.log; a second
serial port (ttyS1) carries the host's answers to the guest's "PH-HOST"
requests (see tests/guest/ph-host).  The QEMU process's RSS is sampled every
100 ms into rss.tsv throughout the run, with its minor faults and CPU time
(user + system).  A QMP socket (qmp.sock) is left for
tests that drive the monitor.

The pieces: rig_qemu.py (QEMU's command line, process and serial channels,
huge pages, KVM), rig_channel.py (the guest's requests), rig_sampler.py
(the host-side measurements); this file runs one guest and judges it.

Exit status (and the "verdict" line):
  0 pass, 1 the guest test failed, 2 the guest crashed (BUG/WARNING/Oops/
  Call Trace/panic on the console, or it died without a verdict),
  3 timed out, 4 skipped, 5 the rig itself failed.
"""

import argparse
import os
import re
import selectors
import sys
import time

from rig_channel import HostChannel
from rig_qemu import (KVM_INIT_S, KVM_SILENT_S, HugePages, Qemu,  # noqa: F401
                      kvm_failure, kvm_usable, mem_mib)
from rig_sampler import Sampler, anon_huge_kib, faults_cpu, rss_kib  # noqa: F401

PASS, FAIL, CRASH, TIMEOUT, SKIP, RIGERR = 0, 1, 2, 3, 4, 5
# A skip's reason starts with its condition in brackets when the condition
# is the host's, not the guest's: scripts/check.sh accepts a skip only for
# a condition the test's row names.
SKIP_HOST_HUGEPAGES = "host-hugepages"
KVM_BROKEN = 100         # internal: KVM present but unable to run the guest
NAMES = {PASS: "pass", FAIL: "failed", CRASH: "crashed", TIMEOUT: "timed out",
         SKIP: "skipped", RIGERR: "rig error"}

CRASH_RE = re.compile(
    r"BUG:|WARNING:|Oops|Call Trace|general protection fault|Kernel panic|"
    r"UBSAN:|KASAN:|double fault|sleeping function called from invalid context|"
    r"PH-DMESG:|No bootable device")

# A guest that halted instead of powering off (no ACPI), or restarts once
# its verdict is out: QEMU would stay up, or boot the guest again.
HALT_RE = re.compile(r"reboot: System halted|Power off not available|"
                     r"reboot: Restarting system")

# After a crash line, how long the console is still read for the whole
# trace (and a verdict, if the guest survives).
CRASH_GRACE_S = 10

# A TCG vCPU whose timer interrupts stop while it idles: RCU finds its
# grace-period kthread starved ("timer wakeup didn't happen ... Possible
# timer handling issue on cpu=N") and every stalled CPU in the idle loop
# ("NMI backtrace for cpu N skipped: idling at ..."), its clock seconds
# behind the others'.  Seen once so far (6.1, a check on a busy host),
# right after boot, with nothing of pagehint's running: a stall of
# QEMU's making, and such a run is run once more (timer_stall()).  A stall
# with a CPU busy anywhere, or after another crash line, counts as a crash.
STALL_RE = re.compile(r"rcu: INFO: \S+ detected stalls on CPUs/tasks")
TIMER_STALL_RE = re.compile(r"rcu: \S+ kthread timer wakeup didn't happen.*")
NMI_RE = re.compile(r"NMI backtrace for cpu \d+(.*)")


class Rig:
    def __init__(self, args):
        self.a = args
        self.out = args.out
        os.makedirs(self.out, exist_ok=True)
        self.t0 = time.monotonic()
        self.result = None       # (verdict word, text) from PH-RESULT
        self.crash_lines = []
        self.rss = None
        self.sampler = None      # the QEMU process's sampler, once it runs
        self.faults = None       # QEMU's (minor faults, CPU s), sampled
        self.rss_peak = 0
        self.booted = None
        self.crashed_at = None   # first crash line; the run ends soon after
        self.halted = False      # the guest halted: QEMU will not exit
        self.kvm_why = None      # why KVM could not run the guest
        self.lines = []          # the console so far, for console-count
        self.channel = HostChannel(self)
        self.events = None
        self.console_bytes = 0

    def now(self):
        return time.monotonic() - self.t0

    def image_path(self):
        """Where migrate-restore puts the guest's migrated image."""
        return os.path.join(self.out, "migration.img")

    def restore(self, qemu, sel, sampler):
        """migrate-restore: end the migrated QEMU, start a new one from
        its image, and answer the guest from there.  Returns the new QEMU,
        or None if it did not come up."""
        seq, answer = self.channel.restart
        self.channel.restart = None
        sel.unregister(qemu.con)
        qemu.stop()
        qemu.close()
        self.a.incoming = self.image_path()
        new = Qemu(self.a, self.out, name="qemu-restored")
        why = new.start()
        self.a.incoming = None
        if why:
            self.event(f"restore failed: {why}")
            return None
        self.channel.restarted(new.qmp_path)
        sel.register(new.con, selectors.EVENT_READ)
        sampler.pid = new.proc.pid
        self.event(f"restored from the migrated image in a new QEMU (pid {new.proc.pid})")
        # The guest runs once the image is in: then it may hear the answer.
        for _ in range(600):
            ret = self.channel.qmp_request("query-status", "")
            if '"running":true' in ret or not new.running():
                break
            time.sleep(0.1)
        try:
            os.unlink(self.image_path())
        except OSError:
            pass
        HostChannel.send(new.ctl, seq, answer + " restored=1")
        return new

    def anon_huge_kib(self):
        """QEMU's memory on transparent huge pages now, in KiB, or None."""
        return anon_huge_kib(self.sampler.pid) if self.sampler else None

    def event(self, text):
        self.events.write(f"{self.now():.2f}\t{text}\n")
        self.events.flush()

    def console_line(self, line, ctl):
        if "PH-HOST " in line:
            self.channel.handle(line, ctl)
        else:
            self.lines.append(line)
            self.channel.console(line)
        if "PH-BOOTED" in line and self.booted is None:
            self.booted = self.now()
            self.event("booted")
        m = re.search(r"PH-RESULT (PASS|FAIL|SKIP)\b ?(.*)", line)
        if m:
            self.result = (m.group(1), m.group(2))
        if HALT_RE.search(line):
            self.halted = True
        if CRASH_RE.search(line):
            self.crash_lines.append(line)
            if self.crashed_at is None:
                self.crashed_at = self.now()

    def kvm_failure(self, t, console_bytes, qerr_path, rc):
        """Why KVM cannot run this guest (rig_qemu.kvm_failure()), asked
        only before the guest's init and while it has not crashed on its
        own: a panic on the console is the guest's verdict, not KVM's."""
        if not self.a.kvm or self.booted is not None or self.crash_lines:
            return None
        return kvm_failure(t, console_bytes, qerr_path, rc)

    def run(self):
        qemu = self.qemu = Qemu(self.a, self.out)
        self.channel.qmp_path = qemu.qmp_path
        self.events = open(os.path.join(self.out, "events.tsv"), "w")
        try:
            why = qemu.start()
            if why:
                self.kvm_why = self.kvm_failure(self.now(), 0, qemu.qerr_path,
                                                qemu.proc.returncode)
                if self.kvm_why:
                    return KVM_BROKEN
                with open(qemu.qerr_path, errors="replace") as f:
                    print(f"rig: {why}:\n" + f.read(), file=sys.stderr)
                return RIGERR
            timed_out = self.loop(qemu)
        finally:
            qemu = self.qemu
            exited = qemu.stop()
            qemu.close()
            self.channel.close()
            self.events.close()
        if exited and not self.kvm_why and qemu.proc is not None:
            self.kvm_why = self.kvm_failure(self.now(), self.console_bytes,
                                            qemu.qerr_path, qemu.proc.returncode)
        if self.kvm_why:
            return KVM_BROKEN
        return self.verdict(timed_out, qemu.proc.returncode)

    def loop(self, qemu):
        """Stream the console, sample, answer the guest, until the guest
        is done, crashed, timed out, or KVM proved unable to run it.
        Returns whether the run timed out."""
        a = self.a
        log = open(os.path.join(self.out, "console.log"), "wb")
        sampler = Sampler(os.path.join(self.out, "rss.tsv"), qemu.proc.pid)
        self.sampler = sampler
        sel = selectors.DefaultSelector()
        sel.register(qemu.con, selectors.EVENT_READ)
        buf = b""
        timed_out = False
        try:
            while True:
                t = self.now()
                if sampler.due(t):
                    r = sampler.sample(t)
                    if r is not None:
                        self.rss = r
                        self.faults = sampler.fc
                        self.rss_peak = max(self.rss_peak, r)
                    self.channel.tick(qemu.ctl)
                    if self.channel.restart is not None:
                        qemu = self.restore(qemu, sel, sampler)
                        if qemu is None:
                            break
                        self.qemu = qemu
                if t >= a.timeout or (self.booted is None and t >= a.boot_timeout):
                    timed_out = True
                    break
                if self.crashed_at is not None and self.result is None and \
                        t - self.crashed_at > CRASH_GRACE_S:
                    break
                for key, _ in sel.select(timeout=0.05):
                    try:
                        data = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    if not data:
                        sel.unregister(key.fileobj)
                        continue
                    log.write(data)
                    log.flush()
                    if a.verbose:
                        sys.stdout.buffer.write(data)
                        sys.stdout.flush()
                    buf += data
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        self.console_line(line.decode(errors="replace").rstrip("\r"),
                                          qemu.ctl)
                if not qemu.running() or (self.halted and self.result is not None):
                    break
                self.kvm_why = self.kvm_failure(t, log.tell(), qemu.qerr_path, None)
                if self.kvm_why:
                    break
            if buf:
                self.console_line(buf.decode(errors="replace"), qemu.ctl)
        finally:
            self.console_bytes = log.tell()
            log.close()
            sampler.close()
        return timed_out

    def verdict(self, timed_out, rc):
        a = self.a
        if self.crash_lines:
            v, why = CRASH, self.crash_lines[0].strip()
        elif timed_out and self.booted is None:
            v, why = TIMEOUT, f"init did not start within {a.boot_timeout:.0f} s"
        elif timed_out:
            v, why = TIMEOUT, f"no verdict after {a.timeout:.0f} s"
            if a.capped:
                why += " (the test's timeout, capped by --deadline)"
        elif self.result is None:
            v, why = CRASH, f"QEMU exited ({rc}) without a verdict"
        else:
            v = {"PASS": PASS, "FAIL": FAIL, "SKIP": SKIP}[self.result[0]]
            why = self.result[1]
        boot = f"{self.booted:.1f}s" if self.booted is not None else "-"
        summary = (f"verdict: {NAMES[v]}: {a.test} on {a.label}: {why} "
                   f"(boot {boot}, wall {self.now():.1f}s, "
                   f"peak RSS {self.rss_peak // 1024} MiB, "
                   f"{'kvm' if a.kvm else 'tcg'})")
        marks = " ".join(f"{k}={v // 1024 if v else 0}MiB"
                         for k, v in self.channel.marks.items())
        if marks:
            summary += f" marks: {marks}"
        return write_verdict(self.out, v, summary)


def write_verdict(out, v, summary):
    """The verdict file (status, then the summary line) and the summary on
    stdout; returns the status."""
    with open(os.path.join(out, "verdict"), "w") as f:
        f.write(f"{v}\n{summary}\n")
    print(summary)
    return v


def timer_stall(out):
    """If the run in OUT crashed on an idle vCPU's stopped timer and on
    nothing else (see TIMER_STALL_RE), RCU's line saying so; else ""."""
    try:
        with open(os.path.join(out, "console.log"), errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    start = STALL_RE.search(text)
    if not start or CRASH_RE.search(text, 0, start.start()):
        return ""
    timer = TIMER_STALL_RE.search(text, start.start())
    cpus = NMI_RE.findall(text, start.start())
    if not timer or not cpus or \
            not all(c.startswith(" skipped: idling at") for c in cpus):
        return ""
    return timer.group(0).strip()


def run_with_fallback(a):
    """Run the guest (see run_kvm_or_tcg); a TCG run that crashed on an idle
    vCPU's stopped timer (timer_stall()) runs once more, its console kept
    as console-timer-stall.log."""
    v = run_kvm_or_tcg(a)
    why = timer_stall(a.out) if v == CRASH and not a.kvm else ""
    if not why:
        return v
    os.replace(os.path.join(a.out, "console.log"),
               os.path.join(a.out, "console-timer-stall.log"))
    print(f"rig: an idle vCPU's timer stopped under TCG ({why}): "
          "running the test once more (console-timer-stall.log)", file=sys.stderr)
    return Rig(a).run()


def run_kvm_or_tcg(a):
    """Run the guest; under --accel auto, a KVM that cannot run it (see
    Rig.kvm_failure) is recorded in --kvm-state, so that later runs go
    straight to TCG, and this run starts again under TCG."""
    r = Rig(a)
    v = r.run()
    if v != KVM_BROKEN:
        return v
    if a.accel != "auto":
        print(f"rig: KVM cannot run this guest here ({r.kvm_why}); "
              "--accel kvm was asked for", file=sys.stderr)
        return RIGERR
    print(f"rig: KVM cannot run this guest here ({r.kvm_why}): "
          "using TCG from now on", file=sys.stderr)
    if a.kvm_state:
        with open(a.kvm_state, "w") as f:
            f.write(f"{r.kvm_why}\n")
    a.kvm = False
    return Rig(a).run()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--qemu", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--label", default="")
    p.add_argument("--out", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--mem", default="2G")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--reporting", choices=["on", "off"], default="on")
    p.add_argument("--balloon-opts", default="")
    p.add_argument("--append", default="")
    p.add_argument("--datadir", action="append", default=[],
                   help="QEMU firmware directory (-L), may repeat")
    p.add_argument("--boot-timeout", type=float, default=120,
                   help="seconds until the guest's init must have started")
    p.add_argument("--timeout-scale", type=float, default=1.0,
                   help="multiply --timeout and --boot-timeout (slow kernels)")
    p.add_argument("--deadline", type=float, default=0,
                   help="seconds since the epoch: the run ends by then "
                        "(caps --timeout and --boot-timeout)")
    p.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="auto")
    p.add_argument("--kvm-state", default="",
                   help="file recording that KVM cannot run guests here")
    p.add_argument("--hugepages", action="store_true",
                   help="guest RAM on the host's 2 MiB huge pages (hugetlbfs)")
    p.add_argument("--free-page-hint", action="store_true",
                   help="the balloon offers free page hinting (with an iothread)")
    p.add_argument("--memfd", action="store_true",
                   help="guest RAM in a shared memfd (shmem), as vhost-user has it")
    p.add_argument("--machine", choices=["q35", "microvm"], default="q35",
                   help="q35 (virtio-pci) or microvm (virtio-mmio, no PCI, no ACPI)")
    p.add_argument("--virtio-mem", default="",
                   help="a virtio-mem device of this size (id vmem0), unplugged at boot")
    p.add_argument("--disk", default="",
                   help="a virtio-blk disk of this size that reads zeros (QEMU null-co)")
    p.add_argument("--pin", action="store_true",
                   help="QEMU's vCPU threads on all host CPUs but the last, "
                        "its other threads (the migration thread) on the last")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("qemu_args", nargs="*")
    a = p.parse_args()
    a.timeout *= a.timeout_scale
    a.boot_timeout *= a.timeout_scale
    a.capped = False
    if a.deadline:
        left = max(1.0, a.deadline - time.time())
        a.capped = left < a.timeout
        a.timeout = min(a.timeout, left)
        a.boot_timeout = min(a.boot_timeout, left)
    a.reporting = a.reporting == "on"
    a.kvm = kvm_usable(a.kvm_state) if a.accel == "auto" else a.accel == "kvm"
    a.huge = None
    if a.hugepages:
        a.huge = HugePages(mem_mib(a.mem))
        if not a.huge.ok:
            a.huge.close()
            os.makedirs(a.out, exist_ok=True)
            sys.exit(write_verdict(a.out, SKIP, f"verdict: {NAMES[SKIP]}: "
                                   f"{a.test} on {a.label}: "
                                   f"[{SKIP_HOST_HUGEPAGES}] {a.huge.why}"))
    try:
        sys.exit(run_with_fallback(a))
    except OSError as e:
        print(f"rig: {e}", file=sys.stderr)
        sys.exit(RIGERR)
    finally:
        if a.huge is not None:
            a.huge.close()


if __name__ == "__main__":
    main()
