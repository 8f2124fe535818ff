"""Packaging glue that pyproject.toml cannot express: every ``designer`` subpackage, plus
the top-level ``resources/`` folder shipped inside the wheel as ``designer.resources``."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["designer", "designer.*"]) + ["designer.resources"],
    package_dir={"designer.resources": "resources"},
)
