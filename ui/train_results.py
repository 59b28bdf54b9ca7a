"""The Train page's results of one run:
the loss curves, predictions and residuals, the metrics beside the baseline, the tutorial note, the divergence message, the exports."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnn_lab.data.display import NumberFormat, significant_decimals
from rnn_lab.data.units import apply_units, axis_title, format_amount, target_currency, unit_decimals, unit_label
from rnn_lab.settings import setting
from rnn_lab.style import color
from rnn_lab.tasks import task_of_data
from rnn_lab.train import export
from rnn_lab.train.engine import GROWTH_EPOCHS, GROWTH_GRACE, divergence_text
from rnn_lab.train.runs import forecast
from ui import classify, text_train
from ui.common import lang, projection, show_table, styled, t
from ui.train_form import _set_lr
from ui.widgets import number_ui

SPLIT_ROLE = {"train": "train", "val": "validation", "test": "test"}


def _lang() -> str:
    return lang()


def loss_label(loss: str) -> str:
    """The loss on an axis: MSE, MAE, HUBER, or cross-entropy (Keras' long name does not fit an axis)."""
    return t("train.cross_entropy") if loss == "sparse_categorical_crossentropy" else loss.upper()


def loss_figure(history: dict, loss_name: str, epochs: int | None = None, title: str | None = None):
    fig = go.Figure()
    x = list(range(1, len(history.get("loss", [])) + 1))
    fig.add_scatter(
        x=x,
        y=history.get("loss", []),
        mode="lines+markers" if len(x) <= 60 else "lines",
        name=t("train.train_curve"),
        line={"color": color("train")},
    )
    if history.get("val_loss"):
        fig.add_scatter(
            x=x,
            y=history["val_loss"],
            mode="lines+markers" if len(x) <= 60 else "lines",
            name=t("train.val_curve"),
            line={"color": color("validation")},
        )
    fig.update_layout(
        title=title or t("train.loss_title"),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss=loss_label(loss_name)),
    )
    if epochs:
        fig.update_xaxes(range=[0.5, epochs + 0.5])
    if (epochs or len(x)) <= 20:
        fig.update_xaxes(dtick=1)  # whole epochs: a 2-epoch run showed ticks 1, 1.2, 1.4 ... 2
    return fig


# ---------------------------------------------------------------- results


def _stop_message(run) -> None:
    if run.stop_reason == "user":
        st.warning(t("train.stop.user", epochs=run.epochs_run), icon=":material/pan_tool:")
    elif run.stop_reason == "early_stopping":
        st.info(
            t("train.stop.early_stopping", epochs=run.epochs_run, best=run.best_epoch),
            icon=":material/flag:",
        )
    elif run.stop_reason == "diverged":
        _diverged_ui(run)
    else:
        st.success(
            t("train.finished", epochs=run.epochs_run, seconds=run.train_seconds),
            icon=":material/check:",
        )
    for note in run.notes:
        st.info(t(note), icon=":material/info:")


def diverged_text(run) -> str:
    """Why the divergence guard stopped the run (NaN/inf, or a loss that kept growing), with its numbers."""
    return divergence_text(run.history, run.train.learning_rate, _lang())


def _diverged_ui(run) -> None:
    """The divergence guard's message, its rule, and one click to a learning rate ten times smaller (only that)."""
    st.error(diverged_text(run), icon=":material/warning:")
    st.caption(t("units.diverged.rule", n=GROWTH_EPOCHS, grace=GROWTH_GRACE))
    smaller = max(float(setting("train_lr").min), run.train.learning_rate / 10)
    st.button(
        t("units.diverged.button", lr=f"{smaller:g}"),
        key="btn_train_lr_tenth",
        on_click=_set_lr,
        args=(smaller,),
        help=t("units.diverged.button_help"),
        icon=":material/trending_down:",
    )


def predictions_figure(run, forecast: pd.Series | None = None):
    """Actual values (black), the model's predictions per split (split colours), split boundaries, forecast."""
    pred = run.predictions
    fig = go.Figure()
    fig.add_scatter(
        x=pred["index"],
        y=pred["actual"],
        mode="lines",
        name=t("train.actual"),
        line={"color": color("actual")},
    )
    for split in ("train", "val", "test"):
        part = pred[pred["split"] == split]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["index"],
            y=part["predicted"],
            mode="lines+markers" if len(part) <= 40 else "lines",
            name=t("train.predicted", split=t(f"train.split_short.{split}")),
            line={"color": color(SPLIT_ROLE[split])},
        )
        if split != "train":
            x0 = part["index"].iloc[0]
            fig.add_shape(
                type="line",
                x0=x0,
                x1=x0,
                yref="paper",
                y0=0,
                y1=1,
                line={"color": color(SPLIT_ROLE[split]), "dash": "dash", "width": 1},
            )
            fig.add_annotation(
                x=x0,
                yref="paper",
                y=1.0,
                text=t("train.boundary", split=t(f"train.split_short.{split}")),
                showarrow=False,
                xanchor="right" if split == "val" else "left",  # labels on either side: they never overlap
                yanchor="top",  # inside the plot, under its top edge: never in the title's band
                bgcolor="rgba(255,255,255,0.8)",
            )
    if "filled" in pred and pred["filled"].any():  # labels cleaning filled in: shown apart, not scored
        part = pred[pred["filled"]]
        fig.add_scatter(
            x=part["index"],
            y=part["actual"],
            mode="markers",
            name=t("train.filled_point"),
            marker={
                "symbol": "x-thin",
                "size": 7,
                "color": color("model"),
                "line": {"width": 1.5, "color": color("model")},
            },
        )
    dated = isinstance(getattr(run.prepared, "series", None), pd.DataFrame) and isinstance(
        run.prepared.series.index, pd.DatetimeIndex
    )
    if forecast is not None and dated and not isinstance(forecast.index, pd.DatetimeIndex):
        forecast = None  # dates that follow no calendar: the forecast counts steps, which have no place on this axis
    if forecast is not None:
        fig.add_scatter(
            x=forecast.index,
            y=forecast.values,
            mode="lines+markers",
            name=t("train.forecast_name"),
            line={"color": color("forecast"), "dash": "dot"},
        )
    fig.update_layout(
        title=t("train.pred_title"),
        xaxis_title=t("train.time_axis"),
        yaxis_title=t("train.value_axis", target=_with_unit(run, run.target)),
        hovermode="x unified",
    )
    return _units(fig, run)


def _unit(run) -> str | None:
    """The currency of the run's target (rnn_lab.data.units), or None."""
    return target_currency(run.prepared) if run.prepared is not None else None


def _with_unit(run, name: str) -> str:
    return axis_title(name, _unit(run), _lang())


def _units(fig, run):
    """Hovers in the target's unit (45,298 원, not 45.29812k) and the full date on the series' calendar."""
    series = getattr(run.prepared, "series", None)
    index = series.index if isinstance(series, pd.DataFrame) else None
    code = _unit(run)
    decimals = None if code else _significant(run.predictions["actual"])
    return apply_units(fig, index, code, _lang(), decimals=decimals)


def _significant(values) -> int:
    return significant_decimals(values)


def residual_figure(run):
    pred = run.predictions
    fig = go.Figure()
    for split in ("train", "val", "test"):
        part = pred[pred["split"] == split]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["index"],
            y=part["actual"] - part["predicted"],
            mode="markers" if len(part) <= 40 else "lines",
            name=t(f"train.split_short.{split}"),
            line={"color": color(SPLIT_ROLE[split])},
            marker={"color": color(SPLIT_ROLE[split])},
        )
    fig.add_hline(y=0, line={"color": "#777777", "width": 1})
    fig.update_layout(
        title=t("train.residual_title"),
        xaxis_title=t("train.time_axis"),
        yaxis_title=_with_unit(run, t("train.residual_axis")),
    )
    return _units(fig, run)


def _fmt(v) -> str:
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.6g}"


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _one_format(values: list) -> list[str]:
    """The numbers of one column (or one metric's row) in ONE format: fixed decimals giving about four
    significant digits at their typical size, thousands separators, never an exponent beside a plain number."""
    fmt = NumberFormat(significant_decimals([v for v in values if _finite(v)]))
    return [fmt(v) if _finite(v) else "-" for v in values]


def metrics_table(run) -> pd.DataFrame:
    """MSE, RMSE, MAE and MAPE of the model and the naive baseline; RMSE and MAE in the target's currency
    (``655 원`` / ``655 KRW``), MSE in its square."""
    m = run.metrics
    code = _unit(run)
    label = unit_label(code, _lang())
    rows = [(f"MSE ({label}²)" if label else "MSE", "mse"), ("RMSE", "rmse"), ("MAE", "mae"), ("MAPE (%)", "mape")]
    pairs = [_one_format([m["model"][k], m["naive"][k]]) for _, k in rows]  # model and naive alike per metric
    if code:  # RMSE and MAE are in the target's units: write them as prices
        for i, (_, k) in enumerate(rows):
            if k in ("rmse", "mae"):
                d = unit_decimals(code, 2)
                pairs[i] = [
                    format_amount(v, code, _lang(), d) if _finite(v) else "-" for v in (m["model"][k], m["naive"][k])
                ]
    if m.get("mape_note"):  # the labels cross zero or come near it: a MAPE would mislead (caption says why)
        pairs[-1] = ["—", "—"]
    return pd.DataFrame(
        {
            t("train.metric"): [r[0] for r in rows],
            t("train.model_col"): [p[0] for p in pairs],
            t("train.naive_col"): [p[1] for p in pairs],
        }
    )


def metrics_ui(run) -> None:
    m = run.metrics
    st.subheader(t("train.metrics_title", split=t(f"train.split.{m['split']}")))
    show_table(metrics_table(run), hide_index=True, width="stretch", key="table_train_metrics")
    st.markdown(t("train.skill_line", skill=_fmt(m["skill"])))
    if m.get("mape_note"):
        st.caption(t(f"train.mape_note.{m['mape_note']}"))
    if m.get("left_out"):  # windows with a filled label: not scored as if real
        split = t(f"train.split_short.{m['split']}")
        st.caption(
            t("train.left_out", n=m["left_out"], total=m["left_out"] + m["scored"], split=split, scored=m["scored"])
        )
    verdict = t(f"train.verdict.{m['verdict']}")
    {"beats": st.success, "ties": st.warning, "loses": st.error}.get(m["verdict"], st.info)(verdict)
    diagnosis = m.get("diagnosis") or []
    if diagnosis:  # what the page measured, each with what would help
        st.markdown(f"**{t('train.diagnosis.title')}**")
        lines = []
        for key, values in diagnosis:
            if "split" in values:
                values = {**values, "split": t(f"train.split_short.{values['split']}")}
            lines.append(f"- {t(f'train.diagnosis.{key}', **values)}")
        st.markdown("\n".join(lines))


def tutorial_ui(run) -> None:
    """The Keras tutorial's printout for the counting toy: targets 0.5 .. 1.4 beside the predictions."""
    part = run.predictions[run.predictions["split"] == "train"]
    st.subheader(t("train.tutorial_title"))
    frame = pd.DataFrame(
        {
            t("train.target_col"): np.round(part["actual"].to_numpy(), 4),
            t("train.prediction_col"): np.round(part["predicted"].to_numpy(), 4),
        }
    )
    show_table(frame, hide_index=True, key="table_train_tutorial")


RESULT_FIGURES_KEY = "_train_result_figures"  # not a setting: {(run id, figure, language, mode): styled figure}


def _result_figure(run, what, make):
    """A results figure of the shown run, built and styled once per run, language and projection mode and kept in
    the session (Plotly's styling alone takes ~80 ms a figure): a rerun of the page only sends it again."""
    cache = st.session_state.setdefault(RESULT_FIGURES_KEY, {})
    name = (run.id, what, _lang(), projection())
    if name not in cache:
        kind = what[0] if isinstance(what, tuple) else what
        for old in [k for k in cache if k[0] != run.id or (k[1][0] if isinstance(k[1], tuple) else k[1]) == kind]:
            del cache[old]  # only the shown run's figures are kept, one of each kind
        cache[name] = styled(make())
    return cache[name]


def _draw(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False})


def _results_chart(run, what, make, key: str) -> None:
    _draw(_result_figure(run, what, make), key)


def results_ui(run) -> None:
    head = st.container()  # the header and the run's messages: for a forecast, drawn after its first figure
    if task_of_data(run).label_kind == "number":  # a forecast: the predictions against the data first
        _number_results_ui(run, head)
        export_ui(run)
        return
    with head:
        _results_head(run)
    _loss_chart(run)
    if task_of_data(run).label_kind == "token":
        text_train.results_ui(run)
        export_ui(run)
        return
    classify.results_ui(run)
    if getattr(run.prepared, "input_kind", "values") == "tokens":  # reviews, not images: show their words
        text_train.worst_reviews_ui(run)
    export_ui(run)


def _results_head(run) -> None:
    st.header(t("train.results", name=run.name))
    _stop_message(run)


def _loss_figure(run):
    return _result_figure(run, "loss", lambda: loss_figure(run.history, run.train.loss))


def _loss_chart(run) -> None:
    _draw(_loss_figure(run), "chart_train_loss")


def _number_results_ui(run, head) -> None:
    """A forecasting run: the predictions chart first (the first thing the student looks for), then the loss curve,
    the tutorial's table, the scores beside the naive baseline and the residuals.

    The order things leave the server is chosen for the browser (issue 22, Chromium's timeline of the press of
    Train): the predictions chart is the first element sent, before the run chooser, the header and the run's
    messages, which go into containers placed above it (``head``, and the page's chooser). Then nothing is sent
    while the other figures are built (~0.1 s): every element that arrives makes Streamlit's frontend render the
    page again, and Plotly waits for a free frame to measure the chart's width, so elements arriving just behind
    the chart delayed it until all the charts were drawn together (press -> predictions chart 0.43 s; with this
    order 0.22 s)."""
    steps = int(st.session_state.get("train_forecast_steps", 20))
    series, reason = forecast(run, steps)  # the first steps of the forecast the job computed: no Keras call here
    _results_chart(run, ("predictions", steps), lambda: predictions_figure(run, series), "chart_train_predictions")
    loss = _loss_figure(run)  # built now, while the browser draws the predictions
    residuals = _result_figure(run, "residuals", lambda: residual_figure(run))
    with head:
        _results_head(run)
    number_ui("train_forecast_steps", t("train.forecast_steps"), 5)
    st.caption(t("train.forecast_caveat") if reason is None else t(f"train.forecast.{reason}"))
    _draw(loss, "chart_train_loss")
    if run.source == "toy:counting":
        tutorial_ui(run)
    metrics_ui(run)
    _draw(residuals, "chart_train_residuals")


# ---------------------------------------------------------------- export


def export_ui(run) -> None:
    st.subheader(t("train.export"))
    stem = f"rnn_lab_run{run.id}"
    # (label key, bytes maker, file name, MIME type, key suffix)
    downloads = [
        ("train.export_model", lambda: export.model_bytes(run), f"{stem}.keras", "application/octet-stream", "model"),
        ("train.export_history", lambda: export.history_csv(run), f"{stem}_history.csv", "text/csv", "hist"),
        (
            "train.export_predictions",
            lambda: export.predictions_csv(run),
            f"{stem}_predictions.csv",
            "text/csv",
            "pred",
        ),
        ("train.export_script", lambda: export.script(run).encode(), "train_rnn_lab.py", "text/x-python", "py"),
        ("train.export_zip", lambda: export.zip_bundle(run), f"{stem}.zip", "application/zip", "zip"),
        (
            "train.export_notebook",
            lambda lang=_lang(): export.notebook(run, lang),
            f"{stem}.ipynb",
            "application/x-ipynb+json",
            "nb",
        ),
    ]
    if export.is_text(run):  # the ids mean nothing without their tokens: the vocabulary the script decodes with
        downloads.insert(
            1,
            ("text_train.export_vocab", lambda: export.vocab_json(run), export.VOCAB_FILE, "application/json", "vocab"),
        )
    per_row = 2 if projection() else 3  # labels like "Standalone script (.py)" fit whole, never cut
    cells = [cell for start in range(0, len(downloads), per_row) for cell in st.columns(per_row)]
    for column, (label, data, file_name, mime, suffix) in zip(cells, downloads):
        column.download_button(
            t(label),
            data=data,
            file_name=file_name,
            mime=mime,
            key=f"btn_train_dl_{suffix}_{run.id}",
            on_click="ignore",
            help=t({"py": "train.export_script_help", "nb": "train.export_notebook_help"}[suffix])
            if suffix in ("py", "nb")
            else None,
            width="stretch",
        )
