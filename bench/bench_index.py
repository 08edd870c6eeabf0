"""Benchmark of the social index: 1,000 areas × 40 indicators × 20 years of synthetic data
(generated in memory), against a plain numpy computation of the same z-scores in the same run.

``compute_index`` computes status and dynamics for every year (the result's history) starting
from the long observation table. The floor standardises the same values (status per year and
the two-year changes) on a ready 3-D numpy array. Prints figures only; goal: ratio ≤ 3.

Run: ``.venv/bin/python bench/bench_index.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sozdash.social_index.compute import IndexConfig, compute_index, observation_cube

N_AREAS, N_INDICATORS, YEARS, SPAN, REPEAT = 1000, 40, np.arange(2005, 2025), 2, 5
LAGEN = ["einkommen", "arbeit", "bildung", "gesundheit", "pflege_alter", "wohnen", "kinder_familie"]


def synthetic() -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, IndexConfig]:
    """Values [year, area, indicator], the same as a long table, the catalogue and a definition."""
    rng = np.random.default_rng(4)
    values = rng.normal(20, 5, (len(YEARS), N_AREAS, N_INDICATORS))
    values[rng.random(values.shape) < 0.01] = np.nan  # about 1 % suppressed
    population = rng.integers(100, 20_000, (len(YEARS), N_AREAS, 1)).astype(float)
    keys = [f"ind{i:02d}" for i in range(N_INDICATORS)]
    cube = np.concatenate([values, population], axis=2)
    year, area, indicator = np.meshgrid(YEARS, np.arange(N_AREAS), np.arange(N_INDICATORS + 1), indexing="ij")
    codes = np.array([f"a{i:04d}" for i in range(N_AREAS)])
    obs = pd.DataFrame({
        "area": codes[area.ravel()], "area_name": codes[area.ravel()], "level": "stadtteil",
        "indicator": np.array([*keys, "bevoelkerung"])[indicator.ravel()], "period": year.ravel(),
        "value": cube.ravel(), "status": np.where(np.isnan(cube.ravel()), "suppressed", "ok"),
    })  # fmt: skip
    catalogue = pd.DataFrame({
        "key": [*keys, "bevoelkerung"], "lebenslage": [*(LAGEN[i % len(LAGEN)] for i in range(N_INDICATORS)), "bevoelkerung"],
        "polarity": [*(("higher_worse", "higher_better")[i % 2] for i in range(N_INDICATORS)), "neutral"],
        "aggregation": [*(["ratio"] * N_INDICATORS), "sum"],
    })  # fmt: skip
    config = IndexConfig({k: 1.0 for k in keys}, reference_year=int(YEARS[-1]), span=SPAN)
    return np.where(population >= 300, values, np.nan), obs, catalogue, config


def numpy_floor(values: np.ndarray) -> np.ndarray:
    """The same z-scores in plain numpy: status per year and the changes over ``SPAN`` years."""

    def z(x: np.ndarray) -> np.ndarray:
        return (x - np.nanmean(x, axis=1, keepdims=True)) / np.nanstd(x, axis=1, keepdims=True)

    return np.concatenate([z(values), z(values[SPAN:] - values[:-SPAN])])


def best_of(fn, *args) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    values, obs, catalogue, config = synthetic()
    result = compute_index(obs, catalogue, config)
    floor = numpy_floor(values)
    check = result.contributions["z"].to_numpy().reshape(N_AREAS, N_INDICATORS)
    assert np.allclose(check, floor[len(YEARS) - 1], equal_nan=True), "z-scores differ from the numpy floor"
    ours, base = best_of(compute_index, obs, catalogue, config), best_of(numpy_floor, values)
    loading = best_of(observation_cube, obs, list(config.indicators), config.level)
    print(
        f"Sozialindex: {N_AREAS} Gebiete × {N_INDICATORS} Indikatoren × {len(YEARS)} Jahre ({len(obs):,} Zeilen)"
    )
    print(f"  compute_index (Status + Dynamik, alle Jahre): {ours * 1000:8.1f} ms")
    print(f"    davon Einlesen der Langtabelle in Arrays:  {loading * 1000:8.1f} ms")
    print(f"  numpy-Untergrenze (gleiche z-Werte, Array):   {base * 1000:8.1f} ms")
    print(f"  Verhältnis gesamt:                  {ours / base:5.2f}× (Ziel ≤ 3×)")
    print(f"  Verhältnis ohne Einlesen (Rechnen): {(ours - loading) / base:5.2f}×")


if __name__ == "__main__":
    main()
