"""Train page: hyperparameters, live training in a background thread, results against the naive baseline, runs."""

import streamlit as st

from rnn_lab.arch.settings import config_from_values
from rnn_lab.data.errors import DataError
from rnn_lab.tasks import task_of_data
from ui import train as ui_train
from ui.common import error, lang, t, tf_spinner

st.title(t("train.title"))
from ui.class_board import read_only_train  # noqa: E402

if read_only_train():  # the teacher opened a student's run: its results only, nothing that changes it
    st.stop()
st.caption(t("train.intro"))

try:
    from ui.data import column_labels, current_prepared

    prepared = current_prepared()
except (DataError, LookupError, ValueError) as err:
    error(
        t("train.no_data"),
        err.text(lang()) if isinstance(err, DataError) else t("train.no_data_hint"),
    )
    st.stop()

try:
    arch = config_from_values(st.session_state)
except ValueError as err:
    error(t("train.bad_arch"), str(err))
    st.stop()

with tf_spinner():
    from rnn_lab.arch.params import total_params
    from rnn_lab.train.runs import (  # imports the engine; TensorFlow itself loads on first training
        layers_label,
        training_arch,
    )

sizes = prepared.split_sizes
task = prepared.task
spec = task_of_data(prepared)
if getattr(prepared, "input_kind", "values") == "tokens":  # text: tokens, max length and vocabulary, not features
    st.markdown(
        t(
            "text_train.data_line",
            source=prepared.source,
            tokens=t(f"text_train.tokens.{prepared.tokens}"),
            maxlen=prepared.window,
            vocab=prepared.vocab_size,
            n_train=sizes["train"],
            n_val=sizes["val"],
            n_test=sizes["test"],
        )
        + " "
        + t(f"text_train.data_line_{task}", k=prepared.n_classes)
    )
elif spec.label_kind == "class":
    st.markdown(
        t(
            "train.data_line_classify",
            source=prepared.source,
            window=prepared.window,
            features=prepared.n_features,
            k=prepared.n_classes,
            n_train=sizes["train"],
            n_val=sizes["val"],
            n_test=sizes["test"],
        )
    )
else:
    loaded = st.session_state.get("data_loaded")
    labels = column_labels(loaded) if loaded is not None and loaded.source == prepared.source else {}
    st.markdown(
        t(
            "train.data_line",
            source=prepared.source,
            window=prepared.window,
            horizon=prepared.horizon,
            n_train=sizes["train"],
            n_val=sizes["val"],
            n_test=sizes["test"],
            target=labels.get(prepared.target, prepared.target),  # "Close (종가)": the file's own name beside it
            features=", ".join(labels.get(f, f) for f in prepared.features),
        )
    )
    for gap in prepared.filled_runs():  # a long filled gap among the labels: the scores leave those windows out
        st.warning(
            t("train.filled_warning", **{k: v for k, v in gap.items() if k != "share"}, **gap["share"]),
            icon=":material/format_color_fill:",
        )
try:
    trained = training_arch(arch, prepared)
except ValueError as err:  # e.g. a Conv1D or Dense family for a language model (it predicts at every step)
    error(t("train.bad_arch"), str(err))
    st.stop()
head = f"Dense({trained.dense_units}" + (
    f', activation="{trained.head_activation}")' if trained.head_activation != "linear" else ")"
)
if trained.embedding_vocab:  # token ids in: the Embedding turns each id into a vector first
    st.markdown(
        t(
            "text_train.model_line",
            embedding=f"Embedding({trained.embedding_vocab}, {trained.embedding_dim}"
            + (", mask_zero=True)" if trained.mask_zero else ")"),
            layers=layers_label(trained),
            head=head,
            params=f"{total_params(trained):,}",
        )
        + (" " + t("text_train.head_every_step") if spec.return_sequences else "")
    )
else:
    st.markdown(
        t(
            "train.model_line",
            layers=layers_label(trained),  # the run's name spells the layers the same way
            head=head,
            params=f"{total_params(trained):,}",
        )
    )

ui_train.collect_finished_job()
cfg = ui_train.hyperparameters_ui()
ui_train.training_area(prepared, arch, cfg)  # a fragment: the press of Train reruns this part of the page only
