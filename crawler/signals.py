"""Signals newsarchive sends, for the CLI and extensions to follow a crawl."""

__all__ = ["article_archived", "page_rejected", "fetch_failed"]

# article_archived(article, key, change): an article JSON was written ("added"/"updated")
article_archived = object()
# page_rejected(url, outlet, page_type, reasons): a fetched page was not an article
page_rejected = object()
# fetch_failed(url, outlet, kind, message): a request failed for good
fetch_failed = object()
