"""Drift: how far the specs are from Binance's official SDKs (``python -m generator.drift``, ``make drift``).

:mod:`.sdk` reads an SDK's source into a :mod:`generator.surface`; :mod:`.compare` lists the differences
(pure); :mod:`.allowed` applies ``specs/drift-allowed.yaml``; :mod:`.report` prints them; :mod:`.fetch`
downloads the wheels and :mod:`.overlay` reads the overlay's websocket tables.
"""
