# SPDX-License-Identifier: GPL-2.0
"""The rig's QEMU: its command line, the process and its two serial
channels (console and host channel, unix sockets QEMU connects to), the
huge pages behind guest RAM (--hugepages), and whether KVM can run the
guest here."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

KVM_SILENT_S = 20        # under KVM, a guest silent this long is not running
KVM_INIT_S = 60          # ... and one not in its init by then is not either
PIN_WAIT_S = 30          # --pin: how long QEMU has to start its vCPU threads

# A vCPU thread's name under -name ...,debug-threads=on: "CPU 0/TCG",
# "CPU 1/KVM".
VCPU_COMM_RE = re.compile(r"^CPU \d+/")


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


def kvm_failure(t, console_bytes, qerr_path, rc):
    """Why KVM cannot run this guest, or None; asked only under KVM, before
    the guest's init has started and while no crash is on the console.  A
    working KVM prints within seconds and boots to init well within a
    minute.  Nested KVM fails in more than one way: QEMU aborts (an MSR it
    cannot set), reports an internal error, or runs without the guest ever
    printing.  rc is QEMU's exit status, or None while it runs."""
    err = ""
    try:
        # Polled while the guest boots: read QEMU's errors only once it
        # has written some.
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


def qemu_cmd(a, con_path, ctl_path, qmp_path):
    """QEMU's command line for the rig's options a.

    --machine q35 (the default): virtio-pci, the balloon on a hot-pluggable
    PCIe root port, the host channel on the second serial port.
    --machine microvm: virtio-mmio (as Firecracker and Cloud Hypervisor's
    guests have it), no PCI, no ACPI (QEMU then names the transports on the
    kernel command line), one serial port, so the host channel is a virtio
    console (the guest's hvc0, ph.hostdev=hvc0)."""
    microvm = getattr(a, "machine", "q35") == "microvm"
    # Under TCG, "rep stosb" and "rep movsb" run a byte per iteration: a
    # guest that sees ERMS or FSRM zeroes its pages (clear_page_erms, for
    # every allocation under init_on_alloc) and copies a byte at a time,
    # and spends most of a test doing so.  Without them the kernel clears
    # and copies with 8-byte string operations: a 1 GiB touch runs 3 times
    # faster, a claim's zeroing 6 times.  What the guest's kernel does
    # with its memory is the same either way.
    accel = ["-accel", "kvm", "-cpu", "host"] if a.kvm else \
        ["-accel", "tcg,tb-size=256", "-cpu", "max,-erms,-fsrm"]
    if microvm:
        balloon = "virtio-balloon-device,id=balloon0"
    else:
        balloon = "virtio-balloon-pci,id=balloon0,bus=rp1"
    balloon += ",free-page-reporting=" + ("on" if a.reporting else "off")
    iothread = []
    if getattr(a, "free_page_hint", False):
        # QEMU serves free page hinting from an iothread.
        balloon += ",free-page-hint=on,iothread=iothread0"
        iothread = ["-object", "iothread,id=iothread0"]
    if a.balloon_opts:
        balloon += "," + a.balloon_opts
    append = ("console=ttyS0 panic=-1 loglevel=7 printk.devkmsg=on "
              f"ph.test={a.test} {a.append}").strip()
    if microvm:
        # No ACPI, so no power-off: the guest reboots at the end, by a
        # triple fault (reboot=t), which QEMU's -no-reboot turns into an
        # exit; the default way re-enters the firmware, which boots again.
        append += " ph.hostdev=hvc0 ph.off=reboot reboot=t"
    datadirs = []
    for d in a.datadir:
        datadirs += ["-L", d]
    mem = a.mem
    vmem = []
    if getattr(a, "virtio_mem", None):
        # Memory hotplug: a virtio-mem device (id vmem0) of that size,
        # nothing plugged at boot; the guest onlines what is plugged as
        # movable memory, so that it can be unplugged again.
        mem += f",maxmem={mem_mib(a.mem) + mem_mib(a.virtio_mem)}M"
        vmem = ["-object", f"memory-backend-ram,id=vmem0m,size={a.virtio_mem}",
                "-device", "virtio-mem-pci,id=vmem0,memdev=vmem0m,requested-size=0"]
        append += " memhp_default_state=online_movable"
    if microvm:
        machine = ["-machine", "microvm,acpi=off"]
        channels = ["-serial", "chardev:con",
                    "-device", "virtio-serial-device,id=vser0",
                    "-device", "virtconsole,chardev=ctl,bus=vser0.0"]
        buses = []
    else:
        machine = ["-machine", "q35"]
        channels = ["-serial", "chardev:con", "-serial", "chardev:ctl"]
        buses = ["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1"]
    cmd = [a.qemu, "-nodefaults", "-nographic", "-no-reboot", *datadirs,
           *machine, *accel,
           "-smp", str(a.smp), "-m", mem, *vmem,
           "-kernel", a.kernel, "-initrd", a.initrd, "-append", append,
           "-chardev", f"socket,id=con,path={con_path}",
           "-chardev", f"socket,id=ctl,path={ctl_path}",
           *channels,
           "-qmp", f"unix:{qmp_path},server=on,wait=off",
           *iothread, *buses, "-device", balloon]
    if getattr(a, "disk", None):
        # A disk that reads zeros and stores nothing: what the guest reads
        # from it exists only in the guest's page cache.
        cmd += ["-drive", f"if=none,id=disk0,driver=null-co,read-zeroes=on,size={a.disk}",
                "-device", "virtio-blk-device,drive=disk0" if microvm
                else "virtio-blk-pci,drive=disk0"]
    if getattr(a, "incoming", None):
        # The guest's migrated image (the rig's migrate-restore).
        cmd += ["-incoming", f"exec:cat {a.incoming}"]
    if getattr(a, "huge", None) is not None:
        cmd += a.huge.qemu_args(a.mem)
    elif getattr(a, "memfd", False):
        # Guest RAM in a memfd (shmem), shared as vhost-user backends need
        # it: QEMU discards by punching holes, and shmem has no shared zero
        # page, so a read of a discarded page allocates it again.
        cmd += ["-object", f"memory-backend-memfd,id=ram0,size={a.mem},share=on",
                "-machine", "memory-backend=ram0"]
    if getattr(a, "pin", False):
        # Thread names, so that the vCPU threads can be told apart.
        cmd += ["-name", "pagehint,debug-threads=on"]
    return cmd + a.qemu_args


def pin_sets(ncpus):
    """--pin's host CPUs: the vCPU threads on all but the last, QEMU's
    other threads (its main loop, the iothread, the migration thread it
    starts later) on the last; None with fewer than 2."""
    if ncpus < 2:
        return None
    return set(range(ncpus - 1)), {ncpus - 1}


def pin_threads(pid, nvcpus, ncpus, log, wait_s=PIN_WAIT_S):
    """Put QEMU's vCPU threads on their own host CPUs and every other
    thread of QEMU on the rest (pin_sets).  A thread QEMU starts later
    inherits the affinity of the thread that starts it: the migration
    thread, started by the main loop, gets the main loop's.  Each thread
    pinned is written to log ("tid name cpus").  Returns None, or why the
    threads could not be pinned."""
    sets = pin_sets(ncpus)
    if sets is None:
        return f"--pin needs 2 host CPUs, this host has {ncpus}"
    vcpu_set, rest = sets
    task = f"/proc/{pid}/task"
    end = time.monotonic() + wait_s
    while True:
        vcpus, others = [], []
        try:
            for tid in os.listdir(task):
                with open(f"{task}/{tid}/comm") as f:
                    comm = f.read().strip()
                (vcpus if VCPU_COMM_RE.match(comm) else others).append((int(tid), comm))
        except OSError:
            return "QEMU exited before its vCPU threads could be pinned"
        if len(vcpus) >= nvcpus:
            break
        if time.monotonic() > end:
            return f"QEMU started {len(vcpus)} of {nvcpus} vCPU threads in {wait_s} s"
        time.sleep(0.05)
    for tids, cpus in ((others, rest), (vcpus, vcpu_set)):
        for tid, comm in tids:
            os.sched_setaffinity(tid, cpus)
            print(tid, comm, ",".join(map(str, sorted(cpus))), file=log)
    return None


class Qemu:
    """The QEMU process and its two serial channels.  start() returns None,
    or why QEMU did not come up (then it has exited); con and ctl are then
    the console's and the host channel's sockets, non-blocking."""

    def __init__(self, a, out, name="qemu"):
        self.a, self.out, self.name = a, out, name
        # Sockets live in a short private directory: a unix socket path is
        # limited to 107 bytes, and QEMU's option syntax reserves ",".
        self.sockdir = tempfile.mkdtemp(prefix="pagehint-rig.")
        self.qmp_path = os.path.join(self.sockdir, "qmp.sock")
        self.qerr_path = os.path.join(out, f"{name}.stderr")
        self.proc = None
        self.con = self.ctl = None

    def start(self):
        paths = [os.path.join(self.sockdir, n) for n in ("con.sock", "ctl.sock")]
        with open(os.path.join(self.out, "qmp.path"), "w") as f:
            f.write(self.qmp_path + "\n")
        listeners = []
        for p in paths:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(p)
            s.listen(1)
            listeners.append(s)
        cmd = qemu_cmd(self.a, *paths, self.qmp_path)
        with open(os.path.join(self.out, f"{self.name}.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        with open(self.qerr_path, "w") as qerr:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
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
                    if self.proc.poll() is not None:
                        break
            s.close()
            if c is None:
                for x in conns:
                    x.close()
                self.stop()
                return "QEMU did not connect its serial ports"
            c.setblocking(False)
            conns.append(c)
        self.con, self.ctl = conns
        if getattr(self.a, "pin", False):
            with open(os.path.join(self.out, "pin.txt"), "w") as log:
                why = pin_threads(self.proc.pid, self.a.smp,
                                  os.cpu_count() or 1, log)
            if why:
                self.stop()
                return why
        return None

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        """Kill QEMU if it still runs; returns whether it had exited."""
        if self.proc is None:
            return True
        exited = self.proc.poll() is not None
        if not exited:
            self.proc.kill()
        self.proc.wait()
        return exited

    def close(self):
        for c in (self.con, self.ctl):
            if c is not None:
                c.close()
        shutil.rmtree(self.sockdir, ignore_errors=True)
