"""A small HTTP client that fills the pages' forms as a browser would, without a browser.

For the tests that talk to several servers at once (``test_two_servers.py``): one cookie
jar sent to whichever server a request goes to (as a browser does for one host name), forms
found by the name of their submit button and fields by their label, hidden fields (the CSRF
token) sent as they came. Nothing here knows the pages' field names.
"""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie


@dataclass
class Form:
    action: str
    method: str
    fields: list[dict[str, str]] = field(default_factory=list)  # input, select, textarea
    buttons: list[dict[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    """The forms of a page, their fields and buttons, and every label's text by its target."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}
        self._form: Form | None = None
        self._label: tuple[str, list[str], list[dict[str, str]]] | None = None
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "label":
            self._label = (a.get("for", ""), [], [])
        elif tag in ("input", "select", "textarea") and self._form is not None:
            kind = a.get("type", "text").lower() if tag == "input" else tag
            entry = {**a, "type": kind}
            if kind in ("submit", "image"):
                entry["text"] = a.get("value", "")
                self._form.buttons.append(entry)
            else:
                self._form.fields.append(entry)
                if self._label is not None:
                    self._label[2].append(entry)
        elif tag == "button" and self._form is not None:
            self._button = {**a, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label[1].append(data)
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label is not None:
            target, words, inside = self._label
            text = " ".join("".join(words).split())
            if target:
                self.labels[target] = text
            for entry in inside:  # a field inside its label
                entry.setdefault("id", f"__in_label_{id(entry)}")
                self.labels[entry["id"]] = text
            self._label = None
        elif tag == "button" and self._button is not None and self._form is not None:
            self._button["text"] = " ".join(self._button["text"].split())
            if self._button.get("type", "submit").lower() == "submit":
                self._form.buttons.append(self._button)
            self._button = None


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    url: str


class Browserless:
    """One cookie jar, any number of servers (base URLs), redirects followed (303/302 → GET)."""

    def __init__(self, client_address_header: dict[str, str] | None = None) -> None:
        self.cookies: dict[str, str] = {}
        self.extra_headers = client_address_header or {}

    def request(self, method: str, url: str, body: dict[str, str] | None = None) -> Response:
        for _ in range(10):
            parts = urllib.parse.urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            headers = dict(self.extra_headers)
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            data = None
            if body is not None:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            try:
                connection.request(method, path, body=data, headers=headers)
                answer = connection.getresponse()
                text = answer.read().decode("utf-8", "replace")
            finally:
                connection.close()
            for value in answer.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if answer.status in (301, 302, 303, 307) and answer.headers.get("Location"):
                url = urllib.parse.urljoin(url, answer.headers["Location"])
                if answer.status != 307:
                    method, body = "GET", None
                continue
            return Response(answer.status, answer.headers, text, url)
        raise AssertionError(f"too many redirects from {url}")

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def submit(
        self, page: Response, button: str, values: dict[str, str], base: str = ""
    ) -> Response:
        """Fill the form whose submit button reads ``button`` (fields by label) and post it
        to ``base`` (another server than the page's, when given) + the form's action."""
        parser = _Forms()
        parser.feed(page.text)
        for form in parser.forms:
            pressed = [b for b in form.buttons if b["text"] == button]
            if pressed:
                break
        else:
            raise AssertionError(f"no form with a button « {button} » on {page.url}")
        body: dict[str, str] = {}
        for entry in form.fields:
            if entry.get("name") and entry["type"] not in ("checkbox", "radio"):
                body[entry["name"]] = entry.get("value", "")
            elif entry.get("name") and "checked" in entry:
                body[entry["name"]] = entry.get("value", "on")
        for label, value in values.items():
            named = [
                e
                for e in form.fields
                if parser.labels.get(e.get("id", "")) == label and e.get("name")
            ]
            assert named, f"no field labelled « {label} » in the form « {button} »"
            body[named[0]["name"]] = value
        if pressed[0].get("name"):
            body[pressed[0]["name"]] = pressed[0].get("value", "")
        target = urllib.parse.urljoin(page.url, form.action or page.url)
        if base:
            parts = urllib.parse.urlsplit(target)
            target = base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        return self.request(form.method.upper() if form.method == "post" else "GET", target, body)
