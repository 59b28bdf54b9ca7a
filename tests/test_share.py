"""Shareable links: encode/decode for every setting, garbage links, and state -> link -> fresh session on every page."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_lab import share
from rnn_lab.i18n import t as catalogue_t
from rnn_lab.settings import Setting, all_settings, defaults

SETTINGS = all_settings()
BIG = 10**9


def _value_strategy(setting: Setting):
    """Every value the setting accepts (what a widget or a lesson may put in the session)."""
    if setting.choices is not None:
        return st.sampled_from(setting.choices)
    if setting.kind is bool:
        return st.booleans()
    low = -BIG if setting.min is None else setting.min
    high = BIG if setting.max is None else setting.max
    if setting.kind is int:
        return st.integers(math.ceil(low), math.floor(high))
    if setting.kind is float:
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.text(max_size=30)


EXPERIMENTS = st.fixed_dictionaries({}, optional={key: _value_strategy(s) for key, s in SETTINGS.items()})


def test_registry_has_every_area():
    prefixes = {key.split("_", 1)[0] for key in SETTINGS}
    assert {"arch", "data", "train", "inside", "lang", "projection", "simple", "lesson"} <= prefixes


def test_defaults_make_an_empty_link():
    assert share.encode(defaults()) == {}
    assert share.build_link("http://host/train", {}) == "http://host/train"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPERIMENTS)
def test_every_experiment_survives_a_link(values):
    link = share.build_link("http://localhost:8501/train", share.encode(values))
    path, params = share.parse_link(link)
    decoded, notices = share.decode(params)
    assert path == "train"
    assert notices == []
    expected = {**defaults(), **{k: SETTINGS[k].validate(v) for k, v in values.items()}}
    assert decoded == expected
    assert share.encode(decoded) == share.encode(values)  # the same experiment gives the same link


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([*SETTINGS, "zzz", "page", ""]), st.one_of(st.text(), st.lists(st.text()))))
def test_decode_never_raises_and_only_returns_allowed_values(params):
    values, notices = share.decode(params)
    assert set(values) == set(SETTINGS)
    for key, value in values.items():
        setting = SETTINGS[key]
        if value is not None or not setting.optional:
            assert setting.validate(value) == value
    assert {n.key for n in notices} <= set(params)
    for notice in notices:
        assert values[notice.key] == SETTINGS[notice.key].default
        assert len(notice.value) <= share.MAX_SHOWN


@pytest.mark.parametrize(
    "key, text",
    [
        ("arch_cell", "Transformer"),
        ("arch_layers", "banana"),
        ("arch_layers", "0"),
        ("arch_layers", "2.5"),
        ("arch_units_1", "-3"),
        ("arch_dropout", "nan"),
        ("arch_dropout", "1e999"),
        ("arch_return_sequences", "maybe"),
        ("train_lr", ""),
        ("data_window", "9" * 50),
        ("lang", "fr"),
        ("lesson", "lesson99"),
    ],
)
def test_garbage_value_gives_default_and_notice(key, text):
    values, notices = share.decode({key: text, "arch_cell": "LSTM" if key != "arch_cell" else text})
    assert values[key] == SETTINGS[key].default
    assert [n.key for n in notices] == [key]
    assert notices[0].default == SETTINGS[key].to_text(SETTINGS[key].default)
    assert notices[0].allowed
    if key != "arch_cell":
        assert values["arch_cell"] == "LSTM"  # the good parameters of a link still apply


def test_missing_unknown_and_repeated_params():
    values, notices = share.decode({"arch_units_1": ["3", "7"], "utm_source": "mail", "arch_layers": "2"})
    assert notices == []
    assert values["arch_units_1"] == 7  # like st.query_params, the last value wins
    assert values["arch_layers"] == 2
    assert values["arch_cell"] == SETTINGS["arch_cell"].default  # an old link without it
    assert "utm_source" not in values


def test_allowed_text():
    assert share.allowed_text(SETTINGS["arch_cell"]) == "SimpleRNN, LSTM, GRU"
    assert share.allowed_text(SETTINGS["arch_layers"]) == "1 ... 4"
    assert share.allowed_text(SETTINGS["projection"]) == "0, 1"


def test_link_text_survives_url_special_characters():
    values = {"data_features": "가격 & 거래량=1+2 #3?", "arch_cell": "GRU"}
    path, params = share.parse_link(share.build_link("http://h:1/data", share.encode(values)))
    decoded, notices = share.decode(params)
    assert (path, notices) == ("data", [])
    assert decoded["data_features"] == values["data_features"] and decoded["arch_cell"] == "GRU"


@pytest.mark.parametrize(
    "locale, header, expected",
    [
        ("ko-KR", None, "ko"),
        ("ko", "en-US,en;q=0.9", "ko"),
        ("en-US", "ko-KR,ko;q=0.9", "en"),  # navigator.language comes first
        (None, "ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        (None, "en-US,en;q=0.9,ko;q=0.8", "en"),
        ("ja-JP", "ja,ko;q=0.9,en;q=0.8", "ko"),
        (None, "fr-FR,fr;q=0.9", "en"),
        (None, "ko;q=0", "en"),
        (None, "", "en"),
        (None, None, "en"),
        ("", "garbage;;q=x,,", "en"),
    ],
)
def test_preferred_language(locale, header, expected):
    assert share.preferred_language(locale, header) == expected


# ---- the app ---------------------------------------------------------------------------------


def _pages():
    import app

    return [path for entries in app.PAGES.values() for path, _, _ in entries]


def _session_values(at) -> dict:
    return {key: at.session_state[key] for key in SETTINGS if key in at.session_state}


def _changed_values() -> dict:
    """A non-default, valid value for many settings across every area (a realistic shared experiment)."""
    wanted = {
        "lang": "ko",
        "projection": True,
        "simple_mode": True,
        "arch_cell": "GRU",
        "arch_layers": 2,
        "arch_units_1": 12,
        "arch_units_2": 6,
        "arch_bidirectional": True,
        "arch_merge_mode": "sum",
        "arch_dropout": 0.25,
        "data_source_kind": "toy",
        "data_toy": "sine",
        "data_toy_length": 300,
        "data_toy_noise": 0.05,
        "data_window": 12,
        "data_val_frac": 0.2,
        "data_test_frac": 0.1,
        "data_scaling": "standard",
        "train_optimizer": "sgd",
        "train_lr": 0.005,
        "train_epochs": 7,
        "train_seed": 1234,
        "inside_seed": 5,
        "inside_split": "train",
    }
    return {key: value for key, value in wanted.items() if key in SETTINGS and SETTINGS[key].validate(value) == value}


def _fresh_session_from_link(app_test_cls, page, params, **context):
    """A new browser session opening ``params`` on ``page`` (like pasting the link in a fresh browser)."""
    from helpers import ROOT

    at = app_test_cls.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(params)
    at.context.update(context)
    at.switch_page(page)  # the link's path; before the first run AppTest resolves it by file name
    return at.run()


@pytest.fixture
def fresh():
    from streamlit.testing.v1 import AppTest

    return lambda page, params, **context: _fresh_session_from_link(AppTest, page, params, **context)


@pytest.mark.parametrize("page", _pages())
def test_round_trip_on_every_page(app_test, fresh, page):
    """state -> link (the address bar) -> a fresh session with that link -> the same settings on the same page."""
    changed = _changed_values()
    at = app_test(page=page, **changed)
    assert not at.exception, at.exception
    link = dict(at.query_params)
    assert link, "the address bar holds the experiment"
    assert all(isinstance(v, str) for v in link.values())
    before = _session_values(at)
    for key, value in changed.items():
        assert before[key] == value or key.startswith("data_"), (key, before[key], value)

    again = fresh(page, link)
    assert not again.exception, again.exception
    assert _session_values(again) == before
    assert dict(again.query_params) == link
    assert again.session_state["_page_path"] == page.rsplit("/", 1)[-1].removesuffix(".py").replace("home", "")
    assert not again.warning or all("link" not in w.value.lower() for w in again.warning)


def test_garbage_link_opens_with_defaults_and_a_notice(fresh):
    params = {
        "arch_cell": "Transformer",
        "arch_layers": "-1",
        "train_lr": "lots",
        "lang": "xx",
        "junk": "1",
        "arch_units_1": "7",
    }
    at = fresh("app_pages/architecture.py", params)
    assert not at.exception, at.exception
    assert at.session_state["arch_cell"] == "SimpleRNN" and at.session_state["arch_layers"] == 1
    assert at.session_state["arch_units_1"] == 7  # the valid part of the link is kept
    notice = next(w.value for w in at.warning if catalogue_t("classroom.link.notice_title", "en") in w.value)
    for key in ("arch_cell", "arch_layers", "train_lr", "lang"):
        assert f"`{key}`" in notice
    assert "junk" not in notice  # unknown parameters are ignored silently
    # the address bar is cleaned up: the experiment only (the workspace token is kept in a cookie, issue 26)
    assert dict(at.query_params) == {"arch_units_1": "7"}
    at.button(key="btn_dismiss_link_notices").click().run()
    assert not any(catalogue_t("classroom.link.notice_title", "en") in w.value for w in at.warning)


def test_a_link_naming_a_source_brings_its_defaults(fresh):
    """``?data_source_kind=bundled`` is Samsung as the Data page gives it (Close, window 20, 70/15/15, MinMax), not
    Samsung with the counting toy's settings; a setting the link gives still wins, and a Samsung experiment without
    scaling keeps it off through its link."""
    at = fresh("app_pages/data.py", {"data_source_kind": "bundled"})
    assert not at.exception, at.exception
    state = at.session_state
    assert (state["data_target"], state["data_window"], state["data_scaling"]) == ("Close", 20, "minmax")
    assert (state["data_val_frac"], state["data_test_frac"]) == (0.15, 0.15)
    assert not at.error
    again = fresh("app_pages/data.py", {"data_source_kind": "bundled", "data_window": "30"})
    assert again.session_state["data_window"] == 30 and again.session_state["data_target"] == "Close"
    params = share.encode(
        {**defaults(), **share.decode(share.expand({"data_source_kind": "bundled"}))[0], "data_scaling": "none"}
    )
    assert params["data_scaling"] == "none"  # the registry's default, but not Samsung's: it travels
    assert share.decode(share.expand(params))[0]["data_scaling"] == "none"
    assert share.expand({"data_source_kind": "upload"}) == {"data_source_kind": "upload"}  # defaults come with the file


def test_garbage_link_notice_in_korean(fresh):
    at = fresh("app_pages/home.py", {"lang": "ko", "arch_cell": "???"})
    assert not at.exception
    assert any(catalogue_t("classroom.link.notice_title", "ko") in w.value for w in at.warning)


def test_browser_language_and_link_language(fresh):
    assert fresh("app_pages/home.py", {}, locale="ko-KR").session_state["lang"] == "ko"
    assert fresh("app_pages/home.py", {}, locale="en-GB").session_state["lang"] == "en"
    assert fresh("app_pages/home.py", {"lang": "en"}, locale="ko-KR").session_state["lang"] == "en"  # the link wins
    at = fresh("app_pages/home.py", {}, locale="ko-KR")
    assert at.title[0].value == catalogue_t("common.app_title", "ko")
    assert "lang" in dict(at.query_params)  # Korean differs from the default, so the link carries it


def test_link_follows_the_session_across_pages(app_test):
    at = app_test()
    at.selectbox(key="lang").set_value("ko").run()
    at.toggle(key="projection").set_value(True).run()
    assert dict(at.query_params) == {"lang": "ko", "projection": "1"}  # never the workspace token
    for page in _pages():
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert at.session_state["lang"] == "ko" and at.session_state["projection"] is True
        assert dict(at.query_params)["lang"] == "ko"
        code = [c.value for c in at.sidebar.code]
        # the Share box: the class hand-out keeps the language, not the teacher's projection mode
        assert any("lang=ko" in c and "projection" not in c for c in code), code
    # A later change of the query string by hand does not override the session (a link applies once).
    at.query_params["lang"] = "en"
    at.run()
    assert at.session_state["lang"] == "ko" and dict(at.query_params)["lang"] == "ko"


def test_a_page_switch_runs_through_the_router():
    """A plain AppTest switched to a page runs it through app.py's router (sidebar, link, lesson panel).

    Pages live in app_pages/, not pages/: with a pages/ folder beside app.py, Streamlit 1.67 runs a page file
    alone (old multipage mode) until the router's st.navigation has run once in the process."""
    from helpers import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("app_pages/lessons.py").run()
    assert not at.exception, at.exception
    assert at.session_state["_page_path"] == "lessons"
    assert any(s.key == "lang" for s in at.sidebar.selectbox)


CLASSIFY = {  # a shared digits experiment with a Conv1D explored (issue 10: the task is a dimension of links too)
    "task": "classify",
    "data_source_kind": "digits",
    "data_digits_limit": 300,
    "data_val_frac": 0.1,
    "train_loss": "sparse_categorical_crossentropy",
    "arch_family": "conv1d",
    "arch_filters": 8,
    "arch_kernel_size": 5,
    "arch_timesteps": 28,
    "arch_features": 28,
    "arch_dense_units": 10,
    "lang": "ko",
}


@pytest.mark.parametrize("page", _pages())
def test_classify_round_trip_on_every_page(app_test, fresh, page):
    at = app_test(page=page, **CLASSIFY)
    assert not at.exception, at.exception
    link = dict(at.query_params)
    assert link["task"] == "classify" and link["arch_family"] == "conv1d"
    before = _session_values(at)
    again = fresh(page, link)
    assert not again.exception, again.exception
    assert _session_values(again) == before
    assert {k: again.session_state[k] for k in CLASSIFY} == CLASSIFY
