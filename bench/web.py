"""The owners' pages under load, one run, three figures (issue 12, item 6).

1. The login page (``GET /``) served by ``coproctl serve`` against a bare Starlette app
   serving the same HTML under the same uvicorn settings: requests a second, and their
   ratio (goal >= 0.5). Closed loop, keep-alive connections, from client processes of
   their own (raw sockets, prebuilt requests: the lightest client Python has).
2. Successful logins a second (the page, then the form posted with its CSRF token; a
   login counts when the answer sends the owner to the espace client) against the argon2
   limit: cores / the time of one argon2id hash with the application's parameters,
   measured in this same run (goal >= 0.7).
   On a machine shared with others, cores / one hash overstates what the cores give: the
   run also measures hashes a second with one hashing process per core (the ceiling now),
   and gives the logins' ratio to it.
3. The p95 latency of a login (the POST, from sending it to its answer) at half that
   limit, arrivals evenly spaced (open loop: a slow answer does not slow the arrivals);
   and at half the measured hash rate.

Each pair (our page and the bare one; the hash rate and the logins) is measured in
alternation, ``--rounds`` times, and the median of the rounds' ratios is given: the load
of a shared machine drifts, and touches both sides of a ratio alike this way.

The rate limits are raised for the run (every request comes from 127.0.0.1): they are
still counted in the database on every login, as in production. The machine's load
average is printed before and after: the figures mean little on a busy machine.

    python bench/web.py [--seconds 5] [--rounds 3] [--workers CORES] [--clients 8]
                        [--postgres URL]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mail import database, free_port  # the bench folder's own helpers

PASSWORD = "Bench-Brume-Ortie-93"  # noqa: S105 (made-up accounts)
ACCOUNTS = 64
BARE_APP = """
import os
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

with open(os.environ["BENCH_HTML"], encoding="utf-8") as handle:
    HTML = handle.read()


async def login_page(request):
    return HTMLResponse(HTML)


app = Starlette(routes=[Route("/", login_page)])
"""


def environment(db_url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}
    env.update(
        {
            "COPROCTL_HOME": str(home),
            "COPROCTL_DATABASE_URL": db_url,
            "COPROCTL_SECRET_KEY": "bench-" + "w" * 40,
            "COPROCTL_MAIL_TRANSPORT": f"file:{home / 'mail'}",
            "COPROCTL_WEB_RATE_PER_ADDRESS": "100000",
            "COPROCTL_WEB_RATE_PER_IDENTIFIANT": "10000",
        }
    )
    return env


def prepare(env: dict[str, str]) -> list[str]:
    """The schema, and active accounts whose password is PASSWORD (argon2id)."""
    os.environ.update(env)
    from sqlalchemy import update

    from coproctl import clock
    from coproctl.config import load_settings
    from coproctl.models import ACTIVE, Account
    from coproctl.services.maintenance.setup import initialise
    from coproctl.services.office import open_backoffice
    from coproctl.services.owners.accounts import create_account

    settings = load_settings()
    initialise(settings)
    identifiants = [f"BENCH{number:03d}" for number in range(ACCOUNTS)]
    with open_backoffice(settings, "bench") as office:
        for number, identifiant in enumerate(identifiants):
            create_account(
                office,
                identifiant,
                owner_ref=f"BW{number:04d}",
                last_name="Lefèvre",
                initial_password=PASSWORD,
            )
        with office.uow() as uow:
            uow.session.execute(
                update(Account)
                .where(Account.identifiant.in_(identifiants))  # type: ignore[union-attr]
                .values(status=ACTIVE, email="bench@example.com", email_verified_at=clock.now())
            )
            uow.commit()
    return identifiants


def one_hash_seconds(samples: int = 30) -> float:
    """The median time of one argon2id hash with the application's parameters, here."""
    from coproctl.security.passwords import hash_password

    hash_password(PASSWORD)  # warm-up
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        hash_password(PASSWORD)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _hash_loop(seconds: float, results: multiprocessing.Queue) -> None:
    from coproctl.security.passwords import hash_password

    done, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        hash_password(PASSWORD)
        done += 1
    results.put(done)


def parallel_hash_rate(processes: int, seconds: float) -> float:
    """Hashes a second with one hashing process per core, now: the ceiling this machine
    really offers at the moment (below cores / one hash when others use the cores)."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()
    workers = [
        context.Process(target=_hash_loop, args=(seconds, results)) for _ in range(processes)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    total = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / (time.perf_counter() - started)


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def start(command: list[str], env: dict[str, str], cwd: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_until_up(port, process)
    return process


# --- 1. GET / throughput: client processes with raw keep-alive sockets -----------------------


def _read_response(sock: socket.socket, buffer: bytearray) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked) off a keep-alive socket; its
    status. ``buffer`` keeps what was read past it."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    if match:
        length = int(match.group(1))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            rest += chunk
        buffer[:] = rest[length:]
        return status
    # chunked
    while not re.search(rb"(^|\r\n)0\r\n\r\n", rest):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    buffer[:] = rest[rest.index(b"0\r\n\r\n") + 5 :]
    return status


def _get_loop(port: int, seconds: float, threads: int, results: multiprocessing.Queue) -> None:
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: bench\r\n\r\n".encode()
    counts = [0] * threads
    errors = [0] * threads
    end = time.monotonic() + seconds

    def run(index: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        buffer = bytearray()
        while time.monotonic() < end:
            sock.sendall(request)
            try:
                status = _read_response(sock, buffer)
            except ConnectionError:
                sock = socket.create_connection(("127.0.0.1", port))
                buffer.clear()
                errors[index] += 1
                continue
            if status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
        sock.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((sum(counts), sum(errors)))


def page_rate(port: int, seconds: float, processes: int, threads: int) -> float:
    """Requests a second for GET /, after a warm-up of a second."""
    context = multiprocessing.get_context("fork")
    for duration, keep in ((1.0, False), (seconds, True)):
        results: multiprocessing.Queue = context.Queue()
        clients = [
            context.Process(target=_get_loop, args=(port, duration, threads, results))
            for _ in range(processes)
        ]
        started = time.perf_counter()
        for client in clients:
            client.start()
        totals = [results.get() for _ in clients]
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
        if keep:
            done = sum(t[0] for t in totals)
            failed = sum(t[1] for t in totals)
            if failed:
                raise SystemExit(f"GET /: {failed} answers were not 200")
            return done / elapsed
    raise AssertionError("unreachable")


# --- 2. and 3. logins ---------------------------------------------------------------------


class _LoginForm(HTMLParser):
    """The login form's action, its hidden fields, and its fields' names by their labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # id -> name
        self.labels: dict[str, str] = {}  # label text -> id
        self.action = "/"
        self._label: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "action" in a:
            self.action = a["action"] or self.action
        elif tag == "input":
            if a.get("type") == "hidden":
                self.hidden[a.get("name", "")] = a.get("value", "")
            elif "id" in a:
                self.ids[a["id"]] = a.get("name", "")
        elif tag == "label":
            self._label = (a.get("for", ""), [])

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label is not None:
            self.labels[" ".join("".join(self._label[1]).split())] = self._label[0]
            self._label = None

    def name_of(self, label: str) -> str:
        return self.ids[self.labels[label]]


def _cookies(response: http.client.HTTPResponse) -> str:
    pairs = []
    for value in response.headers.get_all("Set-Cookie") or []:
        pairs.append(value.split(";", 1)[0])
    return "; ".join(pairs)


def one_login(port: int, identifiant: str) -> tuple[str, float]:
    """GET the login page, then POST the form: ("ok" when the answer sends the owner to the
    espace client, else what came instead), and the seconds the POST took."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    try:
        connection.request("GET", "/")
        page = connection.getresponse()
        html = page.read().decode()
        if page.status != 200:
            return f"GET / {page.status}", 0.0
        cookie = _cookies(page)
        form = _LoginForm()
        form.feed(html)
        body = dict(form.hidden)
        body[form.name_of("Identifiant")] = identifiant
        body[form.name_of("Mot de passe")] = PASSWORD
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        encoded = urllib.parse.urlencode(body)
        start = time.perf_counter()
        connection.request("POST", form.action, body=encoded, headers=headers)
        answer = connection.getresponse()
        answer.read()
        elapsed = time.perf_counter() - start
    except OSError as exc:
        return f"{type(exc).__name__}", time.perf_counter() - start
    finally:
        connection.close()
    path = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
    if answer.status in (302, 303) and path not in ("", "/"):
        return "ok", elapsed
    return f"POST {answer.status} {path}".strip(), elapsed


def login_rate(
    port: int, identifiants: list[str], seconds: float, clients: int
) -> tuple[float, Counter[str]]:
    """Closed loop: ``clients`` threads logging in again and again; successes a second, and
    what the others got."""
    end = time.monotonic() + seconds
    done = [0] * clients
    failed: Counter[str] = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        turn = index
        while time.monotonic() < end:
            outcome, _ = one_login(port, identifiants[turn % len(identifiants)])
            turn += clients
            if outcome == "ok":
                done[index] += 1
            else:
                with lock:
                    failed[outcome] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - started), failed


def latencies_at(port: int, identifiants: list[str], rate: float, seconds: float) -> dict:
    """Open loop: a login every 1/rate s, each in a thread of its own (64 at most at once);
    the POST's time of each successful one, what the others got, and how late the latest
    arrival started (the generator keeping up)."""
    count = max(int(rate * seconds), 20)
    interval = 1 / rate
    times: list[float] = []
    late: list[float] = []
    failed: Counter[str] = Counter()
    lock = threading.Lock()
    slots = threading.Semaphore(64)

    def run(number: int, due: float) -> None:
        try:
            with lock:
                late.append(time.perf_counter() - due)
            outcome, elapsed = one_login(port, identifiants[number % len(identifiants)])
            with lock:
                if outcome == "ok":
                    times.append(elapsed)
                else:
                    failed[outcome] += 1
        finally:
            slots.release()

    origin = time.perf_counter() + 0.1
    threads = []
    for number in range(count):
        due = origin + number * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        slots.acquire()
        thread = threading.Thread(target=run, args=(number, due))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    ordered = sorted(times) or [float("nan")]
    return {
        "n": len(times),
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
        "max_late": max(late),
        "failed": failed,
    }


def failures(counted: Counter[str]) -> str:
    if not counted:
        return ""
    return " — FAILED: " + ", ".join(f"{n} × {what}" for what, n in counted.most_common())


def bare_server(folder: Path, html: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """The bare Starlette app serving ``html`` under coproctl serve's uvicorn options
    (cli/serve.py: access log at info, no proxy headers, no server header)."""
    (folder / "bare.html").write_text(html, encoding="utf-8")
    (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "BENCH_HTML": str(folder / "bare.html")}
    command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "info", "--no-proxy-headers", "--no-server-header"]
    return start(command, env, folder, port), port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each measure's length")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of each pair")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (closed)")
    parser.add_argument("--client-processes", type=int, default=2, help="for GET / (1.)")
    parser.add_argument("--postgres", default="", metavar="URL")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({cores} cores)")
    threads = args.clients // args.client_processes or 1

    with (
        tempfile.TemporaryDirectory() as name,
        database(args.postgres, Path(name)) as db_url,
    ):
        folder = Path(name)
        env = environment(db_url, folder / "home")
        identifiants = prepare(env)
        port = free_port()
        serve = [sys.executable, "-m", "coproctl", "serve", "--insecure-http"]
        serve += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        server = start(serve, env, folder, port)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("GET", "/")
            html = connection.getresponse().read().decode()
            connection.close()
            bare, bare_port = bare_server(folder, html, args.workers)
            try:  # the pairs alternate, so that the drift of a shared machine touches both
                pages = []
                for _ in range(args.rounds):
                    ours = page_rate(port, args.seconds, args.client_processes, threads)
                    theirs = page_rate(bare_port, args.seconds, args.client_processes, threads)
                    pages.append((ours, theirs))
            finally:
                stop(bare)
            rounds = []
            login_failures: Counter[str] = Counter()
            for _ in range(args.rounds):
                hash_time = one_hash_seconds()
                measured = parallel_hash_rate(cores, args.seconds)
                logins, failed = login_rate(port, identifiants, args.seconds, args.clients)
                login_failures += failed
                rounds.append((hash_time, measured, logins))
            hash_time = statistics.median(r[0] for r in rounds)
            measured = statistics.median(r[1] for r in rounds)
            limit = cores / hash_time
            latency = latencies_at(port, identifiants, limit / 2, 2 * args.seconds)
            measured_latency = latencies_at(port, identifiants, measured / 2, 2 * args.seconds)
        finally:
            stop(server)

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"coproctl serve --workers {args.workers}, database {engine}; {args.rounds} rounds of "
        f"{args.seconds:g} s a measure, medians of the rounds"
    )
    ratio = statistics.median(ours / theirs for ours, theirs in pages)
    print(
        f"1. GET / : {statistics.median(p[0] for p in pages):8.0f} req/s   bare Starlette, same "
        f"HTML: {statistics.median(p[1] for p in pages):8.0f} req/s   ratio {ratio:.2f}  "
        f"(goal >= 0.5; rounds: {', '.join(f'{a / b:.2f}' for a, b in pages)})"
    )
    logins = statistics.median(r[2] for r in rounds)
    to_limit = statistics.median(r[2] * r[0] / cores for r in rounds)
    to_measured = statistics.median(r[2] / r[1] for r in rounds)
    print(
        f"2. logins: {logins:8.1f} /s      argon2 limit {limit:.1f} /s ({cores} cores / "
        f"{hash_time * 1000:.1f} ms a hash)   ratio {to_limit:.2f}  (goal >= 0.7; rounds: "
        f"{', '.join(f'{r[2] * r[0] / cores:.2f}' for r in rounds)})" + failures(login_failures)
    )
    print(
        f"   the same machine hashing on {cores} processes at once: {measured:.1f} hashes/s "
        f"(what the cores give now); logins against it: ratio {to_measured:.2f}"
    )
    for label, rate, found in (
        ("half the limit", limit / 2, latency),
        ("half the measured hash rate", measured / 2, measured_latency),
    ):
        print(
            f"3. at {rate:.1f} logins/s ({label}), {found['n']} logins: POST p50 "
            f"{found['p50'] * 1000:.0f} ms, p95 {found['p95'] * 1000:.0f} ms, p99 "
            f"{found['p99'] * 1000:.0f} ms (arrivals at most {found['max_late'] * 1000:.0f} ms "
            "late)" + failures(found["failed"])
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
