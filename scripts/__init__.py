"""Maintenance scripts (the answer snapshots), run as ``python scripts/NAME.py``; the
tests and benches that compare against their snapshots import them from here."""
