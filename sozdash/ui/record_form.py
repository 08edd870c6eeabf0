"""The input widget for one editable record field, shared by the Bearbeiten page and the Sitzungen editor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from sozdash.core import fmt
from sozdash.editing.records import FieldSpec


def field_input(field: FieldSpec, value: Any, options: Mapping[int, str] | None, key: str) -> Any:
    """The input widget for one editable field (German labels; numbers as German text)."""
    label = f"{field.label} *" if field.required else field.label
    if field.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=field.help)
    if field.kind in ("choice", "ref"):
        labels = dict(field.choices or {}) if field.kind == "choice" else dict(options or {})
        keys: list[Any] = list(labels) if field.required else [None, *labels]
        return st.selectbox(
            label, keys, index=keys.index(value) if value in keys else None, key=key, help=field.help,
            format_func=lambda k: "– keine Angabe –" if k is None else labels[k], placeholder="Bitte wählen",
        )  # fmt: skip
    if field.kind == "date":
        return st.date_input(
            label, value=value, format="DD.MM.YYYY", min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31),
            key=key, help=field.help,
        )  # fmt: skip
    if field.kind == "longtext":
        return st.text_area(label, value=value or "", key=key, help=field.help, height=100)
    if field.kind in ("float", "decimal"):
        text = "" if value is None else fmt.number(float(value), 2).removesuffix(",00")
        return st.text_input(label, value=text, key=key, help=field.help or "Dezimalkomma, z. B. 1.234,50")
    if field.kind == "int":
        return st.number_input(label, value=value, step=1, format="%d", key=key, help=field.help)
    return st.text_input(label, value=value or "", max_chars=field.max_length, key=key, help=field.help)
