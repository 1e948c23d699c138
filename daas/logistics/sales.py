"""A device sold to the customer it serves (a buy-out, billing.md "One-off charges"): it stays where it is,
its deployment ends on the sale day (deployments are [start, end), so that day is not billed) and it is
`sold`, a final state, with one `sell` custody event naming what the caller sold it by (the buy-out
charge). It will not be refreshed or come back: the return orders waiting for a pickup let it go (a
`cancel_return` event each, before the sale's), its refresh orders still to be decided or done are
cancelled, and the planner, which looks at deployed devices only, opens nothing for it again. The impact
ledger transfers what is left of its footprint to the buyer's contract on that day
(daas.impact.attribution).

It spans contracts (the deployment), devices (the state) and logistics' own refresh and return orders, so
it lives in logistics, which sits above contracts. The caller commits.
"""

from __future__ import annotations

from datetime import date

from daas.contracts.services import get_contract, open_deployment
from daas.core import clock
from daas.core.errors import Invalid
from daas.devices.models import Device
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.logistics import refresh, returns

REFERENCE_MAX_LENGTH = 200  # custody_events.reference


def sell_device(contract_id: int, serial: str, on: date, reference: str, actor: str) -> Device:
    """Sell the device deployed on the contract to its customer on `on` (today or earlier, within the
    deployment and the contract). `reference` names the sale on the custody event ("buy-out charge 12").
    A device not deployed on the contract is not found (404); a day or reference that does not fit is a
    422 naming the field; a device whose state cannot be sold is a 409 naming the state."""
    contract = get_contract(contract_id)
    device = lock_device(serial, field_name=None)  # before reading its deployment: one sale at a time
    deployment = open_deployment(contract.id, serial)
    reference = (reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX_LENGTH:
        raise Invalid.field("reference", f"Name the sale in 1 to {REFERENCE_MAX_LENGTH} characters.")
    if on < deployment.start_date:
        raise Invalid.field("on", f"Must be on or after the deployment's start ({deployment.start_date}).")
    if on > contract.end_date:
        raise Invalid.field("on", f"Must be on or before the contract's end ({contract.end_date}).")
    if on > clock.today():
        raise Invalid.field("on", "A sale cannot be recorded in the future.")
    returns.withdraw_device(device, on, actor, f"device sold ({reference})")
    refresh.cancel_refresh_orders_of(device.id, actor)
    transition_device(
        device, "sell", on, actor, field_name="on", contract_id=contract.id, reference=reference
    )
    deployment.end_date = on
    db.session.flush()
    if deployment.person_id is not None:  # someone leaving whose last device this was has left
        returns.settle_leaving_person(deployment.person_id)
    return device
