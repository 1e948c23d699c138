"""Issued invoices and credit notes as Factur-X EN 16931 PDF/A-3b files (daas.billing.facturx through
daas.billing.pdf.render_pdf), read back with pikepdf: the CII attached as it was given, the XMP and the
Info dictionary, the output intent, embedded fonts only, no transparency, fixed dates and ID, and the
verdict of pikepdf's PDF/A validator (the veraPDF rule catalogue) and, where it is installed, of veraPDF."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from lxml import etree

from daas.billing.cii import render_cii
from daas.billing.documents import Document
from daas.billing.facturx import InvalidCii, Metadata, attach_cii, check_cii
from daas.billing.pdf import render_pdf, title
from tests.document_samples import ALL

SAMPLES = sorted(ALL)
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}


def issued(name: str) -> tuple[Document, bytes, bytes]:
    doc = ALL[name]()
    cii = render_cii(doc)
    return doc, cii, render_pdf(doc, cii)


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def xmp(pdf: pikepdf.Pdf) -> etree._Element:
    packet = pdf.Root.Metadata.read_bytes()
    assert "/Filter" not in pdf.Root.Metadata  # readable as it is
    return etree.fromstring(packet)


def one(tree: etree._Element, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0].text if isinstance(found[0], etree._Element) else str(found[0])


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request: pytest.FixtureRequest) -> tuple[Document, bytes, bytes]:
    return issued(request.param)


def test_the_cii_is_attached_as_factur_x_xml_with_relationship_data(sample: Any) -> None:
    doc, cii, data = sample
    pdf = open_pdf(data)
    assert list(pdf.attachments) == ["factur-x.xml"]
    spec = pdf.attachments["factur-x.xml"]
    assert spec.get_file().read_bytes() == cii
    assert spec.obj.AFRelationship == pikepdf.Name.Data
    assert spec.obj.F == "factur-x.xml" and spec.obj.UF == "factur-x.xml"
    stream = spec.obj.EF.F
    assert stream.Subtype == pikepdf.Name("/text/xml")
    assert stream.Params.ModDate == stream.Params.CreationDate == f"D:{doc.issue_date:%Y%m%d}000000+00'00'"
    assert stream.Params.Size == len(cii)
    # The catalog names it as an associated file of the document (PDF/A-3).
    assert [entry.objgen for entry in pdf.Root.AF] == [spec.obj.objgen]
    assert data.startswith(b"%PDF-1.7\n%")  # PDF/A-3 is PDF 1.7; a binary comment follows the header


def test_the_xmp_says_pdf_a_3b_and_factur_x_en_16931(sample: Any) -> None:
    _, _, data = sample
    tree = xmp(open_pdf(data))
    assert one(tree, "//pdfaid:part") == "3"
    assert one(tree, "//pdfaid:conformance") == "B"
    assert one(tree, "//fx:ConformanceLevel") == "EN 16931"
    assert one(tree, "//fx:DocumentType") == "INVOICE"
    assert one(tree, "//fx:DocumentFileName") == "factur-x.xml"
    assert one(tree, "//fx:Version") == "1.0"
    # The fx properties are declared by a PDF/A extension schema, as PDF/A requires of custom properties.
    schema = tree.xpath("//pdfaExtension:schemas/rdf:Bag/rdf:li", namespaces=NS)
    assert len(schema) == 1
    assert one(schema[0], "pdfaSchema:namespaceURI") == NS["fx"]
    assert one(schema[0], "pdfaSchema:prefix") == "fx"
    declared = {
        one(item, "pdfaProperty:name"): one(item, "pdfaProperty:valueType")
        for item in schema[0].xpath("pdfaSchema:property/rdf:Seq/rdf:li", namespaces=NS)
    }
    assert declared == dict.fromkeys(
        ("DocumentFileName", "DocumentType", "Version", "ConformanceLevel"), "Text"
    )
    assert all(d.get(f"{{{NS['rdf']}}}about") == "" for d in tree.iter(f"{{{NS['rdf']}}}Description"))


def test_the_info_dictionary_and_the_xmp_agree(sample: Any) -> None:
    doc, _, data = sample
    pdf = open_pdf(data)
    tree, info = xmp(pdf), pdf.docinfo
    day = doc.issue_date
    assert str(info.Title) == one(tree, "//dc:title/rdf:Alt/rdf:li") == title(doc)
    assert str(info.Author) == one(tree, "//dc:creator/rdf:Seq/rdf:li") == doc.seller.name
    assert str(info.Subject) == one(tree, "//dc:description/rdf:Alt/rdf:li")
    assert doc.buyer.name in str(info.Subject)
    assert str(info.Keywords) == one(tree, "//pdf:Keywords")
    assert str(info.Producer) == one(tree, "//pdf:Producer") == "daas"
    assert str(info.Creator) == one(tree, "//xmp:CreatorTool") == "daas"
    assert str(info.CreationDate) == str(info.ModDate) == f"D:{day:%Y%m%d}000000+00'00'"
    for name in ("CreateDate", "ModifyDate", "MetadataDate"):
        assert one(tree, f"//xmp:{name}") == f"{day:%Y-%m-%d}T00:00:00+00:00"
    assert set(info.keys()) == {
        "/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate"
    }  # fmt: skip
    assert str(pdf.Root.Lang) == doc.language


def test_an_srgb_output_intent_carries_its_icc_profile(sample: Any) -> None:
    _, _, data = sample
    pdf = open_pdf(data)
    (intent,) = pdf.Root.OutputIntents
    assert intent.Type == pikepdf.Name.OutputIntent and intent.S == pikepdf.Name.GTS_PDFA1
    profile = intent.DestOutputProfile
    assert profile.N == 3
    icc = profile.read_bytes()
    assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB " and icc[8] == 2  # an ICC v2 RGB profile
    assert len(icc) == int.from_bytes(icc[:4], "big")


def fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every font the pages and their form XObjects use, descendant fonts included."""
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}

    def walk(resources: pikepdf.Dictionary | None) -> None:
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            found[font.objgen] = font
            for descendant in font.get("/DescendantFonts", []):
                found[descendant.objgen] = descendant
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                walk(xobject.get("/Resources"))

    for page in pdf.pages:
        walk(page.obj.get("/Resources"))
    return list(found.values())


def test_every_font_is_an_embedded_truetype_font(sample: Any) -> None:
    doc, _, data = sample
    pdf = open_pdf(data)  # kept open while its objects are read
    used = fonts(pdf)
    assert used
    for font in used:
        assert font.Subtype == pikepdf.Name.TrueType, font.BaseFont
        assert "/FontFile2" in font.FontDescriptor, font.BaseFont
        assert "/ToUnicode" in font  # text can be copied and searched
    names = {str(font.BaseFont).split("+", 1)[1] for font in used}
    assert names <= {"DejaVuSansCondensed", "DejaVuSansCondensed-Bold", "DroidSansFallback"}
    assert ("DroidSansFallback" in names) == (doc.buyer.country == "JP")  # only where CJK is printed


def test_nothing_is_transparent(sample: Any) -> None:
    _, _, data = sample
    pdf = open_pdf(data)
    for page in pdf.pages:
        resources = page.obj.Resources
        for state in (resources.get("/ExtGState") or {}).values():
            assert float(state.get("/CA", 1)) == 1 and float(state.get("/ca", 1)) == 1
            assert state.get("/SMask", pikepdf.Name.None_) == pikepdf.Name.None_
        assert "/Group" not in page.obj
        for xobject in (resources.get("/XObject") or {}).values():
            assert "/SMask" not in xobject


def test_no_clock_and_no_chance_in_the_file(sample: Any) -> None:
    """Every date in the file is the issue date, and the ID comes from the content."""
    doc, _, data = sample
    day = doc.issue_date
    # PDF dates, as written ("D:2026...") or with pypdf's escapes ("D\072 2026..."), and the XMP's.
    assert set(re.findall(rb"D(?::|\\072)(\d{14})", data)) == {f"{day:%Y%m%d}000000".encode()}
    xmp_dates = set(re.findall(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^<]*", data))
    assert xmp_dates == {f"{day:%Y-%m-%d}T00:00:00+00:00".encode()}
    pdf = open_pdf(data)
    first, second = (bytes(part) for part in pdf.trailer.ID)
    assert first == second and len(first) == 16
    # Another CII, another ID.
    other = dataclasses.replace(doc, purchase_order="PO-OTHER")
    other_pdf = open_pdf(render_pdf(other, render_cii(other)))
    other_id = bytes(other_pdf.trailer.ID[0])
    assert other_id != first


def test_the_same_document_and_cii_give_the_same_bytes() -> None:
    doc, cii, data = issued("be_reverse_charge")
    assert render_pdf(ALL["be_reverse_charge"](), cii) == data
    assert hashlib.sha256(render_pdf(doc, cii)).digest() == hashlib.sha256(data).digest()


def test_the_same_bytes_in_another_process_at_another_time_and_zone() -> None:
    script = (
        "import hashlib, sys; sys.path.insert(0, '.');"
        "from tests.document_samples import ALL; from daas.billing.cii import render_cii;"
        "from daas.billing.pdf import render_pdf; d = ALL['jpy_invoice']();"
        "print(hashlib.sha256(render_pdf(d, render_cii(d))).hexdigest())"
    )
    root = Path(__file__).parents[2]
    env = {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "12345", "PATH": os.environ.get("PATH", "")}
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True)
    _, _, data = issued("jpy_invoice")
    assert out.stdout.decode().strip() == hashlib.sha256(data).hexdigest()


def test_a_cii_the_xsd_refuses_fails_loudly() -> None:
    doc = ALL["nl_invoice"]()
    bad = render_cii(doc).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Nonsense>380</ram:Nonsense>", 1)
    assert bad != render_cii(doc)
    with pytest.raises(InvalidCii, match="XML Schema"):
        check_cii(bad)
    with pytest.raises(InvalidCii):
        render_pdf(doc, bad)
    with pytest.raises(InvalidCii):
        render_pdf(doc, b"<not-a-cii/>")


def test_every_sample_cii_passes_the_xsd() -> None:
    for make in ALL.values():
        check_cii(render_cii(make()))


def test_attach_cii_without_the_xsd_check_attaches_any_xml() -> None:
    """The switch exists for tests of other XML only; production (render_pdf) always checks."""
    doc = ALL["nl_invoice"]()
    draft_pdf = render_pdf(dataclasses.replace(doc, number=None, issue_date=None))
    xml = b'<?xml version="1.0" encoding="UTF-8"?><x>\xc5\x81\xc3\xb3d\xc5\xba</x>'
    meta = Metadata("t", "a", "s", "k", "en", doc.period_end)
    data = attach_cii(draft_pdf, xml, meta, check_xsd=False)
    pdf = open_pdf(data)
    assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml


def test_a_draft_has_no_attachment_and_claims_no_pdf_a() -> None:
    doc = dataclasses.replace(ALL["nl_invoice"](), number=None, issue_date=None)
    pdf = open_pdf(render_pdf(doc))
    assert not pdf.attachments
    assert "/AF" not in pdf.Root and "/Names" not in pdf.Root and "/OutputIntents" not in pdf.Root
    assert b"pdfaid" not in (pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b"")


# --- validators ---------------------------------------------------------------------------------------

# pikepdf's validator allows only the XMP schemas it knows; it has no support for PDF/A extension
# schemas, so it reports the Factur-X one (checked above, in test_the_xmp_says_...) as not permitted.
_EXTENSION_SCHEMA = re.compile(
    r"XMP (namespace (pdfaExtension|pdfaSchema|pdfaProperty|fx)=|property (pdfaExtension:schemas|fx:\w+) )"
)


@pytest.mark.parametrize("name", SAMPLES)
def test_pikepdf_pdfa_validator_finds_nothing_but_the_factur_x_extension_schema(name: str) -> None:
    pdfa = pytest.importorskip("pikepdf.pdfa", reason="pikepdf[pdfa] >= 10.18 (fonttools) not installed")
    _, _, data = issued(name)
    report = pdfa.validate_written(io.BytesIO(data), "3b")
    others = [finding for finding in report.findings if not _EXTENSION_SCHEMA.search(finding.message)]
    assert not others, "\n".join(map(str, others))
    assert report.output_intent == "RGB"


def test_the_pikepdf_validator_would_catch_a_font_that_is_not_embedded() -> None:
    """The validator above is not blind: Helvetica (reportlab's default) is reported."""
    pdfa = pytest.importorskip("pikepdf.pdfa", reason="pikepdf[pdfa] >= 10.18 (fonttools) not installed")
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 72, "Helvetica, not embedded")
    canvas.save()
    doc = ALL["nl_invoice"]()
    meta = Metadata("t", "a", "s", "k", "en", doc.period_end)
    report = pdfa.validate_written(io.BytesIO(attach_cii(buffer.getvalue(), render_cii(doc), meta)), "3b")
    assert any("embedded" in finding.message for finding in report.findings)


@pytest.mark.skipif(
    shutil.which("verapdf") is None, reason="veraPDF is not installed (no registry here has it)"
)
@pytest.mark.parametrize("name", SAMPLES)
def test_verapdf_finds_the_file_pdf_a_3b_compliant(name: str, tmp_path: Path) -> None:
    _, _, data = issued(name)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    verapdf = shutil.which("verapdf")
    assert verapdf is not None
    result = subprocess.run(
        [verapdf, "--flavour", "3b", "--format", "text", str(path)],
        capture_output=True,
        check=False,
        text=True,
    )
    assert result.returncode == 0 and "PASS" in result.stdout, result.stdout + result.stderr
