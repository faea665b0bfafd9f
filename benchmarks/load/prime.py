"""Priming a scan pool before its measured run: every primed resident (client.lua: the even ones of each wrk
thread's slice) taps in once at its first stop, through the API of the server under load, so that the
measured scans alternate tap-outs and tap-ins as a morning rush does. Sent from Python threads, each with its
own keep-alive connection (wrk cannot stop a run early).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from urllib.parse import urlsplit

from wrk import THREADS


def primed(tokens: list[str], stops: list[str], threads: int = THREADS) -> list[tuple[str, str, str]]:
    """(token, stop token, key suffix) of each primed resident, in client.lua's numbering."""
    found = []
    for t in range(threads):
        mine = tokens[t::threads]
        for i in range(2, len(mine) + 1, 2):  # Lua's 1-based index i, even: primed
            found.append((mine[i - 1], stops[(i * 7) % len(stops)], f"{t + 1}-{i}"))
    return found


def prime(base: str, tokens: list[str], stops: list[str], nonce: str, clients: int) -> Counter:
    """Tap every primed resident in; returns the answers counted as "tapped_in" or what else came back."""
    jobs = primed(tokens, stops)
    answers: Counter = Counter()
    lock = threading.Lock()
    place = urlsplit(base)

    def work(share: list[tuple[str, str, str]]) -> None:
        conn = http.client.HTTPConnection(place.hostname, place.port, timeout=30)
        try:
            for token, stop, suffix in share:
                got = _scan(conn, token, stop, f"{nonce}-prime-{suffix}")
                with lock:
                    answers[got] += 1
        finally:
            conn.close()

    workers = [threading.Thread(target=work, args=(jobs[n::clients],)) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


def _scan(conn: http.client.HTTPConnection, token: str, stop: str, key: str) -> str:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-Request-ID": f"ld-{key}-in",
    }
    conn.request("POST", "/api/v1/transit/scans", body=json.dumps({"stop_token": stop}), headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    if answer.status >= 300:
        return f"HTTP {answer.status}"
    return json.loads(body).get("kind", "?")
