"""Step 1-2 of the method, the journey map: stages, sub-steps, pain points,
measures and ideas; templates, the board's text, charts of the map, and its
Excel and CSV files."""
