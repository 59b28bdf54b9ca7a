"""Every step of all seven lessons in a real browser, as a teacher (Korean, projection mode, 1920x1080) and as a
student (English, normal mode, 1280x800), with an assertion for each promise of issue 27 the browser can check:

- projection mode: the step's title and question on the main stage in large type (not in the sidebar);
  normal mode: the step in the sidebar;
- every step opens its page at the top (lessons 4 and 5 used to open mid-page), also after reading on;
- after Train the live curve comes into view, then the results; no run of an earlier lesson on any page of a
  later one (a clean slate per lesson);
- the share box holds a QR code and the short hand-out link (lesson and step, no projection), while the
  teacher's own address keeps projection mode;
- the Inside page's heat maps through time draw the marker of the current step; Samsung's forecast is on trading
  days, and in Korean its date ticks are Korean;
- no raw Markdown (``**``, ``###``), no struck-through text (two single tildes), no table cell drawn as a list
  (a lone ``-``); in Korean no unfilled particle (``(으)로``, ``을(를)``...) and no English prose (three or more
  English words with no Hangul in one text).

Training is cut to a few epochs and each walk trains in three lessons (together all six that train): the lessons'
numbers are checked in tests/test_lessons.py and bench/lesson_claims.py; the walk is about what the pages show.
Screenshots: one per step, the results and the embedding map, in a temporary directory whose path is printed
(``pytest -s``); look at them.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from helpers import wait_for_app

from rnn_lab import lessons
from rnn_lab.i18n import t

STAGE = ".st-key-lesson_stage"
IN_VIEW = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= -1 && r.top < window.innerHeight - 100;
}"""
MAIN_SCROLL = "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollTop : 0; }"
# The page is still: the main pane's height and scroll position and every Plotly chart's drawn size unchanged for
# ``ms`` (a wait that ends when the page is done, not after a fixed time). ``key`` starts a new watch per call.
QUIET = """([key, ms]) => {
  const m = document.querySelector('[data-testid="stMain"]');
  const plots = [...document.querySelectorAll('.js-plotly-plot')].map(p => {
    const svg = p.querySelector('.main-svg');
    return svg ? svg.getAttribute('width') + 'x' + svg.getAttribute('height') : '-';
  });
  const sig = (m ? m.scrollHeight + ':' + m.scrollTop : '') + '|' + plots.join(',');
  const now = performance.now(), q = window.__quiet;
  if (!q || q.key !== key || q.sig !== sig) { window.__quiet = {key, sig, t: now}; return false; }
  return now - q.t >= ms;
}"""
EPOCHS = {"counting": 5, "why_lstm": 1, "samsung": 1, "deep": 1, "digits": 1, "text": 3}  # a few, to see pages
# Each walk trains in three lessons (the two walks cover all six that train), to keep the walk near a minute each.
TRAINS = {"ko": ("counting", "samsung", "text"), "en": ("why_lstm", "deep", "digits")}
PARTICLES = re.compile(r"\((으|이|을|를|은|는|과|와|가|아|야)\)|(을|은|이|과)\((를|는|가|와)\)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Text nodes of the main stage and the sidebar (not code, formulas, charts or tables), one string each.
TEXTS = """() => {
  const out = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.currentNode; el; el = walker.nextNode()) {
      if (!['P', 'LI', 'H1', 'H2', 'H3', 'H4', 'LABEL', 'SUMMARY', 'BUTTON', 'TD', 'TH'].includes(el.tagName)) continue;
      if (el.closest('code, pre, .katex, .js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stCode"]')) continue;
      const box = el.getBoundingClientRect();
      if (box.width < 2 || box.height < 2 || el.closest('details:not([open])')) continue;
      const copy = el.cloneNode(true);
      copy.querySelectorAll('code, .katex, p, li').forEach(c => c.remove());  // nested blocks are their own
      out.push(copy.textContent.trim());
    }
  }
  return out.filter(s => s);
}"""


def _settle(tab) -> None:
    tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.wait_for(timeout=60_000)
    time.sleep(0.3)
    wait_for_app(tab)
    tab.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=90_000, polling=200)


_QUIET_CALLS = iter(range(10**9))


def _quiet(tab, ms: int) -> None:
    """Wait until the page has been still for ``ms`` (see QUIET); at most 15 s, then go on: the checks that
    follow say what is wrong."""
    _wait_until(tab, QUIET, [next(_QUIET_CALLS), ms], timeout=15_000)


def _wait_until(tab, script: str, arg=None, timeout: int = 5_000) -> None:
    """Wait until ``script`` holds (at most ``timeout`` ms), then go on: the check that follows asserts it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # lazy, as conftest's browser fixture

    try:
        tab.wait_for_function(script, arg=arg, timeout=timeout, polling=100)
    except PlaywrightTimeout:
        pass


def _path(tab) -> str:
    return urlsplit(tab.url).path.strip("/")


class Walk:
    """One browser tab walking the lessons; what it finds wrong goes into ``problems`` (all reported at once)."""

    def __init__(self, tab, lang: str, projection: bool, shots: Path):
        self.tab, self.lang, self.projection, self.shots = tab, lang, projection, shots
        self.problems: list[str] = []
        self.earlier_runs: list[str] = []  # "#3 " of every run trained in an earlier lesson

    def check(self, ok, where: str, what: str) -> None:
        if not ok:
            self.problems.append(f"{self.lang} {where}: {what}")

    def shot(self, name: str) -> None:
        self.tab.screenshot(path=str(self.shots / f"{self.lang}_{name}.png"))

    # ---- what every step must show --------------------------------------------------------------------

    def step_checks(self, lesson: lessons.Lesson, step: int) -> None:
        tab, lang, where = self.tab, self.lang, f"{lesson.id} step {step + 1}"
        base = f"classroom.lessons.{lesson.id}.steps.s{step + 1}"
        self.check(_path(tab) == lesson.steps[step].page.rsplit("/", 1)[-1][:-3], where, f"on page {_path(tab)}")
        self.check(tab.evaluate(MAIN_SCROLL) == 0, where, f"opened at scroll {tab.evaluate(MAIN_SCROLL)}, not the top")
        stage = tab.locator(STAGE)
        sidebar = tab.locator('[data-testid="stSidebar"]').inner_text()
        question = t(f"{base}.question", lang)
        if self.projection:
            stage_text = stage.inner_text() if stage.count() else ""
            self.check(stage.count() == 1 and tab.evaluate(IN_VIEW, STAGE), where, "the stage is not in view")
            for part in ("title", "question"):
                self.check(t(f"{base}.{part}", lang) in stage_text, where, f"the step's {part} is not on the stage")
            self.check(question not in sidebar, where, "the question is in the sidebar")
            font = tab.evaluate(
                "() => { const p = document.querySelector('.st-key-lesson_stage [data-testid=\"stMarkdownContainer\"] p');"
                " return p ? parseFloat(getComputedStyle(p).fontSize) : 0; }"
            )
            self.check(font >= 26, where, f"stage text {font} px")
            if step == len(lesson.steps) - 1:  # the last step's Next is disabled, and looks it (not black on grey)
                colour = tab.evaluate(
                    "() => getComputedStyle(document.querySelector('.st-key-btn_lesson_next button p')"
                    " || document.querySelector('.st-key-btn_lesson_next button')).color"
                )
                self.check(
                    colour != "rgb(0, 0, 0)", where, f"the disabled Next is drawn like an enabled one ({colour})"
                )
        else:
            self.check(stage.count() == 0, where, "a stage in normal mode")
            self.check(question in sidebar, where, "the question is not in the sidebar")
        self.no_earlier_runs(where)
        self.text_checks(where)

    def no_earlier_runs(self, where: str) -> None:
        main = self.tab.locator('[data-testid="stMain"]').inner_text()
        for run in self.earlier_runs:
            self.check(run not in main, where, f"shows {run.strip()}, a run of an earlier lesson")

    def text_checks(self, where: str) -> None:
        struck = self.tab.evaluate(
            '() => [...document.querySelectorAll(\'[data-testid="stMain"] del, [data-testid="stSidebar"] del\')]'
            ".map(e => e.textContent)"
        )
        self.check(not struck, where, f"struck-through text (two single tildes in Markdown): {struck[:3]}")
        texts = self.tab.evaluate(TEXTS)
        for text in texts:
            if "**" in text or re.search(r"(^|\n)#{2,} ", text):
                self.check(False, where, f"raw Markdown: {text[:90]!r}")
            if self.lang == "ko":
                if PARTICLES.search(text):
                    self.check(False, where, f"unfilled particle: {text[:90]!r}")
                words = re.findall(r"\b[a-z]{3,}\b", text)
                if len(words) >= 3 and not HANGUL.search(text):
                    self.check(False, where, f"English prose: {text[:90]!r}")

    # ---- actions ------------------------------------------------------------------------------------------

    def start(self, lesson_id: str) -> None:
        tab = self.tab
        tab.locator('[data-testid="stSidebarNav"] a').filter(has_text=t("common.nav.lessons", self.lang)).first.click()
        _settle(tab)
        button = tab.locator(f".st-key-btn_lesson_start_{lesson_id} button")
        button.scroll_into_view_if_needed()
        button.click()
        page = lessons.LESSONS[lesson_id].page.rsplit("/", 1)[-1][:-3]
        tab.wait_for_url(lambda url: urlsplit(url).path.strip("/") == page, timeout=60_000)
        _settle(tab)
        _quiet(tab, 500)  # lessons 4 and 5 opened mid-page once the page had grown to the old position

    def next(self, step: int) -> None:
        tab = self.tab
        tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 900)")  # reading on
        tab.locator(".st-key-btn_lesson_next button").click()
        tab.wait_for_url(lambda url: f"lesson_step={step}" in url, timeout=60_000)
        _settle(tab)
        _wait_until(tab, f"() => ({MAIN_SCROLL})() === 0")  # the scroll script runs once the page is drawn

    def train(self, lesson_id: str) -> str:
        """Set a few epochs, press Train; check the live curve and then the results come into view. Returns the
        heading of the result ("Result: #3 ...")."""
        tab, where = self.tab, f"{lesson_id} train"
        epochs = tab.locator(".st-key-train_epochs input")
        epochs.fill(str(EPOCHS[lesson_id]))
        epochs.press("Enter")
        _settle(tab)
        tab.evaluate(
            "(inView) => { window.__liveSeen = false; window.__liveDrawn = false;"
            " const f = new Function('return ' + inView)();"
            " const check = () => { if (document.querySelector('.st-key-train_live_view')) window.__liveDrawn = true;"
            " if (f('.st-key-train_live_view')) window.__liveSeen = true;"
            " if (!window.__liveSeen) requestAnimationFrame(check); }; requestAnimationFrame(check); }",
            IN_VIEW,
        )
        tab.locator(".st-key-btn_train_start button").click()
        heading = tab.locator(".st-key-train_results [data-testid='stHeading']").first
        heading.wait_for(timeout=180_000)
        _wait_until(tab, IN_VIEW, ".st-key-train_results")  # the smooth scroll to the results
        # A training done within the press's own wait (ui.train: up to 0.6 s) shows its results with no live view;
        # a live view that was drawn must have come into view.
        seen = tab.evaluate("() => window.__liveSeen === true || window.__liveDrawn === false")
        self.check(seen, where, "the live curve was drawn but never came into view")
        self.check(tab.evaluate(IN_VIEW, ".st-key-train_results"), where, "the results are not in view")
        _settle(tab)
        text = heading.inner_text()
        self.check("#" in text, where, f"result heading {text!r}")
        bullets = tab.locator('[data-testid="stMain"] [data-testid="stTable"] li').count()
        self.check(bullets == 0, where, f"{bullets} table cells drawn as a Markdown list (a lone '-')")
        self.shot(f"{lesson_id}_trained")
        return text

    def element_shot(self, selector: str, name: str) -> None:
        """A screenshot of one part of the page (to look at), when the page has it: the window is made tall for
        it (the app scrolls inside its main pane, so parts below the fold are not drawn), then restored."""
        tab = self.tab
        if not tab.locator(selector).count():
            return
        size = tab.viewport_size
        tab.set_viewport_size({"width": size["width"], "height": 4000})
        _quiet(tab, 800)  # Plotly redraws every chart at the new size
        tab.locator(selector).first.screenshot(path=str(self.shots / f"{self.lang}_{name}.png"))
        tab.set_viewport_size(size)
        tab.wait_for_timeout(300)

    def share_qr(self, lesson_id: str, step: int) -> None:
        where = f"{lesson_id} share"
        tab = self.tab
        sidebar = tab.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(t("classroom.link.title", self.lang)).click()
        qr = sidebar.locator("img.rnn-lab-qr").first
        qr.wait_for(timeout=30_000)
        box = qr.bounding_box()
        self.check(box and box["width"] > 100, where, f"QR code box {box}")
        share_box = sidebar.locator('[data-testid="stExpander"]').filter(has_text=t("classroom.link.title", self.lang))
        link = share_box.locator('[data-testid="stCode"]').first.inner_text().strip()
        params = dict(parse_qsl(urlsplit(link).query))
        short = {"lesson": lesson_id, "lesson_step": str(step), **({"lang": "ko"} if self.lang == "ko" else {})}
        self.check(params == short, where, f"hand-out link {link} (short: the lesson step, no projection)")
        if self.projection:  # the teacher's own address bar keeps it
            own = dict(parse_qsl(urlsplit(tab.url).query))
            self.check(own.get("projection") == "1", where, f"the teacher's address lost projection: {tab.url}")
        self.shot(f"{where.replace(' ', '_')}_qr")
        sidebar.get_by_text(t("classroom.link.title", self.lang)).click()  # closed again

    def heat_map_marker(self, where: str) -> None:
        """The Inside page's heat maps through time (units x steps) draw the black line of the current step."""
        tab = self.tab
        charts = '[class*="st-key-inside_fig_time_"] .js-plotly-plot'
        tab.locator(charts).first.wait_for(timeout=120_000)
        _settle(tab)
        found = tab.evaluate(
            f"""() => [...document.querySelectorAll('{charts}')]
                 .map(gd => [...gd.querySelectorAll('.shapelayer path')]
                   .some(p => getComputedStyle(p).stroke === 'rgb(0, 0, 0)'))"""
        )
        self.check(found and all(found), where, f"heat maps through time with a step marker: {found}")

    def forecast_dates(self, where: str) -> None:
        dates = self.tab.evaluate(
            """() => { const gd = document.querySelector('.st-key-chart_train_predictions .js-plotly-plot');
                 return gd ? gd.data[gd.data.length - 1].x : null; }"""
        )
        self.check(dates, where, "no forecast drawn")
        days = [datetime.date.fromisoformat(str(d)[:10]) for d in dates or []]
        self.check(all(d.weekday() < 5 for d in days), where, f"forecast dates off trading days: {dates}")
        self.check(days and days[0] > datetime.date(2019, 8, 2), where, f"forecast starts {days[:1]}")
        if self.lang == "ko":  # the date ticks of the results' charts in Korean (Plotly's own say "Jan 2015")
            ticks = self.tab.evaluate(
                """() => [...document.querySelectorAll('.st-key-train_results .js-plotly-plot .xtick text')]
                     .map(t => t.textContent)"""
            )
            english = [tick for tick in ticks if re.search(r"[A-Za-z]", tick)]
            self.check(not english, where, f"English date ticks: {english[:4]}")


def _walk(tab, lang: str, projection: bool) -> Walk:
    shots = Path(tempfile.mkdtemp(prefix=f"rnnlab-lessons-{lang}-"))
    print(f"lesson walk screenshots: {shots}")
    walk = Walk(tab, lang, projection, shots)
    for lesson in lessons.LESSONS.values():
        walk.start(lesson.id)
        trained = None
        for step in range(len(lesson.steps)):
            if step:
                walk.next(step)
            walk.step_checks(lesson, step)
            walk.shot(f"{lesson.id}_{step + 1}")
            page = lesson.steps[step].page
            if page == lessons.TRAIN and trained is None and lesson.id in TRAINS[lang]:
                trained = walk.train(lesson.id)
                walk.text_checks(f"{lesson.id} results")
                walk.no_earlier_runs(f"{lesson.id} results")
                if lesson.id == "samsung":
                    walk.forecast_dates("samsung results")
                walk.element_shot(".st-key-train_results", f"{lesson.id}_results")
            if page == lessons.INSIDE:
                walk.heat_map_marker(f"{lesson.id} step {step + 1}")
                walk.shot(f"{lesson.id}_{step + 1}_inside")
                walk.element_shot(".st-key-inside_fig_embedding", f"{lesson.id}_embedding")
        if lesson.id == "counting":
            walk.share_qr("counting", len(lesson.steps) - 1)
        if trained:
            walk.earlier_runs.append("#" + trained.split("#", 1)[1].split()[0] + " ")
    return walk


@pytest.mark.parametrize(
    ("lang", "projection", "viewport"),
    [("ko", True, (1920, 1080)), ("en", False, (1280, 800))],
    ids=["ko-projection-1920", "en-normal-1280"],
)
def test_every_lesson_step_in_the_browser(browser, app_url, lang, projection, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=f"{lang}-KR")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(f"{app_url}/lessons?lang={lang}" + ("&projection=1" if projection else ""))
        _settle(tab)
        walk = _walk(tab, lang, projection)
    finally:
        context.close()
    assert not walk.problems, "\n".join(walk.problems)
