"""The scheduling service: crawls every outlet on its schedule, one process per run.

``service`` (the APScheduler service, ``newsarchive schedule``), ``jobs`` (one crawl's
command line and process), ``locks`` (never two crawls of one outlet: a file, or Redis
across machines), ``runlog`` (the runs it started), ``health`` (rules over past runs).

Nothing here imports Scrapy or Twisted (``tests/unit/test_layering.py``): the service
only starts ``newsarchive crawl`` processes, so it stays light and testable without a
reactor. Named "service", not "scheduler", because Scrapy's scheduler is its request queue.
"""
