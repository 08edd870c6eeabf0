"""App-wide accessibility settings that Streamlit's theme cannot express (the theme itself is in
``.streamlit/config.toml`` [theme])."""

from __future__ import annotations

import streamlit as st

# Streamlit's index.html says lang="en"; screen readers would then read the German pages with
# English pronunciation (WCAG 3.1.1). Streamlit's upload button and file input carry no German
# accessible name ("Browse files", "file upload"): one observer names them as the page changes.
# Fixed code, no user input.
_GERMAN_PAGE = """<script>
if (!window.sozdashGerman) {
  window.sozdashGerman = true;
  const names = () => {
    document.documentElement.lang = 'de';
    for (const button of document.querySelectorAll('[data-testid="stFileUploaderDropzone"] button')) {
      button.setAttribute('aria-label', 'Datei auswählen');
    }
    for (const input of document.querySelectorAll('[data-testid="stFileUploaderDropzoneInput"]')) {
      input.setAttribute('aria-label', 'Datei hochladen');
    }
  };
  names();
  new MutationObserver(names).observe(document.body, {childList: true, subtree: true});
}
</script>"""


def apply() -> None:
    """Declare the page German and name Streamlit's upload controls in German; call once per
    script run (app.py), before the page runs."""
    st.sidebar.html(_GERMAN_PAGE, unsafe_allow_javascript=True)
