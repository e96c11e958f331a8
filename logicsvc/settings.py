"""Runtime settings, read from the environment and a ``.env`` file.

Every field names its environment variables explicitly (no implicit prefix), so
the names in this file are exactly the names a deployment sets.  Where a
variable has a widely used OpenAI-SDK spelling (``OPENAI_BASE_URL``,
``OPENAI_API_KEY``) it is accepted as a fallback after the ``LOGICSVC_`` one.

Precedence, highest first: keyword arguments, process environment, ``.env``
in the working directory, the defaults below.  :func:`get_settings` builds a
fresh object on every call; nothing is cached module-wide.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GrammarMode = Literal["auto", "on", "off"]


class Settings(BaseSettings):
    """How logicsvc reaches its language model."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",  # a shared .env may hold other tools' variables
        validate_by_name=True,  # Settings(llm_model=...) in code and tests
        validate_by_alias=True,
        use_attribute_docstrings=True,  # the docstrings below become field descriptions
    )

    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LOGICSVC_LLM_BASE_URL", "OPENAI_BASE_URL"),
    )
    """Base URL of an OpenAI-compatible server, including ``/v1``
    (e.g. ``http://127.0.0.1:8000/v1`` for vLLM). Env ``LOGICSVC_LLM_BASE_URL``,
    else ``OPENAI_BASE_URL``. Unset means no LLM is configured."""

    llm_api_key: str = Field(
        default="EMPTY",
        validation_alias=AliasChoices("LOGICSVC_LLM_API_KEY", "OPENAI_API_KEY"),
    )
    """API key sent as a bearer token. Env ``LOGICSVC_LLM_API_KEY``, else
    ``OPENAI_API_KEY``. Local servers (vLLM, llama.cpp) ignore it, hence ``EMPTY``."""

    llm_model: str | None = Field(default=None, validation_alias="LOGICSVC_LLM_MODEL")
    """Model name to request. Env ``LOGICSVC_LLM_MODEL``. Unset means the first
    model the server lists at ``GET /v1/models``."""

    llm_concurrency: int = Field(default=8, ge=1, validation_alias="LOGICSVC_LLM_CONCURRENCY")
    """Most chat requests one backend keeps in flight at once. Env
    ``LOGICSVC_LLM_CONCURRENCY``. A batching server (vLLM) wants this high
    enough to fill its batch; a hosted API wants it under its rate limit."""

    llm_timeout_s: float = Field(default=60.0, gt=0, validation_alias="LOGICSVC_LLM_TIMEOUT_S")
    """Seconds one HTTP attempt may take before it is abandoned. Env
    ``LOGICSVC_LLM_TIMEOUT_S``."""

    llm_max_retries: int = Field(default=2, ge=0, validation_alias="LOGICSVC_LLM_MAX_RETRIES")
    """Transport retries (connection errors, timeouts, 408/409/429/5xx) the
    OpenAI SDK makes, with backoff, before an error is raised. Env
    ``LOGICSVC_LLM_MAX_RETRIES``."""

    llm_grammar: GrammarMode = Field(default="auto", validation_alias="LOGICSVC_LLM_GRAMMAR")
    """Whether to send the DSL grammar for constrained decoding, as vLLM's
    ``structured_outputs.grammar``. Env ``LOGICSVC_LLM_GRAMMAR``: ``on`` always
    sends it, ``off`` never does, ``auto`` sends it only when ``GET /v1/models``
    lists a model with ``owned_by == "vllm"`` (what vLLM reports; other servers
    would reject the field or silently ignore it)."""


def get_settings() -> Settings:
    """Settings read now from the environment (a fresh object every call)."""
    return Settings()
