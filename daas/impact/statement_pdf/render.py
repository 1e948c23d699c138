"""The statement's pages: summary, the two books, months, devices, the packaging delivered, and how the
figures are computed, with a footer on every page that says "page X of Y"."""

from __future__ import annotations

from functools import partial
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer

from daas.core.countries import country_name
from daas.core.pdf import SMALL, draw_footer, facts_table, para, render_pages
from daas.impact.statement_pdf.chart import months_chart
from daas.impact.statement_pdf.document import StatementDocument
from daas.impact.statement_pdf.method import method
from daas.impact.statement_pdf.style import HEAD, TITLE
from daas.impact.statement_pdf.summary import books, provisional_note
from daas.impact.statement_pdf.tables import devices_table, packaging_table, periods_table
from daas.impact.statement_pdf.text import named_versions

_TITLE_TEXT = "Avoided IT waste statement"


class _NumberedCanvas(Canvas):
    """Holds the pages back until the last one, so that every footer can say "page X of Y"."""

    def __init__(self, *args: Any, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab names it)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            draw_footer(self, self._footer, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def render_statement(doc: StatementDocument) -> bytes:
    """The statement as a PDF: summary, the two books, months, devices, and how the figures are computed."""
    window = f"{doc.period_from.isoformat()} – {doc.period_to.isoformat()}"
    story: list[Flowable] = [
        para(_TITLE_TEXT, TITLE),
        para(f"Issued by {doc.issuer}", SMALL),
        Spacer(1, 4 * mm),
        facts_table(
            [
                ("Customer", f"{doc.customer_name} ({country_name(doc.customer_country)})"),
                ("Contract", f"{doc.contract_id}, plan {doc.plan_name}"),
                ("Period", window),
                ("As of", doc.as_of.isoformat()),
                ("Method", doc.method),
                ("Parameter set", named_versions(doc.parameter_set_versions)),
            ]
        ),
        Spacer(1, 4 * mm),
    ]
    if doc.provisional_periods:
        story += [provisional_note(doc.provisional_periods), Spacer(1, 4 * mm)]
    story += [*books(doc.totals), Spacer(1, 6 * mm)]

    if doc.by_period:
        months: list[Flowable] = [para("By month", HEAD)]
        if len(doc.by_period) >= 2:
            months += [months_chart(doc.by_period), Spacer(1, 2 * mm)]
        story += [KeepTogether(months), periods_table(doc.by_period, doc.totals), Spacer(1, 6 * mm)]

    story += [para("By device", HEAD)]
    if doc.by_device:
        story += [devices_table(doc.by_device, doc.totals)]
    else:
        story += [para("No device served this subscription in the period.")]
    story += [Spacer(1, 6 * mm), para("Packaging delivered", HEAD)]
    if doc.packaging["packaging_kg"] > 0 or doc.packaging["reusable_boxes"]:
        story += [packaging_table(doc.packaging)]
    else:
        story += [para("No packaging was delivered to this subscription in the period.")]
    story += [Spacer(1, 6 * mm), *method(doc)]

    footer = (
        f"{_TITLE_TEXT} | {doc.customer_name} | contract {doc.contract_id} | {window} | method {doc.method}"
    )
    return render_pages(
        story,
        title=_TITLE_TEXT,
        author=doc.issuer,
        subject=f"{_TITLE_TEXT} for {doc.customer_name}, contract {doc.contract_id}, {window}",
        canvasmaker=partial(_NumberedCanvas, footer=footer),
    )
