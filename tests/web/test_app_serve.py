"""``coproctl serve`` and the server's background work (issue 12): nothing of the web is
imported by other commands, settings are checked before the server starts, and mail is
delivered by the server's background task (never inside a request)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from tests.test_startup import loaded_by
from tests.web.conftest import Site

WEB = {"starlette", "uvicorn", "jinja2", "multipart", "python_multipart", "httpx"}


def test_other_commands_import_nothing_of_the_web() -> None:
    for args in (["--help"], ["serve", "--help"], ["account", "--help"]):
        loaded = loaded_by(*args)
        assert not loaded & WEB, (args, loaded & WEB)
        assert "sqlalchemy" not in loaded


def test_serve_refuses_bad_settings_in_french_before_starting(env: dict[str, str]) -> None:
    def serve(**extra: str) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "coproctl", "serve", "--insecure-http", "--port", "1"],
            capture_output=True,
            text=True,
            env={**_environ(), **env, **extra},
            timeout=120,
        )

    uninitialised = serve()
    assert uninitialised.returncode == 2
    assert "coproctl init" in uninitialised.stderr
    assert "Traceback" not in uninitialised.stderr
    init = [sys.executable, "-m", "coproctl", "init"]
    subprocess.run(init, env={**_environ(), **env}, check=True, capture_output=True)
    pale = serve(COPROCTL_SYNDIC_COLOUR="#ffee88")
    assert pale.returncode == 2
    assert "SYNDIC_COLOUR" in pale.stderr
    assert "contraste" in pale.stderr
    proxies = serve(COPROCTL_WEB_TRUSTED_PROXIES="nginx")
    assert proxies.returncode == 2
    assert "WEB_TRUSTED_PROXIES" in proxies.stderr


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("COPROCTL_")}


def test_the_server_delivers_queued_mail_in_the_background(site: Site) -> None:
    """With its deliverer on, the server sends the code a request queued; the request itself
    returned with the mail still queued (or already handed over by the deliverer)."""
    site.account()
    app = site.app(web_mail_interval_seconds=30)  # woken by the request, not by the clock
    with site.visitor(app) as owner:
        site.sign_in(owner)
        owner.get("/mise-a-jour/e-mail")
        owner.post(
            "/mise-a-jour/e-mail",
            {"email": "marie@example.com", "confirm_email": "marie@example.com"},
        )
        for _ in range(200):  # up to 20 s on two busy cores; the deliverer is woken at once
            if site.mails():
                break
            time.sleep(0.1)
        kinds = [mail["X-Coproctl-Kind"] for mail in site.mails()]
        assert kinds == ["update_code"]
    assert site.rows("SELECT status FROM outbox_message") == [("sent",)]
