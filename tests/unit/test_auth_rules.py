"""The one e-mail rule for users (pure): the form of an address, special-use domains welcome."""

from __future__ import annotations

import pytest

from daas.auth.rules import NOT_AN_ADDRESS, email_key, email_problem, normalize_email, password_problem


@pytest.mark.parametrize(
    "email",
    [
        "x@corp.test",
        "ops@intranet.local",
        "it@lab.example",
        "root@localhost.localdomain",
        "first.last+billing@sub.domain.co.uk",
        "o'brien@example.ie",
        "jörg@bücher.de",
        "a@b.io",
    ],
)
def test_addresses_users_may_have(email: str) -> None:
    assert email_problem(normalize_email(email)) is None


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("", "Enter an e-mail address."),
        ("it@corp", NOT_AN_ADDRESS),
        ("it@@corp.example", NOT_AN_ADDRESS),
        ("@corp.example", NOT_AN_ADDRESS),
        ("it@corp..example", NOT_AN_ADDRESS),
        ("it@-corp.example", NOT_AN_ADDRESS),
        ("it.@corp.example", NOT_AN_ADDRESS),
        ("i..t@corp.example", NOT_AN_ADDRESS),
        ('"it"@corp.example', NOT_AN_ADDRESS),
        ("it@10.0.0.1", NOT_AN_ADDRESS),
        ("it@corp.example\x00", "No spaces or control characters."),
        ("i t@corp.example", "No spaces or control characters."),
        ("x" * 250 + "@a.io", "At most 254 characters."),
        ("x" * 65 + "@corp.example", NOT_AN_ADDRESS),
    ],
)
def test_addresses_refused_with_what_is_wrong(email: str, problem: str) -> None:
    assert email_problem(email) == problem


def test_addresses_are_kept_trimmed_composed_and_in_lower_case() -> None:
    assert normalize_email("  IT@Corp.Test ") == "it@corp.test"
    assert normalize_email("Jo\u0308rg@example.de") == "j\u00f6rg@example.de"
    assert email_key(" IT@corp.test") == email_key("it@corp.test") != email_key("it@corp.tests")
    assert len(email_key("it@corp.test")) == 64


def test_passwords_are_between_10_and_200_characters() -> None:
    assert password_problem("x" * 9) == password_problem("x" * 201) == "At least 10 characters, at most 200."
    assert password_problem("x" * 10) is None and password_problem("x" * 200) is None
