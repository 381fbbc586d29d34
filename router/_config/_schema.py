"""The routes.yaml schema: strict, frozen pydantic models.

Everything downstream of the loader receives these typed objects, never dicts.
Unknown keys are errors (``extra="forbid"``) so a typo such as ``clearence``
fails at load instead of silently falling back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails

from router._levels import Sensitivity
from router._signals._patterns import compiles, pattern_hazard
from router._signals._sensitivity import BUILTIN_TYPES
from router._signals._signal import Signal, conditions_model, registered, settings_model

_NAME = r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$"
_ENV_REF = re.compile(r"^os\.environ/[A-Za-z_][A-Za-z0-9_]*$")
_ISO_639_1 = re.compile(r"^[a-z]{2}$")

Name = Annotated[str, Field(pattern=_NAME, min_length=1, max_length=128)]


def _parse_level(value: Any) -> Any:
    # Levels are words in YAML ("confidential"); the enum is integer-ordered.
    return Sensitivity.parse(value) if isinstance(value, str) else value


Level = Annotated[
    Sensitivity,
    BeforeValidator(_parse_level),
    PlainSerializer(lambda level: level.label, return_type=str),
    WithJsonSchema({"enum": [level.label for level in Sensitivity], "type": "string"}),
]
USD = Annotated[float, Field(ge=0)]

BUILTIN_FINDINGS: tuple[str, ...] = BUILTIN_TYPES
"""The finding types the built-in detectors emit; routes.yaml may set each one's level."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- models


class ProviderParams(_Strict):
    """Parameters handed to litellm for this model. Keys come from the environment only."""

    api_base: str | None = None
    api_key: str | None = Field(
        default=None, description="An environment reference such as os.environ/OPENAI_API_KEY"
    )
    api_version: str | None = None
    timeout: Annotated[float, Field(gt=0)] | None = Field(default=None, description="seconds per request")
    extra: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("api_key")
    @classmethod
    def _key_is_env_reference(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_REF.match(value):
            # Never echo the value: it may be a real key pasted by mistake.
            raise ValueError(
                "api_key must be an environment reference such as os.environ/OPENAI_API_KEY; "
                "keys are never written into routes.yaml"
            )
        return value

    @property
    def api_key_env(self) -> str | None:
        """The environment variable that holds the key, if any."""
        return self.api_key.split("/", 1)[1] if self.api_key else None


class Deployment(_Strict):
    kind: Literal["self_hosted", "cloud"] = "cloud"
    region: str | None = None


class ModelSpec(_Strict):
    """One model the router may call."""

    name: Name
    model: str = Field(min_length=1, description="litellm model id, e.g. openai/gpt-4o-mini")
    params: ProviderParams = ProviderParams()
    clearance: Level = Sensitivity.INTERNAL
    deployment: Deployment = Deployment()
    languages: tuple[str, ...] = ("*",)
    context_window: Annotated[int, Field(gt=0)] | None = None
    max_output_tokens: Annotated[int, Field(gt=0)] | None = None
    input_cost_per_token: USD | None = None
    output_cost_per_token: USD | None = None
    capabilities: tuple[str, ...] | None = Field(
        default=None,
        description="capability tags; when given, the whole truth (else litellm's catalogue flags)",
    )
    rpm: Annotated[int, Field(gt=0)] | None = None
    tpm: Annotated[int, Field(gt=0)] | None = None

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if code != "*" and not _ISO_639_1.match(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code (two lower-case letters) or '*'")
        if not value:
            raise ValueError("list at least one language, or '*' for any")
        return value

    @property
    def provider(self) -> str:
        """The provider part of the litellm id (``openai`` for ``openai/gpt-4o``)."""
        head, sep, _ = self.model.partition("/")
        return head if sep else "openai"

    def speaks(self, language: str) -> bool:
        return "*" in self.languages or language in self.languages


# --------------------------------------------------------------------------- signals


class CustomTermSpec(_Strict):
    """Organisation-specific terms (project code names, client names) and their level."""

    name: Name
    level: Level
    keywords: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()

    @field_validator("regex")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            broken = compiles(pattern)
            if broken:
                raise ValueError(f"regex {pattern!r} does not compile: {broken}")
            if re.fullmatch(pattern, ""):
                raise ValueError(f"regex {pattern!r} matches the empty string, so it would flag every text")
            hazard = pattern_hazard(pattern)
            if hazard:
                raise ValueError(f"regex {pattern!r} could hang the router: {hazard}")
        return value

    @model_validator(mode="after")
    def _has_terms(self) -> CustomTermSpec:
        if not self.keywords and not self.regex:
            raise ValueError(f"custom term {self.name!r} needs keywords or regex")
        return self


class DeepTierSpec(_Strict):
    """An optional named-entity model run after the fast tier; never required, never downloaded."""

    backend: Literal["spacy", "gliner"]
    model: str = Field(description="a spaCy package name or folder, or a GLiNER model folder")
    run: Literal["borderline", "always"] = Field(
        default="borderline", description="borderline: only texts with a capitalised word no finding explains"
    )
    max_chars: Annotated[int, Field(gt=0)] = 20_000


class SensitivitySignal(_Strict):
    """Finding types and the level each one gives a task.

    ``detectors`` overrides the built-in defaults type by type; ``off`` turns a
    detector off. Types left out keep their default level, so forgetting one
    never silently lowers protection.
    """

    detectors: dict[str, Level | Literal["off"]] = Field(default_factory=dict)
    custom_terms: tuple[CustomTermSpec, ...] = ()
    deep: DeepTierSpec | None = None
    unreadable: Level = Field(
        default=Sensitivity.CONFIDENTIAL,
        description="the least level of a task with content the router cannot read (images, audio, files)",
    )

    @field_validator("detectors")
    @classmethod
    def _known_types(cls, value: dict[str, Sensitivity | str]) -> dict[str, Sensitivity | str]:
        for name in value:
            if name not in BUILTIN_FINDINGS:
                raise ValueError(
                    f"unknown detector {name!r}; built-in detectors: {', '.join(BUILTIN_FINDINGS)}"
                )
        return value

    @model_validator(mode="after")
    def _custom_names_unique(self) -> SensitivitySignal:
        seen: set[str] = set(BUILTIN_FINDINGS)
        for term in self.custom_terms:
            if term.name in seen:
                raise ValueError(
                    f"custom term name {term.name!r} is already used by a detector or another term"
                )
            seen.add(term.name)
        return self

    @property
    def finding_types(self) -> tuple[str, ...]:
        return BUILTIN_FINDINGS + tuple(term.name for term in self.custom_terms)


class SignalSettings(_Strict):
    """The ``signals:`` section: each registered signal's settings under its name, and the
    output length assumed when a request gives no ``max_tokens``."""

    default_output_tokens: Annotated[int, Field(gt=0)] = 512
    settings: Any = Field(default=None, exclude=True)
    """The per-signal settings (a model built from the signal registry); read with ``of``."""

    @model_validator(mode="wrap")
    @classmethod
    def _split(cls, data: Any, handler: ModelWrapValidatorHandler[SignalSettings]) -> SignalSettings:
        return cast(SignalSettings, _with_signal_keys(data, handler, settings_model(), "settings"))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _registry_schema(schema, handler, settings_model(), "settings")

    @classmethod
    def known_keys(cls) -> list[str]:
        """The keys this section takes, for "did you mean" hints."""
        return [*settings_model().model_fields, "default_output_tokens"]

    def of(self, name: str) -> Any:
        """The settings of the signal called ``name`` (its defaults when the file gives none)."""
        return getattr(self.settings, name, None) or registered()[name].settings()


# --------------------------------------------------------------------------- rules


class When(_Strict):
    """A rule's conditions, all of which must hold: one per registered signal (``tokens``,
    ``language``, ``sensitivity``, ...), plus the request's team, tags and metadata."""

    team: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = Field(
        default=None, description="matches when the request has any of these"
    )
    metadata: dict[str, str] | None = Field(default=None, description="matches when every key has this value")
    conditions: Any = Field(default=None, exclude=True)
    """The signal conditions (a model built from the signal registry); see ``signal_conditions``."""

    @model_validator(mode="wrap")
    @classmethod
    def _split(cls, data: Any, handler: ModelWrapValidatorHandler[When]) -> When:
        return cast(When, _with_signal_keys(data, handler, conditions_model(), "conditions"))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _registry_schema(schema, handler, conditions_model(), "conditions")

    @classmethod
    def known_keys(cls) -> list[str]:
        """The keys a ``when`` takes, for "did you mean" hints."""
        return [*conditions_model().model_fields, "team", "tags", "metadata"]

    @field_validator("team", "tags", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    _checks: tuple[tuple[Signal, BaseModel], ...] = PrivateAttr(default=())

    def model_post_init(self, context: Any) -> None:
        # Paired with their signals once, so matching a rule is a loop of checks.
        signals = registered()
        given = dict(self.conditions) if self.conditions is not None else {}
        self._checks = tuple((signals[name], value) for name, value in given.items() if value is not None)

    @property
    def signal_conditions(self) -> dict[str, BaseModel]:
        """The signal conditions given, by signal name, in registry order."""
        return {signal.name: condition for signal, condition in self._checks}

    @property
    def signal_checks(self) -> tuple[tuple[Signal, BaseModel], ...]:
        """Each signal condition given, with the signal that checks it."""
        return self._checks

    @property
    def is_empty(self) -> bool:
        return not self._checks and self.team is None and self.tags is None and self.metadata is None


def _with_signal_keys(data: Any, handler: Any, model: type[BaseModel], into: str) -> Any:
    """Validate the keys named after registered signals with ``model`` (the registry's), the rest
    with ``handler``, and report the problems of both at once with their full paths."""
    if not isinstance(data, Mapping):
        return handler(data)
    errors: list[InitErrorDetails] = []
    if into in data:  # the field the signals' values go in is not a key routes.yaml may set
        errors.append(InitErrorDetails(type="extra_forbidden", loc=(into,), input=data[into]))
    own = {key: value for key, value in data.items() if key not in model.model_fields and key != into}
    picked = {key: value for key, value in data.items() if key in model.model_fields}
    parsed = result = None
    try:
        parsed = model.model_validate(picked)
    except ValidationError as exc:
        errors.extend(_details(exc))
    try:
        result = handler({**own, into: parsed})
    except ValidationError as exc:
        errors.extend(_details(exc))
    if errors:
        order = {key: position for position, key in enumerate(data)}
        errors.sort(key=lambda error: order.get(error["loc"][0] if error["loc"] else "", len(order)))
        raise ValidationError.from_exception_data(model.__name__, errors)
    return result


def _details(exc: ValidationError) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx", {}))
        for e in exc.errors()
    ]


def _registry_schema(
    schema: CoreSchema, handler: GetJsonSchemaHandler, model: type[BaseModel], into: str
) -> JsonSchemaValue:
    """A section's JSON Schema with the registry's fields in place of ``into`` (``router schema``)."""
    reference = handler(schema)
    section = handler.resolve_ref_schema(reference)
    added = handler.resolve_ref_schema(handler(model.__pydantic_core_schema__))
    properties = {**added.get("properties", {}), **section.get("properties", {})}
    properties.pop(into, None)
    section["properties"] = properties
    return reference


class Rule(_Strict):
    name: Name
    description: str | None = None
    when: When | None = None
    pool: tuple[str, ...] | Literal["*"] = "*"
    require: tuple[str, ...] = Field(default=(), description="capability tags every candidate must have")
    max_cost_per_request_usd: USD | None = None
    pseudonymise: tuple[Level, ...] = Field(
        default=(),
        description=(
            "levels whose findings are replaced by typed placeholders (<PERSON_1>) so a model "
            "cleared only for the level left over may take the task; never 'restricted'"
        ),
    )

    @field_validator("pseudonymise", mode="before")
    @classmethod
    def _one_or_many_levels(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @property
    def matches_all(self) -> bool:
        return self.when is None or self.when.is_empty


# --------------------------------------------------------------------------- policies


class FallbackPolicy(_Strict):
    attempts_per_model: Annotated[int, Field(ge=1, le=10)] = 2
    backoff_base_s: Annotated[float, Field(ge=0)] = 0.5
    backoff_max_s: Annotated[float, Field(ge=0)] = 8.0
    deadline_s: Annotated[float, Field(gt=0)] = 120.0
    max_retry_after_s: Annotated[float, Field(ge=0)] = 30.0
    # Bounded: a provider's 401 parks the model for everyone, so the parking must end by itself.
    auth_cooldown_s: Annotated[float, Field(ge=0, le=3600)] = 300.0


class CircuitBreakerPolicy(_Strict):
    failure_threshold: Annotated[int, Field(ge=1)] = 5
    window_s: Annotated[float, Field(gt=0)] = 60.0
    cooldown_s: Annotated[float, Field(gt=0)] = 30.0


class RateLimitPolicy(_Strict):
    max_wait_s: Annotated[float, Field(ge=0)] = 2.0


class Budget(_Strict):
    name: Name | None = None
    scope: Literal["global", "model", "provider", "team", "tag"] = "global"
    target: str | None = Field(default=None, description="the model, provider, team or tag; not for global")
    limit_usd: Annotated[float, Field(gt=0)]
    period: Literal["day", "week", "month"] = "month"
    action: Literal["skip", "reject"] = "reject"
    alert_at: Annotated[float, Field(gt=0, le=1)] = 0.8

    @model_validator(mode="after")
    def _target_matches_scope(self) -> Budget:
        if self.scope == "global" and self.target is not None:
            raise ValueError("a global budget takes no target")
        if self.scope != "global" and not self.target:
            raise ValueError(f"a {self.scope} budget needs a target (the {self.scope} it limits)")
        return self

    @property
    def key(self) -> str:
        return self.name or (self.scope if self.scope == "global" else f"{self.scope}:{self.target}")


class Policies(_Strict):
    max_cost_per_request_usd: USD | None = None
    unsupported_params: Literal["exclude", "drop"] = Field(
        default="exclude",
        description="a chat parameter a model does not take excludes that model, or is dropped for it",
    )
    fallback: FallbackPolicy = FallbackPolicy()
    circuit_breaker: CircuitBreakerPolicy = CircuitBreakerPolicy()
    rate_limits: RateLimitPolicy = RateLimitPolicy()
    budgets: tuple[Budget, ...] = ()


# --------------------------------------------------------------------------- simulation


class InjectedFailure(_Strict):
    """A failure the simulated provider produces for one model (for demos and tests)."""

    model: str
    kind: Literal["rate_limit", "timeout", "server_error", "outage", "context_window", "auth", "bad_request"]
    rate: Annotated[float, Field(ge=0, le=1)] = 1.0
    retry_after_s: Annotated[float, Field(ge=0)] | None = None


class Simulation(_Strict):
    latency_ms: Annotated[float, Field(ge=0)] = 0.0
    failures: tuple[InjectedFailure, ...] = ()
    seed: int | None = None


# --------------------------------------------------------------------------- the file


class RoutesConfig(_Strict):
    """The whole routes.yaml."""

    version: Literal[1] = 1
    teams: tuple[str, ...] | None = Field(
        default=None, description="known teams; when given, names are checked"
    )
    models: tuple[ModelSpec, ...] = Field(min_length=1)
    signals: SignalSettings = Field(default_factory=SignalSettings)
    rules: tuple[Rule, ...] = Field(min_length=1)
    policies: Policies = Policies()
    simulation: Simulation = Simulation()

    def model(self, name: str) -> ModelSpec:
        return self._by_name[name]

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.models)

    @property
    def _by_name(self) -> dict[str, ModelSpec]:
        return {spec.name: spec for spec in self.models}

    def pool(self, rule: Rule) -> tuple[ModelSpec, ...]:
        names = self.model_names if rule.pool == "*" else rule.pool
        return tuple(self._by_name[name] for name in names)
