"""``designer generate fleet --sites N -o FLEET.json``: a deterministic fleet for studies."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("generate", help="write generated projects (a fleet of sites) for studies and benchmarks")
    what = p.add_subparsers(dest="what", required=True)
    f = what.add_parser("fleet", help="a core and N edge sites of the four edge kinds, with modules, racks, "
                                      "power, loops and workloads (deterministic)")
    f.add_argument("--sites", type=int, required=True, metavar="N", help="number of edge sites")
    f.add_argument("--seed", type=int, default=1, help="seed of the layout (default 1)")
    f.add_argument("-o", "--output", required=True, help="project file to write")
    f.set_defaults(func=cmd_fleet)


def cmd_fleet(args) -> int:
    from designer.io.outputs import OutputError, check_output_path

    if args.sites < 0:
        print("designer generate fleet: --sites must be 0 or more", file=sys.stderr)
        return 2
    try:
        check_output_path(args.output)
    except OutputError as e:
        print(f"designer generate fleet: {e}", file=sys.stderr)
        return 2
    from designer.io.files import save
    from designer.io.fleet import generate_fleet

    project = generate_fleet(args.sites, args.seed)
    try:
        save(project, args.output)
    except (OutputError, OSError) as e:
        print(f"designer generate fleet: writing {args.output} failed: {e}; nothing was written", file=sys.stderr)
        return 1
    racks = sum(len(s.hall.racks) for s in project.sites)
    print(f"wrote {args.output}: {len(project.sites)} sites ({args.sites} edge sites and the core), {racks} racks, "
          f"{len(project.workloads)} workloads")
    return 0
