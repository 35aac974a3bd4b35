"""The server's background deliverer: it drains the outbox every
``WEB_MAIL_INTERVAL_SECONDS``, and at once when a request has queued mail (a code the owner
waits for). Requests never send mail themselves: ``password forgot`` in particular answers
in the same time whether a code was queued or not. Every minute it also forgets expired
sessions and old rate counts. ``MAIL_DELIVERY=queue`` or an interval of 0 leaves the
outbox to cron (``mail send``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from coproctl.backoffice import Backoffice
from coproctl.services.web.upkeep import deliver_outbox, forget_expired

log = logging.getLogger("coproctl.web")
UPKEEP_SECONDS = 60.0


class Mailer:
    def __init__(self, make_office: Callable[[], Backoffice], interval: float) -> None:
        self.make_office = make_office
        self.interval = interval
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def delivers(self) -> bool:
        return self.interval > 0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """From any thread: deliver now (a request committed mail)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        upkept = time.monotonic()
        while True:
            if self.delivers:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.interval)
            else:
                await asyncio.sleep(UPKEEP_SECONDS)
            self._wake.clear()
            office = self.make_office()
            try:
                if self.delivers:
                    await run_in_threadpool(deliver_outbox, office)
                if time.monotonic() - upkept >= UPKEEP_SECONDS:
                    upkept = time.monotonic()
                    await run_in_threadpool(forget_expired, office)
            except Exception as exc:  # the next round tries again; cron is the safety net
                log.warning("background delivery postponed (%s)", type(exc).__name__)
