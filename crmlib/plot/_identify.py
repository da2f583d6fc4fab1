"""Plots for the identify stage."""

__all__: list[str] = []
