"""The parameters of the method, with the source of every default. Pure.

A parameter set is stored with a version and the day it applies from; a new version never restates a
closed period (the ledger rows name the set they used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

METHOD = "daas-impact-1"


@dataclass(frozen=True)
class Parameters:
    reference_service_days: int = 1460
    refurbishment_kg: dict[str, Decimal] = field(default_factory=dict)
    upgrade_kit_kg: dict[str, Decimal] = field(default_factory=dict)
    grade_extension_days: dict[str, int] = field(default_factory=dict)
    upgrade_extension_days: int = 365
    formal_collection_rate: Decimal = Decimal("0.401")
    grid_kg_per_kwh: dict[str, Decimal] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "reference_service_days": self.reference_service_days,
            "refurbishment_kg": {k: str(v) for k, v in self.refurbishment_kg.items()},
            "upgrade_kit_kg": {k: str(v) for k, v in self.upgrade_kit_kg.items()},
            "grade_extension_days": dict(self.grade_extension_days),
            "upgrade_extension_days": self.upgrade_extension_days,
            "formal_collection_rate": str(self.formal_collection_rate),
            "grid_kg_per_kwh": {k: str(v) for k, v in self.grid_kg_per_kwh.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Parameters:
        return cls(
            reference_service_days=int(data["reference_service_days"]),
            refurbishment_kg={k: Decimal(v) for k, v in data["refurbishment_kg"].items()},
            upgrade_kit_kg={k: Decimal(v) for k, v in data["upgrade_kit_kg"].items()},
            grade_extension_days={k: int(v) for k, v in data["grade_extension_days"].items()},
            upgrade_extension_days=int(data["upgrade_extension_days"]),
            formal_collection_rate=Decimal(data["formal_collection_rate"]),
            grid_kg_per_kwh={k: Decimal(v) for k, v in data.get("grid_kg_per_kwh", {}).items()},
        )


# Refurbishment of a laptop is impact.md's 15 kg, which is 5.8% of the median laptop E0 (257.9 kg) of the
# Boavizta data set; the other categories take the same share of their own median E0.
DEFAULTS = Parameters(
    reference_service_days=1460,
    refurbishment_kg={
        "laptop": Decimal("15.0"),
        "desktop": Decimal("15.5"),
        "monitor": Decimal("21.8"),
        "tablet": Decimal("5.4"),
        "phone": Decimal("3.1"),
        "dock": Decimal("5.4"),
    },
    upgrade_kit_kg={"battery": Decimal("9.8"), "storage": Decimal("28.2"), "memory": Decimal("33.1")},
    grade_extension_days={"A": 730, "B": 548, "C": 365, "D": 0},
    upgrade_extension_days=365,
    formal_collection_rate=Decimal("0.401"),
    grid_kg_per_kwh={},
)

SOURCES = {
    "reference_service_days": "1460 days (4 years): the median lifetime in manufacturers' footprint sheets "
    "(Boavizta environmental-footprint-data, laptops, 2023); impact.md.",
    "refurbishment_kg": "Laptop 15 kg (impact.md). Other categories: the same 5.8 % of their median "
    "embodied footprint in the Boavizta data set (desktop 267 kg, monitor 374 kg, tablet 93 kg, "
    "phone 54 kg); "
    "docks, absent from the data set, take the tablet figure.",
    "upgrade_kit_kg": "Battery 9.8 kg: a 56 Wh laptop pack at 175 kg CO2e per kWh (IVL Swedish Environmental "
    "Research Institute, Romare & Dahllöf 2017: 150-200 kg/kWh). Storage 28.2 kg: a 512 GB SSD at 0.055 kg "
    "CO2e per GB (reconciled SSD factor, DigitalPebble Spruce 2026, after Tailpipe and Boavizta). Memory "
    "33.1 kg: a 16 GB module in Boavizta's RAM model (2.20 kg CO2e per cm2 of die at 1.244 GB/cm2, plus 2.99 "
    "kg transport and 1.77 kg circuit board).",
    "grade_extension_days": "A 730, B 548, C 365, D 0 days of further life after refurbishment (impact.md).",
    "upgrade_extension_days": "365 days per upgrade (impact.md; logistics.md's 12 months).",
    "formal_collection_rate": "0.401: the EU's 2022 e-waste collection rate (Eurostat, env_waselee).",
    "grid_kg_per_kwh": "None by default: use-phase CO2e is reported only where a country factor is set.",
}
