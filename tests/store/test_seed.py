"""The shipped data: real facts from the committee minutes are present with their sources,
demo values are flagged and labelled, quotas equal numerator / denominator (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sozdash.store.models import (
    Application,
    Area,
    Base,
    BudgetLine,
    Conference,
    ConferenceSession,
    Event,
    FundingRound,
    ImpactPackage,
    Indicator,
    KeyFigure,
    KeyFigureMeasurement,
    Observation,
    Organisation,
    PackageFunding,
    Project,
    ProjectFocus,
    ProjectPartner,
    Report,
)

MINUTES = "Niederschrift Sozialausschuss"


def _project(session: Session, key: str) -> Project:
    return session.scalars(select(Project).where(Project.key == key)).one()


def test_city_districts_and_stadtteile(engine: Engine) -> None:
    with Session(engine) as session:
        levels = dict(session.execute(select(Area.level, func.count()).group_by(Area.level)).all())
        assert levels == {"stadt": 1, "stadtbezirk": 3, "stadtteil": 13}
        rheindorf = session.scalars(select(Area).where(Area.name == "Rheindorf")).one()
        assert rheindorf.parent.name == "Stadtbezirk I"
        assert session.scalars(select(Area).where(Area.level == "stadt")).one().code == "05316000"
        unverified = session.scalars(select(Area.name).where(Area.centroid_verified.is_(False))).all()
        assert "Manfort" in unverified and "Wiesdorf" not in unverified


def test_biwaq_project_as_in_the_minutes(engine: Engine) -> None:
    with Session(engine) as session:
        biwaq = _project(session, "biwaq-rheindorferleben")
        assert (biwaq.start_date, biwaq.end_date) == (dt.date(2014, 4, 1), dt.date(2018, 12, 31))
        assert MINUTES in biwaq.source
        assert "April 2015" in biwaq.note and "arndt-kohn.eu" in biwaq.note
        partners = session.scalars(
            select(Organisation.name).join(ProjectPartner).where(ProjectPartner.project_id == biwaq.id)
        ).all()
        joined = " | ".join(partners)
        for partner in ("Suchthilfe Leverkusen", "Hochschule Niederrhein", "JOB Service"):
            assert partner in joined
        focuses = session.scalars(select(ProjectFocus.text).where(ProjectFocus.project_id == biwaq.id)).all()
        assert len(focuses) == 3 and any("lokalen Ökonomie" in f for f in focuses)
        subprojects = session.scalars(select(Project.title).where(Project.parent_id == biwaq.id)).all()
        assert "Quartiershausmeister" in subprojects


def test_biwaq_budget_lines_with_sources(engine: Engine) -> None:
    with Session(engine) as session:
        biwaq = _project(session, "biwaq-rheindorferleben")
        lines = {
            b.funding_source: b
            for b in session.scalars(select(BudgetLine).where(BudgetLine.project_id == biwaq.id))
        }
        assert lines["Kommune"].amount == Decimal("167805.41")
        assert lines["ESF"].amount == Decimal("840000") and lines["ESF"].is_approximate
        assert lines["Bund"].amount == Decimal("670000") and lines["Bund"].is_approximate
        assert all("arndt-kohn.eu" in line.source for line in lines.values())


@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("besuch-arndt-kohn-2018", dt.date(2018, 4, 12)),
        ("bbsr-mail-biwaq-2019-2022", dt.date(2018, 4, 16)),
        ("beschluss-wirkungspakete-2019-2023", dt.date(2018, 11, 12)),
    ],
)
def test_dated_events_from_the_minutes(engine: Engine, key: str, day: dt.date) -> None:
    with Session(engine) as session:
        event = session.scalars(select(Event).where(Event.key == key)).one()
        assert event.date == day and event.date_precision == "day" and event.source


def test_month_precise_events_and_planned_runder_tisch(engine: Engine) -> None:
    with Session(engine) as session:
        ihk = session.scalars(select(Event).where(Event.key == "ratsbeschluss-ihk-rheindorf-nord-2014")).one()
        assert (ihk.date, ihk.date_precision) == (dt.date(2014, 12, 1), "month")
        rt = session.scalars(select(Event).where(Event.key == "runder-tisch-sozialbericht-2018")).one()
        assert rt.is_planned and rt.date.year == 2018 and rt.date.month == 11
        staff = session.scalars(
            select(Event).where(Event.key == "umsetzung-mitarbeitende-dezernatsbuero-2018")
        ).one()
        assert staff.kind == "organisation" and MINUTES in staff.source


def test_interest_application_not_selected_in_oversubscribed_round(engine: Engine) -> None:
    with Session(engine) as session:
        application = session.scalars(
            select(Application).where(Application.decided_on == dt.date(2018, 4, 16))
        ).one()
        assert application.outcome == "nicht_beruecksichtigt"
        assert "überzeichnet" in application.reason
        assert application.submitted_on.year == 2018 and application.submitted_on.month == 2


def test_funding_rounds_and_wirkungspakete_periods(engine: Engine) -> None:
    with Session(engine) as session:
        rounds = {r.key: r for r in session.scalars(select(FundingRound))}
        assert rounds["wp-2019-2023"].annual_budget == Decimal("650000")
        assert "2018/2514" in rounds["wp-2019-2023"].source + (rounds["wp-2019-2023"].description or "")
        assert {"wp-2014-2018", "wp-2024-2028", "soziale-stadt-rheindorf-nord-2007-2013"} <= set(rounds)
        packages = session.scalars(select(ImpactPackage).where(ImpactPackage.is_demo.is_(False))).all()
        titles = " | ".join(p.title for p in packages)
        for title in (
            "Zuhause alt werden in Wiesdorf",
            "Seniorenarbeit Hitdorf",
            "Hereinspaziert",
            "Männer in Rente",
        ):
            assert title in titles
        amounts = sorted(
            f.amount for f in session.scalars(select(PackageFunding).where(PackageFunding.year == 2019))
        )
        assert amounts == [Decimal(7000)] * 3 + [Decimal(9000)]


def test_conferences_feed_the_runder_tisch(engine: Engine) -> None:
    with Session(engine) as session:
        conferences = {c.kind: c for c in session.scalars(select(Conference))}
        assert set(conferences) == {
            "gesundheitskonferenz",
            "pflegekonferenz",
            "sozialkonferenz",
            "runder_tisch",
        }
        table = conferences["runder_tisch"]
        assert all(
            conferences[k].feeds_into_id == table.id for k in ("gesundheitskonferenz", "sozialkonferenz")
        )
        assert session.scalar(select(func.count()).select_from(ConferenceSession)) >= 1


def test_sozialbericht_editions(engine: Engine) -> None:
    with Session(engine) as session:
        reports = {r.year: r for r in session.scalars(select(Report))}
        assert reports[2012].adopted_on == dt.date(2013, 7, 15)
        assert reports[2019].vorlage == "2019/3030"


def test_every_record_has_a_source(engine: Engine) -> None:
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "source" in table.c and not table.c.source.nullable:
                empty = conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where((table.c.source == "") | table.c.source.is_(None))
                ).scalar_one()
                assert empty == 0, table.name


def test_demo_values_are_flagged_and_labelled(engine: Engine) -> None:
    with Session(engine) as session:
        demo = session.scalar(
            select(func.count()).select_from(Observation).where(Observation.is_demo.is_(True))
        )
        real = session.scalars(select(Observation).where(Observation.is_demo.is_(False))).all()
        assert demo > 5000
        assert {o.value for o in real} >= {165748.0, 163851.0, 48569.0}
        assert all(o.source for o in real)
        figures = session.scalars(select(KeyFigure)).all()
        assert figures and all(f.is_demo and f.source.startswith("Beispieldaten") for f in figures)
        measurements = session.scalars(select(KeyFigureMeasurement)).all()
        assert all(m.is_demo for m in measurements)


def test_quotas_equal_numerator_over_denominator(engine: Engine) -> None:
    with Session(engine) as session:
        rows = session.execute(
            select(Observation.value, Observation.numerator, Observation.denominator, Indicator.scale)
            .join(Indicator)
            .where(Indicator.aggregation == "ratio", Observation.value.is_not(None))
        ).all()
        assert len(rows) > 3000
        for value, numerator, denominator, scale in rows:
            assert value == pytest.approx(numerator / denominator * scale, rel=1e-9)
