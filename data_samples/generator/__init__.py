"""The generator of the three fictional sample companies of ``data_samples/``.

Every company, person, e-mail address and phone number here is invented.
The package depends on numpy only (no crmlib), draws from one seeded
``numpy.random.Generator`` per company, formats every value explicitly and
writes rows in a fixed order, so two runs write the same bytes.

Run it through ``generate_samples.py`` beside this folder::

    python data_samples/generate_samples.py            # rewrite the committed files
    python data_samples/generate_samples.py --out DIR  # write into DIR instead

Modules: ``_common`` (period and seeds), ``formatting`` (how files are written),
``names`` (invented people and ids), one module per table kind (``customers``,
``transactions``, ``invoices``, ``interactions``, ``surveys``), one per company
(``movil_andina``, ``distribuidora_norte``, ``hotel_mirador``) and ``engagement``
(the engagement file, :func:`generate` and the command line).

Companies
---------
movil-andina
    Mobile operator, B2C, about 5,000 customers and 80,000 sale lines over
    2022-2024. Clean UTF-8 CSV, ``,`` separator, ISO dates, canonical headers.
distribuidora-norte
    Industrial distributor, B2B, about 400 accounts, invoices on 30/60/90-day
    credit. Exported the messy way: cp1252, ``;`` separator, decimal comma with
    thousands dots, day-first dates and Spanish headers (``dataset.yaml`` maps
    the headers the built-in synonyms do not cover).
hotel-mirador
    Lakeside hotel: guests, corporate accounts and agencies; stays with room,
    restaurant, spa and event lines. UTF-8, a few English header synonyms, and
    SERVQUAL with the adequate and desired service levels.
"""

from __future__ import annotations

from .engagement import COMPANIES, generate, main

__all__ = ["COMPANIES", "generate", "main"]
