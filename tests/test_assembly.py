"""Modules as assemblies: placing a template, moving / turning / copying / deleting a module
with its contents as one undo step, templates from a selection, and bad template files."""

from __future__ import annotations

import json
import math

import pytest

from designer.analysis.base import registered, run_analysis
from designer.document import Document, ops
from designer.document.assembly import members, place_module, template_from_selection, with_members
from designer.document.geometry import points_of
from designer.document.refs import references
from designer.io.catalog_store import (
    load_catalog,
    read_template_file,
    template_text,
    user_catalog_dir,
    write_template_file,
)
from designer.io.errors import LoadError
from designer.model import hall as h
from designer.model.base import to_local
from designer.model.catalog import TEMPLATE_FORMAT, ModuleType
from designer.model.findings import Severity
from designer.model.project import Project, Site
from designer.model.registry import iter_items
from designer.model.template import template_problems
from designer.model.validate import validate

TOL = 1e-9


def _apply_undo_redo(doc: Document, edit):
    before = doc.project.model_dump()
    inv = doc.apply(edit)
    after = doc.project.model_dump()
    redo = doc.apply(inv)
    assert doc.project.model_dump() == before
    doc.apply(redo)
    assert doc.project.model_dump() == after


def _findings(project: Project) -> set[tuple]:
    """Every finding of validation and of the geometry, liquid and power analyses, as
    (code, items) with positions left out of the text."""
    out = {(f.code, f.item_ids) for f in validate(project)}
    for name in ("geometry", "liquid", "power"):
        res = run_analysis(registered()[name](), project, 0, {})
        assert res.error is None, res.error
        out |= {(f.code, f.item_ids) for f in res.findings}
    return out


def _local_shape(doc: Document, module_id: str) -> dict:
    """Every member's points in the module's own frame (rounded): unchanged by a move or a turn."""
    m = doc.item(module_id)
    return {i: [tuple(round(v, 6) for v in to_local(x, y, m)) for x, y in points_of(doc.item(i))]
            for i in members(doc, module_id)}


@pytest.fixture
def doc(sample) -> Document:
    return Document(sample)


def test_sample_modules_hold_their_contents(doc):
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    kinds = {doc.find(i).kind for i in members(doc, pod.id)}
    assert {"rack", "cdu", "pipe", "junction", "containment"} <= kinds
    assert len([i for i in members(doc, pod.id) if doc.find(i).kind == "rack"]) == 8


@pytest.mark.parametrize("deg", [90.0, 180.0, -90.0])
def test_moving_and_turning_a_module_takes_its_contents_and_undoes_exactly(doc, deg):
    site = doc.site("core-fra")
    pod = next(m for m in site.hall.modules if m.name == "AI-POD-1")
    shape = _local_shape(doc, pod.id)
    before = _findings(doc.project)
    # a turn about its own centre, then a drag (release pushes the module's new position)
    _apply_undo_redo(doc, ops.rotate_items(doc, [pod.id], deg))
    assert (doc.item(pod.id).x, doc.item(pod.id).y) == (pod.x, pod.y)
    m = doc.item(pod.id)
    _apply_undo_redo(doc, ops.set_positions(doc, {pod.id: (m.x + 0.5, m.y - 0.3)}))
    assert _local_shape(doc, pod.id) == shape
    if deg == 180.0:  # same footprint: nothing new may appear
        assert _findings(doc.project) - before == set()


def test_a_module_moved_with_arrow_keys_and_back_is_restored_exactly(doc):
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    original = doc.project.model_dump()
    shape = _local_shape(doc, pod.id)
    inv = doc.apply(ops.move_items(doc, [pod.id], 1.0, -0.5))
    assert _local_shape(doc, pod.id) == shape
    doc.apply(inv)
    assert doc.project.model_dump() == original


def test_a_member_moves_alone_and_stays_in_its_module(doc):
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    rack = next(i for i in members(doc, pod.id) if doc.find(i).kind == "rack")
    x0 = doc.item(pod.id).x
    doc.apply(ops.move_items(doc, [rack], 0.1, 0.0))
    assert doc.item(pod.id).x == x0 and doc.item(rack).module_id == pod.id


def test_deleting_a_module_deletes_its_contents_in_one_step(doc):
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    inside = set(members(doc, pod.id))
    edit = ops.delete_items(doc, [pod.id])
    gone = {e.item_id for e in edit.edits if hasattr(e, "item_id")}
    assert inside | {pod.id} <= gone
    _apply_undo_redo(doc, edit)  # ends applied
    assert not any(getattr(loc.item, "module_id", None) == pod.id for loc in iter_items(doc.project))
    # nothing left pointing at what went
    assert not [f for f in validate(doc.project) if f.code.startswith("ref.")]


def test_duplicating_a_module_copies_its_contents_with_their_own_references(doc):
    site = doc.site("ent-muc")
    mod = site.hall.modules[0]
    inside = members(doc, mod.id)
    edit = ops.duplicate_items(doc, [mod.id], dx=0.0, dy=0.0)
    _apply_undo_redo(doc, edit)
    new_mod = next(m for m in site.hall.modules if m.id != mod.id)
    copies = members(doc, new_mod.id)
    assert len(copies) == len(inside)
    assert new_mod.name != mod.name and len({m.name for m in site.hall.modules}) == 2
    copy_ids = set(copies) | {new_mod.id}
    for i in copies:
        for path, ref in references(doc.item(i)):
            orig_ref_in_module = ref in copy_ids or ref not in set(inside) | {mod.id}
            assert orig_ref_in_module, (i, path, ref)  # never a copy pointing into the original
    names = [getattr(loc.item, "name", "") for loc in iter_items(doc.project)
             if loc.site_index == 2 and getattr(loc.item, "name", "")]
    assert len(names) == len(set(names)), "copies got names the site already had"


def test_copy_and_paste_a_module_into_another_site(doc):
    payload = ops.copy_payload(doc, [doc.site("twr-ks").hall.modules[0].id])
    kinds = {e["kind"] for e in payload}
    assert "module" in kinds and "rack" in kinds and "cdu" in kinds
    edit = ops.paste_payload(doc, "ind-str", payload, dx=2.0, dy=0.0)
    _apply_undo_redo(doc, edit)
    pasted = [m for m in doc.site("ind-str").hall.modules if m.catalog_model == "MIC-60T"]
    assert len(pasted) == 1 and len(members(doc, pasted[0].id)) == len(payload) - 1


def test_with_members_keeps_order_and_adds_each_once(doc):
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    inside = members(doc, pod.id)
    ids = with_members(doc, [inside[0], pod.id, inside[0]])
    assert ids[0] == inside[0] and ids[1] == pod.id and len(ids) == len(set(ids)) == len(inside) + 1


# -- templates ---------------------------------------------------------------------------------
def _pod_template(doc) -> ModuleType:
    pod = next(m for m in doc.site("core-fra").hall.modules if m.name == "AI-POD-1")
    return template_from_selection(doc, [pod.id], "MY-POD", "My pod")


def test_template_from_a_selection_is_valid_and_places_as_one_edit(doc):
    entry = _pod_template(doc)
    assert template_problems(entry) == []
    assert len(entry.contents.racks) == 8 and entry.rack_positions == 8
    assert all(r.module_id is None for r in entry.contents.racks)
    empty = Document(Project(sites=[Site(id="s", hall=h.Hall(outline=[(0, 0), (30, 0), (30, 20), (0, 20)]))]))
    for deg in (0.0, 90.0):
        edit = place_module(empty, "s", entry, 15.0, 10.0, deg)
        _apply_undo_redo(empty, edit)
        mod = next(m for m in empty.project.sites[0].hall.modules if m.rotation_deg == deg)
        inside = members(empty, mod.id)
        n_contents = sum(len(getattr(entry.contents, f)) for f in type(entry.contents).model_fields)
        assert len(inside) == n_contents
        # each item sits where the template put it, in the module's frame
        for i in inside:
            it = empty.item(i)
            if isinstance(it, h.Rack):
                local = to_local(it.x, it.y, mod)
                src = next(r for r in entry.contents.racks if it.name.endswith("-" + r.name))
                assert math.dist(local, (src.x, src.y)) < 1e-9
        # references stay inside the copy
        ids = set(inside) | {mod.id}
        for i in inside:
            for _, ref in references(empty.item(i)):
                assert ref in ids
    errs = [f for f in validate(empty.project) if f.severity is Severity.ERROR]
    assert not [f for f in errs if f.code.startswith(("ref.", "id."))], errs


def test_template_file_round_trip_and_the_user_catalog(doc):
    entry = _pod_template(doc)
    path = write_template_file(entry)
    assert path.parent == user_catalog_dir()
    again = read_template_file(path)
    assert again == entry
    cat, errors = load_catalog()
    assert errors == [] and cat.get("MY-POD") == entry
    with pytest.raises(FileExistsError):
        write_template_file(entry)


def _write(tmp, data) -> object:
    p = user_catalog_dir()
    p.mkdir(parents=True, exist_ok=True)
    f = p / "bad.json"
    f.write_text(json.dumps(data))
    return f


@pytest.mark.parametrize(("change", "path_part"), [
    (lambda m: m.pop("width_m"), "module.width_m"),
    (lambda m: m["contents"]["racks"][0].update(x=40.0), "contents.racks[0].x"),
    (lambda m: m["contents"]["pipes"][0]["start"].update(item_id="nowhere"), "contents.pipes[0].start.item_id"),
    (lambda m: m["contents"]["racks"][0].update(feed_a={"source_id": "ghost"}), "contents.racks[0].feed_a"),
    (lambda m: m["connections"][0].update(item_ids=["ghost"]), "connections[0].item_ids[0]"),
    (lambda m: m["contents"]["racks"][1].update(id=m["contents"]["racks"][0]["id"]), "contents.racks[1].id"),
    (lambda m: m.update(rack_positions=2), "module.rack_positions"),
])
def test_bad_templates_name_the_field_and_add_nothing(doc, tmp_path, change, path_part):
    entry = _pod_template(doc)
    data = json.loads(template_text(entry))
    change(data["module"])
    f = _write(tmp_path, data)
    with pytest.raises(LoadError) as e:
        read_template_file(f)
    assert any(path_part in p.path for p in e.value.problems), [p.as_text() for p in e.value.problems]
    cat, errors = load_catalog()
    assert "MY-POD" not in cat and len(errors) == 1 and errors[0].source == str(f)


def test_a_template_from_a_newer_version_is_refused(doc, tmp_path):
    data = json.loads(template_text(_pod_template(doc)))
    data["template_format"] = TEMPLATE_FORMAT + 1
    with pytest.raises(LoadError) as e:
        read_template_file(_write(tmp_path, data))
    assert e.value.problems[0].path == "template_format" and "newer" in e.value.problems[0].message
