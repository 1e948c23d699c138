"""The forms of the logistics order pages: the pick and pack screen (the serial box a scanner types into,
the serials scanned so far, the packaging by material or a reusable box), a shipment's steps (ship, deliver,
a failed delivery) and delivery slots. They check what a person typed; whether a step may be done now is
the services' answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, Field, HiddenField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daas.orders.lifecycle import PACKAGING_MATERIALS
from daas.web.input import CodeRule, Exact, SerialRule
from daas.web.pages import options

MATERIAL_LABELS = {
    "cardboard": "Cardboard",
    "moulded_pulp": "Moulded pulp",
    "bagasse": "Bagasse",
    "bamboo": "Bamboo",
    "recycled_plastic": "Recycled plastic",
    "virgin_plastic": "Virgin plastic",
}
# The domain's materials, in its order, with their labels (a new one without a label fails at import).
MATERIALS = {material: MATERIAL_LABELS[material] for material in PACKAGING_MATERIALS}
RETRY, TO_STOCK = "retry", "stock"


class ScannedSerials(Field):
    """The serials scanned so far: one hidden input each, all named like the field, in scan order."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(dict.fromkeys(value.strip() for value in valuelist if value.strip()))

    def _value(self) -> str:
        return ""


class PackForm(FlaskForm):
    serial = StringField("Scan a serial", validators=[Optional(), SerialRule()])
    serials = ScannedSerials("Scanned", default=list)
    # Where the services' errors about the packaging as a whole are put (shown beside the materials).
    packaging = HiddenField("Packaging")
    reusable_box_id = StringField(
        "Reusable box id",
        validators=[Optional(), Length(max=64), CodeRule("Letters, digits, - . _ / only.")],
    )

    def kg_field(self, material: str) -> Any:
        return getattr(self, f"kg_{material}")

    def packaging_list(self) -> list[dict[str, Any]] | None:
        """[{material, kg}] of the materials weighed (None when none is: a reusable box, or nothing)."""
        weighed = [
            {"material": material, "kg": self.kg_field(material).data}
            for material in MATERIALS
            if self.kg_field(material).data is not None
        ]
        return weighed or None


for _material, _label in MATERIALS.items():
    setattr(
        PackForm,
        f"kg_{_material}",
        DecimalField(f"{_label} (kg)", places=None, validators=[Optional(), Exact(3, 0, Decimal(1000))]),
    )


class ShipForm(FlaskForm):
    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=100)])
    tracking = StringField("Tracking number", validators=[DataRequired(), Length(max=100)])
    shipped_on = DateField("Shipped on", validators=[Optional()])


class DeliverForm(FlaskForm):
    delivered_on = DateField("Delivered on", validators=[InputRequired()])
    received_by = StringField("Received by", validators=[DataRequired(), Length(max=200)])


class FailForm(FlaskForm):
    retry = RadioField(
        "What happens to the devices",
        choices=options(
            [
                (RETRY, "Send them again: they wait, held for this order, for a new shipment"),
                (TO_STOCK, "Back to stock: the order waits for stock again"),
            ]
        ),
        validators=[DataRequired(message="Choose to send again or back to stock.")],
    )


class DeliverySlotForm(FlaskForm):
    """Prefixed "delivery-" (the pickup slot form is on the same page); the page's CSRF token is checked
    for every POST."""

    class Meta:
        csrf = False

    # Labelled apart from the pickup slot form's "Region" and "Day" on the same page.
    region = StringField(
        "Delivery area", validators=[DataRequired(), Length(max=32), CodeRule("Letters, digits, - . _ /")]
    )
    date = DateField("Delivery date", validators=[InputRequired()])
    capacity = IntegerField(
        "Capacity (deliveries)", validators=[InputRequired(), NumberRange(min=0, max=10000)]
    )
