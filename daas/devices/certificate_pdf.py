"""The certificate of a data wipe as a PDF, laid out after the sample certificate of NIST SP 800-88 Rev. 1
(Appendix G): who sanitized and who verified, the media, the sanitization, the verification."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from daas.core.pdf import BOLD, FONT, para

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName=BOLD, fontSize=16, leading=20, spaceAfter=6)
_HEAD = ParagraphStyle("head", parent=_BODY, fontName=BOLD, fontSize=11, spaceBefore=10, spaceAfter=4)


@dataclass(frozen=True)
class WipeCertificateDocument:
    number: str
    organization: str
    device_serial: str
    device_model: str
    life: int
    media_type: str | None
    media_serial: str | None
    method: str
    standard: str
    technique: str | None
    tool: str | None
    tool_version: str | None
    verification: str
    performed_by: str
    verified_by: str
    performed_on: date
    notes: str | None


def _text(value: object) -> Paragraph:
    return para("-" if value in (None, "") else str(value), _BODY)


def _section(title: str, rows: list[tuple[str, object]]) -> list:
    table = Table([[_text(label), _text(value)] for label, value in rows], colWidths=[55 * mm, 115 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [para(title, _HEAD), table]


def render_wipe_certificate(doc: WipeCertificateDocument) -> bytes:
    buffer = io.BytesIO()
    title = f"Certificate of Sanitization {doc.number}"
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=doc.organization,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    story = [
        para(title, _TITLE),
        para(f"{doc.organization}, following {doc.standard}.", _BODY),
        Spacer(1, 4),
        *_section(
            "Person performing sanitization", [("Name", doc.performed_by), ("Organization", doc.organization)]
        ),
        *_section(
            "Media information",
            [
                ("Device serial number", doc.device_serial),
                ("Device model", doc.device_model),
                ("Life of the device", doc.life),
                ("Media type", doc.media_type),
                ("Media serial number", doc.media_serial),
            ],
        ),
        *_section(
            "Sanitization details",
            [
                ("Method type", doc.method.capitalize()),
                ("Method used", doc.technique),
                ("Tool used (and version)", " ".join(v for v in (doc.tool, doc.tool_version) if v) or None),
                (
                    "Verification method",
                    "Full verification" if doc.verification == "full" else "Quick sampling",
                ),
                ("Date", doc.performed_on.isoformat()),
                ("Notes", doc.notes),
            ],
        ),
        *_section(
            "Person validating sanitization", [("Name", doc.verified_by), ("Organization", doc.organization)]
        ),
    ]
    pdf.build(story)
    return buffer.getvalue()
