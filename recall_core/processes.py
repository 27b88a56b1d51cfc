"""Facts about other processes on this machine, shared by the data cache (:mod:`recall_core.data.fetch`) and the
store's locks (:mod:`recall_core.store.locks`), which must not import each other."""
from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists here (POSIX ``kill(pid, 0)``; a process of another user counts as alive).
    Elsewhere there is no cheap check: True, so a lock or a partial download is trusted, never taken over."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
