"""Volume flow through planes x = const by region, CFD against the model. python xplanes.py [RUN_DIR]"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import load_cfd, load_model, run_arg  # noqa: E402

a = run_arg(argparse.ArgumentParser()).parse_args()
c = load_cfd(a.run)
m = load_model('open_aisle_crah')
print('CFD run', a.run)


def xplane(f, x):
    i = int(np.argmin(np.abs(f.xe - x)))
    u = f.extra['Uxf'][i] if 'Uxf' in f.extra else 0.5 * (f.U[i - 1, :, :, 0] + f.U[i, :, :, 0])
    A = np.diff(f.ye)[:, None] * np.diff(f.ze)[None, :]
    Y, Z = np.meshgrid(f.yc, f.zc, indexing='ij')
    u = np.nan_to_num(u)
    regs = {'aisle y3-4.2 z<2': (Y > 3) & (Y < 4.2) & (Z < 2),
            'rows y1.8-3,4.2-5.4 z<2': (((Y > 1.8) & (Y < 3)) | ((Y > 4.2) & (Y < 5.4))) & (Z < 2),
            'rear spaces z<2': ((Y < 1.8) | (Y > 5.4)) & (Z < 2),
            'above z>2': Z > 2}
    s = f"x={f.xe[i]:.2f}: "
    for k, r in regs.items():
        q = u * A * r
        s += f"{k}: +{q[q > 0].sum():.2f}/-{-q[q < 0].sum():.2f}  "
    return s


for x in (0.9, 1.8, 2.7, 3.9, 5.1, 6.3, 7.5, 8.5, 9.5, 10.1):
    print("CFD  ", xplane(c, x))
    print("model", xplane(m, x))
