"""The cyclic garbage collector is paused while a large file is read: a full
collection over a large heap stops every other thread (about a second per
collection was seen in CI during an 80,201-row import)."""
from __future__ import annotations

import gc
import threading

from cem.core.memory import collector_paused
from cem.journey import excel
from tests.test_large_import import large_workbook


def test_the_pause_nests_across_threads_and_restores_what_was():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_import():
        with collector_paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_import)
    with collector_paused():
        worker.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other import still reads
    release.set()
    worker.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_an_import_runs_no_full_collection_and_leaves_the_collector_on(session):
    data = large_workbook(stages=50, steps=100)  # 20,051 rows
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        excel.import_journey(session, data=data, user="tester")
    finally:
        gc.callbacks.remove(count)
    assert collections.count(2) == 0  # before the pause: 3-4 full collections
    assert gc.isenabled()
