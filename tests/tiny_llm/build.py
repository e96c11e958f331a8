"""Builds the tiny model folder vLLM loads: a byte-level BPE tokenizer trained on logicsvc's
prompts and DSL, with a chat template, and a two-layer Llama with random weights.

The weights are random, so the model writes nonsense; what it shows is that vLLM runs our
prompts in batches and that grammar-constrained decoding keeps every output well formed.
Head size 64: vLLM's CPU attention refuses smaller heads.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VOCAB_SIZE = 1024
SPECIALS = ["<|eos|>", "<|system|>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
_VERSION = "tiny-llama-1"  # bump when anything below changes what gets built


def _corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "prompts").glob("*.md"))]
    texts.append((REPO / "grammars" / "fol.lark").read_text(encoding="utf-8"))
    sample = REPO / "datasets" / "folio" / "sample.jsonl"
    for line in sample.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        texts.extend(str(v) for v in item.values() if isinstance(v, str | list))
    return texts


def build(dest: Path, *, seed: int = 0) -> Path:
    """Write tokenizer and weights to ``dest`` (reused when already built); return it."""
    marker = dest / ".built"
    if marker.is_file() and marker.read_text() == f"{_VERSION} seed={seed}":
        return dest
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    dest.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|eos|>",
        pad_token="<|eos|>",
        additional_special_tokens=SPECIALS[1:],
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(dest)

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=False,
        torch_dtype="float32",
    )
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(dest, safe_serialization=True)
    marker.write_text(f"{_VERSION} seed={seed}")
    return dest
