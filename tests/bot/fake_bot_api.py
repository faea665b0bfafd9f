"""A fake Telegram Bot API on 127.0.0.1: the real python-telegram-bot code path, no network.

PTB posts ``application/x-www-form-urlencoded`` bodies (every value a string, nested objects such as
``reply_markup`` JSON-encoded) and ``multipart/form-data`` when it uploads a file (``sendPhoto`` with bytes).
Each call is recorded as ``(method, params)``; an uploaded file arrives in ``params`` as bytes.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from telegram import Update
from telegram.ext import Application

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "碳普惠", "username": "carbon_test_bot"}
PHOTO_SIZE = {"file_id": "photo-1", "file_unique_id": "p1", "width": 290, "height": 290}
_update_ids = itertools.count(1)


class FakeBotAPI:
    """``with FakeBotAPI() as api:`` serves on a free port; ``api.base_url`` is for ApplicationBuilder."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.pending_updates: list[dict] = []
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- what the tests read ---------------------------------------------------------------------------
    def of(self, *methods: str) -> list[dict]:
        """The params of every recorded call to one of ``methods``, in order."""
        with self._lock:
            return [params for method, params in self.calls if method in methods]

    def sent(self) -> list[dict]:
        """Messages and photos sent to people (``sendMessage`` and ``sendPhoto``), in order."""
        return self.of("sendMessage", "sendPhoto")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- answers ---------------------------------------------------------------------------------------
    def answer(self, method: str, params: dict) -> object:
        with self._lock:
            self.calls.append((method, params))
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            with self._lock:
                batch, self.pending_updates[:] = list(self.pending_updates), []
            return batch
        if method in {"sendMessage", "editMessageText", "editMessageReplyMarkup"}:
            return self._message(params, text=params.get("text", ""))
        if method == "sendPhoto":
            return self._message(params, photo=[PHOTO_SIZE], caption=params.get("caption"))
        if method in {"answerCallbackQuery", "deleteWebhook", "setWebhook", "setMyCommands"}:
            return True
        raise LookupError(method)

    def _message(self, params: dict, **content) -> dict:
        message_id = int(params.get("message_id") or next(self._ids))
        chat = {"id": int(params["chat_id"]), "type": "private"}
        body = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER}
        return body | {key: value for key, value in content.items() if value is not None}


def _handler_for(api: FakeBotAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            method = self.path.rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            params = _parse(self.headers.get("Content-Type", ""), self.rfile.read(length))
            try:
                status, body = 200, {"ok": True, "result": api.answer(method, params)}
            except LookupError:
                status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:  # quiet
            pass

    return Handler


def _parse(content_type: str, body: bytes) -> dict:
    """Form fields as strings; in a multipart body, uploaded files as bytes."""
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params = {}
        for part in message.iter_parts():
            value = part.get_payload(decode=True)
            params[part.get_param("name", header="content-disposition")] = (
                value if part.get_filename() else value.decode()
            )
        return params
    return dict(parse_qsl(body.decode()))


@dataclass
class Person:
    """Someone in a private chat with the bot; each call sends one update and returns its update_id."""

    user_id: int
    first_name: str = "小明"
    language_code: str | None = "zh-hans"
    message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def user(self) -> dict:
        user = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        return user | ({"language_code": self.language_code} if self.language_code else {})

    def message(self, text: str, update_id: int | None = None) -> dict:
        """A text message; a leading /command gets the bot_command entity Telegram adds."""
        message = {
            "message_id": next(self.message_ids),
            "date": 1_780_000_000,
            "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
            "from": self.user(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": update_id or next(_update_ids), "message": message}

    def press(self, data: str, update_id: int | None = None, message_id: int = 1000) -> dict:
        """A press on an inline button under the bot's message ``message_id``."""
        bot_message = {
            "message_id": message_id,
            "date": 1_780_000_000,
            "chat": {"id": self.user_id, "type": "private"},
            "from": {"id": 123456, "is_bot": True, "first_name": "bot"},
            "text": "…",
        }
        query = {
            "id": f"cq{next(_update_ids)}",
            "from": self.user(),
            "chat_instance": "ci-1",
            "message": bot_message,
            "data": data,
        }
        return {"update_id": update_id or next(_update_ids), "callback_query": query}


async def feed(app: Application, data: dict) -> int:
    """Process one update dict through the Application; returns its update_id."""
    await app.process_update(Update.de_json(data, app.bot))
    return data["update_id"]
