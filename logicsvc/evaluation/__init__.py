"""Scoring logicsvc against labelled datasets."""
