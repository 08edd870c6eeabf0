"""Connection pool sizes of a server database per app process (docs/DEPLOYMENT.md)."""

from __future__ import annotations

import pytest

from sozdash.store.db import pool_settings


def test_pool_size_per_process_from_the_environment() -> None:
    assert pool_settings({}) == {"pool_size": 5, "max_overflow": 10}
    assert pool_settings({"SOZDASH_DB_POOL_SIZE": "3", "SOZDASH_DB_MAX_OVERFLOW": "0"}) == {
        "pool_size": 3, "max_overflow": 0,
    }  # fmt: skip
    with pytest.raises(ValueError, match="SOZDASH_DB_POOL_SIZE muss eine ganze Zahl"):
        pool_settings({"SOZDASH_DB_POOL_SIZE": "viele"})
