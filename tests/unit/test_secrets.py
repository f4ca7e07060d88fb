"""Secrets never show in reprs, strings or pickles."""

from __future__ import annotations

import pickle

import pytest

from binance_openapi import HmacKey, UsdM

SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t"


def test_key_repr_hides_the_secret_and_most_of_the_api_key() -> None:
    key = HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET)
    for text in (repr(key), str(key), f"{key}"):
        assert SECRET not in text
        assert "ABCDEFGHIJKLMNOPQRSTUVWXYZ" not in text


def test_client_repr_hides_the_secret() -> None:
    client = UsdM(key=HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET), base_url="https://example.invalid")
    assert SECRET not in repr(client)
    assert SECRET not in repr(client.auth)


def test_keys_refuse_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET))


def test_empty_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        HmacKey("", SECRET)
