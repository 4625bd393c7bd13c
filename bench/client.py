"""The load client: its own process, asyncio + httpx, one cookie jar per
simulated client. Clients log in through the login page (session cookie,
CSRF token from the cookie, sent back in ``X-CSRFToken``), never follow
redirects (a 302 after a POST is the success the browser would follow),
and record every request. Run by ``bench.run``:

    python -m bench.client '<json spec>'   →  one JSON document on stdout
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

import httpx

LOGIN_URL = "/compte/connexion/"
TIMEOUT = 120.0
_DOSSIER = re.compile(r"/dossiers/([0-9a-f-]{36})/")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Recorder:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    units: int = 0  # completed operations (a submission may be several requests)
    started: float = 0.0
    finished: float = 0.0

    def status(self, code: int | str) -> None:
        self.statuses[str(code)] = self.statuses.get(str(code), 0) + 1

    def summary(self) -> dict:
        wall = max(self.finished - self.started, 1e-9)
        ms = [1000 * x for x in self.latencies]
        return {
            "units": self.units,
            "wall_s": round(wall, 3),
            "rps": round(self.units / wall, 2),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
            "statuses": self.statuses,
            "server_errors": sum(n for code, n in self.statuses.items() if code.startswith("5") or code == "exc"),
            "queries": max(self.queries) if self.queries else None,
            "queries_min": min(self.queries) if self.queries else None,
            "errors": self.errors[:5],
        }


class Client:
    """One family (or director) with its own cookies."""

    def __init__(self, base: str) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.http = httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=TIMEOUT, limits=limits)

    async def close(self) -> None:
        await self.http.aclose()

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", "")}

    async def login(self, email: str, password: str) -> None:
        await self.http.get(LOGIN_URL)
        response = await self.http.post(LOGIN_URL, data={"username": email, "password": password}, headers=self.csrf())
        if response.status_code != 302:
            raise RuntimeError(f"login of {email} answered {response.status_code}")

    async def timed(self, rec: Recorder, method: str, url: str, ok: tuple[int, ...], **kwargs) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            rec.status("exc")
            rec.errors.append(f"{method} {url}: {error!r}")
            return None
        rec.latencies.append(time.perf_counter() - t0)
        rec.status(response.status_code)
        if "x-bench-queries" in response.headers:
            rec.queries.append(int(response.headers["x-bench-queries"]))
        if response.status_code not in ok:
            rec.errors.append(f"{method} {url}: {response.status_code} {response.text[:200]!r}")
            return None
        return response


async def _gather_clients(clients: list[Client], work) -> None:
    try:
        await asyncio.gather(*(work(i, c) for i, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.close() for c in clients))


# --- Scenarios -------------------------------------------------------------------------------


async def get_many(spec: dict) -> dict:
    """Anonymous GETs of one URL: ``requests`` in all from ``concurrency`` clients."""
    rec = Recorder()
    clients = [Client(spec["base"]) for _ in range(spec["concurrency"])]
    share = spec["requests"] // len(clients)
    for c in clients:  # warm-up: one request each (connections, caches), not recorded
        await c.http.get(spec["url"])
    rec.started = time.perf_counter()

    async def work(_i: int, c: Client) -> None:
        for _ in range(share):
            if await c.timed(rec, "GET", spec["url"], (200,)):
                rec.units += 1

    await _gather_clients(clients, work)
    rec.finished = time.perf_counter()
    return rec.summary()


async def _logged_in(spec: dict, count: int) -> list[Client]:
    manifest = spec["manifest"]
    clients = [Client(spec["base"]) for _ in range(count)]
    await asyncio.gather(*(c.login(manifest["clients"][i]["email"], manifest["password"])
                           for i, c in enumerate(clients)))
    return clients


async def posts(spec: dict) -> dict:
    """Baselines: each logged-in client POSTs ``per_client`` times to one URL."""
    rec = Recorder()
    clients = await _logged_in(spec, spec["concurrency"])
    data = spec["data"]
    for c in clients:
        await c.http.get(spec.get("warm_url", "/"))
    rec.started = time.perf_counter()

    async def work(i: int, c: Client) -> None:
        for n in range(spec["per_client"]):
            if await c.timed(rec, "POST", spec["url"], (200, 302), data={**data, "child": f"{i}-{n}"}
                             if spec.get("tag_child") else data, headers=c.csrf()):
                rec.units += 1

    await _gather_clients(clients, work)
    rec.finished = time.perf_counter()
    return rec.summary()


def _pdf(size: int, seed: int) -> bytes:
    """A real one-page PDF of about ``size`` bytes (the product opens it with pypdf)."""
    filler = b"".join(b"0 0 0 rg %% banc d'essai %d %06d\n" % (seed, n) for n in range(size // 32))
    content = b"BT /F1 12 Tf 40 800 Td (Banc d'essai) Tj ET\n" + filler
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


async def submissions(spec: dict) -> dict:
    """Our product: each client opens dossiers for its own children (``start``,
    recorded apart), then, timed, posts the step (15 answers, and the PDFs
    when asked) and submits on the summary page. A submission counts once
    both answered 302; its latency is the sum of the two."""
    manifest = spec["manifest"]
    page = manifest[spec["page"]]
    per_client = spec["per_client"]
    offset = spec.get("child_offset", 0)
    clients = await _logged_in(spec, spec["concurrency"])
    opening, rec, parts = Recorder(), Recorder(), Recorder()
    drafts: list[list[str]] = [[] for _ in clients]
    answers = dict(manifest["answers"])
    files_spec = manifest["files"] if spec.get("with_files") else []
    pdfs = [_pdf(200 * 1024, n) for n in range(len(files_spec))]

    opening.started = time.perf_counter()

    async def open_drafts(i: int, c: Client) -> None:
        for child in manifest["clients"][i]["children"][offset: offset + per_client]:
            response = await c.timed(opening, "POST", "/dossiers/commencer/", (302,),
                                     data={"page": page, "child": child}, headers=c.csrf())
            match = _DOSSIER.search(response.headers.get("location", "")) if response is not None else None
            if match:
                drafts[i].append(match.group(1))
                opening.units += 1
            elif response is not None:
                opening.errors.append(f"start: no dossier in {response.headers.get('location')!r}")

    await asyncio.gather(*(open_drafts(i, c) for i, c in enumerate(clients)))
    opening.finished = time.perf_counter()

    rec.started = time.perf_counter()
    # Paced (open loop): the clients together start ``pace_rps`` submissions a
    # second, whatever the answers take, like families arriving; otherwise
    # each client sends its next one as soon as the last is answered.
    pace = spec.get("pace_rps")
    gap = len(clients) / pace if pace else 0.0

    async def submit(i: int, c: Client) -> None:
        for n, public_id in enumerate(drafts[i]):
            if pace:
                delay = rec.started + (i / len(clients) + n) * gap - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            t0 = time.perf_counter()
            files = {name: (f"{name}.pdf", pdf, "application/pdf") for name, pdf in zip(files_spec, pdfs)}
            step = await c.timed(parts, "POST", f"/dossiers/{public_id}/etape/0/", (302,),
                                 data={**answers, "_action": "next"}, files=files or None, headers=c.csrf())
            if step is None or "recapitulatif" not in step.headers.get("location", ""):
                if step is not None:
                    parts.errors.append(f"step: went to {step.headers.get('location')!r}")
                rec.status("step-failed")
                continue
            done = await c.timed(parts, "POST", f"/dossiers/{public_id}/recapitulatif/", (302,),
                                 headers=c.csrf())
            if done is None:
                rec.status("submit-failed")
                continue
            rec.latencies.append(time.perf_counter() - t0)
            rec.status("submitted")
            rec.units += 1

    await _gather_clients(clients, submit)
    rec.finished = time.perf_counter()
    result = rec.summary()
    result["requests"] = parts.summary()
    result["open"] = opening.summary()
    result["server_errors"] = result["requests"]["server_errors"] + result["open"]["server_errors"]
    result["errors"] = (parts.errors + opening.errors)[:5]
    result["ok_2xx_3xx"] = result["requests"]["statuses"].get("302", 0)
    return result


async def staff_pages(spec: dict) -> dict:
    """A director's list pages: each URL ``requests`` times, ``concurrency`` at once."""
    manifest = spec["manifest"]
    out = {}
    for name, url in spec["urls"].items():
        rec = Recorder()
        clients = [Client(spec["base"]) for _ in range(spec["concurrency"])]
        await asyncio.gather(*(c.login(manifest[spec["director"]], manifest["password"]) for c in clients))
        for c in clients:
            await c.http.get(url)
        share = max(1, spec["requests"] // len(clients))
        rec.started = time.perf_counter()

        async def work(_i: int, c: Client, url=url, rec=rec) -> None:
            for _ in range(share):
                if await c.timed(rec, "GET", url, (200,)):
                    rec.units += 1

        await _gather_clients(clients, work)
        rec.finished = time.perf_counter()
        out[name] = rec.summary()
    return out


SCENARIOS = {"get": get_many, "post": posts, "submit": submissions, "staff": staff_pages}


def main() -> None:
    spec = json.loads(sys.argv[1])
    if "manifest_path" in spec:
        with open(spec["manifest_path"]) as fh:
            spec["manifest"] = json.load(fh)
    result = asyncio.run(SCENARIOS[spec["scenario"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
