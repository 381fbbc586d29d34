"""Run the gateway app under uvicorn: uvloop, httptools, the header timeout of ``_limits``, and
each response's head written with its first body chunk (``_writes``)."""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette

from router._gateway._limits import Limits, protocol_with_header_timeout
from router._gateway._writes import with_head_and_body_together


def serve(app: Starlette, *, host: str, port: int, limits: Limits) -> None:
    """Serve until SIGINT or SIGTERM; uvicorn then finishes in-flight requests and runs the shutdown."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http=with_head_and_body_together(protocol_with_header_timeout(limits.header_timeout_s)),
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=30,
    )
    uvicorn.Server(config).run()
