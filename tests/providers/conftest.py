"""Fixtures for the provider tests: litellm (loaded offline, once) and the scripted local server."""

from __future__ import annotations

from types import ModuleType

import pytest

from router._providers._litellm_import import load_litellm

try:
    from tests.support.openai_server import openai_server
except ModuleNotFoundError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from support.openai_server import openai_server  # type: ignore[no-redef]

__all__ = ["litellm", "openai_server"]


@pytest.fixture(scope="session")
def litellm() -> ModuleType:
    """litellm, imported through the router's offline loader (never at collection time)."""
    return load_litellm()
