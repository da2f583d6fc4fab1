"""Collections: receivables aging, DSO, credit by the four Cs, dunning letters.

Source 001 (credit and overdue portfolio) grounds this module: credit is
granted on four bases, capacity, integrity (character), capital and
conditions; overdue accounts are followed with statements and a series of
collection letters that push for payment while keeping the relationship, and
standard letters must be watched so that one customer never gets the same
format twice; at the end of the series the account goes to the legal area or
an outside agency.

Conventions: an invoice is *open* at ``as_of`` when it was issued on or before
``as_of`` and not paid in full by then. Its open amount is ``amount`` minus
``paid_amount`` while ``paid_at`` is empty; when it was paid after ``as_of``
the whole amount counts as open at ``as_of`` (exports carry no dated partial
payments). Overpayments count as zero. Days overdue are whole days from
``due_at`` to ``as_of``; zero or less is *current*.
"""

from crmlib.collections._aging import (
    DEFAULT_BUCKETS,
    aging_table,
    aging_totals,
    bucket_label,
    bucket_labels,
    open_invoices,
    parse_buckets,
)
from crmlib.collections._credit import (
    credit_note,
    ledger_answers,
    score_credit,
    worksheet_answers,
)
from crmlib.collections._dunning import (
    DUNNING_STAGES,
    dunning_letters,
    dunning_note,
    dunning_plan,
    dunning_view,
    simulate_dunning,
)
from crmlib.collections._dunning import default_formats as default_formats
from crmlib.collections._receivables import RISK_LEVELS as RISK_LEVELS
from crmlib.collections._receivables import aging_trend, customer_risk, dso_table
from crmlib.collections._summary import headline, history_note, key_figures, letters_note
from crmlib.collections._worksheet import answer_sheet, load_worksheet, worksheet_table

__all__ = [
    "DEFAULT_BUCKETS",
    "DUNNING_STAGES",
    "aging_table",
    "aging_totals",
    "aging_trend",
    "answer_sheet",
    "bucket_label",
    "bucket_labels",
    "credit_note",
    "customer_risk",
    "dso_table",
    "dunning_letters",
    "dunning_note",
    "dunning_plan",
    "dunning_view",
    "headline",
    "history_note",
    "key_figures",
    "ledger_answers",
    "letters_note",
    "load_worksheet",
    "open_invoices",
    "parse_buckets",
    "score_credit",
    "simulate_dunning",
    "worksheet_answers",
    "worksheet_table",
]
