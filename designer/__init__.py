"""Data Hall Designer: design modular AI data halls from the workload outward."""

__version__ = "0.1.0"
