"""A tiny randomly initialised Llama and its tokenizer, built locally for vLLM's CPU build.

Nothing is downloaded: the tokenizer is trained on our own prompts and DSL, the weights are
random. These modules run in the vLLM environment (``scripts/vllm-env``), not in .venv.
"""
