"""The admin's grid factors page: the versions, the table in use (countries by years, with sources), and
an upload that stores a CSV file as the version reports use next; a bad file stores nothing."""

from __future__ import annotations

import io
import re

import pytest

from daas.extensions import db
from daas.impact.grid_factor_sets import latest_grid_factors, list_grid_factor_sets
from tests import factories
from tests.web.helpers import post_form, signed_in

URL = "/admin/grid-factors"
HEADER = "country,year,kg_per_kwh,source,source_version,url\n"


@pytest.fixture
def admin(app, database):
    client, _ = signed_in(app, "admin")
    db.session.commit()
    return client


def _upload(admin, content: bytes, note: str = "", filename: str = "factors.csv"):
    return post_form(
        admin,
        URL,
        {"file": (io.BytesIO(content), filename), "note": note},
        form_page=URL,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_page_shows_version_1_as_a_table_of_countries_by_years_with_its_source(admin):
    page = admin.get(URL)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Version 1 (in use)" in body
    assert re.search(
        r"<th scope=\"col\" class=\"num\">2021</th>.*<th scope=\"col\" class=\"num\">2024</th>", body
    )
    germany = re.search(r'<th scope="row">DE <span class="hint">Germany</span></th>(.*?)</tr>', body, re.S)
    assert germany and re.findall(r'<td class="num">([^<]+)</td>', germany.group(1)) == [
        "0.39464",
        "0.41974",
        "0.36292",
        "0.33638",
    ]
    assert "Ember Yearly Electricity Data" in body and "migration 0020" in body
    assert 'aria-current="page">Grid factors' in body


def test_an_uploaded_file_becomes_the_version_reports_use(admin):
    content = (HEADER + "DE,2025,0.3301,Ember,2026 release,\nFR,2025,0.0414,Ember,2026 release,\n").encode()
    response = _upload(admin, content, note="Ember 2026")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Grid factors version 2 stored: 2 countries, used from now on." in body
    assert "Version 2 (in use)" in body and "Ember 2026" in body
    table = latest_grid_factors()
    assert (table.version, str(table.factor_for("FR", 2025).kg_per_kwh)) == (2, "0.0414")
    [_, second] = list_grid_factor_sets()
    assert second.note == "Ember 2026" and second.created_by.endswith("@example.com")
    # Version 1 stays readable.
    assert "0.36292" in admin.get(f"{URL}?version=1").get_data(as_text=True)
    assert admin.get(f"{URL}?version=7").status_code == 404


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            (HEADER + "DE,2025,3.1,Ember,2026,\n").encode(),
            "f.csv",
            "factors.DE.2025.kg_per_kwh: a decimal number",
        ),
        (
            (HEADER + "DE,2025,0.3,,2026,\nZZ,2025,0.3,E,1,\n").encode(),
            "f.csv",
            "factors.DE.2025.source: required",
        ),
        (b"country,year\nDE,2025\n", "f.csv", "missing kg_per_kwh, source, source_version"),
        (b"\xff\xfe\x00bad", "f.csv", "Not a UTF-8 text file."),
        (HEADER.encode(), "f.xlsx", "A .csv file, please."),
    ],
)
def test_a_bad_file_is_refused_beside_the_field_and_stores_nothing(admin, content, filename, message):
    response = _upload(admin, content, filename=filename)
    assert response.status_code == 422
    beside = re.search(r'<p class="field-error" id="file-error">([^<]*)</p>', response.get_data(as_text=True))
    assert beside and message in beside.group(1).replace("&#39;", "'")
    assert [s.version for s in list_grid_factor_sets()] == [1]


def test_the_admin_menu_lists_grid_factors_after_plans(admin):
    body = admin.get(URL).get_data(as_text=True)
    labels = re.findall(r'<a href="/admin[^"]*"(?: aria-current="page")?>([^<]+)</a>', body)
    assert labels[:6] == ["Overview", "Customers", "Users", "Catalog", "Plans", "Grid factors"]


@pytest.mark.parametrize("role", ["finance", "logistics", "customer"])
def test_only_an_admin_sees_the_page(app, database, role):
    client, _ = signed_in(app, role, factories.customer().id if role == "customer" else None)
    assert client.get(URL).status_code == 403
