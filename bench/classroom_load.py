"""A classroom on one server, measured (issue 12): 30 students press Train within the same minute.

Starts the real app (``streamlit run app.py``) on a free local port and drives N concurrent sessions over
Streamlit's own websocket protocol (:class:`Session`: the protobuf messages the frontend exchanges, real reruns,
button presses and the live view's fragment polled at its interval, minus the drawing). The students arrive one a
second (30 within half a minute; all press Train within the same minute). Each student
opens the home page from a link holding its experiment, goes to Train through the sidebar, presses Train
and waits for its result (the export buttons appear with the results). Four in five train the counting toy
(SimpleRNN(10), 50 epochs); every fifth an LSTM(32) on the Samsung series (50 epochs). Meanwhile one more
session, a student who is not training, changes the units on the Architecture page once a second and times each
rerun until the new parameter count is on screen.

Reported per mode: seconds until every student has a result, the non-training student's page response (median
and 95th percentile) while trainings are running or queued, the server's peak resident memory, and errors (a
session without its result, a traceback or an error message on a page). Modes, each on a fresh server in the same
run: the queue (``RNN_LAB_MAX_TRAININGS`` = the number of cores, the default); the queue with one core left to the
pages (one training fewer, each on one TensorFlow thread: the setting docs/deploy.md recommends); and no queue (a
limit of 1,000: every press starts at once, which is how the app behaved before issue 12).

Why not 30 headless browsers: on this 2-core machine 31 Chromium pages took most of the CPU themselves (a first
version measured 6-14 s per page rerun, mostly the browsers' own work); in a classroom each browser runs on its
student's laptop. The page response measured here is the server's: from sending the rerun to receiving the whole
page; the browser's drawing on a laptop comes on top (a real-browser check of the pages is tests/test_pages_browser.py).

Run: ``.venv/bin/python bench/classroom_load.py [--students 30] [--modes queue,queue-1tf,no-queue] [--json]
[--profile DIR] [--classes 2]`` (prints Markdown for docs/benchmarks.md). ``--json``: one object per mode (and
class); ``--profile DIR``: samples the server with py-spy, a dev requirement that needs ptrace (root), keeps the raw
stacks in DIR and prints the ten largest shares by function; ``--classes 2``: a second class on the same server.
tests/test_train_scheduler_load.py runs the same with 5 students and checks only that every result arrived, error-free.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTING = "train_epochs=50"  # the default experiment: the counting toy, SimpleRNN(10) + Dense(1)
SAMSUNG_LSTM = (
    "data_source_kind=bundled&data_bundled=samsung&data_target=Close&data_window=20&data_val_frac=0.15"
    "&data_test_frac=0.15&data_scaling=minmax&arch_cell=LSTM&arch_units_1=32&arch_timesteps=20&train_epochs=50"
)
RESULT = '[class*="st-key-btn_train_dl_model"]'  # the export buttons: drawn with the results of a finished run
LEAVE_WAIT = 30.0  # seconds after the last student left before the server's memory is read again
ARRIVAL_GAP = 1.0  # seconds between two students opening the app: 30 students arrive within half a minute


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free port with extra environment variables; samples its resident memory."""

    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port)]
        command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
        environ = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", TF_CPP_MIN_LOG_LEVEL="3", **env)
        if "RNN_LAB_DATABASE_URL" not in environ:  # the class's runs go to a store of their own, counted afterwards
            self._data_dir = tempfile.TemporaryDirectory(prefix="rnnlab-class-")
            environ.setdefault("RNN_LAB_DATA_DIR", self._data_dir.name)
        self.database_url = environ.get("RNN_LAB_DATABASE_URL") or (
            f"sqlite:///{Path(environ['RNN_LAB_DATA_DIR']) / 'rnn_lab.sqlite3'}"
        )
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.peak_kb = 0
        self._sampling = True
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError("the app did not start within 90 s")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return 0

    def _sample(self) -> None:
        while self._sampling:
            self.peak_kb = max(self.peak_kb, self.rss_kb())
            time.sleep(0.2)

    def stop(self) -> None:
        self._sampling = False
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Session:
    """One browser session spoken over Streamlit's own websocket protocol: what the frontend sends and receives
    (protobuf BackMsg / ForwardMsg), minus the drawing. It reruns pages, presses buttons, sets number inputs and,
    like the frontend, reruns a fragment with ``run_every`` at its interval whenever no script is running; a
    widget drawn inside a fragment (the Train page's training area) reruns that fragment alone, as in a browser."""

    def __init__(self, url: str, query: str = ""):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.query = query
        self.page = ""
        self.page_hash = ""  # the page the server last ran (its navigation message), sent back as the frontend does
        self.running = False
        self.finished = 0  # script runs finished (full or fragment)
        self.finished_at = 0.0  # perf_counter() at the last script_finished
        self.ids: dict[str, str] = {}  # widget key -> widget id, as drawn
        self.in_fragment: dict[str, str] = {}  # widget id -> the fragment that drew it ("" outside any)
        self.metrics: list[str] = []  # st.metric values of the last run
        self.errors: list[str] = []  # exceptions and error alerts drawn
        self.fragment: tuple[str, float] | None = None  # (fragment id, interval) of a fragment with run_every
        self._changed = asyncio.Event()

    async def __aenter__(self):
        from websockets.asyncio.client import connect

        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        self._reader.cancel()
        await self.ws.close()

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # st.navigation says which page it ran
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "session_status_changed":
                self.running = msg.session_status_changed.script_is_running
                if self.running:
                    self.metrics = []
            elif kind == "script_finished":
                self.finished += 1
                self.finished_at = time.perf_counter()  # when the browser would have the whole run
                self.running = False
            elif kind == "auto_rerun":
                self.fragment = (msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            elif kind == "stop_auto_rerun":
                self.fragment = None
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which in ("button", "download_button", "number_input"):
                    widget_id = getattr(element, which).id
                    self.ids[widget_id.rsplit("-", 1)[-1]] = widget_id
                    self.in_fragment[widget_id] = msg.delta.fragment_id
                elif which == "metric":
                    self.metrics.append(element.metric.body)
                elif which == "exception":
                    self.errors.append(f"exception: {element.exception.message[:120]}")
                elif which == "alert" and element.alert.format == 1:  # ERROR
                    self.errors.append(f"error: {element.alert.body[:120]}")
            self._changed.set()

    async def _until(self, condition, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            self._changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no answer within {timeout:.0f} s")
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
            except TimeoutError:
                continue

    async def rerun(self, page: str | None = None, widgets: dict | None = None, fragment: str = "", timeout=300):
        """Send one rerun (a page, widget values, or a fragment's auto-rerun) and wait until the server is idle:
        its run finished and no other run (a server-side st.rerun) followed within 0.2 s. That 0.2 s is the bench's
        own check, not the user's wait: time a rerun up to ``finished_at``, the moment its last run finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if page is not None:  # another page, by its name (the server finds its script)
            self.page = page
        else:  # the same page, by the hash the server gave it, as the frontend sends it: a fragment's st.rerun()
            state.page_script_hash = self.page_hash  # reruns the script of the request that ran the fragment
        state.page_name = self.page
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        elif widgets:  # a widget drawn by a fragment reruns that fragment alone, as the frontend asks
            drawn_by = {self.in_fragment.get(widget_id, "") for widget_id in widgets}
            if len(drawn_by) == 1 and "" not in drawn_by:
                state.fragment_id = drawn_by.pop()
        for widget_id, value in (widgets or {}).items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            if value is True:
                w.trigger_value = True
            else:
                w.int_value = int(value)
        before = self.finished
        await self.ws.send(msg.SerializeToString())
        try:  # a fragment rerun for a fragment the page no longer draws is dropped by the server: no answer at all
            await self._until(lambda: self.running or self.finished > before, 10 if fragment else timeout)
        except TimeoutError:
            if fragment:
                self.fragment = None if self.fragment and self.fragment[0] == fragment else self.fragment
                return
            raise
        while True:
            await self._until(lambda seen=before: self.finished > seen and not self.running, timeout)
            before = self.finished
            await asyncio.sleep(0.2)
            if not self.running and self.finished == before:
                return

    async def poll_until(self, condition, timeout: float) -> None:
        """Rerun the page's run_every fragment at its interval (as the frontend does) until ``condition()``."""
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no result within {timeout:.0f} s")
            if self.fragment is None:  # no live fragment known: rerun the page like a reload would
                await asyncio.sleep(1.0)
                await self.rerun(timeout=deadline - time.perf_counter())
                continue
            fragment_id, interval = self.fragment
            await asyncio.sleep(interval)
            await self.rerun(fragment=fragment_id, timeout=deadline - time.perf_counter())


async def student(url: str, i: int, link: str, timeout: float) -> dict:
    """Home page -> Train -> press Train -> the result; seconds from the press to the result, and any error."""
    await asyncio.sleep(i * ARRIVAL_GAP)  # the class arrives over half a minute, not in one millisecond
    out = {"student": i, "lstm": link is SAMSUNG_LSTM, "seconds": None, "errors": []}
    try:
        async with Session(url, link) as session:
            await session.rerun(page="")  # the home page, from the link the teacher shared
            await session.rerun(page="train")
            pressed = time.perf_counter()
            out["pressed_at"] = pressed
            await session.rerun(widgets={session.ids["btn_train_start"]: True})
            await session.poll_until(lambda: "btn_train_dl_model" in "".join(session.ids), timeout)
            out["seconds"] = session.finished_at - pressed  # the run that drew the result, not the bench's check
            out["errors"] += session.errors
    except Exception as err:  # noqa: BLE001 - a session that fails is counted, not fatal to the measurement
        out["errors"].append(f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}")
    return out


async def bystander(url: str, done: asyncio.Event) -> dict:
    """A student who is not training: set the units on the Architecture page once a second and time each rerun
    until the server has sent the whole page with the new total (SimpleRNN(u) on (5, 1) + Dense(1): u*u + 3u + 1)."""
    times, errors = [], []
    try:
        async with Session(url) as session:
            await session.rerun(page="architecture")
            units = 10
            while not done.is_set():
                units = 11 if units == 10 else 10
                started = time.perf_counter()
                await session.rerun(widgets={session.ids["arch_units_1"]: units}, timeout=120)
                times.append(session.finished_at - started)  # not the 0.2 s the bench waits to see it was the last
                if f"{units * units + 3 * units + 1:,}" not in session.metrics:
                    errors.append(f"the total for {units} units was not drawn: {session.metrics}")
                await asyncio.sleep(1.0)
            errors += session.errors
    except Exception as err:  # noqa: BLE001
        errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}")
    return {"times": times, "errors": errors}


async def _classroom(url: str, students: int, timeout: float) -> dict:
    done = asyncio.Event()
    watcher = asyncio.create_task(bystander(url, done))
    await asyncio.sleep(3)  # the bystander's page is up before the class arrives
    started = time.perf_counter()
    links = [SAMSUNG_LSTM if i % 5 == 4 else COUNTING for i in range(students)]
    results = await asyncio.gather(*(student(url, i, link, timeout) for i, link in enumerate(links)))
    everyone = time.perf_counter() - started
    for r in results:  # seconds after the first student arrived
        if "pressed_at" in r:
            r["pressed_at"] = round(r["pressed_at"] - started, 2)
    done.set()
    watched = await watcher
    return {"results": results, "everyone_seconds": everyone, "bystander": watched}


def run_classroom(url: str, students: int, timeout: float = 600) -> dict:
    """Drive ``students`` sessions against the app at ``url``; returns the raw measurements."""
    return asyncio.run(_classroom(url, students, timeout))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def saved_runs(database_url: str, since: float, wait: float = 30.0) -> dict:
    """What the run store holds of the runs started after ``since`` (epoch seconds): ``{"saved": n done,
    "workspaces": distinct workspaces, "states": {state: n}}``, once nothing is queued or running (a run's final
    record is written by the server's store writer just after its result is shown: up to ``wait`` seconds)."""
    import datetime as dt

    import sqlalchemy as sa

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a script from bench/
    from rnn_lab.store.schema import runs

    engine = sa.create_engine(database_url)
    start = dt.datetime.fromtimestamp(since, dt.UTC)
    query = sa.select(runs.c.state, runs.c.workspace_id, runs.c.created_at)
    deadline = time.time() + wait
    try:
        while True:
            with engine.connect() as conn:
                rows = conn.execute(query).all()
            mine = [r for r in rows if _utc(r.created_at) >= start]
            states: dict[str, int] = {}
            for r in mine:
                states[r.state] = states.get(r.state, 0) + 1
            if not (states.keys() & {"queued", "running"}) or time.time() > deadline:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    return {"saved": states.get("done", 0), "workspaces": len({r.workspace_id for r in mine}), "states": states}


def _utc(moment):
    """SQLite gives back naive datetimes (written in UTC), PostgreSQL aware ones."""
    import datetime as dt

    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


MODE_NAMES = ("queue", "queue-1tf", "no-queue")


def modes(cores: int) -> dict[str, tuple[str, dict[str, str]]]:
    """The three ways to run the server: its name on the command line -> (the table's label, environment)."""
    return {
        "queue": (f"queue, {cores} at once (the default)", {"RNN_LAB_MAX_TRAININGS": str(cores)}),
        "queue-1tf": (
            f"queue, {max(1, cores - 1)} at once, 1 TensorFlow thread each (docs/deploy.md)",
            {"RNN_LAB_MAX_TRAININGS": str(max(1, cores - 1)), "TF_NUM_INTRAOP_THREADS": "1"},
        ),
        "no-queue": ("no queue (before issue 12)", {"RNN_LAB_MAX_TRAININGS": "1000"}),
    }


class Profiler:
    """``py-spy record --format raw`` on the server process while the class works (py-spy needs ptrace: root)."""

    def __init__(self, pid: int, out: Path):
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        spy = Path(sys.executable).with_name("py-spy")
        command = [str(spy) if spy.exists() else "py-spy", "record", "--pid", str(pid), "--format", "raw"]
        command += ["--threads", "--nonblocking", "--rate", "50", "--output", str(out)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _frame_name(frame: str) -> str:
    """``function (path/to/file.py:12)`` -> ``function (file.py)``: one name per function, lines merged."""
    name, _, where = frame.rpartition(" (")
    if not name:
        return frame
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("/site-packages/", "/work/", "/tmp/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    parts = path.split("/")
    if len(parts) > 2 and parts[0] not in ("rnn_lab", "ui", "app_pages", "bench"):
        parts = parts[:1] + parts[-1:]  # a library: its package and file
    return f"{name} ({'/'.join(parts[-3:])})"


def profile_shares(raw: Path, top: int = 10) -> dict[str, list[tuple[str, float]]]:
    """From py-spy's raw (collapsed) stacks: the functions with the largest share of all samples, counting a sample
    once for every function on its stack (``inclusive``: the project's own functions, what calls the heavy work),
    and the functions the samples were in (``self``: where the CPU actually went)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame_name(f) for f in stack.split(";") if not f.startswith(("thread (", "process "))]
        if not frames:
            continue
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for name in set(frames):
            if name.split(" (", 1)[1].startswith(("rnn_lab/", "ui/", "app_pages/")):
                inclusive[name] = inclusive.get(name, 0) + n
    total = max(total, 1)

    def largest(counts: dict[str, int]) -> list[tuple[str, float]]:
        return [(k, v / total) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "inclusive": largest(inclusive), "self": largest(own)}


def print_profile(name: str, shares: dict, out=sys.stdout) -> None:
    print(file=out)
    print(f"Profile of the server, {name} ({shares['samples']} samples of py-spy at 50 Hz, all threads):", file=out)
    print(file=out)
    for kind, title in (("inclusive", "the project's functions, with what they call"), ("self", "where CPU went")):
        print(f"| {title} | share |", file=out)
        print("|---|---|", file=out)
        for function, share in shares[kind]:
            print(f"| `{function}` | {share:.1%} |", file=out)
        print(file=out)


def _one_class(server: Server, args, mode: str, stem: str, k: int) -> tuple[dict, dict | None]:
    """One class on ``server``: the measurements as one JSON-ready object, and the profile's shares (or None)."""
    profiler = Profiler(server.proc.pid, Path(args.profile) / f"{stem}.txt") if args.profile else None
    load = os.getloadavg()
    idle_kb = server.rss_kb()
    server.peak_kb = idle_kb  # this class's peak
    started = time.time()
    try:
        got = run_classroom(server.url, args.students)  # every session closes its websocket when done
    finally:
        if profiler is not None:
            profiler.stop()
    stored = saved_runs(server.database_url, started)  # every result shown must be a saved run (issue 24)
    time.sleep(LEAVE_WAIT)
    left_kb = server.rss_kb()
    results = got["results"]
    ok = [r["seconds"] for r in results if r["seconds"] is not None and not r["errors"]]
    errors = sum(1 for r in results if r["errors"] or r["seconds"] is None) + len(got["bystander"]["errors"])
    bys = got["bystander"]["times"]
    row = {
        "mode": mode,
        "class": k,
        "students": args.students,
        "everyone_s": round(got["everyone_seconds"], 2),
        "median_s": round(statistics.median(ok), 2) if ok else None,
        "max_s": round(max(ok), 2) if ok else None,
        "results": len(ok),
        "errors": errors,
        "students_s": [  # each student: pressed Train (s after the first arrived), and seconds to the result
            [r.get("pressed_at"), None if r["seconds"] is None else round(r["seconds"], 2)] for r in results
        ],
        "saved_runs": stored["saved"],
        "runs_missing": max(0, len(ok) - stored["saved"]),  # a student saw a result the store does not hold
        "store_states": stored["states"],
        "bystander_p50_s": round(_percentile(bys, 0.5), 3) if bys else None,
        "bystander_p95_s": round(_percentile(bys, 0.95), 3) if bys else None,
        "bystander_n": len(bys),
        "idle_gb": round(idle_kb / 1024 / 1024, 3),
        "peak_gb": round(server.peak_kb / 1024 / 1024, 3),
        "left_gb": round(left_kb / 1024 / 1024, 3),
        "load_average": [round(v, 2) for v in load],
        "cores": os.cpu_count() or 1,
    }
    for r in results:
        if r["errors"]:
            print(f"  student {r['student']}: {'; '.join(r['errors'])}", file=sys.stderr)
    for e in got["bystander"]["errors"]:
        print(f"  bystander: {e}", file=sys.stderr)
    shares = None
    if profiler is not None and profiler.out.exists():
        shares = profile_shares(profiler.out)
        row["profile"] = {key: v if key == "samples" else [list(x) for x in v] for key, v in shares.items()}
    return row, shares


def _print_row(row: dict, label: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(row), flush=True)
        return

    def s(v, fmt):
        return "-" if v is None else format(v, fmt)

    print(
        f"| {label} | {row['everyone_s']:.0f} s | {row['results']} of {row['students']} / {row['errors']} | "
        f"{s(row['median_s'], '.1f')} s / {s(row['max_s'], '.1f')} s | {row['saved_runs']} / {row['runs_missing']} | "
        f"{s(row['bystander_p50_s'], '.2f')} s / "
        f"{s(row['bystander_p95_s'], '.2f')} s ({row['bystander_n']}) | "
        f"{row['idle_gb']:.2f} / {row['peak_gb']:.2f} / {row['left_gb']:.2f} GB |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument(
        "--modes", default=",".join(MODE_NAMES), help=f"comma-separated, of {', '.join(MODE_NAMES)} (default: all)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per mode instead of the Markdown table")
    parser.add_argument("--profile", metavar="DIR", help="sample the server with py-spy; raw stacks into DIR")
    parser.add_argument("--classes", type=int, default=1, help="classes one after another on the same server")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    known = modes(cores)
    chosen = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in known]
    if unknown or not chosen:
        parser.error(f"--modes: {', '.join(unknown) or 'none given'}; choose from {', '.join(MODE_NAMES)}")
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    if not args.json:
        print(f"Machine: {cpu}, {cores} cores; load average at start {os.getloadavg()[0]:.1f}")
        print(f"{args.students} students over Streamlit's websocket protocol + 1 student on the Architecture page")
        print()
        print(
            "| mode | all results after | results / errors | press-to-result median / max | runs saved / missing | "
            "Architecture rerun "
            "p50 / p95 (n) | server memory: idle / peak / 30 s after the class left |"
        )
        print("|---|---|---|---|---|---|---|")
    profiles = []
    for mode in chosen:
        name, env = known[mode]
        # Streamlit drops a closed tab's session after server.disconnectedSessionTTL (120 s by default; 10 s here so
        # the bench need not wait two minutes): its runs and models go, and the watcher cancels its queued jobs.
        server = Server({**env, "RNN_LAB_WARM_UP": "1", "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "10"})
        try:
            for k in range(1, args.classes + 1):  # --classes 2: a second class on the same server, after the first
                label = name if args.classes == 1 else f"{name}, class {k} of {args.classes}"
                stem = mode if args.classes == 1 else f"{mode}-class{k}"
                row, shares = _one_class(server, args, mode, stem, k)
                if shares is not None:
                    profiles.append((label, shares))
                _print_row(row, label, args.json)
        finally:
            server.stop()
    for name, shares in profiles:
        print_profile(name, shares, sys.stderr if args.json else sys.stdout)  # stdout stays JSON lines with --json


if __name__ == "__main__":
    main()
