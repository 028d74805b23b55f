"""Page furniture that real news pages carry around the story, as the seeds show it.

Share/print/font-size widgets, 'Advertisement' labels, related links, comment forms,
newsletter promos, footers, copyright blocks, and the SEO spam injected into hacked pages
(keyword stuffing, a hidden keyword block, a spider-pool link farm, a referrer hijack).
An extractor must drop all of it; each helper returns an HTML fragment.
"""

from __future__ import annotations

from typing import Sequence

from tests.sim.site import esc

__all__ = [
    "share_bar",
    "font_size",
    "ad_label",
    "newsletter",
    "comment_form",
    "related",
    "footer",
    "seo_keyword_block",
    "spider_pool",
    "referrer_hijack",
    "OFFSITE",
]

# Off-site links every outlet carries (share targets, app stores, partner sites).
OFFSITE = (
    "https://www.facebook.com/sharer/sharer.php",
    "https://twitter.com/intent/tweet",
    "https://www.linkedin.com/shareArticle",
    "https://apps.apple.com/app/id000000000",
)

_WORDS = {
    "en": {"share": "Share", "print": "Print", "mail": "E-mail", "font": "Adjust font size:",
           "ad": "Advertisement", "news": "Subscribe to our newsletter",
           "news2": "Get the day's top stories in your inbox every morning.",
           "comments": "Comments", "name": "User Name Required", "comment": "Your Comment",
           "rules": "Racist, abusive and off-topic comments may be removed by the moderator.",
           "send": "Send", "related": "Related stories", "rights": "All rights reserved."},
    "zh": {"share": "分享到", "print": "打印", "mail": "邮件", "font": "字号：",
           "ad": "广告", "news": "订阅每日要闻", "news2": "每天早上把当日要闻发送到您的邮箱。",
           "comments": "网友评论", "name": "用户名", "comment": "我要评论",
           "rules": "请遵守互联网相关法律法规，文明发言。", "send": "发表评论",
           "related": "相关新闻", "rights": "版权所有，未经书面授权禁止使用。"},
    "ru": {"share": "Поделиться", "print": "Версия для печати", "mail": "Отправить",
           "font": "Размер шрифта:", "ad": "Реклама", "news": "Подпишитесь на рассылку",
           "news2": "Главные новости дня каждое утро в вашей почте.",
           "comments": "Комментарии", "name": "Имя", "comment": "Ваш комментарий",
           "rules": "Комментарии, нарушающие правила, будут удалены модератором.",
           "send": "Отправить", "related": "Читайте также", "rights": "Все права защищены."},
}


def share_bar(lang: str, url: str) -> str:
    w = _WORDS[lang]
    links = "".join(f'<a href="{esc(base)}?u={esc(url)}" rel="nofollow" target="_blank">{name}</a> '
                    for base, name in zip(OFFSITE, ("Facebook", "X", "LinkedIn")))
    return (f'<div class="share-bar"><span>{w["share"]}</span> {links}'
            f'<a href="javascript:window.print()" class="print">{w["print"]}</a> '
            f'<a href="mailto:?subject=news&amp;body={esc(url)}" class="mail">{w["mail"]}</a></div>')


def font_size(lang: str) -> str:
    return (f'<div class="font-size">{_WORDS[lang]["font"]} '
            '<a href="javascript:setFont(18)">A+</a> <a href="javascript:setFont(14)">A-</a></div>')


def ad_label(lang: str, slot: str) -> str:
    return (f'<div class="ad-slot" id="ad-{slot}"><span class="ad-label">{_WORDS[lang]["ad"]}</span>'
            f'<div class="ad-{slot}" data-slot="{slot}"></div></div>')


def newsletter(lang: str) -> str:
    w = _WORDS[lang]
    return (f'<aside class="newsletter"><h3>{w["news"]}</h3><p>{w["news2"]}</p>'
            '<form action="/newsletter/subscribe" method="post"><input type="email" name="email">'
            f'<button type="submit">{w["send"]}</button></form></aside>')


def comment_form(lang: str) -> str:
    w = _WORDS[lang]
    return (f'<section class="comments"><h3>{w["comments"]} (0)</h3>'
            '<form action="/comment/post" method="post">'
            f'<label>{w["name"]}<input name="user"></label>'
            f'<label>{w["comment"]}<textarea name="body"></textarea></label>'
            f'<p class="rules">{w["rules"]}</p><button>{w["send"]}</button></form></section>')


def related(lang: str, links: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for href, text in links)
    return f'<div class="related"><h3>{_WORDS[lang]["related"]}</h3><ul>{items}</ul></div>'


def footer(lang: str, owner: str, year: int, extra: str = "") -> str:
    social = " ".join(f'<a href="{esc(base)}" rel="noopener">{name}</a>'
                      for base, name in zip(OFFSITE[::3], ("Facebook", "App Store")))
    return (f'<footer class="site-footer">{extra}<p class="follow">{social}</p>'
            f'<p class="copyright">Copyright &copy; {year} '
            f'{esc(owner)}. {_WORDS[lang]["rights"]}</p></footer>')


# Keyword stuffing as hacked Chinese pages carry it: trending porn/gambling bait.
_SPAM_KEYWORDS = ("日韩午夜精品视频", "欧美私密网站", "国产一区二区三区四区", "澳门新葡京娱乐场",
                  "皇冠体育投注", "六合彩开奖结果", "真人百家乐", "bet365中文网")
_PLACES = ("富锦市", "雅安市", "怀化市", "文山县", "朝阳区", "赣榆县", "湘阴县", "横峰县",
           "定安县", "宿迁市", "宝清县", "垦利县", "南昌市", "浦县", "玛曲县", "黄龙县",
           "滁州市", "汨罗市", "锦州市", "交城县")


def seo_keyword_block() -> str:
    """The hidden keyword block a hacked CMS template gets."""
    words = ",".join(_SPAM_KEYWORDS)
    return f'<div style="display:none" class="kw">{words}</div>'


def spider_pool(seed: int) -> str:
    """A spider-pool link farm: place names linking to throwaway domains."""
    links = "| ".join(
        f'<a href="http://{seed + i:x}.sp{i % 7}.top/">{name}</a>' for i, name in enumerate(_PLACES)
    )
    return f'<div class="friend-links">主站蜘蛛池模板: {links}</div>'


def referrer_hijack() -> str:
    """Redirects visitors that come from a search engine; crawlers see the normal page."""
    return ('<script>var regexp=/\\.(sogou|soso|baidu|google|youdao|yahoo|bing|118114)'
            '(\\.[a-z0-9\\-]+){1,2}\\//ig;if(regexp.test(document.referrer)){'
            'location.href="http://\\x77\\x77\\x77.bc-vip.top/";}</script>')
