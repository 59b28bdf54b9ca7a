"""Data page helpers: load the active source from the ``data_`` settings, prepare it, keep it in the session.

Session keys besides the settings: ``prepared`` (the active PreparedData, read by Train and Inside),
``prepared_signature`` (the ``data_`` settings it was built from, see :func:`rnn_lab.data.settings.signature`),
``data_loaded`` (the active Loaded table), ``data_upload`` (name + bytes of the last file read successfully),
``upload_digest`` (a hash of those bytes), ``data_clean_report`` (what cleaning changed). The page's figures are in
``ui/data_figures.py`` (re-exported here).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from rnn_lab import i18n
from rnn_lab.data.clean import CleanReport
from rnn_lab.data.columns import TargetChoice, choose_target
from rnn_lab.data.digits import PreparedClasses, prepare_classes_from_values
from rnn_lab.data.errors import DataError, TextDataError
from rnn_lab.data.from_values import prepare_numbers
from rnn_lab.data.prepare import PreparedData, prepare
from rnn_lab.data.reader import MAX_MB, Loaded, read_bytes
from rnn_lab.data.settings import (
    DATE_ORDERS,
    signature,
    source_defaults,
    split_columns,
    upload_window,
)
from rnn_lab.data.sources import BUNDLED, load_bundled, load_toy
from rnn_lab.data.text import prepare_text_from_values
from rnn_lab.data.toys import TOYS
from rnn_lab.settings import all_settings
from rnn_lab.tasks import arch_defaults, task_defaults, task_of
from ui.common import error, lang, t
from ui.data_figures import (  # noqa: F401 (re-exported)
    CANDLE_COLORS,
    MAX_POINTS,
    _unit_title,
    _units,
    _x_title,
    before_after_figure,
    candlestick,
    chart_rows,
    column_unit,
    currency_ui,
    grid,
    histogram_figure,
    series_figure,
    spike_hints,
    window_figure,
)


@st.cache_data(show_spinner=False, max_entries=8)
def _bundled(name: str) -> Loaded:
    return load_bundled(name)


@st.cache_data(show_spinner=False, max_entries=16)
def _toy(name: str, length: int, noise: float, seed: int, lag: int) -> Loaded:
    params = {"lag": lag} if name == "long_memory" else {}
    return load_toy(name, length=length, noise=noise, seed=seed, **params)


@st.cache_resource(show_spinner=False, max_entries=8)
def _classes(items: tuple, text: str | None = None) -> PreparedClasses:
    """The classification dataset of these ``data_`` settings (shared read-only: every session with the same
    settings gets the same arrays, which nobody writes to)."""
    return prepare_classes_from_values(dict(items), text)


def is_classify() -> bool:
    return task_of(st.session_state).label_kind == "class"


def is_sequence_task() -> bool:
    """classify or next_token: datasets of labelled sequences (digits, the toy, text), not a windowed series."""
    return task_of(st.session_state).sequence_labels


OWN_TEXT_KEY = "data_text_own"  # the user's own text: session data like an upload, never in a link


def own_text() -> str | None:
    """The text the user typed, pasted, edited from a tiny corpus or read from a .txt file in this session."""
    return st.session_state.get(OWN_TEXT_KEY)


@st.cache_resource(show_spinner=False, max_entries=8)
def _text(items: tuple, text: str | None):
    """The text dataset of these ``data_`` settings and the task (next_token or classify); shared read-only."""
    return prepare_text_from_values(dict(items), text)


@st.cache_data(show_spinner=False, max_entries=4)
def _upload(data: bytes, name: str, sentinel: str, date_order: str) -> Loaded:
    return read_bytes(data, name=name, sentinel=sentinel or None, date_order=date_order)


def apply_task_defaults() -> None:
    """On a change of task: that task's data source with its defaults, and its loss (the other settings stay)."""
    for key, value in task_defaults(st.session_state["task"]).items():
        st.session_state[key] = value


def apply_source_defaults() -> None:
    """on_change of the source widgets: the counting toy gets the tutorial settings, others 70/15/15 + MinMax."""
    state = st.session_state
    kind, toy, bundled = (
        state.get("data_source_kind", "toy"),
        state.get("data_toy", "counting"),
        state.get("data_bundled", "samsung"),
    )
    if kind == "upload" and state.get("data_upload") is None:
        return  # the current dataset stays active until a file is read; its defaults are applied then
    # the link names the uploaded file only while the upload is the source
    state["data_upload_name"] = state["data_upload"][0] if kind == "upload" else ""
    for key, value in source_defaults(kind, toy, bundled, text=text_source_for_task()).items():
        state[key] = value
    state.pop("btn_data_features", None)
    if task_of(state).label_kind == "class":  # the explorer's shape and head follow the classification data
        state.update(
            arch_defaults(
                "classify", kind, state.get("data_class_toy_length", 20), maxlen=state.get("data_text_maxlen", 40)
            )
        )


def text_sources() -> tuple[str, ...]:
    """The texts the current task reads: sentiment reads NSMC, the language model a tiny corpus or own text."""
    return ("nsmc",) if task_of(st.session_state).label_kind == "class" else ("tiny-en", "tiny-ko", "own")


def text_source_for_task() -> str:
    """``data_text`` if the task can read it, else the task's first text (the source defaults use it)."""
    current = st.session_state.get("data_text", "tiny-en")
    return current if current in text_sources() else text_sources()[0]


def own_text_needed() -> bool:
    """The settings (e.g. a link's) name the user's own text, which is not in this session: it never travels in a
    link, like an uploaded file."""
    state = st.session_state
    return state.get("data_source_kind") == "text" and state.get("data_text") == "own" and own_text() is None


def load_from_settings(upload: tuple[str, bytes] | None = None) -> Loaded:
    """The table the ``data_`` settings point at. Raises DataError for an unusable file."""
    state = st.session_state
    kind = state.get("data_source_kind", "toy")
    if kind == "bundled":
        return _bundled(state.get("data_bundled", "samsung"))
    if kind == "upload":
        upload = upload or state.get("data_upload")
        if upload is None:
            raise LookupError("no file uploaded yet")
        name, data = upload
        return _upload(data, name, str(state.get("data_sentinel", "")).strip(), state.get("data_date_order", "auto"))
    name = state.get("data_toy", "counting")
    return _toy(
        name,
        int(state.get("data_toy_length", TOYS[name].length)),
        float(state.get("data_toy_noise", 0.0)),
        int(state.get("data_toy_seed", 0)),
        int(state.get("data_toy_lag", 20)),
    )


def remember_upload(pair: tuple[str, bytes]) -> None:
    """Keep a file that was read successfully: its table for every page, its name for links."""
    state = st.session_state
    if state.get("data_upload") != pair:
        state["upload_digest"] = hashlib.blake2b(pair[1], digest_size=16).hexdigest()
    state["data_upload"] = pair
    state["data_upload_name"] = pair[0]


def missing_columns(loaded: Loaded) -> list[str]:
    """The target/feature columns named by the settings (e.g. a link's) that this table lacks."""
    state = st.session_state
    wanted = [state.get("data_target", ""), *split_columns(state.get("data_features", ""))]
    return [c for c in dict.fromkeys(wanted) if c not in loaded.frame.columns]


def upload_needed() -> str | None:
    """The file name a link asks for when the upload is the source but its table is not in this session."""
    state = st.session_state
    if state.get("data_source_kind") == "upload" and state.get("data_upload") is None:
        return str(state.get("data_upload_name", "")) or None
    return None


def current_signature() -> tuple:
    state = st.session_state
    digest = state.get("upload_digest", "") if state.get("data_source_kind") == "upload" else ""
    if state.get("data_source_kind") == "text" and state.get("data_text") == "own":
        digest = hashlib.blake2b((own_text() or "").encode(), digest_size=16).hexdigest()
    return (*signature(state, digest), ("task", task_of(state).name))


def target_choice(loaded: Loaded) -> TargetChoice:
    """The default target of ``loaded`` and why (a bundled series' own target, Close, else the first column
    that is not a calendar part or a row counter: see :func:`rnn_lab.data.columns.choose_target`)."""
    kind, _, name = loaded.source.partition(":")
    preferred = BUNDLED[name].target if kind == "bundled" and name in BUNDLED else "value" if kind == "toy" else None
    return choose_target(loaded.frame, preferred)


def default_target(loaded: Loaded) -> str:
    return target_choice(loaded).column


def column_labels(loaded: Loaded) -> dict[str, str]:
    """Each column as the selects show it: the canonical name with the file's own beside it ("Close (종가)")."""
    originals: dict[str, str] = {}
    for original, canonical in loaded.columns_map.items():
        originals.setdefault(canonical, original)
    return {col: f"{col} ({originals[col]})" if originals.get(col, col) != col else col for col in loaded.frame.columns}


def fix_columns(loaded: Loaded) -> None:
    """Make ``data_target``/``data_features`` valid for this table (they come from another table or a link)."""
    state = st.session_state
    cols = list(loaded.frame.columns)
    if state.get("data_target") not in cols:
        state["data_target"] = default_target(loaded)
    feats = split_columns(state.get("data_features", ""))
    if any(f not in cols for f in feats):
        state["data_features"] = ""


def features_list() -> list[str]:
    state = st.session_state
    return split_columns(state.get("data_features", "")) or [state["data_target"]]


def prepare_from_settings(loaded: Loaded) -> tuple[PreparedData, CleanReport]:
    """Clean (limits fitted on the training rows) and window ``loaded`` with the current settings (the one path:
    :func:`rnn_lab.data.from_values.prepare_numbers`, which a saved run's rebuild and the train command use too)."""
    fix_columns(loaded)
    return prepare_numbers(st.session_state, loaded=loaded)


def store_prepared(prepared: PreparedData, report: CleanReport | None = None) -> None:
    """Make ``prepared`` the active dataset; the Architecture page follows its window and feature count."""
    state = st.session_state
    state["prepared"] = prepared
    state["prepared_signature"] = current_signature()  # after prepare_from_settings fixed target/features
    state["data_clean_report"] = report

    settings = all_settings()
    follow = {"arch_timesteps": prepared.window, "arch_features": prepared.n_features}
    if getattr(prepared, "input_kind", "values") == "tokens":  # text: the Embedding and head follow the vocabulary
        follow = arch_defaults(prepared.task, "text", maxlen=prepared.window, vocab=prepared.vocab_size)
        follow["arch_embedding_vocab"] = prepared.vocab_size
        follow.pop("arch_mask_zero", None)  # the user's choice; choosing the task sets its default
    for key, value in follow.items():
        try:
            state[key] = settings[key].validate(value) if key in settings else value
        except ValueError:  # beyond what the Architecture page allows (e.g. > 64 features): leave it
            pass


def current_prepared(show_problems: bool = True) -> PreparedData:
    """The prepared dataset of the current ``data_`` settings, rebuilt when they changed since it was made.

    The settings may change on any page (a lesson, a shared link, a session-state edit), so the stored
    dataset is used only while its signature matches. Raises DataError when nothing usable can be made:
    ``upload_needed`` when the settings name an uploaded file that is not in this session (a fresh session
    opened from a link), or the settings' own problem when there is no earlier dataset to keep. When the
    new settings are unusable but an earlier dataset exists, that one stays (with a message if
    ``show_problems``; the Data page shows its own). With the default settings this is the counting toy
    exactly as in the Keras tutorial: window 5, horizon 1, no scaling, all ten windows in training.
    """
    state = st.session_state
    prepared = state.get("prepared")
    if prepared is not None and state.get("prepared_signature") == current_signature():
        return prepared
    if is_sequence_task():
        task = state.get("task")
        try:
            new = sequence_dataset()
        except DataError as err:
            if prepared is None or prepared.task != task:
                raise
            if show_problems:  # the last good classification dataset stays
                error(err.text(lang()), t("data.prep.kept_previous"))
            return prepared
        store_prepared(new)
        return new
    name = upload_needed()
    if name is not None:
        raise DataError("upload_needed", name=name)
    if state.get("data_source_kind") == "upload" and state.get("data_upload") is None:
        if prepared is not None:  # "upload" picked, no file read yet: the current dataset stays active
            return prepared
        loaded = tutorial_loaded()  # settings untouched; the tutorial until a file is read
        state["data_loaded"] = loaded
        store_prepared(tutorial_prepared(loaded))
        return state["prepared"]
    try:
        loaded = load_from_settings()
        new, report = prepare_from_settings(loaded)
    except DataError as err:
        if prepared is None:
            raise
        if show_problems:
            error(err.text(lang()), t("data.prep.kept_previous"))
        return prepared
    state["data_loaded"] = loaded
    store_prepared(new, report)
    return new


def sequence_dataset():
    """The classify / next_token dataset of the current settings, built (or taken from the cache) now; DataError
    when they are unusable (nothing is stored: :func:`current_prepared` decides what stays active)."""
    state = st.session_state
    task = state.get("task")
    if own_text_needed():
        raise TextDataError("own_needed")
    if task_of(state).label_kind == "token":
        return _text((*signature(state), ("task", task)), own_text())
    return _classes(signature(state), own_text() if state.get("data_source_kind") == "text" else None)


def prepared_or_stop() -> PreparedData:
    """:func:`current_prepared` for pages that need data: a plain message and ``st.stop()`` instead of a traceback."""
    try:
        return current_prepared()
    except DataError as err:
        show_data_error(err, lang())
        st.stop()


def tutorial_loaded() -> Loaded:
    return _toy("counting", TOYS["counting"].length, 0.0, 0, 20)


def tutorial_prepared(loaded: Loaded | None = None) -> PreparedData:
    """The counting toy exactly as in the Keras tutorial: window 5, horizon 1, no scaling, all windows train."""
    loaded = loaded or tutorial_loaded()
    return prepare(
        loaded.frame,
        "value",
        ("value",),
        window=5,
        horizon=1,
        val_frac=0.0,
        test_frac=0.0,
        scaling="none",
        source=loaded.source,
    )


def show_data_error(err: DataError, lang: str) -> None:
    error(err.text(lang), err.hint(lang))


# ---------------------------------------------------------------------------------------------------- upload
def _css_text(text: str) -> str:
    """A catalogue string as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_css(button: str, limits: str) -> str:
    """CSS that replaces the file uploader's built-in English text ("Upload", "50MB per file • CSV, ...").

    Streamlit 1.67 has no parameter for them. The built-in text is shrunk to nothing and the translated
    text drawn in its place with ``::after`` (same size and color: 0.875rem is the 14px Streamlit uses,
    and it grows with projection mode's larger root font). Only the visible text changes; the button
    and the drop zone work as before. The selectors are Streamlit's ``data-testid`` attributes, which its
    own tests rely on; ``tests/test_page_data_browser.py`` checks in Chromium that the English text is gone.
    """
    button_p = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    limits_span = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    return (
        "<style>\n"
        f"{button_p}, {limits_span} {{ font-size: 0 !important; line-height: 0 !important; }}\n"
        f"{button_p}::after {{ content: {_css_text(button)}; font-size: 0.875rem; line-height: 1.6; }}\n"
        f"{limits_span}::after {{ content: {_css_text(limits)}; font-size: 0.875rem; line-height: 1.6; }}\n"
        "</style>"
    )


def upload_ui() -> Loaded | None:
    """The upload source: the uploader, the file it holds or the file still active from an earlier visit,
    and the reader's verdict. Returns the table read now (or kept), None when there is none yet.

    Streamlit empties an uploader whose page was left; the dataset stays active in the session, so on
    return the page names the active file and the uploader offers to replace it.
    """
    state = st.session_state
    active = state.get("data_upload")
    extensions = ("csv", "tsv", "txt", "xlsx")
    button = t("data.upload_replace_button") if active else t("data.upload_button")
    st.html(uploader_css(button, t("data.upload_limits", mb=MAX_MB, types=", ".join(e.upper() for e in extensions))))
    label = t("data.upload_replace", name=active[0]) if active else t("data.upload", mb=MAX_MB)
    upload = st.file_uploader(label, type=list(extensions), key="upload_data", help=t("data.upload_help"))
    c1, c2 = grid(2)
    c1.text_input(t("data.sentinel"), key="data_sentinel", help=t("data.sentinel_help"))
    c2.selectbox(
        t("data.date_order"),
        DATE_ORDERS,
        key="data_date_order",
        help=t("data.date_order_help"),
        format_func=lambda k, _lang=lang(): i18n.t(f"data.date_orders.{k}", _lang),
    )
    loaded = None
    if upload is not None:
        pair = (upload.name, upload.getvalue())
        try:
            loaded = load_from_settings(pair)
            if state.get("data_upload") != pair:
                # the file a link asked for keeps the link's settings; a new file gets the defaults and its own target
                from_link = state.get("data_upload") is None and state.get("data_upload_name") == upload.name
                missing = missing_columns(loaded) if from_link else []
                if not from_link or missing:
                    for key, value in source_defaults("upload").items():
                        state[key] = value
                    state["data_window"] = upload_window(len(loaded.frame))
                    state["data_target"] = default_target(loaded)
                    state.pop("btn_data_features", None)
                state["btn_data_upload_note"] = (
                    t("data.upload_link_columns", name=upload.name, missing=", ".join(missing))
                    if missing
                    else t("data.upload_link_kept")
                    if from_link
                    else None
                )
            remember_upload(pair)
            st.success(t("data.upload_ok", name=upload.name, rows=f"{loaded.rows:,}"), icon=":material/check:")
            if state.get("btn_data_upload_note"):
                st.caption(state["btn_data_upload_note"])
        except DataError as err:
            show_data_error(err, lang())
            if active:
                st.caption(t("data.upload_kept", name=active[0]))
    elif active is not None:
        try:
            loaded = load_from_settings()
            st.info(
                t("data.upload_active", name=active[0], rows=f"{loaded.rows:,}", size=_size(len(active[1]))),
                icon=":material/description:",
            )
        except DataError as err:
            show_data_error(err, lang())
    elif upload_needed():  # a fresh session opened from a link: the file did not travel with it
        st.warning(t("data.err.upload_needed", name=upload_needed()), icon=":material/upload_file:")
        st.stop()  # nothing below would be the link's experiment; its settings stay untouched until the file comes
    else:
        st.info(t("data.upload_prompt"), icon=":material/upload_file:")
    return loaded


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:.1f} MB" if n_bytes >= 1024 * 1024 else f"{max(1, round(n_bytes / 1024))} KB"
