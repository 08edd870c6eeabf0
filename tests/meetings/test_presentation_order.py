"""Issue 14: agenda items without slides appear in the presentation as a title slide, in agenda order."""

from sozdash.meetings import agenda
from sozdash.meetings.agenda import ItemTitle, SlideRef
from sozdash.meetings.edit import ItemRow, SlideRow
from sozdash.meetings.saved_views import View


def _row(position: int, slides: int) -> ItemRow:
    values = {"title": f"Punkt {position}", "speaker": "Frau A" if position == 2 else None,
              "speaker_notes": "Mündlich.", "source": "Niederschrift"}  # fmt: skip
    return ItemRow(position, position, 1, values, tuple(SlideRow(n, n, n, f"Ansicht {n}") for n in range(slides)))


def _ref(number: int, item: int) -> SlideRef:
    return SlideRef(number, item, f"Punkt {item}", None, None, "Quelle", View(number, None, f"Ansicht {number}", None, "indikatoren", {}))  # fmt: skip


def test_items_without_slides_become_title_slides_in_agenda_order() -> None:
    titles = agenda.items_without_slides([_row(1, 2), _row(2, 0), _row(3, 1), _row(4, 0)])
    assert titles == [ItemTitle(2, "Punkt 2", "Frau A", "Mündlich.", "Niederschrift"),
                      ItemTitle(4, "Punkt 4", None, "Mündlich.", "Niederschrift")]  # fmt: skip
    refs = [_ref(1, 1), _ref(2, 1), _ref(3, 3)]
    parts = agenda.presentation(refs, titles)
    assert parts == [refs[0], refs[1], titles[0], refs[2], titles[1]]
    assert agenda.presentation(refs, []) == refs
