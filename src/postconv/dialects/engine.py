"""The mapping engine: a dialect file, compiled once into a plan, turns raw items into records.

A dialect names, for each record field, the reader key its text comes from (see
:mod:`postconv.read`), plus value maps for partner-specific codes. The engine knows the
type of every record field (:mod:`postconv.record`) and reads values with
:mod:`postconv.values`; nothing in here is specific to one partner.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from .._data import package_file
from ..limits import MAX_FIELD_CHARS, MAX_LINES
from ..read import DECIMAL_COMMA, RawItem, Values
from ..read.xml import Wanted, XmlLayout
from ..record import ITEM_FIELD_TYPES, LINE_FIELD_TYPES, Finding, Record
from ..tomlfile import config_error, load_toml
from ..values import READERS, Note, Reader, Unreadable, read_decimal
from .compiler import compile_fields

KIND = "dialect"
HEADER_FIELD_TYPES = {
    "source.message_id": "text",
    "message_date": "datetime",  # not in the record: checks compare posted_at with it
    "origin_post": "code",
    "destination_post": "code",
}
_MAX_VALUE_IN_FINDING = 100

Getter = Callable[[Values], Any]


@dataclass(frozen=True)
class FieldSpec:
    """Where one record field comes from, as written in the dialect file."""

    field: str
    kind: str
    getter: Getter
    many: bool
    value_map: dict[str, str] | None
    keys: tuple[str, ...]
    how: str  # "path", "paths" or "join": how the keys combine


@dataclass(frozen=True)
class Dialect:
    """A loaded dialect file: detection, layout and the field specs."""

    name: str
    title: str
    syntax: str
    path: Path
    detect_roots: tuple[str, ...]
    detect_contains: tuple[str, ...]
    layout: dict[str, Any]
    header_fields: tuple[FieldSpec, ...]
    item_fields: tuple[FieldSpec, ...]
    line_fields: tuple[FieldSpec, ...]
    builtin: bool = False
    edifact: dict[str, Any] = field(default_factory=dict)

    def mapper(self, max_field_chars: int = MAX_FIELD_CHARS,
               max_lines: int = MAX_LINES) -> Mapper:
        """The compiled mapping."""
        return Mapper(self, max_field_chars, max_lines)

    def only(self, fields: Collection[str]) -> Dialect:
        """This dialect reading just the item fields that fill ``fields`` (and its header),
        no content pieces: a cheap reading of a few values of every item."""
        specs = tuple(spec for spec in self.item_fields
                      if spec.field in fields or spec.field.partition(".")[0] in fields)
        return replace(self, item_fields=specs, line_fields=(),
                       layout={**self.layout, "line": None, "line_attribute": None})

    def xml_layout(self) -> XmlLayout:
        """What the XML reader needs: the elements, and the keys this dialect reads."""
        def keys(specs: tuple[FieldSpec, ...]) -> Wanted:
            return Wanted.of(k for spec in specs for k in spec.keys)

        layout = self.layout
        return XmlLayout(layout["item"], layout["header"], layout["line"],
                         layout["line_attribute"], keys(self.item_fields),
                         keys(self.line_fields), keys(self.header_fields))


def _first(key: str) -> Getter:
    def get(values: Values) -> str | None:
        found = values.get(key)
        return found[0] if found else None

    return get


def _all(key: str) -> Getter:
    def get(values: Values) -> list[str]:
        return values.get(key) or []

    return get


def _first_of(keys: list[str]) -> Getter:
    def get(values: Values) -> str | None:
        for key in keys:
            found = values.get(key)
            if found:
                return found[0]
        return None

    return get


def _each_of(keys: list[str]) -> Getter:
    def get(values: Values) -> list[str]:
        return [text for key in keys for text in values.get(key, ())]

    return get


def _joined(keys: list[str], separator: str) -> Getter:
    def get(values: Values) -> str | None:
        parts = [found[0] for key in keys if (found := values.get(key))]
        return separator.join(parts) if parts else None

    return get


def _joined_list(keys: list[str], separator: str) -> Getter:
    join = _joined(keys, separator)

    def get(values: Values) -> list[str]:
        text = join(values)
        return [text] if text else []

    return get


def _compile_spec(name: str, spec: Any, types: dict[str, str], maps: dict[str, dict[str, str]],
                  fail: Callable[[str, str], Exception]) -> FieldSpec:
    if name not in types:
        raise fail(name, f"unknown record field {name!r} (known: {', '.join(sorted(types))})")
    kind = types[name]
    many = kind == "text_list"
    if isinstance(spec, str):
        spec = {"path": spec}
    if not isinstance(spec, dict):
        raise fail(name, f"field {name!r} must be a path or a table")
    unknown = set(spec) - {"path", "paths", "join", "separator", "map"}
    if unknown:
        raise fail(name, f"field {name!r}: unknown key(s) {', '.join(sorted(unknown))}")
    sources = [k for k in ("path", "paths", "join") if k in spec]
    if len(sources) != 1:
        raise fail(name, f"field {name!r} needs exactly one of path, paths, join")
    separator = spec.get("separator", " ")
    if not isinstance(separator, str):
        raise fail(name, f"field {name!r}: separator must be text")
    source = spec[sources[0]]
    if sources[0] == "path":
        if not isinstance(source, str) or not source:
            raise fail(name, f"field {name!r}: path must be non-empty text")
        getter = _all(source) if many else _first(source)
    else:
        if not isinstance(source, list) or not source or not all(
            isinstance(k, str) and k for k in source
        ):
            raise fail(name, f"field {name!r}: {sources[0]} must be a list of paths")
        if sources[0] == "paths":
            getter = _each_of(source) if many else _first_of(source)
        else:
            getter = _joined_list(source, separator) if many else _joined(source, separator)
    value_map = None
    if "map" in spec:
        if spec["map"] not in maps:
            raise fail(name, f"field {name!r}: no [maps.{spec['map']}] table")
        value_map = maps[spec["map"]]
    keys = (source,) if isinstance(source, str) else tuple(source)
    return FieldSpec(name, kind, getter, many, value_map, keys, sources[0])


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError


def load_dialect(path: Path, *, builtin: bool = False) -> Dialect:
    """Load and check a dialect file; problems raise ``ConfigInvalid`` naming file and line."""
    data, text = load_toml(path, KIND)

    def fail(needle: str, problem: str) -> Exception:
        return config_error(path, text, needle, KIND, problem)

    head = data.get("dialect")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str):
        raise fail("[dialect]", "needs a [dialect] table with a name")
    syntax = head.get("syntax", "xml")
    from .syntaxes import SYNTAXES

    if syntax not in SYNTAXES:
        raise fail("syntax", f"syntax must be one of {', '.join(SYNTAXES)}")
    raw_maps = data.get("maps", {})
    if not isinstance(raw_maps, dict) or not all(
        isinstance(m, dict) and all(isinstance(v, str) for v in m.values())
        for m in raw_maps.values()
    ):
        raise fail("[maps", "each [maps.NAME] table maps text to text")
    maps = {name: {**table, **{k.lower(): v for k, v in table.items()}}
            for name, table in raw_maps.items()}
    detect = data.get("detect", {})
    try:
        roots = _str_tuple(detect.get("root", []))
        contains = _str_tuple(detect.get("contains", []))
    except TypeError:
        raise fail("[detect]", "detect.root and detect.contains are lists of names") from None

    items = data.get("items")
    if not isinstance(items, dict):
        raise fail("[items]", "needs an [items] table")
    lines = data.get("lines", {})
    header = data.get("header", {})
    for table, label in ((lines, "lines"), (header, "header")):
        if not isinstance(table, dict):
            raise fail(f"[{label}]", f"[{label}] must be a table")

    def specs(table: Any, types: dict[str, str], label: str) -> tuple[FieldSpec, ...]:
        if not isinstance(table, dict):
            raise fail(label, f"[{label}] must be a table of field = source")
        return tuple(_compile_spec(k, v, types, maps, fail) for k, v in table.items())

    item_fields = specs(items.get("fields", {}), ITEM_FIELD_TYPES, "items.fields")
    line_fields = specs(lines.get("fields", {}), LINE_FIELD_TYPES, "lines.fields")
    header_fields = specs(header.get("fields", {}), HEADER_FIELD_TYPES, "header.fields")
    if not item_fields:
        raise fail("[items.fields]", "no [items.fields]: nothing would be mapped")
    layout = {
        "item": items.get("element") or items.get("segment"),
        "header": header.get("element"),
        "line": lines.get("element") or lines.get("segment"),
        "line_attribute": lines.get("attribute"),
    }
    if not isinstance(layout["item"], str):
        raise fail("[items]", "items.element (XML) or items.segment (EDIFACT) is required")
    edifact = data.get("edifact", {})
    if syntax == "edifact" and not isinstance(edifact, dict):
        raise fail("[edifact]", "[edifact] must be a table")
    return Dialect(
        name=head["name"], title=str(head.get("title", head["name"])), syntax=syntax,
        path=path, detect_roots=roots, detect_contains=contains, layout=layout,
        header_fields=header_fields, item_fields=item_fields, line_fields=line_fields,
        builtin=builtin, edifact=edifact,
    )


@cache
def builtin_dialects() -> dict[str, Dialect]:
    """The dialect files shipped in this package, by name, in detection order."""
    found: dict[str, Dialect] = {}
    for entry in sorted(package_file("dialects").glob("*.toml")):
        dialect = load_dialect(entry, builtin=True)
        found[dialect.name] = dialect
    return found


def resolve_dialect(name_or_path: str) -> Dialect:
    """A built-in dialect by name, or a user's dialect file by path."""
    known = builtin_dialects()
    if name_or_path in known:
        return known[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_dialect(path)
    from ..errors import UsageError

    raise UsageError(f"unknown dialect {name_or_path!r}; known: {', '.join(known)} "
                     "(or give a dialect .toml file)")


class Mapper:
    """A dialect compiled for a run: raw item → (record, read findings)."""

    def __init__(self, dialect: Dialect, max_field_chars: int,
                 max_lines: int = MAX_LINES) -> None:
        self.dialect = dialect
        self.max_field_chars = max_field_chars
        self.max_lines = max_lines
        self._notes: list[Note] = []
        self._map_item = compile_fields(dialect.item_fields, line=False, cap=max_field_chars,
                                        value=self._value)
        self._map_line = compile_fields(dialect.line_fields, line=True, cap=max_field_chars,
                                        value=self._value)
        self._header_plan = [(s.field, s.getter, READERS[s.kind], s.value_map)
                             for s in dialect.header_fields]
        self._last_header: Values | None = None
        self._header: dict[str, Any] = {}
        self._decimal_comma = False  # the item's message writes decimals with a comma

    def map(self, raw: RawItem, file: str) -> tuple[Record, list[Finding]]:
        """The record of one raw item, with findings for values that could not be read."""
        findings: list[Finding] = []
        self._decimal_comma = DECIMAL_COMMA in raw.header
        record = self._map_item(raw.values, findings, "", 0)
        if raw.lines:
            map_line = self._map_line
            pieces = raw.lines
            if len(pieces) > self.max_lines:
                findings.append(_finding(
                    "TOO_MANY_LINES", "error", "line_items",
                    f"{len(pieces)} content lines; the record keeps the first "
                    f"{self.max_lines} (--max-lines)", None))
                pieces = pieces[:self.max_lines]
            record["line_items"] = [
                map_line(piece, findings, f"line_items[{n - 1}].", n)
                for n, piece in enumerate(pieces, start=1)
            ]
        header = self._header_of(raw, findings)
        record["origin_post"] = header.get("origin_post")
        record["destination_post"] = header.get("destination_post")
        source = record["source"]
        source["file"] = file
        source["format"] = self.dialect.name
        source["message_id"] = header.get("source.message_id")
        source["item_index"] = raw.index
        source["line"] = raw.line
        return record, findings

    def _header_of(self, raw: RawItem, findings: list[Finding]) -> dict[str, Any]:
        """The mapped header of the item's message, read once per message (a problem in
        it becomes a finding of the message's first item)."""
        if raw.header is not self._last_header:
            self._header = self._read_header(raw.header, findings)
            self._last_header = raw.header
        return self._header

    def skip(self, raw: RawItem) -> None:
        """An item not mapped here: its message header is taken in as :meth:`map` would,
        so that the header's findings still go with the message's first mapped item
        wherever the items are mapped."""
        self._header_of(raw, [])

    @property
    def message_date(self) -> str | None:
        """The date-time of the message of the item mapped last (not part of the record;
        checks compare the posting date with it)."""
        value: str | None = self._header.get("message_date")
        return value

    def _read_header(self, values: Values, findings: list[Finding]) -> dict[str, Any]:
        header: dict[str, Any] = {}
        for name, get, reader, value_map in self._header_plan:
            found = get(values)
            if found:
                header[name] = self._value(name, found, reader, value_map, findings)
        return header

    def _value(self, path: str, text: str, reader: Reader, value_map: dict[str, str] | None,
               findings: list[Finding]) -> Any:
        """Read one raw text as its field's type; a problem becomes a finding and null."""
        if value_map is not None:
            text = value_map.get(text, value_map.get(text.lower(), text))
            if not text:
                return None
        if len(text) > self.max_field_chars:
            findings.append(_finding("FIELD_TOO_LONG", "error", path,
                                     f"longer than {self.max_field_chars} characters", None))
            return None
        if self._decimal_comma and reader is read_decimal and "," in text and "." not in text:
            text = text.replace(",", ".", 1)  # the message's decimal mark, not a guess
        notes = self._notes
        try:
            value = reader(text, notes.append)
        except Unreadable as problem:
            findings.append(_finding(problem.code, "error", path, problem.message, text))
            return None
        if notes:
            for note in notes:
                findings.append(_finding(note.code, note.severity, path, note.message, text))
            notes.clear()
        return value


def _finding(code: str, severity: str, path: str, message: str, raw: str | None) -> Finding:
    finding: Finding = {"code": code, "rule": "read", "severity": severity, "field": path,
                        "message": message}
    if raw is not None:
        finding["value"] = raw[:_MAX_VALUE_IN_FINDING]
    return finding
