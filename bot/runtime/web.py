"""One HTTP server for every webhook and for ``GET /healthz`` (tornado).

Tornado is already what python-telegram-bot's webhook extra brings, is well kept, and refuses a
body over ``max_body_size`` from its Content-Length before reading it. Each route is a small
function ``(headers, body) -> (status, json)``: the messenger adapters write those; this module
knows nothing about any messenger.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a webhook event is a few kilobytes; nothing larger is read
Route = Callable[[Mapping[str, str], bytes], Awaitable[tuple[int, dict]]]
Health = Callable[[], Awaitable[tuple[bool, dict]]]
# ``GET /files/<token>``: (status, content type, filename, bytes); a file offered by a single-use link.
FileRoute = Callable[[str], Awaitable[tuple[int, str, str, bytes]]]


class WebServer:
    def __init__(self, listen: str, port: int, *, max_body: int = MAX_BODY) -> None:
        self.listen = listen
        self.port = port
        self.max_body = max_body
        self._posts: dict[str, Route] = {}
        self._health: Health | None = None
        self._files: FileRoute | None = None
        self._server = None

    def post(self, path: str, route: Route) -> None:
        self._posts[path] = route

    def health(self, check: Health) -> None:
        self._health = check

    def files(self, route: FileRoute) -> None:
        self._files = route

    async def start(self) -> int:
        """Listen; returns the port (useful when ``port`` is 0: any free port)."""
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        server = self

        class Post(tornado.web.RequestHandler):
            async def post(self, path: str = "") -> None:
                route = server._posts.get(self.request.path)
                if route is None:
                    self.set_status(404)
                    return
                try:
                    status, body = await route(self.request.headers, self.request.body or b"")
                except Exception as error:  # never a traceback (or a person's text) to the caller
                    log.error("webhook %s failed: %s", self.request.path, type(error).__name__)
                    status, body = 500, {"ok": False}
                self.set_status(status)
                self.finish(body)

            def log_exception(self, typ, value, tb) -> None:  # tornado would log the request
                log.warning("web request failed: %s", typ.__name__ if typ else "?")

        class Healthz(tornado.web.RequestHandler):
            async def get(self) -> None:
                ok, body = (await server._health()) if server._health else (True, {})
                self.set_status(200 if ok else 503)
                self.set_header("Content-Type", "application/json")
                self.finish(json.dumps(body, ensure_ascii=False))

        class Files(tornado.web.RequestHandler):
            async def get(self, token: str) -> None:
                if server._files is None:
                    self.set_status(404)
                    return
                status, mime, filename, content = await server._files(token)
                self.set_status(status)
                self.set_header("Cache-Control", "no-store")
                if status == 200:
                    self.set_header("Content-Type", mime)
                    self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
                    self.finish(content)
                else:
                    self.finish(b"")

            def log_exception(self, typ, value, tb) -> None:
                log.warning("web request failed: %s", typ.__name__ if typ else "?")

        app = tornado.web.Application([(r"/healthz", Healthz), (r"/files/([A-Za-z0-9_-]{16,128})", Files),
                                       (r"/(.*)", Post)], log_function=lambda handler: None)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=self.max_body, max_buffer_size=self.max_body)
        sockets = tornado.netutil.bind_sockets(self.port, self.listen)
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        log.info("web server on %s:%s (%s)", self.listen, self.port, ", ".join(["/healthz", *self._posts]))
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def json_body(body: bytes) -> object | None:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None
