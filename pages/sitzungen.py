"""Sitzungen: agenda with slides, projector presentation (arrow keys) and PPTX/PDF exports."""

import datetime as dt

import streamlit as st

from sozdash.core import fmt
from sozdash.exports.session import export_session
from sozdash.meetings import agenda as meetings
from sozdash.meetings import slides
from sozdash.ui import downloads, figures, login, meeting_editor, notices, startup, url_state

engine = startup.engine()
actor = login.current_actor()
sessions = meetings.list_meetings(engine)
if sessions.empty:
    st.title("Sitzungen")
    st.info("Noch keine Sitzung angelegt.", icon=":material/info:")
    meeting_editor.first_meeting(engine, actor)
    st.stop()
labels = dict(zip(sessions["key"], sessions["Sitzung"] + " – " + sessions["Datum"], strict=True))
presenting = st.query_params.get("modus") == "praesentation"
key = url_state.url_select("Sitzung", list(labels), "sitzung", format_func=labels.get) if not presenting else None
key = key or (
    st.query_params.get("sitzung") if st.query_params.get("sitzung") in labels else next(iter(labels))
)
info = meetings.meeting(engine, key)
refs = meetings.slides(engine, info.id)
stand = st.query_params.get("stand", "sitzung") if presenting else url_state.url_select(
    "Folien zeigen", list(meetings.STAND_OPTIONS), "stand", widget="radio",
    format_func=lambda s: f"{meetings.STAND_OPTIONS[s]} ({fmt.date(meetings.as_of(info, s, dt.date.today()))})",
)  # fmt: skip
as_of = meetings.as_of(info, stand, dt.date.today())


def go_to(number: int | None) -> None:
    if number is None:
        st.query_params.pop("modus", None)
    else:
        st.query_params.update(modus="praesentation", sitzung=info.key, stand=stand, folie=str(number))


if presenting and refs:
    notices.presentation_style()
    number = meetings.slide_number(st.query_params.get("folie"), len(refs))
    ref = refs[number - 1]
    content = slides.build(engine, ref.view, as_of, actor)
    st.caption(f"TOP {ref.item_position}: {fmt.plain(ref.item_title)} · {fmt.plain(info.committee)}")
    st.title(fmt.plain(content.title))
    visual, text = (
        st.columns([3, 2]) if content.figure is not None or content.deck is not None else (None, st.container())
    )
    if content.figure is not None:
        fig = content.figure.update_layout(separators=fmt.PLOTLY_SEPARATORS, template="plotly_white",
                                           font={"size": 20, "color": "#111111"}, height=600)  # fmt: skip
        visual.plotly_chart(figures.inert(fig), key="slide-chart", theme=None, config={"displaylogo": False, "locale": "de"})
    elif content.deck is not None:
        visual.pydeck_chart(content.deck, key="slide-map", height=560)
    with text:
        st.markdown(fmt.plain(slides.strip_emphasis(content.summary)))
        notices.demo_notice(content.is_demo)
        notices.schematic_notice(content.is_schematic)
        st.caption(f"Quelle: {fmt.plain(content.source)} · {slides.stichtag_line(as_of)}")
    back, position, forward, end = st.columns([2, 3, 2, 2], vertical_alignment="center")
    back.button("Zurück", icon=":material/arrow_back:", shortcut="Left", disabled=number == 1,
                on_click=go_to, args=(number - 1,), width="stretch")  # fmt: skip
    position.markdown(f"**Folie {number} von {len(refs)}** · {slides.stichtag_line(as_of)}")
    forward.button("Weiter", icon=":material/arrow_forward:", shortcut="Right", disabled=number == len(refs),
                   on_click=go_to, args=(number + 1,), width="stretch", type="primary")  # fmt: skip
    end.button("Beenden", icon=":material/close:", shortcut="Esc", on_click=go_to, args=(None,),
               width="stretch")  # fmt: skip
    if not content.table.empty:
        figures.data_table(content.table, f"folie-{number}", key=f"slide-{number}")
    st.stop()

st.title(fmt.plain(info.title))
st.markdown(f"**{fmt.plain(info.committee)}** · Sitzung {fmt.date(info.date, info.date_precision)}")
st.caption(f"Quelle: {fmt.plain(info.source)}" + (f" · {fmt.plain(info.note)}" if info.note else ""))
for position, title in dict.fromkeys((r.item_position, r.item_title) for r in refs):
    with st.container(border=True):
        st.subheader(f"TOP {position}: {fmt.plain(title)}")
        item = [r for r in refs if r.item_position == position]
        if item[0].speaker:
            st.markdown(f"**Bericht:** {fmt.plain(item[0].speaker)}")
        st.text(item[0].speaker_notes or "")
        st.caption(f"Quelle: {fmt.plain(item[0].item_source)}")
        st.markdown("\n".join(f"{r.number}. {fmt.plain(r.view.title)}" for r in item))
st.button("Präsentation starten", type="primary", icon=":material/slideshow:", on_click=go_to, args=(1,),
          disabled=not refs)  # fmt: skip

st.subheader("Exporte")
st.caption(
    f"PowerPoint mit Vortragsnotizen, Tischvorlage (PDF) und Datentabellen (Excel); {slides.stichtag_line(as_of)}."
)
downloads.file_export("Dateien erstellen", lambda progress: export_session(engine, info, as_of, actor, progress).files,
                      key=f"export-{info.key}-{as_of.isoformat()}")  # fmt: skip

meeting_editor.editor(engine, actor, info)
