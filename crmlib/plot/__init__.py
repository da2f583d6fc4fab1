"""Every ``plot_*`` function of crmlib.

Plots take a result table from a stage module (never raw data) and draw on a
matplotlib ``Axes``: ``plot_<result>(table, *, ax=None, language="es") -> Axes``.
The code lives in one private module per stage; this package re-exports it.
Nothing here sets pyplot global state or picks a backend.
"""

from crmlib.plot._common import *  # noqa: F401,F403
from crmlib.plot._identify import *  # noqa: F401,F403
from crmlib.plot._differentiate import *  # noqa: F401,F403
from crmlib.plot._interact import *  # noqa: F401,F403
from crmlib.plot._personalize import *  # noqa: F401,F403
from crmlib.plot._collections import *  # noqa: F401,F403
from crmlib.plot._readiness import *  # noqa: F401,F403
from crmlib.plot._servqual import *  # noqa: F401,F403
from crmlib.plot._portfolio import *  # noqa: F401,F403
