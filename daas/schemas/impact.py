"""Statements, the portfolio report, and parameter sets, as the API shows and takes them."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from daas.catalog.models import CATEGORIES
from daas.impact.packaging import SHARE_PLACES
from daas.orders.lifecycle import PACKAGING_MATERIALS
from daas.schemas.fields import Country, Date, DecimalString, Int, Measure, Text

GRADES = ("A", "B", "C", "D")
KITS = ("battery", "storage", "memory")
_WINDOW_DAY = r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"  # the years 2000 to 2999 the window's Range allows


def Quantity(description: str | None = None) -> DecimalString:  # noqa: N802 - reads like a field class
    """kg or kWh with three decimals; avoided figures may be negative."""
    metadata = {"description": description} if description else {}
    return DecimalString(places=3, output_places=3, metadata=metadata)


class WindowQuerySchema(Schema):
    from_ = Date(
        data_key="from",
        validate=validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31)),
        metadata={
            "description": "Counts from the 1st of this day's month. Default: the beginning.",
            "pattern": _WINDOW_DAY,
        },
    )
    to = Date(
        validate=validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31)),
        metadata={
            "description": "Counts through the end of this day's month. Default: today.",
            "pattern": _WINDOW_DAY,
        },
    )

    @validates_schema
    def _ordered(self, data: dict, **kwargs: object) -> None:
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ValidationError("Must be on or after `from`.", "to")


class FiguresSchema(Schema):
    service_days = fields.Integer()
    allocated_co2e_kg = Quantity()
    allocated_mass_kg = Quantity()
    transferred_co2e_kg = Quantity(
        "What was left of the embodied CO2e of devices the customer bought out, on the sale day: the "
        "buyer's own asset from then on, shown beside the allocation and not in it."
    )
    transferred_mass_kg = Quantity("What was left of the mass of devices the customer bought out.")
    use_phase_kwh = Quantity()
    use_phase_co2e_kg = DecimalString(places=3, output_places=3, allow_none=True)
    avoided_co2e_kg = Quantity()
    avoided_ewaste_kg = Quantity()
    certified_recycled_kg = Quantity()
    unmanaged_ewaste_avoided_kg = Quantity()


PackagingKgSchema = Schema.from_dict(
    {material: Quantity() for material in PACKAGING_MATERIALS}, name="PackagingKgSchema"
)


class PackagingFiguresSchema(Schema):
    """The packaging of the shipments delivered in the window (a shipment counts on its delivery day)."""

    packaging = fields.Nested(
        PackagingKgSchema,
        metadata={"description": "Kilograms of every packaging material, 0.000 for those not used."},
    )
    packaging_kg = Quantity()
    packaging_plastic_share = DecimalString(
        places=SHARE_PLACES,
        output_places=SHARE_PLACES,
        allow_none=True,
        metadata={
            "description": "(recycled_plastic + virgin_plastic) ÷ packaging_kg, from 0 to 1; null when "
            "no packaging was weighed.",
            "example": "0.0625",
        },
    )
    reusable_boxes = fields.Integer(
        metadata={"description": "Shipments delivered in a reusable box (which adds no kilograms)."}
    )


class DeviceFiguresSchema(FiguresSchema):
    device_id = fields.Integer()
    serial = fields.String()
    sku = fields.String()
    category = fields.String()
    life = fields.Integer(metadata={"description": "Which life of the device (1: its first deployment)."})
    provisional = fields.Boolean()


class PeriodFiguresSchema(FiguresSchema):
    period = fields.String(metadata={"example": "2026-10"})
    provisional = fields.Boolean()


class StatementSchema(FiguresSchema, PackagingFiguresSchema):
    contract_id = fields.Integer()
    customer_id = fields.Integer()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    as_of = fields.Date()
    method = fields.String(metadata={"example": "daas-impact-1"})
    parameter_set_versions = fields.List(fields.Integer())
    provisional_periods = fields.List(fields.String(), metadata={"description": "Months not yet closed."})
    devices = fields.Integer()
    second_life_devices = fields.Integer()
    upgrades = fields.Integer(metadata={"description": "Upgrades instead of replacements."})
    by_period = fields.List(fields.Nested(PeriodFiguresSchema))
    by_device = fields.List(fields.Nested(DeviceFiguresSchema))


class CustomerFiguresSchema(FiguresSchema, PackagingFiguresSchema):
    customer_id = fields.Integer()
    name = fields.String()
    contracts = fields.Integer()
    devices = fields.Integer()
    second_life_devices = fields.Integer()
    upgrades = fields.Integer()


class TotalFiguresSchema(FiguresSchema, PackagingFiguresSchema):
    customers = fields.Integer()
    contracts = fields.Integer()
    devices = fields.Integer()
    second_life_devices = fields.Integer()
    upgrades = fields.Integer()


class ResidualSchema(Schema):
    devices = fields.Integer()
    allocated_co2e_kg = Quantity()
    allocated_mass_kg = Quantity()
    certified_recycled_kg = Quantity()


class ReportSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    as_of = fields.Date()
    method = fields.String()
    parameter_set_versions = fields.List(fields.Integer())
    provisional_periods = fields.List(fields.String())
    customers = fields.List(fields.Nested(CustomerFiguresSchema))
    total = fields.Nested(TotalFiguresSchema)
    provider_residual = fields.Nested(
        ResidualSchema,
        metadata={"description": "What is left of devices recycled, harvested or lost: the provider's own."},
    )
    by_period = fields.List(fields.Nested(PeriodFiguresSchema))


def _keyed(keys: tuple[str, ...], value: fields.Field) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(keys)),
        values=value,
        required=True,
        metadata={"required": list(keys)},  # every key must be there (ParameterValuesSchema._complete)
    )


class ParameterValuesSchema(Schema):
    reference_service_days = Int(required=True, validate=validate.Range(min=1, max=7300))
    refurbishment_kg = _keyed(CATEGORIES, Measure(maximum=100000))
    upgrade_kit_kg = _keyed(KITS, Measure(maximum=100000))
    grade_extension_days = _keyed(GRADES, Int(validate=validate.Range(min=0, max=7300)))
    upgrade_extension_days = Int(required=True, validate=validate.Range(min=0, max=7300))
    formal_collection_rate = DecimalString(places=4, minimum=0, maximum=1, required=True)
    grid_kg_per_kwh = fields.Dict(
        keys=Country(),
        values=DecimalString(places=6, minimum=0, maximum=10),
        load_default=dict,
        metadata={"description": "kg CO2e per kWh by country: keys are ISO 3166-1 alpha-2 codes."},
    )

    @validates_schema
    def _complete(self, data: dict, **kwargs: object) -> None:
        for name, keys in (
            ("refurbishment_kg", CATEGORIES),
            ("upgrade_kit_kg", KITS),
            ("grade_extension_days", GRADES),
        ):
            missing = sorted(set(keys) - set(data.get(name, {})))
            if missing:
                raise ValidationError(f"Missing {', '.join(missing)}.", name)


class ParameterSetCreateSchema(Schema):
    valid_from = Date(
        required=True,
        metadata={
            "description": "The 1st of a month after the last closed one.",
            "pattern": r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-01$",  # a 1st (create_parameter_set)
        },
    )
    values = fields.Nested(ParameterValuesSchema, required=True)
    sources = fields.Dict(keys=fields.String(), values=Text(max_length=1000), required=True)


class ParameterSetSchema(Schema):
    id = fields.Integer()
    method = fields.String()
    version = fields.Integer()
    valid_from = fields.Date()
    values = fields.Dict()
    sources = fields.Dict()
    created_at = fields.DateTime()
