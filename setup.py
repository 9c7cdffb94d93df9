"""Packaging beyond ``pyproject.toml``: the example assumption sets and the
validation cases ship inside the package without moving in the repository.

``assumptions/`` is installed as ``actuarial/samples/assumptions`` and
``validation_cases/`` as ``actuarial/samples/validation_cases`` (a
``package_dir`` mapping), side by side as in the repository, so that a case's
``assumptions: ../../assumptions/demoland.yaml`` still resolves. Every other
setting is in ``pyproject.toml``; the packages are found as before
(``actuarial*``, ``fiscal_space*``), the two data folders added to them.
"""

from setuptools import find_packages, setup

SHIPPED = {"actuarial.samples.assumptions": "assumptions",
           "actuarial.samples.validation_cases": "validation_cases"}

setup(packages=[*find_packages(include=["actuarial*", "fiscal_space*"]), *SHIPPED], package_dir=SHIPPED)
