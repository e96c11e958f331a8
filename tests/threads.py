"""Running test work on a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def in_new_thread(work: Callable[[], Any]) -> Any:
    """``work``'s value, computed on a new thread: its per-thread Z3 context is a new one,
    which nothing else has touched."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]
