"""`safehold serve`: the app under gunicorn, a production WSGI server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]


class SafeholdServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from safehold.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int) -> None:
    SafeholdServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": "-",
            # No query strings in the access log: names never travel in URLs, but be sure.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "forwarded_allow_ips": "127.0.0.1",
            # gunicorn's control socket (`gunicornc`) is not used, and with one path per
            # user a second server on the machine would take over the first one's.
            "control_socket_disable": True,
        }
    ).run()
