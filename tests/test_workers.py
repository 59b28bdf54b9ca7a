"""Training on workers (issue 25), with real services started here on free loopback ports: a ``redis-server``,
the run store on the session's PostgreSQL test server (SQLite when PostgreSQL is not installed) and two worker
processes (``python -m rnn_lab worker`` and Celery's own command). The workers start once for the module (each
child imports TensorFlow: ~10 s); the test that kills one runs last."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import open_train_page
from services import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")

EPOCHS = 4
LONG = 2000  # epochs (the maximum) on 2,000 rows: a job still training when the test acts on it (stopped early)


@contextlib.contextmanager
def redis_server():
    root = Path(tempfile.mkdtemp(prefix="rnnlab-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def start_worker(env: dict, name: str, log: Path, plain_celery: bool = False) -> subprocess.Popen:
    """``python -m rnn_lab worker``, or (``plain_celery``) Celery's own command on the project's app."""
    cmd = [sys.executable, "-m", "rnn_lab", "worker", "--hostname", f"{name}@%h", "--loglevel", "WARNING"]
    if plain_celery:
        cmd = [sys.executable, "-m", "celery", "-A", "rnn_lab.workers.celery_app", "worker", "-c", "1"]
        cmd += ["--hostname", f"{name}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    out = open(log, "wb")  # noqa: SIM115 - the process writes it until it ends
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def children(pid: int) -> list[int]:
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _module_database(request) -> str | None:
    """A PostgreSQL database for the module on the session's server (tests/services.py), or None without the
    binaries (the farm then shares a SQLite file, which works for processes on one machine)."""
    from services import PG_BIN

    if not (PG_BIN / "initdb").exists():
        return None
    import psycopg

    host, port = request.getfixturevalue("postgres_server")
    name = f"rnnlab_workers_{os.getpid()}"
    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}:{port}/{name}"


@pytest.fixture(scope="module")
def farm(request):
    """Redis, the run store on PostgreSQL (a database on the session's test server; SQLite in a temporary data
    directory when PostgreSQL is not installed) and two worker processes: ``python -m rnn_lab worker`` and
    ``celery -A rnn_lab.workers.celery_app worker`` (both must train: the first test checks it). The app side of
    the tests (schedulers, pages, the CLI) shares the same Redis and store, as app servers would."""
    data = Path(tempfile.mkdtemp(prefix="rnnlab-workers-data-"))
    db_url = _module_database(request)
    with redis_server() as url:
        env = dict(
            os.environ,
            RNN_LAB_REDIS_URL=url,
            RNN_LAB_DATA_DIR=str(data),
            RNN_LAB_SCHEDULER="celery",
            RNN_LAB_SAVE_EVERY="0.5",
            RNN_LAB_WORKER_ALIVE_TTL="3",  # a killed worker's job is sent back after 3 s instead of 8
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        if db_url:
            env["RNN_LAB_DATABASE_URL"] = db_url
        else:
            env.pop("RNN_LAB_DATABASE_URL", None)
        procs = [start_worker(env, f"w{i}", data / f"worker{i}.log", plain_celery=i == 2) for i in (1, 2)]
        from rnn_lab.store import Store
        from rnn_lab.workers.scheduler import CeleryScheduler
        from rnn_lab.workers.state import RedisState

        state = RedisState(url)
        deadline = time.monotonic() + 120
        while state.worker_slots() < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                logs = "\n".join((data / f"worker{i}.log").read_text(errors="replace")[-2000:] for i in (1, 2))
                pytest.fail("the workers did not start:\n" + logs)
            time.sleep(0.2)
        store = Store(db_url or f"sqlite:///{data / 'rnn_lab.sqlite3'}")
        farm = {
            "db_url": db_url,
            "url": url,
            "env": env,
            "data": data,
            "procs": procs,
            "store": store,
            "state": state,
            "scheduler": CeleryScheduler(url),
            "token": store.open_workspace(None),
        }
        try:
            yield farm
        finally:
            for p in procs:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            store.close()
    shutil.rmtree(data, ignore_errors=True)


def experiment(epochs: int = EPOCHS, seed: int = 0, lr: float = 0.02, rows: int | None = None):
    """The settings of a tiny run (toy:counting, SimpleRNN(4)) as the page keeps them, with its prepared data."""
    from rnn_lab.arch.settings import config_from_values as arch_from
    from rnn_lab.settings import all_settings
    from rnn_lab.store.records import prepare_from_values
    from rnn_lab.train.settings import config_from_values as train_from

    values = {key: s.default for key, s in all_settings().items()}
    values.update(
        task="forecast",
        data_source_kind="toy",
        data_toy="counting",
        arch_cell="SimpleRNN",
        arch_layers=1,
        arch_units_1=4,
        train_epochs=epochs,
        train_seed=seed,
        train_lr=lr,
    )
    if rows:  # a slower job: more windows, small batches; scaled, so the divergence guard never stops it (unscaled
        # values up to 2,000 make Adam's loss spike 100-fold around epoch 300, which the guard rightly calls diverged)
        values.update(data_toy_length=rows, train_batch_size=8, data_scaling="minmax")
    prepared = prepare_from_values(values)
    return values, prepared, arch_from(values), train_from(values)


def submit(farm, epochs: int = EPOCHS, seed: int = 0, scheduler=None, session: str = "s", rows=None):
    from rnn_lab.workers.scheduler import remote_job_class

    if epochs == LONG:
        rows = 2000
    values, prepared, arch, cfg = experiment(epochs, seed, rows=rows)
    job_class = remote_job_class(farm["store"], farm["token"], values, None)
    return job_class(prepared, arch, cfg, scheduler=scheduler or farm["scheduler"], session_id=session)


def wait_state(job, states, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while job.state not in states:
        assert time.monotonic() < deadline, f"{job.store_run_id} still {job.state} after {timeout} s"
        time.sleep(0.1)
    return job.state


def test_four_trainings_finish_on_both_workers_with_the_local_queue_numbers(farm):
    from rnn_lab.train.runs import execute

    jobs = [submit(farm, seed=s) for s in range(4)]
    for j in jobs:
        assert wait_state(j, ("done", "error")) == "done", j.error
    workers = {j.worker["pid"] for j in jobs}
    assert len(workers) == 2, workers  # both workers trained
    for seed, j in enumerate(jobs):
        _, prepared, arch, cfg = experiment(seed=seed)
        local = execute(prepared, arch, cfg)
        assert j.run.history["loss"] == pytest.approx(local.history["loss"], rel=1e-5)
        assert j.run.metrics["model"]["rmse"] == pytest.approx(local.metrics["model"]["rmse"], rel=1e-4)
        rec = farm["store"].run_record(farm["token"], j.store_run_id)
        assert rec["state"] == "done" and rec["epochs_done"] == EPOCHS
        assert rec["history"]["loss"] == pytest.approx(local.history["loss"], rel=1e-5)
    from rnn_lab.workers.scheduler import RemoteTrainJob

    farm["state"].r.delete(farm["state"].key("progress", jobs[0].store_run_id))  # a Redis that lost its data
    again = RemoteTrainJob.attach(farm["store"], farm["token"], jobs[0].store_run_id, farm["scheduler"])
    assert again.state == "done" and again.run.history == jobs[0].run.history  # the store has the finished run
    from rnn_lab.workers.scheduler import CeleryScheduler

    nobody = CeleryScheduler(f"redis://127.0.0.1:{free_port()}/0")  # Redis gone: the page still gets its result
    offline = RemoteTrainJob.attach(farm["store"], farm["token"], jobs[1].store_run_id, nobody)
    assert offline.state == "done" and offline.run.history == jobs[1].run.history
    assert offline.ticket.unreachable is not None


def test_an_upload_trains_on_a_worker_from_the_store_s_copy(farm):
    """The worker has no access to the page's upload: it reads the file's bytes from the store (a blob)."""
    from rnn_lab.store.records import prepare_from_values
    from rnn_lab.train.runs import execute
    from rnn_lab.workers.scheduler import remote_job_class

    data = (ROOT / "tests" / "fixtures" / "nasdaq_aapl_dollar.csv").read_bytes()
    values, _, arch, cfg = experiment()
    values.update(data_source_kind="upload", data_upload_name="aapl.csv", data_target="Close", data_window=3)
    prepared = prepare_from_values(values, data)
    arch = __import__("dataclasses").replace(arch, timesteps=3)
    job = remote_job_class(farm["store"], farm["token"], values, data)(prepared, arch, cfg, scheduler=farm["scheduler"])
    assert wait_state(job, ("done", "error")) == "done", job.error
    rec = farm["store"].run_record(farm["token"], job.store_run_id)
    assert rec["data_identity"].startswith("upload:") and rec["data_sha256"]
    assert job.run.history["loss"] == pytest.approx(execute(prepared, arch, cfg).history["loss"], rel=1e-5)


def test_the_worker_parent_never_imports_tensorflow(farm):
    parents = [p.pid for p in farm["procs"]]
    for pid in parents:
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "tensorflow" not in maps  # the children fork from a parent without TF
    kids = [c for pid in parents for c in children(pid)]
    assert kids and any("tensorflow" in Path(f"/proc/{c}/maps").read_text() for c in kids)


def wait_epoch(job, at_least: int = 1, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while job.snapshot()["epoch"] < at_least:
        assert job.state in ("queued", "running"), job.state
        assert time.monotonic() < deadline, f"{job.store_run_id} has not reached epoch {at_least}"
        time.sleep(0.05)


def test_cancel_a_queued_job_and_stop_a_running_one(farm):
    a, b = submit(farm, LONG, seed=10), submit(farm, LONG, seed=11)
    wait_epoch(a), wait_epoch(b)  # both workers busy
    c = submit(farm, seed=12)
    snap = c.snapshot()
    assert snap["queued"] and snap["position"] == 1 and snap["queue_length"] == 1
    c.stop()
    assert wait_state(c, ("stopped", "done", "error")) == "stopped"
    a.stop()
    assert wait_state(a, ("done", "error"), timeout=30) == "done"
    assert (a.run.stopped, a.run.stop_reason, a.run.epochs_run < LONG) == (True, "user", True), a.run.epochs_run
    rec = farm["store"].run_record(farm["token"], a.store_run_id)
    assert rec["state"] == "stopped" and rec["epochs_done"] == a.run.epochs_run
    b.stop()
    assert wait_state(b, ("done", "error"), timeout=30) == "done"
    time.sleep(1.0)  # a worker is free now: the cancelled job must still not run
    assert farm["store"].run_record(farm["token"], c.store_run_id)["state"] == "queued"
    assert farm["state"].attempts(c.store_run_id) == 0 and c.state == "stopped"


def test_two_app_servers_see_each_others_queue(farm):
    from rnn_lab.workers.scheduler import CeleryScheduler

    one, two = farm["scheduler"], CeleryScheduler(farm["url"])  # two app servers on one Redis and one store
    busy = [submit(farm, LONG, seed=20, scheduler=one), submit(farm, LONG, seed=21, scheduler=two)]
    for j in busy:
        wait_epoch(j)
    mine = submit(farm, seed=22, scheduler=one, session="first")
    theirs = submit(farm, seed=23, scheduler=two, session="second")
    assert two.attach(mine.store_run_id).position() == 1
    assert one.attach(theirs.store_run_id).position() == 2
    assert mine.snapshot()["queue_length"] == theirs.snapshot()["queue_length"] == 2
    for s in (one, two):
        status = s.status()
        assert (status.running, status.queued, status.limit) == (2, 2, 2)
    two.cancel(two.attach(mine.store_run_id))  # one server cancels a job the other queued
    assert wait_state(mine, ("stopped", "done", "error")) == "stopped"
    assert theirs.snapshot()["position"] == 1
    for j in (theirs, *busy):
        j.stop()
    for j in (theirs, *busy):
        wait_state(j, ("stopped", "done", "error"), timeout=30)


def test_a_run_whose_worker_died_twice_fails_with_a_plain_message(farm):
    """The second death: the claim finds a run left running by a dead owner that already had its retry."""
    from rnn_lab.workers.job import LOST_MESSAGE, run_job

    values, prepared, arch, cfg = experiment()
    from rnn_lab.store.records import start_record

    store, state = farm["store"], farm["state"]
    run_id, _ = start_record(store, farm["token"], values, arch, cfg, None, "#{number} lost", EPOCHS, state="running")
    for _ in range(2):
        state.mark_running(run_id, "gone-host:1:x")  # two earlier starts, the owner's heartbeat long expired
    state.r.delete(state.key("alive", run_id))
    out = run_job(run_id, state, store)
    assert out["outcome"] == "failed"
    rec = store.run_record(farm["token"], run_id)
    assert rec["state"] == "failed" and rec["message"] == LOST_MESSAGE
    assert state.progress(run_id)["error"]["key"] == "workers.err.lost"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_claim_lets_one_worker_of_many_take_a_run(backend, tmp_path, request):
    """The record claim on both stores: eight threads (eight workers handed the same run id) claim at once, one
    wins; a run held by a live owner is refused; a dead owner's run is taken over by exactly one."""
    from concurrent.futures import ThreadPoolExecutor

    from rnn_lab.store import Store
    from rnn_lab.store.records import start_record
    from rnn_lab.workers.claim import claim, record_owner

    url = (
        f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    )
    store = Store(url)
    try:
        token = store.open_workspace(None)
        values, _, arch, cfg = experiment()
        run_id, _ = start_record(store, token, values, arch, cfg, None, "#{number} x", EPOCHS, state="queued")
        with ThreadPoolExecutor(8) as pool:
            won = list(pool.map(lambda i: claim(store, run_id, f"host:{i}:t"), range(8)))
        assert sum(won) == 1
        owner = record_owner(store, run_id)[2]
        assert record_owner(store, run_id)[:2] == (token, "running") and owner == f"host:{won.index(True)}:t"
        assert not claim(store, run_id, "late:1:t")  # running under a live owner: refused
        with ThreadPoolExecutor(4) as pool:  # the owner died: the retries race, one takes it over
            won = list(pool.map(lambda i: claim(store, run_id, f"retry:{i}:t", dead_owner=owner), range(4)))
        assert sum(won) == 1 and record_owner(store, run_id)[2].startswith("retry:")
    finally:
        store.close()


@pytest.fixture
def page_on_farm(farm, monkeypatch):
    """The app's pages on the farm: its store (the same SQLite file) and its CeleryScheduler."""
    from rnn_lab.store import reset_default_store
    from rnn_lab.train.scheduler import set_default_scheduler

    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(farm["data"]))
    if farm["db_url"]:
        monkeypatch.setenv("RNN_LAB_DATABASE_URL", farm["db_url"])
    else:
        monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    reset_default_store()
    previous = set_default_scheduler(farm["scheduler"])
    yield farm
    set_default_scheduler(previous)
    reset_default_store()


def test_the_train_page_trains_on_a_worker_and_a_reloaded_page_reattaches(page_on_farm):
    long = dict(train_epochs=LONG, arch_units_1=4, data_toy_length=2000, train_batch_size=8, data_scaling="minmax")
    at = open_train_page(**long)
    at.button(key="btn_train_start").click().run()
    job = at.session_state["job_train"]
    assert type(job).__name__ == "BoundRemoteTrainJob" and job.store_run_id
    wait_epoch(job, 2)
    token = at.session_state["_ws_token"]
    again = open_train_page(ws=token)  # the same link in a new session (a reload) while it trains
    back = again.session_state["job_train"]
    assert back.store_run_id == job.store_run_id and back.state == "running"
    assert back.snapshot()["epoch"] >= 2 and back.snapshot()["worker"]["pid"] == job.snapshot()["worker"]["pid"]
    back.stop()  # Stop pressed on the reloaded page
    assert wait_state(back, ("done", "error"), timeout=30) == "done"
    again.run()
    assert not again.exception, again.exception
    (run,) = [r for r in again.session_state["runs"] if r.store_id == job.store_run_id]
    assert run.stop_reason == "user" and 2 <= run.epochs_run < LONG
    assert wait_state(job, ("done", "error"), timeout=10) == "done"  # the first tab sees it finished too


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_unreachable_workers_are_said_and_the_page_trains_here_instead(monkeypatch, tmp_path, lang):
    from rnn_lab.i18n import t
    from rnn_lab.store import reset_default_store
    from rnn_lab.train.scheduler import set_default_scheduler
    from rnn_lab.workers.scheduler import CeleryScheduler

    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    reset_default_store()
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # no Redis listens there
    scheduler = CeleryScheduler(nobody)
    previous = set_default_scheduler(scheduler)
    try:
        at = open_train_page(lang=lang, train_epochs=3, arch_units_1=4)
        at.button(key="btn_train_start").click().run()
        assert not at.exception, at.exception
        said = " ".join(e.value for e in at.error)
        assert t("workers.err.unreachable", lang, where="", reason="").split("(")[0].strip() in said
        assert at.session_state.get("job_train") is None
        at.button(key="btn_train_here").click().run()
        job = at.session_state["job_train"]
        assert type(job).__name__ == "SavingTrainJob" and job.ticket.scheduler is scheduler.local  # this process
        job.join(timeout=120)
        assert job.state == "done", job.error
        at.run()
        assert len(at.session_state["runs"]) == 1 and at.session_state["runs"][0].store_id
    finally:
        set_default_scheduler(previous)
        reset_default_store()


def test_the_command_line_trains_on_a_worker_and_names_it(farm):
    import json

    from rnn_lab.train.runs import execute

    cmd = [sys.executable, "-m", "rnn_lab", "train", "--data", "toy:counting", "--cell", "SimpleRNN", "--units", "4"]
    cmd += ["--epochs", str(EPOCHS), "--save-run", "--workspace", farm["token"], "--json"]
    done = subprocess.run(cmd, cwd=ROOT, env=farm["env"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    kids = {c for p in farm["procs"] if p.poll() is None for c in children(p.pid)}
    assert out["worker"]["pid"] in kids and out["worker"]["host"]
    rec = farm["store"].run_record(farm["token"], out["run_id"])
    assert rec["state"] == "done" and rec["history"]["loss"] == pytest.approx(out["history"]["loss"])
    _, prepared, arch, cfg = experiment()
    assert out["history"]["loss"] == pytest.approx(execute(prepared, arch, cfg).history["loss"], rel=1e-5)


@pytest.mark.slow  # ~80 s: a real app server and five trainings over the websocket protocol
def test_five_students_train_at_once_on_the_workers(farm, monkeypatch):
    """tests/test_train_scheduler_load.py on the Celery backend: the app (a real ``streamlit run``) trains nothing
    itself; 5 students over Streamlit's websocket protocol all get their results, the bystander's page works."""
    from concurrent.futures import ThreadPoolExecutor

    from conftest import streamlit_server

    sys.path.insert(0, str(ROOT / "bench"))
    from classroom_load import run_classroom

    for key in ("RNN_LAB_REDIS_URL", "RNN_LAB_DATA_DIR", "RNN_LAB_SCHEDULER", "RNN_LAB_DATABASE_URL"):
        if key in farm["env"]:
            monkeypatch.setenv(key, farm["env"][key])
        else:
            monkeypatch.delenv(key, raising=False)
    before = farm["state"].r.get(farm["state"].key("seq"))
    with streamlit_server() as url, ThreadPoolExecutor(1) as pool:
        got = pool.submit(run_classroom, url, 5, 300).result()
    problems = {r["student"]: r["errors"] for r in got["results"] if r["errors"] or r["seconds"] is None}
    assert problems == {}
    assert len(got["results"]) == 5 and got["bystander"]["errors"] == [] and got["bystander"]["times"]
    assert int(farm["state"].r.get(farm["state"].key("seq"))) - int(before or 0) == 5  # all five went to workers


def test_a_worker_killed_mid_job_loses_nothing_the_job_finishes_on_the_other(farm):
    """Last in the module: it kills one of the two workers (the parent and its training child, SIGKILL)."""
    epochs = 150  # 30 could all be done between the client seeing epoch 3 and the kill (it happened once in CI)
    j = submit(farm, epochs, seed=30, rows=400)
    wait_epoch(j, 3)
    pid = j.snapshot()["worker"]["pid"]
    victim = next(p for p in farm["procs"] if pid in children(p.pid))
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    assert wait_state(j, ("done", "error"), timeout=120) == "done", j.error
    assert j.worker["pid"] != pid and farm["state"].attempts(j.store_run_id) == 2
    rec = farm["store"].run_record(farm["token"], j.store_run_id)
    assert rec["state"] == "done" and rec["epochs_done"] == epochs and len(rec["history"]["loss"]) == epochs
    from rnn_lab.train.runs import execute

    _, prepared, arch, cfg = experiment(epochs, seed=30, rows=400)
    assert rec["history"]["loss"] == pytest.approx(execute(prepared, arch, cfg).history["loss"], rel=1e-5)
