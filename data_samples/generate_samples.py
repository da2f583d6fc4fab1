#!/usr/bin/env python
"""Regenerate the three fictional sample companies of ``data_samples/``.

Every company, person, e-mail address and phone number is invented; the
generator (the ``generator`` package beside this file, numpy only) draws from
one seeded generator per company, so two runs write the same bytes.

Usage::

    python data_samples/generate_samples.py            # rewrite the committed files
    python data_samples/generate_samples.py --out DIR  # write into DIR instead
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator import main

if __name__ == "__main__":
    main()
