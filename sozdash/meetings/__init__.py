"""Committee sessions: agenda, saved views, slide content and session editing."""
