#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of the rig's host side: how it classifies a guest run and
answers the guest's requests.  A rig that called a crash a pass would make
every guest test worthless, so this runs first in `make check`."""

import io
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import types
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import ktap  # noqa: E402
import rig  # noqa: E402
import rig_qemu  # noqa: E402
import rig_sampler  # noqa: E402
bench_report = __import__("bench-report")



def scratch_dir(test):
    """A temporary directory, removed when the test case ends."""
    d = tempfile.mkdtemp(prefix="ph-rigtest.")
    test.addCleanup(shutil.rmtree, d, ignore_errors=True)
    return d

class FakeCtl:
    def __init__(self):
        self.sent = []

    def sendall(self, data):
        self.sent.append(data.decode())


def make_rig(tmp):
    args = types.SimpleNamespace(out=tmp, test="t", label="k", timeout=60,
                                 boot_timeout=30, kvm=False, capped=False)
    r = rig.Rig(args)
    r.events = open(os.path.join(tmp, "events.tsv"), "w")
    return r


class Verdicts(unittest.TestCase):
    def setUp(self):
        self.tmp = scratch_dir(self)
        self.r = make_rig(self.tmp)
        self.ctl = FakeCtl()

    def feed(self, *lines):
        for line in lines:
            self.r.console_line(line, self.ctl)

    def test_pass(self):
        self.feed("PH-BOOTED 1.0 k t", "PH-RESULT PASS t")
        self.assertEqual(self.r.verdict(False, 0), rig.PASS)

    def test_fail(self):
        self.feed("PH-BOOTED 1.0 k t", "PH-RESULT FAIL t (exit 1)")
        self.assertEqual(self.r.verdict(False, 0), rig.FAIL)

    def test_skip(self):
        self.feed("PH-RESULT SKIP t")
        self.assertEqual(self.r.verdict(False, 0), rig.SKIP)

    def test_warning_beats_pass(self):
        for bad in ("[    5.1] WARNING: CPU: 1 PID: 1 at mm/page_alloc.c:1 x",
                    "[    5.1] BUG: kernel NULL pointer dereference, address: 8",
                    "[    5.1] Call Trace:",
                    "[    5.1] Oops: 0000 [#1] PREEMPT SMP",
                    "[    5.1] BUG: sleeping function called from invalid context",
                    "PH-DMESG: [ 3.0] WARNING: at x"):
            r = make_rig(self.tmp)
            r.console_line("PH-BOOTED 1.0 k t", self.ctl)
            r.console_line(bad, self.ctl)
            r.console_line("PH-RESULT PASS t", self.ctl)
            self.assertEqual(r.verdict(False, 0), rig.CRASH, bad)

    def test_halted_guest(self):
        """A guest that cannot power off (microvm) halts: the run ends on
        the halt, with the guest's verdict."""
        self.feed("PH-BOOTED 1.0 k t", "PH-RESULT PASS t")
        self.assertFalse(self.r.halted)
        self.feed("[   46.6] reboot: Power off not available: System halted instead")
        self.assertTrue(self.r.halted)
        self.assertEqual(self.r.verdict(False, 0), rig.PASS)

    def test_no_verdict_is_crash(self):
        self.feed("PH-BOOTED 1.0 k t")
        self.assertEqual(self.r.verdict(False, 0), rig.CRASH)

    def test_timeout(self):
        self.feed("PH-BOOTED 1.0 k t")
        self.assertEqual(self.r.verdict(True, None), rig.TIMEOUT)

    def test_timeout_capped_says_so(self):
        self.r.a.capped = True
        self.feed("PH-BOOTED 1.0 k t")
        self.assertEqual(self.r.verdict(True, None), rig.TIMEOUT)
        with open(os.path.join(self.tmp, "verdict")) as f:
            self.assertIn("capped by --deadline", f.read())

    def test_mark_and_wait_reclaim(self):
        self.r.rss = 100
        self.feed("PH-HOST 7 mark before")
        self.r.rss = 1100
        self.feed("PH-HOST 8 mark peak")
        self.assertEqual(self.ctl.sent, ["7 ok 100\n", "8 ok 1100\n"])
        self.feed("PH-HOST 9 wait-reclaim before peak 0.5 60")
        self.r.rss = 700
        self.r.channel.check_waits(self.ctl)
        self.assertEqual(len(self.ctl.sent), 2, "answered before the goal")
        self.r.rss = 600
        self.r.channel.check_waits(self.ctl)
        self.assertTrue(self.ctl.sent[2].startswith("9 ok "), self.ctl.sent)

    def test_wait_reclaim_times_out(self):
        self.r.rss = 100
        self.feed("PH-HOST 1 mark a")
        self.r.rss = 1100
        self.feed("PH-HOST 2 mark b")
        self.feed("PH-HOST 3 wait-reclaim a b 0.5 0")
        self.r.channel.check_waits(self.ctl)
        self.assertTrue(self.ctl.sent[-1].startswith("3 timeout "), self.ctl.sent)

    def test_console_count(self):
        self.feed("[ 1.0] pagehint: reporting stopped: system restart",
                  "kexec_core: Starting new kernel", "PH-BOOTED 0.5 k t")
        self.feed("PH-HOST 7 console-count reporting stopped.*restart")
        self.feed("PH-HOST 8 console-count ^nothing$")
        self.feed("PH-HOST 9 console-count (")
        self.assertEqual(self.ctl.sent[0], "7 ok 1\n")
        self.assertEqual(self.ctl.sent[1], "8 ok 0\n")
        self.assertTrue(self.ctl.sent[2].startswith("9 error bad expression"))

    def test_bad_request(self):
        self.feed("PH-HOST 4 wait-reclaim nosuch mark 0.5 1")
        self.assertEqual(self.ctl.sent, ["4 error unknown mark\n"])


class QmpRequests(unittest.TestCase):
    """The guest's "qmp" requests reach a QMP server and come back."""

    def serve(self, path):
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)

        def run():
            c, _ = srv.accept()
            f = c.makefile("rwb")
            f.write(b'{"QMP": {"version": {}, "capabilities": []}}\n')
            f.flush()
            for line in f:
                msg = json.loads(line)
                if msg["execute"] == "qmp_capabilities":
                    out = {"return": {}}
                elif msg["execute"] == "qom-get":
                    f.write(b'{"event": "BALLOON_CHANGE", "data": {}}\n')
                    out = {"return": {"stats": {"stat-free-memory": 5}}}
                elif msg["execute"] in ("migrate-set-parameters", "migrate"):
                    self.calls.append(msg["execute"])
                    if msg["execute"] == "migrate":
                        self.uris.append(msg["arguments"]["uri"])
                    out = {"return": {}}
                elif msg["execute"] == "query-migrate":
                    self.polls += 1
                    out = {"return": {"status": "active", "ram": {
                        "dirty-sync-count": 1, "normal": 10, "duplicate": 2,
                        "remaining": 30, "transferred": 40}}} if self.polls < 3 else \
                        {"return": {"status": "completed", "total-time": 1234,
                                    "downtime": 56, "ram": {
                                        "transferred": 789, "dirty-sync-count": 3,
                                        "normal": 150, "duplicate": 20,
                                        "downtime-bytes": 4096}}}
                elif msg["execute"] in ("cont", "stop", "system_reset", "set-action"):
                    self.calls.append(msg["execute"])
                    if msg["execute"] == "set-action":
                        self.actions.append(msg["arguments"])
                    if msg["execute"] == "system_reset":
                        self.status = "prelaunch"
                    out = {"return": {}}
                elif msg["execute"] == "query-status":
                    self.polls += 1
                    if self.polls == 3:
                        self.status = "shutdown"
                        f.write(b'{"event": "SHUTDOWN", "data": {"guest": true, '
                                b'"reason": "guest-reset"}}\n')
                    out = {"return": {"status": self.status,
                                      "running": self.status == "running"}}
                elif msg["execute"] == "x-query-virtio-status":
                    self.calls.append("x-query-virtio-status")
                    out = {"return": {"status": {"statuses": []}}}
                else:
                    out = {"error": {"class": "GenericError", "desc": "no such command"}}
                f.write(json.dumps(out).encode() + b"\n")
                f.flush()
            c.close()
            srv.close()

        threading.Thread(target=run, daemon=True).start()

    def setUp(self):
        self.calls, self.polls, self.uris, self.actions = [], 0, [], []
        self.status = "running"

    def rig_with_qmp(self):
        """A rig whose QMP socket is this class's fake server."""
        tmp = scratch_dir(self)
        r = make_rig(tmp)
        r.channel.qmp_path = os.path.join(tmp, "qmp.sock")
        self.serve(r.channel.qmp_path)
        return r, tmp, FakeCtl()

    def migrate(self, request):
        """Send a migrate request, let the rig poll QMP five times."""
        r, tmp, ctl = self.rig_with_qmp()
        r.console_line(request, ctl)
        for _ in range(5):
            r.channel.tick(ctl)
        r.channel.qmp.close()
        return r, tmp, ctl

    def test_migrate(self):
        """migrate: answered once query-migrate says completed, after cont."""
        r, _, ctl = self.migrate("PH-HOST 7 migrate exec:cat>/dev/null")
        self.assertEqual(self.calls, ["migrate-set-parameters", "migrate", "cont"])
        with open(os.path.join(r.out, "events.tsv")) as f:
            self.assertIn("migration active pass=1 normal=10 duplicate=2 "
                          "remaining=30 transferred=40", f.read())
        self.assertEqual(ctl.sent, ["7 ok total_ms=1234 transferred=789 downtime_ms=56 passes=3 normal=150 duplicate=20 downtime_bytes=4096\n"])

    def test_migrate_restore(self):
        """migrate-restore: into the run's image file; once completed the
        rig is asked to restart QEMU (no cont, no answer yet)."""
        r, tmp, ctl = self.migrate("PH-HOST 8 migrate-restore")
        self.assertEqual(self.calls, ["migrate-set-parameters", "migrate"])
        self.assertEqual(self.uris, [f"exec:cat >{os.path.join(tmp, 'migration.img')}"])
        self.assertEqual(ctl.sent, [])
        self.assertEqual(r.channel.restart,
                         ("8", "ok total_ms=1234 transferred=789 downtime_ms=56 "
                          "passes=3 normal=150 duplicate=20 downtime_bytes=4096"))

    def test_stop_watch_then_reboot(self):
        """stop-watch: the guest paused at the console line, looked at,
        resumed, once; down-watch: QEMU paused at the guest's reboot, the
        machine reset and resumed, -no-reboot's action back at the next
        boot; stopped gives both reasons and the answers."""
        r, _, ctl = self.rig_with_qmp()
        r.console_line("PH-HOST 1 stopped", ctl)
        r.console_line("PH-HOST 2 stop-watch pagehint.*device reset", ctl)
        r.console_line('PH-HOST 3 stop-qmp x-query-virtio-status {"path": "/b"}', ctl)
        r.console_line("PH-HOST 4 down-watch", ctl)
        r.console_line("[ 9.0] pagehint virtio0: reporting stopped, device reset: x", ctl)
        r.console_line("[ 9.0] pagehint virtio0: reporting stopped, device reset: x", ctl)
        r.console_line("[ 9.1] reboot: Restarting system", ctl)
        for _ in range(4):
            r.channel.tick(ctl)
        r.console_line("PH-BOOTED 1.0 k t", ctl)
        r.console_line("PH-HOST 5 stopped", ctl)
        r.console_line("PH-HOST 6 stopped 1", ctl)
        r.console_line("PH-HOST 7 stopped 2", ctl)
        r.channel.qmp.close()
        self.assertEqual(ctl.sent, ["1 error no stop seen\n", "2 ok armed\n", "3 ok 1\n",
                                    "4 ok armed\n", "5 ok console guest-reset\n",
                                    '6 ok {"status":{"statuses":[]}}\n',
                                    "7 error no such answer\n"])
        self.assertEqual(self.calls, ["set-action", "stop", "x-query-virtio-status", "cont",
                                      "set-action", "system_reset", "cont", "set-action"])
        self.assertEqual(self.actions[0], {"reboot": "shutdown", "shutdown": "pause"})
        self.assertEqual(self.actions[1], {"reboot": "reset", "shutdown": "poweroff"})
        self.assertEqual(self.actions[-1], {"reboot": "shutdown"})
        self.assertFalse(r.halted)
        self.assertIsNone(r.channel.watch)
        self.assertFalse(r.channel.down)

    def test_stop_watch_alone(self):
        """stop-watch without down-watch (a kexec): QEMU's actions are left
        as they are."""
        r, _, ctl = self.rig_with_qmp()
        r.console_line("PH-HOST 1 stop-watch Starting new kernel", ctl)
        r.console_line("PH-HOST 2 stop-qmp x-query-virtio-status", ctl)
        r.console_line("[ 9.0] kexec_core: Starting new kernel", ctl)
        r.console_line("PH-HOST 3 stopped", ctl)
        r.channel.qmp.close()
        self.assertEqual(self.calls, ["stop", "x-query-virtio-status", "cont"])
        self.assertEqual(ctl.sent[-1], "3 ok console\n")

    def test_qmp_roundtrip(self):
        r, _, ctl = self.rig_with_qmp()
        r.console_line('PH-HOST 5 qmp qom-get {"path": "/x", "property": "guest-stats"}', ctl)
        r.console_line("PH-HOST 6 qmp nosuch", ctl)
        r.channel.qmp.close()
        self.assertEqual(ctl.sent[0], '5 ok {"stats":{"stat-free-memory":5}}\n')
        self.assertTrue(ctl.sent[1].startswith("6 error no such command"), ctl.sent)

    def test_qmp_socket_late(self):
        """A QEMU not listening yet (a restored one starting): the request
        fails, and the next one, once it listens, gets through."""
        tmp = scratch_dir(self)
        r = make_rig(tmp)
        r.channel.qmp_path = os.path.join(tmp, "qmp.sock")
        ctl = FakeCtl()
        r.console_line("PH-HOST 5 qmp query-status", ctl)
        self.serve(r.channel.qmp_path)
        r.console_line("PH-HOST 6 qmp query-status", ctl)
        r.channel.qmp.close()
        self.assertTrue(ctl.sent[0].startswith("5 error "), ctl.sent)
        self.assertEqual(ctl.sent[1], '6 ok {"status":"running","running":true}\n')


def fake_qemu_args(test, **over):
    """Arguments for rig.run_with_fallback with the stand-in QEMU
    (tests/rig/fake-qemu), in a scratch directory; @over replaces some."""
    tmp = scratch_dir(test)
    a = types.SimpleNamespace(
        qemu=os.path.join(os.path.dirname(__file__), "fake-qemu"),
        kernel="/dev/null", initrd="/dev/null", test="t", label="k",
        out=tmp, timeout=30, boot_timeout=20, mem="64M", smp=1,
        reporting=True, balloon_opts="", append="", datadir=[],
        accel="auto", kvm=True, kvm_state=os.path.join(tmp, "kvm-broken"),
        huge=None, verbose=False, qemu_args=[])
    vars(a).update(over)
    return a


class KvmFallback(unittest.TestCase):
    """A KVM that can create a VM but not run the guest: the rig sees QEMU
    die or the guest stay silent before its init, records it, and runs the
    test again under TCG (with a stand-in QEMU, tests/rig/fake-qemu)."""

    def run_rig(self, mode):
        os.environ["FAKE_QEMU_KVM"] = mode
        a = fake_qemu_args(self)
        return a, rig.run_with_fallback(a)

    def test_abort(self):
        a, v = self.run_rig("abort")
        self.assertEqual(v, rig.PASS)
        self.assertFalse(a.kvm)
        with open(a.kvm_state) as f:
            self.assertIn("QEMU exited (-6) before the guest's init", f.read())
        self.assertFalse(rig.kvm_usable(a.kvm_state))
        with open(os.path.join(a.out, "verdict")) as f:
            self.assertIn("tcg)", f.read())

    def test_silent(self):
        saved = rig_qemu.KVM_SILENT_S
        rig_qemu.KVM_SILENT_S = 1
        try:
            a, v = self.run_rig("silent")
        finally:
            rig_qemu.KVM_SILENT_S = saved
        self.assertEqual(v, rig.PASS)
        with open(a.kvm_state) as f:
            self.assertIn("no console output in 1 s", f.read())

    def test_working_kvm(self):
        a, v = self.run_rig("ok")
        self.assertEqual(v, rig.PASS)
        self.assertTrue(a.kvm)
        self.assertFalse(os.path.exists(a.kvm_state))


class TimerStall(unittest.TestCase):
    """A TCG run whose RCU reports a stall with every stalled CPU idle and
    the grace-period kthread's timer not fired runs once more; a stall with
    a CPU busy is a crash (tests/rig/fake-qemu)."""

    def run_rig(self, mode):
        a = fake_qemu_args(self, accel="tcg", kvm=False, kvm_state="")
        os.environ["FAKE_QEMU_TCG"] = mode
        os.environ["FAKE_QEMU_STATE"] = os.path.join(a.out, "stalled-once")
        self.addCleanup(os.environ.pop, "FAKE_QEMU_TCG")
        self.addCleanup(os.environ.pop, "FAKE_QEMU_STATE")
        return a, rig.run_with_fallback(a)

    def test_idle_stall_runs_again(self):
        a, v = self.run_rig("stall-idle")
        self.assertEqual(v, rig.PASS)
        with open(os.path.join(a.out, "console-timer-stall.log")) as f:
            self.assertIn("idling at", f.read())

    def test_busy_stall_is_a_crash(self):
        a, v = self.run_rig("stall-busy")
        self.assertEqual(v, rig.CRASH)
        self.assertFalse(os.path.exists(os.path.join(a.out, "console-timer-stall.log")))

    def test_only_after_nothing_else(self):
        d = scratch_dir(self)
        with open(os.path.join(d, "console.log"), "w") as f:
            f.write("WARNING: CPU: 1 PID: 40 at mm/page_alloc.c:1 x\n"
                    "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
                    "NMI backtrace for cpu 0 skipped: idling at x\n"
                    "rcu: rcu_preempt kthread timer wakeup didn't happen for 5 jiffies!\n")
        self.assertEqual(rig.timer_stall(d), "")


KTAP_SUITE = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..4
        KTAP version 1
        # Subtest: p
        ok 1 order 0
        not ok 2 order 1
        ok 3 order 2 # SKIP no block
    # p: pass:1 fail:1 skip:1 total:3
    not ok 1 p
    ok 2 plain
    not ok 3 broken
    # module: pagehint_test
# s: pass:1 fail:2 skip:0 total:3
not ok 1 s
"""


class Machines(unittest.TestCase):
    """QEMU's command line for each --machine: the devices and channels
    the guest's init and ph-host expect."""

    def cmd(self, machine, memfd=False, hint=False):
        a = types.SimpleNamespace(
            qemu="qemu", kernel="k", initrd="i", test="t", mem="2G", smp=2,
            reporting=True, balloon_opts="", append="", datadir=[], kvm=False,
            huge=None, memfd=memfd, free_page_hint=hint, qemu_args=[], machine=machine,
            virtio_mem="")
        return rig_qemu.qemu_cmd(a, "/s/con", "/s/ctl", "/s/qmp")

    def test_memfd(self):
        c = " ".join(self.cmd("q35", memfd=True))
        self.assertIn("-object memory-backend-memfd,id=ram0,size=2G,share=on", c)
        self.assertIn("-machine memory-backend=ram0", c)
        self.assertNotIn("memfd", " ".join(self.cmd("q35")))

    def test_free_page_hint(self):
        c = " ".join(self.cmd("q35", hint=True))
        self.assertIn("free-page-reporting=on,free-page-hint=on,iothread=iothread0", c)
        self.assertIn("-object iothread,id=iothread0", c)

    def test_q35(self):
        c = " ".join(self.cmd("q35"))
        self.assertIn("-machine q35", c)
        self.assertIn("virtio-balloon-pci,id=balloon0,bus=rp1,free-page-reporting=on", c)
        self.assertIn("-serial chardev:con -serial chardev:ctl", c)
        self.assertNotIn("ph.hostdev", c)

    def test_microvm(self):
        c = " ".join(self.cmd("microvm"))
        self.assertIn("-machine microvm,acpi=off", c)
        self.assertIn("virtio-balloon-device,id=balloon0,free-page-reporting=on", c)
        self.assertIn("virtconsole,chardev=ctl", c)
        self.assertIn("ph.hostdev=hvc0 ph.off=reboot reboot=t", c)
        self.assertNotIn("pcie", c)
        self.assertEqual(self.cmd("microvm").count("-serial"), 1)


class Pinning(unittest.TestCase):
    """--pin: the vCPU threads on all host CPUs but the last, every other
    thread of QEMU on the last; a thread started later by the main thread
    inherits the last."""

    CHILD = r"""
import os, sys, threading, time
def vcpu(n):
    with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as f:
        f.write(f"CPU {n}/TCG")
    time.sleep(60)
for n in range(int(sys.argv[1])):
    threading.Thread(target=vcpu, args=(n,), daemon=True).start()
sys.stdin.readline()
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print(threading.get_native_id(), flush=True)
time.sleep(60)
"""

    def test_sets(self):
        self.assertIsNone(rig_qemu.pin_sets(1))
        self.assertEqual(rig_qemu.pin_sets(2), ({0}, {1}))
        self.assertEqual(rig_qemu.pin_sets(4), ({0, 1, 2}, {3}))

    def child(self, nvcpus):
        """The stand-in QEMU with nvcpus vCPU threads, killed at the end."""
        if (os.cpu_count() or 1) < 2:
            self.skipTest("one host CPU")
        import subprocess
        p = subprocess.Popen([sys.executable, "-c", self.CHILD, str(nvcpus)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        return p

    def test_pin(self):
        p = self.child(2)
        log = io.StringIO()
        self.assertIsNone(rig_qemu.pin_threads(p.pid, 2, 2, log, wait_s=10))
        vcpus, rest = rig_qemu.pin_sets(2)
        names = {}
        for tid in os.listdir(f"/proc/{p.pid}/task"):
            with open(f"/proc/{p.pid}/task/{tid}/comm") as f:
                names[int(tid)] = f.read().strip()
        self.assertEqual(sorted(n for n in names.values() if n.startswith("CPU ")),
                         ["CPU 0/TCG", "CPU 1/TCG"])
        for tid, comm in names.items():
            want = vcpus if comm.startswith("CPU ") else rest
            self.assertEqual(os.sched_getaffinity(tid), want, comm)
        self.assertEqual(len(log.getvalue().splitlines()), len(names))
        # A thread the main thread starts now: on the main thread's CPUs.
        p.stdin.write("\n")
        p.stdin.flush()
        p.stdout.readline()
        for tid in os.listdir(f"/proc/{p.pid}/task"):
            if int(tid) not in names:
                self.assertEqual(os.sched_getaffinity(int(tid)), rest)

    def test_too_few_vcpus(self):
        """QEMU that never starts as many vCPU threads as asked: an error."""
        p = self.child(1)
        why = rig_qemu.pin_threads(p.pid, 2, 2, io.StringIO(), wait_s=1)
        self.assertIn("1 of 2 vCPU threads", why)

    def test_cmd_names_threads(self):
        a = types.SimpleNamespace(
            qemu="qemu", kernel="k", initrd="i", test="t", mem="2G", smp=2,
            reporting=True, balloon_opts="", append="", datadir=[], kvm=False,
            huge=None, qemu_args=[], pin=True)
        self.assertIn("pagehint,debug-threads=on",
                      rig_qemu.qemu_cmd(a, "/s/con", "/s/ctl", "/s/qmp"))


class Sampling(unittest.TestCase):
    """faults_cpu() reads minor faults and CPU time from /proc/PID/stat."""

    def test_own_process(self):
        before = rig.faults_cpu(os.getpid())
        self.assertIsNotNone(before)
        buf = bytearray(16 << 20)  # fault in 16 MiB
        for i in range(0, len(buf), 4096):
            buf[i] = 1
        t = time.process_time()
        while time.process_time() - t < 0.2:
            pass
        after = rig.faults_cpu(os.getpid())
        self.assertGreaterEqual(after[0] - before[0], 1000)
        self.assertGreater(after[1], before[1])

    def test_gone(self):
        self.assertIsNone(rig.faults_cpu(2 ** 22 + 12345))
        self.assertIsNone(rig.anon_huge_kib(2 ** 22 + 12345))

    def test_anon_huge(self):
        """AnonHugePages of smaps_rollup, which every process has."""
        self.assertGreaterEqual(rig.anon_huge_kib(os.getpid()), 0)


class BenchReport(unittest.TestCase):
    """bench-report.py's reclaim figures on a made-up run: RSS goes from
    1000 MiB to 2024 MiB, then falls linearly to 1024 MiB over 10 s."""

    def test_reclaim(self):
        mib = 1024
        rss = []
        for i in range(300):
            t = i / 10
            if t < 5:
                r = 1000 * mib
            elif t < 10:
                r = 2024 * mib
            elif t < 20:
                r = int((2024 - (t - 10) * 100) * mib)
            else:
                r = 1024 * mib
            rss.append((t, r, i * 10, t / 10))
        marks = {"bulk-before": (1.0, 1000 * mib), "bulk-peak": (9.0, 2024 * mib),
                 "bulk-freed": (10.0, 2024 * mib), "bulk-end": (29.0, 1024 * mib)}
        m = bench_report.reclaim(rss, marks, "bulk", 1024 * mib)
        self.assertAlmostEqual(m["reclaimed_mib"], 1000)
        self.assertAlmostEqual(m["reclaimed_pct"], 1000 / 1024 * 100)
        self.assertAlmostEqual(m["t50_s"], 5.0, delta=0.11)
        self.assertAlmostEqual(m["t90_s"], 9.0, delta=0.11)
        self.assertAlmostEqual(m["host_cpu_s"], 1.9, delta=0.01)
        self.assertAlmostEqual(bench_report.mean_rss(rss, 20, 29), 1024)

    def test_marks_with_huge_pages(self):
        """A mark's fifth column is QEMU's AnonHugePages then; older runs
        have four."""
        d = scratch_dir(self)
        with open(os.path.join(d, "rss.tsv"), "w") as f:
            f.write("t_s\trss_kib\tminflt\tcpu_s\n0.00\t1000\t0\t0.00\n")
        with open(os.path.join(d, "events.tsv"), "w") as f:
            f.write("1.00\tmark frag-peak 3000 2048\n2.00\tmark frag-end 1000\n")
        with open(os.path.join(d, "console.log"), "w") as f:
            f.write("PH-BENCH config pagehint ncpu=2 memtotal_kib=2000000\n")
        rss, marks, bench = bench_report.load_run(d)
        self.assertEqual(marks["frag-peak"], (1.0, 3000))
        self.assertEqual(marks["frag-end"], (2.0, 1000))
        self.assertEqual(bench["thp"], {"frag-peak": 2048})
        shutil.rmtree(d)

    def test_marks_with_host_vmstat(self):
        """The host's counters after the mark's columns, with or without
        AnonHugePages before them."""
        d = scratch_dir(self)
        with open(os.path.join(d, "rss.tsv"), "w") as f:
            f.write("t_s\trss_kib\tminflt\tcpu_s\n0.00\t1000\t0\t0.00\n")
        with open(os.path.join(d, "events.tsv"), "w") as f:
            f.write("1.00\tmark a 3000 2048 thp_fault_alloc=5 thp_split_pmd=1\n"
                    "2.00\tmark b 1000 thp_fault_alloc=9 thp_split_pmd=4\n")
        with open(os.path.join(d, "console.log"), "w") as f:
            f.write("")
        _, marks, bench = bench_report.load_run(d)
        self.assertEqual(marks["b"], (2.0, 1000))
        self.assertEqual(bench["thp"], {"a": 2048})
        self.assertEqual(bench["host"]["a"], {"thp_fault_alloc": 5, "thp_split_pmd": 1})
        self.assertEqual(bench["host"]["b"], {"thp_fault_alloc": 9, "thp_split_pmd": 4})
        shutil.rmtree(d)

    def test_host_vmstat(self):
        d = scratch_dir(self)
        path = os.path.join(d, "vmstat")
        with open(path, "w") as f:
            f.write("nr_free_pages 5\nthp_fault_alloc 12\nthp_split_pmd 3\n")
        self.assertEqual(rig_sampler.host_vmstat(path),
                         ["thp_fault_alloc=12", "thp_split_pmd=3"])
        self.assertEqual(rig_sampler.host_vmstat(os.path.join(d, "none")), [])
        shutil.rmtree(d)

    def test_given_back(self):
        """The RSS falls summed, the rises left out: down 100 MiB, up 100,
        down 50 -> 150 MiB given back."""
        mib = 1024
        levels = [1000, 900, 900, 1000, 950, 950]
        rss = [(float(i), r * mib, 0, 0.0) for i, r in enumerate(levels)]
        self.assertEqual(bench_report.given_back_kib(rss, 0, 5), 150 * mib)
        self.assertEqual(bench_report.given_back_kib(rss, 2, 3), 0)

    def test_churn_baseline(self):
        """Faults per GiB given back count what is beyond the median of
        the "none" runs' faults."""
        def met(faults, back):
            m = {}
            for ph in ("fast", "slow"):
                m[f"churn-{ph} host_faults"] = faults
                m[f"churn-{ph} given_back_gib"] = back
            return (1, m, None, None)
        runs = {"none": [met(100, 0), met(300, 0), met(200, 0)],
                "upstream": [met(600, 2.0)], "pagehint": [met(150, 0.5), met(250, 0.001)]}
        bench_report.churn_baseline(runs)
        self.assertEqual(runs["upstream"][0][1]["churn-slow faults_per_gib"], 200)
        self.assertEqual(runs["pagehint"][0][1]["churn-fast faults_per_gib"], 0)
        self.assertIsNone(runs["pagehint"][1][1]["churn-fast faults_per_gib"])
        self.assertIsNone(runs["none"][0][1]["churn-fast faults_per_gib"])

    def test_no_reclaim(self):
        rss = [(i / 10, 2000 * 1024, 0, 0.0) for i in range(100)]
        marks = {"bulk-peak": (1.0, 2000 * 1024), "bulk-freed": (2.0, 2000 * 1024),
                 "bulk-end": (9.0, 2000 * 1024)}
        m = bench_report.reclaim(rss, marks, "bulk", 1024 * 1024)
        self.assertEqual(m["reclaimed_mib"], 0)
        self.assertIsNone(m["t50_s"])
        self.assertIsNone(m["host_cpu_s_per_gib"])


class Ktap(unittest.TestCase):
    """scripts/ktap.py turns the guest's KTAP into the counts of make check."""

    def test_leaves(self):
        leaves = ktap.parse(KTAP_SUITE.splitlines(), "kunit")
        self.assertEqual(leaves, [
            ("ok", "kunit: s.p.order 0", ""),
            ("FAIL", "kunit: s.p.order 1", ""),
            ("skip", "kunit: s.p.order 2", "no block"),
            ("ok", "kunit: s.plain", ""),
            ("FAIL", "kunit: s.broken", ""),
            # The plan said 4; the suite reported 3: a crash is a failure.
            ("FAIL", "kunit: s.#4", "never reported"),
        ])

    def test_nothing(self):
        self.assertEqual(ktap.parse(["random", "console"], "kunit"), [])

    def test_expected_cases(self):
        """What the sources register must all have reported."""
        d = scratch_dir(self)
        with open(os.path.join(d, "s_test.c"), "w") as f:
            f.write(KUNIT_SOURCE)
        want = ktap.expected(d)
        self.assertEqual(want, {"s": ["p", "plain", "broken", "lost"], "t": []})
        leaves = ktap.parse(KTAP_SUITE.splitlines(), "kunit")
        self.assertEqual(ktap.missing(leaves, want, "kunit"), [
            ("FAIL", "kunit: s.lost", "never ran"),
            ("FAIL", "kunit: t", "registers no case"),
        ])


KUNIT_SOURCE = """
static struct kunit_case s_cases[] = {
\tKUNIT_CASE_PARAM(p, gen),
\tKUNIT_CASE(plain),
\tKUNIT_CASE(broken),
\tKUNIT_CASE_SLOW(lost),
\t{}
};

static struct kunit_suite s_suite = {
\t.name = "s",
\t.test_cases = s_cases,
};

static struct kunit_suite t_suite = {
\t.name = "t",
\t.test_cases = t_cases,
};

static struct kunit_suite unused_suite = {
\t.name = "unused",
\t.test_cases = s_cases,
};

kunit_test_suites(&s_suite, &t_suite);
"""


if __name__ == "__main__":
    unittest.main(verbosity=1)
