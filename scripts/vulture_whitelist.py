"""Names that vulture reports as unused but that a library, a framework or the database uses.

Never run: vulture reads it as one of its paths (``[tool.vulture]`` in pyproject.toml), and
every name mentioned here counts as used. Each entry says why it is not dead code.
"""

import sqlite3

from pptx.presentation import Presentation
from pptx.text.text import TextFrame, _Hyperlink, _Paragraph
from pydeck import Layer

from sozdash.exports.pdf import Document
from sozdash.store.models import ImportBatch, ImportTemplate, Indicator, Recommendation
from tests import conftest
from tests.e2e import conftest as e2e_conftest
from tests.e2e import test_pages_in_browser
from tests.importing import conftest as importing_conftest
from tests.store import test_cache

# Library hooks and settings: the library calls or reads them; here they are only defined or set.
Document.footer  # fpdf2 calls FPDF.footer() at the end of every page
Document.viewer_preferences  # fpdf2 property, written into the PDF catalog (display the document title)
Layer.line_width_units  # pydeck serialises the attribute into the deck's JSON
TextFrame.word_wrap  # python-pptx property, set in exports.pptx
TextFrame.auto_size  # python-pptx property, set in exports.pptx
TextFrame.margin_left  # python-pptx property, set in exports.pptx
TextFrame.margin_right  # python-pptx property, set in exports.pptx
TextFrame.margin_top  # python-pptx property, set in exports.pptx
TextFrame.margin_bottom  # python-pptx property, set in exports.pptx
_Paragraph.alignment  # python-pptx property, set in exports.pptx (openpyxl's cell.alignment has the same name)
_Hyperlink.address  # python-pptx property, set in exports.pptx
Presentation.slide_width  # python-pptx property, set in exports.pptx
Presentation.slide_height  # python-pptx property, set in exports.pptx
sqlite3.Connection.isolation_level  # set in store.db._configure_sqlite

# Schema columns that the code uses by name (SQL, DataFrame columns, keywords), not as attributes.
Indicator.numerator_definition  # catalogue and metadata text (indicators.explorer, indicators.charts)
Indicator.denominator_definition  # catalogue and metadata text (indicators.explorer, indicators.charts)
Indicator.suppression_threshold  # the disclosure threshold (access.confidentiality)
ImportBatch.rows_unchanged  # written as a keyword when a batch is stored (importing.commit)
ImportBatch.rows_rejected  # written as a keyword when a batch is stored (importing.commit)
ImportBatch.original_file  # the uploaded file, stored with its checksum (importing.commit)
Recommendation.session_id  # edited as FieldSpec("session_id", ...) in editing.specs
ImportTemplate.updated_at  # written as a keyword when a template is saved (importing.templates)

# pytest finds these by name.
conftest.pytest_configure  # hook
conftest.pytest_report_header  # hook
conftest.postgres_template  # fixture, requested with request.getfixturevalue("postgres_template")
conftest.hamburg_postgres  # fixture, requested with request.getfixturevalue("hamburg_postgres")
test_cache._keep_the_installed_memoizer  # autouse fixture
conftest._app_pages_like_a_server  # autouse fixture
e2e_conftest.pytest_collection_modifyitems  # hook
importing_conftest._years_of_the_test_files  # autouse fixture
test_pages_in_browser.pytestmark  # module marker (the same name in every browser test module)
