"""Scrapy settings of newsarchive: polite by default, capture at the download layer.

Everything here can be overridden per run (``newsarchive crawl -s NAME=VALUE``, as with
``scrapy crawl``). Our own settings carry the ``NEWSARCHIVE_`` prefix.
"""

import os

from crawler.crawlconfig import crawl_defaults

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identity and politeness come from config/settings.yaml, the one place users edit.
_CRAWL = crawl_defaults()
USER_AGENT = _CRAWL["USER_AGENT"]
NEWSARCHIVE_OPERATOR = ""
ROBOTSTXT_OBEY = _CRAWL["ROBOTSTXT_OBEY"]
DOWNLOAD_DELAY = _CRAWL["DOWNLOAD_DELAY"]
DOWNLOAD_DELAY_JITTER = _CRAWL["DOWNLOAD_DELAY_JITTER"]
CONCURRENT_REQUESTS = _CRAWL["CONCURRENT_REQUESTS"]
CONCURRENT_REQUESTS_PER_DOMAIN = _CRAWL["CONCURRENT_REQUESTS_PER_DOMAIN"]
# Per response, not per crawl: Scrapy starts this many asyncio tasks for every response's
# output. An article yields one item (responses are still processed concurrently), so the
# default 100 cost ~100 tasks per page for nothing (bench/crawl_throughput measures it).
CONCURRENT_ITEMS = 1
# Articles are requested newest first (crawler.spiders.outlet), so first in, first out;
# and the next request is taken from the outlet with the fewest downloads under way, so
# one outlet's backlog never keeps another's download slot idle.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
AUTOTHROTTLE_ENABLED = _CRAWL["AUTOTHROTTLE_ENABLED"]
AUTOTHROTTLE_START_DELAY = _CRAWL["AUTOTHROTTLE_START_DELAY"]
AUTOTHROTTLE_MAX_DELAY = _CRAWL["AUTOTHROTTLE_MAX_DELAY"]
AUTOTHROTTLE_TARGET_CONCURRENCY = _CRAWL["AUTOTHROTTLE_TARGET_CONCURRENCY"]
DOWNLOAD_TIMEOUT = _CRAWL["DOWNLOAD_TIMEOUT"]
DOWNLOAD_MAXSIZE = _CRAWL["DOWNLOAD_MAXSIZE"]
RETRY_ENABLED = True
RETRY_TIMES = _CRAWL["RETRY_TIMES"]
RETRY_HTTP_CODES = _CRAWL["RETRY_HTTP_CODES"]
NEWSARCHIVE_RETRY_BACKOFF_BASE = _CRAWL["NEWSARCHIVE_RETRY_BACKOFF_BASE"]
NEWSARCHIVE_RETRY_BACKOFF_MAX = _CRAWL["NEWSARCHIVE_RETRY_BACKOFF_MAX"]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# Raw capture: the WARC gets the bytes below Scrapy's parsing.
DOWNLOAD_HANDLERS = {
    "http": "crawler.capture.CapturingDownloadHandler",
    "https": "crawler.capture.CapturingDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    # First of all: a redirect out of scope is refused before robots.txt or anything else.
    "crawler.middlewares.ScopeMiddleware": 40,
    # Closest to the downloader: sees every exchange before decompression/redirects.
    "crawler.middlewares.WarcCaptureMiddleware": 950,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Scrapy's, but every request waiting for robots.txt is checked (see crawler/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.ObeyingRobotsTxtMiddleware": 100,
    # Scrapy's, but a loop is a recorded failure rather than a silently filtered duplicate.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoopSafeRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.LoopSafeMetaRefreshMiddleware": 580,
}
# The spider reports each final failure once, in words; Scrapy's own give-up line would repeat it.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
ITEM_PIPELINES = {
    "crawler.pipelines.ArticlePipeline": 300,
}
EXTENSIONS = {
    "crawler.progress.ProgressExtension": 500,
}

# Where things go; the CLI sets these from its options.
# (`scrapy crawl` reads the same environment variable as the newsarchive CLI.)
NEWSARCHIVE_ARCHIVE = os.environ.get("NEWSARCHIVE_ARCHIVE") or "./archive"
NEWSARCHIVE_HOME = ""  # empty: $NEWSARCHIVE_HOME, else ./.newsarchive
# Many workers, one crawl: the shared request queue, seen-URL filter and crawl state live
# here (redis://HOST:PORT/DB); empty: one process, state in NEWSARCHIVE_HOME.
NEWSARCHIVE_REDIS = os.environ.get("NEWSARCHIVE_REDIS") or ""
NEWSARCHIVE_REDIS_LEASE = 60  # s: a killed worker's requests return to the queue after this
NEWSARCHIVE_REDIS_IDLE = 10  # s: workers exit when nothing waits and nothing is held this long
NEWSARCHIVE_ENQUEUE_ONLY = False  # push the outlets' discovery requests for the workers, then exit
NEWSARCHIVE_RUN_ID = ""
# Addresses (host or host:port) the redirect rule treats as public: a redirect from a
# public address to a loopback/private/link-local one is never followed. For tests on
# 127.0.0.1; leave empty in production.
NEWSARCHIVE_PUBLIC_ADDRESSES: list[str] = []
NEWSARCHIVE_PROGRESS = None  # the live progress line; None: when stderr is a terminal
NEWSARCHIVE_MAX_WARC_BYTES = 1_000_000_000
NEWSARCHIVE_MAX_WARC_AGE = 3600
# Extraction runs in worker processes, off the reactor; 0 runs it in the crawl process.
NEWSARCHIVE_EXTRACT_WORKERS = 2
