"""The Train page's runs: the runs table, the selected run (rename, delete, pin),
Compare (the five models on one split and budget, and any runs picked)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnn_lab.data.units import unit_label
from rnn_lab.i18n import error_text
from rnn_lab.tasks import get_task, task_of, task_of_data
from rnn_lab.train.limits import Limits
from rnn_lab.train.runs import best_run, compare_row, layers_label
from rnn_lab.train.text_views import perplexity_figure
from ui.common import lang, plot, projection, show_table, t
from ui.train_results import _lang, _one_format, _unit, loss_label
from ui.train_state import COMPARE_KEY, RUNS_KEY, runs, shown_runs
from ui.workspace import deleted, fork_ui, interrupted_ui, not_saving_ui, renamed, resume_ui

# ---------------------------------------------------------------- runs


def runs_table(items: list) -> pd.DataFrame:
    best = best_run(items)
    rows = []
    for r in items:
        s = r.summary()
        rows.append(
            {
                t("train.col_best"): "★" if best is not None and r.id == best.id else "",
                t("train.col_name"): r.name,
                t("train.col_data"): r.source,  # the star compares only runs on the same data
                t("train.col_cell"): layers_label(r.arch),  # SimpleRNN(8), Conv1D(16, 3), Dense(32)
                t("train.col_epochs"): s["epochs"],
                t("train.col_final_loss"): s["final_loss"],
                t("train.col_final_val"): s["final_val_loss"],
                t("train.col_split"): t(f"train.split_short.{s['split']}"),
                **_task_scores(s),
                t("train.col_seconds"): f"{s['train_seconds']:.2f}",
            }
        )
    frame = pd.DataFrame(rows)
    if projection():  # large print: the columns a class compares (the run's name already says its cell)
        keep = (
            "col_best",
            "col_name",
            "col_data",
            "col_epochs",
            "col_final_loss",
            "col_rmse",
            "col_naive_rmse",
            "col_skill",
        )
        keep += ("col_accuracy", "col_baseline")
        names = [
            t(f"train.{k}")
            if k.startswith("col_") and not k.startswith(("col_acc", "col_base"))
            else t(f"class_ui.{k}")
            for k in keep
        ]
        names += [t("text_train.col_perplexity"), t("text_train.col_unigram_perplexity")]
        frame = frame[[c for c in names if c in frame]]
    for key in ("col_final_loss", "col_final_val", "col_rmse", "col_naive_rmse", "col_skill"):
        column = t(f"train.{key}")
        if column not in frame:
            continue
        frame[column] = _one_format(frame[column].tolist())  # one format per column, whatever the runs' scales
        if key in ("col_rmse", "col_naive_rmse"):
            frame[column] = _with_units(frame[column].tolist(), items)
    return frame


def _with_units(cells: list[str], items: list) -> list[str]:
    """RMSE cells of runs whose target has a currency, with its unit (``1,229 원``); the others as they are."""
    out = []
    for cell, run in zip(cells, items, strict=True):
        label = unit_label(_unit(run), _lang()) if task_of_data(run).forecasts else ""
        out.append(f"{cell} {label}" if label and cell != "-" else cell)
    return out


def _task_scores(s: dict) -> dict:
    """A run's (or a compared model's) task scores as table cells: RMSE beside the naive forecast, accuracy beside
    the majority class, or a language model's accuracy and perplexity beside the unigram baseline's."""
    if get_task(s.get("task") or "forecast").label_kind == "token":
        return {
            t("class_ui.col_accuracy"): f"{s['accuracy']:.1%}",
            t("text_train.col_perplexity"): f"{s['perplexity']:.2f}",
            t("text_train.col_unigram_perplexity"): f"{s['baseline_perplexity']:.2f}",
        }
    if get_task(s.get("task") or "forecast").label_kind == "class":
        return {
            t("class_ui.col_accuracy"): f"{s['accuracy']:.1%}",
            t("class_ui.col_baseline"): f"{s['baseline_accuracy']:.1%}",
        }
    return {
        t("train.col_rmse"): s["rmse"],
        t("train.col_naive_rmse"): s["naive_rmse"],
        **({t("train.col_skill"): s["skill"]} if "skill" in s else {}),
    }


def compare_figure(items: list):
    fig = go.Figure()
    for r in items:
        fig.add_scatter(
            x=list(range(1, r.epochs_run + 1)),
            y=r.history["loss"],
            mode="lines",
            name=r.name,
        )
    fig.update_layout(
        title=t("train.compare_loss_title"),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss="loss"),
    )
    if max((r.epochs_run for r in items), default=0) <= 20:
        fig.update_xaxes(dtick=1)  # whole epochs (the class_views accuracy chart does the same)
    return fig


# The widgets that show runs by name. A select's value travels between the browser and the server as its label
# (Streamlit 1.5x+): after a rename the browser still holds the old label, which the next run no longer finds
# among the options, so the chooser fell back to the latest run (and Delete deleted that one) and Compare's pick
# raised a TypeError. Setting them again by run id sends the new labels to the browser.
RUN_WIDGETS = ("btn_train_show", "btn_train_compare")


def _rename(run_id: int) -> None:
    name = str(st.session_state.get("btn_train_rename", "")).strip()
    for r in runs():
        if r.id == run_id and name:
            if st.session_state.get("inside_run") == r.name:  # the Inside page picks its run by name
                st.session_state["inside_run"] = name
            r.name = name
            renamed(r)
    for key in RUN_WIDGETS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]  # by id, not by the label the browser holds


def _delete(run_id: int) -> None:
    for r in runs():
        if r.id == run_id:
            deleted(r)  # from the run store too
    st.session_state[RUNS_KEY] = [r for r in runs() if r.id != run_id]
    st.session_state.pop("btn_train_show", None)


def shown_run():
    """The run the chooser (:func:`selected_run_ui`) shows: the one picked, else the latest; None when there is
    none. Known before the chooser is drawn, so the page can send the run's first figure ahead of it."""
    items = shown_runs()
    ids = [r.id for r in items]
    if not ids:
        return None
    if st.session_state.get("btn_train_show") not in ids:
        st.session_state["btn_train_show"] = ids[-1]
    return next(r for r in items if r.id == st.session_state["btn_train_show"])


def selected_run_ui():
    """Choose the run to show (:func:`shown_run`); rename or delete it."""
    items = shown_runs()

    not_saving_ui()  # the run store cannot be used: nothing is being saved
    interrupted_ui()  # runs a killed server left interrupted: "resume from epoch k"
    if shown_run() is None:
        st.info(t("train.no_runs"))
        return None
    ids = [r.id for r in items]
    dropped = st.session_state.pop("_train_dropped", None)
    if dropped:
        st.info(
            t("train.runs_dropped", n=Limits.from_env().max_runs, names=", ".join(dropped)), icon=":material/delete:"
        )
    names = {r.id: r.name for r in items}
    if projection():  # large print: the run's name gets the whole width, renaming the row below
        c1 = st.container()
        c2, c3 = st.columns([3, 1], vertical_alignment="bottom")
    else:
        c1, c2, c3 = st.columns([3, 3, 1], vertical_alignment="bottom")
    run_id = c1.selectbox(t("train.show_run"), ids, key="btn_train_show", format_func=names.get)
    with c2:
        st.text_input(t("train.rename"), key="btn_train_rename")
    c3.button(
        t("train.rename_button"),
        key="btn_train_rename_go",
        on_click=_rename,
        args=(run_id,),
    )
    run = next(r for r in items if r.id == run_id)
    c4, c5 = st.columns([1, 3], vertical_alignment="center")
    c4.button(
        t("train.delete_button"),
        key="btn_train_delete",
        on_click=_delete,
        args=(run_id,),
        icon=":material/delete:",
    )

    c5.toggle(
        t("train.pin"),
        value=run.pinned,
        key=f"btn_train_pin_{run.id}",
        on_change=_pin,
        args=(run,),
        help=t("train.pin_help"),
    )
    fork_ui(run)  # "same start, one change" (saved runs): a row of its own, its label is cut in a narrow column
    resume_ui(run)  # "train N more epochs" (saved runs)
    return run


def _pin(run) -> None:
    run.pinned = bool(st.session_state.get(f"btn_train_pin_{run.id}"))


def _skipped_ui(skipped: list) -> None:
    for name, reason in skipped:
        st.warning(
            t("train.compare_all_skipped", model=name, reason=error_text(reason, _lang())), icon=":material/block:"
        )


def comparison_table(items: list) -> pd.DataFrame:
    """One row per compared model: its parameters, training time and test metric beside the baseline."""
    rows = []
    for r in items:
        row = compare_row(r)
        rows.append(
            {
                t("train.col_model"): row["model"],
                t("train.col_params"): f"{row['params']:,}",
                t("train.col_seconds"): f"{row['train_seconds']:.2f}",
                t("train.col_epochs"): row["epochs"],
                **_task_scores({**row, "task": r.task}),
            }
        )
    frame = pd.DataFrame(rows)
    for key in ("col_rmse", "col_naive_rmse"):
        if t(f"train.{key}") in frame:
            frame[t(f"train.{key}")] = _with_units(_one_format(frame[t(f"train.{key}")].tolist()), items)
    return frame


def comparison_ui(items: list) -> None:
    """The last comparison of this task: the table and the validation loss curves of every model on one axis."""
    ids = st.session_state.get(COMPARE_KEY) or []
    compared = [r for r in items if r.id in ids]
    if not compared:
        return
    st.subheader(t("train.compare_all_title"))
    _skipped_ui(st.session_state.get(COMPARE_KEY + "_skipped", []))
    first = compared[0]
    st.caption(
        t(
            "train.compare_all_caption",
            epochs=first.train.epochs,
            batch=first.train.batch_size,
            seed=first.train.seed,
            split=t(f"train.split_short.{first.metrics['split']}"),
        )
    )
    show_table(comparison_table(compared), hide_index=True, static=True)
    if task_of_data(first).label_kind == "token":
        _perplexity_chart([layers_name(r) for r in compared], compared, key="chart_train_compare_all_ppl")
    fig = go.Figure()
    key = "val_loss" if all(r.history.get("val_loss") for r in compared) else "loss"
    for r in compared:
        fig.add_scatter(x=list(range(1, r.epochs_run + 1)), y=r.history[key], mode="lines", name=layers_name(r))
    fig.update_layout(
        title=t("train.compare_all_curves", which=t("train.val_curve" if key == "val_loss" else "train.train_curve")),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss=loss_label(first.train.loss)),
    )
    plot(fig, key="chart_train_compare_all")


def _perplexity_chart(names: list[str], items: list, key: str) -> None:
    """Language-model runs: perplexity beside the unigram baseline's, one pair of bars per run."""
    model = [r.metrics["model"]["perplexity"] for r in items]
    unigram = [r.metrics["baseline"]["perplexity"] for r in items]
    plot(perplexity_figure(names, model, unigram, lang()), key=key)


def layers_name(run) -> str:
    return layers_label(run.arch)


def compare_ui() -> None:
    task = task_of(st.session_state).name
    items = [r for r in shown_runs() if r.task == task]  # never two tasks on one axis
    if len(items) < 1:
        return
    comparison_ui(items)
    st.header(t("train.runs_title"))
    show_table(runs_table(items), hide_index=True, static=True)  # every column visible, headers wrap
    if len(items) < 2:
        return
    with st.expander(t("train.compare"), expanded=True):
        names = {r.id: r.name for r in items}
        chosen = st.multiselect(
            t("train.compare_pick"),
            [r.id for r in items],
            default=[r.id for r in items[-3:]],
            format_func=names.get,
            key="btn_train_compare",
        )
        picked = [r for r in items if r.id in chosen]
        if picked:
            plot(compare_figure(picked), key="chart_train_compare")
            if get_task(task or "forecast").label_kind == "token":
                _perplexity_chart([r.name for r in picked], picked, key="chart_train_compare_ppl")
            show_table(runs_table(picked), hide_index=True, static=True)
