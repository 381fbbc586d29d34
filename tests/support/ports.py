"""Free loopback ports for the servers tests start themselves."""

from __future__ import annotations

import socket


def free_pair(port: int, offset: int) -> bool:
    """Whether ``port`` and ``port + offset`` (a cluster bus, an Erlang distribution port) are free."""
    for candidate in (port, port + offset):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                return False
    return True
