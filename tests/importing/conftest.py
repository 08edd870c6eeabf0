"""The import tests write years the seed does not hold, far into the future (2030–2040) and over
the whole range the database stores (1900–2200, a file that is killed while it is written); they
run with the plausible years widened to that range (``SOZDASH_YEARS``). The default range (1950 to
next year) is tested in ``test_plausibility.py`` and by the fuzz corpus."""

from __future__ import annotations

import pytest

from sozdash.importing.numbers import STORABLE_YEARS, YEARS_SETTING


@pytest.fixture(autouse=True)
def _years_of_the_test_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(YEARS_SETTING, "{}-{}".format(*STORABLE_YEARS))
