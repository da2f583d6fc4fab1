"""crmlib: the library behind the crm-workbook notebooks.

Stages of the method (Peppers & Rogers' IDIC) and assessments, one module each:
``identify``, ``differentiate``, ``clv``, ``interact``, ``personalize``,
``collections``, ``readiness`` and ``servqual``. Reading client files lives in
``io`` and the contracts in ``schemas``; drawing in ``plot``; reports in
``report``; engagement runs in ``batch``.
"""

__version__ = "0.1.0"
