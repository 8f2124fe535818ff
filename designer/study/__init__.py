"""Studies: scenario sweeps over many designs, run here or on a Dask cluster (Qt-free).

A study file (:mod:`.spec`) names project files and a grid of scenarios; each design (a site
with the workloads it serves, or a whole project: :mod:`.designs`) is run through the chosen
analyses in every scenario (:mod:`.scenarios` turns one into the app's own edits), one row
of headline figures each (:mod:`.headline`). :mod:`.engine` plans and runs the work, in this
process or on Dask, reusing each design's analysis structure across its scenarios
(:mod:`.execute`) and keeping finished scenarios so an interrupted study resumes
(:mod:`.store`); :mod:`.table` writes Parquet and CSV, :mod:`.report` the summary's content.

Layer: above ``designer.io`` (it reads project files and writes through the atomic writer)
and below ``designer.app`` (the Studies panel drives it).
"""
