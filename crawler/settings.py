"""Scrapy settings of newsarchive: polite by default, capture at the download layer.

Everything here can be overridden per run (``newsarchive crawl -s NAME=VALUE``, as with
``scrapy crawl``). Our own settings carry the ``NEWSARCHIVE_`` prefix.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves, with a way to reach the operator; outlets block anonymous bots.
NEWSARCHIVE_CONTACT = "https://github.com/newsarchive/newsarchive"
USER_AGENT = f"newsarchive/0.1 (+{NEWSARCHIVE_CONTACT}; news archiving crawler)"
NEWSARCHIVE_OPERATOR = ""

# Politeness: robots.txt, per-host delays of seconds (as trafilatura and CC-NEWS do for
# live outlets), AutoThrottle, a small per-domain concurrency.
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 2.0
RANDOMIZE_DOWNLOAD_DELAY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSARCHIVE_RETRY_BACKOFF_BASE = 2.0
NEWSARCHIVE_RETRY_BACKOFF_MAX = 60.0
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
    # Closest to the downloader: sees every exchange before decompression/redirects.
    "crawler.middlewares.WarcCaptureMiddleware": 950,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArticlePipeline": 300,
}
EXTENSIONS = {
    "crawler.progress.ProgressExtension": 500,
}

# Where things go; the CLI sets these from its options.
NEWSARCHIVE_ARCHIVE = "./archive"
NEWSARCHIVE_HOME = ""  # empty: $NEWSARCHIVE_HOME, else ./.newsarchive
NEWSARCHIVE_RUN_ID = ""
NEWSARCHIVE_MAX_WARC_BYTES = 1_000_000_000
NEWSARCHIVE_MAX_WARC_AGE = 3600
# Extraction runs in worker processes, off the reactor; 0 runs it in the crawl process.
NEWSARCHIVE_EXTRACT_WORKERS = 2
