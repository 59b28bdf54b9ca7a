"""Architecture explorer: build SimpleRNN / LSTM / GRU stacks (or a Conv1D / Dense model to compare with) and see the
real Keras summary, formulas and shapes."""

import pandas as pd
import streamlit as st

from rnn_lab.arch.codegen import keras_code
from rnn_lab.arch.diagram import model_figure
from rnn_lab.arch.keras_model import MAX_BUILD_PARAMS
from rnn_lab.arch.params import (
    conv1d_length,
    flat_width,
    format_shape,
    keras_output_string,
    layer_formulas,
    shape_flow,
    total_params,
)
from ui import architecture as ui
from ui.common import error, lang, plot, show_table, t, tf_spinner

st.title(t("arch.title"))
st.write(t("arch.intro"))

prepared = st.session_state.get("prepared")
if getattr(prepared, "input_kind", "values") == "tokens":  # text: token ids, the vocabulary sizes the Embedding
    st.caption(t("arch.text.from_data", maxlen=prepared.window, vocab=prepared.vocab_size, source=prepared.source))
elif prepared is not None and hasattr(prepared, "window"):
    features = getattr(prepared, "n_features", "?")
    same = (st.session_state.get("arch_timesteps"), st.session_state.get("arch_features")) == (
        prepared.window,
        features,
    )
    st.caption(t("arch.from_data" if same else "arch.from_data_differs", window=prepared.window, features=features))

ui.task_line_ui(prepared)
fixed = ui.sanitize_state()
controls, results = st.columns([1, 2], gap="large")
with controls:
    ui.controls_ui()

cfg, problem = ui.current_config()
formulas = layer_formulas(cfg)
analytic_total = total_params(cfg)

with results:
    for message in fixed:
        error(message, t("arch.fixed_value_hint"))
    if problem:
        error(t("arch.bad_input", problem=problem), t("arch.bad_input_hint"))
    summary = None
    if analytic_total <= MAX_BUILD_PARAMS:
        try:
            summary = ui.kept_summary(cfg)  # a configuration seen before: no Keras call, no spinner
            if summary is None:
                with tf_spinner():
                    summary = ui.cached_summary(cfg)
        except Exception as err:  # noqa: BLE001 - a Keras refusal becomes a message; the formulas still render
            error(t("arch.build_failed", message=str(err)), t("arch.build_failed_hint"))
    else:
        st.info(t("arch.too_big", n=f"{analytic_total:,}", limit=f"{MAX_BUILD_PARAMS:,}"))

    total = summary["rows"]["total_params"] if summary else analytic_total
    st.metric(t("arch.total_params"), f"{total:,}")
    if summary:
        rows = summary["rows"]["layers"]
        by_name = {f.name: f for f in formulas}
        table = pd.DataFrame(
            {
                t("arch.col_layer"): [r["name"] for r in rows],
                t("arch.col_type"): [r["type"] for r in rows],
                t("arch.col_output_shape"): [r["output_shape"] for r in rows],
                t("arch.col_params"): [r["params"] for r in rows],
                t("arch.col_formula_params"): [
                    by_name[r["name"]].params if r["name"] in by_name else None for r in rows
                ],
            }
        )
        st.caption(t("arch.summary_caption"))
    else:  # too big to build: the analytic summary, labelled as such
        flow = {s.name: s for s in shape_flow(cfg)}
        table = pd.DataFrame(
            {
                t("arch.col_layer"): [f.name for f in formulas],
                t("arch.col_type"): [f.type for f in formulas],
                t("arch.col_output_shape"): [keras_output_string(flow[f.name]) for f in formulas],
                t("arch.col_formula_params"): [f.params for f in formulas],
            }
        )
        st.caption(t("arch.analytic_caption"))
    show_table(  # the type column wide enough for "Bidirectional" (the data grid cuts what does not fit)
        table,
        hide_index=True,
        width="stretch",
        column_config={  # pixels: all five fit the right column at 1280 px
            t("arch.col_layer"): st.column_config.TextColumn(width=125),
            t("arch.col_type"): st.column_config.TextColumn(width=105),
            t("arch.col_output_shape"): st.column_config.TextColumn(width=110),
            t("arch.col_params"): st.column_config.NumberColumn(width=80),
            t("arch.col_formula_params"): st.column_config.NumberColumn(width=80),
        },
    )
    if summary:
        with st.expander(t("arch.raw_summary")), st.container(key="raw_summary"):
            st.code(summary["text"], language=None)


def formulas_tab() -> None:
    st.write(t("arch.formulas_intro"))
    for f in formulas:
        st.markdown(t("arch.formula_heading", name=f.name, type=f.type, d=f.input_dim, units=f.units))
        st.latex(f.substituted)
    if cfg.has_embedding:
        st.info(t("arch.text.note_embedding", v=cfg.embedding_vocab, d=cfg.embedding_dim))
        if cfg.mask_zero:
            st.info(t("arch.text.note_mask_zero"))
    if not cfg.is_rnn:
        st.info(t(f"arch.note_{cfg.family}"))
        return
    notes = {"LSTM": "arch.note_lstm", "GRU": "arch.note_gru", "SimpleRNN": "arch.note_simple_rnn"}
    st.info(t(notes[cfg.cell]))
    if cfg.bidirectional:
        st.info(t("arch.note_bidirectional", merge=cfg.merge_mode))
    if cfg.n_layers > 1:
        st.info(t("arch.note_stacked"))


def shapes_tab() -> None:
    st.write(t("arch.shapes_intro"))
    flow = shape_flow(cfg)
    show_table(
        pd.DataFrame(
            {
                t("arch.col_layer"): [s.name for s in flow],
                t("arch.col_type"): [s.type for s in flow],
                t("arch.col_output_shape"): [format_shape(s.output) for s in flow],
                t("arch.col_dims"): [t("arch.dims_3d") if len(s.output) == 3 else t("arch.dims_2d") for s in flow],
                t("arch.col_states"): [
                    ", ".join(f"{label} {format_shape(shape)}" for label, shape in s.states) for s in flow
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if cfg.has_embedding:  # (batch, T) ids -> (batch, T, d_e) vectors; a mask rides along but changes no shape
        st.write(t("arch.text.shapes_embedding", t=cfg.timesteps, d=cfg.embedding_dim, v=cfg.embedding_vocab))
        st.write(t("arch.text.shapes_mask_on" if cfg.mask_zero else "arch.text.shapes_mask_off", t=cfg.timesteps))
    if not cfg.is_rnn:
        width = flat_width(cfg)
        if cfg.family == "conv1d":
            st.write(
                t("arch.seq_explain_conv1d", t=cfg.timesteps, length=conv1d_length(cfg.timesteps, cfg.kernel_size))
            )
        else:
            st.write(t("arch.seq_explain_dense", t=cfg.timesteps, d=cfg.input_width, width=width))
        return
    st.write(t("arch.seq_explain_3d") if cfg.return_sequences else t("arch.seq_explain_2d"))
    if cfg.return_state:
        st.write(t("arch.state_explain_lstm" if cfg.cell == "LSTM" else "arch.state_explain"))
    st.warning(t("arch.rule"), icon=":material/rule:")
    with st.expander(t("arch.rule_broken")):
        broken = ui.cached_legacy()[1]
        st.code(
            "keras.Sequential([\n    keras.Input(shape=(5, 1)),\n    layers.SimpleRNN(10),"
            "  # return_sequences=False\n    layers.SimpleRNN(10),\n])",
            language="python",
        )
        st.write(t("arch.keras_says"))
        st.code(broken, language=None, wrap_lines=True)


def diagram_tab() -> None:
    plot(model_figure(cfg, lang()), key="arch_diagram_chart")
    if cfg.is_rnn:
        st.caption(t("arch.diagram_caption"))
    if cfg.has_embedding:
        st.caption(t("arch.text.diagram_caption", d=cfg.embedding_dim))


def code_tab() -> None:
    st.write(t("arch.code_intro_functional" if cfg.return_state else "arch.code_intro"))
    st.code(keras_code(cfg), language="python", wrap_lines=True)


def old_tab() -> None:
    st.write(t("arch.old_intro"))
    legacy, _ = ui.cached_legacy()
    for item in legacy:
        with st.container(border=True):
            old_col, new_col = st.columns(2)
            with old_col:
                st.markdown(t("arch.old_label"))
                st.code(item.old, language="python", wrap_lines=True)
            with new_col:
                st.markdown(t("arch.new_label"))
                st.code(item.new, language="python", wrap_lines=True)
            st.markdown(t("arch.keras_says_error") if item.raises else t("arch.keras_says_warning"))
            st.code(item.keras_says, language=None, wrap_lines=True)


# Only the open tab runs (on_change="rerun" + .open): the hidden ones cost nothing on a control change.
tab_formulas, tab_shapes, tab_diagram, tab_code, tab_old = st.tabs(
    [t("arch.tab_formulas"), t("arch.tab_shapes"), t("arch.tab_diagram"), t("arch.tab_code"), t("arch.tab_old")],
    key="btn_arch_tab",
    on_change="rerun",
)
for tab, draw in (
    (tab_formulas, formulas_tab),
    (tab_shapes, shapes_tab),
    (tab_diagram, diagram_tab),
    (tab_code, code_tab),
    (tab_old, old_tab),
):
    if tab.open is not False:  # None if tabs do not track state (then every tab runs)
        with tab:
            draw()
