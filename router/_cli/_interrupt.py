"""Ctrl-C during a long wait, as a flag the wait polls rather than an exception raised anywhere.

Python raises ``KeyboardInterrupt`` at whatever bytecode the main thread runs
when the signal arrives. During ``router batch submit --wait`` that was seen to
go wrong two ways: raised inside a finaliser (a Redis parser's ``__del__``),
Python prints "Exception ignored" and drops it, so the job ran to the end; and
raised inside an import that another thread was also running, the process
printed its summary and then never exited. A handler that only sets an event
cannot land anywhere; the wait looks at the event between polls.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any


class Interrupted(Exception):
    """Raised by ``CtrlC.check`` in the waiting thread once Ctrl-C was pressed."""


class CtrlC:
    """While entered, the first Ctrl-C sets ``pressed``; a second one exits the process at once.

    A no-op outside the main thread, where Python does not allow signal handlers.
    """

    def __init__(self, second_press: str) -> None:
        self.pressed = threading.Event()
        self._second_press = second_press
        self._previous: Callable[[int, FrameType | None], Any] | int | None = None
        self._installed = False

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._installed:
            # None: the handler was not set from Python; Python's own is the closest default.
            previous = signal.default_int_handler if self._previous is None else self._previous
            signal.signal(signal.SIGINT, previous)
            self._installed = False

    def check(self) -> None:
        if self.pressed.is_set():
            raise Interrupted

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.pressed.is_set():
            self.pressed.set()
            return
        # The user asked twice: do not wait for the grace period or the save.
        print(self._second_press, file=sys.stderr, flush=True)
        os._exit(130)
