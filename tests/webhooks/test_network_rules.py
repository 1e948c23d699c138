"""What a webhook may reach: every address its host resolves to is checked before anything is sent, and
a private, loopback, link-local or otherwise non-public one refuses the delivery (no request made) unless
it is in the allowed networks; http only inside them; the connection goes to the checked address, with
the host name in Host, SNI and the certificate check; and a receiver slower than the timeout fails."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from daas.core import clock
from daas.extensions import db
from daas.notifications.models import PENDING
from daas.notifications.safe_http import Refused, address_problem, checked_addresses, parse_url
from daas.outbox.services import record_event
from tests import factories
from tests.helpers import assert_error, bearer, configure
from tests.serving import free_port
from tests.webhooks.conftest import T0, sample_data, with_networks
from tests.webhooks.helpers import attempts_of, deliver, deliveries_of, endpoint, fresh

EVERYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _one_event(customer_id: int) -> None:
    record_event(
        "invoice.issued", key="test:ssrf", customer_id=customer_id, data=sample_data("invoice.issued")
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("localhost", "localhost resolves to 127.0.0.1, a loopback address"),  # a name: its addresses
        ("10.20.30.40", "a private address"),
        ("169.254.169.254", "a link-local address"),  # the cloud metadata service
        ("[::1]", "a loopback address"),
        ("[::ffff:127.0.0.1]", "a loopback address"),  # IPv4-mapped: judged by its IPv4 address
        ("0.0.0.0", "an unspecified address"),
        ("100.64.1.2", "is not a public address"),  # shared (carrier NAT) space
        ("[2002:7f00:1::]", "a 6to4 address around 127.0.0.1, a loopback address"),
    ],
)
def test_a_delivery_to_an_address_outside_the_allowed_networks_is_refused_unsent(
    database, receiver, settings, host, kind
):
    customer = factories.customer()
    hook, _ = endpoint(
        customer.id, f"http://{host}:{receiver.port}/inside", with_networks(settings, *EVERYWHERE)
    )
    with clock.frozen(T0):
        _one_event(customer.id)
        report = deliver(with_networks(settings))  # nothing allowed: only public addresses
    assert receiver.received == []
    [delivery] = deliveries_of(hook.id)
    [attempt] = attempts_of(delivery.id)
    assert attempt.status_code is None
    assert attempt.error.startswith("refused: ") and kind in attempt.error, attempt.error
    assert "DAAS_WEBHOOK_ALLOWED_NETWORKS" in attempt.error
    assert attempt.duration_ms < 1000
    assert (delivery.status, delivery.last_status_code) == (PENDING, None)
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)
    assert report.webhooks_retrying == 1
    assert fresh(hook.id).failing_since is not None


def test_the_same_addresses_are_reached_once_their_network_is_allowed(database, receiver, settings):
    customer = factories.customer()
    mapped, _ = endpoint(customer.id, f"http://[::ffff:127.0.0.1]:{receiver.port}/mapped", settings)
    named, _ = endpoint(customer.id, f"http://localhost:{receiver.port}/named", settings)
    _one_event(customer.id)
    assert deliver(settings).webhooks_sent == 2  # 127.0.0.0/8 allowed (TestingConfig)
    assert receiver.to("/named")[0].headers["Host"] == f"localhost:{receiver.port}"
    assert receiver.to("/mapped")[0].headers["Host"] == f"[::ffff:127.0.0.1]:{receiver.port}"
    assert [d.status for d in deliveries_of(mapped.id) + deliveries_of(named.id)] == ["sent", "sent"]


def test_plain_http_to_a_public_address_is_refused_at_the_send_too(settings):
    target = parse_url("http://8.8.8.8/hook")
    with pytest.raises(Refused, match="http:// is only for the networks"):
        checked_addresses(target, settings.webhooks.allowed_networks)
    assert checked_addresses(parse_url("https://8.8.8.8/hook"), ()) == [ipaddress.ip_address("8.8.8.8")]


@pytest.mark.parametrize(
    ("address", "allowed", "problem"),
    [
        ("8.8.8.8", (), None),
        ("2606:4700:4700::1111", (), None),
        ("192.168.1.10", (), "a private"),
        ("fd00::1", (), "a private"),
        ("fe80::1", (), "a link-local"),
        ("224.0.0.251", (), "a multicast"),
        ("240.0.0.1", (), "a reserved"),
        ("::", (), "an unspecified"),
        ("::ffff:10.0.0.1", (), "a private"),
        ("::ffff:10.0.0.1", ("10.0.0.0/8",), None),
        ("10.0.0.1", ("10.0.0.0/8",), None),
        ("10.0.0.1", ("10.0.0.0/24", "::1/128"), None),
        ("10.0.1.1", ("10.0.0.0/24",), "a private"),
    ],
)
def test_which_addresses_may_be_reached(address, allowed, problem):
    found = address_problem(ipaddress.ip_address(address), [ipaddress.ip_network(n) for n in allowed])
    assert (found is None) if problem is None else (problem in found), found


def test_a_receiver_slower_than_the_timeout_is_a_failure(database, receiver, settings):
    customer = factories.customer()
    receiver.delay = 3
    hook, _ = endpoint(customer.id, receiver.url("/slow"), settings)
    _one_event(customer.id)
    report = deliver(with_networks(settings, *settings.webhooks.allowed_networks, timeout_seconds=0.5))
    [delivery] = deliveries_of(hook.id)
    [attempt] = attempts_of(delivery.id)
    assert (attempt.status_code, attempt.error) == (None, "timed out after 0.5 s")
    assert 450 <= attempt.duration_ms < 2500
    assert delivery.last_error == "timed out after 0.5 s"
    assert len(receiver.to("/slow")) == 1 and report.webhooks_retrying == 1


def test_https_goes_to_the_checked_address_with_the_host_name_for_sni_and_the_certificate(
    database, tls_receiver, settings
):
    customer = factories.customer()
    by_name, _ = endpoint(customer.id, tls_receiver.url("/tls", host="localhost"), settings)
    by_address, _ = endpoint(customer.id, tls_receiver.url("/tls-ip"), settings)
    _one_event(customer.id)
    report = deliver(settings)
    # The certificate names localhost only: checked against the name, not the address connected to.
    [request] = tls_receiver.to("/tls")
    assert request.headers["Host"] == f"localhost:{tls_receiver.port}"
    assert [d.status for d in deliveries_of(by_name.id)] == ["sent"]
    [refused] = attempts_of(deliveries_of(by_address.id)[0].id)
    assert refused.status_code is None and refused.error.startswith("TLS certificate refused"), refused.error
    assert tls_receiver.to("/tls-ip") == []
    assert (report.webhooks_sent, report.webhooks_retrying) == (1, 1)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "http://hooks.example.com/hook",  # plain http, outside the allowed networks (or not resolvable)
    ],
)
def test_registering_an_endpoint_outside_the_allowed_networks_is_refused(app, client, monkeypatch, url):
    configure(app, monkeypatch, DAAS_WEBHOOK_ALLOWED_NETWORKS="")
    token = factories.token("admin")
    response = client.post(
        "/api/v1/webhook-endpoints", json={"url": url, "events": ["*"]}, headers=bearer(token)
    )
    assert_error(response, 422, "url")


def test_an_https_name_is_registered_without_being_resolved(app, client, monkeypatch):
    configure(app, monkeypatch, DAAS_WEBHOOK_ALLOWED_NETWORKS="")
    token = factories.token("admin")
    response = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://hooks.example.com/daas", "events": ["*"]},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()


def test_a_host_without_addresses_or_a_closed_port_is_a_failure_without_an_answer(database, settings):
    customer = factories.customer()
    closed = free_port()
    unknown, _ = endpoint(customer.id, "https://hooks.invalid/daas", settings)
    gone, _ = endpoint(customer.id, f"http://127.0.0.1:{closed}/gone", settings)
    _one_event(customer.id)
    assert deliver(settings).webhooks_retrying == 2
    [not_resolved] = attempts_of(deliveries_of(unknown.id)[0].id)
    assert not_resolved.error.startswith("hooks.invalid cannot be resolved"), not_resolved.error
    [refused] = attempts_of(deliveries_of(gone.id)[0].id)
    assert refused.error == "connection failed: Connection refused", refused.error
