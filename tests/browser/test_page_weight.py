"""Page weight on a weak mobile connection: a resident's first visit to /me and to a stop's check-in page
/s/<token>, on a fresh browser (empty cache, signed in), transfers under 30 KB in all (the sum of every
response as sent over the network: compressed bodies and their headers, Chrome's "transferred" figure,
CDP Network.loadingFinished encodedDataLength), not counting the QR reader script, which only /scan loads.
A repeat visit fetches only the HTML: every static file comes from the browser's cache, none is downloaded
or revalidated again. Runs in the SQLite pass only; figures in test-artifacts/browser/page-weight.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from tests.browser import data
from tests.browser.checks import ARTIFACTS, PHONE

BUDGET = 30_000  # bytes transferred by a first visit
QR_READER = re.compile(r"(qr|scan)[^/]*\.js$|/qr[^/]*/.*\.js$", re.IGNORECASE)
WEIGHER = "yunmeng@demo.xiaogan.local"  # a demo resident no other browser test signs in as


@dataclass
class Transfer:
    """One request of a visit, as Chromium's network layer saw it."""

    url: str
    kind: str = ""
    status: int = 0
    bytes: int = 0
    encoding: str = ""
    cached: bool = False

    @property
    def path(self) -> str:
        return "/" + self.url.split("/", 3)[3] if self.url.count("/") >= 3 else self.url


@dataclass
class Recorder:
    """Every request of the visit in progress, from the Chrome DevTools Protocol's Network events."""

    requests: dict[str, Transfer] = field(default_factory=dict)

    def attach(self, cdp) -> None:
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)

    def visit(self, page, url: str) -> list[Transfer]:
        self.requests = {}
        page.goto(url, wait_until="networkidle")
        return list(self.requests.values())

    def _get(self, params) -> Transfer:
        return self.requests.setdefault(params["requestId"], Transfer(url=""))

    def _sent(self, params) -> None:
        self._get(params).url = params["request"]["url"]

    def _received(self, params) -> None:
        found, response = self._get(params), params["response"]
        found.url, found.kind, found.status = response["url"], params["type"], response["status"]
        headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
        found.encoding = headers.get("content-encoding", "")
        found.cached |= bool(response.get("fromDiskCache") or response.get("fromServiceWorker"))

    def _from_cache(self, params) -> None:
        self._get(params).cached = True

    def _finished(self, params) -> None:
        self._get(params).bytes = int(params["encodedDataLength"])


@pytest.fixture(scope="module")
def signed_in(browser, demo_server) -> dict:
    """The cookies of a signed-in resident, for fresh contexts with an empty cache."""
    context = browser.new_context(**PHONE.context_args())
    data.sign_in(context.new_page(), demo_server, WEIGHER)
    state = context.storage_state()
    context.close()
    return state


def _table(transfers: list[Transfer]) -> str:
    return "\n".join(
        f"  {t.status or '-':>3} {t.bytes:>7} B {t.encoding or 'identity':<8} "
        f"{'cache' if t.cached else 'network':<7} {t.kind:<10} {t.path}"
        for t in transfers
    )


@pytest.mark.parametrize("where", ["/me", "stop"], ids=["me", "stop-checkin"])
def test_first_visit_is_light_and_a_repeat_fetches_only_the_html(browser, demo_server, signed_in, where):
    url = data.stop_url(demo_server, data.STOP_A) if where == "stop" else f"{demo_server.url}{where}"
    context = browser.new_context(storage_state=signed_in, **PHONE.context_args())
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(context.new_cdp_session(page))
    first = recorder.visit(page, url)
    counted = [t for t in first if not QR_READER.search(t.path.split("?")[0])]
    total = sum(t.bytes for t in counted)
    again = recorder.visit(page, url)
    fetched = [t for t in again if t.kind != "Document" and not t.cached and t.status]
    context.close()

    name = "/s/<token>" if where == "stop" else where
    print(f"\nfirst visit to {name}: {total} bytes transferred ({len(counted)} requests)\n{_table(first)}")
    print(f"repeat visit to {name}:\n{_table(again)}")
    _save(name, total, first, again)
    failures = []
    if total >= BUDGET:
        failures.append(f"first visit to {name}: {total} bytes, budget {BUDGET}:\n{_table(counted)}")
    if fetched:
        failures.append(f"a repeat visit to {name} downloads static files again:\n{_table(fetched)}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def _save(name: str, total: int, first: list[Transfer], again: list[Transfer]) -> None:
    path = ARTIFACTS / "page-weight.json"
    figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures[name] = {
        "first_visit_bytes": total,
        "first_visit": [_row(t) for t in first],
        "repeat_visit": [_row(t) for t in again],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def _row(t: Transfer) -> dict:
    return {
        "path": t.path,
        "kind": t.kind,
        "status": t.status,
        "bytes": t.bytes,
        "encoding": t.encoding,
        "cached": t.cached,
    }
