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

from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from logicsvc.errors import ConfigurationError

GrammarMode = Literal["auto", "on", "off"]


class Settings(BaseSettings):
    """How logicsvc reaches its language model and how its service behaves."""

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
    (e.g. ``http://127.0.0.1:8001/v1`` for ``vllm serve --port 8001``: 8000 is logicsvc's own
    default port). Env ``LOGICSVC_LLM_BASE_URL``,
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
    """Seconds one LLM call may take in all, from the request to the last byte of the
    reply, retries included (a server trickling bytes cannot stretch it). Env
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

    llm_extra_body: dict[str, Any] = Field(
        default_factory=dict, validation_alias="LOGICSVC_LLM_EXTRA_BODY"
    )
    """Extra fields for every chat request, as JSON, e.g.
    ``{"top_k": 20, "chat_template_kwargs": {"enable_thinking": false}}`` for a vLLM
    server. Env ``LOGICSVC_LLM_EXTRA_BODY``. The grammar is added by ``llm_grammar``."""

    # ---- vLLM in process (``--translator vllm``) ------------------------------

    vllm_model: str | None = Field(default=None, validation_alias="LOGICSVC_VLLM_MODEL")
    """Model folder or Hugging Face id that ``--translator vllm`` loads into vLLM in
    this process. Env ``LOGICSVC_VLLM_MODEL``."""

    vllm_engine_args: dict[str, Any] = Field(
        default_factory=dict, validation_alias="LOGICSVC_VLLM_ENGINE_ARGS"
    )
    """Keyword arguments for ``vllm.LLM``, as JSON, e.g.
    ``{"max_model_len": 8192, "tensor_parallel_size": 2}``. Env
    ``LOGICSVC_VLLM_ENGINE_ARGS``. The structured-outputs backend defaults to
    ``guidance`` (llguidance), the one our grammar is tested against."""

    vllm_sampling: dict[str, Any] = Field(
        default_factory=dict, validation_alias="LOGICSVC_VLLM_SAMPLING"
    )
    """Extra ``SamplingParams`` for every request, as JSON (``top_p``, ``seed``,
    ``logit_bias`` …). Env ``LOGICSVC_VLLM_SAMPLING``. ``n``, ``temperature``,
    ``max_tokens`` and the grammar are set per request by the loop."""

    vllm_max_batch: int = Field(default=256, ge=1, validation_alias="LOGICSVC_VLLM_MAX_BATCH")
    """Most requests per engine call; an evaluation keeps this many problems in
    flight. Env ``LOGICSVC_VLLM_MAX_BATCH``."""

    vllm_linger_s: float = Field(default=0.02, ge=0, validation_alias="LOGICSVC_VLLM_LINGER_S")
    """A batch closes after this long without a new request. Env
    ``LOGICSVC_VLLM_LINGER_S``."""

    # ---- the HTTP service ---------------------------------------------------

    api_keys: str = Field(default="", validation_alias="LOGICSVC_API_KEYS")
    """Comma-separated bearer tokens the service accepts. Env ``LOGICSVC_API_KEYS``.
    Empty means no authentication, which the service allows only on a loopback
    address (127.0.0.1, ::1) unless ``LOGICSVC_ALLOW_UNAUTHENTICATED`` is set."""

    allow_unauthenticated: bool = Field(
        default=False, validation_alias="LOGICSVC_ALLOW_UNAUTHENTICATED"
    )
    """Serve without API keys on a non-loopback address (behind your own gateway)."""

    cors_origins: str = Field(default="", validation_alias="LOGICSVC_CORS_ORIGINS")
    """Comma-separated origins allowed by CORS. Empty (default) disables CORS."""

    max_in_flight: int = Field(default=32, ge=1, validation_alias="LOGICSVC_MAX_IN_FLIGHT")
    """Requests served at once; past it the service answers 429 with Retry-After."""

    max_batch: int = Field(default=64, ge=1, validation_alias="LOGICSVC_MAX_BATCH")
    """Most problems in one ``/v1/reason/batch`` call."""

    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, validation_alias="LOGICSVC_MAX_BODY_BYTES"
    )
    """Largest request body accepted; larger ones get 413."""

    max_premises: int = Field(default=200, ge=1, validation_alias="LOGICSVC_MAX_PREMISES")
    """Most premises in one problem; more get 422."""

    max_text_chars: int = Field(default=5000, ge=10, validation_alias="LOGICSVC_MAX_TEXT_CHARS")
    """Longest premise or conclusion (characters); longer ones get 422."""

    max_nesting: int = Field(default=64, ge=1, validation_alias="LOGICSVC_MAX_NESTING")
    """Deepest parenthesis nesting in a formula or program; deeper gets 422."""

    request_timeout_s: float = Field(
        default=120.0, gt=0, validation_alias="LOGICSVC_REQUEST_TIMEOUT_S"
    )
    """Deadline of every request; past it the service answers 504 (a batch answers shortly
    before it, its unfinished problems marked ``timeout``)."""

    prover_workers: int = Field(default=2, ge=1, validation_alias="LOGICSVC_PROVER_WORKERS")
    """Prover worker processes (a runaway problem is killed with its worker)."""

    prover_pin: Literal["auto", "on", "off"] = Field(
        default="auto", validation_alias="LOGICSVC_PROVER_PIN"
    )
    """Keep each prover worker on one CPU: auto does so when there are as many workers as
    CPUs the service may use (issue 18, round 4: ``logicsvc.service.workers``)."""

    prover_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias="LOGICSVC_PROVER_TIMEOUT_S"
    )
    """Default and maximum prover time per problem (requests may ask for less)."""

    prover_memory_mb: int = Field(
        default=2048, ge=128, validation_alias="LOGICSVC_PROVER_MEMORY_MB"
    )
    """Address-space limit of each prover worker process."""

    body_timeout_s: float = Field(default=10.0, gt=0, validation_alias="LOGICSVC_BODY_TIMEOUT_S")
    """Seconds a client has to send its whole request body (then 408). The body is read
    before the request takes an in-flight slot, so a slow sender holds none."""

    max_program_chars: int = Field(
        default=100_000, ge=1000, validation_alias="LOGICSVC_MAX_PROGRAM_CHARS"
    )
    """Longest DSL program (characters) ``/v1/prove`` parses: parsing costs about 15 s
    per MB, so this bounds one request's parse work (then 422)."""

    max_samples: int = Field(default=8, ge=1, validation_alias="LOGICSVC_MAX_SAMPLES")
    """Most LLM samples one problem may ask for (then 422)."""

    max_rounds: int = Field(default=5, ge=0, validation_alias="LOGICSVC_MAX_ROUNDS")
    """Most LLM refinement rounds one problem may ask for (then 422)."""

    max_llm_calls: int = Field(default=256, ge=1, validation_alias="LOGICSVC_MAX_LLM_CALLS")
    """Most LLM calls one request may cause at worst (problems x samples x (rounds + 1));
    a request that could exceed it is refused (422) before any call is made."""

    llm_max_reply_bytes: int = Field(
        default=1_000_000, ge=1024, validation_alias="LOGICSVC_LLM_MAX_REPLY_BYTES"
    )
    """Largest LLM reply body read (then the call fails as an ``LLMError``): a server
    that streams a 300 MB completion must not take the service's memory with it."""

    llm_max_tokens: int = Field(default=4096, ge=16, validation_alias="LOGICSVC_LLM_MAX_TOKENS")
    """Most tokens any one completion may ask for (``max_tokens`` is capped at this)."""

    llm_ready_cache_s: float = Field(
        default=5.0, ge=0, validation_alias="LOGICSVC_LLM_READY_CACHE_S"
    )
    """How long ``/readyz`` reuses its last LLM check (probes must not flood the LLM)."""

    fallacy_model: str | None = Field(default=None, validation_alias="LOGICSVC_FALLACY_MODEL")
    """A model from ``logicsvc fallacies train`` for ``/v1/fallacies``; unset means the
    LLM classifier when an LLM is configured, else the endpoint answers 422."""

    @property
    def api_key_list(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.api_keys.split(",") if k.strip())

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.cors_origins.split(",") if o.strip())


def get_settings() -> Settings:
    """Settings read now from the environment (a fresh object every call).

    A value that cannot be used raises :class:`ConfigurationError` naming the variable.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(f"invalid setting: {problems}") from None
    except SettingsError as exc:  # a JSON field that is not JSON
        names = [
            str(f.validation_alias) for name, f in Settings.model_fields.items() if name in str(exc)
        ]
        where = f" ({', '.join(names)} must be JSON)" if names else ""
        raise ConfigurationError(f"invalid setting: {exc}{where}") from None
    except (UnicodeDecodeError, OSError) as exc:  # the .env file itself
        raise ConfigurationError(f"cannot read the .env file: {exc}") from None
