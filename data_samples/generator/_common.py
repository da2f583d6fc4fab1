"""The period every sample company covers and the seed of each company."""

from __future__ import annotations

from datetime import date

BASE = date(2022, 1, 1)


N_DAYS = (date(2024, 12, 31) - BASE).days + 1  # 1096 days, 2022-01-01 .. 2024-12-31


LAST_DAY = N_DAYS - 1


DAY_MIN = 1440


END_MINUTE = N_DAYS * DAY_MIN - 1  # 2024-12-31 23:59


SEEDS = {"movil-andina": 20240101, "distribuidora-norte": 20240202, "hotel-mirador": 20240303}
