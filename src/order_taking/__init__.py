"""order-taking: the Order Taking API of a wholesale fibre-network operator."""

from importlib.metadata import version

# One source for the version: the package's metadata (pyproject.toml).
__version__ = version("order-taking")
