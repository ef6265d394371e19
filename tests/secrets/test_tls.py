"""TLS: with certificate verification on, a Pi impersonator gets nothing, not even the key.

A real HTTPS server on 127.0.0.1 with a self-signed certificate stands in for a Pi that
is not the one configured (or a man in the middle). With `verify_ssl` on (the default),
the client refuses the handshake before any request, and so before any header, leaves;
turned off (a self-signed Pi on a network you trust), it talks to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import ssl
from typing import Any

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.errors import PiOrchestratorConnectionError
from tests.reliability.results import COLLECTOR

KEY = "tls-key-Hn38-do-not-leak"


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "impostor-pi")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
async def impostor(
    socket_enabled: None, tmp_path: Path
) -> AsyncGenerator[tuple[int, list[dict[str, str]]]]:
    """An HTTPS 'Pi' with a self-signed certificate that records the headers it gets."""
    seen: list[dict[str, str]] = []

    async def door(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response(
            {"success": True, "data": {"id": "door", "state": "closed", "lock_state": "locked"}}
        )

    app = web.Application()
    app.router.add_get("/api/v1/door/status", door)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=_self_signed(tmp_path))
    await site.start()
    # The impostor's side of a refused handshake is its own problem, not the test's.
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), ConnectionResetError | ssl.SSLError):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        yield runner.addresses[0][1], seen
    finally:
        await runner.cleanup()
        loop.set_exception_handler(previous)


async def test_verification_on_refuses_an_unknown_certificate_before_sending_the_key(
    impostor: tuple[int, list[dict[str, str]]],
) -> None:
    port, seen = impostor
    async with aiohttp.ClientSession() as session:
        client = PiOrchestratorClient(
            session, "127.0.0.1", port, api_key=KEY, ssl=True, verify_ssl=True
        )
        with pytest.raises(PiOrchestratorConnectionError) as caught:
            await client.door_status()
    COLLECTOR.searched("TLS: requests reaching an unverified server", len(seen), len(seen))
    assert seen == []  # not a single request, so not a single header, reached it
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


async def test_verification_off_talks_to_a_self_signed_pi(
    impostor: tuple[int, list[dict[str, str]]],
) -> None:
    port, seen = impostor
    async with aiohttp.ClientSession() as session:
        client = PiOrchestratorClient(
            session, "127.0.0.1", port, api_key=KEY, ssl=True, verify_ssl=False
        )
        status = await client.door_status()
    assert status.state == "closed"
    # The key went, in its header, inside TLS: encrypted, though to an unverified peer.
    assert [headers.get("X-API-Key") for headers in seen] == [KEY]
    assert str(client.url).startswith("https://")
