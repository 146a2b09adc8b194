#!/usr/bin/env python3
"""A real Slurm on localhost runs a geodim sweep through scripts/slurm/sweep.sbatch.

Starts munged, slurmctld and slurmd (Debian's slurm-wlm and munge, installed with apt-get if
missing) by hand, as root, on private ports and with every file in a temporary directory
(nothing in /etc is read or changed: SLURM_CONF points the clients at the private
slurm.conf, AuthInfo the daemons at the private munge socket). Then:

  1. submits a 4-point sweep as an array (sbatch --array=0-3 sweep.sbatch CONFIG ...);
  2. once point 0 is training, `scontrol requeue`s its task: geodim gets SIGTERM, saves its
     state (log `interrupted`, exit 130), Slurm runs the task again and it resumes the point;
  3. once point 1 is training, `scancel`s its task, which then stays CANCELLED, never requeued
     (as a task killed at its time limit is TIMEOUT and never requeued);
  4. when the array has left the queue, checks that `geodim sweep CONFIG --list --unfinished`
     prints exactly the points whose logs are not completed (here "1"), resubmits those with
     sbatch --array=$(...), and waits for them;
  5. checks that every point completed, that --list --unfinished is then empty, that the
     requeued task's output file kept both runs (--open-mode=append), and that every point's
     log and final training state equal those of a sequential `geodim sweep CONFIG` run in
     another directory, value for value (times and paths aside).

Stops the daemons (and cancels its jobs) on every exit. Never waits without a deadline.

  python3 scripts/slurm/localhost_test.py [--geodim .build/release/geodim] [--keep]

Exit status: 0 passed, 1 failed (the reason and the daemons' logs on stderr), 77 skipped
because Slurm cannot run here (not root, or not installed and apt-get unavailable), or
because GEODIM_SLURM_TEST=0. `make slurm-test` runs it; so does the test suite
(Tests/EndToEndTests/SlurmTests.swift).
"""

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77
DEADLINE_S = 420          # the whole test, daemons included (about 45 s on an idle 2-core machine)
SCRIPT = os.path.join(REPO, "scripts", "slurm", "sweep.sbatch")

# Four points of about 4 s each on 2 cores (6,000 images, 784-256-256-10, 375 steps an
# epoch, 12 epochs), so that a task can be requeued and cancelled while it trains.
CONFIG = """\
name: slurm-localhost
seed: 5
model:
  hidden: [256, 256]
data:
  protocol: standard
  train_size: 6000
  test_size: 200
training:
  epochs: 12
  batch_size: 16
  log_every: 25
optimizer:
  name: sgd
  lr: 0.02
  momentum: 0.9
checkpoints:
  every: 3
bfd:
  outputs: [logits, centred]
  train_samples: 6
  test_samples: 6
  random_samples: 6
sweep:
  optimizer.lr: [0.02, 0.01]
  seed: [5, 6]
"""


class Skip(Exception):
    """Slurm cannot run in this environment."""


class Failure(Exception):
    """The check failed."""


def log(message):
    print(f"slurm-test: {message}", flush=True)


def deadline_left(start):
    return DEADLINE_S - (time.monotonic() - start)


def ensure_installed():
    """The Slurm and munge programs, installing slurm-wlm and munge with apt-get if missing."""
    programs = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo"]
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        if shutil.which("apt-get") is None:
            raise Skip(f"Slurm is not installed ({', '.join(missing)} missing) and there is no apt-get")
        if os.geteuid() != 0:
            raise Skip(f"Slurm is not installed ({', '.join(missing)} missing) and installing it needs root")
        log("installing slurm-wlm and munge with apt-get")
        started = time.monotonic()
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"]
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
            result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise Skip(f"apt-get install slurm-wlm munge failed: {result.stderr.strip()[-500:]}")
        log(f"installed in {time.monotonic() - started:.0f} s")
        missing = [p for p in programs if shutil.which(p) is None]
        if missing:
            raise Skip(f"after installing slurm-wlm and munge, still missing: {', '.join(missing)}")
    return {p: shutil.which(p) for p in programs}


def die_with_parent():
    """In a child about to start: get SIGTERM when this script dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG), so that no daemon outlives a killed test. (The slurmstepd of a job
    running then is not our child: it lingers until killed by hand.)"""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def free_ports(count):
    """`count` distinct TCP ports on 127.0.0.1 free right now."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def node_resources(slurmd):
    """CPUs and RealMemory of this machine as `slurmd -C` reports them."""
    out = subprocess.run([slurmd, "-C"], capture_output=True, text=True, timeout=30).stdout
    fields = dict(item.split("=", 1) for item in out.split() if "=" in item)
    try:
        return int(fields["CPUs"]), int(fields["RealMemory"])
    except (KeyError, ValueError):
        raise Failure(f"slurmd -C gave no CPUs/RealMemory: {out!r}")


def slurm_conf(root, ports, cpus, memory):
    """A minimal single-node slurm.conf: no cgroups, no accounting, everything under `root`."""
    return f"""\
# geodim scripts/slurm/localhost_test.py: one node, localhost, no cgroups, no accounting.
ClusterName=geodim-localhost
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ports[0]}
SlurmdPort={ports[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket={root}/munge/munge.socket,cred_expire=5
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=30
MinJobAge=600
Waittime=0
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


class Cluster:
    """munged, slurmctld and slurmd, started in the foreground as children of this process."""

    def __init__(self, root, programs):
        self.root = root
        self.programs = programs
        self.daemons = []   # (name, Popen)
        self.jobs = []
        self.conf = os.path.join(root, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        for name in ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"):
            self.env.pop(name, None)

    def start(self, start):
        for sub in ("munge", "state", "spool", "log"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(os.path.join(self.root, "munge"), 0o700)
        key = os.path.join(self.root, "munge", "munge.key")
        self.run([self.programs["mungekey"], "--create", "--keyfile", key])
        munge_socket = os.path.join(self.root, "munge", "munge.socket")
        self.spawn("munged", [
            self.programs["munged"], "--foreground", "--force", f"--socket={munge_socket}", f"--key-file={key}",
            f"--log-file={self.root}/log/munged.log", f"--pid-file={self.root}/munge/munged.pid",
            f"--seed-file={self.root}/munge/munged.seed"])
        self.wait_for(lambda: os.path.exists(munge_socket), "munged to create its socket", 20, start)

        cpus, memory = node_resources(self.programs["slurmd"])
        with open(self.conf, "w") as f:
            f.write(slurm_conf(self.root, free_ports(2), cpus, memory))
        self.spawn("slurmctld", [self.programs["slurmctld"], "-D", "-i", "-f", self.conf])
        self.spawn("slurmd", [self.programs["slurmd"], "-D", "-f", self.conf, "-N", "localhost"])

        def idle():
            result = subprocess.run([self.programs["sinfo"], "-h", "-N", "-o", "%T"], env=self.env,
                                    capture_output=True, text=True, timeout=20)
            return result.returncode == 0 and result.stdout.strip() in ("idle", "mixed", "allocated")
        self.wait_for(idle, "the node to come up (sinfo: idle)", 60, start)
        log(f"slurmctld and slurmd up, node localhost with {cpus} CPUs, {memory} MB")
        return cpus

    def spawn(self, name, command):
        out = open(os.path.join(self.root, "log", f"{name}.stdout"), "w")
        process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.daemons.append((name, process))

    def run(self, command, check=True, timeout=60):
        result = subprocess.run(command, env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise Failure(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
        return result

    def wait_for(self, condition, what, seconds, start, interval=0.2):
        limit = time.monotonic() + min(seconds, max(0, deadline_left(start)))
        while True:
            for name, process in self.daemons:
                if process.poll() is not None:
                    raise Failure(f"{name} exited with status {process.returncode} while waiting for {what}")
            if condition():
                return
            if time.monotonic() > limit:
                raise Failure(f"timed out waiting for {what}")
            time.sleep(interval)

    def submit(self, array, arguments):
        command = [self.programs["sbatch"], "--parsable", f"--array={array}", "--cpus-per-task=1", "--time=10",
                   f"--output={self.root}/slurm-%A_%a.out", SCRIPT] + arguments
        job = self.run(command).stdout.strip().split(";")[0]
        self.jobs.append(job)
        log(f"submitted job {job}: sbatch --array={array} scripts/slurm/sweep.sbatch ...")
        return job

    def queue(self, job):
        """The job's tasks still in the queue: {array index (N/A for a plain job): state}."""
        result = self.run([self.programs["squeue"], "-h", "-r", "-j", job, "-o", "%K %T"], check=False)
        if result.returncode != 0:
            return {}   # the job left the queue (and slurmctld forgot it)
        tasks = {}
        for line in result.stdout.strip().splitlines():
            index, state = line.split()
            tasks[index] = state
        return tasks

    def stop(self):
        for job in self.jobs:
            subprocess.run([self.programs["scancel"], job], env=self.env, capture_output=True, timeout=20)
        if self.jobs:
            limit = time.monotonic() + 40
            while time.monotonic() < limit and any(self.queue(job) for job in self.jobs):
                time.sleep(0.5)
        for name, process in reversed(self.daemons):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)

    def logs(self):
        parts = []
        for name in sorted(os.listdir(os.path.join(self.root, "log"))):
            with open(os.path.join(self.root, "log", name), errors="replace") as f:
                lines = f.read().splitlines()[-25:]
            parts.append(f"--- {name} (last {len(lines)} lines)\n" + "\n".join(lines))
        return "\n".join(parts)


def geodim_json(geodim, arguments):
    import json
    result = subprocess.run([geodim] + arguments, cwd=REPO, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Failure(f"geodim {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def expand_array(spec):
    """The indices of an sbatch --array list such as 1,3-5."""
    indices = set()
    for part in filter(None, spec.split(",")):
        first, _, last = part.partition("-")
        indices.update(range(int(first), int(last or first) + 1))
    return indices


def log_status(path):
    """The root `status` of a log (h5py), or None without one."""
    import h5py
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        status = f.attrs["status"]
        return status.decode() if isinstance(status, bytes) else str(status)


def compare_logs(a, b):
    """The datasets of two logs that differ in shape, dtype or value; times and paths aside
    (as Tests/EndToEndTests/RunnerSupport.swift's compareLogsScript)."""
    import h5py
    import numpy as np
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names_a, names_b = [], []
        fa.visititems(lambda n, o: names_a.append(n) if isinstance(o, h5py.Dataset) else None)
        fb.visititems(lambda n, o: names_b.append(n) if isinstance(o, h5py.Dataset) else None)
        if sorted(names_a) != sorted(names_b):
            return [f"dataset sets differ: {sorted(set(names_a) ^ set(names_b))}"]
        skip = ("wall_time_s", "seconds", "config_yaml", "overrides", "meta/override")
        return [n for n in names_a if not n.endswith(skip) and (
            fa[n].shape != fb[n].shape or fa[n].dtype != fb[n].dtype
            or not np.array_equal(fa[n][()], fb[n][()], equal_nan=fa[n].dtype.kind == "f"))]


def state_digest(path):
    """SHA-256 of a resume.state's parameters and moments (after its header and config)."""
    import struct
    data = open(path, "rb").read()
    if data[:8] != b"GEODIMRS" or hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise Failure(f"{path} is not an intact resume state")
    config_bytes = struct.unpack_from("<q", data, 104)[0]
    return struct.unpack_from("<6q", data, 16), hashlib.sha256(data[136 + config_bytes:-32]).hexdigest()


def check(start, geodim, cluster, scratch):
    config = os.path.join(scratch, "sweep.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    data = os.path.join(REPO, "data", "mnist")
    placement = [f"logging.runs_directory={scratch}/runs-slurm", f"data.directory={data}"]
    sweep = [config] + placement

    points = geodim_json(geodim, ["sweep"] + sweep + ["--list", "--json"])
    if len(points) != 4:
        raise Failure(f"the test sweep has {len(points)} points, not 4")
    directories = [p["directory"] for p in points]

    # The sequential reference, in another directory, while Slurm runs the array (one thread,
    # as each task: sweep.sbatch gives threads=$SLURM_CPUS_PER_TASK = 1).
    reference_placement = [f"logging.runs_directory={scratch}/runs-sequential", f"data.directory={data}"]
    reference_out = open(os.path.join(scratch, "sequential.out"), "w")
    reference = subprocess.Popen([geodim, "sweep", config] + reference_placement + ["threads=1"], cwd=REPO,
                                 stdout=reference_out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 preexec_fn=die_with_parent)
    try:
        job = cluster.submit("0-3", sweep)

        def training(index):
            """Whether the task's output shows point `index` past its first logged step."""
            path = os.path.join(cluster.root, f"slurm-{job}_{index}.out")
            if not os.path.exists(path):
                return False
            with open(path, errors="replace") as f:
                return "step " in f.read()

        def interrupt(index, command, what):
            cluster.wait_for(lambda: training(index), f"point {index} to start training", 120, start, interval=0.05)
            cluster.run(command + [f"{job}_{index}"])
            log(f"{what} task {job}_{index} while it trained")

        interrupt(0, [cluster.programs["scontrol"], "requeue"], "requeued")
        interrupt(1, [cluster.programs["scancel"]], "cancelled")

        cluster.wait_for(lambda: not cluster.queue(job), f"array job {job} to leave the queue", 180, start, interval=0.5)
        log(f"array job {job} left the queue after {time.monotonic() - start:.0f} s")

        # The indices to resubmit are exactly the points whose logs are not completed.
        statuses = [log_status(os.path.join(d, "log.h5")) for d in directories]
        expected = {i for i, s in enumerate(statuses) if s not in ("completed", "diverged")}
        listed = subprocess.run([geodim, "sweep"] + sweep + ["--list", "--unfinished"], cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        if listed.returncode != 0:
            raise Failure(f"--list --unfinished exited {listed.returncode}: {listed.stderr}")
        ids = listed.stdout.strip()
        log(f"statuses after the array: {statuses}; --list --unfinished: {ids!r}")
        if expand_array(ids) != expected:
            raise Failure(f"--list --unfinished printed {ids!r}, the logs say {sorted(expected)} are unfinished")
        if expected != {1}:
            raise Failure(f"after the array, points {sorted(expected)} are unfinished, expected only the cancelled point 1 "
                          f"(statuses {statuses})")
        if statuses[1] != "interrupted":
            raise Failure(f"the cancelled point 1's log says {statuses[1]!r}, not interrupted (did it save on SIGTERM?)")

        again = cluster.submit(ids, sweep)
        cluster.wait_for(lambda: not cluster.queue(again), f"job {again} to leave the queue", 120, start, interval=0.5)

        statuses = [log_status(os.path.join(d, "log.h5")) for d in directories]
        if statuses != ["completed"] * 4:
            raise Failure(f"after resubmitting, the points' statuses are {statuses}")
        rest = subprocess.run([geodim, "sweep"] + sweep + ["--list", "--unfinished"], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        if rest.returncode != 0 or rest.stdout != "":
            raise Failure(f"--list --unfinished after completion: exit {rest.returncode}, {rest.stdout!r}")

        # The requeued task's output holds both runs: interrupted, then resumed part-way.
        with open(os.path.join(cluster.root, f"slurm-{job}_0.out"), errors="replace") as f:
            requeued = f.read()
        for text in ("(restart 0)", "DUE TO JOB REQUEUE", "interrupted by SIGTERM", "(restart 1)",
                     "continuing the interrupted run", "resuming at step"):
            if text not in requeued:
                raise Failure(f"the requeued task's output lacks {text!r}:\n{requeued}")
        resumed_at = int(requeued.split("resuming at step", 1)[1].split(":", 1)[0])
        if not 0 <= resumed_at < 4500:
            raise Failure(f"the requeued point resumed at step {resumed_at}, not part-way through its 4,500")
        with open(os.path.join(cluster.root, f"slurm-{again}_1.out"), errors="replace") as f:
            resubmitted = f.read()
        if "continuing the interrupted run" not in resubmitted:
            raise Failure(f"the resubmitted task did not continue point 1:\n{resubmitted}")

        remaining = max(1, deadline_left(start))
        try:
            status = reference.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            raise Failure("timed out waiting for the sequential reference sweep")
        if status != 0:
            raise Failure(f"the sequential reference sweep exited {status}")
    finally:
        if reference.poll() is None:
            reference.terminate()
            reference.wait(timeout=30)
        reference_out.close()

    reference_points = geodim_json(geodim, ["sweep", config] + reference_placement + ["--list", "--json"])
    for mine, theirs in zip(points, reference_points):
        differ = compare_logs(os.path.join(theirs["directory"], "log.h5"), os.path.join(mine["directory"], "log.h5"))
        if differ:
            raise Failure(f"point {mine['index']}: its log differs from the sequential sweep's in {differ}")
        a = state_digest(os.path.join(theirs["directory"], "resume.state"))
        b = state_digest(os.path.join(mine["directory"], "resume.state"))
        if a != b:
            raise Failure(f"point {mine['index']}: its final state differs from the sequential sweep's: {a} vs {b}")
    log("all 4 points completed; logs and final states equal the sequential sweep's")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geodim", default=os.path.join(REPO, ".build", "release", "geodim"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    start = time.monotonic()
    geodim = os.path.abspath(args.geodim)

    if os.environ.get("GEODIM_SLURM_TEST") == "0":
        print("slurm-test: skipped: GEODIM_SLURM_TEST=0", file=sys.stderr)
        return SKIP
    if not os.access(geodim, os.X_OK):
        print(f"slurm-test: error: no geodim at {geodim}; build it first: swift build -c release", file=sys.stderr)
        return 1
    # Slurm's daemons end up signalling us too if we are in their way; make sure a Ctrl-C or a
    # test harness's SIGTERM runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    cluster = None
    scratch = tempfile.mkdtemp(prefix="geodim-slurm-")
    os.chmod(scratch, 0o755)
    try:
        programs = ensure_installed()
        if os.geteuid() != 0:
            raise Skip("the Slurm daemons need root here (SlurmUser=root)")
        cluster = Cluster(os.path.join(scratch, "slurm"), programs)
        cluster.start(start)
        check(start, geodim, cluster, scratch)
        log(f"passed in {time.monotonic() - start:.0f} s" + (f"; files kept in {scratch}" if args.keep else ""))
        return 0
    except Skip as reason:
        print(f"slurm-test: skipped: {reason}", file=sys.stderr)
        return SKIP
    except (Failure, subprocess.TimeoutExpired, OSError) as error:
        print(f"slurm-test: FAILED after {time.monotonic() - start:.0f} s: {error}", file=sys.stderr)
        if cluster is not None:
            print(cluster.logs(), file=sys.stderr)
            for name in sorted(os.listdir(cluster.root)):
                if name.startswith("slurm-") and name.endswith(".out"):
                    with open(os.path.join(cluster.root, name), errors="replace") as f:
                        print(f"--- {name}\n{f.read()[-3000:]}", file=sys.stderr)
        print(f"slurm-test: files kept in {scratch}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        if cluster is not None:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
