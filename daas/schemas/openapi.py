"""How daas writes its OpenAPI document beyond what flask-smorest and apispec do by themselves.

- Every enum is a named schema of its own (components/schemas), referenced wherever it is used. A typed
  client generated from the document then has one type per enum (InvoiceStatus, CollectionMethod...)
  shared by the resources and the query parameters, and no generated name can clash with a schema's:
  openapi-python-client names an inline enum after its schema and field, so `Payment.method` became
  `PaymentMethod`, the name of another schema, and the generator dropped both `Payment` and `Invoice`.
  A field names its enum with `metadata={"title": "InvoiceStatus"}`; two enums given one name with
  different values stop the document from being built.
- A dict whose keys are a fixed set (a OneOf validator on its key field) is an object with one optional
  property per key and no others; `metadata={"required": [...]}` says which must be there. (Other rules on
  a map's keys, such as "a country code", need OpenAPI 3.1's propertyNames: they are described in words.)
- A partial body (a PATCH whose fields are all optional) states `minProperties: 1`: a PATCH that changes
  nothing is refused (daas.api.base.Blueprint.arguments).
- A string that states no pattern, format or enum of its own says it holds no NUL (TEXT_PATTERN): the
  JSON parser refuses NUL in every string (daas.core.text). Lone surrogates, refused too, are left out
  of the pattern: JSON Schema engines do not agree on how a pattern sees them, and they are no text.
- `decimal_pattern` writes a decimal's bounds as the one regular expression a decimal string can carry,
  and daas.schemas.fields.DecimalString accepts exactly the strings it matches.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.utils import build_reference
from marshmallow import fields, validate

# Python's white space (what str.strip() removes), spelled out so that every regex engine reads it alike
# (ECMAScript's \s, which JSON Schema patterns follow, is another set).
WHITE_SPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = r"^[^\u0000]*$"
NOT_BLANK_TEXT_PATTERN = rf"^[^\u0000]*[^{WHITE_SPACE}\u0000][^\u0000]*$"
_OWN_RULES = {"pattern", "format", "enum"}


class DaasConverter(OpenAPIConverter):
    def field2property(self, field: Any) -> dict[str, Any]:
        prop = super().field2property(field)
        if "enum" in prop and "title" in prop:
            return self._enum_reference(prop)
        if isinstance(field, fields.Dict) and (keys := _choices(field.key_field)):
            value = prop.pop("additionalProperties", {})
            prop["properties"] = {key: value for key in keys}
            prop["additionalProperties"] = False
        if prop.get("type") == "string" and not _OWN_RULES & prop.keys():
            prop["pattern"] = TEXT_PATTERN
        return prop

    def _enum_reference(self, prop: dict[str, Any]) -> dict[str, Any]:
        """The enum as a named schema, and the property as a reference to it (with what is the field's
        own, such as its description, default or nullability, beside the reference)."""
        name = prop.pop("title")
        enum = {
            "type": prop.pop("type", "string"),
            "enum": [value for value in prop.pop("enum") if value is not None],
        }
        registered = self.spec.components.schemas.get(name)
        if registered is None:
            self.spec.components.schema(name, enum)
        elif registered != enum:
            raise ValueError(f"Two enums are named {name}: {registered['enum']} and {enum['enum']}.")
        reference = build_reference("schema", self.openapi_version.major, name)
        return {"allOf": [reference], **prop} if prop else reference

    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        jsonschema = super().schema2jsonschema(schema)
        if getattr(schema, "partial", None) is True and jsonschema.get("properties"):
            jsonschema["minProperties"] = 1
        return jsonschema


class DaasMarshmallowPlugin(MarshmallowPlugin):
    Converter = DaasConverter


def _choices(key_field: Any) -> list[Any]:
    """The keys a dict may have, if its key field fixes them."""
    if key_field is None:
        return []
    for validator in key_field.validators:
        if isinstance(validator, validate.OneOf):
            return list(validator.choices)
    return []


def decimal_pattern(
    places: int, integer_digits: int, minimum: Decimal | None, maximum: Decimal | None
) -> str:
    """The decimals of at most `integer_digits` digits before the point (no leading zeros) and `places`
    after it, negative only when `minimum` allows it, and at most `maximum` (a whole number) when given.

    Other bounds (a lower bound but 0, a maximum without the lower bound 0, a fractional maximum) are
    refused: no field needs them."""
    if minimum not in (None, Decimal(0)) or (minimum is None and maximum is not None):
        raise ValueError(f"A decimal pattern bounds only from 0 (minimum {minimum}, maximum {maximum}).")
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    if maximum is None:
        magnitude = rf"(0|[1-9][0-9]{{0,{integer_digits - 1}}}){fraction}"
    else:
        if maximum != maximum.to_integral_value() or maximum < 0:
            raise ValueError(f"A decimal pattern's maximum is a whole number: {maximum}.")
        top = int(maximum)
        zeros = rf"(\.0{{1,{places}}})?" if places else ""
        below = f"({_integers_below(top)}){fraction}|" if top > 0 else ""
        magnitude = f"({below}{top}{zeros})"
    sign = "-?" if minimum is None else ""
    return f"^{sign}{magnitude}$"


def _integers_below(top: int) -> str:
    """A regular expression for the whole numbers 0 to top - 1, written without leading zeros."""
    bound = str(top - 1)
    if set(bound) == {"9"}:  # a power of ten: any number of fewer digits
        return rf"0|[1-9][0-9]{{0,{len(bound) - 1}}}" if len(bound) > 1 else "[0-9]"
    alternatives = ["0"]
    if len(bound) > 1:
        alternatives.append(rf"[1-9][0-9]{{0,{len(bound) - 2}}}")  # fewer digits than the bound
    for position, digit in enumerate(bound):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(bound) - position - 1
            tail = rf"[0-9]{{{rest}}}" if rest else ""
            alternatives.append(f"{bound[:position]}[{lowest}-{int(digit) - 1}]{tail}")
    if bound != "0":
        alternatives.append(bound)
    return "|".join(dict.fromkeys(alternatives))
