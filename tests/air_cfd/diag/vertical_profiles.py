"""Vertical profiles on the aisle centre line, CFD against the model. python vertical_profiles.py [RUN_DIR]"""
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
zs = np.array([0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.7, 1.9, 2.1, 2.4, 2.7, 2.9])
for x in (3.3, 4.1, 5.1, 6.1, 7.0):
    print(f"x={x}, y=3.6: z | T cfd mod | Ux cfd mod | Uz cfd mod | nut cfd(inst) mod")
    Tc, Tm = c.sample(c.T, x, 3.6, zs), m.sample(m.T, x, 3.6, zs)
    Uc, Um = c.sample(c.U, x, 3.6, zs), m.sample(m.U, x, 3.6, zs)
    nc, nm = c.sample(c.nut, x, 3.6, zs), m.sample(m.nut, x, 3.6, zs)
    for i, z in enumerate(zs):
        print(f"  {z:4.1f} | {Tc[i]:5.1f} {Tm[i]:5.1f} | {Uc[i, 0]:+5.2f} {Um[i, 0]:+5.2f} | "
              f"{Uc[i, 2]:+5.2f} {Um[i, 2]:+5.2f} | {nc[i]:.4f} {nm[i]:.4f}")
