"""Plots for the differentiate stage."""

__all__: list[str] = []
