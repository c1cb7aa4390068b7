"""Test probe (only on PYTHONPATH in tests/test_architecture.py): every Python process started
with it writes the modules it has imported to ``$SMARTCITY_KG_MODULE_PROBE/<pid>.json``, refreshed
every 0.2 s and at exit, so a test can see what a running server's processes (forked or spawned)
import and what a short command imported before it ended."""

import atexit
import json
import os
import sys
import threading
import time

_DIR = os.environ.get("SMARTCITY_KG_MODULE_PROBE")


def _dump() -> None:
    multiprocessing = sys.modules.get("multiprocessing")
    name = multiprocessing.current_process().name if multiprocessing else "MainProcess"
    record = {"pid": os.getpid(), "ppid": os.getppid(), "argv": sys.argv, "name": name,
              "modules": sorted({m.split(".")[0] for m in list(sys.modules)})}
    path = os.path.join(_DIR, f"{os.getpid()}.json")
    with open(path + ".tmp", "w") as handle:
        json.dump(record, handle)
    os.replace(path + ".tmp", path)


def _dump_forever() -> None:
    last = -1
    while True:
        if len(sys.modules) != last:
            last = len(sys.modules)
            _dump()
        time.sleep(0.2)


def _start() -> None:
    threading.Thread(target=_dump_forever, name="module-probe", daemon=True).start()


if _DIR:
    _start()
    os.register_at_fork(after_in_child=_start)
    atexit.register(_dump)
