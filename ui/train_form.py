"""The Train page's form:
the hyperparameters (optimizer, learning rate and its note, loss, epochs, batch size, early stopping)."""

from __future__ import annotations

import math

import streamlit as st

from rnn_lab.tasks import task_of
from rnn_lab.train.engine import LOSSES, OPTIMIZERS, TrainConfig
from rnn_lab.train.settings import DEFAULT_LR, KERAS_LR, config_from_values
from ui.common import error, show_advanced, t
from ui.widgets import number_ui

# ---------------------------------------------------------------- hyperparameters


def _set_lr(value: float) -> None:
    st.session_state["train_lr"] = value


def _lr_note(column) -> None:
    """Why the default differs from Keras' 0.001, and a button to the other one (the tutorial's exact numbers)."""
    lr = st.session_state.get("train_lr")
    if lr == DEFAULT_LR:
        prepared = st.session_state.get("prepared")  # the reason holds only when the training set fits in one batch
        n_train = prepared.split_sizes["train"] if prepared is not None else 0
        batches = math.ceil(n_train / max(1, int(st.session_state.get("train_batch_size", 32))))
        if batches > 1:
            column.caption(t("train.lr_note_batches", lr=DEFAULT_LR, keras=KERAS_LR, batches=f"{batches:,}"))
        else:
            column.caption(t("train.lr_note", lr=DEFAULT_LR, keras=KERAS_LR))
        column.button(
            t("train.lr_keras_button", keras=KERAS_LR), key="btn_train_lr_keras", on_click=_set_lr, args=(KERAS_LR,)
        )
    elif lr == KERAS_LR:
        column.button(
            t("train.lr_default_button", lr=DEFAULT_LR),
            key="btn_train_lr_default",
            on_click=_set_lr,
            args=(DEFAULT_LR,),
        )


def hyperparameters_ui() -> TrainConfig | None:
    """The hyperparameter widgets (advanced ones hidden in simple mode); the config, or None after an error."""
    st.subheader(t("train.hyper"))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(
        t("train.optimizer"),
        OPTIMIZERS,
        key="train_optimizer",
        help=t("train.optimizer_help"),
        format_func=lambda v: t(f"train.options.optimizer.{v}"),
    )
    number_ui("train_lr", t("train.lr"), 0.0005, fmt="%.5f", column=c2, help=t("train.lr_help"))
    _lr_note(c2)
    number_ui("train_epochs", t("train.epochs"), 10, column=c3, help=t("train.epochs_help"))
    c1, c2, c3 = st.columns(3)

    losses = [loss for loss in LOSSES if loss in task_of(st.session_state).losses]  # the losses that fit the head
    if st.session_state.get("train_loss") not in losses:  # e.g. mse left from forecasting, or a hand-made link
        st.session_state["train_loss"] = losses[0]
    c1.selectbox(
        t("train.loss"),
        losses,
        key="train_loss",
        help=t("train.loss_help"),
        format_func=lambda v: t(f"train.options.loss.{v}"),
    )
    number_ui("train_batch_size", t("train.batch_size"), 8, column=c2, help=t("train.batch_size_help"))
    c3.toggle(t("train.live"), key="train_live", help=t("train.live_help"))
    if show_advanced():
        with st.expander(t("train.advanced")):
            c1, c2 = st.columns(2)  # two per row: the toggles' labels need the width
            c3, c4 = st.columns(2)
            c1.toggle(
                t("train.early_stopping"),
                key="train_early_stopping",
                help=t("train.early_stopping_help"),
            )
            number_ui(
                "train_patience",
                t("train.patience"),
                1,
                column=c2,
                disabled=not st.session_state.get("train_early_stopping"),
            )
            c3.toggle(
                t("train.restore_best"),
                key="train_restore_best",
                disabled=not st.session_state.get("train_early_stopping"),
            )
            number_ui("train_seed", t("train.seed"), 1, column=c4, help=t("train.seed_help"))
    try:
        return config_from_values(st.session_state)
    except ValueError as err:
        error(t("train.err.bad_setting", detail=str(err)))
        return None
