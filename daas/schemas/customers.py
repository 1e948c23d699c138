"""Customer payloads.

What invoices say about the customer (documents.md, "Parties"):
- `billing_address {line1, line2?, postcode, city, country?}` (BG-8). Its country is the customer's
  `country`, one field: on input `billing_address.country` may be left out, and when sent it must be the
  same as `country` (the one sent, or the customer's own on a PATCH), else a 422 on it; the answer always
  shows it. A new customer needs line1, postcode and city; a PATCH changes the parts it sends.
- `registration_id` (BT-47) and `peppol_id` (BT-49): `scheme:value`, the scheme from Peppol's ICD and EAS
  code lists respectively (daas.core.peppol_schemes); an unknown scheme or a value Peppol's rules refuse
  is a 422 naming the field. null clears them.
- `buyer_reference` (BT-10), printed on every invoice (a contract's `purchase_order` is BT-13).
- `document_language` (en, nl, de, fr): the customer's own choice, null to follow its country;
  `effective_document_language` is the one its documents are written in.
- The reporting choices of its yearly sustainability report (docs/sustainability-report.md):
  `fiscal_year_start_month` (1-12, 1 is the calendar year), `consolidation_approach` (operational_control,
  financial_control, equity_share) and `embodied_scope3_category` (1 or 8); changed by a PATCH.
- `peppol_ready` and `missing_for_peppol` (answers only): whether its invoices can go over Peppol, and if
  not, what it lacks, as field names (`peppol_id`, `billing_address.postcode`, ...).
The field limits are here, stated in the document; what depends on another field or on the issuer (a VAT
id for the country, a Dutch registration scheme, the issuer's own VAT id) is the domain's, as 422s.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from daas.core.languages import LANGUAGES, document_language
from daas.customers.rules import missing_for_peppol
from daas.schemas.fields import Code, Country, Currency, Int, Text

_LANGUAGE = {"enum": list(LANGUAGES), "title": "DocumentLanguage"}
_SCHEME_ID = "`scheme:value` with a Peppol {} scheme, such as {}."


class BillingAddressInSchema(Schema):
    line1 = Text(required=True, max_length=200, metadata={"description": "Street and number."})
    line2 = Text(max_length=200, allow_none=True)
    postcode = Text(required=True, max_length=20)
    city = Text(required=True, max_length=100)
    country = Country(metadata={"description": "The customer's `country`: if sent, the same."})


class BillingAddressChangeSchema(Schema):
    """The parts of the billing address a PATCH changes (line2 null removes it)."""

    line1 = Text(max_length=200)
    line2 = Text(max_length=200, allow_none=True)
    postcode = Text(max_length=20)
    city = Text(max_length=100)
    country = Country(metadata={"description": "The customer's `country`: if sent, the same."})


class CustomerCreateSchema(Schema):
    name = Text(required=True)
    country = Country(required=True)
    vat_id = fields.String(validate=validate.Length(min=2, max=20), allow_none=True)
    currency = Currency(required=True)
    billing_email = fields.Email(required=True, validate=validate.Length(max=254))
    payment_terms_days = Int(validate=validate.Range(min=0, max=365))
    pickup_region = Code(max_length=32, allow_none=True, metadata={"description": "Default pickup region."})
    pickup_address = Text(
        max_length=500, allow_none=True, metadata={"description": "Default pickup address."}
    )
    billing_address = fields.Nested(BillingAddressInSchema, required=True)
    registration_id = Text(
        max_length=100,
        allow_none=True,
        metadata={
            "description": "Legal registration id (BT-47): " + _SCHEME_ID.format("ICD", "0106:12345678")
        },
    )
    peppol_id = Text(
        max_length=100,
        allow_none=True,
        metadata={
            "description": "Peppol participant id (BT-49): " + _SCHEME_ID.format("EAS", "0208:0403019261")
        },
    )
    buyer_reference = Text(
        max_length=100, allow_none=True, metadata={"description": "Buyer reference (BT-10) on its invoices."}
    )
    document_language = fields.String(
        validate=validate.OneOf(LANGUAGES),
        allow_none=True,
        metadata={**_LANGUAGE, "description": "Its documents' language; null: its country's."},
    )


CONSOLIDATION_APPROACHES = ("operational_control", "financial_control", "equity_share")
EMBODIED_SCOPE3_CATEGORIES = (1, 8)


class CustomerUpdateSchema(CustomerCreateSchema):
    """Every field optional: only what is sent changes."""

    billing_address = fields.Nested(BillingAddressChangeSchema)
    fiscal_year_start_month = Int(
        validate=validate.Range(min=1, max=12),
        metadata={"description": "The month its fiscal year starts (1: the calendar year)."},
    )
    consolidation_approach = fields.String(
        validate=validate.OneOf(CONSOLIDATION_APPROACHES),
        metadata={
            "enum": list(CONSOLIDATION_APPROACHES),
            "title": "ConsolidationApproach",
            "description": "GHG Protocol consolidation: operational control puts use-phase electricity in "
            "Scope 2, the others in Scope 3 category 8.",
        },
    )
    embodied_scope3_category = Int(
        validate=validate.OneOf(EMBODIED_SCOPE3_CATEGORIES),
        metadata={
            "enum": list(EMBODIED_SCOPE3_CATEGORIES),
            "title": "EmbodiedScope3Category",
            "description": "Scope 3 category of embodied emissions: 1 (a purchased service) or 8 "
            "(leased assets).",
        },
    )


class _Itself(fields.Nested):
    """A nested object made of the object's own attributes (the billing address of a customer)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class BillingAddressSchema(Schema):
    line1 = fields.String(attribute="address_line1", allow_none=True)
    line2 = fields.String(attribute="address_line2", allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String()


class CustomerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    vat_id = fields.String(allow_none=True)
    currency = fields.String()
    billing_email = fields.String()
    payment_terms_days = fields.Integer()
    pickup_region = fields.String(allow_none=True)
    pickup_address = fields.String(allow_none=True)
    billing_address = _Itself(
        BillingAddressSchema,
        metadata={"description": "Customers from before billing addresses may lack parts (null)."},
    )
    registration_id = fields.String(allow_none=True)
    peppol_id = fields.String(allow_none=True)
    buyer_reference = fields.String(allow_none=True)
    document_language = fields.String(allow_none=True, metadata=_LANGUAGE)
    effective_document_language = fields.Function(
        lambda c: document_language(c.document_language, c.country),
        metadata={**_LANGUAGE, "description": "The customer's own language, else its country's."},
    )
    peppol_ready = fields.Function(
        lambda c: not missing_for_peppol(c),
        metadata={"type": "boolean", "description": "Its invoices can go over Peppol."},
    )
    missing_for_peppol = fields.Function(
        missing_for_peppol,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "What it lacks for Peppol, as field names; empty when it is ready.",
        },
    )
    fiscal_year_start_month = fields.Integer()
    consolidation_approach = fields.String()
    embodied_scope3_category = fields.Integer()
    created_at = fields.DateTime()


class CustomerQuerySchema(Schema):
    country = Country()
