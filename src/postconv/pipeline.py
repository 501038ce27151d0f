"""The one-way flow: source → reader → mapper → checker → records, with run accounting.

:class:`Converter` holds what is compiled once per run (dialects, the profile's checker,
limits); :meth:`Converter.records` streams one input's records. Errors that end an input
are raised as :class:`~postconv.errors.PostconvError` after the records before them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import IO, Protocol

from .check import Checker, Profile, resolve_profile
from .dialects import Dialect, Mapper, detect_dialect, raw_items, resolve_dialect
from .errors import InputNotFound, InputUnusable, PostconvError
from .interrupts import check as check_interrupt
from .limits import Limits
from .read import RawItem, ReadProblem
from .record import Record
from .sources import Input, open_input
from .summary import InputSummary
from .xmlsafe import XmlSyntaxError, syntax_error_message

PROGRESS_EVERY = 500
#: The first items, by which a forced dialect is judged to fit the input (or not).
FIT_ITEMS = 20


class Part(Protocol):
    """The part of an input this process converts when several share it (the one such
    part is :class:`postconv.split.SplitPart`): how the input is read for it, which
    items it converts, and what it takes in of the others."""

    def read(self, source: Input, dialect: Dialect,
             problem: Callable[[ReadProblem], None]) -> Iterator[RawItem]: ...

    def owns(self, index: int) -> bool: ...

    def pass_over(self, raw: RawItem, mapper: Mapper, name: str) -> None: ...


class Converter:
    """Everything compiled once for a run; call :meth:`records` for each input."""

    def __init__(self, *, dialect: str | Dialect | None = None, profile: str | Profile = "us",
                 as_of: date | str | None = None, today: date | str | None = None,
                 limits: Limits | None = None) -> None:
        as_of, today = as_date(as_of, "as_of"), as_date(today, "today")
        self.limits = limits or Limits()
        self.dialect = resolve_dialect(dialect) if isinstance(dialect, str) else dialect
        self.profile = resolve_profile(profile) if isinstance(profile, str) else profile
        self.checker = Checker(self.profile, as_of=as_of, today=today or date.today(),
                               max_findings=self.limits.max_findings)
        self._mappers: dict[str, Mapper] = {}
        #: Called every :data:`PROGRESS_EVERY` items with (summary, bytes read), e.g. to
        #: draw a progress bar.
        self.progress: Callable[[InputSummary, int], None] | None = None

    def _mapper(self, dialect: Dialect) -> Mapper:
        key = str(dialect.path)
        if key not in self._mappers:
            self._mappers[key] = dialect.mapper(self.limits.max_field_chars,
                                                self.limits.max_lines)
        return self._mappers[key]

    def records(self, spec: str | IO[bytes], summary: InputSummary | None = None,
                part: Part | None = None) -> Iterator[Record]:
        """Stream the checked records of one input (a path, ``-`` or a binary stream).

        With ``part``, only the records of the items that part owns (see :class:`Part`).
        """
        if summary is None:
            summary = InputSummary(spec if isinstance(spec, str) else "<stream>")
        with open_input(spec, self.limits.max_input_bytes) as source:
            name = source.name
            try:
                dialect = self.dialect or detect_dialect(source.head)
                summary.format = dialect.name
                mapper = self._mapper(dialect)
                items = (raw_items(source, dialect, summary.problem) if part is None
                         else part.read(source, dialect, summary.problem))
                fit = _Fit(dialect) if self.dialect is not None else None  # forced: fits?
                for raw in items:
                    check_interrupt()
                    summary.items_read += 1
                    if fit is not None and fit.seen(raw, summary):
                        fit = None
                    if summary.items_read > self.limits.max_items:
                        summary.items_read -= 1
                        raise InputUnusable(f"more than {self.limits.max_items} items "
                                            "(--max-items)")
                    if self.progress is not None and not summary.items_read % PROGRESS_EVERY:
                        self.progress(summary, source.bytes_read())
                    if part is not None and not part.owns(raw.index):
                        part.pass_over(raw, mapper, name)
                        continue
                    record = self._item(mapper, raw, name, summary)
                    if record is not None:
                        summary.count(record)
                        yield record
                if fit is not None:
                    fit.judge(summary)
                over = source.over_cap()
                if over is not None:  # the reader ended quietly where the cap cut it
                    raise over
            except XmlSyntaxError as exc:
                check_interrupt()  # a signal inside the parser's read comes out as this
                raise _named(name, _ended(source, InputUnusable(
                    syntax_error_message(name, exc)))) from None
            except PostconvError as exc:
                raise _named(name, _ended(source, exc)) from None
            except OSError as exc:
                raise InputNotFound(f"{name}: read error: {exc.strerror or exc}") from None

    def _item(self, mapper: Mapper, raw: RawItem, name: str,
              summary: InputSummary) -> Record | None:
        """Map and check one item; an item that breaks is rejected, the run goes on."""
        try:
            record, notes = mapper.map(raw, name)
            self.checker.check(record, notes, mapper.message_date)
        except Exception as exc:  # per-item isolation: one bad item never stops the input
            check_interrupt()  # a signal that surfaced as another error is the signal
            summary.reject(f"internal error: {type(exc).__name__}", raw.index)
            return None
        return record


class _Fit:
    """Whether a forced dialect fits an input: of the keys its item fields read, the first
    items must hold at least a quarter. If not, a warning on the input says so, else
    every item would only be "missing" most elements, with no hint why."""

    ITEMS = FIT_ITEMS

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.keys = {key for spec in dialect.item_fields for key in spec.keys}
        self.found: set[str] = set()

    def seen(self, raw: RawItem, summary: InputSummary) -> bool:
        """Take in one item; True once the judgement is made."""
        self.found.update(key for key in raw.values if key in self.keys)
        if len(self.found) * 4 >= len(self.keys):
            return True
        if summary.items_read >= self.ITEMS:
            self.judge(summary)
            return True
        return False

    def judge(self, summary: InputSummary) -> None:
        if summary.items_read and len(self.found) * 4 < len(self.keys):
            summary.problem(ReadProblem(
                "DIALECT_DOES_NOT_FIT",
                f"--dialect {self.dialect.name} found {len(self.found)} of the "
                f"{len(self.keys)} elements its item fields read in the first "
                f"{summary.items_read} items: is it the format of this input?"))


def as_date(value: date | str | None, name: str) -> date | None:
    """A date (``as_of``, ``--as-of``), from a ``date`` or an ISO ``YYYY-MM-DD`` string;
    anything else is refused before a byte is read (a wrong type used to reject every
    item, one by one)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}={value!r}: not a date (YYYY-MM-DD)") from None
    raise TypeError(f"{name} must be a datetime.date or a YYYY-MM-DD string, not "
                    f"{type(value).__name__}")


def _ended(source: Input, error: PostconvError) -> PostconvError:
    """The cap's error in place of the reader's complaint about the end the cap made (a
    truncated document or interchange)."""
    over = source.over_cap()
    return over if over is not None and isinstance(error, InputUnusable) else error


def _named(name: str, error: PostconvError) -> PostconvError:
    """``error`` with the input's name in front, once."""
    if not str(error).startswith(name):
        error.args = (f"{name}: {error}",)
    return error


def iter_records(source: str | IO[bytes], *, dialect: str | Dialect | None = None,
                 profile: str | Profile = "us", as_of: date | str | None = None,
                 limits: Limits | None = None) -> Iterator[Record]:
    """Stream the checked records of one input (path, ``-`` or stream); see :class:`Converter`
    (and :class:`Conversion` to see the items rejected and the rest of the summary)."""
    return Conversion(source, dialect=dialect, profile=profile, as_of=as_of,
                      limits=limits).records()


class Conversion:
    """One input converted: its records as they stream, and what happened to it.

    ``summary`` (an :class:`~postconv.summary.InputSummary`) fills in while the records
    stream: items read, records written, items rejected and why (``rejected_items``),
    findings on the input as a whole (``problems``). An error that ends the input is
    raised from :meth:`records` after the records before it."""

    def __init__(self, source: str | IO[bytes], *, dialect: str | Dialect | None = None,
                 profile: str | Profile = "us", as_of: date | str | None = None,
                 limits: Limits | None = None) -> None:
        self.converter = Converter(dialect=dialect, profile=profile, as_of=as_of,
                                   limits=limits)
        self.source = source
        name = source if isinstance(source, str) else getattr(source, "name", "<stream>")
        self.summary = InputSummary(str(name))

    def records(self) -> Iterator[Record]:
        """The checked records, one at a time."""
        return self.converter.records(self.source, self.summary)
