"""Identity resolution: fuzzy recognition, duplicate detection, reversible merge.

The pipeline follows Splink's stage names, one module each:
``prepare`` (normalise) → ``block`` (candidates from indexes) → ``compare`` (per-field
levels) → ``score`` (Fellegi-Sunter weights, EM) → ``cluster``.
"""
