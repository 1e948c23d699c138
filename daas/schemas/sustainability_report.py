"""Payloads of the yearly sustainability report (docs/sustainability-report.md): the `year` asked for, and
the report's JSON as daas.workshop.report.report_json writes it (quantities as decimal strings)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


def _quantity(description: str | None = None) -> fields.String:
    return fields.String(metadata={**_DECIMAL, **({"description": description} if description else {})})


def _maybe(description: str | None = None) -> fields.String:
    return fields.String(
        allow_none=True, metadata={**_DECIMAL, **({"description": description} if description else {})}
    )


class YearQuerySchema(Schema):
    year = fields.Integer(
        required=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={
            "description": "The reporting year, 2000 to 2100: the calendar year, or the fiscal year that "
            "ends in it when the customer's fiscal year starts in another month than January."
        },
    )


class ReportCountryUseSchema(Schema):
    country = fields.String()
    kwh = _quantity()
    co2e_kg = _maybe("null: no grid factor for the country.")
    factor_kg_per_kwh = _maybe()
    factor_year = fields.Integer(allow_none=True)
    factor_source = fields.String(allow_none=True)
    factor_source_version = fields.String(allow_none=True)
    data_quality = fields.String()


class ReportUsePhaseSchema(Schema):
    scope = fields.String()
    grid_factor_version = fields.Integer(allow_none=True)
    countries = fields.List(fields.Nested(ReportCountryUseSchema))
    kwh = _quantity()
    co2e_kg = _quantity()
    countries_without_factor = fields.List(fields.String())
    data_quality = fields.String()


class ReportEmbodiedSchema(Schema):
    scope = fields.String()
    allocated_co2e_kg = _quantity()
    allocated_mass_kg = _quantity()
    transferred_scope = fields.String()
    transferred_co2e_kg = _quantity()
    transferred_mass_kg = _quantity()
    data_quality = fields.String()


class ReportAvoidedSchema(Schema):
    avoided_co2e_kg = _quantity()
    avoided_ewaste_kg = _quantity()
    certified_recycled_kg = _quantity()
    unmanaged_ewaste_avoided_kg = _quantity()
    reference_scenario = fields.String()
    data_quality = fields.String()


class ReportInflowsSchema(Schema):
    devices = fields.Integer()
    kg = _quantity()
    second_life_devices = fields.Integer()
    second_life_kg = _quantity()
    second_life_share = _maybe()
    data_quality = fields.String()


class ReportFateSchema(Schema):
    devices = fields.Integer()
    kg = _quantity()


class ReportOutflowsSchema(Schema):
    devices = fields.Integer()
    kg = _quantity()
    by_fate = fields.Dict(keys=fields.String(), values=fields.Nested(ReportFateSchema))
    shares = fields.Dict(keys=fields.String(), values=_maybe())
    data_quality = fields.String()


class ReportPackagingSchema(Schema):
    kg_by_material = fields.Dict(keys=fields.String(), values=_quantity())
    kg = _quantity()
    plastic_share = _maybe()
    recycled_share = _maybe()
    reusable_boxes = fields.Integer()
    data_quality = fields.String()


class ReportReportingChoicesSchema(Schema):
    fiscal_year_start_month = fields.Integer()
    consolidation_approach = fields.String()
    embodied_scope3_category = fields.Integer()


class SustainabilityReportSchema(Schema):
    customer_id = fields.Integer()
    customer_name = fields.String()
    customer_country = fields.String()
    year = fields.Integer()
    first_day = fields.String(metadata={"format": "date"})
    last_day = fields.String(metadata={"format": "date"})
    reporting_choices = fields.Nested(ReportReportingChoicesSchema)
    method = fields.String()
    parameter_set_versions = fields.List(fields.Integer())
    closed_months = fields.List(fields.String())
    missing_months = fields.List(fields.String(), metadata={"description": "Months not closed yet."})
    use_phase = fields.Nested(ReportUsePhaseSchema)
    embodied = fields.Nested(ReportEmbodiedSchema)
    avoided = fields.Nested(ReportAvoidedSchema)
    inflows = fields.Nested(ReportInflowsSchema)
    outflows = fields.Nested(ReportOutflowsSchema)
    packaging = fields.Nested(ReportPackagingSchema)


class PortfolioRowSchema(Schema):
    customer_id = fields.Integer()
    name = fields.String()
    country = fields.String()
    first_day = fields.String(metadata={"format": "date"})
    last_day = fields.String(metadata={"format": "date"})
    missing_months = fields.List(fields.String())
    use_phase_kwh = _quantity()
    use_phase_co2e_kg = _quantity()
    use_phase_scope = fields.String()
    allocated_co2e_kg = _quantity()
    transferred_co2e_kg = _quantity()
    avoided_co2e_kg = _quantity()
    avoided_ewaste_kg = _quantity()
    inflow_devices = fields.Integer()
    inflow_kg = _quantity()
    outflow_devices = fields.Integer()
    outflow_kg = _quantity()
    packaging_kg = _quantity()
