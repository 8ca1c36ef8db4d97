"""The trainer queue: first come, first served, with places and wait estimates."""

from __future__ import annotations

import threading
import time

import pytest

from actlib.ui.trainer_queue import QueueStatus, TrainerQueue


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def test_waiting_threads_are_served_in_order_of_arrival() -> None:
    queue = TrainerQueue(slots=1)
    assert queue.acquire("first", timeout=0)
    served: list[str] = []
    threads = []
    names = [f"s{i}" for i in range(6)]
    for position, name in enumerate(names, start=1):
        def work(name: str = name) -> None:
            assert queue.acquire(name, timeout=10)
            served.append(name)
            queue.release(name)

        thread = threading.Thread(target=work)
        thread.start()
        threads.append(thread)
        # the next thread arrives only once this one stands in the queue
        _wait_until(lambda name=name, position=position:
                    queue.status(name).position == position)
    assert [queue.status(n).position for n in names] == [1, 2, 3, 4, 5, 6]
    queue.release("first")
    for thread in threads:
        thread.join(5)
    assert served == names
    assert queue.busy == 0


def test_two_slots_serve_two_at_once_and_no_more() -> None:
    queue = TrainerQueue(slots=2)
    running, peak = 0, 0
    lock = threading.Lock()

    def work(name: int) -> None:
        nonlocal running, peak
        assert queue.acquire(name, timeout=10)
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        queue.release(name)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert peak == 2 and queue.busy == 0


def test_the_wait_estimate_schedules_the_tickets_ahead_on_the_slots() -> None:
    clock = Clock()
    queue = TrainerQueue(slots=2, grace_seconds=100, clock=clock)
    assert queue.acquire("a", timeout=0, seconds=4)
    assert queue.acquire("b", timeout=0, seconds=10)
    clock.now = 1.0
    # three owners stand in line (a zero timeout leaves each parked in its place)
    for owner, seconds in (("x", 3), ("y", 5), ("z", 1)):
        assert not queue.acquire(owner, timeout=0, seconds=seconds)
    # slots free at 3 s (a) and 9 s (b) from now; x takes the first (to 6 s), y the next
    assert queue.status("x") == QueueStatus(1, 3, 3.0)
    assert queue.status("y") == QueueStatus(2, 3, 6.0)
    assert queue.status("z") == QueueStatus(3, 3, 9.0)
    assert queue.status("a") == QueueStatus(0, 3, 0.0)
    assert queue.status("a").holds_slot
    clock.now = 20.0  # holders past their estimate: slots are due any moment
    assert queue.status("x").wait_seconds == 0.0
    assert queue.status("y").wait_seconds == 0.0
    assert queue.status("z").wait_seconds == 3.0


def test_a_place_is_kept_for_the_grace_period_then_lost() -> None:
    clock = Clock()
    queue = TrainerQueue(slots=1, grace_seconds=0.5, clock=clock)
    assert queue.acquire("holder", timeout=0)
    assert not queue.acquire("early", timeout=0)
    assert not queue.acquire("late", timeout=0)
    clock.now = 0.4
    assert queue.status("late").position == 2
    assert not queue.acquire("late", timeout=0)  # asked again: its grace starts anew
    clock.now = 0.6
    assert queue.status("late").position == 1  # "early" stayed away too long
    assert queue.status("early").position == 2  # not in line: it would join at the back


def test_a_free_slot_goes_to_the_earliest_owner_that_is_asking() -> None:
    clock = Clock()
    queue = TrainerQueue(slots=1, grace_seconds=10, clock=clock)
    assert queue.acquire("holder", timeout=0)
    assert not queue.acquire("away", timeout=0)  # drawing a frame, keeps its place
    clock.now = 0.01
    assert not queue.acquire("asking", timeout=0)
    queue.release("holder")
    assert not queue.acquire("asking", timeout=0)  # "away" looked up only a moment ago
    clock.now = 0.2
    assert queue.acquire("asking", timeout=0)  # the slot does not idle for "away"
    assert queue.status("away").position == 1  # which keeps its place
    queue.release("asking")
    assert queue.acquire("away", timeout=0)


def test_a_holder_asking_again_joins_at_the_back() -> None:
    queue = TrainerQueue(slots=1, grace_seconds=10)
    assert queue.acquire("a", timeout=0)
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(queue.acquire("b", timeout=10)))
    waiter.start()
    _wait_until(lambda: queue.status("b").position == 1)
    queue.release("a")
    assert not queue.acquire("a", timeout=0.2)  # b was first
    waiter.join(5)
    assert got == [True]
    assert queue.status("a").position == 1


def test_leaving_frees_the_place_and_misuse_is_refused() -> None:
    queue = TrainerQueue(slots=1, grace_seconds=10)
    assert queue.acquire("a", timeout=0)
    assert not queue.acquire("b", timeout=0)
    queue.leave("b")
    assert queue.status("b").waiting == 0
    with pytest.raises(RuntimeError, match="already holds"):
        queue.acquire("a", timeout=0)
    with pytest.raises(RuntimeError, match="holds no trainer slot"):
        queue.release("b")
    with pytest.raises(ValueError, match="at least one slot"):
        TrainerQueue(slots=0)
