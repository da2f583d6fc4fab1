"""Every ``plot_*`` function of crmlib.

Plots take a result table from a stage module (never raw data) and draw on a
matplotlib ``Axes``: ``plot_<result>(table, *, ax=None, language="es") -> Axes``.
The code lives in one private module per stage; this package re-exports it.
Nothing here sets pyplot global state or picks a backend.
"""

from crmlib.plot._clv import *
from crmlib.plot._collections import *
from crmlib.plot._common import *
from crmlib.plot._differentiate import *
from crmlib.plot._followup import *
from crmlib.plot._identify import *
from crmlib.plot._interact import *
from crmlib.plot._personalize import *
from crmlib.plot._portfolio import *
from crmlib.plot._readiness import *
from crmlib.plot._segment import *
from crmlib.plot._servqual import *
