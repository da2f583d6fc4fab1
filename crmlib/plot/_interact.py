"""Plots for the interact stage."""

__all__: list[str] = []
