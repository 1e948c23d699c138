"""The Daas-Signature header: Stripe's scheme (HMAC-SHA256 over `timestamp.payload`), checked as a
receiver would."""

from __future__ import annotations

import hashlib
import hmac

from daas.notifications import signing

SECRET = "whsec_test_secret"
BODY = b'{"data":{"invoice_id":7},"id":"evt_1","type":"invoice.issued"}'
NOW = 1_796_000_000


def test_the_header_is_the_hmac_of_timestamp_dot_payload():
    header = signing.header_value(SECRET, NOW, BODY)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_a_receiver_accepts_the_right_signature_within_its_tolerance():
    header = signing.header_value(SECRET, NOW, BODY)
    assert signing.verify(header, BODY, SECRET, now=NOW + 299)


def test_a_changed_body_a_wrong_secret_or_an_old_timestamp_is_refused():
    header = signing.header_value(SECRET, NOW, BODY)
    assert not signing.verify(header, BODY.replace(b"7", b"8"), SECRET, now=NOW)
    assert not signing.verify(header, BODY, "whsec_other", now=NOW)
    assert not signing.verify(header, BODY, SECRET, now=NOW + 301)
    assert not signing.verify("garbage", BODY, SECRET, now=NOW)
    assert not signing.verify("", BODY, SECRET, now=NOW)


def test_during_a_secret_rotation_any_listed_signature_may_match():
    old = signing.header_value("whsec_old", NOW, BODY)
    new = signing.header_value(SECRET, NOW, BODY).split(",")[1]
    assert signing.verify(f"{old},{new}", BODY, SECRET, now=NOW)


def test_secrets_are_long_and_new_each_time():
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    assert first.startswith("whsec_") and len(first) > 40
