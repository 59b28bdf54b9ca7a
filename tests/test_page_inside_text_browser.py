"""Browser (issue 11): the Inside page on the tiny Korean corpus, in Korean and projection mode. The sentence's
token boxes, the heatmap's token axis and the embedding map carry Korean syllables that render (a real glyph,
not a missing-glyph box), and nothing on the page is clipped."""

from __future__ import annotations

from helpers import ARTIFACTS, clipped_on_every_tab, settle, wait_for_app

LINK = (
    "inside?lang=ko&projection=1&task=next_token&data_source_kind=text&data_text=tiny-ko&data_text_padding=post"
    "&train_loss=sparse_categorical_crossentropy&arch_cell=GRU&arch_units_1=6&arch_embedding_dim=4&inside_step=4"
)

# Each Korean label of a Plotly figure drawn in the page's font: its width must be that of a real syllable. A
# missing glyph falls back to a narrow box/space; a syllable in Noto Sans CJK is about one em wide.
KOREAN_LABELS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.js-plotly-plot text')) {
    const s = (el.textContent || '').trim();
    if (s.length === 1 && s >= '가' && s <= '힣') {
      const size = parseFloat(getComputedStyle(el).fontSize);
      out.push({s, width: el.getBBox().width, size, plot: el.closest('.js-plotly-plot').parentElement.className});
    }
  }
  return out;
}"""


def test_inside_on_tiny_ko_in_korean_projection(page, app_url):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{app_url}/{LINK}")
    wait_for_app(page)
    page.get_by_text("문장을 한 단계씩 따라가기").wait_for(timeout=120_000)
    page.set_viewport_size({"width": 1280, "height": 6000})  # the app scrolls inside; show every figure at once
    settle(page)  # laid out at that height, filled in, every figure drawn
    wait_for_app(page)
    page.locator(".js-plotly-plot .gtitle").first.wait_for(timeout=60_000)
    titles = page.locator(".js-plotly-plot .gtitle")
    texts = [titles.nth(i).text_content() for i in range(titles.count())]
    assert any("단계 t = 4" in x for x in texts), texts  # the sentence with step 4 highlighted
    assert any("가능성이 큰 다음 토큰" in x for x in texts), texts
    assert any("두 주축 위의 토큰 벡터" in x for x in texts), texts
    labels = page.evaluate(KOREAN_LABELS)
    assert len(labels) > 20, labels  # sentence boxes, heatmap ticks, embedding labels
    assert {lab["s"] for lab in labels} & {"나", "는", "다"}, labels
    for lab in labels:  # a rendered Hangul syllable is close to one em wide (tofu or a blank is not)
        assert 0.7 * lab["size"] <= lab["width"] <= 1.3 * lab["size"], lab
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK KR\"', '가')")
    assert clipped_on_every_tab(page) == []
    assert page.get_by_text("Traceback").count() == 0
    page.screenshot(path=str(ARTIFACTS / "inside_text_ko_projection.png"), full_page=True)
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
