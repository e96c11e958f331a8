"""logicsvc: neurosymbolic logical reasoning."""

__version__ = "0.1.0"
