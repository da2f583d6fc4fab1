"""Plots for the personalize stage."""

__all__: list[str] = []
