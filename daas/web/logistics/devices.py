"""Devices by serial: the serial box (a scanner types the serial and Enter), the devices waiting in each
warehouse state, a device's page with the takeback actions it may take now (wipe, grade, disposition,
restock, deploy, mark lost) and its wipe certificates as PDF."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from daas.contracts import fleet
from daas.contracts.services import current_contract_id
from daas.core import clock, money
from daas.devices.certificate_pdf import render_wipe_certificate
from daas.devices.lifecycle import STATES, Condition, actions_now, refusal, stronger_wipes
from daas.downloads import PDF_MIMETYPE, download
from daas.logistics import takeback
from daas.settings import current_settings
from daas.usecases import contracts as contract_use_cases
from daas.usecases import logistics as use_cases
from daas.web.logistics import blp, label, queries
from daas.web.logistics.forms import (
    ACTION_FORMS,
    DISPOSITIONS,
    FORM_OF_ACTION,
    WIPE_METHODS,
    DeployForm,
    SerialForm,
)
from daas.web.pages import audience, carry_out, options, pager, principal


def _not_now(condition: Condition) -> list[tuple[str, str]]:
    """The dispositions the device's state allows but its wipe or grade does not, with the reason (what
    its state rules out the page simply does not offer)."""
    refusals = [(name, refusal(condition, name)) for name in DISPOSITIONS]
    return [(name, refused.message) for name, refused in refusals if refused and refused.field != "status"]


def _device_page(serial: str, failed: tuple[str, FlaskForm] | None = None, status: int = 200) -> Any:
    device = fleet.get_device(serial)
    today = clock.today()
    condition = takeback.condition_of(device)
    actions = actions_now(condition)  # what the lifecycle and its certificate and grade rules allow now
    forms: dict[str, FlaskForm] = {}
    for name in dict.fromkeys(FORM_OF_ACTION[action] for action in actions if action in FORM_OF_ACTION):
        if failed is not None and failed[0] == name:
            forms[name] = failed[1]
        elif name == "deploy":
            forms[name] = DeployForm(formdata=None, data={"start_date": today})
        else:
            forms[name] = ACTION_FORMS[name](formdata=None)
    wipe_again = "wipe_again" in actions
    methods = stronger_wipes(condition.wipe) if wipe_again else ()
    if wipe_again:  # only a stronger method than the wipe on record, the weakest of them first
        forms["wipe"].method.choices = options((m, WIPE_METHODS[m]) for m in methods)
        if failed is None or failed[0] != "wipe":
            forms["wipe"].method.data = methods[0]
    if "disposition" in forms:
        forms["disposition"].disposition.choices = options(
            (name, text) for name, text in DISPOSITIONS.items() if name in actions
        )
    contract_id = current_contract_id(device.id)
    return (
        render_template(
            "logistics/device.html",
            device=device,
            events=fleet.device_events(device),
            certificates=takeback.device_certificates(device.serial),
            contract_id=contract_id,
            forms=forms,
            wipe_again=wipe_again,
            stronger_wipes=methods,
            wiped_with=condition.wipe,
            not_now=_not_now(condition),
            search=SerialForm(formdata=None, data={"serial": ""}),
            today=today,
        ),
        status,
    )


@blp.get("/devices", endpoint="devices")
@audience("logistics")
def devices_list() -> Any:
    """The serial box (a scanner types the serial and Enter): the device with exactly this serial, else the
    one whose serial matches when case is ignored, else the list of those that do; and, with `?status=`,
    the devices in that state."""
    form = SerialForm()
    matches: list[Any] = []
    if "serial" in request.args and form.validate():
        serial = form.serial.data.strip()
        matches = queries.devices_by_serial(serial)
        if len(matches) == 1:
            return redirect(url_for("logistics.devices_show", serial=matches[0].serial))
        if not matches:
            form.serial.errors = [f"No device with serial {serial}."]
    state = request.args.get("status", "")
    listed, page = None, pager(50)
    if state in STATES:
        listed, total = fleet.list_devices(state, None, None, page.offset, page.size)
        page = page.with_total(total)
    return render_template(
        "logistics/devices.html",
        form=form,
        matches=matches,
        state=state if listed is not None else None,
        listed=listed,
        pager=page,
        waiting=queries.warehouse_queue(),
    )


@blp.get("/devices/<string:serial>")
@audience("logistics")
def devices_show(serial: str) -> Any:
    return _device_page(serial)


def _device_action(serial: str, name: str, call: Any, success: Any) -> Any:
    """An action from the device page: done, back to the device page (whose serial box then has the
    focus, for the next scan); refused, the page with the error beside the field."""
    device = fleet.get_device(serial)  # 404 for an unknown serial
    form = ACTION_FORMS[name]()
    if form.validate_on_submit() and carry_out(form, lambda: call(form), success) is not None:
        return redirect(url_for("logistics.devices_show", serial=device.serial))
    return _device_page(serial, (name, form), 422)


@blp.post("/devices/<string:serial>/wipe")
@audience("logistics")
def devices_wipe(serial: str) -> Any:
    return _device_action(
        serial,
        "wipe",
        lambda form: use_cases.wipe_device(serial, form.values(), principal().actor),
        lambda certificate: (
            f"Device {serial}: wipe recorded (certificate WIPE-{certificate.id:06d}, "
            f"{certificate.method}); it is now {label(fleet.get_device(serial).status)}."
        ),
    )


@blp.post("/devices/<string:serial>/grade")
@audience("logistics")
def devices_grade(serial: str) -> Any:
    return _device_action(
        serial,
        "grade",
        lambda form: use_cases.grade_device(
            serial,
            form.grade.data,
            principal().actor,
            form.on.data,
            policy=current_settings().end_of_term,
            notes=form.notes.data,
        ),
        _graded,
    )


def _graded(graded: takeback.Graded) -> str:
    """What the grading did, and the damage charge it proposed to finance, if any."""
    device, charge = graded.device, graded.damage_charge
    said = f"Device {device.serial}: graded {device.grade}; it is now {label(device.status)}."
    if charge is None:
        return said
    amount = money.format_money(charge.amount, charge.currency)
    return f"{said} Damage charge of {amount} {charge.currency} proposed to finance."


@blp.post("/devices/<string:serial>/disposition")
@audience("logistics")
def devices_disposition(serial: str) -> Any:
    return _device_action(
        serial,
        "disposition",
        lambda form: use_cases.dispose_device(
            serial, form.disposition.data, principal().actor, form.on.data, getattr(form, "parts", [])
        ),
        lambda device: f"Device {serial}: disposition recorded; it is now {label(device.status)}.",
    )


@blp.post("/devices/<string:serial>/restock")
@audience("logistics")
def devices_restock(serial: str) -> Any:
    return _device_action(
        serial,
        "restock",
        lambda form: use_cases.restock_device(serial, principal().actor, form.on.data),
        lambda device: f"Device {serial}: refurbished and restocked; it is now {label(device.status)}.",
    )


@blp.post("/devices/<string:serial>/deploy")
@audience("logistics")
def devices_deploy(serial: str) -> Any:
    return _device_action(
        serial,
        "deploy",
        lambda form: contract_use_cases.deploy_device(
            form.contract_id.data, serial, form.start_date.data, principal().actor
        ),
        lambda deployment: (
            f"Device {serial}: deployed on contract {deployment.contract_id} from "
            f"{deployment.start_date.isoformat()}; it is now deployed."
        ),
    )


@blp.post("/devices/<string:serial>/lost")
@audience("logistics")
def devices_lost(serial: str) -> Any:
    return _device_action(
        serial,
        "lost",
        lambda form: use_cases.lose_device(
            serial,
            principal().actor,
            form.on.data,
            form.note.data or None,
            policy=current_settings().end_of_term,
        ),
        lambda device: f"Device {serial}: marked lost; it is now {label(device.status)}.",
    )


@blp.get("/devices/<string:serial>/wipe-certificates/<int:certificate_id>.pdf")
@audience("logistics")
def devices_certificate(serial: str, certificate_id: int) -> Any:
    document = takeback.certificate_document(serial, certificate_id, current_settings().issuer.name)
    return download(render_wipe_certificate(document), PDF_MIMETYPE, f"{document.number}.pdf")
