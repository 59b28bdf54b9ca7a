"""The Inside page's answer for the shown input: a forecast's value in the data's units, or a classifier's
decision through time (the class probabilities if the sequence stopped at each step)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_lab import class_views as cv
from rnn_lab.data.display import significant_decimals
from rnn_lab.data.units import format_amount, target_currency
from rnn_lab.inside.decision import DecisionUndefined, decision_through_time
from rnn_lab.inside.numpy_rnn import keras_output
from rnn_lab.tasks import task_of_data
from ui.common import lang, plot, projection, t, tf_spinner
from ui.inside_common import Picked

# ---------------------------------------------------------------- classify: how the decision forms


def forecast_value_text(scaled: float, data) -> str:
    """A forecast in the target's units (``45,298 원``, ``0.8123``), then the scaled value the model computed when the
    data are scaled (``45,298 원 · scaled 0.8123``)."""
    scaler = getattr(data, "scaler", None)
    if scaler is None or not hasattr(data, "inverse_y"):
        return f"{scaled:.4f}"
    value = float(np.ravel(data.inverse_y(np.array([scaled])))[0])
    code = target_currency(data)
    decimals = None if code else significant_decimals(data.series[data.target])
    text = format_amount(value, code, lang(), decimals)
    if getattr(scaler, "kind", "none") == "none":
        return text
    return f"{text} · {t('units.inside.scaled', value=f'{scaled:.4f}')}"


def prediction_help_key(data) -> str:
    """The help of the prediction metric: original units with the scaled value, or original units alone."""
    scaler = getattr(data, "scaler", None)
    return (
        "units.inside.prediction_help_unscaled"
        if getattr(scaler, "kind", "none") == "none"
        else "units.inside.prediction_help"
    )


def prediction_text(output, data) -> str:
    """The model's answer for the shown input: a number (forecast) or the predicted class and its probability."""
    out = np.ravel(np.asarray(output, dtype=np.float64))
    if task_of_data(data).label_kind != "class":
        return forecast_value_text(float(out[0]), data)
    k = int(np.argmax(out))
    return t("inside.class_answer", cls=data.class_names[k], p=float(out[k]))


def _decision(picked: Picked, window: np.ndarray, entry: dict) -> dict:
    """The (T, K) probabilities through time and their difference from Keras at t = T (once per model and input)."""
    if "decision" not in entry:
        try:
            probs = decision_through_time(picked.model, window, entry["run"])
        except DecisionUndefined as err:
            entry["decision"] = {"reason": err.reason, "params": err.params}
        else:
            with tf_spinner():
                keras_probs = keras_output(picked.model, window)[0]
            entry["decision"] = {"probs": probs, "delta": float(np.max(np.abs(probs[-1] - keras_probs)))}
    return entry["decision"]


def decision_ui(picked: Picked, window: np.ndarray, entry: dict, data) -> None:
    """At step t: the row being read (or the sequence so far), the head's probabilities if the sequence stopped
    at t, and every class's probability over t with t marked. Follows the step view's t (``inside_step``)."""
    st.subheader(t("inside.decision_title"))
    found = _decision(picked, window, entry)
    if "reason" in found:
        reason = t(f"inside.decision_reason.{found['reason']}", **found["params"])
        st.info(t("inside.decision_undefined", reason=reason), icon=":material/info:")
        return
    probs = found["probs"]
    T = probs.shape[0]
    step = min(max(1, int(st.session_state.get("inside_step", 1))), T)
    split, i = st.session_state.get("inside_split"), int(st.session_state.get("inside_window", 0))
    try:
        true = int(data.y(split)[i])
    except (IndexError, KeyError, ValueError, TypeError):
        true = int(np.argmax(probs[-1]))  # no label at hand: mark the predicted class
    st.markdown(t("inside.decision_help", t=step, T=T))
    L = lang()
    if getattr(data, "image_shape", None) is not None:
        plot(cv.image_as_sequence_figure(np.asarray(window), step - 1, L, one_based=True), key="inside_fig_row")
    else:
        plot(cv.sequence_step_figure(np.asarray(window), step, L), key="inside_fig_row")
    c1, c2 = (st.container(), st.container()) if projection() else st.columns(2)
    with c1:
        plot(cv.probabilities_figure(probs[step - 1], data.class_names, true, L, step=step), key="inside_fig_probs")
    with c2:
        plot(cv.decision_figure(probs, data.class_names, step, true, L), key="inside_fig_decision")
    st.caption(t("inside.decision_exact", T=T, delta=found["delta"]))
