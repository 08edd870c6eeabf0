"""Sitzungen: agenda with slides, projector presentation (arrow keys) and PPTX/PDF exports."""

import datetime as dt
from collections.abc import Callable

import streamlit as st

from sozdash.core import fmt, maps
from sozdash.meetings import agenda as meetings
from sozdash.meetings import edit, slides
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
if presenting:  # no widgets on the projector: the link's values, wrong ones named
    key = url_state.url_value("Sitzung", list(labels), "sitzung", format_func=lambda k: labels[k])
else:
    key = url_state.url_select("Sitzung", list(labels), "sitzung", format_func=labels.get)
info = meetings.meeting(engine, key)
refs = meetings.slides(engine, info.id)
if presenting:
    stand = url_state.url_value("Folien zeigen", list(meetings.STAND_OPTIONS), "stand",
                                format_func=lambda s: meetings.STAND_OPTIONS[s])  # fmt: skip
else:
    stand = url_state.url_select(
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
    parts = meetings.presentation(refs, meetings.items_without_slides(edit.agenda(engine, info.id)))
    raw_number = st.query_params.get("folie")
    number = meetings.slide_number(raw_number, len(parts))
    if raw_number is not None and raw_number != str(number):
        url_state.tell_wrong("folie", "Folie", raw_number, f"Folie {number}")
    part = parts[number - 1]
    if isinstance(part, meetings.ItemTitle):
        with st.container(key="slide-title-only"):
            st.caption(fmt.plain(info.committee))
            st.title(f"TOP {part.position}: {fmt.plain(part.title)}")
            if part.speaker:
                st.markdown(f"**Bericht:** {fmt.plain(part.speaker)}")
        source, is_demo, is_schematic = part.source, False, False
    else:
        content = slides.build(engine, part.view, as_of, actor)
        source, is_demo, is_schematic = content.source, content.is_demo, content.is_schematic
        st.caption(f"TOP {part.item_position}: {fmt.plain(part.item_title)} · {fmt.plain(info.committee)}")
        st.title(fmt.plain(content.title))
        has_visual = content.figure is not None or content.deck is not None
        visual, text = st.container(key="slide-body").columns([3, 2] if has_visual else [1, 9999], gap="large")
        with visual.container(key="slide-visual", height="stretch"):
            if content.figure is not None:
                fig = content.figure.update_layout(separators=fmt.PLOTLY_SEPARATORS, template="plotly_white",
                                                   font={"size": 20, "color": "#111111"}, height=None, autosize=True,
                                                   margin={"t": 30, "b": 10, "l": 10, "r": 10})  # fmt: skip
                st.plotly_chart(figures.shown(fig), key=f"slide-chart-{number}", theme=None, height="stretch",
                                config={"displaylogo": False, "locale": "de", "responsive": True})  # fmt: skip
            elif content.deck is not None:
                st.pydeck_chart(maps.refit(content.deck, (760, 480), 20), key=f"slide-map-{number}", height="stretch")
        with text.container(key="slide-text"):
            st.markdown(fmt.plain(slides.strip_emphasis(content.summary)))
            if content.legend:
                notices.slide_legend(content.legend)
    with st.container(key="slide-footer"):
        notices.slide_notices(is_demo, is_schematic)
        st.caption(f"Quelle: {fmt.plain(source)} · {slides.stichtag_line(as_of)}")
        back, position, forward, end = st.columns([2, 3, 2, 2], vertical_alignment="center")
    back.button("Zurück", icon=":material/arrow_back:", shortcut="Left", disabled=number == 1,
                on_click=go_to, args=(number - 1,), width="stretch")  # fmt: skip
    position.markdown(f"**Folie {number} von {len(parts)}** · {slides.stichtag_line(as_of)}")
    forward.button("Weiter", icon=":material/arrow_forward:", shortcut="Right", disabled=number == len(parts),
                   on_click=go_to, args=(number + 1,), width="stretch", type="primary")  # fmt: skip
    end.button("Beenden", icon=":material/close:", shortcut="Esc", on_click=go_to, args=(None,),
               width="stretch")  # fmt: skip
    st.stop()

st.title(fmt.plain(info.title))
st.markdown(f"**{fmt.plain(info.committee)}** · Sitzung {fmt.date(info.date, info.date_precision)}")
st.caption(f"Quelle: {fmt.plain(info.source)}" + (f" · {fmt.plain(info.note)}" if info.note else ""))
st.button("Präsentation starten", type="primary", icon=":material/slideshow:", on_click=go_to, args=(1,),
          disabled=not refs)  # fmt: skip
for position, title in dict.fromkeys((r.item_position, r.item_title) for r in refs):
    with st.container(border=True):
        st.subheader(f"TOP {position}: {fmt.plain(title)}")
        item = [r for r in refs if r.item_position == position]
        if item[0].speaker:
            st.markdown(f"**Bericht:** {fmt.plain(item[0].speaker)}")
        st.text(item[0].speaker_notes or "")
        st.caption(f"Quelle: {fmt.plain(item[0].item_source)}")
        st.markdown("\n".join(f"{r.number}. {fmt.plain(r.view.title)}" for r in item))

st.subheader("Exporte")
st.caption(
    f"PowerPoint mit Vortragsnotizen, Tischvorlage (PDF) und Datentabellen (Excel); {slides.stichtag_line(as_of)}."
)


def _session_files(progress: Callable[[float, str], None]) -> dict[str, bytes]:
    from sozdash.exports.session import export_session  # PowerPoint, PDF and kaleido only when asked for

    return export_session(engine, info, as_of, actor, progress).files


downloads.file_export("Dateien erstellen", _session_files, key=f"export-{info.key}-{as_of.isoformat()}")

meeting_editor.editor(engine, actor, info)
