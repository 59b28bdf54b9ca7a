"""Browser (issue 11): the Data page's text view from a link, the Korean tiny corpus in Korean and projection mode;
Korean tokens drawn whole, nothing clipped, no console errors. Screenshot: tests/artifacts/data_text_ko.png."""

from __future__ import annotations

from helpers import ARTIFACTS, clipped_on_every_tab, settle, wait_for_app

from rnn_lab import i18n

LINK = (
    "data?lang=ko&projection=1&task=next_token&data_source_kind=text&data_text=tiny-ko&data_text_padding=post"
    "&train_loss=sparse_categorical_crossentropy"
)


def test_korean_tiny_corpus_in_projection_mode(page, app_url):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{app_url}/{LINK}")
    wait_for_app(page)
    page.get_by_text(i18n.t("text_data.shift_header", "ko")).wait_for(timeout=60_000)
    areas = page.locator('[data-testid="stMain"] textarea')
    areas.first.wait_for(timeout=60_000)  # a link's first load may rerun once (its settings are applied); wait for it
    wait_for_app(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "text:tiny-ko" in body and "Traceback" not in body
    editors = [area.input_value() for area in areas.all()]
    assert any(text.startswith("나는 구글에서 일한다") for text in editors), editors  # the corpus, to edit
    for header in ("tokens_header", "vocab_header", "pad_header", "length_header"):
        assert i18n.t(f"text_data.{header}", "ko") in body
    # the padding chart labels its cells with whole syllables (SVG text)
    page.set_viewport_size({"width": 1280, "height": 6000})  # Streamlit scrolls inside the app: grow the window
    settle(page)  # laid out at that height, filled in, every figure drawn
    cells = page.locator(".js-plotly-plot .heatmaplayer text")
    labels = {cells.nth(i).text_content() for i in range(cells.count())}
    assert {"나", "는", "구", "글"} <= labels, labels
    assert clipped_on_every_tab(page) == []
    page.screenshot(path=str(ARTIFACTS / "data_text_ko.png"), full_page=True)
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
