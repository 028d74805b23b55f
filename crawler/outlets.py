"""Outlet specs: an outlet is a block of YAML, validated when it is loaded.

``load_outlets`` reads the shipped ``config/outlets.yaml`` and then each user file in
order. A user entry whose ``name`` matches a known outlet overrides only the fields it
gives; any other entry adds an outlet. Every problem is a :class:`ConfigError` naming the
file, the outlet and the field, raised before anything is crawled.

Layers of defaults, lowest first: the built-in values below, the ``outlet_defaults`` of
``config/settings.yaml``, a file's own ``defaults:`` block (for the outlets that file
adds, not for overrides), then the outlet entry itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import yaml
from apscheduler.triggers.cron import CronTrigger

from crawler.urls import host_matches, path_and_query
from extract import SiteRules, Topic

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_SETTINGS",
    "ConfigError",
    "OutletPolicies",
    "OutletSpec",
    "load_outlets",
    "parse_interval",
]

_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
DEFAULT_CONFIG = _CONFIG_DIR / "outlets.yaml"
DEFAULT_SETTINGS = _CONFIG_DIR / "settings.yaml"


class ConfigError(ValueError):
    """Raised by :func:`load_outlets` for an outlet config that cannot be used.

    ``file``, ``outlet`` and ``field`` say where; the message says what to change.
    """

    def __init__(self, message: str, *, file: str | Path, outlet: str | None = None,
                 field: str | None = None, line: int | None = None) -> None:
        self.file = str(file)
        self.outlet = outlet
        self.field = field
        self.line = line
        where = self.file if line is None else f"{self.file}:{line}"
        if outlet is not None:
            where += f": outlet {outlet!r}"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class OutletSpec:
    """One outlet: where to discover its articles and which URLs are articles."""

    name: str
    domains: tuple[str, ...]
    language: str | None
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    sections: tuple[str, ...]
    article_patterns: tuple[re.Pattern, ...]
    exclude_patterns: tuple[re.Pattern, ...]
    schedule: str
    jitter_seconds: int
    section_depth: int
    max_age_days: int | None
    topics: tuple[Topic, ...]
    require_topic: bool
    adaptive: tuple[int, int] | None  # (min, max) interval in seconds
    download_delay: float | None
    concurrency: int | None
    source: str  # the file that defined the outlet, then any that overrode it
    rules: SiteRules | None = None  # per-outlet extraction selectors, passed to extract_page

    def allows(self, url: str) -> bool:
        """True when the URL is http(s) on one of the outlet's domains or a subdomain."""
        return host_matches(url, self.domains)

    def exclusion_reason(self, url: str) -> str | None:
        """Why the URL is not an article of this outlet, or None when it is one.

        One of ``offsite``, ``excluded``, ``not_article_pattern``: the crawl stats name.
        """
        if not self.allows(url):
            return "offsite"
        target = path_and_query(url)
        if any(p.search(target) for p in self.exclude_patterns):
            return "excluded"
        if not any(p.search(target) for p in self.article_patterns):
            return "not_article_pattern"
        return None

    def is_article_url(self, url: str) -> bool:
        """True when the URL is on the outlet, matches an article pattern and no exclusion."""
        return self.exclusion_reason(url) is None


# ---------------------------------------------------------------------------- loading

_BUILTIN_DEFAULTS: dict[str, Any] = {
    "language": None,
    "feeds": [],
    "sitemaps": [],
    "sections": [],
    "exclude_patterns": [],
    "schedule": "*/30 * * * *",
    "jitter_seconds": 0,
    "section_depth": 1,
    "max_age_days": None,
    "topics": {},
    "adaptive": None,
    "download_delay": None,
    "concurrency": None,
    "rules": None,
}
# Keys an outlet entry may carry; `base_url` and `news_sitemaps` are consumed on load.
_OUTLET_KEYS = frozenset(_BUILTIN_DEFAULTS) | {
    "name", "domains", "article_patterns", "require_topic", "base_url", "news_sitemaps",
}
_DEFAULTABLE_KEYS = _OUTLET_KEYS - {"name", "domains", "base_url"}
_FILE_KEYS = frozenset({"outlets", "defaults"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_DOMAIN = re.compile(r"^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$")
_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> int:
    """Seconds in an interval such as ``'90s'``, ``'30m'``, ``'2h'`` or ``'1d'``.

    Raises ValueError for anything else, or for a zero interval.
    """
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an interval; write a number and a unit: 90s, 30m, 2h, 1d")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"interval {text!r} must be longer than zero")
    return seconds


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping.

    PyYAML silently keeps the last value, which would hide a user's typo'd override.
    """


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"found duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found; check the path given to --config", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file ({exc}); save it as UTF-8 text", file=path) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ConfigError(f"YAML syntax error: {problem}; fix the YAML at this line",
                          file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=path) from None


def _settings_defaults(path: Path) -> dict[str, Any]:
    """The ``outlet_defaults`` block of settings.yaml, or nothing when it is absent."""
    if not path.exists():
        return {}
    data = _read_yaml(path) or {}
    block = data.get("outlet_defaults", {}) if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise ConfigError("'outlet_defaults' must be a mapping of outlet fields", file=path)
    _check_keys(block, _DEFAULTABLE_KEYS, file=path, outlet=None, what="outlet_defaults")
    return block


def _check_keys(entry: Mapping, allowed: frozenset, *, file: Path, outlet: str | None, what: str) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(
                f"unknown key in {what}; allowed keys: {', '.join(sorted(allowed))}",
                file=file, outlet=outlet, field=str(key))


def _file_entries(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A file's ``defaults`` block and its outlet entries, shape-checked."""
    data = _read_yaml(path)
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        raise ConfigError("the file must be a mapping with an 'outlets:' list", file=path)
    _check_keys(data, _FILE_KEYS, file=path, outlet=None, what="the top level")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("'defaults' must be a mapping of outlet fields", file=path, field="defaults")
    _check_keys(defaults, _DEFAULTABLE_KEYS, file=path, outlet=None, what="defaults")
    entries = data.get("outlets") or []
    if not isinstance(entries, list):
        raise ConfigError("'outlets' must be a list of outlet mappings (each starting '- name:')",
                          file=path, field="outlets")
    names: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"outlet #{index + 1} is not a mapping; start it with '- name: ...'",
                              file=path, field="outlets")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(
                f"outlet #{index + 1} needs a 'name' of lower-case letters, digits, '-' or '_' "
                f"(got {name!r})", file=path, outlet=name if isinstance(name, str) else None,
                field="name")
        if name in names:
            raise ConfigError("the same outlet name appears twice in this file; merge the entries",
                              file=path, outlet=name, field="name")
        names.add(name)
        _check_keys(entry, _OUTLET_KEYS, file=path, outlet=name, what="the outlet")
    return defaults, entries


def load_outlets(paths: Sequence[Path] = (), *, include_default: bool = True) -> dict[str, OutletSpec]:
    """Load, merge and validate outlet specs, returned by name in file order.

    ``paths`` are user files (or folders of ``*.yaml``) applied after the shipped
    config; ``include_default=False`` loads only them.
    """
    files: list[Path] = [DEFAULT_CONFIG] if include_default else []
    for path in map(Path, paths):
        found = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        if not found:
            raise ConfigError("the folder holds no *.yaml outlet files; check the path given to --config", file=path)
        files.extend(found)
    user_files = set(files[1:] if include_default else files)
    base = {**_BUILTIN_DEFAULTS, **_settings_defaults(DEFAULT_SETTINGS)}
    raw: dict[str, dict[str, Any]] = {}
    origin: dict[str, list[Path]] = {}  # the files that defined or overrode each outlet
    blame: dict[str, dict[str, Path]] = {}  # the file that gave each field its value
    for path in files:
        defaults, entries = _file_entries(path)
        if not entries and path in user_files:
            # A user file adds to the shipped outlets: one that defines nothing is a wrong
            # or unsaved file, and taking it silently would crawl the shipped (live) hosts.
            raise ConfigError("the file defines no outlets; list them under 'outlets:' (each starting '- name:')",
                              file=path)
        for entry in entries:
            name = entry["name"]
            if name in raw:
                raw[name].update(entry)
                blame[name].update({key: path for key in entry})
                origin[name].append(path)
            else:
                raw[name] = {**base, **defaults, **entry}
                origin[name] = [path]
                blame[name] = {key: path for key in raw[name]}
    return {name: _build(fields, blame[name], origin[name], known=tuple(raw)) for name, fields in raw.items()}


# ------------------------------------------------------------------------- validation

class _Fields:
    """Typed access to one outlet's merged fields, raising ConfigError with the field."""

    def __init__(self, name: str, fields: Mapping[str, Any], blame: Mapping[str, Path], origin: Path) -> None:
        self.name, self.fields, self.blame, self.origin = name, fields, blame, origin

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.blame.get(key, self.origin), outlet=self.name, field=key)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.fields.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"expected a list of non-empty strings, got {value!r}")
        return tuple(v.strip() for v in value)

    def integer(self, key: str, *, minimum: int, optional: bool = False) -> int | None:
        value = self.fields.get(key)
        if value is None and optional:
            return None
        # bool is an int in Python; `yes` in YAML must not pass as 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(key, f"expected a whole number >= {minimum}{' or null' if optional else ''}, got {value!r}")
        return value

    def regexes(self, key: str) -> tuple[re.Pattern, ...]:
        compiled = []
        for index, pattern in enumerate(self.strings(key)):
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise self.error(f"{key}[{index}]", f"invalid regex {pattern!r}: {exc}; "
                                 "quote it in single quotes and escape '.' and '?' with a backslash") from None
        return tuple(compiled)


def _rehost(url: str, base: str) -> str:
    parts = urlsplit(url)
    target = urlsplit(base)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def _build(fields: Mapping[str, Any], blame: Mapping[str, Path], origin: Sequence[Path], *,
           known: Sequence[str]) -> OutletSpec:
    name = fields["name"]
    f = _Fields(name, fields, blame, origin[-1])

    domains = tuple(d.lower() for d in f.strings("domains"))
    feeds = f.strings("feeds")
    sitemaps = f.strings("sitemaps") + f.strings("news_sitemaps")
    sections = f.strings("sections")
    base_url = fields.get("base_url")
    if base_url is not None:
        target = urlsplit(base_url) if isinstance(base_url, str) else None
        if (target is None or target.scheme not in ("http", "https") or not target.hostname
                or target.path not in ("", "/") or target.query):
            raise f.error("base_url", f"expected scheme, host and optional port such as "
                          f"'http://127.0.0.1:8001', got {base_url!r}")
        feeds, sitemaps, sections = (tuple(_rehost(u, base_url) for u in urls)
                                     for urls in (feeds, sitemaps, sections))
        domains = (target.netloc.lower(),)
    key = "domains" if base_url is None else "base_url"
    for domain in domains:
        if not _DOMAIN.match(domain) or int(domain.partition(":")[2] or 1) > 65535:
            raise f.error(key, f"{domain!r} is not a host name with an optional port; write it "
                          "bare, e.g. 'tass.com' or '127.0.0.1:8001' (no scheme, no path)")
    if not domains:
        # Most often a misspelt override: the entry was meant for a known outlet.
        others = ", ".join(n for n in known if n != name)
        raise f.error("domains", "list at least one host the outlet publishes on, e.g. [tass.com]; "
                      f"to override an existing outlet use its exact name (known: {others})")
    if not (feeds or sitemaps or sections):
        raise f.error("feeds", "no discovery source: give at least one of feeds, sitemaps, sections")
    for key, urls in (("feeds", feeds), ("sitemaps", sitemaps), ("sections", sections)):
        for url in urls:
            if not host_matches(url, domains):
                raise f.error(key, f"{url!r} is not an http(s) URL on the outlet's domains "
                              f"{list(domains)}; add its host to domains or fix the URL")

    article_patterns = f.regexes("article_patterns")
    if not article_patterns:
        raise f.error("article_patterns", "give at least one regex matching article URL paths, "
                      r"e.g. '^/\d{8}/[a-z0-9-]+\.html$'")

    schedule = fields.get("schedule")
    if not isinstance(schedule, str):
        raise f.error("schedule", f"expected a cron line like '*/30 * * * *' or an interval like '30m', got {schedule!r}")
    schedule = schedule.strip()
    if len(schedule.split()) == 5:
        try:
            CronTrigger.from_crontab(schedule)
        except ValueError as exc:
            raise f.error("schedule", f"cron line {schedule!r}: {exc}; fields are minute hour "
                          "day-of-month month day-of-week, e.g. '*/30 * * * *'") from None
    else:
        try:
            parse_interval(schedule)
        except ValueError:
            raise f.error("schedule", f"{schedule!r} is neither a 5-field cron line like "
                          "'*/30 * * * *' nor an interval like '30m' or '2h'") from None

    language = fields.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        raise f.error("language", f"expected an ISO 639 code such as 'en', 'zh' or 'ru', got {language!r}")

    topics_raw = fields.get("topics") or {}
    if not isinstance(topics_raw, dict):
        raise f.error("topics", "expected a mapping of topic name to regex, e.g. {nato: 'NATO|北约|НАТО'}")
    topics = []
    for topic, pattern in topics_raw.items():
        if not isinstance(topic, str) or not isinstance(pattern, str) or not pattern:
            raise f.error("topics", f"topic {topic!r} needs a regex string, got {pattern!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise f.error(f"topics.{topic}", f"invalid regex {pattern!r}: {exc}") from None
        topics.append(Topic(topic, pattern))
    require_topic = fields.get("require_topic", bool(topics))
    if not isinstance(require_topic, bool):
        raise f.error("require_topic", f"expected true or false, got {require_topic!r}")
    if require_topic and not topics:
        raise f.error("require_topic", "require_topic is true but no topics are given; add topics or set it false")

    adaptive = _adaptive(f)
    delay = fields.get("download_delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise f.error("download_delay", f"expected seconds >= 0 (e.g. 2.5) or null, got {delay!r}")

    return OutletSpec(
        name=name,
        domains=domains,
        language=language,
        feeds=feeds,
        sitemaps=sitemaps,
        sections=sections,
        article_patterns=article_patterns,
        exclude_patterns=f.regexes("exclude_patterns"),
        schedule=schedule,
        jitter_seconds=f.integer("jitter_seconds", minimum=0),
        section_depth=f.integer("section_depth", minimum=0),
        max_age_days=f.integer("max_age_days", minimum=1, optional=True),
        topics=tuple(topics),
        require_topic=require_topic,
        adaptive=adaptive,
        download_delay=None if delay is None else float(delay),
        concurrency=f.integer("concurrency", minimum=1, optional=True),
        source=", ".join(map(str, origin)),
        rules=_rules(f),
    )


_RULE_KEYS = ("body", "title", "date", "authors", "drop", "timezone")


def _rules(f: _Fields) -> SiteRules | None:
    """``rules: {body: [...], title: [...], date: [...], authors: [...], drop: [...], timezone: ...}``.

    Selectors are CSS, or XPath when they start with '/', './' or '('; each is compiled
    here, so a bad one fails on load naming file, outlet and field (``rules.body[0]``).
    """
    value = f.fields.get("rules")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise f.error("rules", "expected a mapping such as {body: ['div.article__text'], drop: ['.share']}")
    for key in value:
        if key not in _RULE_KEYS:
            raise f.error(f"rules.{key}", f"unknown rule; allowed: {', '.join(_RULE_KEYS)}")
    selectors: dict[str, tuple[str, ...]] = {}
    for key in _RULE_KEYS[:-1]:
        raw = value.get(key)
        if raw is None:
            continue
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
            raise f.error(f"rules.{key}", f"expected a list of CSS or XPath selectors, got {raw!r}")
        selectors[key] = tuple(v.strip() for v in raw)
        for index, selector in enumerate(selectors[key]):
            try:
                SiteRules(**{key: (selector,)})
            except ValueError as exc:
                message = str(exc).split(": ", 1)[-1]
                raise f.error(f"rules.{key}[{index}]", f"{message}; fix the selector") from None
    zone = value.get("timezone")
    if zone is not None:
        try:
            SiteRules(timezone=zone if isinstance(zone, str) else repr(zone))
        except ValueError as exc:
            raise f.error("rules.timezone", str(exc).split(": ", 1)[-1]) from None
    return SiteRules(**selectors, timezone=zone) or None


def _adaptive(f: _Fields) -> tuple[int, int] | None:
    """``adaptive: {min: 10m, max: 6h}`` (or ``[10m, 6h]``) as seconds."""
    value = f.fields.get("adaptive")
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"min", "max"}:
        bounds = [value["min"], value["max"]]
    elif isinstance(value, list) and len(value) == 2:
        bounds = value
    else:
        raise f.error("adaptive", f"expected {{min: 10m, max: 6h}} or null, got {value!r}")
    try:
        low, high = (parse_interval(str(b)) for b in bounds)
    except ValueError as exc:
        raise f.error("adaptive", str(exc)) from None
    if low > high:
        raise f.error("adaptive", f"min ({bounds[0]}) is longer than max ({bounds[1]}); swap them")
    return low, high


class OutletPolicies:
    """What a crawl does with an outlet's pages, from its spec (outlet None: an ad-hoc fetch).

    The one owner of these answers: the spider asks it while crawling, ``reextract`` to
    do again what the crawl did.
    """

    def __init__(self, specs: Mapping[str, OutletSpec]) -> None:
        self._specs = specs

    def topics(self, outlet: str | None) -> tuple[tuple[Topic, ...], bool]:
        """The topic filters, and whether an article must match one."""
        spec = self._specs.get(outlet or "")
        return (spec.topics, spec.require_topic) if spec else ((), False)

    def candidate(self, outlet: str | None, url: str) -> bool:
        """Whether the crawl would have extracted ``url``: feeds, sitemaps and section pages
        are archived as evidence, never as articles; an ad-hoc fetch extracts any page."""
        spec = self._specs.get(outlet or "")
        return spec.is_article_url(url) if spec else outlet is None

    def rules(self, outlet: str | None) -> SiteRules | None:
        """The outlet's extraction selectors, as the crawl passed them."""
        spec = self._specs.get(outlet or "")
        return spec.rules if spec else None

    def scope(self, outlet: str | None) -> tuple[str, ...] | None:
        """The domains whose canonical URLs may set an id (None: the fetched host)."""
        spec = self._specs.get(outlet or "")
        return spec.domains if spec else None
