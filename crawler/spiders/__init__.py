"""Spiders: ``page`` fetches single URLs, ``outlet`` crawls configured outlets."""
