"""Decoding page bytes: the bytes are the evidence, declarations only candidates."""

from __future__ import annotations

import codecs

import pytest

from extract.decode import decode_body, declared_charsets

ZH = "北约与俄罗斯高官周三召开会议，试图弥合在乌克兰前途问题上看似无法调和的分歧。" * 3
RU = "Министерство обороны России выразило надежду на конструктивный характер переговоров. " * 3
JA = "東京都は新たな防災計画を発表し、住民に備えを呼びかけた。" * 3
TW = "北約與俄羅斯高官週三召開會議，試圖彌合分歧。" * 3


def page(text: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("text", "codec", "meta", "header"),
    [
        (ZH, "gb18030", "gb2312", None),  # gb2312 declared, decoded as its superset
        (ZH, "gbk", None, None),  # no declaration anywhere: detection
        (ZH, "gbk", None, "text/html; charset=iso-8859-1"),  # wrong header
        (TW, "big5", "big5", None),
        (RU, "cp1251", "windows-1251", "text/html"),
        (RU, "cp1251", None, "text/html; charset=utf-8"),  # header lies
        (JA, "shift_jis", "shift_jis", None),
        (JA, "shift_jis", None, None),
        (ZH, "utf-8", "gb2312", None),  # stale declaration on UTF-8 bytes
    ],
)
def test_decodes_legacy_and_mislabelled_pages(text, codec, meta, header):
    body = page(text, meta).encode(codec)
    headers = {"Content-Type": header} if header else None
    decoded, _encoding = decode_body(body, headers)
    assert text in decoded


def test_gb2312_declaration_with_characters_outside_gb2312():
    text = "镕基总理访问了喆和堃的家乡。" * 5  # 镕 喆 堃 are GBK-only characters
    body = page(text, "gb2312").encode("gb18030")
    decoded, encoding = decode_body(body)
    assert text in decoded and encoding == "gb18030"


def test_bom_wins_over_declaration():
    body = codecs.BOM_UTF8 + page(RU, "windows-1251").encode("utf-8")
    decoded, encoding = decode_body(body)
    assert RU in decoded and encoding == "utf-8-sig"


def test_declared_charsets_in_order_and_normalised():
    body = b'<?xml version="1.0" encoding="GBK"?><html><head><meta charset="gb2312">'
    assert declared_charsets(body, {"content-type": "text/html; charset=Big5"}) == [
        "big5hkscs",
        "gb18030",
    ]


def test_gbk_with_a_few_corrupt_bytes_and_no_declaration():
    body = page(ZH * 8).encode("gb18030")
    body = body[:300] + b"\xff\xff" + body[300:]  # bytes no GB codec can decode
    decoded, encoding = decode_body(body)
    assert encoding == "gb18030"
    assert ZH[:20] in decoded
