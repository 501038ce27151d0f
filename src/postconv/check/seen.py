"""A compact set of tracking numbers, for "repeated within the run" at 16 bytes per item.

A Python ``set`` of strings costs about 90 bytes per tracking number; a run of millions
of items would grow by hundreds of MiB. Here an S10 identifier packs exactly into one
64-bit integer (other identifiers into a 63-bit BLAKE2 digest), kept in an
open-addressing table in an ``array`` that is at most half full.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from string import ascii_uppercase as _LETTERS

from ..record import Record

_MULTIPLIER = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_INITIAL_BITS = 12


#: The two-letter groups of an S10 identifier, numbered 0..675.
_PAIRS = {a + b: n for n, (a, b) in enumerate((a, b) for a in _LETTERS for b in _LETTERS)}


def pack(identifier: str) -> int:
    """A non-zero 64-bit key, exact for S10 ids, a 63-bit digest with the top bit otherwise."""
    if len(identifier) == 13:  # [A-Z]{2}[0-9]{9}[A-Z]{2}, without a regex: this runs per item
        first, last, digits = _PAIRS.get(identifier[:2]), _PAIRS.get(identifier[11:]), \
            identifier[2:11]
        if first is not None and last is not None and digits.isascii() and digits.isdigit():
            return (first * 1_000_000_000 + int(digits)) * 676 + last + 1
    from hashlib import blake2b  # rare path: only identifiers that are not S10

    digest = int.from_bytes(blake2b(identifier.encode("utf-8"), digest_size=8).digest(), "big")
    return digest | (1 << 63)


class SeenSet:
    """Remembers identifiers; :meth:`add` tells whether one was seen before."""

    def __init__(self) -> None:
        self._bits = _INITIAL_BITS
        self._slots = array("Q", bytes(8 << self._bits))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, identifier: str) -> bool:
        """Add ``identifier``; True if it was already there."""
        return self.add_key(pack(identifier))

    def add_key(self, key: int) -> bool:
        """Add a packed identifier (see :func:`pack`); True if it was already there."""
        slots = self._slots
        mask = len(slots) - 1
        index = ((key * _MULTIPLIER) & _MASK) >> (64 - self._bits)
        while True:  # linear probing, inline: this runs once per item
            found = slots[index]
            if found == key:
                return True
            if not found:
                break
            index = (index + 1) & mask
        slots[index] = key
        self._count += 1
        if self._count * 2 > len(slots):
            self._grow()
        return False

    def __contains__(self, key: object) -> bool:
        """Whether a packed identifier is in the set (without adding it)."""
        return isinstance(key, int) and self._slots[self._slot(key)] == key

    def packed(self) -> array[int]:
        """Every identifier held, packed (see :func:`pack`), in no particular order."""
        return array("Q", filter(None, self._slots))

    def clear(self) -> None:
        self._bits = _INITIAL_BITS
        self._slots = array("Q", bytes(8 << self._bits))
        self._count = 0

    def _slot(self, key: int) -> int:
        """The slot holding ``key``, or the empty slot where it belongs (linear probing)."""
        slots = self._slots
        mask = len(slots) - 1
        index = ((key * _MULTIPLIER) & _MASK) >> (64 - self._bits)
        while True:
            found = slots[index]
            if found == key or found == 0:
                return index
            index = (index + 1) & mask

    def _insert(self, key: int) -> bool:
        index = self._slot(key)
        if self._slots[index] == key:
            return True
        self._slots[index] = key
        return False

    def _grow(self) -> None:
        old = self._slots
        self._bits += 1
        self._slots = array("Q", bytes(8 << self._bits))
        for key in old:
            if key:
                self._insert(key)


class RunState:
    """What a run remembers from one item to the next — the tracking numbers seen — as one
    object the checker owns (:attr:`postconv.check.Checker.state`), used the same way by
    one process, by ``--jobs`` workers and by a cluster's tasks.

    A part of a run (an input converted elsewhere) exports what it saw (:meth:`keys`);
    the run, in input order, asks which of them an earlier part already had
    (:meth:`repeats`: that part is then converted again after :meth:`preload` of just
    those) and takes them in (:meth:`merge`). Keys travel as bytes (8 per item).
    """

    def __init__(self) -> None:
        self.seen = SeenSet()
        #: The record fields :meth:`remember` reads: None if it may read any of them,
        #: empty if the run keeps no state (set by the checker that owns this state).
        self.fields: frozenset[str] | None = frozenset()
        self._remember: Callable[[Record], None] = _nothing

    def attach(self, fields: frozenset[str] | None, remember: Callable[[Record], None]) -> None:
        """What the owning checker remembers of a record, and how (see :meth:`remember`)."""
        self.fields, self._remember = fields, remember

    def remember(self, record: Record) -> None:
        """Take in ``record`` as checking it would, judging nothing: for an item that
        another part of the run converts, so that "already seen" stays exact here."""
        self._remember(record)

    def clear(self) -> None:
        self.seen.clear()

    def keys(self) -> bytes:
        """Every key this state holds: what its part of the run saw (and was preloaded
        with, which the run holds already). Sorted by value: in the order of the table's
        slots they would be in the order of their hash, and inserted so into a smaller
        table they would pile up in long probe runs (a merge 50× slower)."""
        return array("Q", sorted(self.seen.packed())).tobytes()

    def repeats(self, keys: bytes) -> bytes:
        """The keys of ``keys`` that the run already holds."""
        found = array("Q")
        found.frombytes(keys)
        return array("Q", (k for k in found if k in self.seen)).tobytes()

    def merge(self, keys: bytes) -> None:
        found = array("Q")
        found.frombytes(keys)
        for k in found:
            self.seen.add_key(k)

    preload = merge  # a part converted again starts knowing its repeats


def _nothing(record: Record) -> None:
    pass
