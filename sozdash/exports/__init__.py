"""Council documents and downloads: formula-safe tables, chart rendering, PPTX, PDF, session and all-data exports."""
