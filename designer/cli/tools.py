"""What the app's tools do, from the command line: ``designer recommend``, ``designer balance``
and ``designer what-if``.

Each runs the same Qt-free function the app's button runs (the app only adds a cursor and
a status message): :func:`~designer.analysis.placement.recommend_edit`,
:func:`~designer.analysis.liquid.auto_balance`,
:func:`~designer.analysis.power.suggest_phase_balance` and
:meth:`~designer.solvers.power.results.SitePower.what_if`. The edits are applied to the
document as the app applies them (one undoable edit) and written to a NEW project file
with ``-o``; without ``-o`` the command only reports what it would change.
"""

from __future__ import annotations

import json
import math
import os
import sys


def _err(cmd: str, msg: str) -> None:
    print(f"designer {cmd}: {msg}", file=sys.stderr)


def add_parsers(sub) -> None:
    p = sub.add_parser("recommend", help="choose catalog modules to serve the workloads at least cost",
                       description="Run the module recommendation (a MILP) as the app's Recommend dialog does. "
                                   "With -o, the recommended modules are added and the design written there.")
    p.add_argument("file")
    p.add_argument("-o", "--output", help="project file to write with the modules added (never the input)")
    p.add_argument("--no-existing", action="store_true", help="do not count the modules already placed")
    p.add_argument("--ignore-utility", action="store_true", help="do not limit a site by its utility capacity")
    p.add_argument("--max-copies", type=int, default=6, help="most copies of one module type per site (6)")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="solver time limit in seconds (60)")
    p.add_argument("--json", action="store_true", help="the recommendation as JSON")
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser("balance", help="balance the liquid loops (valve settings) and / or the phases",
                       description="Set every liquid rack's balancing valve (auto-balance) and / or move "
                                   "single-phase cords between phases, as the app's Balance buttons do.")
    p.add_argument("file")
    p.add_argument("what", nargs="?", choices=("liquid", "phases", "both"), default="both")
    p.add_argument("--site", help="only this site (default: every site)")
    p.add_argument("-o", "--output", help="project file to write with the changes (never the input)")
    p.set_defaults(func=cmd_balance)

    p = sub.add_parser("what-if", help="what survives when one item fails",
                       description="The failure scenario of one item, as the app shows it: a power item "
                                   "(source, transformer, switchboard, UPS, PDU, busway, tap), a whole side "
                                   "(A or B, with --site), a UPS module (--module) or a CDU (one pump down).")
    p.add_argument("file")
    p.add_argument("--fail", required=True, metavar="ID", help="id of the item that fails, or a side label")
    p.add_argument("--site", help="the site (needed for a side label; found from the id otherwise)")
    p.add_argument("--module", action="store_true", help="one module of the UPS fails, not the whole UPS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_what_if)


def _load(cmd: str, path: str):
    from designer.cli import _load_or_report

    return _load_or_report(path)


def _check_output(cmd: str, args) -> bool:
    out = getattr(args, "output", None)
    if not out:
        return True
    try:
        same = os.path.exists(out) and os.path.samefile(args.file, out)
    except OSError:
        same = False
    if same or os.path.abspath(out) == os.path.abspath(args.file):
        _err(cmd, "the output must be a new file, not the input")
        return False
    from designer.io.outputs import OutputError, check_output_path

    try:
        check_output_path(out)
    except OutputError as e:
        _err(cmd, str(e))
        return False
    return True


def _apply_and_save(project, edit, path: str):
    from designer.document.document import Document
    from designer.io.files import save

    doc = Document(project)
    if edit:
        doc.apply(edit)
    save(doc.project, path)
    return doc.project


def cmd_recommend(args) -> int:
    from designer.analysis.placement import recommend_edit
    from designer.io.catalog_store import load_catalog

    if not _check_output("recommend", args):
        return 2
    if args.max_copies < 1 or args.time_limit <= 0:
        _err("recommend", "--max-copies must be 1 or more and --time-limit positive")
        return 2
    project = _load("recommend", args.file)
    if project is None:
        return 1
    catalog, problems = load_catalog(project)
    for e in problems:
        print(e.summary(), file=sys.stderr)
    out = recommend_edit(project, catalog, use_existing=not args.no_existing,
                         respect_utility=not args.ignore_utility, max_copies=args.max_copies,
                         time_limit_s=args.time_limit)
    rec = out.recommendation
    if args.json:
        from designer.io.export_json import plain

        print(json.dumps(plain({"status": rec.status, "total_cost": rec.total_cost, "fixed_cost": rec.fixed_cost,
                                "assignment_cost": rec.assignment_cost, "new_modules": rec.new_modules,
                                "choices": dict(rec.choices), "unserved": dict(rec.unserved),
                                "unserved_reasons": {w: {"reason_code": r.code, "reason_capacity": r.capacity,
                                                         "reason": r.message} for w, r in rec.reasons.items()},
                                "skipped": out.skipped, "notes": rec.notes}), indent=2))
    else:
        print(f"Recommendation ({rec.status}, {rec.elapsed_s:.2f} s): {len(rec.new_modules)} new module(s), "
              f"cost {rec.total_cost:,.0f} per month (modules {rec.fixed_cost:,.0f}, "
              f"hosting and backhaul {rec.assignment_cost:,.0f})")
        for nm in rec.new_modules:
            where = "no free spot in the hall" if nm.position is None else \
                f"at ({nm.position[0]:.1f}, {nm.position[1]:.1f}) m, {nm.position[2]:g} deg"
            print(f"  + {nm.model} at {nm.site_id}{' (new site)' if nm.new_site else ''}, {where}: "
                  f"{nm.load_kw:.0f} of {nm.it_capacity_kw:.0f} kW for {', '.join(nm.workload_ids)}")
        for wid, why in rec.unserved.items():
            print(f"  ! {wid}: {why}")
        for s in out.skipped:
            print(f"  - left out: {s}")
    if args.output:
        _apply_and_save(project, out.edit, args.output)
        n = sum(1 for e in out.edit.edits if getattr(e, "kind", "") == "module")
        print(f"{args.output}: written with {n} module(s) added")
    return 1 if rec.unserved else 0


def cmd_balance(args) -> int:
    from designer.analysis.liquid import auto_balance
    from designer.analysis.power import suggest_phase_balance
    from designer.document.document import Document

    if not _check_output("balance", args):
        return 2
    project = _load("balance", args.file)
    if project is None:
        return 1
    if args.site is not None and args.site not in {s.id for s in project.sites}:
        _err("balance", f"no site {args.site!r} in {args.file}; its sites are: "
                        f"{', '.join(s.id for s in project.sites) or 'none'}")
        return 2
    doc = Document(project)
    edits = []
    if args.what in ("liquid", "both"):
        before = _flow_ratios(doc.project, args.site)
        edit = auto_balance(doc.project, args.site)
        changed = [e for e in edit.edits if abs(e.values["valve_k"] - (doc.item(e.target).valve_k or 0.0)) > 1e-9]
        if edit:
            doc.apply(edit)
            edits.append(edit)
        after = _flow_ratios(doc.project, args.site)
        if not edit.edits:
            print("Liquid: no liquid loop with racks")
        else:
            print(f"Liquid: {len(changed)} balancing valve(s) set; flow / required per rack "
                  f"{_span(before)} before, {_span(after)} after")
    if args.what in ("phases", "both"):
        before = _imbalance(doc.project, args.site)
        edit = suggest_phase_balance(doc.project, args.site)
        if edit.edits:
            doc.apply(edit)
            edits.append(edit)
            n = sum(len(e.values) for e in edit.edits)
            print(f"Phases: {n} cord(s) moved on {len(edit.edits)} rack(s); worst phase imbalance "
                  f"{before * 100:.1f} % before, {_imbalance(doc.project, args.site) * 100:.1f} % after")
        else:
            print("Phases: nothing to gain (no single-phase cord would even out a UPS zone's phases by a point)")
    if args.output:
        from designer.io.files import save

        save(doc.project, args.output)
        print(f"{args.output}: written")
    elif edits:
        print("(nothing written: give -o OUT to save the balanced design)")
    return 0


def _flow_ratios(project, site_id):
    from designer.solvers.liquid.solve import solve_project

    res, _f, _o = solve_project(project, failure=False)
    sites = {s.id for s in project.sites if site_id is None or s.id == site_id}
    loop_site = {lp.index: lp.site_id for lp in res.loops}
    return [r.flow_ratio for r in res.racks.values() if r.flow_ratio is not None and loop_site.get(r.loop) in sites]


def _span(ratios) -> str:
    return f"{min(ratios):.0%}-{max(ratios):.0%}" if ratios else "-"


def _imbalance(project, site_id) -> float:
    from designer.solvers.power.solve import solve_site

    worst = 0.0
    for s in project.sites:
        if site_id is None or s.id == site_id:
            sp, _ = solve_site(s, sweep_failures=False)
            worst = max([worst, *(n.imbalance for n in sp.nodes.values())])
    return worst


def cmd_what_if(args) -> int:
    from designer.solvers.power.solve import describe, solve_site

    project = _load("what-if", args.file)
    if project is None:
        return 1
    fid = args.fail
    sites = [s for s in project.sites if args.site is None or s.id == args.site]
    if not sites:
        _err("what-if", f"no site {args.site!r} in {args.file}")
        return 2
    for site in sites:
        if any(c.id == fid for c in site.hall.cdus):
            return _cdu_what_if(project, site, fid, args.json)
    for site in sites:
        sides = {getattr(it, "side", "") for it in _power_items(site)} - {""}
        if fid in {it.id for it in _power_items(site)} or (args.site and fid in sides):
            sp, _ = solve_site(site)
            sc = sp.what_if(fid, args.module)
            if sc is None:
                _err("what-if", f"{fid} has no failure scenario at site {site.id}"
                                + (" (is it a UPS? --module is for UPS modules)" if args.module else ""))
                return 2
            if args.json:
                from dataclasses import asdict

                from designer.io.export_json import plain

                print(json.dumps(plain({"site_id": site.id, **asdict(sc), "text": describe(sc, sp)}), indent=2))
            else:
                print(f"Site {site.name or site.id}: {describe(sc, sp)}")
                for rid in sc.racks_lost[:20]:
                    print(f"  rack {sp.name_of(rid)} loses power"
                          + (f" after {sc.battery_min:g} min on battery" if rid in sc.racks_on_battery else ""))
                if len(sc.racks_lost) > 20:
                    print(f"  ... and {len(sc.racks_lost) - 20} more racks")
                for oid, what, u in sc.overloaded:
                    print(f"  {sp.name_of(oid)}: {what} at {u:.0%}")
            return 0 if sc.ok else 1
    _err("what-if", f"no power item, side or CDU {fid!r}" + (f" at site {args.site}" if args.site else "")
         + "; a side label needs --site")
    return 2


def _power_items(site):
    pw = site.hall.power
    return [*pw.sources, *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus, *pw.busways, *pw.taps]


def _cdu_what_if(project, site, cdu_id: str, as_json: bool) -> int:
    """One pump of the CDU down (the liquid analysis's failure scenario)."""
    from designer.solvers.liquid.solve import solve_project

    res, _f, _o = solve_project(project)
    cdu = res.cdus.get(cdu_id)
    if cdu is None:
        _err("what-if", f"CDU {cdu_id} is in no liquid loop")
        return 2
    racks = [r for r in res.racks.values() if r.loop == cdu.loop and r.required_lpm]
    short = [r for r in racks if r.failure_ratio is not None and r.failure_ratio < 1.0 - 1e-3]
    if as_json:
        from designer.io.export_json import plain

        print(json.dumps(plain({"site_id": site.id, "cdu_id": cdu_id, "pumps_left": cdu.failure_running,
                                "racks": {r.rack_id: {"flow_lpm": r.failure_flow_lpm, "ratio": r.failure_ratio}
                                          for r in racks}, "ok": not short}), indent=2))
    else:
        left = cdu.failure_running or 0
        state = (f"{left} pump(s) left running" if left else
                 "no pump runs until a standby pump starts (the CDU runs a single duty pump)")
        print(f"Site {site.name or site.id}: one pump of {cdu_id} down, {state}: "
              + (f"{len(short)} of {len(racks)} racks short of flow" if short else
                 f"all {len(racks)} racks keep their required flow"))
        for r in short:
            print(f"  rack {r.rack_id}: {r.failure_flow_lpm:.1f} L/min, {r.failure_ratio:.0%} of required")
    return 1 if short else 0


def add_import_parser(sub) -> None:
    p = sub.add_parser("import-dxf", help="bring in an architect's DXF: background, outline, columns, walls",
                       description="Put a DXF drawing under a site's hall as a locked background and, where "
                                   "asked, take the hall outline, columns and walls from its closed polylines. "
                                   "With --list only the drawing's layers, unit and closed polylines are shown.")
    p.add_argument("file", help="project file")
    p.add_argument("dxf", help="the drawing (DXF)")
    p.add_argument("--site", help="the site whose hall gets it (default: the first site)")
    p.add_argument("-o", "--output", help="project file to write (never the input)")
    p.add_argument("--list", action="store_true", help="only list layers, unit and closed polylines")
    p.add_argument("--layers", help="comma-separated layers to bring in (default: all)")
    p.add_argument("--units", choices=("mm", "cm", "m", "in", "ft"),
                   help="the drawing's length unit (default: the file's $INSUNITS)")
    p.add_argument("--scale", type=float, default=1.0, help="drawing length x SCALE = real length (default 1)")
    p.add_argument("--origin", default="0,0", metavar="X,Y",
                   help="drawing point (drawing units) put at the plan's 0,0; 'min' for the drawing's lower left")
    p.add_argument("--outline", metavar="LAYER|INDEX", help="the hall outline: the largest closed polyline of "
                                                            "this layer, or a path index from --list")
    p.add_argument("--columns", metavar="LAYER", help="every closed polyline of this layer becomes a column")
    p.add_argument("--walls", metavar="LAYER", help="every closed polyline of this layer becomes a wall")
    p.set_defaults(func=cmd_import_dxf)


def cmd_import_dxf(args) -> int:
    from designer.io.dxf_import import DxfImportError, closed_paths, import_edit, read_dxf, to_background

    if not args.list and not args.output:
        _err("import-dxf", "give -o OUT (a new project file), or --list to look at the drawing first")
        return 2
    if not _check_output("import-dxf", args):
        return 2
    project = _load("import-dxf", args.file)
    if project is None:
        return 1
    site_id = args.site or (project.sites[0].id if project.sites else None)
    try:
        layers = [s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None
        drawing = read_dxf(args.dxf, layers)
        if args.origin == "min":
            x0, y0, _x1, _y1 = drawing.extents()
            origin = (x0, y0)
        else:
            try:
                origin = tuple(float(v) for v in args.origin.split(","))
                assert len(origin) == 2 and all(math.isfinite(v) for v in origin)
            except (ValueError, AssertionError):
                _err("import-dxf", f"--origin must be X,Y in drawing units or 'min', not {args.origin!r}")
                return 2
        bg = to_background(drawing, args.units, args.scale, origin)
        if args.list:
            print(f"{drawing.source}: unit {drawing.units or 'not given'}; layers (geometry entities):")
            for name, n in drawing.layers.items():
                print(f"  {name}: {n}")
            if drawing.skipped:
                print("left out: " + ", ".join(f"{n} {t}" for t, n in drawing.skipped.items()))
            print("closed polylines (index, layer, area m2), largest first:")
            for i, area in closed_paths(bg)[:40]:
                print(f"  {i}: {bg.paths[i].layer}, {area:.2f}")
            return 0

        def sel(v):
            return None if v is None else (int(v) if v.isdigit() else v)

        plan = import_edit(project, site_id, bg, sel(args.outline), sel(args.columns), sel(args.walls))
    except DxfImportError as e:
        _err("import-dxf", f"{e}; nothing was written")
        return 1
    from designer.document.document import Document
    from designer.io.files import save
    from designer.model.validate import validate

    doc = Document(project)
    doc.apply(plan.edit)
    save(doc.project, args.output)
    for line in plan.account:
        print(f"  {line}")
    if drawing.skipped:
        print("  left out: " + ", ".join(f"{n} {t}" for t, n in drawing.skipped.items()))
    errors = [f for f in validate(doc.project) if f.severity.value == "error"]
    print(f"{args.output}: written ({len(errors)} errors)")
    return 0
