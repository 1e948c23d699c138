"""The device catalog: the list by category, editing a device model and importing footprints from a
Boavizta CSV file (the import's report is the answer to the upload)."""

from __future__ import annotations

import io
from typing import Any

from flask import redirect, render_template, request, url_for

from daas.auth.roles import ADMIN
from daas.catalog import services as catalog_services
from daas.catalog.footprints import FormatError, open_rows, read_rows
from daas.usecases import catalog as use_cases
from daas.web.admin import blp, form_page
from daas.web.admin.forms import CatalogFilterForm, DeviceModelForm, ImportForm
from daas.web.pages import audience, carry_out, money, pager


@blp.get("/catalog", endpoint="catalog")
@audience(ADMIN)
def catalog_list() -> Any:
    filters = CatalogFilterForm()
    category = filters.category.data if filters.validate() else None
    page = pager(25)
    rows, total = catalog_services.list_device_models(category or None, None, page.offset, page.size)
    return render_template(
        "admin/catalog.html", models=rows, filters=filters, category=category, pager=page.with_total(total)
    )


@blp.route("/catalog/<int:model_id>", methods=["GET", "POST"])
@audience(ADMIN)
def catalog_edit(model_id: int) -> Any:
    model = catalog_services.get_device_model(model_id)
    list_values = model.list_values
    form = DeviceModelForm(obj=model, list_value_eur=list_values.get("EUR"))
    if form.validate_on_submit():
        changed = carry_out(
            form,
            lambda: use_cases.update_device_model(model_id, form.values(list_values)),
            lambda m: f"Device model {m.sku} saved.",
        )
        if changed is not None:
            return redirect(url_for("admin.catalog_edit", model_id=model_id))
    others = ", ".join(
        money(amount, currency) for currency, amount in list_values.items() if currency != "EUR"
    )
    return form_page("admin/device_model.html", form=form, model=model, other_list_values=others)


@blp.route("/catalog/import", methods=["GET", "POST"])
@audience(ADMIN)
def catalog_import() -> Any:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        stream = _text_stream(form)
        if stream is not None:
            report = carry_out(
                form,
                lambda: use_cases.import_footprints(read_rows(stream)),
                lambda r: (
                    f"Import done: {r.kept} models kept ({r.created} new, {r.updated} updated, "
                    f"{r.unchanged} unchanged), {len(r.skipped)} rows skipped."
                ),
            )
    # The report is the answer to the upload (a large file's skipped rows would not fit in a session).
    status = 422 if request.method == "POST" and report is None else 200
    return render_template("admin/catalog_import.html", form=form, report=report), status


def _text_stream(form: ImportForm) -> Any:
    """The uploaded file as rows of the footprint format, or None with the reason beside the field. The app
    refuses bodies above MAX_CONTENT_LENGTH (413) before this reads them."""
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append("Not a UTF-8 text file.")
        return None
    try:
        return open_rows(io.StringIO(text, newline=""))
    except FormatError as error:
        form.file.errors.append(f"This is {error}.")
        return None
