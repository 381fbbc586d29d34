"""Ctrl-C during a wait: a flag set by the handler, never an exception dropped or raised mid-import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from router._cli._interrupt import CtrlC, Interrupted


class _SignalsItselfWhenCollected:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside the finaliser


def test_a_ctrl_c_that_lands_in_a_finaliser_still_ends_the_wait() -> None:
    # With Python's own handler the KeyboardInterrupt is raised in __del__ and dropped.
    with CtrlC("again") as ctrl_c:
        _SignalsItselfWhenCollected()
        with pytest.raises(Interrupted):
            ctrl_c.check()


def test_before_any_ctrl_c_the_check_passes_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGINT)
    with CtrlC("again") as ctrl_c:
        assert signal.getsignal(signal.SIGINT) is not before
        ctrl_c.check()
    assert signal.getsignal(signal.SIGINT) is before


def test_outside_the_main_thread_it_changes_nothing() -> None:
    seen: list[object] = []

    def enter() -> None:
        with CtrlC("again") as ctrl_c:
            seen.append(signal.getsignal(signal.SIGINT))
            ctrl_c.check()

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert seen == [before]


def test_a_second_ctrl_c_exits_at_once_with_130_and_says_so() -> None:
    script = textwrap.dedent(
        """
        import os, signal, time
        from router._cli._interrupt import CtrlC
        with CtrlC("router: interrupted again: exiting now") as ctrl_c:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            assert ctrl_c.pressed.is_set()
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        print("not reached")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "router: interrupted again: exiting now"
    assert "not reached" not in done.stdout
