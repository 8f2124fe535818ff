"""The project file: lossless round trip, clear refusal of bad files, atomic save, migrations,
and the JSON Schema."""

from __future__ import annotations

import json
import os
import re
import types
from pathlib import Path
from typing import Annotated, Literal, Union, get_args, get_origin

import pytest
from hyp import examples
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from designer.io import files
from designer.io.catalog_store import sample_project_path
from designer.io.errors import LoadError
from designer.io.files import dumps, json_schema, load, loads, migrate, save
from designer.model.project import SCHEMA_VERSION, Project

# -- a strategy for structurally valid projects -------------------------------------------------
# Built from the pydantic annotations, so every field of every document type is exercised,
# including fields added later. Numbers include awkward but finite values.
AWKWARD_FLOATS = [0.1, 0.2, 0.30000000000000004, 1e-300, 5e-324, -0.0, 1.7976931348623157e308,
                  -1.7976931348623157e308, 1e16, 123456789.12345679, 2.5e-7, -3.0]
AWKWARD_TEXT = ["", "[1,2]", "[1, 2]", "[ 1,\n 2 ]", '"quoted"', "back\\slash", "line\nbreak",
                "München Straße", "数据中心", "\u2028\u2029", "\x00\x1f", "tab\there", "emoji \U0001F600",
                "1e400", "NaN", "-Infinity"]
ID_CHARS = "ABCXYZabcxyz0189_.-"
FLOATS = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(AWKWARD_FLOATS))
TEXT = st.one_of(st.text(max_size=10), st.sampled_from(AWKWARD_TEXT))
IDS = st.text(alphabet=ID_CHARS, min_size=1, max_size=12)
INTS = st.one_of(st.integers(-3, 100), st.integers(-(2 ** 70), 2 ** 70))
OVERRIDES = {"schema_version": st.just(SCHEMA_VERSION)}


def _field_st(ann, meta: list) -> st.SearchStrategy:
    origin = get_origin(ann)
    if origin is Annotated:
        base, *more = get_args(ann)
        return _field_st(base, [*meta, *more])
    if origin in (Union, types.UnionType):
        opts = [a for a in get_args(ann) if a is not type(None)]
        inner = st.one_of(*[_field_st(a, meta) for a in opts])
        return st.none() | inner if len(opts) < len(get_args(ann)) else inner
    if origin is Literal:
        return st.sampled_from(get_args(ann))
    if origin is list:
        (inner,) = get_args(ann)
        return st.lists(_field_st(inner, []), max_size=2 if _is_model(inner) else 4)
    if origin is tuple:
        return st.tuples(*[_field_st(a, []) for a in get_args(ann)])
    if _is_model(ann):
        return model_st(ann)
    if ann is float:
        return FLOATS
    if ann is bool:
        return st.booleans()
    if ann is int:
        return INTS
    if ann is str:
        return IDS if any(getattr(m, "pattern", None) for m in meta) else TEXT
    raise NotImplementedError(f"no strategy for {ann!r}")


def _holds_models(ann) -> bool:
    return _is_model(ann) or (get_origin(ann) is list and _is_model(get_args(ann)[0]))


def _is_model(ann) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


_CACHE: dict[type, st.SearchStrategy] = {}


def model_st(model: type[BaseModel]) -> st.SearchStrategy:
    """Instances of ``model``: required fields always, optional ones sometimes (defaults)."""
    if model not in _CACHE:
        req, opt = {}, {}
        for name, f in model.model_fields.items():
            s = OVERRIDES[name] if name in OVERRIDES else _field_st(f.annotation, list(f.metadata))
            # containers (hall, power, lists of items) are always drawn so that generated
            # projects reach the items; they may still come out empty
            always = f.is_required() or name in OVERRIDES or _holds_models(f.annotation)
            (req if always else opt)[name] = s
        _CACHE[model] = st.deferred(
            lambda req=req, opt=opt: st.fixed_dictionaries(req, optional=opt)).map(lambda d: model(**d))
    return _CACHE[model]


projects = model_st(Project)

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("files")


# -- round trip --------------------------------------------------------------------------------
@FAST
@given(p=projects)
def test_generated_projects_round_trip_through_a_file(p, scratch):
    path = scratch / "rt.json"
    save(p, path)
    q = load(path)
    assert q == p
    assert q.model_dump() == p.model_dump()
    assert [x.name for x in scratch.iterdir()] == ["rt.json"]


@FAST
@given(p=projects)
def test_generated_projects_round_trip_through_text_and_dumps_is_stable(p):
    text = dumps(p)
    q = loads(text)
    assert q == p
    assert q.model_dump() == p.model_dump()
    assert dumps(q) == text


@pytest.mark.parametrize("feature", ["fed rack", "power"])
def test_generated_projects_are_not_trivial(feature):
    """The strategy reaches every kind of content (searched, not sampled, so it cannot flake)."""
    has = {
        "fed rack": lambda p: any(r.feed_a or r.feed_b for s in p.sites for r in s.hall.racks),
        "power": lambda p: any(s.hall.power.pdus for s in p.sites),
    }[feature]
    find(projects, has, settings=settings(max_examples=2000, deadline=None, database=None,
                                          phases=[Phase.generate],
                                          suppress_health_check=list(HealthCheck)))


@pytest.mark.parametrize("text", ["[1,2]", "[ 1,\n 2 ]", "a [0.5, 1e-3] b", '"[1, 2]"', "x\\\"[3,4]"])
def test_strings_that_look_like_number_lists_survive(text):
    p = Project(name=text, description=text, author=text)
    q = loads(dumps(p))
    assert (q.name, q.description, q.author) == (text, text, text)


def test_lone_surrogates_are_refused_with_their_path():
    """An escaped lone surrogate is legal JSON but not a character: no export, save or
    recovery copy could write it as UTF-8, so the file is refused, naming where."""
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": ' + str(SCHEMA_VERSION) + ', "name": "a\\ud800b", "author": "\\udfff",'
              ' "description": "\\ud83d\\ude00 a pair is fine"}')
    assert [p.path for p in ei.value.problems] == ["name", "author"]
    assert "lone surrogate" in ei.value.problems[0].message
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1, "sites": [{"id": "s", "hall": {"racks": [{"\\udc00": 1}]}}]}')
    assert ei.value.problems[0].path.startswith("sites[0].hall.racks[0]")


def test_lone_surrogates_in_memory_are_saved_as_replacement_characters(tmp_path):
    """A project that got one in memory (typed text) still saves, and the file reopens."""
    p = Project(name="a\ud800b", author="\udfff")
    path = tmp_path / "s.json"
    save(p, path)
    q = load(path)
    assert (q.name, q.author) == ("a\ufffdb", "\ufffd")
    assert path.read_bytes().decode("utf-8")  # the file is valid UTF-8


@pytest.mark.parametrize("value", AWKWARD_FLOATS)
def test_awkward_floats_keep_their_exact_value(value):
    p = Project()
    p.settings = p.settings.model_copy(update={"air_cell_m": value})
    got = loads(dumps(p)).settings.air_cell_m
    assert got == value and repr(got) == repr(value)


def test_sample_round_trips_and_matches_its_file(sample_project, tmp_path):
    text = sample_project_path().read_text(encoding="utf-8")
    assert dumps(sample_project) == text
    save(sample_project, tmp_path / "s.json")
    assert load(tmp_path / "s.json") == sample_project
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == text


def test_points_are_written_on_one_line(sample_project):
    text = dumps(sample_project)
    assert '"outline": [\n          [0.0, 0.0],\n          [36.0, 0.0],\n          [36.0, 22.0],\n' in text


# -- refused files: every one is a LoadError naming where and how to fix ---------------------------
def _problem(excinfo) -> files.Problem:
    err = excinfo.value
    assert isinstance(err, LoadError) and err.problems
    for p in err.problems:
        assert p.fix.strip() and p.message.strip()
    return err.problems[0]


def test_newer_schema_version_is_refused():
    with pytest.raises(LoadError) as ei:
        loads(json.dumps({"schema_version": SCHEMA_VERSION + 1, "name": "from the future"}))
    p = _problem(ei)
    assert p.path == "schema_version"
    assert str(SCHEMA_VERSION + 1) in p.message
    assert "update" in p.fix.lower()
    assert "schema_version" in str(ei.value)


@pytest.mark.parametrize("doc", [{"name": "x"}, {"schema_version": None}, {"schema_version": "1"},
                                 {"schema_version": True}, {"schema_version": 0}, {"schema_version": 1.0}])
def test_missing_or_bad_schema_version(doc):
    with pytest.raises(LoadError) as ei:
        loads(json.dumps(doc))
    assert _problem(ei).path == "schema_version"


@pytest.mark.parametrize("frac", [0.13, 0.25, 0.5, 0.77, 0.999])
def test_truncated_json_names_line_and_column(sample_project, frac):
    text = dumps(sample_project)
    cut = text[: int(len(text) * frac)]
    with pytest.raises(LoadError) as ei:
        loads(cut, "cut.json")
    p = _problem(ei)
    m = re.fullmatch(r"line (\d+), column (\d+)", p.path)
    assert m, p.path
    # the place named is the end of the text or the start of the string cut off
    line = int(m.group(1))
    assert cut.count("\n") + 1 - line in (0, 1) or cut.splitlines()[line - 1].count('"') % 2 == 1
    assert "ends before" in p.message
    assert "cut.json" in str(ei.value)


@pytest.mark.parametrize("text", ['{"schema_version": 1}}', '{"schema_version": 1} x', '{"schema_version": 1,}'])
def test_extra_or_bad_characters_at_the_end_are_not_truncation(text):
    with pytest.raises(LoadError) as ei:
        loads(text)
    p = _problem(ei)
    assert "invalid JSON" in p.message and p.path.startswith("line 1, column ")


def test_invalid_json_in_the_middle(sample_project):
    text = dumps(sample_project)
    k = text.index('"racks"')
    broken = text[:k] + "}" + text[k:]
    with pytest.raises(LoadError) as ei:
        loads(broken)
    p = _problem(ei)
    assert p.path.startswith("line ") and "invalid JSON" in p.message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals(literal):
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1, "settings": {"air_cell_m": ' + literal + "}}")
    assert literal in _problem(ei).message


def test_number_too_large_for_a_float():
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1, "sites": [{"id": "s", "utility_capacity_kw": 1e400}]}')
    p = _problem(ei)
    assert p.path == "sites[0].utility_capacity_kw"
    assert "finite" in p.message


def test_integer_with_thousands_of_digits():
    with pytest.raises(LoadError):
        loads('{"schema_version": 1' + "0" * 5000 + "}")


@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_deep_nesting_is_a_load_error(opener, closer):
    depth = 100_000
    for text in (opener * depth + closer * depth,
                 '{"schema_version": 1, "name": ' + opener * depth + closer * depth + "}"):
        with pytest.raises(LoadError):
            loads(text)


def test_moderate_nesting_in_a_field_is_a_type_error():
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1, "name": ' + "[" * 500 + "]" * 500 + "}")
    assert _problem(ei).path == "name"


def test_top_level_not_an_object():
    for text in ("[]", "3", '"x"', "null"):
        with pytest.raises(LoadError):
            loads(text)


def test_unknown_fields_are_named_with_their_path():
    doc = {"schema_version": 1, "sites": [{"id": "s", "hall": {"racks": [{"id": "r", "it_load_kW": 5}]}}],
           "colour": "red"}
    with pytest.raises(LoadError) as ei:
        loads(json.dumps(doc))
    paths = {p.path: p for p in ei.value.problems}
    assert set(paths) == {"sites[0].hall.racks[0].it_load_kW", "colour"}
    assert "remove" in paths["colour"].fix


@pytest.mark.parametrize(("patch", "path", "fix"), [
    ({"x": "three"}, "sites[0].hall.racks[0].x", "number"),
    ({"height_u": 42.5}, "sites[0].hall.racks[0].height_u", "whole number"),
    ({"feed_a": {"source_id": "p", "phase": "L4"}}, "sites[0].hall.racks[0].feed_a.phase", "L1"),
    ({"id": "has space"}, "sites[0].hall.racks[0].id", "letters"),
    ({"feed_b": [1, 2]}, "sites[0].hall.racks[0].feed_b", ""),
])
def test_wrong_types_are_named_with_their_path(patch, path, fix):
    rack = {"id": "r", **patch}
    doc = {"schema_version": 1, "sites": [{"id": "s", "hall": {"racks": [rack]}}]}
    with pytest.raises(LoadError) as ei:
        loads(json.dumps(doc))
    p = _problem(ei)
    assert p.path == path
    assert fix in p.fix


def test_wrong_point_shape():
    doc = {"schema_version": 1, "sites": [{"id": "s", "hall": {"outline": [[0, 0], [1], [1, 1, 1]]}}]}
    with pytest.raises(LoadError) as ei:
        loads(json.dumps(doc))
    assert {p.path for p in ei.value.problems} == {"sites[0].hall.outline[1][1]", "sites[0].hall.outline[2]"}


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"schema_version": 1, "name": "München"}'.encode("latin-1"))
    with pytest.raises(LoadError) as ei:
        load(path)
    p = _problem(ei)
    assert "UTF-8" in p.message and p.path.startswith("byte ")


def test_utf8_with_bom_opens(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + '{"schema_version": 1, "name": "München"}'.encode())
    assert load(path).name == "München"


def test_directory_and_missing_file(tmp_path):
    for path in (tmp_path, tmp_path / "nope.json"):
        with pytest.raises(LoadError) as ei:
            load(path)
        _problem(ei)
        assert str(path) in str(ei.value)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text('{"schema_version": 1}')
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 10)
    with pytest.raises(LoadError) as ei:
        load(path)
    assert "limit" in _problem(ei).message


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=10)


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_any_damage_to_a_valid_document_is_a_load_error_or_a_project(sample_project, data):
    """Replace one value anywhere in the sample with arbitrary JSON: the result opens or is
    refused with a LoadError, never another exception."""
    doc = sample_project.model_dump(mode="json")
    node, key = doc, None
    parent = None
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans(), "deeper"):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys), "key")
        parent, node = node, node[key]
    if parent is not None:
        parent[key] = data.draw(JSON_VALUES, "value")
    try:
        files.project_from_data(doc)
    except LoadError as e:
        assert e.problems


@settings(max_examples=examples(80), deadline=None)
@given(cut=st.integers(0, 4000), junk=st.text(max_size=8))
def test_any_damage_to_the_text_is_a_load_error_or_a_project(sample_project, cut, junk):
    text = dumps(sample_project)[:6000]
    broken = text[:cut] + junk + text[cut + len(junk):]
    try:
        loads(broken)
    except LoadError as e:
        assert e.problems


# -- opening never writes ------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["good", "newer", "truncated"])
def test_opening_never_modifies_the_file(tmp_path, sample_project, which):
    text = dumps(sample_project)
    if which == "newer":
        text = text.replace(f'"schema_version": {SCHEMA_VERSION}', f'"schema_version": {SCHEMA_VERSION + 1}')
    elif which == "truncated":
        text = text[:1000]
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (path.stat().st_mtime_ns, path.read_bytes(), sorted(os.listdir(tmp_path)))
    try:
        load(path)
    except LoadError:
        assert which != "good"
    after = (path.stat().st_mtime_ns, path.read_bytes(), sorted(os.listdir(tmp_path)))
    assert after == before


def test_opening_an_older_version_does_not_rewrite_it(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(files.MIGRATIONS, 1, lambda d: {**d, "name": d.get("name", "") + " (migrated)"})
    path = tmp_path / "old.json"
    path.write_text('{"schema_version": 1, "name": "old"}')
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert load(path).name == "old (migrated)"
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


# -- atomic save -------------------------------------------------------------------------------
def test_save_over_an_existing_file(tmp_path, sample_project):
    path = tmp_path / "p.json"
    path.write_text("old contents")
    os.chmod(path, 0o640)
    save(sample_project, path)
    assert load(path) == sample_project
    assert os.listdir(tmp_path) == ["p.json"]
    assert path.stat().st_mode & 0o777 == 0o640


def test_new_file_gets_umask_permissions(tmp_path, sample_project):
    old = os.umask(0o022)
    try:
        save(sample_project, tmp_path / "n.json")
    finally:
        os.umask(old)
    assert (tmp_path / "n.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("fail", ["replace", "fsync", "write"])
def test_failed_save_leaves_the_old_file_whole_and_no_temp_file(tmp_path, sample_project, monkeypatch, fail):
    path = tmp_path / "p.json"
    save(sample_project, path)
    before = path.read_bytes()
    changed = sample_project.model_copy(update={"name": "changed"})

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    if fail == "replace":
        monkeypatch.setattr(files.os, "replace", boom)
    elif fail == "fsync":
        monkeypatch.setattr(files.os, "fsync", boom)
    else:
        from designer.io import outputs

        class Failing:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(outputs, "open", lambda *a, **k: Failing(open(*a, **k)), raising=False)
    with pytest.raises(OSError):
        save(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.json"]


def test_unsaveable_project_does_not_touch_the_file(tmp_path, sample):
    path = tmp_path / "p.json"
    save(sample, path)
    before = path.read_bytes()
    sample.sites[0].hall.racks[0].x = float("nan")  # bypasses validation on purpose
    with pytest.raises(ValueError):
        save(sample, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.json"]


# -- migrations --------------------------------------------------------------------------------
def test_migration_chain_runs_every_step_in_order(monkeypatch):
    """A pretend file format 3 whose version 1 called the project 'title' and version 2 called
    a rack's load 'load_kw'."""
    calls = []

    def v1_to_v2(d):
        calls.append((1, d["schema_version"]))
        d = dict(d)
        d["name"] = d.pop("title")
        return d

    def v2_to_v3(d):
        calls.append((2, d["schema_version"]))
        for s in d.get("sites", []):
            for r in s.get("hall", {}).get("racks", []):
                r["it_load_kw"] = r.pop("load_kw")
        return d

    monkeypatch.setattr(files, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(files.MIGRATIONS, 1, v1_to_v2)
    monkeypatch.setitem(files.MIGRATIONS, 2, v2_to_v3)
    old = {"schema_version": 1, "title": "Legacy",
           "sites": [{"id": "s", "hall": {"racks": [{"id": "r1", "load_kw": 7.5}]}}]}
    p = loads(json.dumps(old))
    assert calls == [(1, 1), (2, 2)]
    assert p.name == "Legacy" and p.schema_version == 3
    assert p.sites[0].hall.racks[0].it_load_kw == 7.5
    # a file already at the current version is not touched by migrations
    calls.clear()
    assert migrate({"schema_version": 3, "name": "x"}) == {"schema_version": 3, "name": "x"}
    assert calls == []
    # a version 2 file runs only the last step
    p2 = loads(json.dumps({"schema_version": 2, "name": "Two",
                           "sites": [{"id": "s", "hall": {"racks": [{"id": "r", "load_kw": 1.0}]}}]}))
    assert calls == [(2, 2)] and p2.sites[0].hall.racks[0].it_load_kw == 1.0


def test_missing_migration_step(monkeypatch):
    monkeypatch.setattr(files, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(files.MIGRATIONS, 2, lambda d: d)
    monkeypatch.delitem(files.MIGRATIONS, 1, raising=False)
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1}')
    p = _problem(ei)
    assert p.path == "schema_version" and "1" in p.message


def test_migration_that_fails_on_a_damaged_old_file_is_a_load_error(monkeypatch):
    monkeypatch.setattr(files, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(files.MIGRATIONS, 1, lambda d: {**d, "name": d.pop("title")})
    with pytest.raises(LoadError) as ei:
        loads('{"schema_version": 1, "name": "no title here"}')
    p = _problem(ei)
    assert "1" in p.message and "2" in p.message


def test_current_version_has_no_gaps_in_the_chain():
    for v in range(1, SCHEMA_VERSION):
        assert v in files.MIGRATIONS, f"no migration from file format {v}"


# -- JSON Schema ---------------------------------------------------------------------------------
def test_json_schema_is_valid_and_accepts_the_sample(sample_project):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    doc = json.loads(sample_project_path().read_text(encoding="utf-8"))
    assert [e.message for e in v.iter_errors(doc)] == []
    assert str(SCHEMA_VERSION) in schema["title"]


@pytest.mark.parametrize("patch", [{"it_load_kw": "lots"}, {"it_load_kW": 5.0}, {"feed_a": {"phase": "L1"}},
                                   {"id": "has space"}])
def test_json_schema_rejects_what_load_rejects(sample_project, patch):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(dumps(sample_project))
    doc["sites"][0]["hall"]["racks"][0].update(patch)
    with pytest.raises(LoadError):
        files.project_from_data(json.loads(json.dumps(doc)))
    assert list(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(p=projects)
def test_json_schema_accepts_generated_projects(p):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(dumps(p))
    errs = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))
    assert [e.message for e in errs[:3]] == []


def test_format_1_in_row_coolers_keep_their_rear_return():
    """Format 1 in-row coolers returned air over their back; format 2 says so explicitly."""
    doc = {"schema_version": 1, "sites": [{"id": "s", "hall": {"air_units": [
        {"id": "irc", "kind": "inrow"}, {"id": "crah", "kind": "crah"}]}}]}
    p = loads(json.dumps(doc))
    units = {u.id: u for u in p.sites[0].hall.air_units}
    assert p.schema_version == SCHEMA_VERSION
    assert units["irc"].intake == "rear"
    assert units["crah"].intake == "top"
    assert units["irc"].discharge == units["crah"].discharge == "front"
