"""A rendered invoice or credit note made a Factur-X e-invoice (EN 16931 profile): a PDF/A-3b file with
its CII XML attached as `factur-x.xml` (documents.md).

Pure: no Flask, no SQLAlchemy. The factur-x library checks the CII against the Factur-X EN 16931 XSD and
attaches it (the file specification with AFRelationship `Data`, the catalog's /AF and /EmbeddedFiles) with
its XMP metadata (pdfaid part 3, conformance B, the Factur-X extension schema with DocumentType INVOICE,
ConformanceLevel EN 16931). What it leaves to the caller is done here, on the file it writes (pypdf):

- the PDF/A output intent, the sRGB ICC profile of daas/core/profiles;
- fixed dates instead of the time of rendering (the issue date, midnight UTC) in the Info dictionary, the
  XMP and the attachment's parameters, and one producer and creator tool in both, so that the Info
  dictionary and the XMP agree, as PDF/A requires;
- a document ID derived from the content (SHA-256 of the CII and the PDF it was attached to), not a
  random one.

The same PDF and CII therefore always give the same bytes. The PDF given must already be PDF/A-ready:
fonts embedded (daas.core.pdf), no transparency, RGB colours, no initial non-embedded font (render it with
`canvas_for_pdfa`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import facturx
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

__all__ = ["FILENAME", "LEVEL", "Metadata", "attach_cii", "check_cii"]

FILENAME = "factur-x.xml"
FLAVOR = "factur-x"
LEVEL = "en16931"
PRODUCER = "daas"
_ICC = Path(__file__).parents[1] / "core" / "profiles" / "sRGB.icc"
_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}


@dataclass(frozen=True)
class Metadata:
    """What the Info dictionary and the XMP both say of the document."""

    title: str
    author: str
    subject: str
    keywords: str
    language: str  # BCP 47, the catalog's /Lang
    created: date  # the issue date


class InvalidCii(ValueError):
    """The CII is not valid against the Factur-X EN 16931 XML schema."""


def check_cii(cii: bytes) -> None:
    """Raise InvalidCii unless `cii` is valid against the Factur-X EN 16931 XSD."""
    try:
        facturx.xml_check_xsd(cii, flavor=FLAVOR, level=LEVEL)
    except Exception as exc:  # the library raises a bare Exception
        raise InvalidCii(str(exc)) from exc


def attach_cii(pdf: bytes, cii: bytes, metadata: Metadata, *, check_xsd: bool = True) -> bytes:
    """`pdf` as a Factur-X EN 16931 PDF/A-3b with `cii` attached. With `check_xsd` (production always),
    a CII that the XSD refuses raises InvalidCii and nothing is made."""
    if check_xsd:
        check_cii(cii)
    attached = facturx.generate_from_binary(
        pdf,
        cii,
        flavor=FLAVOR,
        level=LEVEL,
        check_xsd=False,  # checked above, with our own error
        pdf_metadata={
            "title": metadata.title,
            "author": metadata.author,
            "subject": metadata.subject,
            "keywords": metadata.keywords,
        },
        lang=metadata.language,
        afrelationship="data",
        xmp_compression=False,
    )
    return _settle(attached, cii, metadata, identity=hashlib.sha256(cii + b"\0" + pdf).digest()[:16])


def _pdf_date(day: date) -> str:
    return f"D:{day:%Y%m%d}000000+00'00'"


def _xmp_date(day: date) -> str:
    return f"{day:%Y-%m-%d}T00:00:00+00:00"


def _settle(attached: bytes, cii: bytes, metadata: Metadata, *, identity: bytes) -> bytes:
    """Fixed dates, one producer, the output intent and the document ID on the library's file."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(attached)))
    writer.pdf_header = "%PDF-1.7"  # PDF/A-3 is PDF 1.7 with associated files
    root = writer.root_object
    # The library opens the attachments pane; PDF/A validators that allow-list the catalog refuse it.
    if "/PageMode" in root:
        del root["/PageMode"]
    for page in writer.pages:  # reportlab's empty page transitions, which validators do not check
        if "/Trans" in page:
            del page["/Trans"]
    pdf_date = TextStringObject(_pdf_date(metadata.created))

    # The attachment's parameters: the library stamps the time of rendering.
    for filespec in root["/AF"].get_object():
        stream = filespec.get_object()["/EF"]["/F"].get_object()
        params = stream["/Params"]
        params[NameObject("/ModDate")] = pdf_date
        params[NameObject("/CreationDate")] = pdf_date
        if stream.get_data() != cii:  # pragma: no cover - the library attached something else
            raise RuntimeError("the attached factur-x.xml is not the CII given")

    # The XMP: the library's, with the fixed dates, our producer and the keywords the Info dict has.
    metadata_stream = root["/Metadata"].get_object()
    xmp = _fixed_xmp(metadata_stream.get_data(), metadata)
    replacement = DecodedStreamObject()
    replacement.set_data(xmp)
    replacement.update(
        {NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")}
    )
    writer._replace_object(root.raw_get("/Metadata"), replacement)

    # The Info dictionary says exactly what the XMP says.
    info = {
        "/Title": metadata.title,
        "/Author": metadata.author,
        "/Subject": metadata.subject,
        "/Keywords": metadata.keywords,
        "/Creator": PRODUCER,
        "/Producer": PRODUCER,
        "/CreationDate": _pdf_date(metadata.created),
        "/ModDate": _pdf_date(metadata.created),
    }
    info_dict = writer._info.get_object() if writer._info is not None else None
    if info_dict is not None:
        for key in list(info_dict):
            del info_dict[key]
    writer.add_metadata(info)

    icc = DecodedStreamObject()
    icc.set_data(_ICC.read_bytes())
    icc[NameObject("/N")] = NumberObject(3)
    icc = icc.flate_encode()
    root[NameObject("/OutputIntents")] = ArrayObject(
        [
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/OutputIntent"),
                    NameObject("/S"): NameObject("/GTS_PDFA1"),
                    NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
                    NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
                    NameObject("/RegistryName"): TextStringObject("http://www.color.org"),
                    NameObject("/DestOutputProfile"): writer._add_object(icc),
                }
            )
        ]
    )
    writer._ID = ArrayObject([ByteStringObject(identity), ByteStringObject(identity)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fixed_xmp(xmp: bytes, metadata: Metadata) -> bytes:
    """The library's XMP packet with the issue date for its timestamps, daas as producer and creator tool,
    and pdf:Keywords (the Info dictionary's /Keywords needs its XMP twin)."""
    head, _, rest = xmp.partition(b"?>")
    body, _, _ = rest.rpartition(b"<?xpacket")
    root = etree.fromstring(body.strip())
    stamp = _xmp_date(metadata.created)
    for name in ("CreateDate", "ModifyDate"):
        for element in root.iter(f"{{{_NS['xmp']}}}{name}"):
            element.text = stamp
    for element in root.iter(f"{{{_NS['xmp']}}}CreatorTool"):
        element.text = PRODUCER
        etree.SubElement(element.getparent(), f"{{{_NS['xmp']}}}MetadataDate").text = stamp
    for element in root.iter(f"{{{_NS['rdf']}}}Description"):
        element.set(f"{{{_NS['rdf']}}}about", "")  # XMP requires it; the library leaves it out
    for element in root.iter(f"{{{_NS['pdf']}}}Producer"):
        element.text = PRODUCER
        etree.SubElement(element.getparent(), f"{{{_NS['pdf']}}}Keywords").text = metadata.keywords
    text = etree.tostring(root, encoding="utf-8")
    return head + b"?>\n" + text + b'\n<?xpacket end="w"?>'
