"""District indicators: aggregation, classes, explorer data, charts, profiles, comparison, similarity, trends, sentences."""
