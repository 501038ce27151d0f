"""Parquet: one row per item, in the record's own nested shape, typed, written as it streams.

The Arrow schema is derived from the record's field table (:data:`postconv.record.RECORD`):
parties, documents, source and compliance are structs; line items and findings are lists
of structs; money is a struct of an exact ``decimal128(38, 10)`` amount and its currency
(every decimal of a record fits: see :data:`postconv.record.DECIMAL_SCALE`); the judging
date is a ``date32``; nulls are nulls. Each date-time field keeps its ISO text (the JSON
value, offset and all) and gets two typed companions: ``<name>_utc`` (a UTC timestamp,
null when the text has no offset) and ``<name>_date`` (the local calendar date).

Rows are written in row groups of :data:`ROW_GROUP` as records stream, so memory stays
flat. A body (records written apart, e.g. by a parallel worker) is an Arrow IPC stream
(:class:`ArrowBodyWriter`), whose batches the document appends without decoding a record
(:meth:`ParquetWriter.append_body`).
:func:`record_of` turns a row read back into the record it was written from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..record import DECIMAL_SCALE, FINDING_OPTIONAL, RECORD, Field, Record

#: Rows per row group: a few MiB of Arrow memory while it fills (a streamed run's peak
#: stays flat), large enough for readers to skip by statistics.
ROW_GROUP = 5_000
_BATCH = 1_000
DECIMAL = pa.decimal128(38, DECIMAL_SCALE)

_LEAF_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(("s10", "mail_class", "mail_category", "category", "text", "code", "hts",
                     "country", "datetime"), pa.string()),
    "date": pa.date32(),
    "decimal": DECIMAL,
    "integer": pa.int64(),
    "line_number": pa.int64(),
    "text_list": pa.list_(pa.string()),
    "money": pa.struct([("amount", DECIMAL), ("currency", pa.string())]),
}
_UTC_TIME = pa.timestamp("us", tz="UTC")


def _type(field: Field) -> pa.DataType:
    if not field.group:
        return _LEAF_TYPES[field.kind]
    inner = pa.struct([pa.field(f.name, _type(f)) for f in field.fields])
    return pa.list_(inner) if field.kind in ("lines", "findings") else inner


def _datetimes() -> tuple[str, ...]:
    return tuple(f.name for f in RECORD if f.kind == "datetime")


def _dates() -> tuple[tuple[str, str], ...]:
    """(group, field) of each date inside a group (the judging date)."""
    return tuple((g.name, f.name) for g in RECORD if g.kind == "object"
                 for f in g.fields if f.kind == "date")


def arrow_schema() -> pa.Schema:
    """The Arrow schema of a record (``postconv schema --parquet`` prints it)."""
    columns = []
    for f in RECORD:
        columns.append(pa.field(f.name, _type(f), nullable=f.kind not in ("lines",)))
        if f.kind == "datetime":
            columns.append(pa.field(f"{f.name}_utc", _UTC_TIME))
            columns.append(pa.field(f"{f.name}_date", pa.date32()))
    return pa.schema(columns, metadata={"postconv.record": "1"})


def schema_text(schema: pa.Schema | None = None) -> str:
    """The schema as an indented tree, one column or struct field a line, not null noted
    (what ``postconv schema --parquet`` prints and the README shows)."""
    lines: list[str] = []

    def add(field: pa.Field, depth: int) -> None:
        kind = field.type
        items = kind.value_type if pa.types.is_list(kind) else None
        inner = items if items is not None else kind
        if pa.types.is_struct(inner):
            shown = "list<struct>" if items is not None else "struct"
        elif items is not None:
            shown = f"list<{items}>"
        else:
            shown = str(kind)
        lines.append(f"{'  ' * depth}{field.name}: {shown}"
                     f"{'' if field.nullable else ' not null'}")
        if pa.types.is_struct(inner):
            for child in inner:
                add(child, depth + 1)

    for field in schema if schema is not None else arrow_schema():
        add(field, 0)
    return "\n".join(lines) + "\n"


_SCHEMA = arrow_schema()
_DATETIMES = _datetimes()
_DATES = _dates()


def _row(record: Record) -> dict[str, Any]:
    """The record as Arrow takes it: companions of the date-times, dates as dates."""
    row = dict(record)
    for name in _DATETIMES:
        text = record[name]
        utc = local = None
        if text:
            if len(text) == 10:
                local = date.fromisoformat(text)
            else:
                moment = datetime.fromisoformat(text)
                local = moment.date()
                utc = moment.astimezone(UTC) if moment.tzinfo is not None else None
        row[f"{name}_utc"], row[f"{name}_date"] = utc, local
    for group, name in _DATES:
        value = record[group][name]
        if value is not None:
            row[group] = {**record[group], name: date.fromisoformat(value)}
    return row


def record_of(row: dict[str, Any]) -> Record:
    """The record a row read back from Parquet (``Table.to_pylist()``) was written from:
    the companion columns dropped, dates as ISO text, absent finding keys absent again.
    Decimals come back at the column's scale (``0.4500000000`` for ``0.450``): the same
    values."""
    record: Record = {f.name: row[f.name] for f in RECORD}
    for group, name in _DATES:
        value = record[group][name]
        if value is not None:
            record[group] = {**record[group], name: value.isoformat()}
    compliance = record["compliance"]
    compliance["findings"] = [
        {k: v for k, v in finding.items() if not (k in FINDING_OPTIONAL and v is None)}
        for finding in compliance["findings"]]
    return record


class ParquetWriter:
    """Records to Parquet."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._out: Any = self._open(stream)
        self._rows: list[dict[str, Any]] = []
        self._batches: list[pa.RecordBatch] = []
        self._pending = 0

    def write(self, record: Record) -> None:
        self._rows.append(_row(record))
        if len(self._rows) >= _BATCH:
            self._batch()

    @staticmethod
    def _open(stream: IO[bytes]) -> Any:
        return pq.ParquetWriter(stream, _SCHEMA, compression="zstd")

    def append_body(self, source: IO[bytes], records: int) -> None:
        """Append the rows an :class:`ArrowBodyWriter` wrote."""
        self._batch()
        for batch in pa.ipc.open_stream(source):
            self._add(batch)

    def close(self) -> None:
        self._batch()
        self._flush()
        self._out.close()

    def _batch(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            self._add(pa.RecordBatch.from_pylist(rows, schema=_SCHEMA))

    def _add(self, batch: pa.RecordBatch) -> None:
        """Row groups of exactly ROW_GROUP rows, however the rows arrived (one process
        or appended bodies): the same records give the same bytes."""
        while self._pending + batch.num_rows >= ROW_GROUP:
            take = ROW_GROUP - self._pending
            self._batches.append(batch.slice(0, take))
            self._pending = ROW_GROUP
            self._flush()
            batch = batch.slice(take)
        if batch.num_rows:
            self._batches.append(batch)
            self._pending += batch.num_rows

    def _flush(self) -> None:
        if self._batches:
            table = pa.Table.from_batches(self._batches, schema=_SCHEMA).combine_chunks()
            self._out.write_table(table)
            self._batches, self._pending = [], 0

    def __del__(self) -> None:
        # a writer left by a failed run must not write its footer into the closed
        # output when it is collected (pyarrow's writer closes itself then)
        if isinstance(self._out, pq.ParquetWriter):
            self._out.is_open = False


class ArrowBodyWriter(ParquetWriter):
    """Records as an Arrow IPC stream: the body a :class:`ParquetWriter` appends (its
    batches written as they are made: the document cuts the row groups)."""

    @staticmethod
    def _open(stream: IO[bytes]) -> Any:
        return pa.ipc.new_stream(stream, _SCHEMA)

    def _add(self, batch: pa.RecordBatch) -> None:
        self._out.write_batch(batch)
