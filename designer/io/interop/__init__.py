"""Files for the engineer's other tools: EPANET input files and pandapower networks."""
