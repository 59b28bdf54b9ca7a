"""Inside the cell: the NumPy RNN that matches Keras, hidden states and gates through time, the vanishing gradient."""

import streamlit as st

from rnn_lab.inside import views
from rnn_lab.tasks import task_of_data
from ui import inside as ui
from ui.common import error, lang, plot, projection, t, tf_spinner
from ui.data import prepared_or_stop

st.title(t("inside.title"))
from ui.class_board import read_only_banner  # noqa: E402

read_only_banner()  # the teacher opened a student's run: the model below is that run's
data = prepared_or_stop()  # a plain message if no dataset can be made (e.g. a link whose file is not uploaded)
text = ui.is_text(data)  # token ids read through an Embedding: a sentence instead of a window
st.markdown(t("text_inside.intro" if text else "inside.intro"))
spec = task_of_data(data)
task = spec.name
if spec.label_kind == "token" and not text:  # next_token comes with text only
    st.info(t("class_ui.task_only_forecast", task=t(f"tasks.names.{task}")), icon=":material/info:")
    st.stop()
classify = spec.label_kind == "class"
if text:
    st.caption(
        t(
            "text_inside.dataset",
            source=data.source,
            window=data.window,
            tokens=data.tokens,
            vocab=data.vocab_size,
            padding=data.padding,
        )
    )
else:
    st.caption(
        t(
            "inside.dataset_classify" if classify else "inside.dataset",
            source=data.source,
            window=data.window,
            features=data.n_features,
        )
    )

# ----- model and window -------------------------------------------------------------------------------------
picked = ui.model_ui(data)
if picked is None:
    st.stop()
text = ui.is_text(picked.data)  # a trained run brings its own data: a text run on a numbers page reads sentences
picked_window = ui.sentence_ui(picked.data) if text else ui.window_ui(picked.data)
if picked_window is None:
    st.stop()
window, window_label = picked_window

try:
    entry = ui.analysis(picked, window)
except ValueError as err:  # e.g. an activation the NumPy rewrite does not know
    error(t("inside.cannot_run"), str(err))
    st.stop()
model_run = entry["run"]
if not model_run.recurrent_layers:
    error(t("inside.no_recurrent"))
    st.stop()

col1, col2, col3 = st.columns(3)
# a digit read row by row is a sample, not a window (the picked run's own data decides, as ui.window_ui does)
noun = "_sample" if not text and task_of_data(picked.data).label_kind == "class" else ""
col1.metric(t("inside.delta"), f"{entry['delta']:.2e}", help=t(f"inside.delta_help{noun}"))
if text:
    answer, value, answer_help = ui.text_prediction(model_run, window, picked.data)
    col2.metric(answer, value, help=answer_help)
else:
    col2.metric(
        t("inside.prediction_classify" if classify else "units.inside.prediction"),
        ui.prediction_text(model_run.output, picked.data),
        help=t("inside.prediction_classify_help" if classify else ui.prediction_help_key(picked.data)),
    )
col3.markdown(t("inside.model_is", label=picked.label))
if model_run.keras_layers:
    st.caption(t("inside.keras_layers", layers=", ".join(model_run.keras_layers)))

layer_run = ui.layer_ui(model_run)
shapes = {"name": layer_run.name, "T": layer_run.x.shape[1], "F": layer_run.x.shape[2]}
if text:
    st.caption(t("text_inside.layer_shapes", **shapes, U=layer_run.directions[0].units, sentence=window_label))
    if layer_run.mask is not None and not layer_run.mask.all():
        st.caption(t("text_inside.mask_note", n=int((~layer_run.mask).sum())))
else:
    st.caption(t(f"inside.layer_shapes{noun}", **shapes, U=layer_run.directions[0].units, window=window_label))

# ----- step through time: the slider redraws in the browser; the step reaches the server when the user lets go,
# and only this fragment reruns then (it updates the session and the link, nothing on screen waits for it) ------
st.subheader(t("text_inside.step_title" if text else "inside.step_title"))


@st.fragment
def step_fragment():
    ui.step_view_ui(layer_run, entry, int(st.session_state["inside_layer"]))
    if text:  # the token being read, and what the model expects next or thinks so far, follow the same t
        ui.text_step_ui(picked, window, entry, picked.data)
    elif classify:  # the row being read and the decision so far follow the same t
        ui.decision_ui(picked, window, entry, picked.data)
    # the heat maps over the whole window mark the same t with a black line (their caption says so): inside the
    # fragment, so the line moves when the slider is let go
    st.subheader(t("text_inside.time_title" if text else f"inside.time_title{noun}"))
    st.caption(t(f"inside.time_help_{layer_run.kind}"))
    step = int(st.session_state["inside_step"])
    if text:
        ui.token_heatmaps_ui(layer_run, window, picked.data, step)
    else:
        ui.time_heatmaps_ui(layer_run, step)


step_fragment()

if text:  # ----- the learned token vectors ------------------------------------------------------------------
    ui.embedding_ui(picked, window, picked.data)

# ----- below the step view: one section at a time (only the chosen one is built and drawn) ----------------------
st.divider()
section = ui.section_ui()

if section == "weights":
    st.subheader(t("inside.weights_title"))
    st.markdown(t(f"inside.weights_help_{layer_run.kind}"))
    trace = layer_run.directions[0]
    # one chart with both matrices (one figure to draw, not two); projection mode's big fonts stack them. An LSTM's or
    # GRU's gate blocks are marked by their letter (the full name on hover, and in the text above): at half the page's
    # width their full names ran into each other
    short = projection() or trace.cell != "simple_rnn"
    plot(views.weights_figure(trace, lang(), short_labels=short, stacked=projection()), key="inside_fig_weights")

elif section == "code":  # the NumPy code
    st.subheader(t("inside.code_title"))
    st.caption(t("inside.code_help"))
    if text:
        st.markdown(t("text_inside.code_embedding"))
    ui.numpy_code_ui(layer_run.kind)

elif section == "before_after":
    st.subheader(t("inside.before_after_title"))
    if picked.run is None:
        st.info(
            t("text_inside.before_after_need_run" if text else f"inside.before_after_need_run{noun}"),
            icon=":material/info:",
        )
    else:
        before_model, before_key = ui.untrained_model(picked.arch, picked.seed)
        before = ui.analysis(ui.Picked(model=before_model, key=before_key, arch=picked.arch, label=""), window)
        before_layer = before["run"].recurrent_layers[int(st.session_state["inside_layer"]) - 1]
        b1, b2 = st.columns(2)
        if text:  # the next token after the sentence, or the class, as the metric above says it
            b1.metric(t("inside.prediction_untrained"), ui.text_prediction(before["run"], window, picked.data)[1])
            b2.metric(t("inside.prediction_trained"), ui.text_prediction(model_run, window, picked.data)[1])
        else:
            b1.metric(t("inside.prediction_untrained"), ui.prediction_text(before["run"].output, picked.data))
            b2.metric(t("inside.prediction_trained"), ui.prediction_text(model_run.output, picked.data))
        for col, fig, name in zip(
            st.columns(2),
            views.before_after_figures(before_layer.directions[0], layer_run.directions[0], lang()),
            ("before", "after"),
            strict=True,
        ):
            with col:
                plot(fig, key=f"inside_fig_{name}")

elif section == "grad":  # the vanishing gradient
    st.subheader(t("inside.grad_title"))
    st.markdown(t(f"text_inside.grad_help_{picked.data.task}" if text else "inside.grad_help"))
    cells = layer_run.directions[0].units * layer_run.x.shape[1]
    if entry["conn"] is None and cells > ui.AUTO_CONNECTIVITY_CELLS:
        st.caption(t("inside.grad_on_request", units=layer_run.directions[0].units, steps=layer_run.x.shape[1]))
        if st.button(t("inside.grad_button"), key="btn_inside_grad"):
            with st.spinner(t("inside.grad_running")):
                ui.connectivity_for(picked, window, entry)
    if entry["conn"] is not None or cells <= ui.AUTO_CONNECTIVITY_CELLS:
        with tf_spinner():
            conn = ui.connectivity_for(picked, window, entry)
        from rnn_lab.inside.connectivity import early_late_ratio

        if text:
            ui.token_connectivity_ui(picked, window, conn)
        else:
            plot(views.connectivity_figure(conn, lang()), key="inside_fig_conn")
            st.caption(t("inside.grad_ratio", ratio=early_late_ratio(conn)))

else:  # the experiment: a background thread (the page stays usable), with Stop
    st.subheader(t("inside.exp_title"))
    st.markdown(t("inside.exp_help"))
    ui.experiment_ui()
