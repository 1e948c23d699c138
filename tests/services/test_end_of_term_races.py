"""End-of-term choices take the contract's row lock and decide on what the previous choice committed
(PostgreSQL, real threads and commits): two acceptances of one quote at once make one charge and one sale,
the other refused with a 409; two devices chosen `extend` at once extend the contract once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from daas.charges.models import OneOffCharge
from daas.contracts.models import Contract
from daas.core import clock
from daas.core.errors import Conflict
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.end_of_term import EndOfTermView
from daas.logistics.models import BuyOutQuote, EndOfTermExtension
from tests.end_of_term_helpers import TODAY, by_serial, choose, fleet, view

pytestmark = pytest.mark.postgres

TIMEOUT = 60.0
ATTEMPTS = 4


def _together(app: Flask, work: list[Callable[[], Any]]) -> list[Any]:
    """Each piece of work in its own thread (own app context, session and connection), let go at once;
    what each returned, or the error it raised."""
    barrier = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)

    def run(index: int, piece: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT)
                outcomes[index] = piece()
            except Exception as error:  # reported by the assertions on the outcomes
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a piece of work did not finish"
    return outcomes


def test_two_acceptances_of_one_quote_at_once_make_one_charge_and_one_sale(committed):
    app = committed
    with clock.frozen(TODAY):
        contracts = []
        with app.app_context():
            for _ in range(ATTEMPTS):
                made = fleet(devices=1)
                quote = by_serial(view(made.contract.id))[made.serials[0]].quote  # committed by the use case
                contracts.append((made.contract.id, made.serials[0], quote.id))
        work: list[Callable[[], Any]] = []
        for contract_id, serial, quote_id in contracts:
            accept = lambda c=contract_id, s=serial, q=quote_id: choose(c, [(s, "buy_out", q)])  # noqa: E731
            work += [accept, accept]
        outcomes = _together(app, work)

    with app.app_context():
        for n, (contract_id, serial, quote_id) in enumerate(contracts):
            pair = outcomes[2 * n : 2 * n + 2]
            assert sorted(type(outcome).__name__ for outcome in pair) == ["Conflict", "EndOfTermView"], pair
            (refused,) = [outcome for outcome in pair if isinstance(outcome, Conflict)]
            assert "its choice is final" in refused.message or "accepted" in refused.message
            (answer,) = [outcome for outcome in pair if isinstance(outcome, EndOfTermView)]
            assert by_serial(answer)[serial].choice == "buy_out"
            charges = db.session.scalars(
                select(OneOffCharge).where(OneOffCharge.contract_id == contract_id)
            ).all()
            assert [(charge.kind, charge.status) for charge in charges] == [("buy_out", "pending")]
            quote = db.session.get(BuyOutQuote, quote_id)
            assert (quote.accepted_on, quote.charge_id) == (TODAY, charges[0].id)
            device = db.session.scalar(select(Device).where(Device.serial == serial))
            sells = db.session.scalar(
                select(func.count()).where(CustodyEvent.device_id == device.id, CustodyEvent.action == "sell")
            )
            assert (device.status, sells) == ("sold", 1)


def test_two_devices_chosen_extend_at_once_extend_the_contract_once(committed):
    app = committed
    with clock.frozen(TODAY):
        contracts = []
        with app.app_context():
            for _ in range(ATTEMPTS):
                made = fleet(devices=2)
                db.session.commit()
                contracts.append((made.contract.id, made.serials))
        work: list[Callable[[], Any]] = []
        for contract_id, serials in contracts:
            work += [lambda c=contract_id, s=serial: choose(c, [(s, "extend")]) for serial in serials]
        outcomes = _together(app, work)

    assert all(isinstance(outcome, EndOfTermView) for outcome in outcomes), outcomes
    with app.app_context():
        for contract_id, _ in contracts:
            assert db.session.get(Contract, contract_id).end_date == date(2028, 3, 1)
            extensions = db.session.scalars(
                select(EndOfTermExtension).where(EndOfTermExtension.contract_id == contract_id)
            ).all()
            assert [(e.from_end_date, e.to_end_date, e.months) for e in extensions] == [
                (date(2027, 3, 1), date(2028, 3, 1), 12)
            ]
