"""Per-outlet extraction rules: selectors kept as data, tried before the general rules.

An outlet spec may name where its body, title, date and authors are, which nodes to
drop, and the zone its local times are in. The crawler builds a :class:`SiteRules`
from the spec (plain strings, so it pickles to the extraction workers); every selector
is compiled when the object is built, so a bad one fails when the config is loaded,
not in the middle of a crawl. A rule that matches nothing on a page is skipped and the
general rules decide, so a redesign degrades to general extraction, not to nothing.

A selector is CSS (``div.article__text``) or, when it starts with ``/``, ``./`` or
``(``, XPath 1.0 (``//div[@id='detail']``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone, tzinfo

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["SiteRules", "compile_selector", "zone_of"]

_RULE_FIELDS = ("body", "title", "date", "authors", "drop")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


def compile_selector(selector: str) -> Callable[[Any], list]:
    """The selector as a compiled XPath; ValueError saying what is wrong otherwise."""
    # Imported here: the record and options types must stay cheap to import.
    from lxml import etree
    from lxml.cssselect import CSSSelector, SelectorError

    text = selector.strip()
    if not text:
        raise ValueError("empty selector")
    try:
        if text.startswith(("/", "./", "(")):
            return etree.XPath(text)
        return CSSSelector(text)
    except (etree.XPathSyntaxError, etree.XPathEvalError) as exc:
        raise ValueError(f"{selector!r} is not valid XPath ({exc})") from None
    except (SelectorError, SyntaxError, NotImplementedError, ValueError) as exc:
        raise ValueError(f"{selector!r} is not a valid CSS selector ({exc}); "
                         "start XPath with '/' or './'") from None


def zone_of(name: str) -> tzinfo:
    """A zone from an IANA name (``Europe/Moscow``) or a fixed offset (``+08:00``)."""
    match = _OFFSET.match(name.strip())
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise ValueError(f"offset {name!r} is out of range")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is neither an IANA zone name such as 'Europe/Moscow' "
                         "nor an offset such as '+08:00'") from None


@dataclass(frozen=True)
class SiteRules:
    """Selectors for one outlet's pages; each field lists alternatives, first match wins.

    ``body``: the container(s) of the article text (all matches of the first selector
    that matches, in document order). ``title``, ``date``, ``authors``: elements whose
    text (for a date also ``datetime``/``content`` attributes) holds the value.
    ``drop``: nodes removed before anything else reads the page. ``timezone``: the zone
    of times the page writes without one (IANA name or offset).
    """

    body: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    timezone: str | None = None

    def __post_init__(self) -> None:
        for name in _RULE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, tuple):
                raise ValueError(f"{name}: expected a tuple of selector strings, got {value!r}")
            for index, selector in enumerate(value):
                if not isinstance(selector, str):
                    raise ValueError(f"{name}[{index}]: expected a selector string, got {selector!r}")
                try:
                    compile_selector(selector)
                except ValueError as exc:
                    raise ValueError(f"{name}[{index}]: {exc}") from None
        if self.timezone is not None:
            try:
                zone_of(self.timezone)
            except ValueError as exc:
                raise ValueError(f"timezone: {exc}") from None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def select(self, tree: etree._Element, name: str) -> list[etree._Element]:
        """Elements of the first selector of field ``name`` that matches anything."""
        from lxml import etree

        for selector in getattr(self, name):
            found = [el for el in compile_selector(selector)(tree) if isinstance(el, etree._Element)]
            if found:
                return found
        return []

    def localise(self, stamp: str | None) -> str | None:
        """A naive ISO date-time given the outlet's offset for that moment; else unchanged."""
        if not stamp or not self.timezone or "T" not in stamp or re.search(r"(?:[+-]\d{2}:\d{2}|Z)$", stamp):
            return stamp
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return stamp
        return moment.replace(tzinfo=zone_of(self.timezone)).isoformat()
