"""x-momentum flux along the cold aisle, CFD against the model. python aisle_momentum.py [RUN_DIR]"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import load_cfd, load_model, run_arg  # noqa: E402

a = run_arg(argparse.ArgumentParser(description=__doc__)).parse_args()
c = load_cfd(a.run)
m = load_model('open_aisle_crah', 'base')
print(f"CFD run {a.run}")
print("x-momentum flux rho*int(u|u|)dA through the aisle cross-section (y 3-4.2, z<2), N; flow with |u|>2.67 m/s (m3/s)")
for x in (2.9, 3.5, 4.1, 4.7, 5.1, 5.5, 6.1, 6.7, 7.3):
    s = f"x={x:.1f}"
    for f in (c, m):
        i = int(np.searchsorted(f.xc, x))
        jj = np.where((f.yc > 3.0) & (f.yc < 4.2 if f is c else f.yc < 4.25))[0]
        kk = np.where(f.zc < 2)[0]
        u = f.U[i][np.ix_(jj, kk)][..., 0]
        A = np.diff(f.ye)[jj][:, None] * np.diff(f.ze)[kk][None, :]
        J = 1.2 * np.nansum(u * np.abs(u) * A)
        fast = np.nansum(np.where(np.abs(u) > 2.67, np.abs(u) * A, 0))
        s += f" | {f.name[:5]} J={J:+6.2f} fast={fast:.3f}"
    print(s)
