"""A second complete story appended below the page's own (infinite scroll) is not its text."""

from __future__ import annotations

from extract import extract_page

PARA = "<p>{} sentence of the story that keeps going with enough words to be a real paragraph of news.</p>"


def _story(h1: str, word: str, n: int = 6) -> str:
    return f"<h1>{h1}</h1>" + "".join(PARA.format(f"{word} {i}") for i in range(n))


def _page(appended: str) -> bytes:
    return (
        "<html><head><title>Ministers meet in Oslo - Avisa</title></head><body><main>"
        f"<article id='main'>{_story('Ministers meet in Oslo', 'Oslo')}</article>"
        f"{appended}</main></body></html>"
    ).encode()


def test_a_later_article_with_its_own_headline_is_dropped_whatever_its_size() -> None:
    # Longer than the story itself: the main-text guard alone would keep it.
    page = _page(f"<div class='under-article'><article id='next'>{_story('Coach returns', 'Coach', 12)}</article></div>")
    result = extract_page(page, "https://avisa.example/a/1")
    text = result.article.text
    assert "Oslo 0 sentence" in text and "Oslo 5 sentence" in text
    assert "Coach" not in text
    assert any("remove_appended_articles" in reason for reason in result.reasons)


def test_articles_without_a_headline_of_their_own_are_left_to_the_other_rules() -> None:
    # A quoted box or a nested card set as <article> without an <h1> is no appended story.
    page = _page("<article id='box'><h2>Background</h2>" + PARA.format("Background") * 3 + "</article>")
    result = extract_page(page, "https://avisa.example/a/1")
    assert "Oslo 0 sentence" in result.article.text
    assert not any("remove_appended_articles" in reason for reason in result.reasons)
