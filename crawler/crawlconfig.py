"""config/settings.yaml's crawl-wide defaults, as Scrapy setting names.

The YAML is what users edit; ``crawler.settings`` takes its values from here, so the
two can never disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crawler.outlets import DEFAULT_SETTINGS, ConfigError

__all__ = ["crawl_defaults"]

# Scrapy setting -> path in settings.yaml
_FIELDS: dict[str, tuple[str, ...]] = {
    "USER_AGENT": ("user_agent",),
    "ROBOTSTXT_OBEY": ("politeness", "obey_robots"),
    "DOWNLOAD_DELAY": ("politeness", "download_delay"),
    "DOWNLOAD_DELAY_JITTER": ("politeness", "delay_jitter"),
    "CONCURRENT_REQUESTS_PER_DOMAIN": ("politeness", "concurrency_per_domain"),
    "CONCURRENT_REQUESTS": ("politeness", "concurrency_total"),
    "AUTOTHROTTLE_ENABLED": ("politeness", "autothrottle", "enabled"),
    "AUTOTHROTTLE_START_DELAY": ("politeness", "autothrottle", "start_delay"),
    "AUTOTHROTTLE_MAX_DELAY": ("politeness", "autothrottle", "max_delay"),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": ("politeness", "autothrottle", "target_concurrency"),
    "RETRY_TIMES": ("politeness", "retry", "times"),
    "RETRY_HTTP_CODES": ("politeness", "retry", "http_codes"),
    "NEWSARCHIVE_RETRY_BACKOFF_BASE": ("politeness", "retry", "backoff_base_seconds"),
    "NEWSARCHIVE_RETRY_BACKOFF_MAX": ("politeness", "retry", "backoff_max_seconds"),
    "DOWNLOAD_TIMEOUT": ("politeness", "download_timeout_seconds"),
    "DOWNLOAD_MAXSIZE": ("politeness", "max_response_bytes"),
}


def crawl_defaults(path: Path = DEFAULT_SETTINGS) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read crawl settings: {exc}", file=path) from exc
    result = {}
    for name, keys in _FIELDS.items():
        value: Any = data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise ConfigError(f"missing setting {'.'.join(keys)} (Scrapy's {name})", file=path,
                                  field=".".join(keys))
            value = value[key]
        result[name] = value
    # The User-Agent names the operator's contact page (what outlets look for in logs).
    result["USER_AGENT"] = str(result["USER_AGENT"]).replace("{contact_url}", str(data.get("contact_url") or ""))
    return result
