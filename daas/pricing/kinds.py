"""The words of price plans, named once: how a metric aggregates, what a charge bills, how a metered
charge is priced. The models' check constraints, the plan rules, the schemas, the forms and the demo plans
all use these names.

Pure values, no database: the plan rules (pure calculation) import them too.
"""

from __future__ import annotations

COUNT = "count"
SUM = "sum"
MAX = "max"
UNIQUE_COUNT = "unique_count"  # the distinct values of one property of the events
AGGREGATIONS = (COUNT, SUM, MAX, UNIQUE_COUNT)

DEVICE_MONTHLY = "device_monthly"  # an amount per deployed device per month
METERED = "metered"  # priced from a metric's usage
CHARGE_KINDS = (DEVICE_MONTHLY, METERED)

PER_UNIT = "per_unit"
GRADUATED = "graduated"
VOLUME = "volume"
PACKAGE = "package"
PRICING_MODELS = (PER_UNIT, GRADUATED, VOLUME, PACKAGE)
