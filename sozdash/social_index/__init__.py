"""The composite social index: computation, versioned definitions and snapshots, index views, Handlungsbedarfe."""
