"""The people CSV import: a customer's list of people, matched by e-mail address, all or nothing.

Every row is read and checked before anything is written, so one refused row refuses the file (422 with
the whole report) and nothing is stored; the use case's rollback stands behind that too. A row names a
person by e-mail (case-insensitively): a new address creates one, a known one updates what differs, and a
row that changes nothing counts as unchanged. An empty `region` keeps a known person's region (a new
person takes the customer's pickup region); an empty `monthly_allowance`, `cost_centre` or `line2` is none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from daas.core.errors import Invalid, RefusedRows
from daas.customers.models import Customer
from daas.extensions import db
from daas.people import rules, services
from daas.people.models import Person


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # {row (1 = the first after the header), email (as given), errors {field: [messages]}}
    refused: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }


def _file_refused(message: str) -> Invalid:
    return Invalid(f"file: {message}", errors={"file": [message]})


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The file's rows as column -> cell, or a 422 on `file` for a file that is not the import's CSV (not
    UTF-8, another header, too many rows). A byte-order mark is allowed; blank lines are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_refused(f"Not UTF-8 text (byte {error.start}).") from error
    if "\x00" in text:
        raise _file_refused("The file holds NUL characters: it is not a CSV file.")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if (problem := rules.header_problem(header)) is not None:
            raise _file_refused(problem)
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == rules.MAX_IMPORT_ROWS:
                raise _file_refused(f"At most {rules.MAX_IMPORT_ROWS} rows a file; send the rest in another.")
            row = dict(zip(rules.CSV_COLUMNS, cells, strict=False))
            if len(cells) != len(rules.CSV_COLUMNS):
                row["__cells__"] = str(len(cells))
            rows.append(row)
    except csv.Error as error:
        raise _file_refused(f"Not a readable CSV file: {error}.") from error
    if not rows:
        raise _file_refused("The file has a header but no rows.")
    return rows


def _current(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "cost_centre": person.cost_centre,
        "address": {part: getattr(person, column) for part, column in rules.ADDRESS_COLUMNS.items()},
        "region": person.region,
        "monthly_allowance": person.monthly_allowance,
    }


def _changes(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    current = _current(person)
    changes = {
        name: value
        for name, value in values.items()
        if name != "address" and value != current[name] and not (name == "region" and value is None)
    }
    address = {part: value for part, value in values["address"].items() if value != current["address"][part]}
    if address:
        changes["address"] = address
    return changes


def import_people(customer_id: int, data: bytes) -> ImportReport:
    """Create or update the customer's people from the CSV `data` (columns rules.CSV_COLUMNS); the report
    counts what was done, or a RefusedRows (422) names every refused row and nothing is stored."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise Invalid.field("customer_id", f"Unknown customer {customer_id}.")
    report = ImportReport()
    planned: list[tuple[Person | None, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(read_rows(data), start=1):
        values, problems = rules.row_values(cells)
        if "__cells__" in cells:
            problems["row"] = [f"{cells['__cells__']} cells; a row has {len(rules.CSV_COLUMNS)}."]
        problems = {**rules.value_problems(values, partial=False), **problems}
        key = rules.email_key(values["email"])
        if "email" not in problems and key in seen:
            problems["email"] = [f"Also on row {seen[key]}: a person is on one row."]
        seen.setdefault(key, number)
        person = None if "email" in problems else services.find_person_by_email(customer.id, values["email"])
        if person is None and values.get("region") is None and not customer.pickup_region:
            problems["region"] = ["Give a region: the customer has no pickup region to default to."]
        if problems:
            report.refused.append({"row": number, "email": values["email"], "errors": problems})
            continue
        planned.append((person, values))
    if report.refused:
        rows = len(report.refused)
        message = f"{rows} row{'s' if rows > 1 else ''} refused; nothing was stored."
        raise RefusedRows(message, {"file": [message]}, report.as_dict())
    for person, values in planned:
        if person is None:
            services.create_person(customer.id, values)
            report.created += 1
        elif changes := _changes(person, values):
            services.update_person(person.id, changes)
            report.updated += 1
        else:
            report.unchanged += 1
    return report
