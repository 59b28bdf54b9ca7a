"""Data page helpers: load the active source from the ``data_`` settings, prepare it, keep it in the session.

Session keys besides the settings: ``prepared`` (the active PreparedData, read by Train and Inside),
``prepared_signature`` (the ``data_`` settings it was built from, see :func:`rnn_lab.data.settings.signature`),
``data_loaded`` (the active Loaded table), ``data_upload`` (name + bytes of the last file read successfully),
``upload_digest`` (a hash of those bytes), ``data_clean_report`` (what cleaning changed).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from rnn_lab import i18n
from rnn_lab.data.clean import CleanReport, clean
from rnn_lab.data.columns import TargetChoice, choose_target
from rnn_lab.data.digits import PreparedClasses, prepare_classes_from_values
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import PreparedData, prepare, split_rows
from rnn_lab.data.reader import Loaded, read_bytes
from rnn_lab.data.settings import DATE_ORDERS, signature, source_defaults, split_columns, upload_window
from rnn_lab.data.sources import BUNDLED, load_bundled, load_toy
from rnn_lab.data.toys import TOYS
from rnn_lab.tasks import task_of


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
    from rnn_lab.data.text import prepare_text_from_values

    return prepare_text_from_values(dict(items), text)


@st.cache_data(show_spinner=False, max_entries=4)
def _upload(data: bytes, name: str, sentinel: str, date_order: str) -> Loaded:
    return read_bytes(data, name=name, sentinel=sentinel or None, date_order=date_order)


def apply_task_defaults() -> None:
    """On a change of task: that task's data source with its defaults, and its loss (the other settings stay)."""
    from rnn_lab.tasks import task_defaults

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
        from rnn_lab.tasks import arch_defaults

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
    return (*signature(state, digest), ("task", state.get("task", "forecast")))


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


def frame_for_training(loaded: Loaded):
    """The table the windows are cut from: without the incomplete last row unless the user chose to keep it."""
    if st.session_state.get("data_drop_last", True) and loaded.incomplete is not None:
        return loaded.frame.iloc[:-1]
    return loaded.frame


def prepare_from_settings(loaded: Loaded) -> tuple[PreparedData, CleanReport]:
    """Clean (limits fitted on the training rows) and window ``loaded`` with the current settings."""
    state = st.session_state
    fix_columns(loaded)
    target = state["data_target"]
    features = features_list()
    columns = list(dict.fromkeys([*features, target]))
    val, test = float(state.get("data_val_frac", 0.0)), float(state.get("data_test_frac", 0.0))
    if val + test >= 1:
        raise DataError("bad_fractions", val=val, test=test)
    source_frame = frame_for_training(loaded)
    if source_frame[target].isna().all():
        raise DataError("target_all_missing", target=target)
    fit_rows, _ = split_rows(len(source_frame), val, test)
    frame, report = clean(
        source_frame,
        columns,
        state.get("data_missing", "ffill"),
        state.get("data_outliers", "leave"),
        float(state.get("data_outlier_k", 1.5)),
        fit_rows=fit_rows,
    )
    prepared = prepare(
        frame,
        target,
        features,
        int(state.get("data_window", 5)),
        int(state.get("data_horizon", 1)),
        val,
        test,
        state.get("data_scaling", "none"),
        source=loaded.source,
        filled=report.filled,
    )
    prepared.currency = currency_signs(loaded, target)  # the target's unit (rnn_lab.data.units)
    return prepared, report


def store_prepared(prepared: PreparedData, report: CleanReport | None = None) -> None:
    """Make ``prepared`` the active dataset; the Architecture page follows its window and feature count."""
    state = st.session_state
    state["prepared"] = prepared
    state["prepared_signature"] = current_signature()  # after prepare_from_settings fixed target/features
    state["data_clean_report"] = report
    from rnn_lab.settings import all_settings

    settings = all_settings()
    follow = {"arch_timesteps": prepared.window, "arch_features": prepared.n_features}
    if getattr(prepared, "input_kind", "values") == "tokens":  # text: the Embedding and head follow the vocabulary
        from rnn_lab.tasks import arch_defaults

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
            if prepared is None or getattr(prepared, "task", "forecast") != task:
                raise
            if show_problems:  # the last good classification dataset stays
                from ui.common import error, lang, t

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
            from ui.common import error, lang, t

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
        from rnn_lab.data.errors import TextDataError

        raise TextDataError("own_needed")
    if task_of(state).label_kind == "token":
        return _text((*signature(state), ("task", task)), own_text())
    return _classes(signature(state), own_text() if state.get("data_source_kind") == "text" else None)


def prepared_or_stop() -> PreparedData:
    """:func:`current_prepared` for pages that need data: a plain message and ``st.stop()`` instead of a traceback."""
    try:
        return current_prepared()
    except DataError as err:
        from ui.common import lang

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
    from ui.common import error

    error(err.text(lang), err.hint(lang))


# ------------------------------------------------------------------------------------------------ drawing helpers
MAX_POINTS = 20_000  # points per line chart; longer series are shown every k-th row (the data are not changed)


def _x_title(loaded_or_frame) -> str:
    from ui.common import t

    index = getattr(loaded_or_frame, "frame", loaded_or_frame).index
    return t("data.look.x_date") if index.__class__.__name__ == "DatetimeIndex" else t("data.look.x_step")


def chart_rows(loaded: Loaded):
    """The rows the series chart shows: every k-th row of very long uploads (the data are not changed)."""
    frame = loaded.frame
    step = -(-len(frame) // MAX_POINTS)  # ceil: keep the browser responsive on very long uploads
    return (frame.iloc[::step] if step > 1 else frame), step


def spike_hints(loaded: Loaded, column: str):
    """Rows of ``column`` far from their neighbours (a hint, see :func:`rnn_lab.data.clean.spike_mask`)."""
    from rnn_lab.data.clean import spike_mask

    frame, _ = chart_rows(loaded)
    return spike_mask(frame[[column]])[column]


def series_figure(loaded: Loaded, column: str, cleaned=None):
    """Line chart (candlestick when OHLC exists) with a range slider; missing values and spike hints marked.

    ``cleaned`` (the column after cleaning, as the model trains on it) places each missing value where cleaning
    put it and draws the filled stretches as they are (forward-filled: flat), not a guessed slope.

    A candlestick with a missing price draws an SVG path with NaN in it (Chromium logs
    "<path> attribute d: Expected number"): rows without all four prices are left out of the candles (a
    gap), and the missing values get their own markers.
    """
    import plotly.graph_objects as go

    from rnn_lab.style import color
    from ui.common import t

    frame, step = chart_rows(loaded)
    fig = go.Figure()
    if loaded.has_ohlc and column in ("Open", "High", "Low", "Close"):
        ohlc = frame[["Open", "High", "Low", "Close"]].dropna()
        fig.add_trace(candlestick(ohlc, column_unit(loaded.source, "Close", loaded.currency)))
    else:
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[column],
                mode="lines",
                name=column,
                connectgaps=False,
                line={"color": color("actual")},
            )
        )
    missing = frame[column].isna()
    filled = cleaned.reindex(frame.index) if cleaned is not None else None
    if filled is not None and (missing & filled.notna()).any():
        # the filled values with the real value before each run: the line the model trains on (flat when forward-filled)
        near = missing | missing.shift(-1, fill_value=False)
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=filled.where(near),
                mode="lines",
                connectgaps=False,
                name=t("data.prep.filled_marker"),
                line={"color": color("model"), "dash": "dot"},
            )
        )
    if missing.any() and frame[column].notna().any():
        y = frame[column].interpolate(limit_direction="both")[missing]  # dropped rows: between their neighbours
        if filled is not None:
            y = filled[missing].fillna(y)
        fig.add_trace(
            go.Scatter(
                x=y.index,
                y=y,
                mode="markers",
                name=t("data.look.missing_marker"),
                marker={"symbol": "x", "color": color("model"), "size": 10},
            )
        )
    spikes = spike_hints(loaded, column)
    if spikes.any():
        fig.add_trace(
            go.Scatter(
                x=frame.index[spikes.to_numpy()],
                y=frame[column][spikes.to_numpy()],
                mode="markers",
                name=t("data.look.spike_marker"),
                marker={"symbol": "circle-open", "color": color("validation"), "size": 12, "line": {"width": 2}},
            )
        )
    title = t("data.look.chart_title", column=column)
    if step > 1:
        title += " " + t("data.look.downsampled", step=step)
    code = column_unit(loaded.source, column, currency_signs(loaded, st.session_state.get("data_target", "")))
    fig.update_layout(
        title=title, xaxis_rangeslider_visible=True, xaxis_title=_x_title(loaded), yaxis_title=_unit_title(column, code)
    )
    return _units(fig, frame.index, code, frame[column])


def currency_signs(loaded: Loaded, target: str) -> dict:
    """The currency signs of the file's columns, with the user's choice for an upload's target (``data_currency``)."""
    from rnn_lab.data.units import with_choice

    choice = st.session_state.get("data_currency", "auto") if loaded.source.startswith("upload:") else "auto"
    return with_choice(loaded.currency, target, choice)


def currency_ui(loaded: Loaded, column) -> None:
    """An upload's target: which currency it is in (the file's sign or column name by default; nothing is guessed)."""
    from rnn_lab.data.units import CURRENCY_CHOICES, column_currency, unit_label
    from ui.common import lang, t

    if not loaded.source.startswith("upload:"):
        return
    found = column_currency(loaded.source, st.session_state.get("data_target", ""), loaded.currency)

    def label(code: str) -> str:
        if code == "auto":
            return t("units.currency.auto", found=unit_label(found, lang()) if found else t("units.currency.none"))
        if code == "none":
            return t("units.currency.none")
        return f"{code} ({unit_label(code, 'ko')})" if lang() == "ko" else code

    column.selectbox(
        t("units.currency.label"),
        CURRENCY_CHOICES,
        key="data_currency",
        format_func=label,
        help=t("units.currency.help"),
    )


def column_unit(source: str, column: str, signs: dict | None = None) -> str | None:
    """The currency of a column (rnn_lab.data.units: the bundled registry, the file's sign, the column's name)."""
    from rnn_lab.data.units import column_currency

    return column_currency(source, column, signs)


def _unit_title(column: str, code: str | None) -> str:
    from rnn_lab.data.units import axis_title
    from ui.common import lang

    return axis_title(column, code, lang())


def _units(fig, index, code: str | None, values):
    """Hovers in the column's unit (45,298 원) with the full date; a column without a currency keeps its own
    decimals (the Data page's format of that column)."""
    from rnn_lab.data.display import value_decimals
    from rnn_lab.data.units import apply_units
    from ui.common import lang

    return apply_units(fig, index, code, lang(), decimals=None if code else value_decimals(values))


# Korean brokers draw a rising day red and a falling day blue; English charts mostly green up, red down.
CANDLE_COLORS = {"ko": ("#D55E00", "#0072B2"), "en": ("#009E73", "#D55E00")}  # (up, down), Okabe-Ito


def candlestick(ohlc, code: str | None):
    """OHLC candles in the reader's convention (Korean: red up, blue down), named so the legend says which, with
    hovers in the prices' unit."""
    import plotly.graph_objects as go

    from rnn_lab.data.units import unit_decimals, unit_label
    from ui.common import lang, t

    up, down = CANDLE_COLORS.get(lang(), CANDLE_COLORS["en"])
    d = unit_decimals(code, 2) if code else 2
    label = unit_label(code, lang())
    unit = f" {label}" if label else ""
    from rnn_lab.data.calendar import series_calendar
    from rnn_lab.data.units import date_hoverformat

    day = "%{x|" + date_hoverformat(lang(), series_calendar(ohlc.index)) + "}"  # the full date, as the lines say it
    lines = [day] + [f"{t(f'units.candle.{k}')} %{{{k}:,.{d}f}}{unit}" for k in ("open", "high", "low", "close")]
    return go.Candlestick(
        x=ohlc.index,
        open=ohlc["Open"],
        high=ohlc["High"],
        low=ohlc["Low"],
        close=ohlc["Close"],
        name=t("units.candle.legend"),
        showlegend=True,
        increasing={"line": {"color": up}, "fillcolor": up},
        decreasing={"line": {"color": down}, "fillcolor": down},
        hovertemplate="<br>".join(lines) + "<extra></extra>",
    )


def histogram_figure(frame, column: str):
    import plotly.graph_objects as go

    from rnn_lab.style import color
    from ui.common import t

    fig = go.Figure(go.Histogram(x=frame[column], nbinsx=40, marker_color=color("train"), name=column))
    fig.update_layout(
        title=t("data.look.histogram_title", column=column),
        xaxis_title=column,
        yaxis_title=t("data.look.count"),
        showlegend=False,
        height=300,
    )
    return fig


def before_after_figure(before, after, column: str, changed, code: str | None = None):
    import plotly.graph_objects as go

    from rnn_lab.style import color
    from ui.common import t

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=before.index,
            y=before[column],
            mode="lines",
            name=t("data.prep.before"),
            line={"color": color("baseline")},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=after.index, y=after[column], mode="lines", name=t("data.prep.after"), line={"color": color("actual")}
        )
    )
    if changed is not None and changed[column].any():
        hit = changed[column]
        fig.add_trace(
            go.Scatter(
                x=after.index[hit],
                y=after[column][hit],
                mode="markers",
                name=t("data.prep.outliers_done", n=int(hit.sum())),
                marker={"color": color("model"), "size": 8},
            )
        )
    fig.update_layout(
        title=t("data.prep.before_after"), xaxis_title=_x_title(after), yaxis_title=_unit_title(column, code)
    )
    return _units(fig, after.index, code, after[column])


def window_figure(prepared: PreparedData, i: int):
    """The target series with window ``i`` (training split) highlighted and its label marked."""
    import plotly.graph_objects as go

    from rnn_lab.style import color
    from ui.common import t

    series = prepared.series
    target = prepared.target
    label_row = int(prepared.idx_train[i])
    start = label_row - prepared.horizon - prepared.window + 1
    rows = series.iloc[start : start + prepared.window]
    # show some context around the window, not the whole series
    lo, hi = max(0, start - 3 * prepared.window), min(len(series), label_row + 3 * prepared.window + 1)
    ctx = series.iloc[lo:hi]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ctx.index,
            y=ctx[target],
            mode="lines+markers",
            name=target,
            line={"color": color("actual")},
            marker={"size": 4},
        )
    )
    fig.add_vrect(x0=rows.index[0], x1=rows.index[-1], fillcolor=color("highlight"), opacity=0.35, line_width=0)
    fig.add_trace(
        go.Scatter(
            x=rows.index,
            y=rows[target],
            mode="markers",
            name=t("data.prep.window_inputs"),
            marker={"color": color("train"), "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[series.index[label_row]],
            y=[series[target].iloc[label_row]],
            mode="markers",
            name=t("data.prep.window_label"),
            marker={"color": color("forecast"), "size": 14, "symbol": "star"},
        )
    )
    code = column_unit(prepared.source, target, prepared.currency)
    fig.update_layout(
        title=t("data.prep.window_plot_title", i=i), xaxis_title=_x_title(series), yaxis_title=_unit_title(target, code)
    )
    return _units(fig, series.index, code, series[target])


def grid(n: int) -> list:
    """``n`` side-by-side cells; in projection mode at most two per row.

    A select shows its value in an ``<input>``, which cannot wrap: at the projection font a third of the
    page cuts "앞의 값으로 채우기 (forward-fill)" to "앞의 값으로 채우기 (forwar". Two per row fit.
    """
    from ui.common import projection

    per_row = min(n, 2) if projection() else n
    cells: list = []
    while len(cells) < n:
        cells += st.columns(per_row)
    return cells[:n]


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
    own tests rely on; ``tests/test_data_browser.py`` checks in Chromium that the English text is gone.
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
    from rnn_lab.data.reader import MAX_MB
    from ui.common import lang, t

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
