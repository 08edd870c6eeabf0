"""Search across the dashboard: Stadtteile, indicators, projects, programmes, impact packages and
saved views by any word of their name or description, each result with the page and URL
parameters that open it."""
