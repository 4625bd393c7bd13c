"""``make bench`` / ``make bench-smoke``: start Inscrire as it runs in
production (gunicorn + the Huey consumer, separate processes, free ports,
their own DATA_DIR, mail over SMTP to a local sink), seed it, drive it from
a separate client process (``bench.client``), and print one table plus a
JSON file in ``bench/results/``. Every figure is taken beside its baseline
in the same run and reported as a ratio. Timings never go into tests.

    python -m bench.run --size smoke|full [--backends sqlite,postgres] [--workers 2 --threads 4]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
PYTHON = sys.executable
STARTUP_TIMEOUT = 240.0
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/h_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")

SIZES = {
    # CI: proves the harness end to end, a minute or so a backend once the schema is cached.
    "smoke": dict(clients=5, burst=20, files=5, paced=10, baseline=20, help=30, staff_requests=4, drain=20,
                  help_concurrency=5, inbox={"sqlite": [100, 300], "postgres": [100, 300]}, bills=20),
    # 2 cores, both backends, about 6 minutes. The 5,000-submission burst and
    # 100k dossiers on SQLite take 16 (README « Benchmarks »):
    # ``--burst 5000 --inbox 1000,10000,100000`` runs them.
    "full": dict(clients=50, burst=1000, files=50, paced=100, baseline=500, help=1000, staff_requests=50,
                 drain=500, help_concurrency=20,
                 inbox={"sqlite": [1000, 10000], "postgres": [1000, 10000, 100000]}, bills=10000),
}

TARGETS = {
    "submit_vs_wagtail": 0.7, "submit_vs_bare": 0.2, "submit_p95_ms": 300, "inbox_queries": 12,
    "inbox_p95_ms_pg_100k": 150, "help_cached_vs_bare": 0.5, "drain_vs_noop": 0.2, "rss_mb": 250,
    "rss_growth": 0.10,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Processes --------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGCONT)  # in case the drain left it paused
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


class SmtpSink:
    """aiosmtpd on a free port: counts what it receives, keeps nothing."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.count = 0
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                with sink._lock:
                    sink.count += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


@dataclass
class App:
    backend: str
    data_dir: Path
    env: dict
    url: str
    web: subprocess.Popen | None = None
    huey: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def manage_json(self, *args: str) -> dict:
        return json.loads(self.manage(*args).strip().splitlines()[-1])

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.data_dir / f"{name}.log", "wb") as out:
            return subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self, spec: dict) -> dict:
        spec = {"base": self.url, "manifest_path": str(self.data_dir / "bench_manifest.json"), **spec}
        result = subprocess.run([PYTHON, "-m", "bench.client", json.dumps(spec)], cwd=BASE_DIR,
                                capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            raise RuntimeError(f"client {spec['scenario']} failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout)

    def memory(self) -> dict:
        workers = children_of(self.web.pid) if self.web else []
        return {"web_workers_mb": [round(rss_mb(p), 1) for p in workers],
                "consumer_mb": round(rss_mb(self.huey.pid), 1) if self.huey else 0.0}


def _wait(condition, what: str, process: subprocess.Popen, app: App, name: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not condition():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{app.log(name)[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {STARTUP_TIMEOUT:.0f} s")
        time.sleep(0.1)


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _schema_key() -> str:
    """What the migrated database depends on: our migrations and the
    installed packages (Wagtail's, Viewflow's… migrations come with them)."""
    digest = hashlib.sha1()
    for path in sorted(BASE_DIR.glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for dist in sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()):
        digest.update(dist.encode())
    return digest.hexdigest()[:12]


def _admin(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/postgres")), parsed.path.lstrip("/")


def _postgres_drop(url: str) -> callable:
    def drop() -> None:
        import psycopg

        admin, name = _admin(url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def _migrated(app: App, backend: str) -> None:
    """A migrated database with the demo loaded, from a cache when the schema
    has not changed (migrating Wagtail and Viewflow from scratch takes a
    minute or two on 2 busy cores): a copied SQLite file, or a PostgreSQL
    template database ``<name>_tpl_<key>``."""
    key = _schema_key()
    if backend == "sqlite":
        cache = RESULTS / ".cache" / f"sqlite-{key}.sqlite3"
        target = app.data_dir / "db.sqlite3"
        if cache.exists():
            shutil.copyfile(cache, target)
            return
        log("sqlite: migrate (no cached schema yet)")
        app.manage("migrate", "--noinput")
        app.manage("load_demo")
        app.manage("shell", "-c", "from django.db import connection; connection.cursor().execute('PRAGMA wal_checkpoint(TRUNCATE)')")
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("sqlite-*.sqlite3"):
            old.unlink()
        shutil.copyfile(target, cache)
        return
    import psycopg

    admin, name = _admin(POSTGRES_URL)
    template = f"{name}_tpl_{key}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        templates = [row[0] for row in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{name}_tpl_%",))]
        if template in templates:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        for old in templates:
            conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log("postgres: migrate (no cached schema yet)")
    app.manage("migrate", "--noinput")
    app.manage("load_demo")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')


def _redis_cleanup(url: str, prefix: str) -> callable:
    def clean() -> None:
        import redis

        client = redis.Redis.from_url(url)
        for pattern in {prefix, re.sub("[^A-Za-z0-9_]", "", prefix)}:
            for key in client.scan_iter(match=f"*{pattern}*", count=1000):
                client.delete(key)

    return clean


# --- One backend ------------------------------------------------------------------------------


def run_backend(backend: str, size: dict, args, sink: SmtpSink) -> dict:
    result: dict = {"backend": backend}
    with ExitStack() as stack:
        data_dir = Path(tempfile.mkdtemp(prefix=f"h_bench-{backend}-"))
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        prefix = f"h_bench_{os.getpid()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings", DJANGO_ENV="development", DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver", SITE_URL=url, DATA_DIR=str(data_dir),
            MEDIA_ROOT=str(data_dir / "media"), PRIVATE_MEDIA_ROOT=str(data_dir / "private"),
            AWS_STORAGE_BUCKET_NAME="", HUEY_IMMEDIATE="false", HUEY_WORKERS=str(args.huey_workers),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port), EMAIL_USE_TLS="false", EMAIL_USE_SSL="false", EMAIL_TIMEOUT="10",
            LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", REDIS_KEY_PREFIX=prefix,
            DATABASE_URL=f"sqlite:///{data_dir / 'db.sqlite3'}", REDIS_URL="",
        )
        if backend == "postgres":
            stack.callback(_postgres_drop(POSTGRES_URL))
            env.update(DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL)
            stack.callback(_redis_cleanup(REDIS_URL, prefix))
        app = App(backend=backend, data_dir=data_dir, env=env, url=url)
        stack.callback(lambda: _keep_logs(app))

        t = time.monotonic()
        _migrated(app, backend)
        per_client = max(1, size["burst"] // size["clients"])
        files_per_client = max(1, size["files"] // size["clients"])
        paced_per_client = max(1, size["paced"] // size["clients"])
        app.manage("bench_seed", "--families", str(size["clients"]), "--children",
                   str(per_client + files_per_client + paced_per_client))
        result["setup_s"] = round(time.monotonic() - t, 1)

        app.huey = app.start("huey", [PYTHON, "manage.py", "run_huey"])
        stack.callback(stop, app.huey)
        app.web = app.start("web", [
            PYTHON, "-m", "gunicorn", "inscrire.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
            "--backlog", "2048", "--graceful-timeout", "5", "--timeout", "120", "--error-logfile", "-",
            # Longer than a saturated worker takes to read the next request of a
            # kept-alive connection (with the default 2 s, gthread closes some
            # while their request waits: the client sees a reset, not a 5xx).
            "--keep-alive", "30",
        ])
        stack.callback(stop, app.web)
        _wait(lambda: _responds(url + "/"), "gunicorn", app.web, app, "web")
        time.sleep(1)
        if app.huey.poll() is not None:
            raise RuntimeError(f"run_huey exited:\n{app.log('huey')[-3000:]}")
        manifest = json.loads((data_dir / "bench_manifest.json").read_text())

        # 4. Help page: Wagtail, Wagtail behind cache_page, the bare view with the same HTML.
        log(f"{backend}: help page")
        hc = size["help_concurrency"]
        result["help"] = {
            name: app.client({"scenario": "get", "url": path, "requests": size["help"], "concurrency": hc})
            for name, path in (("bare", "/bench/aide-brute/"), ("wagtail", manifest["help_url"]),
                               ("wagtail_cached", "/bench/cache" + manifest["help_url"]))
        }

        # 3. Inbox and list at each size, against Viewflow's task list.
        result["inbox"] = {}
        for total in size["inbox"][backend]:
            log(f"{backend}: inbox at {total} dossiers")
            t = time.monotonic()
            app.manage("bench_inbox", "--total", str(total))
            seeded = round(time.monotonic() - t, 1)
            pages = app.client({
                "scenario": "staff", "director": "inbox_director", "concurrency": 2,
                "requests": size["staff_requests"],
                "urls": {"list": "/cms/dossiers/", "inbox": "/cms/dossiers/?state=submitted",
                         "list_last_page": "/cms/dossiers/?p=99999", "viewflow": "/bench/viewflow/"},
            })
            result["inbox"][str(total)] = {"bulk_insert_s": seeded, **pages}

        # 1. Submissions: bare insert, Wagtail form page, ours (the burst, 2.), ours with PDFs.
        log(f"{backend}: baselines")
        clients = size["clients"]
        base_per = max(1, size["baseline"] // clients)
        result["submit"] = {
            "bare": app.client({"scenario": "post", "url": "/bench/bare/", "concurrency": clients,
                                "per_client": base_per, "data": {}, "tag_child": True}),
            "wagtail": app.client({"scenario": "post", "url": manifest["wagtail_url"], "concurrency": clients,
                                   "per_client": base_per, "data": manifest["wagtail_data"],
                                   "warm_url": manifest["wagtail_url"]}),
        }
        result["memory_before"] = app.memory()
        log(f"{backend}: burst of {per_client * clients} submissions from {clients} clients")
        result["submit"]["ours"] = app.client({"scenario": "submit", "page": "ours", "concurrency": clients,
                                               "per_client": per_client})
        result["memory_after"] = app.memory()
        log(f"{backend}: waiting for the outbox")
        deadline = time.monotonic() + 600
        counts = app.manage_json("bench_count")
        while counts["outbox_pending"] and time.monotonic() < deadline:
            time.sleep(2)
            counts = app.manage_json("bench_count")
        result["burst"] = counts
        log(f"{backend}: with two 200 KB PDFs")
        result["submit"]["ours_files"] = app.client({
            "scenario": "submit", "page": "ours_files", "concurrency": clients, "per_client": files_per_client,
            "with_files": True, "child_offset": per_client})
        # The same 50 clients, paced at half the burst's throughput: the
        # latency a family sees when the server is busy but not saturated.
        pace = max(1.0, round(result["submit"]["ours"]["rps"] / 2, 2))
        log(f"{backend}: paced at {pace} submissions/s")
        result["submit"]["ours_paced"] = app.client({
            "scenario": "submit", "page": "ours", "concurrency": clients, "per_client": paced_per_client,
            "child_offset": per_client + files_per_client, "pace_rps": pace})
        result["submit"]["ours_paced"]["pace_rps"] = pace

        # 5. Notifications against Huey's no-op rate.
        log(f"{backend}: notification drain")
        received = sink.count
        result["drain"] = app.manage_json("bench_drain", "--count", str(size["drain"]),
                                          "--consumer-pid", str(app.huey.pid))
        result["drain"]["smtp_received"] = sink.count - received
        result["memory_end"] = app.memory()
        # 7. The monthly bills of many families (the Huey task's service), in
        # process — last: its families' dossiers are not the burst's.
        log(f"{backend}: bills of {size['bills']} families")
        result["bills"] = app.manage_json("bench_bills", "--families", str(size["bills"]))
        errors = [line for line in app.log("web").splitlines() if "Traceback" in line or " ERROR " in line]
        result["web_log_errors"] = len(errors)
    return result


def _keep_logs(app: App) -> None:
    target = RESULTS / "logs"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("web", "huey"):
        if (app.data_dir / f"{name}.log").exists():
            shutil.copyfile(app.data_dir / f"{name}.log", target / f"{app.backend}-{name}.log")


# --- Report -----------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def figures(r: dict, size_name: str) -> list[tuple[str, str, str, str, str]]:
    """(figure, ours, baseline, ratio, target/verdict) rows for one backend."""
    rows = []
    s = r["submit"]
    ours, bare, wag, files = s["ours"], s["bare"], s["wagtail"], s["ours_files"]

    def ok(flag: bool) -> str:
        return "met" if flag else "MISSED"

    rows.append(("submission, no files: req/s", f"{ours['rps']}", f"Wagtail form {wag['rps']}",
                 f"{ratio(ours['rps'], wag['rps'])}", f"≥ 0.7 {ok(ratio(ours['rps'], wag['rps']) >= 0.7)}"))
    rows.append(("", "", f"bare insert {bare['rps']}", f"{ratio(ours['rps'], bare['rps'])}",
                 f"≥ 0.2 {ok(ratio(ours['rps'], bare['rps']) >= 0.2)}"))
    rows.append(("submission p50/p95/p99 ms", f"{ours['p50_ms']}/{ours['p95_ms']}/{ours['p99_ms']}",
                 f"Wagtail {wag['p50_ms']}/{wag['p95_ms']}/{wag['p99_ms']}; bare {bare['p50_ms']}/{bare['p95_ms']}/{bare['p99_ms']}",
                 f"{ratio(ours['p95_ms'], wag['p95_ms'])} (p95)", f"p95 < 300 {ok(ours['p95_ms'] < 300)}"))
    paced = s.get("ours_paced")
    if paced:
        rows.append((f"  paced at {paced['pace_rps']}/s (half the burst's rate): p50/p95/p99 ms",
                     f"{paced['p50_ms']}/{paced['p95_ms']}/{paced['p99_ms']}", "", "",
                     f"p95 < 300 {ok(paced['p95_ms'] < 300)}"))
    rows.append(("  (opening the draft, untimed above)", f"{ours['open']['rps']} req/s, p95 {ours['open']['p95_ms']}",
                 "", "", ""))
    rows.append(("submission + 2×200 KB PDF: req/s", f"{files['rps']} (p95 {files['p95_ms']})",
                 f"Wagtail form {wag['rps']}", f"{ratio(files['rps'], wag['rps'])}", "—"))
    b = r["burst"]
    answered = ours["units"]
    integrity = (ours["server_errors"] == 0 and b["dossiers"] == b["submitted"] and b["processes"] == b["dossiers"]
                 and b["active_tasks"] == b["dossiers"] and b["outbox"] == 2 * b["dossiers"]
                 and not any(b[k] for k in ("dup_dossiers", "dup_processes", "dup_tasks", "dup_outbox"))
                 and b["submitted"] == answered)
    rows.append((f"burst: {answered} submitted (2xx/3xx) from {len(ours.get('statuses', {})) and r['clients']} clients",
                 f"dossiers {b['dossiers']}, processes {b['processes']}, tasks {b['active_tasks']}, "
                 f"outbox {b['outbox']} (sent {b['outbox_sent']})",
                 f"5xx {ours['server_errors']}, dup {b['dup_dossiers']}/{b['dup_processes']}/{b['dup_tasks']}/{b['dup_outbox']}",
                 "", f"0 err/lost/dup {ok(integrity)}"))
    sizes = list(r["inbox"])
    for total in sizes:
        i = r["inbox"][total]
        rows.append((f"list at {int(total):,} dossiers: queries, p95 ms",
                     f"list {i['list']['queries']} q {i['list']['p95_ms']}; inbox {i['inbox']['queries']} q "
                     f"{i['inbox']['p95_ms']}; last page {i['list_last_page']['queries']} q {i['list_last_page']['p95_ms']}",
                     f"Viewflow {i['viewflow']['queries']} q {i['viewflow']['p95_ms']}",
                     f"{ratio(i['inbox']['p95_ms'], i['viewflow']['p95_ms'])} (p95)",
                     f"≤ 12 q {ok(max(i['list']['queries'], i['inbox']['queries']) <= 12)}"))
    first, last = r["inbox"][sizes[0]], r["inbox"][sizes[-1]]
    same = first["list"]["queries"] == last["list"]["queries"] and first["inbox"]["queries"] == last["inbox"]["queries"]
    slower = any(r["inbox"][t][p]["p95_ms"] > r["inbox"][t]["viewflow"]["p95_ms"] for t in sizes for p in ("list", "inbox"))
    p95_target = ""
    if r["backend"] == "postgres" and sizes[-1] == "100000":
        p95_target = f"; p95 < 150 at 100k {ok(max(last['list']['p95_ms'], last['inbox']['p95_ms']) < 150)}"
    rows.append(("  same queries at every size; vs Viewflow", f"{'yes' if same else 'NO'}", "", "",
                 f"same {ok(same)}; not slower {ok(not slower)}{p95_target}"))
    h = r["help"]
    rows.append(("help page req/s", f"Wagtail {h['wagtail']['rps']}; cached {h['wagtail_cached']['rps']}",
                 f"bare view {h['bare']['rps']}", f"{ratio(h['wagtail']['rps'], h['bare']['rps'])} / "
                 f"{ratio(h['wagtail_cached']['rps'], h['bare']['rps'])}",
                 f"cached ≥ 0.5 {ok(ratio(h['wagtail_cached']['rps'], h['bare']['rps']) >= 0.5)}"))
    d = r["drain"]
    rows.append((f"notification drain ({d['count']}) msg/s", f"{d['messages_per_s']} (SMTP got {d['smtp_received']})",
                 f"Huey no-op {d['noop_per_s']}", f"{d['ratio']}", f"≥ 0.2 {ok(d['ratio'] >= 0.2)}"))
    bills = r.get("bills")
    if bills:
        small, full = bills["small"], bills["all"]
        rows.append((f"bills of {bills['families']:,} families: s, queries",
                     f"{full['seconds']} s, {full['queries']} q ({full['bills']} bills)",
                     f"{bills['families_small']:,} families: {small['seconds']} s, {small['queries']} q", "",
                     f"< 60 s {ok(full['seconds'] < 60)}; queries do not grow {ok(full['queries'] <= small['queries'])}"))
    before, after = r["memory_before"], r["memory_after"]
    w0, w1 = max(before["web_workers_mb"] or [0]), max(after["web_workers_mb"] or [0])
    c0, c1 = before["consumer_mb"], r["memory_end"]["consumer_mb"]
    growth = ratio(w1 - w0, w0)
    rows.append(("RSS web worker MB (before → after burst)", f"{w0} → {w1}", f"consumer {c0} → {c1}",
                 f"+{round(100 * growth, 1)} %",
                 f"< 250 MB {ok(w1 < 250)}; growth < 10 % {ok(growth < 0.10)}"))
    return rows


def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n{r['backend_label']}\n")
        lines.append("| figure | ours | baseline | ratio | target |")
        lines.append("| --- | --- | --- | --- | --- |")
        for row in figures(r, r["size"]):
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="smoke")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    parser.add_argument("--huey-workers", type=int, default=2)
    parser.add_argument("--inbox", default="", help="comma-separated dossier counts, e.g. 1000,10000,100000")
    parser.add_argument("--burst", type=int, default=0)
    args = parser.parse_args()
    size = dict(SIZES[args.size])
    if args.inbox:
        size["inbox"] = {backend: [int(n) for n in args.inbox.split(",")] for backend in ("sqlite", "postgres")}
    if args.burst:
        size["burst"] = args.burst
    labels = {"sqlite": "SQLite + SqliteHuey", "postgres": "PostgreSQL + RedisHuey"}
    started = time.monotonic()
    results = []
    sink = SmtpSink()
    try:
        for backend in args.backends.split(","):
            t = time.monotonic()
            r = run_backend(backend, size, args, sink)
            r.update(size=args.size, clients=size["clients"], seconds=round(time.monotonic() - t, 1),
                     backend_label=f"{labels[backend]} — {args.size}, gunicorn {args.workers}×{args.threads} "
                                   f"gthread, {args.huey_workers} Huey threads")
            results.append(r)
    finally:
        sink.close()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    document = {"when": stamp, "machine": machine(), "size": args.size, "sizes": size, "targets": TARGETS,
                "seconds": round(time.monotonic() - started, 1), "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{args.size}-{stamp}.json"
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    text = f"Machine: {document['machine']}; {document['seconds']} s in all\n" + table(results)
    (RESULTS / f"latest-{args.size}.md").write_text(text + "\n")
    print(text)
    print(f"\nJSON: {out.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
