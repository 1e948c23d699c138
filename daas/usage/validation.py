"""Checking a batch of usage events before anything is stored. Pure: the batch, the contracts and metrics
it names, the caller's customer scope and the time in; rows to store, or errors keyed by index, out.

Written as plain Python rather than a marshmallow schema because it sits on the hot path of ingestion
(a thousand events a request); the OpenAPI document describes the same body with a schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from daas.core.money import DECIMAL_TEXT, decimal_places

MAX_BATCH = 1000
MAX_FUTURE = timedelta(minutes=5)
MAX_TRANSACTION_ID = 128
MAX_QUANTITY = Decimal("1e13")
QUANTITY_DECIMALS = 6
MAX_PROPERTIES = 50
EVENT_FIELDS = frozenset({"transaction_id", "contract_id", "metric", "timestamp", "quantity", "properties"})


@dataclass(frozen=True)
class ContractWindow:
    id: int
    customer_id: int
    start_date: date
    end_date: date  # first day not covered


@dataclass(frozen=True)
class MetricInfo:
    id: int
    code: str
    aggregation: str
    field: str | None


class BatchInvalid(Exception):
    """The batch is refused as a whole; `errors` are keyed by field or by event index."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("invalid usage batch")
        self.errors = errors


def batch_events(body: Any) -> list[Any]:
    """The events list of a request body, or BatchInvalid."""
    if not isinstance(body, dict):
        raise BatchInvalid({"_schema": ['Send a JSON object: {"events": [...]}.']})
    unknown = set(body) - {"events"}
    if unknown:
        raise BatchInvalid({name: ["Unknown field."] for name in sorted(unknown)})
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise BatchInvalid({"events": ["A list of 1 to 1000 events."]})
    if len(events) > MAX_BATCH:
        message = f"At most {MAX_BATCH} events a request; this batch has {len(events)}."
        raise BatchInvalid({"events": [message]})
    return events


def requested_contract_ids(events: list[Any]) -> set[int]:
    return {
        e["contract_id"]
        for e in events
        if isinstance(e, dict) and type(e.get("contract_id")) is int and 0 < e["contract_id"] < 2**31
    }


def _quantity(value: Any) -> Decimal | str:
    if value is None:
        return Decimal(1)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return "Must be a number."
    if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value):
        return 'Must be a decimal number written plainly, such as "1.5".'
    try:
        number = Decimal(value)
    except InvalidOperation:
        return "Must be a number."
    if not number.is_finite():
        return "Must be a finite number."
    if number < 0:
        return "Must not be negative."
    if number >= MAX_QUANTITY:
        return "Too large."
    if decimal_places(number) > QUANTITY_DECIMALS:
        return f"At most {QUANTITY_DECIMALS} decimals."
    return number


def _timestamp(value: Any) -> datetime | str:
    if not isinstance(value, str):
        return "An ISO 8601 timestamp with an offset, such as 2026-10-01T08:30:00Z."
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return "Not an ISO 8601 timestamp."
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "Give the offset (Z or +02:00): a timestamp without one is ambiguous."
    if not 1970 <= moment.year <= 9998:
        return "Out of range: a timestamp between 1970 and 9998."
    return moment.astimezone(UTC)


def _storable(value: Any) -> Any:
    """Properties as a JSON column holds them on every database: a fraction arrives as a Decimal (the
    parser keeps numbers exact) and is stored as its exact decimal text, as PostgreSQL always stored it.
    (NaN, Infinity, NUL and lone surrogates never get here: the JSON parser refuses them.)"""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def check_event(
    raw: Any,
    contracts: Mapping[int, ContractWindow],
    metrics: Mapping[str, MetricInfo],
    customer_scope: int | None,
    now: datetime,
) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """One event: the row to store, or the messages per field."""
    if not isinstance(raw, dict):
        return None, {"_schema": ["An event is a JSON object."]}
    errors: dict[str, list[str]] = {name: ["Unknown field."] for name in raw.keys() - EVENT_FIELDS}

    transaction_id = raw.get("transaction_id")
    if not isinstance(transaction_id, str) or not transaction_id.strip():
        errors["transaction_id"] = ["Required: a string that identifies the event."]
    elif len(transaction_id) > MAX_TRANSACTION_ID or "\x00" in transaction_id:
        errors["transaction_id"] = [f"At most {MAX_TRANSACTION_ID} characters, no NUL."]

    contract_id = raw.get("contract_id")
    contract = contracts.get(contract_id) if type(contract_id) is int else None
    if contract is not None and customer_scope is not None and contract.customer_id != customer_scope:
        contract = None  # another customer's contract: unknown, as far as this caller knows
    if contract is None:
        errors["contract_id"] = [f"Unknown contract {contract_id!r}."]

    code = raw.get("metric")
    metric = metrics.get(code) if isinstance(code, str) else None
    if metric is None:
        errors["metric"] = [f"Unknown metric {code!r}."]

    moment = _timestamp(raw.get("timestamp"))
    if isinstance(moment, str):
        errors["timestamp"] = [moment]
    elif moment > now + MAX_FUTURE:
        errors["timestamp"] = ["More than 5 minutes in the future."]
    elif contract is not None and not contract.start_date <= moment.date() < contract.end_date:
        errors["timestamp"] = [
            f"Outside the contract's active days ({contract.start_date} to before {contract.end_date})."
        ]

    quantity = _quantity(raw.get("quantity"))
    if isinstance(quantity, str):
        errors["quantity"] = [quantity]

    properties = raw.get("properties")
    if properties is not None and (not isinstance(properties, dict) or len(properties) > MAX_PROPERTIES):
        errors["properties"] = [f"An object of at most {MAX_PROPERTIES} properties."]
        properties = None
    if metric is not None and metric.aggregation == "unique_count":
        value = (properties or {}).get(metric.field or "")
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            needs = f"A {metric.code} event needs properties.{metric.field}: a string or an integer."
            errors["properties"] = [needs]

    if errors:
        return None, errors
    assert contract is not None and metric is not None  # narrowed by the checks above
    if properties is not None:
        properties = _storable(properties)
    return {
        "customer_id": contract.customer_id,
        "transaction_id": transaction_id,
        "contract_id": contract.id,
        "metric_id": metric.id,
        "timestamp": moment,
        "quantity": quantity,
        "properties": properties,
    }, {}


def check_batch(
    events: list[Any],
    contracts: Mapping[int, ContractWindow],
    metrics: Mapping[str, MetricInfo],
    customer_scope: int | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], int]:
    """The rows to store (first occurrence of each customer transaction id) and the number of repeats
    within the batch; BatchInvalid with errors keyed by index when any event is bad."""
    rows: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    seen: set[tuple[int, str]] = set()
    repeats = 0
    for index, raw in enumerate(events):
        row, problems = check_event(raw, contracts, metrics, customer_scope, now)
        if problems:
            errors[str(index)] = problems
            continue
        assert row is not None
        key = (row["customer_id"], row["transaction_id"])
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        rows.append(row)
    if errors:
        raise BatchInvalid({"events": errors})
    return rows, repeats
