"""p_rgh, p and Ux along the rack feet of the cold aisle (CFD, last instant). python corner_pressure.py [RUN_DIR]"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import load_cfd, read_internal, run_arg  # noqa: E402

a = run_arg(argparse.ArgumentParser(description=__doc__)).parse_args()
c = load_cfd(a.run)
d = Path(a.run)
meta = c.extra['meta']
ijk = np.load(d / 'grid.npz')['ijk']
print(f"CFD run {d}, time {c.extra['time']}")
xs = np.arange(2.8, 7.6, 0.4)
print(" x      ", np.round(xs, 2))
for nm in ('p_rgh', 'p'):
    v = read_internal(d / c.extra['time'] / nm, meta['n_cells'])
    arr = np.full(c.T.shape, np.nan)
    arr[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = v
    print(nm)
    for (y, z) in ((3.1, 0.1), (3.1, 1.0), (3.6, 0.1), (3.6, 1.0), (3.6, 1.9), (4.1, 0.1)):
        print(f" y={y} z={z}", np.round(c.sample(arr, xs, y, z), 2))
for (y, z) in ((3.1, 0.1), (3.3, 0.1), (3.1, 0.3), (4.1, 0.1)):
    print(f' UMean x  y={y} z={z}', np.round(c.sample(c.U, xs, y, z)[:, 0], 2))
