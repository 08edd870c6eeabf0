"""The social index: status and dynamics of areas from standardised indicators (pure, vectorised).

Sign convention: every standardised value is multiplied by the indicator's direction
(+1 for ``higher_better``, −1 for ``higher_worse``), so that for EVERY indicator, sub-index and
index a HIGHER value means a BETTER social situation and a negative one a worse situation than
the average area. ``neutral`` indicators cannot enter an index.

Steps for one level and period (all areas of that level at once, all periods at once):

1. Areas with fewer than ``min_population`` inhabitants (indicator ``bevoelkerung`` in that
   period) or without a population value are *nicht bewertet*; they do not enter any mean or
   standard deviation.
2. ``z = (x − mean) / sd`` per indicator across the rated areas (population SD, ddof = 0, as the
   areas are all areas of the city, not a sample), then ``score = sign · z``.
   Suppressed or missing values (status other than ok/estimated) are left out for that area
   only; an indicator with fewer than ``MIN_VALUES`` values or no spread is left out entirely.
3. Sub-index of a Lebenslage = weighted mean of the available scores of its indicators; overall
   index = weighted mean of all available scores. A mean needs at least ``min_coverage`` of the
   weight it could have (default half); otherwise it is missing and the area is *nicht
   bewertet (zu wenige Werte)*. Both are z-standardised once more across the rated areas, so that
   the class cut-offs are standard deviations of the index itself.
4. Dynamics: the same steps on the change ``x(t) − x(t − span)`` of the same indicators
   (relative to the development of the other areas: "negativ" means worse than typical).
5. Classes (defaults): status hoch Z ≥ +1; mittel −1 ≤ Z < +1; niedrig −1,5 ≤ Z < −1;
   sehr niedrig Z < −1,5. Dynamics positiv D ≥ +0,5; stabil −0,5 < D < +0,5; negativ D ≤ −0,5.
   Besonderer Aufmerksamkeitsbedarf: status sehr niedrig, or niedrig with negative dynamics.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozdash.core.vocab import LEBENSLAGEN
from sozdash.indicators.aggregate import VALID_STATUS

POPULATION_INDICATOR = "bevoelkerung"
MIN_VALUES = 3
"""An indicator needs values for at least this many rated areas to be standardised."""
MIN_AREAS = 5
"""An index needs at least this many rated areas."""
SIGN = {"higher_better": 1.0, "higher_worse": -1.0}

STATUS_CLASSES: dict[str, str] = {
    "hoch": "Status hoch", "mittel": "Status mittel", "niedrig": "Status niedrig",
    "sehr_niedrig": "Status sehr niedrig",
}  # fmt: skip
DYNAMICS_CLASSES: dict[str, str] = {
    "positiv": "Dynamik positiv", "stabil": "Dynamik stabil", "negativ": "Dynamik negativ",
}  # fmt: skip
NOT_RATED = "nicht_bewertet"
NOT_RATED_LABEL = "nicht bewertet"


@dataclass(frozen=True)
class IndexConfig:
    """An index definition: indicators with weights and the parameters of the method."""

    indicators: dict[str, float]
    """Indicator key → weight (> 0)."""
    level: str = "stadtteil"
    reference_year: int = 2024
    span: int = 2
    """Years between the two periods compared for the dynamics."""
    min_population: int = 300
    status_high: float = 1.0
    status_low: float = -1.0
    status_very_low: float = -1.5
    dynamics_cutoff: float = 0.5
    min_coverage: float = 0.5
    """Share of the possible weight that must be available for a (sub-)index."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IndexConfig:
        """Build from stored JSON; unknown or wrongly typed fields raise ``ValueError`` (German)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"Unbekannte Angaben in der Indexdefinition: {', '.join(sorted(unknown))}")
        try:
            values = dict(data)
            values["indicators"] = {str(k): float(w) for k, w in dict(data["indicators"]).items()}
            for name in ("reference_year", "span", "min_population"):
                if name in values:
                    values[name] = int(values[name])
            for name in ("status_high", "status_low", "status_very_low", "dynamics_cutoff", "min_coverage"):
                if name in values:
                    values[name] = float(values[name])
        except (KeyError, TypeError, ValueError):
            raise ValueError("Die Indexdefinition ist unvollständig oder hat ungültige Zahlen.") from None
        return cls(**values)

    def check(self, catalogue: pd.DataFrame) -> None:
        """Raise ``ValueError`` with a German message unless the definition is usable."""
        polarity = dict(zip(catalogue["key"], catalogue["polarity"], strict=True))
        if not self.indicators:
            raise ValueError("Bitte wählen Sie mindestens einen Indikator.")
        unknown = [k for k in self.indicators if k not in polarity]
        if unknown:
            raise ValueError(f"Unbekannte Indikatoren: {', '.join(unknown)}")
        neutral = [k for k in self.indicators if polarity[k] not in SIGN]
        if neutral:
            raise ValueError(f"Neutrale Indikatoren haben keine Richtung und passen nicht in einen Index: {', '.join(neutral)}")  # fmt: skip
        aggregation = dict(zip(catalogue["key"], catalogue["aggregation"], strict=True))
        counts = [k for k in self.indicators if aggregation[k] == "sum"]
        if counts:
            raise ValueError(
                f"Absolute Zahlen sind zwischen Gebieten nicht vergleichbar: {', '.join(counts)}"
            )
        if any(not math.isfinite(w) or w <= 0 for w in self.indicators.values()):
            raise ValueError("Gewichte müssen größer als 0 sein.")
        if not 1 <= self.span <= 20:
            raise ValueError("Der Zeitraum der Dynamik muss zwischen 1 und 20 Jahren liegen.")
        if self.min_population < 0:
            raise ValueError("Die Mindest-Einwohnerzahl darf nicht negativ sein.")
        if not self.status_high > self.status_low > self.status_very_low:
            raise ValueError("Die Schwellen müssen fallen: hoch > niedrig > sehr niedrig.")
        if self.dynamics_cutoff <= 0:
            raise ValueError("Die Schwelle der Dynamik muss größer als 0 sein.")
        if not 0 < self.min_coverage <= 1:
            raise ValueError("Der Mindestanteil vorhandener Werte muss zwischen 0 und 1 liegen.")

    def check_level(self, levels: Mapping[str, str]) -> None:
        """Raise ``ValueError`` (German) unless ``level`` is one of the city's ``levels`` (key → name)."""
        if self.level not in levels:
            known = ", ".join(f"{key} ({name})" for key, name in levels.items())
            raise ValueError(f"Unbekannte Gebietsebene „{self.level}“ – die Stadt hat die Ebenen {known}.")


@dataclass
class IndexResult:
    """The index of one reference year: per area, per Lebenslage, per indicator and over time."""

    config: IndexConfig
    year: int
    areas: pd.DataFrame
    """area, name, population, rated, reason, status_index, status_class, dynamics_index,
    dynamics_class, attention."""
    lebenslagen: pd.DataFrame
    """area, lebenslage, sub_index (z), coverage."""
    contributions: pd.DataFrame
    """area, indicator, lebenslage, weight, value, mean, sd, z, sign, score, base_value, change,
    change_score."""
    history: pd.DataFrame
    """area, period, status_index, status_class, dynamics_index, dynamics_class."""
    is_demo: bool = False

    @property
    def base_year(self) -> int:
        return self.year - self.config.span

    def to_records(self) -> list[dict[str, Any]]:
        """JSON-ready records, one per area (NaN → None), for a frozen snapshot."""
        by_area = {
            name: {a: _plain(f[f["area"] == a].drop(columns="area")) for a in self.areas["area"]}
            for name, f in (("sub", self.lebenslagen), ("indicators", self.contributions), ("history", self.history))
        }  # fmt: skip
        return [
            {**row, **{name: by_area[name][row["area"]] for name in by_area}} for row in _plain(self.areas)
        ]

    @classmethod
    def from_records(
        cls, records: list[dict[str, Any]], config: IndexConfig, year: int, *, is_demo: bool
    ) -> IndexResult:
        """Rebuild a result from :meth:`to_records` output without recomputing anything."""

        def nested(name: str, columns: list[str]) -> pd.DataFrame:
            rows = [{"area": r["area"], **item} for r in records for item in r[name]]
            return pd.DataFrame(rows, columns=columns)

        areas = pd.DataFrame([{k: v for k, v in r.items() if not isinstance(v, list)} for r in records])
        areas = areas.reindex(columns=AREA_COLUMNS)
        codes = list(areas["area"])
        lebenslagen = nested("sub", SUB_COLUMNS).astype({"raw": float, "sub_index": float, "coverage": float})
        groups = [lage for lage in LEBENSLAGEN if lage in set(lebenslagen["lebenslage"])]
        labels = {"area": codes, "indicator": list(config.indicators), "lebenslage": groups}

        def categorical(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.assign(
                **{c: pd.Categorical(frame[c], categories=labels[c]) for c in labels if c in frame}
            )

        return cls(
            config, year, areas.astype({c: float for c in ("population", "status_raw", "status_index", "dynamics_raw", "dynamics_index")}),
            categorical(lebenslagen),
            categorical(nested("indicators", CONTRIBUTION_COLUMNS).astype({c: float for c in CONTRIBUTION_COLUMNS[3:]})),
            categorical(nested("history", HISTORY_COLUMNS).astype({"status_index": float, "dynamics_index": float})),
            is_demo,
        )  # fmt: skip


AREA_COLUMNS = ["area", "name", "population", "rated", "reason", "status_raw", "status_index", "status_class",
                "dynamics_raw", "dynamics_index", "dynamics_class", "attention"]  # fmt: skip
SUB_COLUMNS = ["area", "lebenslage", "raw", "sub_index", "coverage"]
CONTRIBUTION_COLUMNS = ["area", "indicator", "lebenslage", "weight", "value", "mean", "sd", "z", "sign",
                        "score", "base_value", "change", "change_score"]  # fmt: skip
HISTORY_COLUMNS = ["area", "period", "status_index", "status_class", "dynamics_index", "dynamics_class"]


def _plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in records]


# --- vectorised core: arrays shaped [period, area, indicator-or-group] ---------------------


def standardise(x: np.ndarray, rated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z-scores along the area axis (−2) over rated areas with a value; returns (z, mean, sd).

    ``x`` is ``[..., area, k]``, ``rated`` ``[..., area]``. Columns with fewer than
    ``MIN_VALUES`` values or no spread get NaN throughout. Works in one scratch array.
    """
    valid = ~np.isnan(x) & rated[..., None]
    n = valid.sum(axis=-2)
    deviation = np.where(valid, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = deviation.sum(axis=-2) / n
        deviation -= mean[..., None, :]
        deviation *= valid
        sd = np.sqrt(np.square(deviation).sum(axis=-2) / n)
        usable = (n >= MIN_VALUES) & (sd > 1e-12)
        mean, sd = np.where(usable, mean, np.nan), np.where(usable, sd, np.nan)
        z = np.divide(deviation, sd[..., None, :], out=deviation)
    np.copyto(z, np.nan, where=~valid)
    return z, mean, sd


def weighted_means(
    score: np.ndarray, weights: np.ndarray, member: np.ndarray, min_coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of available scores per group; (mean, coverage), mean NaN below ``min_coverage``.

    ``score`` ``[..., area, k]``, ``weights`` ``[k]``, ``member`` ``[k, group]`` (0/1).
    """
    available = ~np.isnan(score)
    weight = weights[:, None] * member
    got = available @ weight
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(available, score, 0.0) @ weight / got
        coverage = got / (weights @ member)
    return np.where(coverage >= min_coverage - 1e-12, mean, np.nan), coverage


def _labels(conditions: list[np.ndarray], keys: list[str]) -> np.ndarray:
    """``keys[i]`` for the first true condition, the last key otherwise (object array: cheap to
    turn into a pandas column)."""
    return np.array(keys, dtype=object)[np.select(conditions, list(range(len(conditions))), len(conditions))]


def status_class(z: np.ndarray, config: IndexConfig) -> np.ndarray:
    """Class keys for standardised status values (NaN → ``nicht_bewertet``)."""
    return _labels(
        [np.isnan(z), z >= config.status_high, z >= config.status_low, z >= config.status_very_low],
        [NOT_RATED, "hoch", "mittel", "niedrig", "sehr_niedrig"],
    )


def dynamics_class(d: np.ndarray, config: IndexConfig) -> np.ndarray:
    """Class keys for standardised dynamics values (NaN → ``nicht_bewertet``)."""
    return _labels(
        [np.isnan(d), d >= config.dynamics_cutoff, d <= -config.dynamics_cutoff],
        [NOT_RATED, "positiv", "negativ", "stabil"],
    )


def attention(status: np.ndarray, dynamics: np.ndarray) -> np.ndarray:
    """Besonderer Aufmerksamkeitsbedarf: status sehr niedrig, or niedrig with negative dynamics."""
    return (status == "sehr_niedrig") | ((status == "niedrig") & (dynamics == "negativ"))


# --- from observations to a result ------------------------------------------------------------


@dataclass
class Cube:
    """Observations of one level as arrays: ``values[period, area, indicator]`` (NaN where
    suppressed or missing) and ``population[period, area]``."""

    values: np.ndarray
    population: np.ndarray
    areas: np.ndarray
    names: np.ndarray
    periods: np.ndarray
    demo_periods: set[int]


def _codes(column: pd.Series, wanted: list[str]) -> np.ndarray:
    """Position of each row's value in ``wanted`` (−1 if absent), via one factorisation."""
    codes, uniques = pd.factorize(column)
    return pd.Index(wanted).get_indexer(uniques)[codes] if len(uniques) else codes


def _factorize_runs(column: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """``pd.factorize`` that hashes only the first row of each run of equal values (fast where a
    column has long runs); returns (codes, uniques, one row index per unique value)."""
    values = column.array
    new_run = np.ones(len(values), dtype=bool)
    new_run[1:] = pd.array(values[1:] != values[:-1], dtype="boolean").to_numpy(dtype=bool, na_value=True)
    starts = np.flatnonzero(new_run)
    head_codes, uniques = pd.factorize(values[starts], use_na_sentinel=False)
    some_row = np.empty(len(uniques), dtype=int)
    some_row[head_codes] = starts
    return np.repeat(head_codes, np.diff(starts, append=len(values))), pd.Index(uniques), some_row


def observation_cube(obs: pd.DataFrame, keys: list[str], level: str) -> Cube:
    """The observations of ``level`` for ``keys`` (and the population) as arrays, in one pass.

    Text columns become integer codes without a pivot: ``indicator`` by one factorisation,
    ``area`` and ``status`` run by run (the observations come grouped by area and are mostly
    ``ok``); an area's name and level are read from one of its rows. Each row is then written to
    its cell of the ``[period, area, indicator]`` array through one flat index.
    """
    indicator = _codes(obs["indicator"], [*keys, POPULATION_INDICATOR])
    area, area_uniques, area_row = _factorize_runs(obs["area"])
    of_level = (obs["level"].iloc[area_row] == level).to_numpy(dtype=bool)
    use = (indicator >= 0) & of_level[area]
    rows = slice(None) if use.all() else np.flatnonzero(use)  # a view when every row is used
    used_areas = np.flatnonzero(np.bincount(area[rows], minlength=len(area_uniques)))
    order = np.argsort(np.asarray(area_uniques[used_areas], dtype=str))
    position = np.full(len(area_uniques), -1)
    position[used_areas[order]] = np.arange(len(used_areas))
    status, status_uniques, _ = _factorize_runs(obs["status"])
    valid = status_uniques.isin(VALID_STATUS)[status[rows]]
    period = obs["period"].to_numpy()[rows]
    periods = np.arange(period.min(), period.max() + 1) if len(period) else np.array([], dtype=int)
    n_areas, n_columns = len(used_areas), len(keys) + 1  # the last column: population
    cube = np.full((len(periods), n_areas, n_columns), np.nan)
    period_of = period - (periods[0] if len(periods) else 0)
    cell = (period_of * n_areas + position[area[rows]]) * n_columns + indicator[rows]
    cube.reshape(-1)[cell] = np.where(valid, obs["value"].to_numpy(dtype=float)[rows], np.nan)
    demo = obs["is_demo"].to_numpy(dtype=bool)[rows] if "is_demo" in obs else np.zeros(len(period), bool)
    area_index = used_areas[order]
    return Cube(
        cube[..., :-1], cube[..., -1], np.asarray(area_uniques[area_index], dtype=object),
        obs["area_name"].iloc[area_row[area_index]].to_numpy(), periods, set(period[demo].tolist()),
    )  # fmt: skip


def compute_index(
    obs: pd.DataFrame, catalogue: pd.DataFrame, config: IndexConfig, year: int | None = None
) -> IndexResult:
    """The index for ``year`` (default ``config.reference_year``), with its history for all years.

    ``obs``: observations with ``area``, ``area_name``, ``level``, ``indicator``, ``period``,
    ``value``, ``status`` (``is_demo`` optional); ``catalogue``: indicators with ``key``,
    ``lebenslage`` and ``polarity``. Raises ``ValueError`` (German) for unusable input.
    """
    config.check(catalogue)
    year = config.reference_year if year is None else year
    keys = list(config.indicators)
    polarity = dict(zip(catalogue["key"], catalogue["polarity"], strict=True))
    lebenslage = dict(zip(catalogue["key"], catalogue["lebenslage"], strict=True))
    cube = observation_cube(obs, keys, config.level)
    if year not in cube.periods:
        raise ValueError(f"Für {year} liegen auf dieser Gebietsebene keine Werte vor.")
    values, population, periods = cube.values, cube.population, cube.periods
    rated = population >= config.min_population

    sign = np.array([SIGN[polarity[k]] for k in keys])
    weights = np.array([config.indicators[k] for k in keys])
    groups = [lage for lage in LEBENSLAGEN if lage in {lebenslage[k] for k in keys}]
    group_of = np.array([groups.index(lebenslage[k]) for k in keys])
    member = (group_of[:, None] == np.arange(len(groups))).astype(float)
    everything = np.ones((len(keys), 1))

    z, mean, sd = standardise(values, rated)
    score = z * sign
    status_raw = weighted_means(score, weights, everything, config.min_coverage)[0]
    status = standardise(status_raw, rated)[0][..., 0]
    sub_raw, sub_coverage = weighted_means(score, weights, member, config.min_coverage)
    sub = standardise(sub_raw, rated)[0]

    change = np.full_like(values, np.nan)
    np.subtract(values[config.span :], values[: -config.span], out=change[config.span :])
    change_score = standardise(change, rated)[0] * sign
    dynamics_raw = weighted_means(change_score, weights, everything, config.min_coverage)[0]
    dynamics = standardise(dynamics_raw, rated)[0][..., 0]

    p = year - periods[0]
    if np.count_nonzero(~np.isnan(status[p])) < MIN_AREAS:
        raise ValueError(
            f"Für {year} lassen sich weniger als {MIN_AREAS} Gebiete bewerten – der Index wäre nicht aussagekräftig."
        )
    status_classes, dynamics_classes = status_class(status, config), dynamics_class(dynamics, config)
    reason = np.select(
        [np.isnan(population[p]), ~rated[p], np.isnan(status[p])],
        ["keine Einwohnerzahl", f"weniger als {config.min_population} Einwohner", "zu wenige Werte"], "",
    )  # fmt: skip
    n_areas, n_keys, n_groups = len(cube.areas), len(keys), len(groups)
    area_of, area_type = np.arange(n_areas), pd.CategoricalDtype(pd.Index(cube.areas))
    areas = pd.DataFrame({
        "area": cube.areas, "name": cube.names, "population": population[p], "rated": ~np.isnan(status[p]),
        "reason": reason, "status_raw": status_raw[p, :, 0], "status_index": status[p],
        "status_class": status_classes[p], "dynamics_raw": dynamics_raw[p, :, 0], "dynamics_index": dynamics[p],
        "dynamics_class": dynamics_classes[p],
        "attention": attention(status_classes[p], dynamics_classes[p]),
    })  # fmt: skip
    lebenslagen = pd.DataFrame({
        "area": pd.Categorical.from_codes(np.repeat(area_of, n_groups), dtype=area_type),
        "lebenslage": pd.Categorical.from_codes(np.tile(np.arange(n_groups), n_areas), pd.Index(groups)),
        "raw": sub_raw[p].ravel(), "sub_index": sub[p].ravel(), "coverage": sub_coverage[p].ravel(),
    })  # fmt: skip
    base = p - config.span
    contributions = pd.DataFrame({
        "area": pd.Categorical.from_codes(np.repeat(area_of, n_keys), dtype=area_type),
        "indicator": pd.Categorical.from_codes(np.tile(np.arange(n_keys), n_areas), pd.Index(keys)),
        "lebenslage": pd.Categorical.from_codes(np.tile(group_of, n_areas), pd.Index(groups)),
        "weight": np.tile(weights, n_areas), "value": values[p].ravel(), "mean": np.tile(mean[p], n_areas),
        "sd": np.tile(sd[p], n_areas), "z": z[p].ravel(), "sign": np.tile(sign, n_areas), "score": score[p].ravel(),
        "base_value": values[base].ravel() if base >= 0 else np.nan,
        "change": change[p].ravel(), "change_score": change_score[p].ravel(),
    })  # fmt: skip
    history = pd.DataFrame({
        "area": pd.Categorical.from_codes(np.repeat(area_of, len(periods)), dtype=area_type),
        "period": np.tile(periods, n_areas), "status_index": status.T.ravel(),
        "status_class": status_classes.T.ravel(), "dynamics_index": dynamics.T.ravel(),
        "dynamics_class": dynamics_classes.T.ravel(),
    })  # fmt: skip
    is_demo = bool({year, year - config.span} & cube.demo_periods)
    return IndexResult(config, year, areas, lebenslagen, contributions, history, is_demo)


def matrix(result: IndexResult) -> pd.DataFrame:
    """The 4 × 3 matrix status × dynamics: each cell the list of area names (rated areas only)."""
    cells: dict[tuple[str, str], list[str]] = {}
    areas = result.areas.sort_values("name")
    for name, status, dynamics in zip(
        areas["name"], areas["status_class"], areas["dynamics_class"], strict=True
    ):
        cells.setdefault((status, dynamics), []).append(name)
    return pd.DataFrame(
        [[cells.get((s, d), []) for d in DYNAMICS_CLASSES] for s in STATUS_CLASSES], index=list(STATUS_CLASSES),
        columns=list(DYNAMICS_CLASSES), dtype=object,
    )  # fmt: skip
