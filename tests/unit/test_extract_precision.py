"""Precision rules of 0.3.3: each on small realistic markup or text, kept and dropped."""

from __future__ import annotations

from extract import text_rules
from extract.options import ExtractOptions

OPTS = ExtractOptions()
PROSE = [
    "The committee met on Monday to review the proposal, which had been delayed twice since spring.",
    "Members agreed that the cost estimates needed an independent check before any vote could be held.",
    "A final decision is now expected before the end of the year, the chair told reporters.",
]


def ctx():
    return text_rules.PageContext((), (), (), OPTS)


def test_stamped_tail_line_may_end_in_a_short_marker_after_its_stamp():
    # A forum thread's reply list: title, 【author】, day and time, size, [views/replies];
    # the post on show is marked "当前帖子" (current post) after its counters.
    replies = [
        "旅行中，谁忽悠了你？【新闻频道版主】08-11 16:06 298字 [4321/87]",
        "参与旅行社的一般都是弱势群体……【梅骏！】08-11 16:58 138字 [140/0]",
        "你知道导游为什么那么热衷于让你去各种各样的商场购物吗？【芊草凡凡】08-22 19:13 173字 [154/0] 当前帖子",
        "是的，不是一次了。【山花烂漫27】08-22 15:16 128字 [159/0]",
    ]
    paras = [PROSE[0], PROSE[1], "| 回复线索：", *replies]
    assert text_rules.drop_stamped_tail(paras, ctx()) == {2, 3, 4, 5, 6}
    # A sentence that merely ends with a date and a word stays: it is not a short line.
    dated = f"{PROSE[2]} The report was filed on 2005-08-22 19:13 by staff writers and editors of the desk"
    assert text_rules.drop_stamped_tail([PROSE[0], dated, dated, dated], ctx()) == set()


def _tweet(words: str, handle: str = "WhiteHouse") -> str:
    return (
        f"<blockquote class='twitter-tweet'><p lang='en' dir='ltr'>{words} "
        "<a href='https://t.co/zgUhcxXB2g'>pic.twitter.com/zgUhcxXB2g</a></p>"
        f"&mdash; Someone ({'@' + handle}) <a href='https://twitter.com/{handle}/status/1'>February 11, 2025</a>"
        "</blockquote><script async src='https://platform.twitter.com/widgets.js'></script>"
    )


_SAID = "President signed an order imposing tariffs on steel and aluminum. This policy will strengthen manufacturing."


def _widgets_text(body: str) -> tuple[int, str]:
    import lxml.html

    from extract.widgets import remove_widgets

    tree = lxml.html.document_fromstring(f"<html><body><article>{body}</article></body></html>")
    return remove_widgets(tree, OPTS), " ".join(" ".join(tree.itertext()).split())


def test_remove_widgets_drops_embedded_posts_beside_the_story_keeps_article_quotes():
    # A post set between paragraphs that no sentence leads into is someone else's
    # text beside the article (fundus's gold drops these); a <blockquote> of the
    # article's own stays.
    tweet = (
        "<blockquote class='twitter-tweet'><p lang='en' dir='ltr'>President signed an order imposing tariffs.</p>"
        "<p>This policy will strengthen manufacturing. pic.twitter.com/zgUhcxXB2g</p>"
        "<p>Follow for more.</p>&mdash; The White House (@WhiteHouse) "
        "<a href='https://twitter.com/WhiteHouse/status/1'>February 11, 2025</a></blockquote>"
    )
    insta = "<blockquote class='instagram-media instagram-media-registered'><a>View this post on Instagram</a></blockquote>"
    quote = f"<blockquote><p>{PROSE[2]}</p></blockquote>"
    removed, text = _widgets_text(
        f"<p>{PROSE[0]}</p>{tweet}<p>{PROSE[1]}</p>{insta}{quote}" + "".join(f"<p>{p}</p>" for p in PROSE * 3)
    )
    assert removed == 2
    assert "WhiteHouse" not in text and "Instagram" not in text
    assert PROSE[0] in text and PROSE[1] in text and PROSE[2] in text


def test_an_embedded_post_the_story_leads_into_with_a_colon_is_kept():
    # "See the tweets:" points at what follows: the posts are part of the story, and
    # so is a widget-named wrapper that shows nothing but the post; an ad slot or an
    # empty paragraph between the lead-in and the post changes nothing.
    rest = "".join(f"<p>{p}</p>" for p in PROSE * 3)
    removed, text = _widgets_text(
        f"<p>{PROSE[0]} The White House shared the order on its account. See the tweets:</p>"
        f"<div class='social-media-embed'>{_tweet(_SAID)}</div><div class='ad-slot'></div><p></p>"
        f"{_tweet('Manufacturing jobs will come back to the heartland of this great country, the order says.')}"
        f"<p>{PROSE[1]}</p>{rest}"
    )
    assert removed == 1  # the ad slot
    assert _SAID in text and "Manufacturing jobs will come back" in text and "(@WhiteHouse)" in text


def test_a_post_without_a_lead_in_or_saying_nothing_or_in_a_wall_is_dropped():
    rest = "".join(f"<p>{p}</p>" for p in PROSE * 3)
    # No sentence leads into it: set between paragraphs, or appended after the story.
    removed, text = _widgets_text(f"<p>{PROSE[0]}</p>{_tweet(_SAID)}{rest}<div>{_tweet(_SAID, 'Feed')}</div>")
    assert removed == 2 and "President signed" not in text
    # Led in, but an empty shell (no author) or a caption to a video of a few words.
    lead = f"<p>{PROSE[0]} Watch the highlights:</p>"
    shell = "<p>Tweet may have been deleted and is no longer available here</p>"
    removed, text = _widgets_text(f"{lead}<blockquote class='twitter-tweet'>{shell}</blockquote>{rest}")
    assert removed == 1 and "Tweet may" not in text
    removed, text = _widgets_text(f"{lead}{_tweet('Highlights from our win ⬇️')}{rest}")
    assert removed == 1 and "Highlights" not in text
    # Led in, but four posts in a row are a wall of reactions, not a quote.
    wall = "".join(_tweet(f"{_SAID} Post number {n}.", f"user{n}") for n in range(4))
    removed, text = _widgets_text(f"<p>{PROSE[0]} Here is how people reacted:</p>{wall}{rest}")
    assert removed == 4 and "President signed" not in text


def _rsc_push(payload: str) -> str:
    import json

    return f"<script>self.__next_f.push([1,{json.dumps(payload)}])</script>"


def test_body_carried_only_in_a_script_stream_is_read_from_it():
    from extract import extract_page
    from extract.streamed import streamed_html

    body = "".join(f"<p class='editor-p'>{p} {p}</p>" for p in PROSE)
    row = f"24:T{len(body.encode()):x},{body}"
    html = (
        "<html><head><title>Talks delayed again - Daily Planet</title>"
        "<meta property='og:type' content='article'></head><body>"
        "<header><h1>Talks delayed again</h1><nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav></header>"
        "<main><article id='article-body'></article></main><footer>© Daily Planet</footer>"
        + _rsc_push('1:I[49594,[],"IconMark"]\n') + _rsc_push(row[:40]) + _rsc_push(row[40:] + '\n25:["$","div",null,{}]\n')
        + "</body></html>"
    )
    assert streamed_html(html) == body
    result = extract_page(html.encode(), "https://planet.example/politics/talks-delayed")
    assert result.article is not None
    assert PROSE[0] in result.article.text and PROSE[2] in result.article.text
    assert "Home" not in result.article.text
    # A page whose markup holds the article never reads the stream.
    assert streamed_html("<html><body><p>plain</p></body></html>") is None


def test_story_continued_in_a_second_container_of_the_same_class():
    from extract import extract_page

    first = [
        "On a clear morning in late March, two materials scientists walked out onto the frozen pond behind the house.",
        "They had spent three winters spreading tiny glass bubbles over parts of the ice to see whether it would last longer.",
        "The treated squares, they said, had thawed almost two weeks after the rest of the pond in each of those years.",
    ]
    second = [
        "There were plenty of reasons that this intervention might be unworkable at the scale of the Arctic Ocean.",
        "The microspheres might not behave on sea ice the way they did on a small pond sheltered by trees and houses.",
        "Critics also worried about what would happen to the birds and fish that would swallow the material in the water.",
    ]
    body = "<div class='body articleBody'>{}</div>"
    advert = "<div class='ad-row'><p>Advertisement</p></div>"
    teasers = "".join(
        f"<div class='card'><h3><a href='/news/{i}'>Another story number {i} about the weather</a></h3></div>" for i in range(3)
    )
    html = (
        "<html><head><title>Can glass bubbles save the Arctic ice?</title></head><body>"
        "<div class='page'><h1>Can glass bubbles save the Arctic ice?</h1>"
        + body.format("".join(f"<p>{p}</p>" for p in first)) + advert
        + body.format("".join(f"<p>{p}</p>" for p in second))
        + f"</div><aside>{teasers}</aside></body></html>"
    )
    text = extract_page(html.encode(), "https://magazine.example/science/glass-bubbles").article.text
    for p in first + second:
        assert p in text
    assert text.count(first[0]) == 1


def test_hidden_box_of_short_paragraphs_is_not_taken_for_the_article():
    import lxml.html

    from extract.hidden import remove_hidden

    tooltip = (
        "<div class='save-pulldown'><div id='save-tip' style='display: none;'>"
        "<p>Save article</p><p>Members only. Saved articles can be read on any device.</p>"
        "<p><a href='/login'>Log in</a></p><p><a href='/join'>Join</a></p></div></div>"
    )
    # An article hidden until a script runs keeps its text: three long paragraphs.
    hidden_article = "<div style='display:none'>" + "".join(f"<p>{p} {p}</p>" for p in PROSE) + "</div>"
    tree = lxml.html.document_fromstring(
        f"<html><body><nav>{'<a href=/s>Section</a> ' * 30}</nav>{tooltip}{hidden_article}"
        + "".join(f"<p>{p}</p>" for p in PROSE * 4) + "</body></html>"
    )
    remove_hidden(tree, OPTS)
    text = " ".join(" ".join(tree.itertext()).split())
    assert "Members only" not in text
    assert text.count(PROSE[0]) == 6


def test_drop_later_posts_keeps_the_first_post_of_a_thread():
    post = [
        "不得不承认，如果没有张曼玉在戛纳封后，就很少有人会去关注《清洁》这部法国电影。但是当你为了张曼玉而去看这部电影，你会发现它的价值远不止于此。",
        "阿萨亚斯也是法国《电影手册》的编辑，他从小到大都受着新浪潮的影响，所以说他是从一个电影青年成长起来的，他在坚持自己的电影道路。",
        "我喜欢《清洁》中那些对摇滚环境的描绘，艾莉丝回到巴黎开始寻找一些老朋友，圈内圈外的相关人物，看似有些杂乱，却透射出真实。",
        "影片给出的结尾还是比较落俗和美好的，张曼玉和儿子之间得到了沟通，她在自己喜欢的事业上又有了新的契机，一切都开始往好的方向发展。",
    ]
    signature = "〓 网易娱乐 周黎明留言板 发布时间 2005/05/{:02d} 22:11:42 by {} 〓"
    thread = [
        *post, "文：眉间尺", signature.format(17, "眉间尺"), "← 返回",
        "如果不是阿萨亚斯，如果没有张曼玉，这部电影又会变成怎么样呢", signature.format(18, "愤怒的马"), "← 返回",
        "很喜欢片中迷离的音乐，与城市的妖艳相衬托。", signature.format(19, "eforblue"), "← 返回",
    ]
    assert text_rules.drop_later_posts(thread, ctx()) == set(range(5, len(thread)))
    # A live blog's entries open with their time; a chronology with its date.
    live = [PROSE[0], PROSE[1], PROSE[2], *(f"2024-07-{d} 11:04 Uhr: Drohne trifft Fahrzeug" for d in (16, 17, 18))]
    assert text_rules.drop_later_posts(live, ctx()) == set()
    # Two signatures are not a listing.
    assert text_rules.drop_later_posts(thread[:11], ctx()) == set()
