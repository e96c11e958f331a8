"""A :class:`~logicsvc.llm.ChatBackend` for any OpenAI-compatible server.

vLLM, llama.cpp, the replay server and OpenAI itself all speak the same chat
completions API, so one client covers them.  Transport concerns stay in the
OpenAI SDK (``max_retries`` with backoff, ``timeout``); this module adds what
the SDK does not know: a concurrency cap, model discovery, when to send the
grammar, and the mapping onto logicsvc's error tree.

Decisions worth knowing:

- **Model discovery.** With ``llm_model`` unset the first model of
  ``GET /v1/models`` is used; the listing is fetched at most once per backend.
- **Grammar.** A request's grammar is sent as
  ``extra_body={"structured_outputs": {"grammar": ...}}`` (vLLM >= 0.10; the
  older ``guided_grammar`` is silently ignored there, so it is never sent).
  ``llm_grammar="auto"`` sends it only when ``/v1/models`` lists a model
  ``owned_by == "vllm"``, which is what vLLM reports and no other common server
  does; a server that cannot list models counts as not vLLM.
- **Extra fields.** ``llm_extra_body`` (JSON) goes into every request body as it is:
  sampling fields the SDK does not name (``top_k``), ``chat_template_kwargs`` and so on.
- **Tokens.** The API reports usage per call, not per choice.  The prompt is
  read once per call, so ``prompt_tokens`` goes on the first completion only;
  ``completion_tokens`` is split over the choices as evenly as integers allow.
  Summing over the completions therefore gives the call's usage exactly; the
  raw figures are also in ``ChatResponse.extra["usage"]``.
- **Errors.** Connection failures and timeouts (after the SDK's retries),
  HTTP 502/503/504 (a gateway or a server that is down or still loading), a refused
  key (401/403) and an unknown model (404 saying so) raise
  :class:`LLMUnavailableError`: every request would fail alike, so a run stops.
  Any other HTTP error raises :class:`LLMError` naming the status and the server's
  message, as does a response with no choices or one that is not a chat completion
  at all; ``finish_reason == "length"`` is not an error, it is kept on the
  :class:`Completion` for the caller to judge.

One backend belongs to one event loop (its semaphore and HTTP connection pool
bind to the loop that first uses them); close it with :meth:`aclose`.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from logicsvc.errors import LLMBusyError, LLMError, LLMUnavailableError
from logicsvc.llm import ChatRequest, ChatResponse, Completion
from logicsvc.llm.capped_http import ReplyTooLarge
from logicsvc.settings import Settings, get_settings

if TYPE_CHECKING:
    from types import TracebackType

    from openai import APIError
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

__all__ = ["OpenAICompatBackend", "ServerInfo"]

VLLM_OWNER = "vllm"
"""``owned_by`` in vLLM's ``/v1/models`` cards: how ``llm_grammar="auto"`` recognises it."""

BAD_REPLY = "llm_bad_reply"
"""The code of a failure that says nothing about the request (a server error, a reply
that is not a completion): asking again later may well work (``--resume`` does)."""
_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
_REFUSED_STATUSES = frozenset({401, 403})
"""A refused key refuses every request: the run stops, as for a server that is down."""
_NO_SUCH_MODEL = re.compile(r"model\b.*\b(?:does not exist|not found)", re.I)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``GET /v1/models`` told us about the server."""

    models: tuple[str, ...]
    owners: frozenset[str]

    @property
    def is_vllm(self) -> bool:
        return VLLM_OWNER in self.owners


class OpenAICompatBackend:
    """Chat completions over HTTP with the OpenAI SDK, capped at ``llm_concurrency``."""

    name: str = "openai"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else get_settings()
        base_url = self.settings.llm_base_url
        if not base_url:
            raise LLMError(
                "no LLM is configured: set LOGICSVC_LLM_BASE_URL (or OPENAI_BASE_URL) "
                "to an OpenAI-compatible server, e.g. http://127.0.0.1:8001/v1 for "
                "'vllm serve MODEL --port 8001' (8000 is logicsvc's own port)"
            )
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient  # heavy: loaded when needed

        from logicsvc.llm.capped_http import CappedTransport

        self.base_url = base_url
        self._client = AsyncOpenAI(
            base_url=base_url,
            api_key=self.settings.llm_api_key,
            timeout=self.settings.llm_timeout_s,
            max_retries=self.settings.llm_max_retries,
            http_client=DefaultAsyncHttpxClient(
                transport=CappedTransport(self.settings.llm_max_reply_bytes)
            ),
        )
        self._semaphore = asyncio.Semaphore(self.settings.llm_concurrency)
        self._server_lock = asyncio.Lock()
        self._server: ServerInfo | None = None

    async def server_info(self) -> ServerInfo:
        """The server's model listing, fetched once (an empty one if it has no listing)."""
        async with self._server_lock:
            if self._server is None:
                import openai

                try:
                    page = await self._client.models.list()
                except openai.APIStatusError as exc:
                    if exc.status_code in _UNAVAILABLE_STATUSES | _REFUSED_STATUSES:
                        raise self._map_error(exc) from exc
                    # A server without /v1/models: nothing to discover or detect.
                    self._server = ServerInfo(models=(), owners=frozenset())
                except openai.APIError as exc:
                    raise self._map_error(exc) from exc
                else:
                    self._server = ServerInfo(
                        models=tuple(m.id for m in page.data),
                        owners=frozenset(m.owned_by for m in page.data),
                    )
            return self._server

    async def ping(self, timeout_s: float = 5.0) -> None:
        """Ask the server now, past any cache; an ``LLMError`` when it cannot be used.
        A 404 from a web server (no OpenAI error body) means the base URL is wrong (no
        ``/v1``, say): not reachable, since every request would fail."""
        import openai

        try:
            await self._client.with_options(timeout=timeout_s, max_retries=0).models.list()
        except openai.APIStatusError as exc:
            if exc.status_code != 404 or self._path_missing(exc):
                raise self._map_error(exc) from exc
        except openai.APIError as exc:
            raise self._map_error(exc) from exc

    async def model(self) -> str:
        """``llm_model``, else the first model the server lists."""
        if self.settings.llm_model:
            return self.settings.llm_model
        info = await self.server_info()
        if not info.models:  # every request would fail alike: a run stops
            raise LLMUnavailableError(
                f"the model server at {self.base_url} lists no models; set LOGICSVC_LLM_MODEL"
            )
        return info.models[0]

    async def grammar_enabled(self) -> bool:
        """Whether requested grammars are sent to this server (see ``llm_grammar``)."""
        mode = self.settings.llm_grammar
        if mode == "auto":
            return (await self.server_info()).is_vllm
        return mode == "on"

    async def complete(self, request: ChatRequest) -> ChatResponse:
        import openai

        model = await self.model()
        send_grammar = request.grammar is not None and await self.grammar_enabled()
        extra_body: dict[str, object] = dict(self.settings.llm_extra_body)
        if send_grammar:
            extra_body["structured_outputs"] = {"grammar": request.grammar}
        messages = cast("list[ChatCompletionMessageParam]", [m.to_dict() for m in request.messages])
        budget = self.settings.llm_timeout_s
        async with self._semaphore:
            started = time.perf_counter()
            try:
                # the SDK's timeout is per read, and retries multiply it: a server that
                # trickles a byte every few seconds never trips it; this bounds the call
                async with asyncio.timeout(budget):
                    response = await self._client.chat.completions.create(
                        model=model,
                        messages=messages,
                        n=request.n,
                        temperature=request.temperature,
                        max_tokens=min(request.max_tokens, self.settings.llm_max_tokens),
                        extra_body=extra_body or None,
                    )
            except ReplyTooLarge as exc:  # raised as it is by newer SDKs, wrapped by older
                raise self._too_large(exc) from None
            except TimeoutError:
                raise LLMUnavailableError(
                    f"the model server at {self.base_url} did not finish answering within "
                    f"{budget:g} s (LOGICSVC_LLM_TIMEOUT_S, retries included)"
                ) from None
            except openai.APIError as exc:
                raise self._map_error(exc) from exc
            except ValueError as exc:  # a body that says JSON and is not
                raise self._not_a_completion(exc) from None
            latency_ms = (time.perf_counter() - started) * 1000.0
        try:
            return self._read(response, latency_ms, send_grammar)
        except (AttributeError, TypeError, ValueError) as exc:
            raise self._not_a_completion(exc) from None

    def _not_a_completion(self, exc: Exception) -> LLMError:
        return LLMError(
            f"the model server at {self.base_url} answered something that is not a chat "
            f"completion ({type(exc).__name__}: {exc})",
            code=BAD_REPLY,
        )

    def _read(
        self, response: ChatCompletion, latency_ms: float, send_grammar: bool
    ) -> ChatResponse:
        """The completions of a response; an attribute error means it was not one."""
        if not response.choices:
            error = (response.model_extra or {}).get("error")
            said = (
                f": {error.get('message') if isinstance(error, dict) else error}" if error else ""
            )
            raise LLMError(
                f"the model server at {self.base_url} returned no choices{said}", code=BAD_REPLY
            )

        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage is not None else 0
        choices = sorted(response.choices, key=lambda c: c.index)
        shares = _split(usage.completion_tokens if usage is not None else 0, len(choices))
        completions = tuple(
            Completion(
                text=choice.message.content or "",
                finish_reason=choice.finish_reason,
                prompt_tokens=prompt_tokens if i == 0 else 0,
                completion_tokens=shares[i],
                latency_ms=latency_ms,
            )
            for i, choice in enumerate(choices)
        )
        extra: dict[str, object] = {
            "usage": usage.model_dump() if usage is not None else None,
            "grammar_sent": send_grammar,
            "response_id": response.id,
        }
        return ChatResponse(completions=completions, model=response.model, calls=1, extra=extra)

    def _too_large(self, exc: ReplyTooLarge) -> LLMError:
        return LLMError(
            f"the model server at {self.base_url} sent a reply larger than "
            f"{exc.limit} bytes (LOGICSVC_LLM_MAX_REPLY_BYTES); it was dropped"
        )

    @staticmethod
    def _path_missing(exc: APIError) -> bool:
        """A 404 for the endpoint itself (a base URL without ``/v1``, say), not one the API
        answered: a web server's 404 (``{"detail": "Not Found"}``, HTML) has no
        OpenAI-style error message."""
        return not (isinstance(exc.body, dict) and exc.body.get("message"))

    def _map_error(self, exc: APIError) -> LLMError:
        import openai

        retries = self.settings.llm_max_retries
        if isinstance(exc.__cause__, ReplyTooLarge):
            return self._too_large(exc.__cause__)
        if isinstance(exc, openai.APITimeoutError):
            return LLMUnavailableError(
                f"the model server at {self.base_url} did not answer within "
                f"{self.settings.llm_timeout_s:g} s ({retries} retries)"
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailableError(
                f"cannot reach the model server at {self.base_url}: {exc.message} "
                f"({retries} retries)"
            )
        if isinstance(exc, openai.APIStatusError):
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("message") or exc.message
            code = body.get("code")
            tag = f" [{code}]" if code else ""
            text = f"the model server answered HTTP {exc.status_code}{tag}: {detail}"
            if exc.status_code in _UNAVAILABLE_STATUSES:
                return LLMUnavailableError(text)
            if exc.status_code == 429:
                return LLMBusyError(f"{text} (rate limited after {retries} retries)")
            if exc.status_code in _REFUSED_STATUSES:
                return LLMUnavailableError(
                    f"{text} (the API key was refused: check LOGICSVC_LLM_API_KEY / OPENAI_API_KEY)"
                )
            if exc.status_code == 404 and (
                code == "model_not_found" or _NO_SUCH_MODEL.search(str(detail))
            ):
                return LLMUnavailableError(
                    f"{text} (check LOGICSVC_LLM_MODEL: the server does not serve that model)"
                )
            if exc.status_code >= 500:  # the server's trouble of the moment
                return LLMError(text, code=BAD_REPLY)
            if exc.status_code == 404 and self._path_missing(exc):
                return LLMUnavailableError(
                    f"{text}: {exc.request.url} does not exist, so every request would fail "
                    "(check LOGICSVC_LLM_BASE_URL: it must include the API prefix, usually /v1)"
                )
            return LLMError(text)
        return LLMError(f"bad response from the model server at {self.base_url}: {exc.message}")

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()

    async def __aenter__(self) -> OpenAICompatBackend:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` integers differing by at most one, larger first."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]
