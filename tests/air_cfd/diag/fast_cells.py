"""Fastest cells of CFD time-mean fields against the fastest opening. python fast_cells.py [RUN_DIR ...]"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import RUN, load_cfd  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("runs", nargs="*", type=Path, default=[RUN])
for run in ap.parse_args().runs:
    c = load_cfd(run)
    meta = c.extra['meta']
    op = max(meta['openings'], key=lambda o: o['flow_m3s'] / o['area'])
    vmax = op['flow_m3s'] / op['area']
    sp = np.linalg.norm(c.U, axis=-1)
    print(f"{run} (t={c.extra['time']}): fastest opening {vmax:.2f} m/s ({op.get('name', op.get('id', '?'))});"
          f" cells faster than 1.05x: {(sp > vmax * 1.05).sum()} of {np.isfinite(sp).sum()}; top:")
    for fl in np.argsort(-np.nan_to_num(sp).ravel())[:6]:
        i, j, k = np.unravel_index(fl, sp.shape)
        print(f"   {sp[i, j, k]:.2f} m/s at ({c.xc[i]:.2f}, {c.yc[j]:.2f}, {c.zc[k]:.2f}) U = {np.round(c.U[i, j, k], 2)}")
