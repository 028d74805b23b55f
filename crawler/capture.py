"""Byte-faithful capture of HTTP exchanges at the download layer.

By the time a downloader middleware sees a response, Scrapy has dropped the reason
phrase, folded the headers into a case-insensitive dict and (later) decoded the body.
A WARC must hold what the server sent, so the capture happens in the HTTP/1.1
connection protocol: every byte written to and read from the socket of one request is
recorded, and the recording travels with the Scrapy request as
``request.meta["raw_exchange"]``.

This leans on private classes of ``scrapy.core.downloader.handlers.http11`` (there is no
public hook this low); ``tests/integration/test_fetch.py``
(``test_warc_holds_the_exchange_byte_for_byte``) fails loudly if a Scrapy upgrade
changes them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.interfaces import ITCPTransport

__all__ = ["RawExchange", "CapturingDownloadHandler", "EXCHANGE_META_KEY"]

EXCHANGE_META_KEY = "raw_exchange"


@dataclass
class RawExchange:
    """The bytes of one request and its response, exactly as they crossed the socket."""

    request: bytearray = field(default_factory=bytearray)
    response: bytearray = field(default_factory=bytearray)
    remote_ip: str | None = None


class _TeeTransport:
    """Passes everything to the real transport and records what is written."""

    def __init__(self, transport: Any, protocol: "_CapturingProtocol") -> None:
        self._transport = transport
        self._protocol = protocol

    def write(self, data: bytes) -> None:
        self._protocol.record_sent(data)
        self._transport.write(data)

    def writeSequence(self, data: list[bytes]) -> None:  # noqa: N802 (Twisted's name)
        for chunk in data:
            self._protocol.record_sent(chunk)
        self._transport.writeSequence(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _CapturingProtocol(_LenientHTTP11ClientProtocol):
    _exchange: RawExchange | None = None

    def makeConnection(self, transport: Any) -> None:  # noqa: N802
        if ITCPTransport.providedBy(transport):
            transport.setTcpNoDelay(True)
        super().makeConnection(_TeeTransport(transport, self))

    def record_sent(self, data: bytes) -> None:
        if self._exchange is not None:
            self._exchange.request += data

    def request(self, request: Any) -> Any:
        # One protocol serves one request at a time (no pipelining), so everything
        # between this call and the next belongs to this exchange.
        exchange = self._exchange = RawExchange()
        try:
            exchange.remote_ip = str(ipaddress.ip_address(self.transport.getPeer().host))
        except (AttributeError, ValueError):
            exchange.remote_ip = None
        d = super().request(request)

        def attach(response: Any) -> Any:
            response._newsarchive_exchange = exchange
            return response

        return d.addCallback(attach)

    def dataReceived(self, data: bytes) -> None:  # noqa: N802
        if self._exchange is not None:
            self._exchange.response += data
        super().dataReceived(data)


class _CapturingFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> _CapturingProtocol:  # noqa: N802
        return _CapturingProtocol(self._quiescentCallback)


class _CapturingAgent(_ScrapyAgent):
    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        # The one place where Twisted's response and Scrapy's request meet.
        exchange = getattr(txresponse, "_newsarchive_exchange", None)
        if exchange is not None:
            request.meta[EXCHANGE_META_KEY] = exchange
        return super()._cb_bodyready(txresponse, request)


class CapturingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with raw capture; set for http and https."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._pool._factory = _CapturingFactory

    async def download_request(self, request: Request) -> Response:
        agent = _CapturingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        return await maybe_deferred_to_future(agent.download_request(request))
