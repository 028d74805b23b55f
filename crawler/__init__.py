"""The Scrapy project of newsarchive: capture, spiders, pipelines, state, scheduler, CLI."""
