"""Plots for the servqual stage."""

__all__: list[str] = []
