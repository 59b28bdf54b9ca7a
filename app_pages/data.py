"""Data page: load a sequence, look at it, clean it, scale it and cut it into the 3D window tensor; for the
sequence tasks, labelled sequences (ui/classify.py) or text as token ids (ui/text_data.py).

Thin: widgets read the ``data_`` settings, ``rnn_lab.data`` does the work, ``ui.data`` keeps the result
in the session (``prepared``) for the Architecture, Train and Inside pages. No TensorFlow here.
"""

import pandas as pd
import streamlit as st

from rnn_lab import i18n
from rnn_lab.data.display import describe_formats, frame_formats, styled
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import SCALINGS
from rnn_lab.data.settings import (
    BUNDLED_NAMES,
    MISSING_STRATEGIES,
    OUTLIER_STRATEGIES,
    SOURCE_KINDS,
    join_columns,
)
from rnn_lab.data.sources import BUNDLED
from rnn_lab.data.toys import TOYS, recommended_window
from rnn_lab.tasks import TASK_NAMES, task_of
from ui import data as ud
from ui.common import error, lang, plot, show_advanced, show_table, t
from ui.widgets import number_ui

state = st.session_state
L = lang()


def _labels(group: str):
    """format_func for options: the language is fixed now (AppTest calls it outside the script run)."""
    return lambda k, _lang=L: i18n.t(f"data.{group}.{k}", _lang)


st.title(t("data.title"))
st.caption(t("text_data.intro" if state.get("data_source_kind") == "text" else "data.intro"))  # text: ids, not windows
st.radio(
    t("tasks.label"),
    TASK_NAMES,
    key="task",
    horizontal=True,
    format_func=lambda k, _lang=L: i18n.t(f"tasks.names.{k}", _lang),
    on_change=ud.apply_task_defaults,
    help=t("tasks.help"),
)
st.caption(t(f"tasks.descriptions.{state['task']}"))

# ----------------------------------------------------------------------------------------------------- source
# The sources that fit the task (a link may name one that does not: the task's first source opens instead).
offered = [k for k in SOURCE_KINDS if k in task_of(state).source_kinds]
if state.get("data_source_kind") not in offered:
    state["data_source_kind"] = offered[0]
st.radio(
    t("data.source_kind"),
    offered,
    key="data_source_kind",
    horizontal=True,
    format_func=_labels("kinds"),
    on_change=ud.apply_source_defaults,
    help=t("data.source_help"),
)
kind = state["data_source_kind"]
if kind == "text":  # token ids: the text view (ui/text_data.py), none of the series' cleaning
    from ui import text_data

    text_data.data_ui()
    st.stop()
if task_of(state).label_kind == "class":  # sequences with class labels: their own view, none of the series' cleaning
    from ui import classify as uc

    if kind == "digits":
        number_ui("data_digits_limit", t("class_ui.digits_limit"), 500)
    else:
        c1, c2 = ud.grid(2)
        number_ui("data_class_toy_length", t("class_ui.toy_length"), 1, column=c1)
        number_ui("data_class_toy_samples", t("class_ui.toy_samples"), 100, column=c2)
        st.info(t("class_ui.toy_first_vs_last"), icon=":material/lightbulb:")
    try:
        uc.data_ui(ud.current_prepared())
    except DataError as err:
        ud.show_data_error(err, L)
    st.stop()
loaded = None
if kind == "toy":
    st.selectbox(t("data.toy_pick"), tuple(TOYS), key="data_toy", on_change=ud.apply_source_defaults)
    name = state["data_toy"]
    st.info(t(f"data.toy.{name}", lag=state["data_toy_lag"]), icon=":material/lightbulb:")
    if show_advanced():
        c1, c2, c3, c4 = ud.grid(4)
        number_ui("data_toy_length", t("data.toy_length"), 1, column=c1)
        number_ui("data_toy_noise", t("data.toy_noise"), 0.05, fmt="%.2f", column=c2)
        number_ui("data_toy_seed", t("data.toy_seed"), 1, column=c3)
        if name == "long_memory":
            number_ui("data_toy_lag", t("data.toy_lag"), 1, column=c4)
    lag = {"lag": int(state["data_toy_lag"])} if name == "long_memory" else {}
    st.caption(t("data.toy_window_hint", window=recommended_window(name, **lag)))
elif kind == "bundled":
    st.selectbox(
        t("data.bundled_pick"),
        BUNDLED_NAMES,
        key="data_bundled",
        on_change=ud.apply_source_defaults,
        format_func=_labels("bundled_names"),
    )
    b = BUNDLED[state["data_bundled"]]
    st.caption(t("data.provenance", origin=b.origin, license=b.license, rows=f"{b.rows:,}", start=b.start, end=b.end))
else:
    loaded = ud.upload_ui()

if kind != "upload":
    try:
        loaded = ud.load_from_settings()
    except DataError as err:  # e.g. a toy parameter out of range
        ud.show_data_error(err, L)
    except ValueError as err:
        error(str(err))
if loaded is not None:
    state["data_loaded"] = loaded
loaded = state.get("data_loaded")
if loaded is None:  # nothing read yet in this session: the tutorial dataset
    loaded = state["data_loaded"] = ud.tutorial_loaded()
frame = loaded.frame
st.markdown(t("data.active", source=loaded.source, rows=f"{len(frame):,}", columns=frame.shape[1]))
formats = frame_formats(frame, loaded.currency)  # one number format per column, everywhere on this page
if loaded.incomplete is not None:  # a day still being traded: name it and offer to drop it
    last = loaded.incomplete
    st.warning(
        t("data.note.incomplete_last", date=last.label, present=", ".join(last.present), absent=", ".join(last.absent)),
        icon=":material/event_busy:",
    )
    st.checkbox(t("data.drop_last", date=last.label), key="data_drop_last")
    if not state["data_drop_last"]:
        st.caption(t("data.note.incomplete_kept", date=last.label, absent=", ".join(last.absent)))

# ------------------------------------------------------------------------------------------------ look at it
st.header(t("data.look.header"))
ud.fix_columns(loaded)
tab_sum, tab_chart, tab_desc, tab_hist = st.tabs(
    [t("data.look.summary"), t("data.look.chart"), t("data.look.describe"), t("data.look.histograms")]
)
with tab_sum:
    if loaded.problems:
        st.markdown(f"**{t('data.look.problems')}**")
        st.warning("\n".join(f"- {n.text(L)}" for n in loaded.problems), icon=":material/warning:")
    st.markdown(f"**{t('data.look.decisions')}**")
    notes = [t("data.note.rows", n=f"{loaded.rows:,}")] + [n.text(L) for n in loaded.decisions]
    st.markdown("\n".join(f"- {x}" for x in notes))
with tab_chart:
    target = state["data_target"]
    n_missing = int(frame[target].isna().sum())
    n_spikes = int(ud.spike_hints(loaded, target).sum())
    st.caption(
        (t("data.look.missing_count", n=n_missing) if n_missing else t("data.look.no_missing"))
        + "  \n"
        + (t("data.look.spike_hint", n=n_spikes) if n_spikes else t("data.look.no_spikes"))
    )
with tab_desc:
    show_table(styled(frame.describe(), describe_formats(frame, loaded.currency), count_row="count"), width="stretch")
with tab_hist:
    cols = st.columns(min(3, frame.shape[1]))
    for i, column in enumerate(frame.columns):
        with cols[i % len(cols)]:
            plot(ud.histogram_figure(frame, column), key=f"data_hist_{i}")

# ------------------------------------------------------------------------------------------------ prepare it
st.header(t("data.prep.header"))
columns = list(frame.columns)
labels = ud.column_labels(loaded)  # "Close (종가)": the canonical name and the file's own
c1, c2 = ud.grid(2)
c1.selectbox(t("data.prep.target"), columns, key="data_target", format_func=lambda c, _l=labels: _l.get(c, c))
choice = ud.target_choice(loaded)
skipped = "; ".join(t(f"data.target.skip.{why}", column=col) for col, why in choice.skipped)
c1.caption(
    t(f"data.target.reason.{choice.reason}", column=labels.get(choice.column, choice.column))
    + (" " + t("data.target.skipped", list=skipped) if skipped else "")
)
ud.currency_ui(loaded, c1)  # an upload's target: its currency, if the file does not say
state["btn_data_features"] = [f for f in ud.features_list() if f in columns]


def _features_changed():
    state["data_features"] = join_columns(state["btn_data_features"])  # any column name, commas included


c2.multiselect(
    t("data.prep.features"),
    columns,
    key="btn_data_features",
    on_change=_features_changed,
    format_func=lambda c, _l=labels: _l.get(c, c),
    help=t("data.prep.features_help"),
)
c1, c2, c3, c4 = ud.grid(4)
number_ui("data_window", t("data.prep.window"), 1, column=c1)
number_ui("data_horizon", t("data.prep.horizon"), 1, column=c2)
number_ui("data_val_frac", t("data.prep.val_frac"), 0.05, fmt="%.2f", column=c3)
number_ui("data_test_frac", t("data.prep.test_frac"), 0.05, fmt="%.2f", column=c4)
st.caption(t("data.prep.split_note"))
c1, c2, c3 = ud.grid(3)
c1.selectbox(
    t("data.prep.missing"),
    MISSING_STRATEGIES,
    key="data_missing",
    help=t("data.prep.missing_help"),
    format_func=_labels("missing_names"),
)
c2.selectbox(
    t("data.prep.outliers"),
    OUTLIER_STRATEGIES,
    key="data_outliers",
    help=t("data.prep.outlier_help"),
    format_func=_labels("outlier_names"),
)
number_ui("data_outlier_k", t("data.prep.outlier_k"), 0.5, fmt="%.1f", column=c3)
st.radio(
    t("data.prep.scaling"),
    SCALINGS,
    key="data_scaling",
    horizontal=True,
    help=t("data.prep.scaling_help"),
    format_func=_labels("scalings"),
)
st.info(t("data.prep.leakage"), icon=":material/shield:")

try:
    prepared, report = ud.prepare_from_settings(loaded)
    ud.store_prepared(prepared, report)
except DataError as err:
    ud.show_data_error(err, L)
    if state.get("prepared") is not None:
        st.caption(t("data.prep.kept_previous"))
prepared = ud.current_prepared(show_problems=False)  # on bad settings: the last good one
report = state.get("data_clean_report")

if report is not None:
    st.caption(
        t("data.prep.missing_done", n=report.missing, rows=report.rows_dropped)
        + "  \n"
        + (t("data.prep.outliers_done", n=report.clipped) if report.clipped else t("data.prep.outliers_none"))
    )
    if report.clipped_not_spikes:
        st.warning(
            t("data.prep.clip_signal", n=report.clipped_not_spikes, total=report.clipped), icon=":material/warning:"
        )
    for run in prepared.filled_runs():  # a long gap: where it lies and how much of each split it covers
        st.warning(
            t(
                "data.prep.filled_run",
                target=prepared.target,
                **{k: v for k, v in run.items() if k != "share"},
                **run["share"],
            ),
            icon=":material/format_color_fill:",
        )
    if report.clipped:
        before = state["data_loaded"].frame
        plot(
            ud.before_after_figure(
                before,
                prepared.series,
                prepared.target,
                report.changed,
                ud.column_unit(prepared.source, prepared.target, prepared.currency),
            ),
            key="data_clip_chart",
        )

with tab_chart:  # drawn now that cleaning is known: the filled values as the model sees them
    same = prepared.source == loaded.source and target in prepared.series.columns
    plot(ud.series_figure(loaded, target, prepared.series[target] if same else None), key="data_series_chart")

st.subheader(t("data.prep.shapes"))
split_names = {"train": t("data.prep.split_train"), "val": t("data.prep.split_val"), "test": t("data.prep.split_test")}
show_table(
    pd.DataFrame(
        {
            t("data.prep.split"): [split_names[s] for s in ("train", "val", "test")],
            t("data.prep.X_shape"): [f"X_{s} {prepared.X(s).shape}" for s in ("train", "val", "test")],
            t("data.prep.y_shape"): [f"y_{s} {prepared.y(s).shape}" for s in ("train", "val", "test")],
            t("data.prep.samples"): [prepared.split_sizes[s] for s in ("train", "val", "test")],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.success(
    t("data.prep.prepared_ok", shape=str(prepared.X_train.shape), window=prepared.window, features=prepared.n_features),
    icon=":material/check:",
)

st.subheader(t("data.prep.one_window"))
n_train = len(prepared.y_train)
if state.get("btn_data_window_index", 0) > n_train - 1:
    state["btn_data_window_index"] = 0  # the previous dataset had more windows
i = st.slider(t("data.prep.window_pick"), 0, n_train - 1, key="btn_data_window_index") if n_train > 1 else 0
table = prepared.window_frame(i).copy()
table.index = [str(x.date()) if hasattr(x, "date") else str(x) for x in table.index]
table.index.name = t("data.prep.window_table_step")
label_row = int(prepared.idx_train[i])
label_name = t("data.prep.window_table_label", target=prepared.target, horizon=prepared.horizon)
label_at = prepared.series.index[label_row]
target_format = formats.get(prepared.target) or frame_formats(prepared.series[[prepared.target]])[prepared.target]
label_value = target_format(prepared.actual("train")[i])
c1, c2 = st.columns([2, 1])
with c1:
    show_table(styled(table, formats), width="stretch")
with c2:
    st.metric(label_name, label_value, help=str(label_at.date()) if hasattr(label_at, "date") else str(label_at))
    note = t("data.prep.scaled_note", value=label_value)
    st.code(
        f"X_train[{i}].shape = {prepared.X_train[i].shape}\ny_train[{i}] = {prepared.y_train[i]:.6g}  # {note}",
        language="text",
        wrap_lines=True,  # the comment holds the real-units value: never cut it off
    )
plot(ud.window_figure(prepared, i), key="data_window_chart")
