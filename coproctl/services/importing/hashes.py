"""Hashing the imported initial passwords, and wrapping legacy hashes, on every core.

argon2id costs about 20 ms a password: a quarter's export of thousands of accounts is
bound by it, so the hashes are computed by a process pool while the importing process
reads and writes the database. A few jobs are computed in place (a pool's start-up would
cost more). Workers ignore Ctrl-C (the importing process handles it) and exit by themselves
when the importing process dies (``kill -9``), so no orphan keeps hashing.

Two kinds of job go to :meth:`Hasher.submit`, mixed in one list if need be; each gives the
text to store in ``account.password_hash``, or None when the account's current hash
already stands for it (nothing to write):

- ``(password, current)`` (:data:`Job`): an initial password to hash with argon2id;
- ``Wrap(legacy, construction, salt, current)``: a legacy hash for ``import legacy``, turned
  into its stored form by :func:`coproctl.security.legacy.stored_form` (a weak hash is
  wrapped in argon2id, the same cost as a password). Check each hash with
  ``legacy.describe()`` while planning (a refused one never reaches the pool: the job would
  raise :class:`~coproctl.security.legacy.UnsupportedHash` out of ``Results.get()``);
  ``describe(...).wraps`` says whether it costs an argon2id at all.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import NamedTuple

from coproctl.security import passwords

POOL_THRESHOLD = 8  # fewer jobs than this in a batch: hash in place
CHUNK = 4  # jobs per task sent to a worker


# (password, hash it must be checked against first, or None)
Job = tuple[str, str | None]


class Wrap(NamedTuple):
    """A legacy hash to store; ``construction``/``salt`` when the salt had its own column."""

    legacy: str
    construction: str | None = None
    salt: str | None = None
    current: str | None = None  # the account's stored hash, checked first


AnyJob = Job | Wrap


def compute(password: str, current: str | None) -> str | None:
    """A new argon2id hash of ``password``; None when ``current`` already verifies it."""
    if current is not None and passwords.verify(password, current)[0]:
        return None
    return passwords.hash_password(password)


def wrap(job: Wrap) -> str | None:
    """The stored form of ``job.legacy``; None when ``job.current`` already is one of it."""
    from coproctl.security import legacy  # only ``import legacy`` needs it (30 ms to import)

    options = {"construction": job.construction, "salt": job.salt}
    if job.current is not None and legacy.represents(job.current, job.legacy, **options):
        return None
    return legacy.stored_form(job.legacy, **options)


def _compute_chunk(jobs: Sequence[AnyJob]) -> list[str | None]:
    return [wrap(job) if isinstance(job, Wrap) else compute(*job) for job in jobs]


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class Results:
    """The hashes of one batch's jobs, in order, once computed."""

    def __init__(self, futures: list[Future[list[str | None]]] | None, ready: list[str | None]):
        self._futures = futures
        self._ready = ready

    def get(self) -> list[str | None]:
        if self._futures is not None:
            self._ready = [value for future in self._futures for value in future.result()]
            self._futures = None
        return self._ready


class Hasher:
    """Submit a batch's jobs; collect its :class:`Results` later, when the batch is written."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, jobs: Sequence[AnyJob]) -> Results:
        if len(jobs) < POOL_THRESHOLD or self.workers < 2:
            return Results(None, _compute_chunk(jobs))
        pool = self._ensure_pool()
        futures = [
            pool.submit(_compute_chunk, list(jobs[i : i + CHUNK]))
            for i in range(0, len(jobs), CHUNK)
        ]
        return Results(futures, [])

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: the workers start at once, with passlib already imported
            method = "fork" if sys.platform.startswith("linux") else None
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_worker_start,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self, *, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
