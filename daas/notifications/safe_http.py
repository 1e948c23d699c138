"""POSTing a webhook without letting a URL reach what it must not (server-side request forgery).

A webhook URL is chosen by a customer, so daas must never be made to POST into its own network: every
address the host resolves to is checked, and one that is private, loopback, link-local, multicast,
reserved, unspecified or otherwise not public (an IPv4-mapped or 6to4 IPv6 address by the IPv4 address
inside it) refuses the delivery before any request, unless it lies in `allowed_networks`. The connection
is then made to the checked address itself, never to the name again, so DNS cannot answer one address to
the check and another to the connect; the `Host` header, TLS SNI and the certificate check still use the
URL's host name. Redirects are not followed (a 3xx is a failure, its `Location` kept in the excerpt), the
whole exchange has one time budget, and at most a bounded start of the answer is read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from daas.notifications.policy import Network, WebhookSettings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000  # webhook_endpoints.url
DEFAULT_PORTS = {"http": 80, "https": 443}
# The most telling first: a loopback or link-local address is private too.
_NOT_SENDABLE = {
    "is_unspecified": "an unspecified",
    "is_loopback": "a loopback",
    "is_link_local": "a link-local",
    "is_multicast": "a multicast",
    "is_reserved": "a reserved",
    "is_private": "a private",
}
_CHUNK = 8192


@dataclass(frozen=True)
class OutgoingWebhook:
    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    """What one POST got: `ok` for a 2xx; `error` when no HTTP answer came (refused, timed out, TLS)."""

    ok: bool
    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"


class Refused(Exception):
    """The URL or one of its addresses may not be reached: no request is made."""


class NotResolved(Refused):
    """The host has no address (now): no request is made."""


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: `host` lower-case ASCII (IDNA), without the brackets of an IPv6 literal;
    `path` with its query, percent-encoded."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def parse_url(url: str) -> Target:
    """The URL's parts, or `Refused` saying what is wrong with it (the same rules when an endpoint is
    registered and when it is posted to)."""
    if not isinstance(url, str) or not url:
        raise Refused("Give the URL the deliveries are posted to.")
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"At most {MAX_URL_LENGTH} characters.")
    if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in url):
        raise Refused("A URL has no spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"Not a URL: {error}.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused("Use an https:// URL (http:// only for the networks daas is allowed to reach).")
    if parts.username is not None or parts.password is not None:
        raise Refused("A URL with a user name or password is refused: verify the signature instead.")
    if parts.fragment or url.endswith("#"):
        raise Refused("A URL fragment (#...) is never sent; leave it out.")
    if not parts.hostname:
        raise Refused("The URL names no host.")
    if port == 0:
        raise Refused("Port 0 cannot be connected to.")
    try:
        host = parts.hostname if parts.hostname.isascii() else parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused("The host is not a valid domain name.") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(scheme, host.lower().rstrip("."), port or DEFAULT_PORTS[scheme], path)


def _inside(address: Address) -> Address:
    """The IPv4 address an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) stands for; else the address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_problem(address: Address, allowed: Sequence[Network]) -> str | None:
    """What `address` is that daas may not connect to ("a loopback address"), or None when it may."""
    if _allowed(address, allowed):
        return None
    checked = _inside(address)
    for attribute, kind in _NOT_SENDABLE.items():
        if getattr(checked, attribute):
            return f"{kind} address"
    if isinstance(checked, ipaddress.IPv6Address) and checked.sixtofour is not None:
        inner = address_problem(checked.sixtofour, allowed)
        if inner is not None:
            return f"a 6to4 address around {checked.sixtofour}, {inner}"
    if not checked.is_global:  # shared (carrier NAT) and other special-purpose space
        return "not a public address"
    return None


def refusal(host: str, address: Address, problem: str) -> str:
    """`127.0.0.1 is a loopback address`, `example.test resolves to 10.0.0.1, a private address`."""
    try:
        literal = ipaddress.ip_address(host) == address
    except ValueError:
        literal = False
    said = f"{host} is {problem}" if literal else f"{host} resolves to {address}, {problem}"
    return f"{said} (see DAAS_WEBHOOK_ALLOWED_NETWORKS)"


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to, in the resolver's order, each once."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise NotResolved(f"{host} cannot be resolved ({error})") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]))
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise NotResolved(f"{host} resolves to no address")
    return addresses


def _allowed(address: Address, allowed: Sequence[Network]) -> bool:
    return any(_inside(address) in network for network in allowed)


def checked_addresses(target: Target, allowed: Sequence[Network]) -> list[Address]:
    """The addresses of the target's host, all of them allowed, or `Refused` naming the first that is
    not (one bad address refuses the host: the resolver may hand out any of them next time). Plain http
    goes only to `allowed` networks: anything else would carry the signed body in clear."""
    addresses = resolve(target.host, target.port)
    for address in addresses:
        problem = address_problem(address, allowed)
        if problem is not None:
            raise Refused(refusal(target.host, address, problem))
        if target.scheme == "http" and not _allowed(address, allowed):
            raise Refused(
                f"{target.host} resolves to {address}: http:// is only for the networks of "
                "DAAS_WEBHOOK_ALLOWED_NETWORKS; use https://"
            )
    return addresses


# -- the connection -------------------------------------------------------------------------------------


class _Budget:
    """One deadline for the whole exchange: connect, send, headers and the body each get what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()

    def left(self) -> float:
        remaining = self.seconds - (time.monotonic() - self.started)
        if remaining <= 0:
            raise TimeoutError("the time budget is spent")
        return remaining

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses (the first that answers), whatever the host name would resolve to
    now, within the budget."""

    def __init__(self, addresses: Sequence[Address], port: int, budget: _Budget) -> None:
        super().__init__(str(addresses[0]), port, timeout=budget.left())
        self._addresses = list(addresses)
        self._budget = budget

    def connect(self) -> None:
        failure: OSError | None = None
        for address in self._addresses:
            try:
                self.sock = socket.create_connection((str(address), self.port), timeout=self._budget.left())
                return
            except TimeoutError:
                raise
            except OSError as error:
                failure = error
        raise failure or OSError("no address to connect to")


class _PinnedTLSConnection(_PinnedConnection):
    """HTTPS to the checked addresses, with SNI and the certificate checked against the URL's host."""

    default_port = 443

    def __init__(self, addresses: Sequence[Address], port: int, budget: _Budget, server_name: str) -> None:
        super().__init__(addresses, port, budget)
        self._server_name = server_name
        # Built per connection: the system's trust store (SSL_CERT_FILE and SSL_CERT_DIR are honoured).
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self._budget.left())
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_name)


def _read_start(
    response: http.client.HTTPResponse, sock: socket.socket, limit: int, budget: _Budget
) -> bytes:
    """At most `limit` bytes of the body; the rest is never read."""
    read = b""
    while len(read) < limit and not response.isclosed():  # closed: the whole body is read
        sock.settimeout(budget.left())
        chunk = response.read(min(_CHUNK, limit - len(read)))
        if not chunk:
            break
        read += chunk
    return read


def _excerpt(text: str, limit: int) -> str:
    return text.replace("\x00", "")[:limit]


def _exchange(outgoing: OutgoingWebhook, settings: WebhookSettings, budget: _Budget) -> Answer:
    target = parse_url(outgoing.url)
    addresses = checked_addresses(target, settings.allowed_networks)
    if target.scheme == "https":
        connection: _PinnedConnection = _PinnedTLSConnection(addresses, target.port, budget, target.host)
    else:
        connection = _PinnedConnection(addresses, target.port, budget)
    try:
        connection.request(
            "POST", target.path, body=outgoing.body, headers={**outgoing.headers, "Host": target.host_header}
        )
        sock = connection.sock  # open: request() connected it
        sock.settimeout(budget.left())
        response = connection.getresponse()
        body = _read_start(response, sock, settings.excerpt_chars * 4, budget)
    finally:
        connection.close()
    text = body.decode("utf-8", "replace")
    if 300 <= response.status < 400:
        text = f"Location: {response.getheader('Location', '')}\n{text}"
    return Answer(
        ok=200 <= response.status < 300,
        status_code=response.status,
        excerpt=_excerpt(text, settings.excerpt_chars),
        error=None,
        duration_ms=budget.elapsed_ms(),
    )


def _failure(message: str, budget: _Budget) -> Answer:
    return Answer(
        ok=False, status_code=None, excerpt=None, error=message[:2000], duration_ms=budget.elapsed_ms()
    )


def post_webhook(outgoing: OutgoingWebhook, settings: WebhookSettings) -> Answer:
    """POST the delivery; what came back, or why nothing did (never raises for the network's sake)."""
    budget = _Budget(settings.timeout_seconds)
    try:
        return _exchange(outgoing, settings, budget)
    except NotResolved as unresolved:
        return _failure(str(unresolved), budget)
    except Refused as refused:
        return _failure(f"refused: {refused}", budget)
    except TimeoutError:
        return _failure(f"timed out after {settings.timeout_seconds:g} s", budget)
    except ssl.SSLCertVerificationError as error:
        return _failure(f"TLS certificate refused: {error.verify_message or error}", budget)
    except ssl.SSLError as error:
        return _failure(f"TLS failed: {error.reason or error}", budget)
    except http.client.HTTPException as error:
        return _failure(f"not an HTTP answer: {type(error).__name__} {error}".strip(), budget)
    except OSError as error:
        return _failure(f"connection failed: {error.strerror or error}", budget)
