"""Commands of the asyncio Redis client packed by hiredis, in C, as redis-py packs its sync client's.

redis-py 7 packs a synchronous connection's commands with ``hiredis.pack_command`` whenever
hiredis is installed, but an asyncio connection's always in Python, one ``Encoder.encode`` and
one ``bytes.join`` per argument. The batch path's scripts carry dozens of arguments (an item's
result, its cost records), and packing them was a fifth of the worker's time in the Redis client.
This gives an asyncio pool's connections redis-py's own hiredis packer (``HiredisRespSerializer``:
the same bytes, the same ``DataError`` for an argument of another type), keeping the connection
class the URL chose (TCP, TLS or Unix socket). Without hiredis nothing changes.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.connection import HiredisRespSerializer
from redis.utils import HIREDIS_AVAILABLE

__all__ = ["hiredis_packer", "pack_with_hiredis"]


def hiredis_packer() -> Any:
    """redis-py's ``HiredisRespSerializer``, made through ``Any``: redis-py 8.2 gave it an
    ``__init__`` without annotations (mypy's untyped call) where 8.1 had none; both pack the
    same with its defaults."""
    serializer: Any = HiredisRespSerializer
    return serializer()


class _HiredisPacking:
    """Mixed in before an asyncio connection class: ``pack_command`` by hiredis.

    ``pack_commands`` (pipelines) packs each command through ``pack_command``, so it follows.
    """

    _packer = hiredis_packer()

    def pack_command(self, *args: Any) -> list[bytes]:
        packed: list[bytes] = self._packer.pack(*args)
        return packed


_PACKED: dict[type[Any], type[Any]] = {}
"""One packing subclass per connection class, so every pool of a kind shares it."""


def _packed(connection_class: type[Any]) -> type[Any]:
    found = _PACKED.get(connection_class)
    if found is None:
        name = f"Hiredis{connection_class.__name__}"
        found = _PACKED[connection_class] = type(name, (_HiredisPacking, connection_class), {})
    return found


def pack_with_hiredis(client: aioredis.Redis) -> aioredis.Redis:
    """``client``, its pool's connections made to pack commands with hiredis when it is installed."""
    pool = client.connection_pool
    if HIREDIS_AVAILABLE and not issubclass(pool.connection_class, _HiredisPacking):
        pool.connection_class = _packed(pool.connection_class)
    return client
