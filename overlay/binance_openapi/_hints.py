"""What to change after an error: the likely cause and the fix, for the mistakes people make most.

``api_hint`` reads Binance's ``code`` and message, and what the client knows besides (the call's
parameters and their Python keywords, the symbols of the exchange, the kind of key, the network):

* ``-1021`` the clock, ``-1022`` the signature, ``-2014``/``-2015`` the API key and its permissions;
* ``-1121`` an unknown symbol, with the closest listed symbols;
* ``-1100`` ... ``-1199`` name the Python keyword (``time_in_force``) next to the wire name
  (``timeInForce``) that Binance's message quotes.

``failure_hint`` does the same for a request that got no answer (a name that does not resolve, a port
where nothing listens, TLS). Hints never contain a secret: parameter values are only quoted for the
symbol.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping

import httpx

from ._operation import OperationLike

NOT_KEPT = frozenset(("signature", "listenKey"))  # a listenKey is a credential of its stream
ADDED = frozenset(("timestamp", "recvWindow", "signature"))
QUOTED = re.compile(r"'([A-Za-z][A-Za-z0-9_]*)'")
DNS_FAILURES = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "temporary failure in name resolution",
    "no address associated",
    "name resolution",
)


def sent_params(response: httpx.Response) -> dict[str, str]:
    """The query parameters of the request behind ``response``, without the signature or a listenKey."""
    try:
        request = response.request
    except RuntimeError:  # a response built by hand, never sent
        return {}
    return {k: v for k, v in request.url.params.items() if k not in NOT_KEPT}


def api_hint(
    code: int | None,
    message: str,
    *,
    status: int = 400,
    operation: OperationLike | None = None,
    params: Mapping[str, str] | None = None,
    called: str = "",
    symbols: Collection[str] = (),
    key_kind: str = "",
    where: str = "",
) -> str:
    """The likely cause and the fix for an error answer, or ``""``.

    ``called`` names the caller's method (``UsdM.new_order``), ``symbols`` the exchange's symbols when
    the client holds them, ``key_kind`` the key's class (``HmacKey``...), ``where`` the network or URL.
    """
    params = params or {}
    names: Mapping[str, str] = getattr(operation, "python_names", None) or {}
    method = called or (operation.id if operation is not None else "")
    if code == -1021:
        return _clock_hint()
    if code == -1022:
        return _signature_hint(key_kind)
    if code == -1121:
        return _symbol_hint(params.get("symbol"), symbols)
    if code == -2014:
        return (
            "The API key sent is not in Binance's format: give the API key first and the secret second "
            "(HmacKey(api_key, secret)), each copied whole, without spaces, quotes or a line break."
        )
    if code in (-2015, -1002) or (code is None and status == 401):
        return _permission_hint(operation, where)
    if code is not None and -1199 <= code <= -1100:
        return _parameter_hint(code, message, names, params, method)
    return ""


def _clock_hint() -> str:
    return (
        "The client measured Binance's clock again and signed the request afresh, and it was still "
        "outside recvWindow: check that this machine's clock is synchronised (NTP; "
        "`timedatectl status` on Linux) and does not jump, or allow more time with recv_window= on the "
        "client or client.with_options(recv_window=10000) for one call (at most 60000 ms)."
    )


def _signature_hint(key_kind: str) -> str:
    proxy = "or something between here and Binance (a proxy) changed the request's bytes after signing"
    if key_kind == "HmacKey":
        return (
            "The signature was made with a secret that does not belong to this API key: check the "
            "secret given to HmacKey (copied whole; a regenerated key has a new secret), " + proxy + "."
        )
    if key_kind in ("RsaKey", "Ed25519Key"):
        return (
            f"The public key registered on Binance for this API key is not the pair of the private key "
            f"given to {key_kind}: load the matching private key or register its public key again, "
            + proxy
            + "."
        )
    return (
        "Wrong secret (HMAC), or a private key whose public key is not the one registered on Binance for "
        "this API key (RSA, Ed25519), " + proxy + "."
    )


def _symbol_hint(symbol: str | None, symbols: Collection[str]) -> str:
    if not symbol:
        return "Check the symbol: exchange_info() lists every symbol this exchange trades."
    wanted = symbol.upper().replace("/", "").replace("-", "")
    if symbols:
        matches = [wanted] if wanted in symbols else difflib.get_close_matches(wanted, list(symbols), n=3)
    else:
        matches = [wanted] if wanted != symbol else []
    if matches:
        guesses = " or ".join(repr(m) for m in matches)
        upper = " (symbols are upper case, without a separator)" if wanted != symbol else ""
        return f"{symbol!r} is not a symbol of this exchange{upper}: did you mean {guesses}?"
    return f"{symbol!r} is not listed: exchange_info() lists every symbol this exchange trades."


def _permission_hint(operation: OperationLike | None, where: str) -> str:
    path = operation.path if operation is not None else ""
    futures = path.startswith(("/fapi", "/dapi", "/futures"))
    permission = "Enable Futures" if futures else "Enable Spot & Margin Trading (or Enable Reading)"
    causes = [
        f"the key lacks this product's permission (API Management: {permission})",
        "the key is restricted to trusted IPs and this machine's public IP is not among them",
    ]
    if futures:
        causes.append("the futures account is not opened yet (open it once on the website or app)")
    target = f" (this client sends to {where})" if where else ""
    causes.append(f"a testnet key used on mainnet, or the reverse{target}")
    return "Usual causes: " + "; ".join(causes) + "."


def _keyword(wire: str, names: Mapping[str, str]) -> str:
    python = names.get(wire)
    if python is None or python == wire:
        return f"{wire}="
    return f"{python}= ({wire} on the wire)"


def _parameter_hint(
    code: int, message: str, names: Mapping[str, str], params: Mapping[str, str], method: str
) -> str:
    quoted = [name for name in QUOTED.findall(message) if name in names]
    in_call = f" of {method}" if method else ""
    if code == -1104:
        sent = [k if names.get(k, k) == k else f"{names[k]} ({k})" for k in params if k not in ADDED]
        listed = f" Sent: {', '.join(sent)}." if sent else ""
        return (
            "Binance did not read a parameter that does not apply to this request (price or "
            f"time_in_force on a MARKET order, for instance): leave it out.{listed}"
        )
    if not quoted:
        return ""
    keywords = ", ".join(_keyword(name, names) for name in quoted)
    if code == -1102:
        to_call = f" to {method}" if method else ""
        return f"Give {keywords}{to_call}: this request needs it, with a value of the documented form."
    if code == -1106:
        return f"Leave out {keywords}: it does not apply to this request."
    if all(names[name] == name for name in quoted):
        return ""  # the keyword is the wire name: nothing to add
    return f"In Python that is {keywords}{in_call}."


def failure_hint(cause: BaseException | str, host: str) -> str:
    """What to check when a request got no answer, from the network layer's message."""
    text = str(cause).lower()
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if any(marker in text for marker in DNS_FAILURES):
        return (
            f"the name {name} does not resolve: check this machine's network connection and DNS, "
            "and the client's network= or base_url="
        )
    if "refused" in text or "errno 111" in text or "errno 61" in text:
        return f"nothing accepts connections at {host}: is the server running, and is base_url= right?"
    if "certificate" in text or "ssl" in text:
        return (
            "the TLS handshake failed: check the system's CA certificates, a proxy that intercepts TLS, "
            "or verify="
        )
    if isinstance(cause, httpx.ConnectTimeout):
        return "check the network connection, a firewall, proxy= and timeout="
    return ""


__all__ = ["api_hint", "failure_hint", "sent_params"]
