"""The Train page's views of a run on text: a language model's scores beside the unigram baseline, the lines it gets
most wrong and a generation box (``next_token``); the reviews a sentiment model gets most wrong (``classify`` on
text). Numbers and figures come from ``rnn_lab.train.text_views``."""

from __future__ import annotations

import streamlit as st

from rnn_lab import class_views as cv
from rnn_lab.train import text_views as tv
from rnn_lab.train.engine import Inference
from rnn_lab.train.generate import generate
from rnn_lab.train.runs import most_wrong
from ui.common import error, lang, plot, show_table, t

GENERATED_KEY = "_text_generated"  # not a setting: {run id: the last Generation of that run} (session data)
MAX_LENGTH = 60  # tokens one press may generate: the top-5 figure keeps one readable row per step


def results_ui(run) -> None:
    """A next_token run: the metrics table and verdict, perplexity in words, the worst lines, then generation."""
    m = run.metrics
    plot(cv.accuracy_figure(run.history, None, lang()), key="chart_text_accuracy")  # accuracy per predicted token
    if not run.arch.mask_zero and (run.prepared.y_train == 0).any():  # fit's curves count the [PAD] steps too
        st.caption(t("text_train.pad_in_curves"))
    st.subheader(t("text_train.metrics_title", split=t(f"text_train.split.{m['split']}"), n=m["n_tokens"]))
    if m["split"] == "train":
        st.caption(t("text_train.no_held_out"))
    show_table(tv.next_token_table(m, lang()), hide_index=True, static=True)
    st.markdown(tv.perplexity_sentence(m, run.prepared.vocab_size, lang()))
    base_token = tv.token_label(run.prepared.vocab.tokens[m["baseline"]["token"]])
    st.caption(t("text_train.unigram_note", token=base_token))
    verdict = t(f"text_train.verdict.{m['verdict']}")
    {"beats": st.success, "ties": st.warning, "loses": st.error}.get(m["verdict"], st.info)(verdict)
    st.subheader(t("text_train.worst_title"))
    st.caption(t("text_train.worst_note"))
    show_table(tv.worst_lines_table(most_wrong(run, tv.SHOWN_LINES), lang()), hide_index=True, static=True)
    generate_ui(run)


def generate_ui(run) -> None:
    """Prompt, temperature, length and seed; Generate writes the text token by token with each step's top 5."""
    prepared = run.prepared
    st.subheader(t("text_train.generate_title"))
    prompt_key = f"btn_text_prompt_{run.id}"  # one prompt per run: a word model and a character model differ
    if prompt_key not in st.session_state:
        st.session_state[prompt_key] = tv.default_prompt(prepared)
    st.text_input(t("text_train.prompt"), key=prompt_key, help=t("text_train.prompt_help"))
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.slider(
        t("text_train.temperature"), 0.0, 2.0, 0.0, 0.1, key="btn_text_temperature", help=t("text_train.temp_help")
    )
    c2.number_input(t("text_train.length"), 1, MAX_LENGTH, 20, key="btn_text_length")
    c3.number_input(t("text_train.seed"), 0, 2**31 - 1, 0, key="btn_text_seed")
    temperature = float(st.session_state["btn_text_temperature"])
    st.caption(t("text_train.temp_greedy" if temperature == 0 else "text_train.temp_sampled", temp=temperature))
    generated = st.session_state.setdefault(GENERATED_KEY, {})
    if st.button(t("text_train.generate_button"), key="btn_text_generate", icon=":material/edit_note:"):
        prompt = str(st.session_state.get(prompt_key, ""))
        problem = tv.prompt_problem(prepared.vocab, prompt)
        if problem is not None:
            key, values = problem
            error(t(key, **values), t("text_train.err.prompt_hint", example=tv.default_prompt(prepared)))
        else:
            unknown = tv.unknown_tokens(prepared.vocab, prompt)
            if unknown:
                st.info(t("text_train.unknown_note", tokens=" ".join(map(tv.token_label, unknown))))

            try:
                with Inference(run.model, prepared.X_train[:1]) as compiled:  # the job's compiled copy, not eager
                    generated[run.id] = generate(
                        compiled,
                        prepared,
                        prompt,
                        length=int(st.session_state["btn_text_length"]),
                        temperature=temperature,
                        seed=int(st.session_state["btn_text_seed"]),
                    )
            except ValueError as err:  # the library's own checks (length, temperature): the last text stays
                error(t("text_train.err.generate"), str(err))
    out = generated.get(run.id)
    if out is None:
        return
    with st.container(key="text_generated"):  # a stable handle for the browser test
        st.markdown(t("text_train.generated", prompt=out.prompt))
        st.code(out.text, language=None, wrap_lines=True)
        if getattr(out, "ended", False):  # generations kept from before [END] existed have no such field
            st.caption(t("text_train.ended", n=len(out.ids) - 1))
    plot(tv.top5_figure(out.steps, lang()), key="chart_text_top5")
    st.caption(t("text_train.top5_note"))


def worst_reviews_ui(run) -> None:
    """A sentiment run on text: the reviews with the lowest probability of their true class."""
    st.subheader(t("text_train.worst_reviews_title"))
    st.caption(t("text_train.worst_reviews_note", split=t(f"train.split_short.{run.metrics['split']}")))
    worst = most_wrong(run, tv.SHOWN_LINES)
    show_table(tv.worst_reviews_table(worst, run.class_names, lang()), hide_index=True, static=True)
