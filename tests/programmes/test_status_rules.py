"""Pure rules against the Stichtag: project status, application outcome, funding ending soon,
newest data year, traffic lights, success rate, budget sums. Expected values are worked out
by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sozdash.core import refdate
from sozdash.programmes import altenhilfe, funding, projects

D = dt.date
BIWAQ = ("abgeschlossen", D(2014, 4, 1), D(2018, 12, 31))
# Interessenbekundung 2019–2022: submitted February 2018, BBSR mail 16.04.2018, not selected.
IB = refdate.ApplicationState(D(2018, 2, 1), D(2018, 4, 16), "nicht_beruecksichtigt")


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2014, 1, 1), "geplant"),  # before the start; the approval date is not recorded
        (D(2014, 4, 1), "laufend"),  # first day
        (D(2018, 5, 1), "laufend"),  # the 2018 committee session
        (D(2018, 12, 31), "laufend"),  # last day
        (D(2019, 6, 1), "abgeschlossen"),
    ],
)
def test_biwaq_status_follows_its_runtime(as_of: dt.date, expected: str) -> None:
    assert refdate.project_status(*BIWAQ, as_of) == expected


def test_stored_running_project_is_ended_once_its_end_date_has_passed() -> None:
    assert refdate.project_status("laufend", D(2019, 1, 1), D(2020, 12, 31), D(2021, 1, 1)) == "abgeschlossen"


def test_stored_approval_stands_before_the_start() -> None:
    assert refdate.project_status("bewilligt", D(2027, 1, 1), D(2028, 12, 31), D(2026, 6, 1)) == "bewilligt"


def test_a_later_decision_overrules_the_dates() -> None:
    assert (
        refdate.project_status("eingestellt", D(2019, 1, 1), D(2022, 12, 31), D(2020, 6, 1)) == "eingestellt"
    )


@pytest.mark.parametrize(
    ("as_of", "outcome", "status"),
    [
        (D(2018, 1, 15), None, "geplant"),  # not yet submitted
        (D(2018, 3, 1), "offen", "beantragt"),  # submitted, decision still ahead
        (D(2018, 4, 16), "nicht_beruecksichtigt", "abgelehnt"),  # the day of the BBSR mail
        (D(2018, 5, 1), "nicht_beruecksichtigt", "abgelehnt"),
    ],
)
def test_application_2019_2022_as_of(as_of: dt.date, outcome: str | None, status: str) -> None:
    assert refdate.application_outcome(IB, as_of) == outcome
    assert refdate.project_status("abgelehnt", None, None, as_of, [IB]) == status


def test_decision_without_date_keeps_its_outcome() -> None:
    approved = refdate.ApplicationState(D(2006, 9, 1), None, "bewilligt")
    assert refdate.application_outcome(approved, D(2006, 10, 1)) == "bewilligt"
    assert refdate.project_status(
        "abgeschlossen", D(2007, 1, 1), D(2013, 12, 31), D(2006, 10, 1), [approved]
    ) == ("bewilligt")


@pytest.mark.parametrize(
    ("status", "end", "as_of", "expected"),
    [
        ("laufend", D(2018, 12, 31), D(2018, 5, 1), True),  # 244 days ahead
        ("laufend", D(2018, 12, 31), D(2017, 12, 31), True),  # exactly 12 months ahead
        ("laufend", D(2018, 12, 31), D(2017, 12, 30), False),  # one day more than 12 months
        ("laufend", D(2018, 12, 31), D(2018, 12, 31), False),  # ends today: not "ahead"
        ("abgeschlossen", D(2018, 12, 31), D(2019, 6, 1), False),
        ("bewilligt", D(2019, 3, 31), D(2018, 5, 1), True),
        ("abgelehnt", D(2018, 12, 31), D(2018, 5, 1), False),
        ("laufend", None, D(2018, 5, 1), False),
    ],
)
def test_funding_ends_soon(status: str, end: dt.date | None, as_of: dt.date, expected: bool) -> None:
    assert refdate.funding_ends_soon(status, end, as_of) is expected


def test_one_year_later_on_29_february() -> None:
    assert refdate.one_year_later(D(2020, 2, 29)) == D(2021, 2, 28)


@pytest.mark.parametrize(
    ("as_of", "expected"), [(D(2018, 5, 1), 2017), (D(2018, 12, 31), 2018), (D(2016, 6, 1), None)]
)
def test_newest_data_year(as_of: dt.date, expected: int | None) -> None:
    # values are as of 31.12. of their year: on 01.05.2018 the newest complete year is 2017
    assert refdate.newest_data_year([2017, 2018, 2019], as_of) == expected


@pytest.mark.parametrize("text", ["kaputt", "2018-13-01", "1999-12-31", "2101-01-01", ""])
def test_invalid_stichtag_is_rejected(text: str) -> None:
    assert refdate.parse(text) is None


def test_valid_stichtag_is_parsed() -> None:
    assert refdate.parse(" 2018-05-01 ") == D(2018, 5, 1)


def test_status_label_has_symbol_and_word() -> None:
    assert refdate.status_label("laufend") == "● laufend"
    assert refdate.status_label("abgelehnt") == "✗ abgelehnt"


# --- Traffic lights -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # SkM 2020: path 4 → 25 over 2019–2023, after 2 of 5 years 4 + 21·2/5 = 12,4; value 12:
        # progress 8 / 8,4 = 95 % → auf Kurs.
        ((4, 2019, 25, 2023, 12, 2020), "auf_kurs"),
        # AWO 2021: 5 + 55·3/5 = 38; value 29: progress 24 / 33 = 73 % → gefährdet.
        ((5, 2019, 60, 2023, 29, 2021), "gefaehrdet"),
        # SkF 2020: 8 + 12·2/5 = 12,8; value 7 is below the baseline → nicht auf Kurs.
        ((8, 2019, 20, 2023, 7, 2020), "nicht_auf_kurs"),
        # Path 0 → 100, 2020 expects 40: 36 = 90 % (auf Kurs), 35 = 87,5 %, 20 = 50 % (gefährdet), 19 = 47,5 %.
        ((0, 2019, 100, 2023, 36, 2020), "auf_kurs"),
        ((0, 2019, 100, 2023, 35, 2020), "gefaehrdet"),
        ((0, 2019, 100, 2023, 20, 2020), "gefaehrdet"),
        ((0, 2019, 100, 2023, 19, 2020), "nicht_auf_kurs"),
        # Falling target 50 → 30: 2019 expects 46; 45 is ahead (125 %), 52 moves away.
        ((50, 2019, 30, 2023, 45, 2019), "auf_kurs"),
        ((50, 2019, 30, 2023, 52, 2019), "nicht_auf_kurs"),
        # After the target year the path stays at the target: 2025 expects 100; 95 = 95 %.
        ((0, 2019, 100, 2023, 95, 2025), "auf_kurs"),
        # Holding target (baseline = target): at least the target is on course.
        ((10, 2019, 10, 2023, 10, 2021), "auf_kurs"),
        ((10, 2019, 10, 2023, 9, 2021), "nicht_auf_kurs"),
    ],
)
def test_traffic_light(args: tuple, expected: str) -> None:
    assert altenhilfe.traffic_light(*args) == expected


def test_expected_value_on_the_path() -> None:
    assert altenhilfe.expected_value(15, 2019, 80, 2023, 2019) == pytest.approx(28)  # 15 + 65/5
    assert altenhilfe.expected_value(15, 2019, 80, 2023, 2023) == pytest.approx(80)


def test_package_shows_the_worst_light() -> None:
    assert altenhilfe.worst(["auf_kurs", "gefaehrdet", "auf_kurs"]) == "gefaehrdet"
    assert altenhilfe.worst(["gefaehrdet", "nicht_auf_kurs"]) == "nicht_auf_kurs"
    assert altenhilfe.worst([]) == "keine_messung"
    assert altenhilfe.light_label("gefaehrdet") == "! gefährdet"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(D(2018, 5, 1), "vereinbart"), (D(2021, 6, 1), "im_controlling"), (D(2024, 2, 1), "abgeschlossen")],
)
def test_controlling_status_as_of(as_of: dt.date, expected: str) -> None:
    assert altenhilfe.controlling_status("abgeschlossen", 2019, 2023, as_of) == expected


# --- Success rate, budget sums, portfolio filter -------------------------------------------


def test_success_rate_counts_only_decided_applications() -> None:
    # decided: bewilligt, nicht berücksichtigt → 1 of 2; offen, zurückgezogen and not submitted do not count
    assert funding.success_rate(["bewilligt", "nicht_beruecksichtigt", "offen", "zurueckgezogen", None]) == (
        1,
        2,
        0.5,
    )
    approved, decided, rate = funding.success_rate(["bewilligt", "bewilligt", "abgelehnt"])
    assert (approved, decided) == (2, 3) and rate == pytest.approx(2 / 3)
    assert funding.success_rate(["offen"]) == (0, 0, None)


def test_budget_sums_per_source_and_year() -> None:
    lines = pd.DataFrame({
        "project": ["biwaq", "biwaq", "biwaq", "ss", "ss"],
        "funding_source": ["ESF", "Bund", "Kommune", "Land", "Land"],
        "year": [None, None, None, 2007, 2007],
        "amount": [840000.0, 670000.0, 167805.41, 100000.0, 50000.0],
        "is_approximate": [True, True, False, False, False],
    })  # fmt: skip
    runtimes = {"biwaq": (D(2014, 4, 1), D(2018, 12, 31)), "ss": (D(2007, 1, 1), D(2013, 12, 31))}
    sums = funding.sums_by_period_and_source(funding.funding_periods(lines, runtimes))
    rows = {(r.period, r.funding_source): (r.amount, r.approx) for r in sums.itertuples()}
    assert rows == {
        ("2007", "Land"): (150000.0, False),  # 100.000 + 50.000 in the same year
        ("2014–2018 (gesamte Laufzeit)", "ESF"): (840000.0, True),
        ("2014–2018 (gesamte Laufzeit)", "Bund"): (670000.0, True),
        ("2014–2018 (gesamte Laufzeit)", "Kommune"): (167805.41, False),
    }
    assert list(dict.fromkeys(sums["period"])) == ["2007", "2014–2018 (gesamte Laufzeit)"]  # time order


def test_filter_portfolio() -> None:
    frame = pd.DataFrame({
        "programme": ["BIWAQ", "BIWAQ", "Soziale Stadt"],
        "area_codes": [("rheindorf",), ("rheindorf", "hitdorf"), ("wiesdorf",)],
        "status": ["laufend", "abgelehnt", "abgeschlossen"],
        "years": [{2014, 2015}, {2018}, {2007}],
    })  # fmt: skip
    assert list(projects.filter_portfolio(frame, programme="BIWAQ").index) == [0, 1]
    assert list(projects.filter_portfolio(frame, district="hitdorf").index) == [1]
    assert list(projects.filter_portfolio(frame, district="rheindorf", status="laufend").index) == [0]
    assert projects.filter_portfolio(frame, district="Rheindorf").empty  # a code, not a name
    assert list(projects.filter_portfolio(frame, year=2007).index) == [2]
    assert projects.filter_portfolio(frame, programme="BIWAQ", year=2007).empty


def test_district_choices_are_the_touched_areas_by_name() -> None:
    frame = pd.DataFrame({"area_codes": [("rheindorf",), ("rheindorf", "hitdorf"), ()]})
    names = {"rheindorf": "Rheindorf", "hitdorf": "Hitdorf", "wiesdorf": "Wiesdorf"}
    assert list(projects.district_choices(frame, names).items()) == [
        ("hitdorf", "Hitdorf"), ("rheindorf", "Rheindorf"),
    ]  # fmt: skip


def test_project_years_from_runtime_or_applications() -> None:
    assert projects.project_years(D(2014, 4, 1), D(2016, 12, 31), []) == {2014, 2015, 2016}
    assert projects.project_years(None, None, [D(2018, 2, 1), D(2018, 4, 16), None]) == {2018}


def test_detail_line_never_shows_nan_for_missing_texts() -> None:
    detail = pd.Series({"period": "keine Laufzeit", "dates_from_parent": False, "programme": "BIWAQ",
                        "round": float("nan"), "lead": float("nan")})  # fmt: skip
    line = projects.detail_line(detail)
    assert "nan" not in line
    assert "**Förderrunde:** –" in line and "**Federführung:** nicht belegt" in line
