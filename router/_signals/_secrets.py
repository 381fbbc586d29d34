"""Credentials: provider API keys and tokens (type ``api_key``) and PEM private keys
(type ``private_key``).

Each provider's token has a fixed prefix, so the patterns below are precise on their own;
the cost is keeping the scan off ordinary prose. Python's ``re`` has no fast multi-literal
search, and a pass of the combined pattern costs about 40 µs per 1,000 characters, so the
pattern is never run over the text: each prefix is located with ``str.find`` (a vectorised
substring search) and the pattern is matched only where a prefix occurs.

Random-looking values are required where a prefix alone would also match English or code
(``sk-learn-tutorial-notebook``): the body must mix letters and digits.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from router._signals._keyword_search import AS_WRITTEN, Family, Markers
from router._signals._text import lower_same_length, merged_windows

__all__ = ["SECRET_TYPES", "SecretDetector"]

SECRET_TYPES: Final = ("api_key", "private_key")

Span = tuple[str, int, int]

# Each alternative's group named ``fixed`` is a token whose format is exact; ``loose`` ones
# must also look random. The value alone is reported, never the label before it.
_TOKEN: Final = re.compile(
    r"""
    (?:
      (?P<fixed>
        (?:AKIA|ASIA)[0-9A-Z]{16}                      # AWS access key id (long-term, session)
      | AIza[0-9A-Za-z_-]{35}                          # Google API key
      | gh[pousr]_[A-Za-z0-9]{36,255}                  # GitHub tokens
      | github_pat_[A-Za-z0-9_]{22,255}                # GitHub fine-grained token
      | eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*   # JWT: header.payload.sig
      | glpat-[A-Za-z0-9_-]{20,}                       # GitLab personal access token
      | SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}       # SendGrid API key
      | npm_[A-Za-z0-9]{36}                            # npm access token
      | pypi-AgE[A-Za-z0-9_-]{40,}                     # PyPI API token (a macaroon)
      | dckr_pat_[A-Za-z0-9_-]{20,}                    # Docker Hub personal access token
      | dapi[0-9a-f]{32}(?:-[0-9]+)?                   # Databricks
      | shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}             # Shopify
      | do[opr]_v1_[0-9a-f]{64}                        # DigitalOcean
      | gl(?:c|sa)_[A-Za-z0-9+/_]{32,}={0,2}           # Grafana (cloud, service account)
      | hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24}  # Slack webhook
      | discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,100}       # Discord webhook
      | ATATT3[A-Za-z0-9_=-]{60,}                      # Atlassian API token
      | hf_[A-Za-z]{34}                                # Hugging Face: 34 letters, often no digit
      | GOCSPX-[A-Za-z0-9_-]{28}                       # Google OAuth client secret
      | AGE-SECRET-KEY-1[0-9A-Z]{58}                   # age encryption secret key (Bech32)
      )
    | (?P<loose>
        sk-ant-[A-Za-z0-9_-]{32,}                      # Anthropic
      | sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}  # OpenAI (and compatible providers)
      | [sr]k_(?:live|test)_[0-9A-Za-z]{20,}           # Stripe secret / restricted key, live or test
      | xox[abposr]-[0-9A-Za-z-]{10,}                  # Slack
      | hf_[A-Za-z0-9]{30,}                            # Hugging Face
      | whsec_[A-Za-z0-9+/]{24,}={0,2}                 # Stripe (and Svix) webhook signing secret
      | ya29\.[0-9A-Za-z_-]{20,}                      # Google OAuth access token
      # The other model providers a router's users hold keys for, and tools teams paste.
      | gsk_[A-Za-z0-9]{40,64}                         # Groq
      | xai-[A-Za-z0-9]{40,100}                        # xAI
      | pplx-[A-Za-z0-9]{32,64}                        # Perplexity
      | r8_[A-Za-z0-9]{30,40}                          # Replicate
      | fw_[A-Za-z0-9]{20,}                            # Fireworks
      | key-[0-9a-z]{32}                               # Mailgun
      | SK[0-9a-f]{32}                                 # Twilio API key
      | sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}            # Square
      | lin_api_[A-Za-z0-9]{32,64}                     # Linear
      | ntn_[A-Za-z0-9]{32,64}                         # Notion integration
      | secret_[A-Za-z0-9]{40,50}                      # Notion integration, older form
      )
    )
    (?![A-Za-z0-9_-])
    """,
    re.VERBOSE,
)

# Tokens that only a label in front of them identifies: "Bearer <token>", an Azure storage
# AccountKey, or an assignment to a credential-named key in code or config.
_VALUE: Final = r"(?P<value>[A-Za-z0-9_~+/.-]{16,}={0,2})(?![A-Za-z0-9_~+/.=-])"
# "Basic" as HTTP headers write it: the lower-case word is common prose, and each search for
# these labels is a pass over the whole text (3 ms per 100,000 characters).
_BEARER: Final = re.compile(r"(?<![A-Za-z0-9_])(?:[Bb]earer[ \t]+|Basic[ \t]+|AccountKey=)" + _VALUE)
# An HTTP ``Authorization`` header with any scheme: GitHub's "token", "Digest", "ApiKey",
# Okta's "SSWS", a vendor's own, or none at all; the value is the credential whichever it is.
_AUTHORIZATION: Final = re.compile(
    r"(?<![A-Za-z0-9_])(?:[Aa]uthorization|AUTHORIZATION)[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"(?:[A-Za-z][A-Za-z0-9_-]{1,30}[ \t]+)?" + _VALUE
)
# Assigned in code or config, or said in prose: "my api key is 3f9a…" (a value of 16
# characters or more that mixes letters and digits, as ``_assigned_after`` checks).
_ASSIGNED: Final = re.compile(
    r"""["'`]?(?:[ \t]*[:=]|[ \t]+(?:is|was|ist|lautet|est|es|è|é))[ \t]*["'`]?""" + _VALUE
)
# Or written after its name with a space alone, as chat does: "api key 3f9a…", "auth token
# 9f8e…", "the token 9f8e… stopped working". Only after a name that is always a credential
# (not "secret", "session" or "signature", which prose puts before anything: "top secret
# 2024Q3-roadmap"), and only a value with no word of letters in it (``_spoken_value``).
_SPOKEN: Final = re.compile(r"[ \t]+[\"'`]?" + _VALUE)
# A key's name, which both forms take: "api_key", "secret key", "apikey".
_KEY_NAME: Final = (
    r"(?:api|access|secret|auth|client|private|signing|encryption|master|consumer)[ _-]?key|apikey"
)
_SPOKEN_NAME: Final = re.compile(
    rf"(?:{_KEY_NAME}|token|(?:api|app|client|consumer|signing|webhook)[ _-]?secret)\Z", re.IGNORECASE
)
_WORDS_IN_VALUE: Final = re.compile(r"(?:\A|[-_./])[a-z]{4,}(?:\Z|[-_./])")
# A name ending in "token" or "secret" names a credential (``refresh_token``, ``BOT_TOKEN``,
# ``webhook_secret``, ``token:``); "key" alone is too common (a dictionary's, a primary key).
# So does a signed URL's signature (``sig=`` of an Azure SAS, ``X-Amz-Signature=``,
# ``X-Goog-Signature=``: whoever holds the URL reads the object) and a session cookie
# (``session=``, ``PHPSESSID=``, ``laravel_session=``: whoever holds it is signed in).
# A session id by its cookie's name (``JSESSIONID=``, ``connect.sid=``) and a registry's
# ``"auth"`` (Docker's config.json: base64 of the user and password) name one too, as names
# of their own, not the ends of longer words ("inside", "author").
_CREDENTIAL_NAME: Final = re.compile(
    rf"(?:{_KEY_NAME}|token|secret|signature|sig|session|sessid|sessionid|(?<![a-z])sid|(?<![a-z])auth)\Z",
    re.IGNORECASE,
)
_NAME_ENDINGS: Final = (
    "key", "token", "secret", "signature", "sig", "session", "sessid", "sessionid", "sid", "auth",
)  # fmt: skip

_MAILCHIMP: Final = re.compile(r"(?<![0-9A-Za-z])(?P<hex>[0-9a-f]{32})-us[0-9]{1,2}(?![0-9A-Za-z])")
# A link's path that hands its token to the server to act on: "/reset/<token>",
# "/magic-link/<token>", "/invite/<token>", "/verify-email/<token>".
_CAPABILITY_LINK: Final = re.compile(
    r"/(?:reset|reset-password|password-reset|password/reset|magic|magic-link|magic_link|login/token"
    r"|invite|invitation|accept-invite|verify|verify-email|confirm|confirm-email|activate)"
    r"/(?P<value>[A-Za-z0-9_-]{16,200})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
_TELEGRAM: Final = re.compile(r"[0-9]{8,10}:AA[A-Za-z0-9_-]{30,40}(?![A-Za-z0-9_-])")

_AWS_KEY_ID: Final = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])")
_AWS_SECRET: Final = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_SECRET_REACH: Final = 200  # an id's secret is written next to it: same line or block

_PEM_BEGIN: Final = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END: Final = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# The body runs over base64, white space and the headers of an encrypted key, and over the
# "\n" escapes of a key written inside a JSON or code string (a service account's key file).
_PEM_BODY: Final = re.compile(r"(?:[A-Za-z0-9+/=\s:,.]|-(?!----)|\\{1,2}[nrt])*")
_PEM_MIN_BODY = 64  # a header quoted without key material is documentation, not a key
# Key material: base64 in runs longer than words (a PEM line is 64 characters). This much of
# it is a key, or part of one, on the header's line or without an END line; the reading
# ends after the last run, not at the prose after it.
_PEM_MATERIAL: Final = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_PEM_MIN_MATERIAL = 40
# A PEM key base64-encoded again, as a kubeconfig's ``client-key-data`` or a Kubernetes
# Secret carries it: "LS0tLS1CRUdJTi" is "-----BEGIN" so encoded. A certificate so encoded is
# public; the decoded header says which it is.
_ENCODED_PEM_MARK: Final = "LS0tLS1CRUdJTi"
_ENCODED_PEM: Final = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2}")
_ENCODED_HEADER: Final = 60  # base64 characters: the 45 bytes of the longest key header

# Every prefix a ``_TOKEN`` alternative starts with, grouped under one of its characters
# that is rare in prose: a one-character test (memchr) decides whether the group's
# prefixes are searched for at all.
_TOKEN_PREFIXES: Final = (
    ("K", ("AKIA",)),
    ("S", ("ASIA",)),
    ("z", ("AIza",)),
    ("J", ("eyJ",)),
    ("_", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk_live_", "rk_live_", "sk_test_")),
    ("_", ("rk_test_", "hf_", "npm_", "dckr_pat_", "shpat_", "shpss_", "shpca_", "shppa_")),
    ("_", ("dop_v1_", "doo_v1_", "dor_v1_", "glc_", "glsa_", "whsec_")),
    ("_", ("gsk_", "r8_", "fw_", "lin_api_", "ntn_", "secret_")),
    ("-", ("xai-", "pplx-", "key-", "sq0atp-", "sq0csp-", "GOCSPX-")),
    ("ATATT", ("ATATT3",)),
    ("ya29.", ("ya29.",)),
    ("AGE-", ("AGE-SECRET-KEY-1",)),
    ("dapi", ("dapi",)),
    ("-", ("sk-", "xox", "glpat-", "pypi-")),
    ("G", ("SG.",)),
    ("SK", ("SK",)),
    # A webhook's URL is its credential: whoever has it posts to the channel.
    ("hooks.slack", ("hooks.slack.com/",)),
    ("/api/webhooks/", ("discord.com/api/webhooks/", "discordapp.com/api/webhooks/")),
)
# The prefixes found in one Aho-Corasick pass over the text (``_keyword_search``): 0.3 ms a
# 100,000 characters, where a ``str.find`` loop per prefix took 0.7-1.4 ms between them. No
# prefix begins another, so each place holds at most one.
_PREFIX_FAMILY: Final = Family((prefix for _, prefixes in _TOKEN_PREFIXES for prefix in prefixes), AS_WRITTEN)
# What the rarer kinds need in the text before they are looked for.
# The label-led token patterns and the markers one of which a text needs before each is run.
_LABELLED_TOKENS: Final = (
    (_BEARER, ("earer", "Basic", "AccountKey=")),
    (_AUTHORIZATION, ("uthorization", "UTHORIZATION")),
)
_MARKERS: Final = Markers(
    (
        "-----BEGIN",
        _ENCODED_PEM_MARK,
        "AKIA",
        "ASIA",
        ":AA",
        "earer",
        "Basic",
        "AccountKey=",
        "uthorization",
        "UTHORIZATION",
    )
)
# The credential-name endings, found in the shared pass over the lower-cased text.
_NAME_ENDING_FAMILY: Final = Family(_NAME_ENDINGS)
_TOKEN_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class SecretDetector:
    """Finds API keys, access tokens and PEM private keys."""

    def __init__(self, types: Iterable[str] = SECRET_TYPES) -> None:
        wanted = frozenset(types)
        unknown = wanted - set(SECRET_TYPES)
        if unknown:
            raise ValueError(f"SecretDetector cannot find {sorted(unknown)}; it finds {list(SECRET_TYPES)}")
        self.types: tuple[str, ...] = tuple(t for t in SECRET_TYPES if t in wanted)
        self._api_keys = "api_key" in wanted
        self._private_keys = "private_key" in wanted

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``(type, start, end)`` for every credential found."""
        has = _MARKERS.of(text)
        if self._private_keys and has("-----BEGIN"):
            yield from _private_keys(text)
        if self._private_keys and has(_ENCODED_PEM_MARK):
            yield from _encoded_private_keys(text)
        if self._api_keys:
            yield from _tokens(text, has)
            if "=" in text or ":" in text or " " in text:
                yield from _labelled(text, has)
            if "://" in text:
                yield from _capability_links(text)
            if "-us" in text:
                yield from _mailchimp_keys(text)


def _mailchimp_keys(text: str) -> Iterator[Span]:
    """Mailchimp API keys, 32 hex digits and the data centre (``…-us6``): found from each
    "-us", the one part a prefix search cannot start from."""
    at = text.find("-us")
    while at != -1:
        match = _MAILCHIMP.match(text, max(0, at - 32))
        if match is not None and match.end("hex") == at:
            yield "api_key", match.start(), match.end()
        at = text.find("-us", at + 3)


def _capability_links(text: str) -> Iterator[Span]:
    """The tokens of links that sign someone in or act for them: a password reset, a magic
    login link, an invitation, an e-mail confirmation ("https://app.example.com/reset/9f8e…").
    Whoever holds the link holds the account, as with a webhook's URL."""
    for match in _CAPABILITY_LINK.finditer(text):
        if _spoken_value(match.group("value")):
            yield "api_key", match.start("value"), match.end("value")


def _looks_random(value: str) -> bool:
    """Whether a token body mixes letters and digits, as generated secrets do."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _tokens(text: str, has: Callable[[str], bool]) -> Iterator[Span]:
    found = _PREFIX_FAMILY.occurrences(text)
    if found is None:
        for rare, prefixes in _TOKEN_PREFIXES:
            if rare in text:
                for prefix in prefixes:
                    yield from _tokens_after(text, prefix)
    else:
        for at, _ in found:
            if (token := _token_at(text, at)) is not None:
                yield token
    if has("AKIA") or has("ASIA"):
        yield from _aws_secrets(text)
    if has(":AA"):
        yield from _telegram_tokens(text)


def _telegram_tokens(text: str) -> Iterator[Span]:
    """Telegram bot tokens, ``<bot id>:AA<about 32 characters>``: found from their ":AA", the
    digits read backwards from it."""
    at = text.find(":AA")
    while at != -1:
        start = at
        while start > 0 and at - start < 10 and text[start - 1].isdigit():
            start -= 1
        if at - start >= 8 and (start == 0 or text[start - 1] not in _TOKEN_CHARS):
            match = _TELEGRAM.match(text, start)
            if match:
                yield "api_key", match.start(), match.end()
        at = text.find(":AA", at + 1)


def _tokens_after(text: str, prefix: str) -> Iterator[Span]:
    """Tokens starting with ``prefix``, wherever it occurs at the start of a word."""
    at = text.find(prefix)
    while at != -1:
        if (token := _token_at(text, at)) is not None:
            yield token
        at = text.find(prefix, at + 1)


def _token_at(text: str, at: int) -> Span | None:
    """The token starting at ``at``, where a prefix occurs."""
    # A prefix inside a longer identifier ("mask-…", "dashf_…") does not start a token.
    if at == 0 or text[at - 1] not in _TOKEN_CHARS:
        match = _TOKEN.match(text, at)
        if match and (match.group("fixed") or _looks_random(match.group()[4:])):
            return "api_key", match.start(), match.end()
    return None


def _aws_secrets(text: str) -> Iterator[Span]:
    """AWS secret access keys: 40 random base64 characters written near an access key id."""
    for low, high in merged_windows(
        (key_id.start() - _AWS_SECRET_REACH, key_id.end() + _AWS_SECRET_REACH)
        for key_id in _AWS_KEY_ID.finditer(text)
    ):
        for secret in _AWS_SECRET.finditer(text, max(0, low), min(len(text), high)):
            value = secret.group()
            # A 40-character hex run is a git commit or a SHA-1, not a key.
            if _looks_random(value) and not all(c in "0123456789abcdef" for c in value.lower()):
                yield "api_key", secret.start(), secret.end()


def _labelled(text: str, has: Callable[[str], bool]) -> Iterator[Span]:
    for pattern, markers in _LABELLED_TOKENS:
        if any(has(marker) for marker in markers):
            for match in pattern.finditer(text):
                if _looks_random(match.group("value")):
                    yield "api_key", match.start("value"), match.end("value")
    # Look from each credential-ish word to an "=" or ":" after it: prose has far more
    # colons than words ending in key, token or secret.
    lowered = lower_same_length(text)
    endings = _NAME_ENDING_FAMILY.occurrences(lowered)
    for ending in _NAME_ENDINGS:
        for at in _starts(lowered, ending, endings):
            if (found := _assigned_after(text, at + len(ending))) is not None:
                yield found


def _starts(lowered: str, ending: str, endings: list[tuple[int, int]] | None) -> Iterator[int]:
    """Where ``ending`` occurs in ``lowered``, in order: from the shared pass's ``endings``."""
    if endings is not None:
        yield from (start for start, end in endings if lowered[start:end] == ending)
        return
    at = lowered.find(ending)
    while at != -1:
        yield at
        at = lowered.find(ending, at + 1)


def _assigned_after(text: str, name_end: int) -> Span | None:
    """A credential assigned right after a name ending at ``name_end``: ``api_key = "..."``,
    or said after it with a space: "api key 3f9a…"."""
    match = _ASSIGNED.match(text, name_end)
    if match is not None:
        if not _looks_random(match.group("value")):
            return None
        if not _CREDENTIAL_NAME.search(text, max(0, name_end - 40), name_end):
            return None
        return "api_key", match.start("value"), match.end("value")
    match = _SPOKEN.match(text, name_end)
    if match is None or not _spoken_value(match.group("value")):
        return None
    if not _SPOKEN_NAME.search(text, max(0, name_end - 40), name_end):
        return None
    return "api_key", match.start("value"), match.end("value")


def _spoken_value(value: str) -> bool:
    """Whether a value written after a credential's name with only a space is one: generated
    characters with two digits and two letters at least, and no lower-case word among its
    parts ("token 2024-release-notes" names a document)."""
    return (
        sum(c.isdigit() for c in value) >= 2
        and sum(c.isalpha() for c in value) >= 2
        and _WORDS_IN_VALUE.search(value) is None
    )


def _encoded_private_keys(text: str) -> Iterator[Span]:
    """PEM private keys base64-encoded whole (``client-key-data: LS0tLS1CRUdJTiBSU0Eg…``)."""
    for match in _ENCODED_PEM.finditer(text):
        head = match.group()[:_ENCODED_HEADER]
        try:
            header = base64.b64decode(head[: len(head) // 4 * 4])
        except ValueError:
            continue
        if b"PRIVATE KEY" in header:
            yield "private_key", match.start(), match.end()


def _private_keys(text: str) -> Iterator[Span]:
    for begin in _PEM_BEGIN.finditer(text):
        body = _PEM_BODY.match(text, begin.end())
        body_end = body.end() if body else begin.end()
        runs = [run.span() for run in _PEM_MATERIAL.finditer(text, begin.end(), body_end)]
        material = sum(high - low for low, high in runs)
        if (
            material < _PEM_MIN_MATERIAL
            and sum(c.isalnum() for c in text[begin.end() : body_end]) < _PEM_MIN_BODY
        ):
            continue
        end = _PEM_END.match(text, body_end)
        yield "private_key", begin.start(), end.end() if end else (runs[-1][1] if runs else body_end)
