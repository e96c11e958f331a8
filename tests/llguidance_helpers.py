"""A byte-level vocabulary for llguidance: no model and no tokenizer download needed.

Token id ``b`` is the byte ``b`` and 256 is EOS, so a text is fed to llguidance one UTF-8
byte per token, and a token mask says exactly which next bytes a grammar allows.
"""

from __future__ import annotations

import llguidance

EOS = 256


class ByteVocabulary:
    """The object ``llguidance.TokenizerWrapper`` wraps: token id ``b`` is the byte ``b``.

    The wrapper reads ``eos_token_id``, ``bos_token_id``, ``tokens`` (one ``bytes`` per
    id, EOS included) and, optionally, ``special_token_ids``; it calls the object to
    encode text, first probing with ``b"test"`` to learn whether it takes bytes.
    """

    def __init__(self) -> None:
        self.eos_token_id: int = EOS
        self.bos_token_id: int | None = None
        self.tokens: list[bytes] = [bytes([b]) for b in range(256)] + [b"<eos>"]
        self.special_token_ids: list[int] = [EOS]

    def __call__(self, text: str | bytes) -> list[int]:
        data = text.encode("utf-8") if isinstance(text, str) else text
        return list(data)


def byte_tokenizer() -> llguidance.LLTokenizer:
    return llguidance.LLTokenizer(llguidance.TokenizerWrapper(ByteVocabulary()))


def allowed(mask: bytes, token: int) -> bool:
    """Whether ``token`` is set in an llguidance bitmask."""
    return bool(mask[token // 8] >> (token % 8) & 1)
