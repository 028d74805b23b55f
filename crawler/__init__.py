"""The Scrapy project of newsarchive: capture, spiders, pipelines, state, scheduler, CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsarchive")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
