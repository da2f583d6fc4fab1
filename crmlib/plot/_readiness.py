"""Plots for the readiness stage."""

__all__: list[str] = []
