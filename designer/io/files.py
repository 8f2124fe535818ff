"""The project file: one JSON document with ``schema_version``.

- :func:`load` parses, migrates older versions, refuses newer ones, and validates the
  structure with pydantic (a JSON export opens too: its project part is read); every problem becomes a :class:`~designer.io.errors.Problem`
  with a JSON path and a fix. Opening never writes to the file.
- :func:`save` is atomic: a temporary file in the same folder is written, flushed and
  synced, then renamed over the target, so an interrupted save leaves the old file whole.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable

from pydantic import ValidationError

from designer.io.errors import LoadError, Problem
from designer.model.project import SCHEMA_VERSION, Project

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Files larger than this are refused before reading (a 1,000-rack hall is ~2 MB)."""

EXPORT_FORMAT = 1
"""Version of the JSON export (:mod:`designer.io.export_json`), whose project part opens too."""

Migration = Callable[[dict], dict]


def _ids_in(obj, out: set[str]) -> set[str]:
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            out.add(obj["id"])
        for v in obj.values():
            _ids_in(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _ids_in(v, out)
    return out


def _v1_to_v2(data: dict) -> dict:
    """File format 2 makes the air side explicit and site services items.

    - Air: unit discharge and intake, rack and unit heights, plenums, tiles, grilles. Format
      1 in-row coolers returned air over their back: say so, since format 2's default intake
      is the top.
    - A site's ``facility_water`` becomes a facility water supply item beside the hall that
      every CDU of the hall is connected to (format 1 connected them all implicitly).
    - Power sources are placed on the plan: they go in a column beside the hall.
    """
    taken = _ids_in(data, set())
    for site in data.get("sites") or []:
        if not isinstance(site, dict):
            continue
        hall = site.setdefault("hall", {})
        if not isinstance(hall, dict):
            continue
        for unit in hall.get("air_units") or []:
            if isinstance(unit, dict) and unit.get("kind") == "inrow":
                unit.setdefault("intake", "rear")
        try:
            pts = [(float(p[0]), float(p[1])) for p in hall.get("outline") or [(0, 0), (20, 0), (20, 12), (0, 12)]]
            x_right, y_low = max(p[0] for p in pts) + 2.0, min(p[1] for p in pts) + 1.0
        except (TypeError, ValueError, IndexError):
            x_right, y_low = 22.0, 1.0
        fw = site.pop("facility_water", None)
        fw = fw if isinstance(fw, dict) else {}
        base = f"{site.get('id', 'site')}.fw"
        wid, n = base, 1
        while wid in taken:
            n += 1
            wid = f"{base}{n}"
        taken.add(wid)
        hall.setdefault("water_supplies", []).append({
            "id": wid, "name": "Facility water", "kind": "chiller", "x": x_right + 3.0, "y": y_low,
            "supply_temp_c": fw.get("supply_temp_c", 32.0), "capacity_kw": fw.get("capacity_kw", 2000.0)})
        for cdu in hall.get("cdus") or []:
            if isinstance(cdu, dict):
                cdu.setdefault("facility_id", wid)
        power = hall.get("power")
        for k, src in enumerate((power or {}).get("sources") or [] if isinstance(power, dict) else []):
            if isinstance(src, dict):
                src.setdefault("x", x_right)
                src.setdefault("y", y_low + 2.0 * k)
    return data


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""Version v -> function turning a v document into a v + 1 document."""


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def json_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field; this version does not know it (check its spelling)",
    "finite_number": "enter a finite number (not NaN or infinity)",
    "float_parsing": "enter a number",
    "float_type": "enter a number",
    "int_parsing": "enter a whole number",
    "int_type": "enter a whole number",
    "int_from_float": "enter a whole number",
    "string_type": "enter text in quotes",
    "string_pattern_mismatch": "use 1-64 letters, digits, '_', '.' or '-'",
    "literal_error": "use one of the allowed values",
    "list_type": "enter a list [...]",
    "tuple_type": "enter a pair [x, y]",
    "too_short": "enter both values of the pair",
    "too_long": "enter exactly two values",
    "model_type": "enter an object {...}",
    "dict_type": "enter an object {...}",
    "bool_type": "enter true or false",
    "bool_parsing": "enter true or false",
}


def problems_from_validation(err: ValidationError, limit: int = 200) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False)[:limit]:
        fix = _FIXES.get(e["type"], "correct the value")
        msg = e["msg"]
        if e["type"] == "literal_error":
            fix = msg.replace("Input should be", "use")
        out.append(Problem(json_path(tuple(e["loc"])), msg, fix))
    return out


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return out


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogates(node, path: tuple, out: list, limit: int = 20) -> list:
    """JSON paths of the strings (keys included) holding a lone surrogate."""
    if len(out) >= limit:
        return out
    if isinstance(node, str):
        if _SURROGATE.search(node):
            out.append(json_path(path))
    elif isinstance(node, dict):
        for k, v in node.items():
            if _SURROGATE.search(k):
                out.append(json_path(path) + f" (key {k.encode('utf-8', 'backslashreplace').decode()!r})")
            _lone_surrogates(v, (*path, k), out, limit)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _lone_surrogates(v, (*path, i), out, limit)
    return out


def parse_json(text: str, source: str = "<text>") -> object:
    """Parse JSON text strictly: no NaN / Infinity, no duplicate keys, no lone surrogates
    (an escape such as ``\\ud800`` that is half of a character: it could never be written
    back as UTF-8, so every export and the recovery copy could fail)."""
    data = _parse(text, source)
    if _SURROGATE_ESCAPE.search(text) or _SURROGATE.search(text):
        try:
            bad = _lone_surrogates(data, (), [])
        except RecursionError:
            bad = [""]
        if bad:
            raise LoadError(source, [Problem(p or "(top level)", "the text holds a lone surrogate (a \\ud800-"
                                                                 "\\udfff escape that is only half of a "
                                                                 "character)",
                                             "replace the escape with the character meant, or delete it")
                                     for p in bad])
    return data


def _parse(text: str, source: str) -> object:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as e:
        raise LoadError(source, [Problem("", f"the key '{e.args[0]}' appears twice in one object, so one of "
                                             "its values would be lost",
                                         "keep the right value and delete the other (a merge conflict?)")]) from None
    except json.JSONDecodeError as e:
        # truncated: the error is past the last character, or a string never closes (the
        # position then is the string's start, which is still the place to look)
        ends = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        what = "the file ends before the JSON is complete" if ends else f"invalid JSON: {e.msg}"
        raise LoadError(source, [Problem(f"line {e.lineno}, column {e.colno}", what,
                                         "repair the file, or open its backup or recovery copy")]) from None
    except RecursionError:
        raise LoadError(source, [Problem("", "the JSON is nested too deeply to be a project file",
                                         "check that this is a Data Hall Designer project")]) from None
    except ValueError as e:  # NaN / Infinity constants, over-long integers
        raise LoadError(source, [Problem("", str(e), "replace it with a finite number")]) from None


def migrate(data: dict, source: str = "<data>") -> dict:
    """Bring a parsed document to the current schema version."""
    version = data.get("schema_version")
    if version is None:
        raise LoadError(source, [Problem("schema_version", "the file has no schema_version",
                                         "this does not look like a Data Hall Designer project")])
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LoadError(source, [Problem("schema_version", f"schema_version must be a whole number from 1, "
                                                           f"is {version!r}", "repair the file's schema_version")])
    if version > SCHEMA_VERSION:
        raise LoadError(source, [Problem(
            "schema_version",
            f"the file was written by a newer Data Hall Designer (file format {version}; "
            f"this version reads up to {SCHEMA_VERSION})",
            "update Data Hall Designer to open it; the file was left unchanged")])
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise LoadError(source, [Problem("schema_version", f"no migration from file format {version}",
                                             "open it with an older release and save it again")])
        try:
            data = step(data)
        except Exception as e:  # a damaged old file: report it like any other bad input
            raise LoadError(source, [Problem(
                "schema_version", f"the file could not be converted from file format {version} to "
                                  f"{version + 1}: {type(e).__name__}: {e}",
                "repair the file, or open it with an older release and save it again")]) from None
        if not isinstance(data, dict):
            raise LoadError(source, [Problem("schema_version", f"converting from file format {version} "
                                                               f"gave no document",
                                             "open it with an older release and save it again")])
        version += 1
        data["schema_version"] = version
    return data


def _project_of_export(data: dict, source: str) -> dict:
    """The project part of a JSON export (see :mod:`designer.io.export_json`); its results
    are not read: they are recomputed from the project."""
    fmt = data.get("export_format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise LoadError(source, [Problem("export_format", f"export_format must be a whole number from 1, is {fmt!r}",
                                         "repair the export's export_format")])
    if fmt > EXPORT_FORMAT:
        raise LoadError(source, [Problem(
            "export_format", f"the export was written by a newer Data Hall Designer (export format {fmt}; "
                             f"this version reads up to {EXPORT_FORMAT})", "update Data Hall Designer to open it")])
    project = data.get("project")
    if not isinstance(project, dict):
        raise LoadError(source, [Problem("project", "the export has no project part",
                                         "export the design again with designer export --json")])
    return project


def project_from_data(data: object, source: str = "<data>") -> Project:
    """A project from parsed JSON: a project file, or the project part of a JSON export."""
    if not isinstance(data, dict):
        raise LoadError(source, [Problem("", f"the top level is a {type(data).__name__}, not an object",
                                         "check that this is a Data Hall Designer project")])
    prefix = ""
    if "export_format" in data and "schema_version" not in data:
        data, prefix = _project_of_export(data, source), "project."
    data = migrate(data, source)
    try:
        return Project.model_validate(data)
    except ValidationError as e:
        problems = problems_from_validation(e)
        if prefix:
            problems = [dataclasses.replace(p, path=prefix + p.path if p.path else "project") for p in problems]
        raise LoadError(source, problems) from None
    except RecursionError:
        raise LoadError(source, [Problem("", "the document is nested too deeply",
                                         "check that this is a Data Hall Designer project")]) from None


def loads(text: str, source: str = "<text>") -> Project:
    return project_from_data(parse_json(text, source), source)


def load(path: str | os.PathLike) -> Project:
    """Read a project file. Raises :class:`LoadError` (never anything else for bad input).

    The path is checked before it is read (see :mod:`designer.io.inputs`): a folder, FIFO,
    device or socket, a file over :data:`MAX_FILE_BYTES` and a read that takes longer than
    :data:`~designer.io.inputs.READ_TIMEOUT_S` are refused with a clear message.
    """
    from designer.io.inputs import read_input

    src = str(path)
    raw = read_input(path, MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(src, [Problem(f"byte {e.start}", "the file is not UTF-8 text",
                                      "check that this is a Data Hall Designer project")]) from None
    return loads(text, src)


def check_editable(project: Project, source: str = "<project>") -> Project:
    """Raise :class:`LoadError` for what the editor cannot work around: items sharing an id
    (the document finds items by id, so one of them could not be shown or edited).
    ``designer validate`` reports the same as findings."""
    from designer.model.registry import iter_items

    seen: dict[str, str] = {}
    problems = []
    for loc in iter_items(project):
        iid = loc.item.id  # type: ignore[attr-defined]
        if iid in seen:
            problems.append(Problem(f"{loc.json_path}.id", f"the id '{iid}' is already used by {seen[iid]}",
                                    "give one of them a new, unique id in a text editor"))
        else:
            seen[iid] = loc.json_path
    if problems:
        raise LoadError(source, problems)
    return project


# A JSON string literal (matched first, so that text which looks like a number list is left
# alone) or a list of numbers.
_NUM_LIST = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]')


def writable(text: str) -> str:
    """``text`` with any lone surrogate replaced by U+FFFD, so it can be encoded as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def _one_line(m: re.Match) -> str:
    if m.group(1) is None:
        return m.group(0)  # a string: unchanged
    return "[" + ", ".join(s.strip() for s in m.group(1).split(",")) + "]"


def dumps(project: Project) -> str:
    """The file text: indented JSON with short number lists (points) kept on one line."""
    text = json.dumps(project.model_dump(mode="json"), indent=2, ensure_ascii=False,
                      allow_nan=False)
    # a lone surrogate is not a character and cannot be encoded as UTF-8; files refuse it
    # (parse_json), so one that reached a project in memory is written as U+FFFD
    text = writable(text)
    return _NUM_LIST.sub(_one_line, text) + "\n"


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old or the new file, never half
    (temporary file beside it, flushed and synced, renamed over it; see
    :func:`designer.io.outputs.atomic_output`)."""
    from designer.io.outputs import write_bytes_atomic

    write_bytes_atomic(path, writable(text).encode("utf-8"))


def save(project: Project, path: str | os.PathLike) -> None:
    """Save atomically. The text is produced before the file is touched."""
    atomic_write_text(path, dumps(project))


def json_schema() -> dict:
    schema = Project.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Data Hall Designer project (file format {SCHEMA_VERSION})"
    return schema
