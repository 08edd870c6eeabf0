"""Barrierefreiheit: the accessibility statement (§ 12b BGG, BITV 2.0) with the known gaps."""

import streamlit as st

from sozdash.core import accessibility, fmt
from sozdash.store import queries
from sozdash.ui import startup

engine = startup.engine()
city = fmt.plain(queries.city(engine).name)
st.title("Erklärung zur Barrierefreiheit")
st.markdown(
    f"Die Stadt {city} ist bemüht, das Sozialdashboard barrierefrei zugänglich zu machen. Grundlage sind "
    "§ 12a und § 12b des Behindertengleichstellungsgesetzes (BGG) und die Barrierefreie-Informationstechnik-"
    "Verordnung (BITV 2.0), die auf die europäische Norm EN 301 549 und damit auf die Richtlinien WCAG 2.1 "
    "(Stufe AA) verweist."
)

st.header("Stand der Vereinbarkeit mit den Anforderungen")
st.markdown(
    "Das Sozialdashboard ist mit den Anforderungen der BITV 2.0 **teilweise vereinbar**. Die unten "
    "genannten Inhalte sind nicht oder nicht vollständig barrierefrei."
)
date = accessibility.statement_date()
st.markdown(
    "Die Erklärung beruht auf einer Selbstbewertung: einer automatischen Prüfung jeder Seite mit dem "
    "Prüfwerkzeug axe-core (Regeln der WCAG 2.1, Stufen A und AA, auf Bildschirm- und Telefongröße) und "
    "einer Durchsicht der Bedienung. **Stand der Erklärung:** "
    + (fmt.date(date) if date else f"noch nicht eingetragen (Einstellung `{accessibility.DATE_SETTING}`).")
)

st.header("Nicht barrierefreie Inhalte")
for gap in accessibility.KNOWN_GAPS:
    st.markdown(f"- **{gap.what}**  \n  Grund: {gap.why}  \n  Stattdessen: {gap.instead}")

st.header("Barrieren melden: Kontakt")
st.markdown(
    "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen, oder benötigen Sie Inhalte in einer "
    "zugänglichen Form? Dann wenden Sie sich bitte an:"
)
contact = accessibility.feedback_contact()
if contact:
    st.markdown(fmt.plain(contact))
else:
    st.warning(
        f"Die Stadt {city} hat noch keine Kontaktstelle für Rückmeldungen eingetragen. Für den Betrieb: "
        f"Einstellung `{accessibility.CONTACT_SETTING}` setzen (Stelle, E-Mail, Telefon; siehe README).",
        icon=":material/contact_support:",
    )

st.header("Schlichtungsverfahren")
name, address, website = accessibility.ARBITRATION_BODY
st.markdown(
    "Erhalten Sie auf Ihre Meldung keine zufriedenstellende Antwort, können Sie einen Antrag auf ein "
    "Schlichtungsverfahren stellen. Das Verfahren ist kostenlos; ein Rechtsbeistand ist nicht nötig. "
    "Für Stellen des Bundes ist zuständig:"
)
st.markdown(f"**{name}**  \n{address}  \n{website}")
st.markdown(
    "Für Stellen der Länder und Kommunen nennt das Landesgesetz zur Gleichstellung von Menschen mit "
    "Behinderungen die zuständige Schlichtungs- oder Durchsetzungsstelle des Landes."
)
