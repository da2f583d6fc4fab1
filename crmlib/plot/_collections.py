"""Plots for the collections stage."""

__all__: list[str] = []
