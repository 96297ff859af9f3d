#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one guest under QEMU, run one guest test, measure the host side.

The guest's serial console (ttyS0) is streamed into console.log; a second
serial port (ttyS1) carries the host's answers to the guest's "PH-HOST"
requests (see tests/guest/ph-host).  The QEMU process's RSS is sampled every
100 ms into rss.tsv throughout the run, with its minor faults and CPU time
(user + system).  A QMP socket (qmp.sock) is left for
tests that drive the monitor.

Exit status (and the "verdict" line):
  0 pass, 1 the guest test failed, 2 the guest crashed (BUG/WARNING/Oops/
  Call Trace/panic on the console, or it died without a verdict),
  3 timed out, 4 skipped, 5 the rig itself failed.
"""

import argparse
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PASS, FAIL, CRASH, TIMEOUT, SKIP, RIGERR = 0, 1, 2, 3, 4, 5
KVM_BROKEN = 100         # internal: KVM present but unable to run the guest
KVM_SILENT_S = 20        # under KVM, a guest silent this long is not running
KVM_INIT_S = 60          # ... and one not in its init by then is not either
NAMES = {PASS: "pass", FAIL: "failed", CRASH: "crashed", TIMEOUT: "timed out",
         SKIP: "skipped", RIGERR: "rig error"}

CRASH_RE = re.compile(
    r"BUG:|WARNING:|Oops|Call Trace|general protection fault|Kernel panic|"
    r"UBSAN:|KASAN:|double fault|sleeping function called from invalid context|"
    r"PH-DMESG:|No bootable device")


def kvm_usable(state):
    """/dev/kvm can create a VM, and no earlier run found it unable to run
    one (nested KVM can fail on the first instruction it must emulate)."""
    if os.environ.get("PH_NO_KVM"):
        return False
    if state and os.path.exists(state):
        return False
    try:
        import fcntl
        fd = os.open("/dev/kvm", os.O_RDWR)
        try:
            os.close(fcntl.ioctl(fd, 0xAE01, 0))  # KVM_CREATE_VM
        finally:
            os.close(fd)
        return True
    except OSError:
        return False


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


class HugePages:
    """Guest RAM on 2 MiB huge pages (--hugepages): reserve enough huge
    pages on the host for the guest, mount a private hugetlbfs, and undo
    both afterwards.  ok is False, with why, if the host cannot."""

    NR = "/proc/sys/vm/nr_hugepages"

    def __init__(self, mem_mib):
        self.need = mem_mib // 2 + 8
        self.orig = None
        self.dir = None
        self.ok, self.why = False, ""
        try:
            with open(self.NR) as f:
                self.orig = int(f.read())
            with open(self.NR, "w") as f:
                f.write(str(self.orig + self.need))
            free = meminfo("HugePages_Free")
            if free is None or free < self.need:
                self.why = (f"the host has {free} free huge pages of the "
                            f"{self.need} needed")
                return
            self.dir = tempfile.mkdtemp(prefix="pagehint-huge.")
            subprocess.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M",
                            "pagehint", self.dir], check=True)
            self.ok = True
        except (OSError, ValueError, subprocess.CalledProcessError) as e:
            self.why = f"cannot set up huge pages: {e}"

    def qemu_args(self, mem):
        # share=on: QEMU discards by punching holes in the file; in a
        # private mapping that would leave the guest's copies in place.
        return ["-object", f"memory-backend-file,id=ram0,size={mem},"
                f"mem-path={self.dir},share=on,prealloc=off",
                "-machine", "memory-backend=ram0"]

    def close(self):
        if self.ok:
            subprocess.run(["umount", self.dir], check=False)
        if self.dir:
            os.rmdir(self.dir)
        if self.orig is not None:
            with open(self.NR, "w") as f:
                f.write(str(self.orig))


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def mem_mib(size):
    """QEMU's -m size ("2G", "2048M", "2048") in MiB."""
    units = {"G": 1024, "M": 1}
    if size[-1:].upper() in units:
        return int(size[:-1]) * units[size[-1:].upper()]
    return int(size)


class Qmp:
    """A minimal QMP client for the guest's "qmp" requests (blocking, short)."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""

    def _message(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise OSError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, arguments=None):
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(10)
            self.sock.connect(self.path)
            self._message()                     # the greeting
            self.execute("qmp_capabilities")
        msg = {"execute": command}
        if arguments is not None:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._message()
            if "event" in reply:
                continue
            if "error" in reply:
                raise ValueError(reply["error"].get("desc", str(reply["error"])))
            return reply.get("return")

    def close(self):
        if self.sock is not None:
            self.sock.close()


class Rig:
    def __init__(self, args):
        self.a = args
        self.out = args.out
        os.makedirs(self.out, exist_ok=True)
        self.t0 = time.monotonic()
        self.marks = {}
        self.waits = []          # pending wait-reclaim requests
        self.result = None       # (verdict word, text) from PH-RESULT
        self.crash_lines = []
        self.rss = None
        self.rss_peak = 0
        self.booted = None
        self.crashed_at = None   # first crash line; the run ends soon after
        self.qmp = None
        self.qmp_path = None
        self.laters = []      # (time, QMP command, JSON args) to run then
        self.huge = getattr(args, "huge", None)
        self.kvm_why = None      # why KVM could not run the guest
        self.lines = []          # the console so far, for console-count

    def now(self):
        return time.monotonic() - self.t0

    def qemu_cmd(self, con_path, ctl_path):
        a = self.a
        accel = ["-accel", "kvm", "-cpu", "host"] if a.kvm else \
            ["-accel", "tcg,tb-size=256", "-cpu", "max"]
        balloon = "virtio-balloon-pci,id=balloon0,bus=rp1"
        balloon += ",free-page-reporting=" + ("on" if a.reporting else "off")
        if a.balloon_opts:
            balloon += "," + a.balloon_opts
        append = ("console=ttyS0 panic=-1 loglevel=7 printk.devkmsg=on "
                  f"ph.test={a.test} {a.append}").strip()
        datadirs = []
        for d in a.datadir:
            datadirs += ["-L", d]
        mem = a.mem
        vmem = []
        if getattr(a, "virtio_mem", None):
            # Memory hotplug: a virtio-mem device (id vmem0) of that size,
            # nothing plugged at boot; the guest onlines what is plugged
            # as movable memory, so that it can be unplugged again.
            mem += f",maxmem={mem_mib(a.mem) + mem_mib(a.virtio_mem)}M"
            vmem = ["-object", f"memory-backend-ram,id=vmem0m,size={a.virtio_mem}",
                    "-device", "virtio-mem-pci,id=vmem0,memdev=vmem0m,requested-size=0"]
            append += " memhp_default_state=online_movable"
        cmd = [a.qemu, "-nodefaults", "-nographic", "-no-reboot", *datadirs,
               "-machine", "q35", *accel,
               "-smp", str(a.smp), "-m", mem, *vmem,
               "-kernel", a.kernel, "-initrd", a.initrd, "-append", append,
               "-chardev", f"socket,id=con,path={con_path}",
               "-chardev", f"socket,id=ctl,path={ctl_path}",
               "-serial", "chardev:con", "-serial", "chardev:ctl",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1",
               "-device", balloon]
        if self.huge is not None:
            cmd += self.huge.qemu_args(a.mem)
        return cmd + a.qemu_args

    def handle_request(self, line, ctl):
        m = re.search(r"PH-HOST (\S+) (\S+)(.*)", line)
        if not m:
            return
        seq, cmd, rest = m.group(1), m.group(2), m.group(3).split()
        reply = None
        if cmd == "qmp" and rest:
            reply = self.qmp_request(rest[0], m.group(3).strip()[len(rest[0]):].strip())
            self.send(ctl, seq, reply)
            return
        if cmd == "later" and len(rest) >= 3 and rest[1] == "qmp":
            # A QMP command to run after a delay, for a guest that will not
            # be able to ask then (asleep): answered at once.
            try:
                when = self.now() + float(rest[0])
            except ValueError:
                self.send(ctl, seq, "error bad delay")
                return
            text = m.group(3).strip()
            args = text[text.index(rest[2]) + len(rest[2]):].strip()
            self.laters.append((when, rest[2], args))
            self.event(f"later {rest[0]}s qmp {rest[2]} {args}")
            self.send(ctl, seq, "ok scheduled")
            return
        if cmd == "mark" and rest:
            self.marks[rest[0]] = self.rss
            self.event(f"mark {rest[0]} {self.rss}")
            reply = f"ok {self.rss}"
        elif cmd == "rss":
            reply = f"ok {self.rss}"
        elif cmd == "console-count" and rest:
            # Lines of the console so far (requests left out) that match
            # a regular expression: what an earlier kernel printed, for a
            # guest that kexec'ed.
            try:
                rx = re.compile(m.group(3).strip())
                n = sum(1 for x in self.lines if rx.search(x))
                reply = f"ok {n}"
            except re.error as e:
                reply = f"error bad expression: {e}"
        elif cmd == "wait-reclaim" and len(rest) == 4:
            frm, peak = self.marks.get(rest[0]), self.marks.get(rest[1])
            if frm is None or peak is None:
                reply = "error unknown mark"
            else:
                goal = peak - float(rest[2]) * (peak - frm)
                self.waits.append((seq, goal, self.now(),
                                   self.now() + float(rest[3])))
                self.event(f"wait-reclaim goal={int(goal)} from={frm} peak={peak}")
        else:
            reply = "error bad request"
        if reply is not None:
            self.send(ctl, seq, reply)

    def qmp_request(self, command, args):
        """Run a QMP command for the guest: "ok <JSON return>" or "error ..."."""
        try:
            if self.qmp is None:
                self.qmp = Qmp(self.qmp_path)
            ret = self.qmp.execute(command, json.loads(args) if args else None)
            self.event(f"qmp {command} {args}")
            return "ok " + json.dumps(ret, separators=(",", ":"))
        except (OSError, ValueError) as e:
            self.event(f"qmp {command} {args} failed: {e}")
            return f"error {e}"

    def send(self, ctl, seq, text):
        try:
            ctl.sendall(f"{seq} {text}\n".encode())
        except OSError:
            pass

    def check_laters(self):
        due = [x for x in self.laters if x[0] <= self.now()]
        self.laters = [x for x in self.laters if x[0] > self.now()]
        for _, command, args in due:
            self.qmp_request(command, args)

    def check_waits(self, ctl):
        keep = []
        for seq, goal, start, deadline in self.waits:
            if self.rss is not None and self.rss <= goal:
                self.event(f"reclaimed goal={int(goal)} after {self.now() - start:.1f}s")
                self.send(ctl, seq, f"ok {self.now() - start:.1f}s rss={self.rss}KiB")
            elif self.now() >= deadline:
                self.event(f"reclaim timeout goal={int(goal)} rss={self.rss}")
                self.send(ctl, seq, f"timeout {self.now() - start:.1f}s rss={self.rss}KiB")
            else:
                keep.append((seq, goal, start, deadline))
        self.waits = keep

    def event(self, text):
        self.events.write(f"{self.now():.2f}\t{text}\n")
        self.events.flush()

    def console_line(self, line, ctl):
        if "PH-HOST " in line:
            self.handle_request(line, ctl)
        else:
            self.lines.append(line)
        if "PH-BOOTED" in line and self.booted is None:
            self.booted = self.now()
            self.event("booted")
        m = re.search(r"PH-RESULT (PASS|FAIL|SKIP)\b ?(.*)", line)
        if m:
            self.result = (m.group(1), m.group(2))
        if CRASH_RE.search(line):
            self.crash_lines.append(line)
            if self.crashed_at is None:
                self.crashed_at = self.now()

    def run(self):
        a = self.a
        # Sockets live in a short private directory: a unix socket path
        # is limited to 107 bytes, and QEMU's option syntax reserves ",".
        self.sockdir = tempfile.mkdtemp(prefix="pagehint-rig.")
        con_path = os.path.join(self.sockdir, "con.sock")
        ctl_path = os.path.join(self.sockdir, "ctl.sock")
        self.qmp_path = os.path.join(self.sockdir, "qmp.sock")
        with open(os.path.join(self.out, "qmp.path"), "w") as f:
            f.write(self.qmp_path + "\n")
        listeners = []
        for p in (con_path, ctl_path):
            if os.path.exists(p):
                os.unlink(p)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(p)
            s.listen(1)
            listeners.append(s)

        cmd = self.qemu_cmd(con_path, ctl_path)
        with open(os.path.join(self.out, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        qerr = open(os.path.join(self.out, "qemu.stderr"), "w")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=qerr, stderr=qerr)
        conns = []
        for s in listeners:
            s.settimeout(0.2)
            c = None
            for _ in range(150):
                try:
                    c, _ = s.accept()
                    break
                except socket.timeout:
                    if proc.poll() is not None:
                        break
            if c is None:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                qerr.close()
                if a.kvm:
                    self.kvm_why = self.kvm_failure(
                        self.now(), 0, qerr.name, proc.returncode)
                    return KVM_BROKEN
                print("rig: QEMU did not start:\n" + open(qerr.name).read(),
                      file=sys.stderr)
                return RIGERR
            c.setblocking(False)
            conns.append(c)
            s.close()
        con, ctl = conns

        log = open(os.path.join(self.out, "console.log"), "wb")
        rsslog = open(os.path.join(self.out, "rss.tsv"), "w")
        rsslog.write("t_s\trss_kib\tminflt\tcpu_s\n")
        self.events = open(os.path.join(self.out, "events.tsv"), "w")
        sel = selectors.DefaultSelector()
        sel.register(con, selectors.EVENT_READ)
        buf = b""
        deadline = a.timeout
        timed_out = False
        next_sample = 0.0
        echo = a.verbose
        kvm_why = None
        while True:
            t = self.now()
            if t >= next_sample:
                r = rss_kib(proc.pid)
                if r is not None:
                    self.rss = r
                    self.rss_peak = max(self.rss_peak, r)
                    fc = faults_cpu(proc.pid) or (0, 0.0)
                    rsslog.write(f"{t:.2f}\t{r}\t{fc[0]}\t{fc[1]:.2f}\n")
                    rsslog.flush()
                next_sample = t + 0.1
                self.check_waits(ctl)
                self.check_laters()
            if t >= deadline or (self.booted is None and t >= a.boot_timeout):
                timed_out = True
                break
            # After a crash, keep reading a few seconds for the whole trace
            # (and a verdict, if the guest survives), then stop.
            if self.crashed_at is not None and self.result is None and \
                    t - self.crashed_at > 10:
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
                if echo:
                    sys.stdout.buffer.write(data)
                    sys.stdout.flush()
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self.console_line(line.decode(errors="replace").rstrip("\r"), ctl)
            if proc.poll() is not None:
                break
            kvm_why = self.kvm_failure(t, log.tell(), qerr.name, None)
            if kvm_why:
                break

        exited = proc.poll() is not None
        if not exited:
            proc.kill()
        proc.wait()
        if buf:
            self.console_line(buf.decode(errors="replace"), ctl)
        for f in (log, rsslog, self.events, qerr):
            f.close()
        for c in conns:
            c.close()
        if self.qmp is not None:
            self.qmp.close()
        shutil.rmtree(self.sockdir, ignore_errors=True)
        if exited and not kvm_why:
            kvm_why = self.kvm_failure(self.now(), os.path.getsize(log.name),
                                       qerr.name, proc.returncode)
        if kvm_why:
            self.kvm_why = kvm_why
            return KVM_BROKEN
        return self.verdict(timed_out, proc.returncode)

    def kvm_failure(self, t, console_bytes, qerr_path, rc):
        """Why KVM cannot run this guest, or None.  Only before the guest's
        init has started, and never for a guest that crashed on its own (a
        panic on the console): a working KVM prints within seconds and
        boots to init well within a minute.  Nested KVM fails in more than
        one way: QEMU aborts (an MSR it cannot set), reports an internal
        error, or runs without the guest ever printing."""
        if not self.a.kvm or self.booted is not None or self.crash_lines:
            return None
        err = ""
        try:
            # Polled while the guest boots: read QEMU's errors only once
            # it has written some.
            if os.path.getsize(qerr_path):
                with open(qerr_path, errors="replace") as f:
                    err = f.read()
        except OSError:
            pass
        if "KVM internal error" in err:
            return "KVM internal error"
        if rc is not None:
            last = err.strip().splitlines()[-1:] or [""]
            return f"QEMU exited ({rc}) before the guest's init: {last[0][:120]}"
        if console_bytes == 0 and t > KVM_SILENT_S:
            return f"no console output in {KVM_SILENT_S} s"
        if t > KVM_INIT_S:
            return f"the guest's init did not start in {KVM_INIT_S} s"
        return None

    def verdict(self, timed_out, rc):
        a = self.a
        if self.crash_lines:
            v, why = CRASH, self.crash_lines[0].strip()
        elif timed_out and self.booted is None:
            v, why = TIMEOUT, f"init did not start within {a.boot_timeout:.0f} s"
        elif timed_out:
            v, why = TIMEOUT, f"no verdict after {a.timeout:.0f} s"
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
        marks = " ".join(f"{k}={v // 1024 if v else 0}MiB" for k, v in self.marks.items())
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


def run_with_fallback(a):
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
    p.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="auto")
    p.add_argument("--kvm-state", default="",
                   help="file recording that KVM cannot run guests here")
    p.add_argument("--hugepages", action="store_true",
                   help="guest RAM on the host's 2 MiB huge pages (hugetlbfs)")
    p.add_argument("--virtio-mem", default="",
                   help="a virtio-mem device of this size (id vmem0), unplugged at boot")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("qemu_args", nargs="*")
    a = p.parse_args()
    a.reporting = a.reporting == "on"
    a.kvm = kvm_usable(a.kvm_state) if a.accel == "auto" else a.accel == "kvm"
    a.huge = None
    if a.hugepages:
        a.huge = HugePages(mem_mib(a.mem))
        if not a.huge.ok:
            a.huge.close()
            os.makedirs(a.out, exist_ok=True)
            sys.exit(write_verdict(a.out, SKIP, f"verdict: {NAMES[SKIP]}: "
                                   f"{a.test} on {a.label}: {a.huge.why}"))
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
