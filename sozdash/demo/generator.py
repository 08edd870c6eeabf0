"""Deterministic generator of DEMO observations (invented, not official data).

The generator draws Stadtteil-level counts for 2012-2024 from ``numpy.random.default_rng(seed)``:
populations in the real order of magnitude (the 2021 Stadtteil populations of each Stadtbezirk
add up exactly to the published register figures), consistent age groups, integer numerators
that never exceed their denominators, social gradients between the Stadtteile and smooth trends
with noise. Stadtbezirke and the city are aggregated from the true Stadtteil counts with
:func:`sozdash.indicators.aggregate.aggregate_to_parents` before small counts are suppressed, as a
statistics office publishes its totals.

Every value is invented; the rows carry :func:`demo_source` as their source.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sozdash.core.paths import SEED_DIR
from sozdash.demo.schematic import schematic_areas
from sozdash.indicators.aggregate import aggregate_to_parents

DEMO_SEED = 2018
YEARS: tuple[int, ...] = tuple(range(2012, 2025))
REFERENCE_YEAR = 2021
CITY_CODE = "05316000"

BEZIRK_POPULATION_2021: dict[str, int] = {"bezirk-1": 48569, "bezirk-2": 60657, "bezirk-3": 57767}
"""Register population end of 2021 per Stadtbezirk (Kölner Stadt-Anzeiger); the demo matches it."""

REAL_FIGURE_INDICATORS: tuple[str, ...] = ("einwohner_melderegister", "einwohner_amtlich")
"""Indicators for real published figures: never generated here."""

OUTPUT_COLUMNS: list[str] = [
    "area",
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "symbol",
    "source",
    "note",
]
OBSERVATIONS_FILE = "demo_observations.csv"
GEOJSON_FILE = "areas.geojson"


def demo_source(seed: int = DEMO_SEED) -> str:
    """The source text of every demo row."""
    return f"Beispieldaten (erfunden, nicht amtlich), vom Dashboard zufällig erzeugt (Startwert {seed})"


# Invented Stadtteil profiles: (population order of magnitude, deprivation 0..1, share 65+ in
# 2021, mean household size). Only the magnitudes and the direction of the social gradient are
# meant to be plausible; the numbers are not statistics.
PROFILES: dict[str, tuple[float, float, float, float]] = {
    "wiesdorf": (16000, 0.85, 0.205, 1.75),
    "manfort": (5600, 0.80, 0.210, 1.95),
    "rheindorf": (16300, 0.95, 0.215, 2.00),
    "hitdorf": (7200, 0.40, 0.225, 2.10),
    "opladen": (24000, 0.55, 0.220, 1.85),
    "kueppersteg": (8600, 0.60, 0.215, 1.95),
    "buerrig": (7400, 0.40, 0.225, 2.05),
    "quettingen": (13300, 0.45, 0.220, 2.10),
    "bergisch-neukirchen": (7400, 0.05, 0.245, 2.20),
    "schlebusch": (28500, 0.30, 0.235, 2.00),
    "steinbuechel": (13400, 0.15, 0.240, 2.15),
    "luetzenkirchen": (9800, 0.15, 0.230, 2.15),
    "alkenrath": (6000, 0.35, 0.235, 2.05),
}

# City-wide year effects (relative to the first year or to 2021), invented but shaped like the
# real developments: population growth, refugee migration 2015/16 and 2022, Pflegegrade 2017,
# Wohngeld reforms 2016/2020/2023, the labour market dip 2020.
_T = np.arange(len(YEARS))
_POP_FACTOR = np.array(
    [0.962, 0.965, 0.970, 0.978, 0.985, 0.989, 0.992, 0.995, 0.996, 1.000, 1.004, 1.005, 1.006]
)
_SGB2_FACTOR = np.array([1.00, 1.01, 1.02, 1.04, 1.07, 1.08, 1.05, 1.01, 1.03, 1.00, 1.04, 1.07, 1.08])
_ALQ_FACTOR = np.array([1.00, 1.02, 1.00, 0.97, 0.95, 0.91, 0.86, 0.84, 0.97, 0.94, 0.92, 0.96, 1.00])
_WOHNGELD_FACTOR = np.array([1.00, 0.95, 0.88, 0.80, 1.10, 1.02, 0.95, 0.88, 1.12, 1.08, 1.00, 1.85, 1.90])
_FOREIGN_FACTOR = np.array([1.00, 1.03, 1.06, 1.12, 1.17, 1.18, 1.19, 1.20, 1.21, 1.22, 1.31, 1.34, 1.36])
_CARE_FACTOR = np.array([1.00, 1.02, 1.04, 1.06, 1.08, 1.22, 1.27, 1.31, 1.35, 1.39, 1.43, 1.47, 1.51])
_MOVES_FACTOR = np.array([1.00, 1.01, 1.03, 1.12, 1.10, 1.03, 1.01, 1.00, 0.92, 0.95, 1.06, 1.00, 0.99])


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _apportion(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (largest remainder)."""
    exact = weights / weights.sum() * total
    ints = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - ints), kind="stable")
    ints[order[: total - ints.sum()]] += 1
    return ints


def _stadtteil_counts(stadtteile: list[dict[str, Any]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw all counts as arrays of shape (Stadtteile, years)."""
    codes = [a["code"] for a in stadtteile]
    missing = sorted(set(codes) - set(PROFILES))
    if missing:
        raise ValueError(f"no demo profile for Stadtteile {missing}")
    base, dep, s65, hhsize = (np.array([PROFILES[c][i] for c in codes], dtype=float) for i in range(4))
    n, t = len(codes), _T[None, :] - YEARS.index(REFERENCE_YEAR)
    d = dep[:, None]

    def noise(sd: float) -> np.ndarray:
        return np.exp(rng.normal(0.0, sd, size=(n, len(YEARS))))

    def binom(trials: np.ndarray, p: np.ndarray) -> np.ndarray:
        return rng.binomial(trials, np.clip(p, 0.0, 1.0))

    # Population: smooth city trend, a drift per Stadtteil, a little noise; 2021 matches the
    # register figures of the Stadtbezirke exactly.
    raw = base[:, None] * _POP_FACTOR[None, :] * (1 + rng.normal(0, 0.002, size=(n, 1)) * t) * noise(0.002)
    ref = YEARS.index(REFERENCE_YEAR)
    pop_ref = np.zeros(n, dtype=np.int64)
    parents = np.array([a["parent"] for a in stadtteile])
    for bezirk, total in BEZIRK_POPULATION_2021.items():
        idx = np.flatnonzero(parents == bezirk)
        pop_ref[idx] = _apportion(raw[idx, ref], total)
    pop = np.rint(raw * (pop_ref / raw[:, ref])[:, None]).astype(np.int64)
    pop[:, ref] = pop_ref

    # Age groups from smooth shares (65+ slowly rising); all groups add up to the population.
    share65 = (s65[:, None] + 0.0008 * t) * noise(0.004)
    share18 = (0.158 + 0.025 * d) * noise(0.004)
    u18 = np.rint(pop * share18).astype(np.int64)
    u15 = np.rint(u18 * 0.835 * noise(0.003)).astype(np.int64)
    u3 = np.rint(u15 * (0.19 + 0.001 * t) * noise(0.01)).astype(np.int64)
    p65 = np.rint(pop * share65).astype(np.int64)
    p80 = np.rint(p65 * (0.31 + 0.003 * t) * noise(0.005)).astype(np.int64)
    p18_64 = pop - u18 - p65
    p15_64 = p18_64 + (u18 - u15)
    p15_24 = np.rint(p15_64 * 0.158 * noise(0.01)).astype(np.int64)
    u65 = pop - p65
    age_noise = rng.normal(0, 0.1, size=(n, len(YEARS)))
    age = np.round(30.0 + 60.0 * p65 / pop - 20.0 * (u18 / pop - 0.17) + age_noise, 1)

    # Households.
    hh = np.rint(pop / ((hhsize[:, None] - 0.003 * t) * noise(0.003))).astype(np.int64)
    hh1 = binom(hh, 0.88 - 0.25 * hhsize[:, None] + 0.001 * t)
    hh_kids = np.minimum(np.rint(u18 / (1.65 + 0.1 * (1 - d)) * noise(0.01)).astype(np.int64), hh - hh1)
    single_parents = binom(hh_kids, (0.14 + 0.16 * d + 0.001 * t) * noise(0.03))

    # Income and poverty.
    p_sgb2 = (0.035 + 0.16 * d) * _SGB2_FACTOR * (1 + rng.normal(0, 0.006, size=(n, 1)) * t) * noise(0.03)
    sgb2 = binom(u65, p_sgb2)
    sgb2_u15 = binom(u15, 1.75 * p_sgb2 * noise(0.03))
    bg = np.rint(sgb2 / (1.85 + 0.2 * d)).astype(np.int64)
    grusi = binom(p65, (0.013 + 0.045 * d) * (1 + 0.03 * _T[None, :]) * noise(0.04))

    # Work.
    unemployed = binom(p15_64, (0.025 + 0.075 * d) * _ALQ_FACTOR * noise(0.03))
    long_term = binom(unemployed, (0.30 + 0.15 * d + 0.06 * np.isin(YEARS, (2021, 2022))) * noise(0.04))
    unemployed_u25 = binom(unemployed, 0.09 * noise(0.06))
    employed = binom(p15_64, (0.50 + 0.13 * (1 - d) + 0.006 * _T[None, :]) * noise(0.01))

    # Education (by place of residence).
    grade4 = binom(u15, 0.067 * noise(0.03))
    gymnasium = binom(grade4, (0.25 + 0.35 * (1 - d) + 0.003 * t) * noise(0.04))
    leavers = binom(p15_24, 0.105 * noise(0.03))
    no_degree = binom(leavers, (0.02 + 0.085 * d) * noise(0.12))
    abitur = binom(leavers - no_degree, (0.27 + 0.32 * (1 - d) + 0.004 * t) * noise(0.04))

    # School entry examination.
    examined = binom(u15, 0.068 * noise(0.03))
    language = binom(examined, (0.08 + 0.30 * d + 0.003 * t) * noise(0.06))
    overweight = binom(examined, (0.07 + 0.09 * d) * noise(0.05))
    booklet = binom(examined, 0.93 * noise(0.01))
    u9 = binom(booklet, (0.93 - 0.14 * d + 0.002 * t) * noise(0.01))
    family_language = binom(examined, (0.10 + 0.45 * d + 0.006 * t) * noise(0.04))

    # Care and old age.
    care = binom(p65, (0.15 + 0.05 * d) * _CARE_FACTOR * noise(0.02))
    alone65 = binom(p65, (0.27 + 0.10 * d + 0.04 * (2.2 - hhsize[:, None])) * noise(0.02))

    # Housing and integration.
    wohngeld = binom(hh, (0.012 + 0.03 * d) * _WOHNGELD_FACTOR * noise(0.05))
    moves = binom(pop, (0.10 + 0.12 * d) * _MOVES_FACTOR * noise(0.03))
    foreign = binom(pop, (0.05 + 0.17 * d) * _FOREIGN_FACTOR * noise(0.015))
    migration = foreign + binom(pop - foreign, (0.14 + 0.14 * d + 0.003 * t) * noise(0.015))

    # Childcare under 3 (legal entitlement from August 2013).
    kita_u3 = binom(u3, (0.17 + 0.12 * (1 - d) + 0.012 * _T[None, :]) * noise(0.03))

    return {
        "pop": pop,
        "u18": u18,
        "u15": u15,
        "u3": u3,
        "p65": p65,
        "p80": p80,
        "p18_64": p18_64,
        "p15_64": p15_64,
        "p15_24": p15_24,
        "u65": u65,
        "age": age,
        "hh": hh,
        "hh1": hh1,
        "hh_kids": hh_kids,
        "single_parents": single_parents,
        "sgb2": sgb2,
        "sgb2_u15": sgb2_u15,
        "bg": bg,
        "grusi": grusi,
        "unemployed": unemployed,
        "long_term": long_term,
        "unemployed_u25": unemployed_u25,
        "employed": employed,
        "grade4": grade4,
        "gymnasium": gymnasium,
        "leavers": leavers,
        "no_degree": no_degree,
        "abitur": abitur,
        "examined": examined,
        "language": language,
        "overweight": overweight,
        "booklet": booklet,
        "u9": u9,
        "family_language": family_language,
        "care": care,
        "alone65": alone65,
        "wohngeld": wohngeld,
        "moves": moves,
        "foreign": foreign,
        "migration": migration,
        "kita_u3": kita_u3,
    }


RECIPES: dict[str, tuple[str, str | None]] = {
    "bevoelkerung": ("pop", None),
    "bevoelkerung_65plus": ("p65", None),
    "bevoelkerung_u18": ("u18", None),
    "durchschnittsalter": ("age", None),
    "jugendquotient": ("u18", "p18_64"),
    "altenquotient": ("p65", "p18_64"),
    "sgb2_quote": ("sgb2", "u65"),
    "kinderarmut_sgb2_u15": ("sgb2_u15", "u15"),
    "grundsicherung_alter": ("grusi", "p65"),
    "sgb2_bedarfsgemeinschaften": ("bg", None),
    "arbeitslosenquote_bev": ("unemployed", "p15_64"),
    "langzeitarbeitslose_anteil": ("long_term", "unemployed"),
    "jugendarbeitslosigkeit": ("unemployed_u25", "p15_24"),
    "beschaeftigungsquote": ("employed", "p15_64"),
    "uebergangsquote_gymnasium": ("gymnasium", "grade4"),
    "ohne_schulabschluss": ("no_degree", "leavers"),
    "abiturquote": ("abitur", "leavers"),
    "seu_sprachdefizite": ("language", "examined"),
    "seu_uebergewicht": ("overweight", "examined"),
    "seu_vorsorge_u9": ("u9", "booklet"),
    "pflegebeduerftige_quote": ("care", "p65"),
    "hochaltrige_anteil": ("p80", "pop"),
    "alleinlebende_65plus": ("alone65", "p65"),
    "wohngeldquote": ("wohngeld", "hh"),
    "haushalte": ("hh", None),
    "einpersonenhaushalte_anteil": ("hh1", "hh"),
    "mobilitaetsziffer": ("moves", "pop"),
    "nichtdeutsche_anteil": ("foreign", "pop"),
    "migrationshintergrund_anteil": ("migration", "pop"),
    "seu_familiensprache": ("family_language", "examined"),
    "alleinerziehende_anteil": ("single_parents", "hh_kids"),
    "haushalte_mit_kindern_anteil": ("hh_kids", "hh"),
    "betreuungsquote_u3": ("kita_u3", "u3"),
}
"""Indicator key -> (count used as numerator or value, count used as denominator)."""


def generate_demo_observations(seed: int = DEMO_SEED) -> pd.DataFrame:
    """Generate the demo observations for all areas, indicators and years.

    Args:
        seed: Start value of ``numpy.random.default_rng``; the same seed gives the same rows.

    Returns:
        Rows with the columns of :data:`OUTPUT_COLUMNS`, sorted by area, indicator and period:
        Stadtteile, Stadtbezirke and the city for every indicator of ``indicators.yaml`` except
        the real published figures (``none`` indicators only for Stadtteile). Numerators below
        an indicator's ``suppression_threshold`` are suppressed (status ``suppressed``, symbol
        ``*``, no value or numerator, denominator kept).
    """
    areas = _read_yaml(SEED_DIR / "areas.yaml")
    indicators = pd.DataFrame(_read_yaml(SEED_DIR / "indicators.yaml"))
    indicators = indicators[~indicators["key"].isin(REAL_FIGURE_INDICATORS)]
    unknown = sorted(set(indicators["key"]) - set(RECIPES))
    if unknown:
        raise ValueError(f"no demo recipe for indicators {unknown}")

    stadtteile = [a for a in areas if a["level"] == "stadtteil"]
    counts = _stadtteil_counts(stadtteile, np.random.default_rng(seed))
    codes = np.array([a["code"] for a in stadtteile])
    n, y = len(codes), len(YEARS)

    frames = []
    for key, aggregation, scale in zip(
        indicators["key"], indicators["aggregation"], indicators["scale"], strict=True
    ):
        num_name, den_name = RECIPES[key]
        num = counts[num_name].astype(float)
        den = counts[den_name].astype(float) if den_name else np.full((n, y), np.nan)
        if aggregation == "ratio":
            value = num / den * float(scale)
        elif aggregation == "sum":
            value = num
        else:
            value, num = num, np.full((n, y), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "area": np.repeat(codes, y),
                    "indicator": key,
                    "period": np.tile(np.array(YEARS, dtype=np.int64), n),
                    "value": value.ravel(),
                    "numerator": num.ravel(),
                    "denominator": den.ravel(),
                    "status": "ok",
                }
            )
        )
    obs = pd.concat(frames, ignore_index=True)

    bezirk_of = {a["code"]: a["parent"] for a in stadtteile}
    city_of = dict.fromkeys(bezirk_of, CITY_CODE)
    bezirke = aggregate_to_parents(obs, indicators, bezirk_of)
    city = aggregate_to_parents(obs, indicators, city_of)
    obs = pd.concat([obs, bezirke, city], ignore_index=True)

    threshold = obs["indicator"].map(indicators.set_index("key")["suppression_threshold"]).astype(float)
    small = obs["numerator"] < threshold
    obs.loc[small, ["value", "numerator"]] = np.nan
    obs["status"] = obs["status"].where(~small, "suppressed")
    obs["symbol"] = pd.Series(
        np.where(small, "*", np.array(None, dtype=object)), index=obs.index, dtype=object
    )
    obs["source"] = demo_source(seed)
    obs["note"] = None
    obs = obs.sort_values(["area", "indicator", "period"], kind="stable", ignore_index=True)
    return obs[OUTPUT_COLUMNS]


def _cell(v: object) -> str:
    """Render one CSV cell: empty for missing, integers without '.0', floats in repr precision."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


def _count_cell(v: float) -> str:
    if math.isnan(v):
        return ""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def write_observations_csv(obs: pd.DataFrame, path: Path) -> None:
    """Write observations as UTF-8, comma-separated, '.' decimals, byte-identical for equal input."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        rows = zip(*(obs[column] for column in OUTPUT_COLUMNS), strict=True)
        for area, indicator, period, value, numerator, denominator, status, symbol, source, note in rows:
            writer.writerow(
                [
                    area,
                    indicator,
                    int(period),
                    _cell(value),
                    _count_cell(numerator),
                    _count_cell(denominator),
                    status,
                    _cell(symbol),
                    _cell(source),
                    _cell(note),
                ]
            )


def write_demo_seed(seed_dir: Path = SEED_DIR) -> None:
    """Write ``demo_observations.csv`` and the schematic ``areas.geojson`` to ``seed_dir``.

    Both files are deterministic: running this twice gives byte-identical files.
    """
    seed_dir.mkdir(parents=True, exist_ok=True)
    write_observations_csv(generate_demo_observations(DEMO_SEED), seed_dir / OBSERVATIONS_FILE)
    geojson = schematic_areas(_read_yaml(SEED_DIR / "areas.yaml"))
    text = json.dumps(geojson, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (seed_dir / GEOJSON_FILE).write_text(text + "\n", encoding="utf-8")
