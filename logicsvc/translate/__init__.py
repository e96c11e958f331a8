"""Natural language → DSL program: one interface, one module per translator.

Every translator takes premises and a conclusion as text and returns a DSL
program (text), which then goes through the same parser and checks as any
other program: the data keeps flowing one way.

- ``rules``: the offline controlled-English translator (no LLM, no download); for a
  multiple-choice question it reads ordering puzzles whole (``ordering``).
"""

from logicsvc.translate.base import Translation, Translator, get_translator, split_sentences

__all__ = ["Translation", "Translator", "get_translator", "split_sentences"]
