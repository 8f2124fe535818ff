"""Power chain solver: loads, margins, phases, voltage drop and single failures (no Qt).

Three steps, as every solver here:

* build (:mod:`.network`, :mod:`.routing`): a hall's sources, transformers, switchboards, UPS,
  PDUs, busways, taps and rack cords become arrays of buses and branches, with cable lengths
  routed on the floor plan where they are not given;
* solve (:mod:`.loadflow`, :mod:`.phases`, :mod:`.checks`, :mod:`.redundancy`,
  :mod:`.incremental`): a radial load flow on complex per-unit voltages (power balance
  asserted), phase currents and a re-balancing, ratings with the 80 % rule, and every single
  failure simulated incrementally;
* results (:mod:`.results`, :mod:`.findings`): frozen, read-only results keyed by item id,
  and findings.

Entry point: :func:`designer.solvers.power.solve.solve_site`.
"""
