"""Outlet specs: the shipped config, user overrides, rehosting and URL rules."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
import yaml

from crawler.outlets import DEFAULT_CONFIG, DEFAULT_SETTINGS, ConfigError, OutletSpec, load_outlets

SHIPPED = ("xinhua-en", "xinhua-zh", "china-org", "zee-news", "ria", "tass-en", "global-times")


def write(tmp_path: Path, text: str, name: str = "user.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped() -> dict[str, OutletSpec]:
    return load_outlets()


def test_shipped_config_has_the_issue_outlets(shipped):
    assert set(SHIPPED) <= set(shipped)
    for spec in shipped.values():
        assert spec.source == str(DEFAULT_CONFIG)
        assert spec.feeds or spec.sitemaps or spec.sections
        assert spec.language in ("en", "zh", "ru")


URL_CASES = [
    ("xinhua-en", "https://english.news.cn/20261121/0123456789abcdef0123456789abcdef/c.html", None),
    ("xinhua-en", "https://english.news.cn/video/20261121/0123456789abcdef0123456789abcdef/c.html", "excluded"),
    ("xinhua-en", "https://english.news.cn/world/", "not_article_pattern"),
    ("xinhua-en", "https://english.news.cn.evil.com/20261121/0123456789abcdef0123456789abcdef/c.html", "offsite"),
    ("xinhua-zh", "http://www.xinhuanet.com/world/2019-05/06/c_1124457771.htm", None),
    ("china-org", "http://www.china.org.cn/world/2026-11/21/content_118000001.htm", None),
    ("zee-news", "https://zeenews.india.com/world/nato-leaders-meet-in-brussels-2716060.html", None),
    ("zee-news", "https://zeenews.india.com/photos/world/gallery-2716060.html", "excluded"),
    ("ria", "https://ria.ru/20261121/nato-1945000001.html", None),
    ("ria", "https://ria.ru/20261121/", "not_article_pattern"),
    ("tass-en", "https://tass.com/politics/1900001", None),
    ("tass-en", "https://tass.com/tag/nato", "excluded"),
    ("tass-en", "https://tass.ru/politika/2000003", "offsite"),
    ("global-times", "https://www.globaltimes.cn/page/202611/1340001.shtml", None),
    ("global-times", "https://www.globaltimes.cn/content/1200001.shtml", None),
    ("global-times", "https://www.globaltimes.cn/china/politics/index.html", "not_article_pattern"),
    ("xinhua-zh", "https://www.news.cn/politics/20261121/0123456789abcdef0123456789abcdef/c.html", None),
    ("xinhua-zh", "https://www.news.cn/zt/20261121/0123456789abcdef0123456789abcdef/c.html", "excluded"),
    ("china-org", "http://www.china.org.cn/node_7000.htm", "excluded"),
    ("zee-news", "https://zeenews.india.com/world", "not_article_pattern"),
    ("ria", "https://ria.ru/video/20261121/1945000003.html", "excluded"),
]


def test_every_shipped_outlet_has_article_and_non_article_cases(shipped):
    for name in shipped:
        reasons = {reason for outlet, _, reason in URL_CASES if outlet == name}
        assert None in reasons and len(reasons) > 1, f"{name}: add URL cases to URL_CASES"


@pytest.mark.parametrize(("outlet", "url", "reason"), URL_CASES)
def test_article_url_rules(shipped, outlet, url, reason):
    spec = shipped[outlet]
    assert spec.exclusion_reason(url) == reason
    assert spec.is_article_url(url) is (reason is None)


def test_allows_subdomains_but_not_lookalikes(shipped):
    ria = shipped["ria"]
    assert ria.allows("https://ria.ru/") and ria.allows("https://rsport.ria.ru/x")
    assert not ria.allows("https://notria.ru/") and not ria.allows("ftp://ria.ru/")


def test_user_file_overrides_only_the_fields_it_names_and_adds_outlets(tmp_path):
    user = write(tmp_path, """
outlets:
  - name: ria
    schedule: 2h
    topics: {nato: 'NATO|北约|НАТО'}
  - name: example
    domains: [news.example.org]
    feeds: [https://news.example.org/feed.xml]
    article_patterns: ['^/\\d{4}/[a-z-]+$']
""")
    outlets = load_outlets([user])
    ria = outlets["ria"]
    assert ria.schedule == "2h"
    assert ria.feeds == ("https://ria.ru/export/rss2/archive/index.xml",)
    assert [(t.name, t.pattern) for t in ria.topics] == [("nato", "NATO|北约|НАТО")]
    assert ria.require_topic is True
    assert ria.source == f"{DEFAULT_CONFIG}, {user}"
    example = outlets["example"]
    assert example.is_article_url("https://news.example.org/2026/big-story")
    assert example.topics == () and example.require_topic is False
    # Fields left out come from the outlet_defaults of config/settings.yaml.
    defaults = yaml.safe_load(DEFAULT_SETTINGS.read_text(encoding="utf-8"))["outlet_defaults"]
    assert (example.schedule, example.jitter_seconds, example.section_depth, example.max_age_days) == (
        defaults["schedule"], defaults["jitter_seconds"], defaults["section_depth"], defaults["max_age_days"])
    assert example.source == str(user)
    assert list(outlets)[-1] == "example"


def test_base_url_rehosts_every_source_and_the_domains(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: tass-en\n    base_url: http://127.0.0.1:8001\n")
    tass = load_outlets([user])["tass-en"]
    assert tass.domains == ("127.0.0.1:8001",)
    assert tass.feeds == ("http://127.0.0.1:8001/rss/v2.xml",)
    assert tass.sitemaps == ("http://127.0.0.1:8001/sitemap.xml",)
    assert tass.sections == ("http://127.0.0.1:8001/politics", "http://127.0.0.1:8001/world")
    assert tass.is_article_url("http://127.0.0.1:8001/politics/1900001")
    assert tass.exclusion_reason("http://127.0.0.1:8002/politics/1900001") == "offsite"
    assert tass.exclusion_reason("https://tass.com/politics/1900001") == "offsite"


def test_only_user_files_when_default_excluded(tmp_path):
    user = write(tmp_path, """
defaults: {schedule: 15m, jitter_seconds: 30}
outlets:
  - name: solo
    domains: [127.0.0.1:9000]
    sections: [http://127.0.0.1:9000/news/]
    article_patterns: ['^/news/\\d+\\.html$']
    exclude_patterns: ['\\?print=1']
    adaptive: {min: 10m, max: 6h}
    download_delay: 0.5
    concurrency: 2
    max_age_days: null
""")
    outlets = load_outlets([user], include_default=False)
    assert list(outlets) == ["solo"]
    solo = outlets["solo"]
    assert (solo.schedule, solo.jitter_seconds) == ("15m", 30)
    assert solo.adaptive == (600, 21600)
    assert (solo.download_delay, solo.concurrency, solo.max_age_days) == (0.5, 2, None)
    assert solo.exclusion_reason("http://127.0.0.1:9000/news/1.html?print=1") == "excluded"
    assert isinstance(solo.article_patterns[0], re.Pattern)


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"article_patterns": ["/(unclosed"]}, "article_patterns[0]", "invalid regex"),
        ({"colour": "blue"}, "colour", "unknown key"),
        ({"section_depth": "two"}, "section_depth", "whole number"),
        ({"section_depth": True}, "section_depth", "whole number"),
        ({"schedule": "*/0 * * * *"}, "schedule", "cron"),
        ({"schedule": "every hour"}, "schedule", "interval"),
        ({"feeds": ["https://elsewhere.example.com/rss.xml"]}, "feeds", "not an http(s) URL on the outlet's domains"),
        ({"domains": ["https://x.example.org/"]}, "domains", "host name"),
        ({"feeds": []}, "feeds", "no discovery source"),
        ({"article_patterns": []}, "article_patterns", "at least one regex"),
        ({"language": "English"}, "language", "ISO 639"),
        ({"topics": {"nato": "(NATO"}}, "topics.nato", "invalid regex"),
        ({"require_topic": True}, "require_topic", "no topics"),
        ({"adaptive": {"min": "6h", "max": "10m"}}, "adaptive", "swap"),
        ({"base_url": "http://127.0.0.1:8001/mirror/"}, "base_url", "scheme, host"),
        ({"base_url": "http://127.0.0.1:port"}, "base_url", "not a host name"),
        ({"domains": ["x.example.org:70000"]}, "domains", "not a host name"),
        ({"download_delay": -1}, "download_delay", "seconds"),
        ({"max_age_days": 0}, "max_age_days", "whole number >= 1 or null"),
    ],
)
def test_invalid_field_names_file_outlet_and_field(tmp_path, override, field, message):
    entry = {
        "name": "broken",
        "domains": ["x.example.org"],
        "feeds": ["https://x.example.org/rss.xml"],
        "article_patterns": ["^/a/\\d+$"],
        **override,
    }
    user = write(tmp_path, yaml.safe_dump({"outlets": [entry]}, allow_unicode=True))
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_outlets([user], include_default=False)
    error = info.value
    assert (error.file, error.outlet, error.field) == (str(user), "broken", field)
    assert str(error).startswith(f"{user}: outlet 'broken': field '{field}': ")


def test_override_error_blames_the_file_that_set_the_field(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: ria\n    exclude_patterns: ['[']\n")
    with pytest.raises(ConfigError) as info:
        load_outlets([user])
    assert (info.value.file, info.value.outlet, info.value.field) == (str(user), "ria", "exclude_patterns[0]")


def test_specs_survive_pickling_for_crawl_processes(shipped):
    assert pickle.loads(pickle.dumps(shipped)) == shipped


def test_duplicate_name_within_a_file(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: ria\n    schedule: 1h\n  - name: ria\n    schedule: 2h\n")
    with pytest.raises(ConfigError, match="appears twice") as info:
        load_outlets([user])
    assert (info.value.outlet, info.value.field) == ("ria", "name")


def test_duplicate_key_within_an_entry_is_refused(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: ria\n    schedule: 1h\n    schedule: 2h\n")
    with pytest.raises(ConfigError, match="duplicate key 'schedule'") as info:
        load_outlets([user])
    assert info.value.line == 4


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: ria\n    feeds: [https://ria.ru/a.xml\n    schedule: 1h\n")
    with pytest.raises(ConfigError, match="YAML syntax error") as info:
        load_outlets([user])
    assert info.value.file == str(user) and info.value.line == 4
    assert str(info.value).startswith(f"{user}:4: ")


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_outlets([tmp_path / "nope.yaml"])


def test_a_misspelt_override_is_a_new_outlet_without_domains(tmp_path):
    user = write(tmp_path, "outlets:\n  - name: tass\n    schedule: 1h\n")
    with pytest.raises(ConfigError, match="use its exact name .*tass-en") as info:
        load_outlets([user])
    assert (info.value.outlet, info.value.field) == ("tass", "domains")


# ------------------------------------------------------------------ extraction rules

def test_shipped_outlets_carry_extraction_rules(shipped):
    for name, spec in shipped.items():
        assert spec.rules and spec.rules.body, name
        assert spec.rules.timezone, f"{name}: the outlet's zone dates its naive local times"
    assert pickle.loads(pickle.dumps(shipped["ria"])).rules == shipped["ria"].rules


def test_rules_override_and_are_optional(tmp_path):
    path = write(tmp_path, """
outlets:
  - name: ria
    rules: {body: ["//div[@class='article__text']"], drop: [.share-bar], timezone: '+03:00'}
  - name: harbour
    domains: [harbour.example]
    feeds: [https://harbour.example/rss]
    article_patterns: ['^/news/']
""")
    specs = load_outlets([path])
    assert specs["ria"].rules.body == ("//div[@class='article__text']",)
    assert specs["ria"].rules.drop == (".share-bar",) and specs["ria"].rules.timezone == "+03:00"
    assert specs["harbour"].rules is None


@pytest.mark.parametrize(("rules", "field", "message"), [
    ("{body: ['div[']}", "rules.body[0]", "not a valid CSS selector"),
    ("{date: ['.ok', '//span[']}", "rules.date[1]", "not valid XPath"),
    ("{authors: 12}", "rules.authors", "list of CSS or XPath selectors"),
    ("{drop: ['']}", "rules.drop", "list of CSS or XPath selectors"),
    ("{headline: ['h1']}", "rules.headline", "unknown rule"),
    ("{timezone: Mars/Olympus}", "rules.timezone", "IANA zone name"),
    ("[h1]", "rules", "expected a mapping"),
])
def test_bad_rules_fail_on_load_naming_file_outlet_and_field(tmp_path, rules, field, message):
    path = write(tmp_path, f"outlets:\n  - name: tass-en\n    rules: {rules}\n")
    with pytest.raises(ConfigError) as info:
        load_outlets([path])
    err = info.value
    assert (err.file, err.outlet, err.field) == (str(path), "tass-en", field)
    assert message in str(err) and str(path) in str(err)


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "outlets: []\n", "defaults:\n  schedule: 1h\n"])
def test_a_user_file_that_defines_no_outlets_is_refused(tmp_path, text):
    # Taken silently, it would leave the shipped outlets as they are: a crawl of the live hosts.
    user = write(tmp_path, text)
    with pytest.raises(ConfigError, match="defines no outlets") as info:
        load_outlets([user])
    assert info.value.file == str(user)


def test_a_config_folder_without_yaml_files_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"no \*\.yaml outlet files"):
        load_outlets([tmp_path])
