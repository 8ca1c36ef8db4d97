"""The process's trainer slots, handed out first come, first served.

Every browser session is a thread of one server process, and the host has two cores, so at
most :attr:`TrainerQueue.slots` trainings run at once. A semaphore would do that too, but
it wakes waiters in no particular order (a session could wait for ever behind newcomers)
and cannot say how long a wait will be. This queue keeps one ticket per waiting owner in
order of arrival:

* a free slot goes to the earliest ticket whose owner is asking for it, or stopped asking
  less than :attr:`TrainerQueue.hold_seconds` ago (a waiting page that looks up from the
  queue to redraw its message keeps its turn);
* an owner that stops asking for longer (the Playground draws a frame between two
  requests) keeps its place for :attr:`TrainerQueue.grace_seconds` but does not hold up
  those behind it meanwhile; after that it loses its place (a closed tab holds nothing);
* a holder that asks again after releasing joins at the back, so sessions playing frame
  by frame take turns;
* :meth:`TrainerQueue.status` tells a waiting owner its place and an estimate of its wait,
  from the seconds each holder and each ticket ahead said its turn would take, as if the
  slots served the queue in order (list scheduling).

Pure Python and thread-safe, with no Streamlit in it: the live runner adapts it to pages.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

DEFAULT_SLOTS = 2
DEFAULT_GRACE_SECONDS = 0.5
DEFAULT_HOLD_SECONDS = 0.05


@dataclass
class _Ticket:
    owner: Hashable
    seconds: float
    """How long the owner's turn will take once it has a slot (its estimate)."""
    asking: bool = True
    left_at: float = 0.0
    """When the owner stopped asking (meaningful while ``asking`` is False)."""


@dataclass(frozen=True)
class QueueStatus:
    """Where an owner stands: ``position`` 0 holds a slot, 1 is next in line, and so on;
    ``wait_seconds`` is the estimated time until it gets a slot (0 while it holds one)."""

    position: int
    waiting: int
    wait_seconds: float

    @property
    def holds_slot(self) -> bool:
        return self.position == 0


class TrainerQueue:
    """``slots`` trainer slots shared by all owners, served in order of arrival."""

    def __init__(self, slots: int = DEFAULT_SLOTS,
                 grace_seconds: float = DEFAULT_GRACE_SECONDS,
                 hold_seconds: float = DEFAULT_HOLD_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if slots < 1:
            raise ValueError(f"a queue needs at least one slot, not {slots}")
        self.slots = slots
        self.grace_seconds = grace_seconds
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._holders: dict[Hashable, tuple[float, float]] = {}
        """owner -> (when it took its slot, the seconds its turn was to take)"""

    # -- taking and giving back a slot ----------------------------------------------------

    def acquire(self, owner: Hashable, timeout: float, seconds: float = 0.0) -> bool:
        """Wait up to ``timeout`` seconds for a slot; return whether ``owner`` has one.

        ``seconds`` is the owner's estimate of its turn, used for others' wait estimates.
        On a timeout the owner keeps its place for :attr:`grace_seconds`.
        """
        with self._cond:
            if owner in self._holders:
                raise RuntimeError(f"{owner!r} already holds a trainer slot")
            ticket = self._ticket(owner, seconds)
            deadline = self._clock() + max(timeout, 0.0)
            while not self._may_take(ticket):
                remaining = deadline - self._clock()
                if remaining <= 0:
                    ticket.asking, ticket.left_at = False, self._clock()
                    return False
                self._cond.wait(min(remaining, self.hold_seconds))
            self._waiting.remove(ticket)
            self._holders[owner] = (self._clock(), ticket.seconds)
            self._cond.notify_all()  # the order changed: others' places moved up
            return True

    def release(self, owner: Hashable) -> None:
        """Give back ``owner``'s slot; the earliest asking ticket takes it."""
        with self._cond:
            if self._holders.pop(owner, None) is None:
                raise RuntimeError(f"{owner!r} holds no trainer slot")
            self._cond.notify_all()

    def leave(self, owner: Hashable) -> None:
        """Give up ``owner``'s place in the queue (a session that stops waiting)."""
        with self._cond:
            self._waiting = [t for t in self._waiting if t.owner != owner]
            self._cond.notify_all()

    # -- what a waiting owner is told -----------------------------------------------------

    def status(self, owner: Hashable) -> QueueStatus:
        """``owner``'s place and estimated wait (place 0 while it holds a slot)."""
        with self._cond:
            self._drop_stale()
            waiting = len(self._waiting)
            if owner in self._holders:
                return QueueStatus(0, waiting, 0.0)
            index = next((i for i, t in enumerate(self._waiting) if t.owner == owner), waiting)
            return QueueStatus(index + 1, waiting, self._wait_before(index))

    @property
    def busy(self) -> int:
        """Slots held right now."""
        with self._cond:
            return len(self._holders)

    # -- internals (called with the lock held) --------------------------------------------

    def _ticket(self, owner: Hashable, seconds: float) -> _Ticket:
        self._drop_stale()
        for ticket in self._waiting:
            if ticket.owner == owner:
                ticket.asking, ticket.seconds = True, seconds
                return ticket
        ticket = _Ticket(owner, seconds)
        self._waiting.append(ticket)
        return ticket

    def _drop_stale(self) -> None:
        now = self._clock()
        self._waiting = [t for t in self._waiting
                         if t.asking or now - t.left_at < self.grace_seconds]

    def _may_take(self, ticket: _Ticket) -> bool:
        """A free slot goes to the earliest tickets whose owners are asking (or were a
        moment ago)."""
        self._drop_stale()
        free = self.slots - len(self._holders)
        if free <= 0:
            return False
        now = self._clock()
        asking = [t for t in self._waiting
                  if t.asking or now - t.left_at < self.hold_seconds]
        return any(t is ticket for t in asking[:free])

    def _wait_before(self, index: int) -> float:
        """Seconds until the ticket at ``index`` gets a slot: each slot frees when its
        holder's turn ends, and the tickets ahead take the slots in order."""
        now = self._clock()
        free_at = [max(0.0, started + seconds - now)
                   for started, seconds in self._holders.values()]
        free_at += [0.0] * (self.slots - len(free_at))
        heapq.heapify(free_at)
        for ticket in self._waiting[:index]:
            heapq.heappush(free_at, heapq.heappop(free_at) + ticket.seconds)
        return free_at[0]
