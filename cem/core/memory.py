"""Pausing Python's cyclic garbage collector while a large file is read.

Reading 80,000 rows allocates millions of small objects, and each time
enough have piled up Python runs a full collection over the whole heap
while holding the interpreter lock: every other thread, so every other
user's save and sign-in, stops meanwhile. In a process with a large heap
(a server that has been up for a while, or a long test run) one such pause
took about a second, several times per import. The rows stay alive until
the import ends anyway, so collecting them during it frees nothing. Memory
freed by reference counting is freed as usual.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_state = {"holders": 0, "was_enabled": True}


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection until the last of the blocks that
    asked for the pause has ended; then as it was before."""
    with _lock:
        if _state["holders"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["holders"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["holders"] -= 1
            if _state["holders"] == 0 and _state["was_enabled"]:
                gc.enable()
