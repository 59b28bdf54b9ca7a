"""Training on workers, measured (issue 25): the hop, the workers' memory and recycling, and the class.

Part 1, the hop and memory: a ``redis-server`` and one ``python -m rnn_lab worker`` (prefork, concurrency 1,
``--max-tasks-per-child 5``) on a SQLite store in a temporary directory. JOBS trainings of the counting toy
(SimpleRNN(10), 50 epochs, the tutorial's run) are submitted one after another as the page does (a queued record,
its id to the workers); for each: submit -> first epoch published (the hop), submit -> run stored, the child that
trained it and its resident memory after the job. The same from the in-process queue (``LocalScheduler``,
``TrainJob``) for comparison. The worker parent's memory is read at the end (it never imports TensorFlow).

Part 2, the class (``--class``): bench/classroom_load.py's 30 students (same workload and bystander) against a
fresh app per mode: the local queue (the app trains; ``RNN_LAB_MAX_TRAININGS=1``, one TensorFlow thread, the
Dockerfile's settings), and ``RNN_LAB_SCHEDULER=celery`` with 1 and 2 workers (the app trains nothing). Reported:
all results after, press-to-result median / max, the bystander's Architecture rerun p50 / p95, the app process's
peak memory and each worker's peak (parent + children).

Run: ``.venv/bin/python bench/workers_bench.py [--class] [--students 30]`` (prints Markdown for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
JOBS = 12


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server():
    import redis

    root = Path(tempfile.mkdtemp(prefix="rnnlab-redis-bench-"))
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(root)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def rss_mb(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def tree_mb(pid: int) -> float:
    import psutil

    try:
        p = psutil.Process(pid)
        return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def start_workers(n: int, env: dict, extra=()) -> list[subprocess.Popen]:
    from rnn_lab.workers.state import RedisState

    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "rnn_lab", "worker", "--hostname", f"b{i}@%h", "--loglevel", "WARNING", *extra],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for i in range(n)
    ]
    state = RedisState(env["RNN_LAB_REDIS_URL"])
    deadline = time.monotonic() + 120
    while state.worker_slots() < n and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(15)  # the children import TensorFlow in the background after they start
    return procs


def stop_workers(procs) -> None:
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def experiment(link: str):
    """Values, prepared data, architecture and training config of a share link's query (classroom_load's)."""
    from urllib.parse import parse_qsl

    from rnn_lab.arch.settings import config_from_values as arch_from
    from rnn_lab.share import decode
    from rnn_lab.store.records import prepare_from_values
    from rnn_lab.train.settings import config_from_values as train_from

    values = decode(dict(parse_qsl(link)))[0]
    return values, prepare_from_values(values), arch_from(values), train_from(values)


def counting():
    from classroom_load import COUNTING

    return experiment(COUNTING)


def timed(job) -> tuple[float, float]:
    """(submit -> first epoch, submit -> done) of a job just submitted (its clock started by the caller)."""
    t0, first = job.t0, None
    while job.running:
        if first is None and job.snapshot()["epoch"] >= 1:
            first = time.perf_counter() - t0
        time.sleep(0.005)
    total = time.perf_counter() - t0
    return (total if first is None else first), total


def part_hop() -> None:
    from rnn_lab.store import Store
    from rnn_lab.train.runs import TrainJob
    from rnn_lab.train.scheduler import LocalScheduler
    from rnn_lab.workers.scheduler import CeleryScheduler, remote_job_class

    data = Path(tempfile.mkdtemp(prefix="rnnlab-workers-bench-"))
    values, prepared, arch, cfg = counting()
    with redis_server() as url:
        env = dict(os.environ, RNN_LAB_REDIS_URL=url, RNN_LAB_DATA_DIR=str(data), RNN_LAB_SCHEDULER="celery")
        env.pop("RNN_LAB_DATABASE_URL", None)
        (proc,) = start_workers(1, env, ("--max-tasks-per-child", "5"))
        store = Store(f"sqlite:///{data / 'rnn_lab.sqlite3'}")
        token = store.open_workspace(None)
        scheduler = CeleryScheduler(url)
        job_class = remote_job_class(store, token, values, None)
        print(f"Part 1: {JOBS} trainings of the counting toy (SimpleRNN(10), 50 epochs), one after another")
        print()
        print("| job | trained by (child pid) | submit -> first epoch | submit -> stored | child memory after |")
        print("|---|---|---|---|---|")
        hops, totals = [], []
        for k in range(1, JOBS + 1):
            t0 = time.perf_counter()
            job = job_class(prepared, arch, cfg, scheduler=scheduler, session_id="bench")
            first = None
            while job.running:
                if first is None and job.snapshot()["epoch"] >= 1:
                    first = time.perf_counter() - t0
                time.sleep(0.005)
            total = time.perf_counter() - t0
            assert job.state == "done", job.error
            pid = job.worker["pid"]
            first = total if first is None else first
            hops.append(first)
            totals.append(total)
            print(f"| {k} | {pid} | {first:.2f} s | {total:.2f} s | {rss_mb(pid):.0f} MB |")
        from classroom_load import SAMSUNG_LSTM

        lvalues, lprepared, larch, lcfg = experiment(SAMSUNG_LSTM)
        lstm_class = remote_job_class(store, token, lvalues, None)
        lstm = []
        for _ in range(3):
            t0 = time.perf_counter()
            job = lstm_class(lprepared, larch, lcfg, scheduler=scheduler, session_id="bench")
            job.t0 = t0
            lstm.append(timed(job))
            assert job.state == "done", job.error
        parent = rss_mb(proc.pid)
        stop_workers([proc])
        store.close()
    local = LocalScheduler(1)
    lhops, ltotals = [], []
    for _ in range(6):
        t0 = time.perf_counter()
        job = TrainJob(prepared, arch, cfg, scheduler=local)
        first = None
        while job.running:
            if first is None and job.snapshot()["epoch"] >= 1:
                first = time.perf_counter() - t0
            time.sleep(0.005)
        lhops.append(first or time.perf_counter() - t0)
        ltotals.append(time.perf_counter() - t0)
    print()
    print(f"Worker parent (no TensorFlow): {parent:.0f} MB resident.")
    print(
        "Samsung LSTM(32), 50 epochs, on the worker (submit -> first epoch / stored): "
        + ", ".join(f"{a:.2f} / {b:.2f} s" for a, b in lstm)
    )
    warm = [h for i, h in enumerate(hops) if i % 5]  # not the first job of a fresh child
    print(
        f"Hop, warm child: median {statistics.median(warm):.2f} s (submit -> stored median "
        f"{statistics.median([t for i, t in enumerate(totals) if i % 5]):.2f} s); first job of a fresh child: "
        f"{', '.join(f'{hops[i]:.2f}' for i in range(0, len(hops), 5))} s."
    )
    print(
        f"Local queue, this process (warm after the first): first epoch median {statistics.median(lhops[1:]):.3f} s, "
        f"done median {statistics.median(ltotals[1:]):.2f} s (first: {lhops[0]:.2f} / {ltotals[0]:.2f} s)."
    )
    shutil.rmtree(data, ignore_errors=True)


def part_class(students: int) -> None:
    from classroom_load import Server, _percentile, run_classroom

    print()
    print(f"Part 2: {students} students (bench/classroom_load.py's workload) + 1 bystander on the Architecture page")
    print()
    print(
        "| mode | all results after | results / errors | press-to-result median / max | Architecture rerun p50 / p95 "
        "(n) | app memory idle / peak | worker memory peak (each, parent + child) |"
    )
    print("|---|---|---|---|---|---|---|")
    modes = (("local queue, 1 at once, 1 TF thread (Dockerfile)", 0), ("Celery, 1 worker", 1), ("Celery, 2 workers", 2))
    for name, n in modes:
        data = Path(tempfile.mkdtemp(prefix="rnnlab-workers-class-"))
        with redis_server() as url:
            env = {
                "RNN_LAB_DATA_DIR": str(data),
                "RNN_LAB_MAX_TRAININGS": "1",
                "TF_NUM_INTRAOP_THREADS": "1",
                "TF_NUM_INTEROP_THREADS": "1",
                "RNN_LAB_WARM_UP": "1",
                "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "10",
            }
            procs = []
            if n:
                env.update(RNN_LAB_SCHEDULER="celery", RNN_LAB_REDIS_URL=url)
                procs = start_workers(n, dict(os.environ, **env))
            peaks = [0.0] * n
            sampling = [True]

            def sample(procs=procs, peaks=peaks, sampling=sampling):
                while sampling[0]:
                    for i, p in enumerate(procs):
                        peaks[i] = max(peaks[i], tree_mb(p.pid))
                    time.sleep(0.5)

            threading.Thread(target=sample, daemon=True).start()
            server = Server(env)
            try:
                idle = server.rss_kb()
                got = run_classroom(server.url, students)
            finally:
                server.stop()
                sampling[0] = False
                stop_workers(procs)
        results = got["results"]
        ok = [r["seconds"] for r in results if r["seconds"] is not None and not r["errors"]]
        errors = sum(1 for r in results if r["errors"] or r["seconds"] is None) + len(got["bystander"]["errors"])
        bys = got["bystander"]["times"]
        workers = ", ".join(f"{p / 1024:.2f}" for p in peaks) + " GB" if n else "-"
        print(
            f"| {name} | {got['everyone_seconds']:.0f} s | {len(ok)} of {len(results)} / {errors} | "
            f"{statistics.median(ok) if ok else float('nan'):.1f} s / {max(ok) if ok else float('nan'):.1f} s | "
            f"{_percentile(bys, 0.5):.2f} s / {_percentile(bys, 0.95):.2f} s ({len(bys)}) | "
            f"{idle / 2**20:.2f} / {server.peak_kb / 2**20:.2f} GB | {workers} |"
        )
        for r in results:
            if r["errors"]:
                print(f"  student {r['student']}: {'; '.join(r['errors'])}", file=sys.stderr)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class", dest="klass", action="store_true", help="also the 30-student class, 3 modes")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--skip-hop", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    if not args.skip_hop:
        part_hop()
    if args.klass:
        part_class(args.students)


if __name__ == "__main__":
    main()
