"""storage.engine.writer_lock: SQLite writers take turns, in this process and across processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from midback.storage.engine import make_engine, writer_lock


def test_one_turn_per_database_shared_by_its_engines(tmp_path: Path) -> None:
    first = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    again = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert writer_lock(first) is writer_lock(again)
    assert writer_lock(first) is not writer_lock(other)


def test_threads_take_turns(tmp_path: Path) -> None:
    turn = writer_lock(make_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    inside, most = [0], [0]

    def write() -> None:
        for _ in range(20):
            with turn:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_another_process_waits_for_the_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    lock_file = tmp_path / "a.db.writer"
    # The child first tries the turn without waiting and says "busy" when it is refused (the
    # handshake: no sleeping in the hope it got there), then waits for it.
    script = (
        "import fcntl, os, time\n"
        "from midback.storage.engine import make_engine, writer_lock\n"
        f"fd = os.open({str(lock_file)!r}, os.O_RDWR)\n"
        "try:\n"
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    print('free', flush=True)\n"
        "except BlockingIOError:\n"
        "    print('busy', flush=True)\n"
        "os.close(fd)\n"
        f"with writer_lock(make_engine({url!r})):\n"
        "    print(time.time(), flush=True)\n"
    )
    turn = writer_lock(make_engine(url))
    with turn:
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "busy"  # refused while this process holds it
        released = time.time()
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 0
    assert float(out) >= released  # it got the turn only once this process let go
    assert (tmp_path / "a.db.writer").exists()


def test_an_in_memory_database_has_no_lock_file(tmp_path: Path) -> None:
    turn = writer_lock(make_engine("sqlite://"))
    with turn:
        pass
    assert list(tmp_path.iterdir()) == []
