"""The layout checks themselves (checks.py, measure.js), on small pages written here: each catches what it
should and lets pass what the rules exempt (an inline link in a sentence, a skip link off the page until
focused, text in a closed <details>, a wide table in its scroll container, a switch)."""

from __future__ import annotations

import pytest

from tests.browser.checks import PHONE, measure, problems

pytestmark = pytest.mark.parametrize("screen", [PHONE], ids=["phone"], indirect=True)

GOOD = """<!doctype html><html lang="zh-Hans"><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif} a,button{display:inline-block;min-width:44px;min-height:44px}
p a{display:inline;min-height:0} header{height:56px} label{display:block;padding:12px 0}
nav.tabs{position:fixed;bottom:0;left:0;right:0;height:56px} .skip{position:absolute;top:-4rem}
.scroll{overflow-x:auto} summary{display:block;min-height:44px}</style></head>
<body><a class="skip" href="#m">跳到正文</a><header><a href="/">首页</a></header>
<main id="m"><p>请阅读<a href="/rules">规则</a>后再提交。</p>
<div class="scroll"><table style="width:900px"><tr><td>很宽的表格</td></tr></table></div>
<details><summary>技术细节</summary><small style="font-size:8px">x</small></details>
<label><input type="checkbox" name="a"> 同意</label>
<label><input type="checkbox" role="switch" style="width:36px;height:20px"> 开关</label>
<svg viewBox="0 0 100 50" width="390"><text x="0" y="20" font-size="4">4 units = 15.6 px drawn</text></svg>
</main><nav class="tabs"><a href="/me">我的</a></nav></body></html>"""

BAD = """<!doctype html><html lang="zh-Hans"><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif} header{height:120px}
input[type=checkbox]{width:20px;height:44px}</style></head>
<body><header><a href="/">首页</a></header><main><p><a href="/back">返回</a></p>
<div style="width:600px">太宽了</div><small style="font-size:9px">小字</small>
<input type="checkbox" aria-label="选择">
<svg viewBox="0 0 600 300" width="390"><text x="0" y="20" font-size="10">6.5 px drawn</text></svg>
</main></body></html>"""


def test_a_page_that_keeps_every_rule_passes(page):
    page.set_content(GOOD)
    figures = measure(page)
    assert problems(figures, PHONE, tab_bar=True) == []
    assert figures["exempt"] == 1, "the link inside the sentence is exempt"
    assert figures["header"]["height"] == 56 and figures["tabBar"]["height"] == 56


def test_a_page_that_breaks_every_rule_names_each_offender(page):
    page.set_content(BAD)
    found = "\n".join(problems(measure(page), PHONE, tab_bar=True))
    assert "horizontal overflow: the page is 600 px wide in a 390 px window" in found
    assert "div '太宽了': from x=0 to x=600" in found
    assert "top bar header is 120 px tall" in found
    assert "no bottom tab bar" in found
    assert "p > a '返回'" in found, "a link alone in its paragraph is not running text"
    assert "small '小字': 9 px" in found
    assert "text '6.5 px drawn': 6.5 px" in found, "SVG text counts at its drawn size"
    assert "checkboxes/radios not square (1)" in found and "20x44" in found
