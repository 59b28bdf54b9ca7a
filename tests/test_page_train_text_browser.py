"""Browser (issue 11): from a Korean link in projection mode, train a character GRU on the tiny Korean corpus,
generate a line from the first syllable and see it with the top-5 figure: Hangul rendered, nothing clipped, no
console errors."""

from __future__ import annotations

from helpers import ARTIFACTS, clipped_on_every_tab, settle, wait_for_app

LINK = (
    "train?lang=ko&projection=1&task=next_token&data_source_kind=text&data_text=tiny-ko&data_text_padding=post"
    "&data_text_maxlen=30&train_loss=sparse_categorical_crossentropy&arch_cell=GRU&arch_units_1=32"
    "&arch_embedding=1&arch_embedding_dim=16&arch_return_sequences=1&arch_timesteps=30&arch_dense_units=100"
    "&train_epochs=60&train_lr=0.02&train_batch_size=8"
)


def test_train_on_the_tiny_korean_corpus_and_generate_a_line(page, app_url):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{app_url}/{LINK}")
    wait_for_app(page)
    page.get_by_text("Embedding(").first.wait_for()  # the model line names the Embedding
    page.get_by_role("button", name="학습 시작", exact=True).click()
    page.get_by_text("60 에포크를").wait_for(timeout=180_000)
    wait_for_app(page)
    page.get_by_role("button", name="생성", exact=True).click()
    wait_for_app(page)
    page.set_viewport_size({"width": 1280, "height": 6000})  # the app scrolls inside; show all results at once
    settle(page)  # laid out at that height, filled in, every figure drawn
    line = page.locator('.st-key-text_generated [data-testid="stCode"]').inner_text()
    assert sum("\uac00" <= ch <= "\ud7a3" for ch in line) >= 5, line  # a generated line of Hangul syllables
    titles = page.locator(".js-plotly-plot .gtitle")
    texts = [titles.nth(i).text_content() for i in range(titles.count())]  # SVG text: no inner_text
    assert any("다음 토큰 5개" in x for x in texts), texts
    cells = page.locator(".js-plotly-plot .heatmaplayer").count()
    assert cells >= 1
    assert clipped_on_every_tab(page) == []
    page.screenshot(path=str(ARTIFACTS / "train_text_ko.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
