"""Morrow: clinician-supervised recovery support with honest, sourced safety warnings."""

__version__ = "0.1.0"
