# SPDX-License-Identifier: GPL-2.0
"""The rig's host channel: the guest's "PH-HOST <seq> <request>" lines and
the host's "<seq> <answer>" replies on the second serial port (see
tests/guest/ph-host), and the QMP client the requests use.

Requests:
  mark LABEL                      record the QEMU process's RSS as LABEL
                                  (and its AnonHugePages and the host's
                                  huge page counters, in events.tsv)
  rss                             the RSS now
  wait-reclaim FROM PEAK FRACTION TIMEOUT
                                  answer once the RSS fell FRACTION of the
                                  way from mark PEAK back to mark FROM
  qmp COMMAND [JSON]              run a QMP command, answer its return
  later SECONDS qmp COMMAND [JSON]
                                  run it after a delay (for a guest that
                                  will be asleep then); answered at once
  console-count REGEX             console lines so far that match
  migrate URI                     migrate the guest to URI (QMP migrate, no
                                  bandwidth limit), resume it when done, and
                                  answer "ok total_ms=N transferred=BYTES
                                  downtime_ms=N passes=N normal=PAGES
                                  duplicate=PAGES downtime_bytes=BYTES" (RAM
                                  sent while the guest was stopped; the
                                  guest is paused at the end, so the
                                  answer waits for the resume); its
                                  progress goes into events
  migrate-restore                 the same to a file, then end this QEMU and
                                  start a new one from the file (-incoming):
                                  the guest goes on in the migrated image,
                                  and the answer comes from there
  stop-watch REGEX                at the first console line that matches,
                                  once: pause the guest, run the stop-qmp
                                  commands, resume it (a look at the
                                  devices at that moment of the guest's
                                  way down)
  stop-qmp COMMAND [JSON]         a QMP command to run there
  down-watch                      the guest's next reboot or power-off,
                                  once: QEMU pauses instead of resetting or
                                  exiting, the rig records QEMU's reason,
                                  resets the machine and resumes it: the
                                  guest boots again
  stopped [N]                     "ok REASON..." of the last watches: "console"
                                  for stop-watch, then QEMU's reason for
                                  down-watch (guest-reset, guest-shutdown);
                                  with N the answer of the Nth stop-qmp
                                  command
"""

import json
import re
import socket
import time

from rig_sampler import host_vmstat


class Qmp:
    """A minimal QMP client for the guest's "qmp" requests (blocking, short)."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""
        self.events = []         # the events QEMU sent, oldest first

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
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(10)
            try:
                sock.connect(self.path)
            except OSError:
                # Not listening yet (a restored QEMU starting): the next
                # request connects again.
                sock.close()
                raise
            self.sock = sock
            self._message()                     # the greeting
            self.execute("qmp_capabilities")
        msg = {"execute": command}
        if arguments is not None:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._message()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise ValueError(reply["error"].get("desc", str(reply["error"])))
            return reply.get("return")

    def close(self):
        if self.sock is not None:
            self.sock.close()


class HostChannel:
    """Answers the guest's requests.  host is the rig: it gives now(),
    event(text), rss (KiB, or None) and lines (the console so far)."""

    def __init__(self, host):
        self.host = host
        self.marks = {}
        self.waits = []          # pending wait-reclaim requests
        self.laters = []         # (time, QMP command, JSON args) to run then
        self.migration = None    # seq of the migrate request under way
        self.restore = False     # ... which continues in a new QEMU
        self.restart = None      # (seq, answer): the rig restarts QEMU
        self.qmp = None
        self.qmp_path = None
        self.watch = None        # stop-watch: (REGEX, [(command, args)])
        self.down = False        # down-watch armed
        self.stopped = None      # the last watches: ([reasons], [answers])
        self.reboot_pending = False  # -no-reboot's action to restore

    def handle(self, line, ctl):
        m = re.search(r"PH-HOST (\S+) (\S+)(.*)", line)
        if not m:
            return
        h = self.host
        seq, cmd, rest = m.group(1), m.group(2), m.group(3).split()
        reply = None
        if cmd == "qmp" and rest:
            reply = self.qmp_request(rest[0], m.group(3).strip()[len(rest[0]):].strip())
        elif cmd == "later" and len(rest) >= 3 and rest[1] == "qmp":
            try:
                when = h.now() + float(rest[0])
            except ValueError:
                self.send(ctl, seq, "error bad delay")
                return
            text = m.group(3).strip()
            args = text[text.index(rest[2]) + len(rest[2]):].strip()
            self.laters.append((when, rest[2], args))
            h.event(f"later {rest[0]}s qmp {rest[2]} {args}")
            reply = "ok scheduled"
        elif cmd == "mark" and rest:
            self.marks[rest[0]] = h.rss
            thp = getattr(h, "anon_huge_kib", lambda: None)()
            h.event(" ".join([f"mark {rest[0]} {h.rss}"] +
                             ([] if thp is None else [str(thp)]) + host_vmstat()))
            reply = f"ok {h.rss}"
        elif cmd == "migrate" and len(rest) == 1 and self.migration is None:
            reply = self.start_migration(seq, rest[0])
        elif cmd == "migrate-restore" and self.migration is None:
            reply = self.start_migration(seq, f"exec:cat >{self.host.image_path()}")
            self.restore = reply is None
        elif cmd == "rss":
            reply = f"ok {h.rss}"
        elif cmd == "faults" and h.faults is not None:
            reply = f"ok {h.faults[0]} {h.faults[1]:.2f}"
        elif cmd == "console-count" and rest:
            # What an earlier kernel printed, for a guest that kexec'ed.
            try:
                rx = re.compile(m.group(3).strip())
                reply = f"ok {sum(1 for x in h.lines if rx.search(x))}"
            except re.error as e:
                reply = f"error bad expression: {e}"
        elif cmd == "stop-watch" and rest:
            reply = self.arm(m.group(3).strip())
        elif cmd == "down-watch":
            reply = self.arm_down()
        elif cmd == "stop-qmp" and rest and self.watch is not None:
            self.watch[1].append((rest[0], m.group(3).strip()[len(rest[0]):].strip()))
            reply = f"ok {len(self.watch[1])}"
        elif cmd == "stopped":
            reply = self.stop_answer(rest)
        elif cmd == "wait-reclaim" and len(rest) == 4:
            frm, peak = self.marks.get(rest[0]), self.marks.get(rest[1])
            if frm is None or peak is None:
                reply = "error unknown mark"
            else:
                goal = peak - float(rest[2]) * (peak - frm)
                self.waits.append((seq, goal, h.now(), h.now() + float(rest[3])))
                h.event(f"wait-reclaim goal={int(goal)} from={frm} peak={peak}")
        else:
            reply = "error bad request"
        if reply is not None:
            self.send(ctl, seq, reply)

    def arm(self, text):
        """stop-watch: pause the guest at a console line matching text."""
        try:
            rx = re.compile(text)
        except re.error as e:
            return f"error bad expression: {e}"
        self.watch, self.stopped = (rx, []), ([], [])
        self.host.event(f"stop-watch {text}")
        return "ok armed"

    def arm_down(self):
        """down-watch: have the guest's reboot or power-off pause QEMU."""
        ret = self.qmp_request("set-action", '{"reboot": "shutdown", "shutdown": "pause"}')
        if not ret.startswith("ok"):
            return ret
        self.qmp.events.clear()
        self.down = True
        if self.stopped is None:
            self.stopped = ([], [])
        self.host.event("down-watch")
        return "ok armed"

    def stop_answer(self, rest):
        """stopped [N]: the reasons of the last watches, or the Nth answer."""
        if self.stopped is None or not self.stopped[0]:
            return "error no stop seen"
        reasons, answers = self.stopped
        if not rest:
            return "ok " + " ".join(reasons)
        try:
            return answers[int(rest[0]) - 1]
        except (ValueError, IndexError):
            return "error no such answer"

    def console(self, line):
        """A console line: the one a stop-watch waits for, or the boot
        after a down-watch?"""
        if self.reboot_pending and "PH-BOOTED" in line:
            self.reboot_pending = False
            self.qmp_request("set-action", '{"reboot": "shutdown"}')
            for e in self.qmp.events:
                self.host.event(f"qmp event {e.get('event')} {json.dumps(e.get('data', {}))}")
        if self.watch is None or not self.watch[0].search(line):
            return
        cmds = self.watch[1]
        self.watch = None
        ret = self.qmp_request("stop", "")
        self.stopped[0].append("console" if ret.startswith("ok") else "not-paused")
        self.stopped[1].extend(self.qmp_request(c, a) for c, a in cmds)
        self.host.event("stopped: console")
        self.qmp_request("cont", "")

    def check_down(self):
        """A reboot or power-off under down-watch: QEMU paused in state
        "shutdown".  Record why, reset the machine and let the guest boot
        again; -no-reboot's actions come back once it has."""
        if not self.down:
            return
        ret = self.qmp_request("query-status", "", log=False)
        if '"status":"shutdown"' not in ret:
            return
        self.down = False
        reason = "unknown"
        for e in self.qmp.events:
            if e.get("event") == "SHUTDOWN":
                reason = e.get("data", {}).get("reason", reason)
        self.stopped[0].append(reason)
        self.host.event(f"down: {reason}")
        # A reset under -no-reboot's action would be one more shutdown.
        self.qmp_request("set-action", '{"reboot": "reset", "shutdown": "poweroff"}')
        self.qmp_request("system_reset", "")
        for _ in range(100):
            if '"status":"shutdown"' not in self.qmp_request("query-status", "", log=False):
                break
            time.sleep(0.05)
        self.qmp_request("cont", "")
        # The firmware may reset the machine once more on its way (SeaBIOS
        # after a reboot): -no-reboot's action comes back once the guest
        # has booted.
        self.reboot_pending = True
        self.host.halted = False

    def start_migration(self, seq, uri):
        """Start migrating; None (answered when done) or an error."""
        for command, args in (
                ("migrate-set-parameters", '{"max-bandwidth": 107374182400}'),
                ("migrate", json.dumps({"uri": uri}))):
            ret = self.qmp_request(command, args)
            if not ret.startswith("ok"):
                return ret
        self.migration = seq
        return None

    def check_migration(self, ctl):
        """Answer the migration once QMP says it is over (resuming the guest)."""
        if self.migration is None:
            return
        try:
            info = self.qmp.execute("query-migrate") or {}
        except (OSError, ValueError) as e:
            info = {"status": "failed", "error-desc": str(e)}
        status = info.get("status")
        ram = info.get("ram", {})
        if status not in ("completed", "failed", "cancelled"):
            # The progress, every sample: how far each pass got (pages
            # skipped by the guest's hints are neither normal nor
            # duplicate).
            if ram:
                self.host.event(
                    f"migration {status} pass={ram.get('dirty-sync-count', 0)} "
                    f"normal={ram.get('normal', 0)} duplicate={ram.get('duplicate', 0)} "
                    f"remaining={ram.get('remaining', 0)} "
                    f"transferred={ram.get('transferred', 0)}")
            return
        seq, self.migration = self.migration, None
        restore, self.restore = self.restore, False
        if status != "completed":
            self.send(ctl, seq, f"error migration {status}: {info.get('error-desc', '')}")
            self.qmp_request("cont", "")
            return
        answer = (f"ok total_ms={info.get('total-time', 0)} "
                  f"transferred={ram.get('transferred', 0)} "
                  f"downtime_ms={info.get('downtime', 0)} "
                  f"passes={ram.get('dirty-sync-count', 0)} "
                  f"normal={ram.get('normal', 0)} "
                  f"duplicate={ram.get('duplicate', 0)} "
                  f"downtime_bytes={ram.get('downtime-bytes', 0)}")
        if restore:
            self.restart = (seq, answer)
            return
        self.qmp_request("cont", "")
        self.send(ctl, seq, answer)

    def restarted(self, qmp_path):
        """A new QEMU took over (from the migrated image): talk to its QMP."""
        if self.qmp is not None:
            self.qmp.close()
        self.qmp, self.qmp_path = None, qmp_path

    def qmp_request(self, command, args, log=True):
        """Run a QMP command for the guest: "ok <JSON return>" or "error ..."."""
        try:
            if self.qmp is None:
                self.qmp = Qmp(self.qmp_path)
            ret = self.qmp.execute(command, json.loads(args) if args else None)
            if log:
                self.host.event(f"qmp {command} {args}")
            return "ok " + json.dumps(ret, separators=(",", ":"))
        except (OSError, ValueError) as e:
            self.host.event(f"qmp {command} {args} failed: {e}")
            return f"error {e}"

    @staticmethod
    def send(ctl, seq, text):
        try:
            ctl.sendall(f"{seq} {text}\n".encode())
        except OSError:
            pass

    def tick(self, ctl):
        """Every sample: answer the waits that are done, run what is due."""
        self.check_waits(ctl)
        self.check_migration(ctl)
        self.check_down()
        now = self.host.now()
        due = [x for x in self.laters if x[0] <= now]
        self.laters = [x for x in self.laters if x[0] > now]
        for _, command, args in due:
            self.qmp_request(command, args)

    def check_waits(self, ctl):
        h, keep = self.host, []
        for seq, goal, start, deadline in self.waits:
            took = h.now() - start
            if h.rss is not None and h.rss <= goal:
                h.event(f"reclaimed goal={int(goal)} after {took:.1f}s")
                self.send(ctl, seq, f"ok {took:.1f}s rss={h.rss}KiB")
            elif h.now() >= deadline:
                h.event(f"reclaim timeout goal={int(goal)} rss={h.rss}")
                self.send(ctl, seq, f"timeout {took:.1f}s rss={h.rss}KiB")
            else:
                keep.append((seq, goal, start, deadline))
        self.waits = keep

    def close(self):
        if self.qmp is not None:
            self.qmp.close()
