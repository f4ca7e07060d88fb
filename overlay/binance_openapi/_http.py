"""The httpx clients that run every call through the policy flow: the only I/O of the overlay.

``BinanceHttpClient`` and ``AsyncBinanceHttpClient`` override ``send``, so the facades and the
generated ``binance_<product>.api`` functions (which call ``client.request``) get the same behaviour:
signing (the auth flow), rate limits, retries, order reconciliation and errors (``_policy.py``).
"""

from __future__ import annotations

import asyncio
import time
from http.cookiejar import CookieJar
from typing import Any

import httpx
from httpx._client import USE_CLIENT_DEFAULT, UseClientDefault
from httpx._types import AuthTypes

from ._errors import TransportError
from ._policy import Flow, Policy, Send, Sleep, call_flow


class NoCookies(CookieJar):
    """A cookie jar that neither keeps nor sends cookies: Binance's APIs use none.

    httpx reads every answer's headers for cookies and prepares every request for them through
    ``urllib`` and ``email`` objects, a tenth of the CPU of a small signed call; with this jar it skips
    that work.
    """

    def extract_cookies(self, response: Any, request: Any) -> None:  # noqa: ARG002
        return None

    def add_cookie_header(self, request: Any) -> None:  # noqa: ARG002
        return None


class BinanceHttpClient(httpx.Client):
    """An ``httpx.Client`` whose every request goes through ``call_flow``."""

    def __init__(self, *, policy: Policy, **kwargs: Any) -> None:
        kwargs.setdefault("cookies", NoCookies())
        super().__init__(**kwargs)
        self.policy = policy

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,  # noqa: ARG002 (answers are always read: the policy inspects them)
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        flow: Flow = call_flow(request, self.policy)
        result: Any = None
        while True:
            try:
                action = flow.send(result)
            except StopIteration as done:
                response: httpx.Response = done.value
                return response
            except TransportError as error:
                error.with_context()  # name the host and URL that failed
                raise
            if isinstance(action, Sleep):
                (self.policy.sleep or time.sleep)(action.seconds)
                result = None
            else:
                assert isinstance(action, Send)
                try:
                    result = super().send(action.request, auth=auth, follow_redirects=follow_redirects)
                except httpx.TransportError as exc:
                    result = exc


class AsyncBinanceHttpClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose every request goes through ``call_flow``."""

    def __init__(self, *, policy: Policy, **kwargs: Any) -> None:
        kwargs.setdefault("cookies", NoCookies())
        super().__init__(**kwargs)
        self.policy = policy

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,  # noqa: ARG002 (answers are always read: the policy inspects them)
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        flow: Flow = call_flow(request, self.policy)
        result: Any = None
        while True:
            try:
                action = flow.send(result)
            except StopIteration as done:
                response: httpx.Response = done.value
                return response
            except TransportError as error:
                error.with_context()  # name the host and URL that failed
                raise
            if isinstance(action, Sleep):
                if self.policy.sleep is not None:
                    self.policy.sleep(action.seconds)
                else:
                    await asyncio.sleep(action.seconds)
                result = None
            else:
                assert isinstance(action, Send)
                try:
                    result = await super().send(action.request, auth=auth, follow_redirects=follow_redirects)
                except httpx.TransportError as exc:
                    result = exc


__all__ = ["AsyncBinanceHttpClient", "BinanceHttpClient"]
