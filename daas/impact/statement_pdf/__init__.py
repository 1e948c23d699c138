"""A customer's avoided IT waste statement (impact.md) as an A4 PDF (reportlab platypus), for an auditor.

Pure: no Flask, no SQLAlchemy; daas.impact.documents gathers the plain values. The two books of impact.md,
the inventory and the avoided figures, are printed beside each other and never netted. Quantities are
Decimals printed with three decimals and their sign ("1,234.567 kg", "-3.120 kg"); nothing printed goes
through a float (only the chart's bar heights do). Output is deterministic (reportlab's invariant mode):
the same document renders to the same bytes.

Fonts are the house style's embedded Unicode TrueType fonts (daas.core.pdf), as in daas.billing.pdf:
names print as they are written ("Łódź", Greek, Cyrillic, Japanese).

document.py: the values it prints; text.py: how figures read; style.py: its colours and paragraph
styles; summary.py: the provisional note and the two books; chart.py: the months as bars; tables.py: the
months, devices and packaging tables; method.py: how the figures are computed, with the parameters;
render.py: the pages.
"""

from daas.impact.statement_pdf.document import StatementDocument
from daas.impact.statement_pdf.render import render_statement

__all__ = ["StatementDocument", "render_statement"]
