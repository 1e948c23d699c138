"""The closing section: how the figures are computed, in words with the parameters' values, and the table
of the parameter set with where each value comes from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from daas.core.pdf import LABEL, WIDTH, para
from daas.impact.statement_pdf.document import StatementDocument
from daas.impact.statement_pdf.style import CELL, HEAD
from daas.impact.statement_pdf.tables import data_table
from daas.impact.statement_pdf.text import count, named_versions

_PARAMETER_LABELS = {
    "reference_service_days": "Reference life L_ref",
    "refurbishment_kg": "Refurbishment footprint R, per category",
    "upgrade_kit_kg": "Upgrade-kit footprint R, per kit",
    "grade_extension_days": "Expected days after refurbishment, by grade",
    "upgrade_extension_days": "Expected days after an upgrade",
    "formal_collection_rate": "Formal collection rate p_base",
    "grid_kg_per_kwh": "Grid factor, per country",
}


def _parameter_value(name: str, value: Any) -> str:
    """A parameter as a reader would write it: "1,460 days", "laptop 15.0 kg, desktop 15.5 kg"."""
    if isinstance(value, Mapping):
        if not value:
            return "none set"
        unit = {"refurbishment_kg": " kg", "upgrade_kit_kg": " kg", "grid_kg_per_kwh": " kg/kWh"}.get(
            name, ""
        )
        text = ", ".join(f"{key} {item}{unit}" for key, item in value.items())
        return f"{text} days" if name == "grade_extension_days" else text
    if name.endswith("_days"):
        return f"{count(value)} days"
    return str(value)


def method(doc: StatementDocument) -> list[Flowable]:
    p = doc.parameters

    def value(name: str) -> str:
        return _parameter_value(name, p[name]) if name in p else "-"

    paragraphs = [
        "Each device keeps two balances: its embodied CO2e (E0: manufacturing, transport and end of life, no "
        "use phase), raised by the footprint R of the refurbishment or upgrade kit at each refurbishment or "
        f"upgrade (refurbishment: {value('refurbishment_kg')}; upgrade kits: {value('upgrade_kit_kg')}), "
        "and its mass (m). Each balance is spent at a daily rate = balance left ÷ expected service days "
        f"left. Expected days start at the reference life L_ref ({value('reference_service_days')}) and are "
        f"re-estimated at each refurbishment, by grade ({value('grade_extension_days')}), or upgrade "
        f"({value('upgrade_extension_days')}). Each service day charges its subscription one day at that "
        "rate, never more than is left; days past the expectation charge nothing; when the device is "
        "recycled, harvested or lost, what is left goes to the provider's own account. When the customer "
        "buys a device it has been using (a buy-out), what is left on the sale day is transferred to its "
        "subscription, shown beside the allocation and not in it: the device is the customer's own asset "
        "from then on, and nothing is avoided by the sale. So allocated to subscriptions + transferred + "
        "provider residual = E0 + the sum of R for CO2e, and = m for mass, to the gram.",
        "Avoided CO2e = service days × E0 ÷ L_ref - allocated CO2e: what buying new would have cost for "
        "those days, minus what this subscription is charged. Avoided e-waste is the same with mass: "
        "service days × m ÷ L_ref - allocated mass. A first life of exactly L_ref days avoids nothing: that "
        "is what buying new does. Second and third lives, upgrades instead of replacements and certified "
        "recycling earn credit. An avoided figure is negative where a device costs more per day than a new "
        "one would (a refurbished device with a short expected life).",
        "Certified recycled: the mass of devices recycled through a certified channel, shared by service "
        "days among the subscriptions each device served. Unmanaged e-waste avoided = certified recycled × "
        f"(1 - formal collection rate p_base, {value('formal_collection_rate')}).",
        "Use-phase electricity = service days × the model's yearly energy consumption ÷ 365; its CO2e is "
        f"reported only where a grid factor is set for the country (grid factors: "
        f"{value('grid_kg_per_kwh')}).",
        "Rounding is to grams per ledger row, with the balances kept exactly. Months close in order into an "
        "append-only ledger: one row per subscription, device and month, naming the parameter-set version "
        "it used; a correction is a new row. Every figure of this statement can be recomputed from the "
        "ledger rows and the parameter set they name.",
    ]
    story: list[Flowable] = [para(f"How these figures are computed ({doc.method})", HEAD)]
    for text in paragraphs:
        story += [para(text), Spacer(1, 2 * mm)]

    names = [name for name in _PARAMETER_LABELS if name in p]
    names += sorted(name for name in p if name not in _PARAMETER_LABELS)
    rows: list[list[object]] = [
        [
            para(_PARAMETER_LABELS.get(name, name), CELL),
            para(_parameter_value(name, p[name]), CELL),
            para(doc.sources.get(name, "-"), CELL),
        ]
        for name in names
    ]
    table = data_table(
        ["Parameter", "Value", "Source"], rows, [42 * mm, 44 * mm, WIDTH - 86 * mm], first_right=3
    )
    versions = named_versions(doc.parameter_set_versions)
    story += [
        Spacer(1, 1 * mm),
        para(f"Parameter set ({versions}; the values of the latest version used)", LABEL),
        table,
    ]
    return story
