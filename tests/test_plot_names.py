"""Every figure function of ``crmlib.plot`` has one name: two modules exporting the same name
would let the later one hide the other (the segments' need explorer once hid SERVQUAL's
segment explorer, and notebook 09 called the wrong one)."""

from __future__ import annotations

import importlib
import pkgutil

import crmlib.plot


def test_no_two_plot_modules_export_the_same_name():
    owners: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(crmlib.plot.__path__):
        module = importlib.import_module(f"crmlib.plot.{info.name}")
        for name in getattr(module, "__all__", ()):
            owners.setdefault(name, []).append(info.name)
    assert {n: m for n, m in owners.items() if len(m) > 1} == {}
