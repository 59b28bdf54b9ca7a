"""The Data page's text view (issue 11): pick, edit, tokenise and pad text for ``next_token`` and ``classify``.

Thin: the widgets are bound to the ``data_text*`` settings by key, :func:`ui.data.sequence_dataset` builds the
dataset and ``rnn_lab.data.text_views`` makes the tables and figures. The user's own text (typed, pasted, an edited
tiny corpus or a .txt file) lives in ``st.session_state[ui.data.OWN_TEXT_KEY]``: session data like an upload,
never in a link. Session keys of this view start with ``btn_text_`` (not settings, never in a link).
"""

from __future__ import annotations

import streamlit as st

from rnn_lab import class_views as cv
from rnn_lab import i18n
from rnn_lab.data import text_views as tv
from rnn_lab.data.errors import DataError, TextDataError
from rnn_lab.data.text import NSMC_LIMIT, TINY, decode_text, lines_of, tiny_corpus
from rnn_lab.settings import setting as rnn_setting
from rnn_lab.share import allowed_text
from rnn_lab.tasks import task_of_data
from ui import data as ud
from ui.classify import class_counts, shapes_table_ui
from ui.common import error, lang, plot, show_table, t
from ui.widgets import choice_ui, number_ui

TEXT_KEYS = (
    "data_text",
    "data_text_tokens",
    "data_text_maxlen",
    "data_text_padding",
    "data_text_truncating",
    "data_text_vocab",
    "data_text_limit",
)
FIRST_LINES = 5  # lines shown tokenised
TOP_TOKENS = 20  # most frequent tokens listed and drawn
REVIEWS = 8  # NSMC reviews shown with their labels
TEXT_MB = 5  # largest .txt file read as own text (a classroom text, not a book collection)

EDITOR = "btn_text_corpus"  # the text_area holding the tiny corpus (edits become own text)
EDITOR_OF = "btn_text_corpus_of"  # which corpus the editor was filled with
EDITED_FROM = "btn_text_edited_from"  # own text that began as an edit of this tiny corpus
OWN_BOX = "btn_text_own_box"  # the text_area of the user's own text (mirrors OWN_TEXT_KEY)
FILE = "btn_text_file"  # the .txt uploader
FILE_NOTE = "btn_text_file_note"  # the last file read: its DataError, or the success message
LAST_GOOD = "btn_text_last_good"  # the text settings of the last dataset built without error


# ------------------------------------------------------------------------------------------------- own text
def set_own_text(text: str, edited_from: str | None = None) -> None:
    """Make ``text`` the user's own text and the active text; the own-text box shows it."""
    state = st.session_state
    state[ud.OWN_TEXT_KEY] = text
    state["data_text"] = "own"
    state[OWN_BOX] = text
    if edited_from:
        state[EDITED_FROM] = edited_from
    else:
        state.pop(EDITED_FROM, None)


def _corpus_edited() -> None:
    """on_change of the corpus editor: a changed corpus becomes the user's own text (the original stays shipped)."""
    state = st.session_state
    name = state.get(EDITOR_OF)
    edited = state.get(EDITOR, "")
    if name in TINY and edited.strip() != tiny_corpus(name).strip():
        set_own_text(edited, edited_from=name)


def _back_to_original() -> None:
    """The edit's "back to the original" button: the tiny corpus again (the edit stays as own text)."""
    state = st.session_state
    name = state.pop(EDITED_FROM, None) or "tiny-en"
    state["data_text"] = name
    state[EDITOR_OF] = name
    state[EDITOR] = tiny_corpus(name)


def _text_picked() -> None:
    """on_change of the text radio: picking "own" here opens an empty box (not the link's "text missing")."""
    state = st.session_state
    if state.get("data_text") == "own" and OWN_BOX not in state:
        state[OWN_BOX] = ud.own_text() or ""


def _own_typed() -> None:
    st.session_state[ud.OWN_TEXT_KEY] = st.session_state.get(OWN_BOX, "")


def read_text_upload(name: str, data: bytes) -> None:
    """A .txt file as the user's own text (UTF-8 or CP949, as the CSV reader reads them). On a file that is
    neither, a message and the text stays as it was."""
    state = st.session_state
    if len(data) > TEXT_MB * 1024 * 1024:  # the uploader refuses it too; this guards any other caller
        state[FILE_NOTE] = TextDataError("too_big", name=name, mb=len(data) / 1024 / 1024, limit=TEXT_MB)
        return
    try:
        text = decode_text(data, name)
    except DataError as err:
        state[FILE_NOTE] = err
        return
    set_own_text(text)
    state[FILE_NOTE] = t("text_data.file_ok", name=name, lines=len(lines_of(text)))


def _file_uploaded() -> None:
    upload = st.session_state.get(FILE)
    if upload is not None:
        read_text_upload(upload.name, upload.getvalue())


# ------------------------------------------------------------------------------------------------- settings
def fix_bad_settings() -> None:
    """A ``data_text*`` value the widgets cannot show (a session edited by a lesson, an old link: max length 0, a
    vocabulary of 1, tiny-en for sentiment): a plain message, and the last good value (else the default) back."""
    state = st.session_state
    good = state.get(LAST_GOOD, {})
    for key in TEXT_KEYS:
        if key not in state:
            continue
        setting = rnn_setting(key)
        try:
            setting.validate(state[key])
            if key == "data_text" and state[key] not in ud.text_sources():
                raise ValueError(key)
        except ValueError:
            fallback = good.get(key, setting.default)
            if key == "data_text" and fallback not in ud.text_sources():
                fallback = ud.text_sources()[0]
            elif key != "data_text":
                label = t(f"text_data.setting.{key}")
                error(t("text_data.err.bad_value", name=label, value=state[key], allowed=_allowed(setting)))
            state[key] = fallback


def _allowed(setting) -> str:
    return allowed_text(setting)


def _words(key: str) -> dict:
    """The label and help of a text setting's widget, and the wording of its options."""
    return {
        "label": t(f"text_data.setting.{key}"),
        "help": t(f"text_data.help.{key}"),
        **(
            {"format_func": lambda v, _l=lang(), _k=key: i18n.t(f"text_data.options.{_k}.{v}", _l)}
            if rnn_setting(key).choices
            else {}
        ),
    }


# ------------------------------------------------------------------------------------------------- the view
def data_ui() -> None:
    """Which text, its editor, the tokeniser's settings, then what the dataset is. Ends the page on errors with a
    plain message; the last good dataset (of this task) stays active."""
    state = st.session_state
    L = lang()
    fix_bad_settings()
    sources = ud.text_sources()
    st.radio(
        t("text_data.which"),
        sources,
        key="data_text",
        horizontal=True,
        on_change=_text_picked,
        format_func=lambda v, _l=L: i18n.t(f"text_data.sources.{v}", _l),
    )
    name = state["data_text"]
    st.caption(t(f"text_data.provenance.{'nsmc' if name == 'nsmc' else 'tiny' if name in TINY else 'own'}"))
    if name in TINY:
        if state.get(EDITOR_OF) != name or EDITOR not in state:
            state[EDITOR_OF] = name
            state[EDITOR] = tiny_corpus(name)
        st.text_area(t("text_data.editor", name=name), key=EDITOR, height=280, on_change=_corpus_edited)
        st.caption(t("text_data.editor_note"))
    elif name == "own":
        if not _own_ui():
            return
    _controls(name)
    prepared = _dataset()
    if prepared is None:
        return
    _views(prepared)


def _own_ui() -> bool:
    """The own-text box and the .txt uploader. False when there is no own text to show (a link named it)."""
    state = st.session_state
    if ud.own_text() is None:
        if OWN_BOX in state:  # picked here: nothing typed yet
            st.info(t("text_data.own_prompt"), icon=":material/edit_note:")
        else:  # the settings (a link) name own text, which never travels in a link
            st.warning(t("text_data.err.own_needed"), icon=":material/text_snippet:")
            st.caption(t("text_data.err.own_needed_hint"))
    if state.get(EDITED_FROM):
        st.info(t("text_data.edited_note", name=state[EDITED_FROM]), icon=":material/edit_note:")
        st.button(
            t("text_data.back_to_original", name=state[EDITED_FROM]), key="btn_text_back", on_click=_back_to_original
        )
    if OWN_BOX not in state:  # the box was not on the last run (another page, a link): show the own text again
        state[OWN_BOX] = ud.own_text() or ""
    st.text_area(t("text_data.own_box"), key=OWN_BOX, height=280, on_change=_own_typed, help=t("text_data.own_help"))
    st.html(ud.uploader_css(t("data.upload_button"), t("data.upload_limits", mb=TEXT_MB, types="TXT")))
    st.file_uploader(
        t("text_data.file"),
        type=["txt"],
        key=FILE,
        on_change=_file_uploaded,
        help=t("text_data.file_help"),
        max_upload_size=TEXT_MB,
    )
    note = state.get(FILE_NOTE)  # what became of the last file read: a DataError or the success message
    if isinstance(note, DataError):
        error(note.text(lang()), note.hint(lang()))
    elif note:
        st.success(note, icon=":material/check:")
    if ud.own_text() is None:
        _kept_or_stop()
        return False
    return True


def _controls(name: str) -> None:
    is_classify = name == "nsmc"
    c1, c2 = ud.grid(2)
    choice_ui("data_text_tokens", column=c1, **_words("data_text_tokens"))
    number_ui("data_text_maxlen", step=5, column=c2, **_words("data_text_maxlen"))
    c1, c2 = ud.grid(2)
    choice_ui("data_text_padding", column=c1, **_words("data_text_padding"))
    if is_classify:  # a language model cuts long lines into pieces instead of truncating them
        choice_ui("data_text_truncating", column=c2, **_words("data_text_truncating"))
    c1, c2 = ud.grid(2)
    number_ui("data_text_vocab", step=100, column=c1, **_words("data_text_vocab"))
    if is_classify:
        number_ui("data_text_limit", step=500, column=c2, **_words("data_text_limit"))
        c2.caption(t("text_data.limit_note", min=NSMC_LIMIT[0], max=NSMC_LIMIT[1]))


def _dataset():
    """The dataset of the settings; on bad input a plain message and the last good dataset of this task (None and
    nothing more shown when there is none)."""
    state = st.session_state
    try:
        new = ud.sequence_dataset()
    except DataError as err:
        ud.show_data_error(err, lang())
        return _kept_or_stop()
    if state.get("prepared") is not new or state.get("prepared_signature") != ud.current_signature():
        ud.store_prepared(new)
    state[LAST_GOOD] = {key: state[key] for key in TEXT_KEYS if key in state}
    return new


def _kept_or_stop():
    """The last good text dataset of this task, said to be kept; None when there is none."""
    previous = st.session_state.get("prepared")
    if getattr(previous, "input_kind", None) == "tokens" and previous.task == st.session_state.get("task"):
        st.caption(t("data.prep.kept_previous"))
        return previous
    return None


def _views(prepared) -> None:
    L = lang()
    vocab = prepared.vocab
    sizes = prepared.split_sizes
    st.markdown(t("text_data.active", source=prepared.source, n=sum(sizes.values()), v=vocab.size))

    st.subheader(t("text_data.tokens_header"))
    st.caption(t(f"text_data.tokens_note.{prepared.tokens}"))
    shown_lines = []
    for i in range(min(FIRST_LINES, sizes["train"])):
        ids = tv.line_ids(prepared, "train", i)  # as the model gets them: a token left out is [UNK]
        shown_lines.append(f"{i + 1}. " + tv.tokens_markdown(vocab.decode(ids)))
    st.markdown("\n".join(shown_lines))

    st.subheader(t("text_data.vocab_header"))
    unk, total = tv.unk_summary(vocab)
    st.markdown(
        t(
            "text_data.vocab_size_end" if vocab.has_end else "text_data.vocab_size",
            v=vocab.size,
            n=vocab.size - vocab.n_special,
        )
    )
    share = unk / total if total else 0.0
    (st.warning if share > 0.05 else st.caption)(t("text_data.unk", unk=f"{unk:,}", total=f"{total:,}", share=share))
    c1, c2 = st.columns([1, 2])
    with c1:
        show_table(tv.vocab_frame(vocab, TOP_TOKENS // 2, L), hide_index=True, static=True)
    with c2:
        plot(tv.vocab_figure(vocab, L, TOP_TOKENS), key="text_vocab_chart")

    st.subheader(t("text_data.pad_header"))
    i = 0
    ids = tv.input_ids(prepared, "train", i)
    pre, post = tv.padded_pair(ids, prepared.window, prepared.truncating)
    st.caption(t("text_data.pad_line", n=len(ids), T=prepared.window))
    plot(tv.padding_figure(pre, post, vocab, L), key="text_pad_chart")
    c1, c2 = st.columns(2)
    c1.code(f'padding="pre"\n{pre.tolist()}', language="text", wrap_lines=True)
    c2.code(f'padding="post"\n{post.tolist()}', language="text", wrap_lines=True)
    st.info(t(f"text_data.pad_why.{prepared.task}", padding=prepared.padding), icon=":material/lightbulb:")

    st.subheader(t("text_data.length_header"))
    lengths = tv.sample_lengths(prepared, "train")
    cut = tv.cut_count(lengths, prepared.window)
    key = "cut" if task_of_data(prepared).label_kind == "class" else "pieces"
    st.markdown(
        t(
            f"text_data.{key}",
            n=cut,
            total=len(lengths),
            T=prepared.window,
            truncating=prepared.truncating,
            longest=int(lengths.max()) if len(lengths) else 0,
        )
    )
    plot(tv.length_figure(lengths, prepared.window, L), key="text_length_chart")

    st.subheader(t("data.prep.shapes"))
    shapes_table_ui(prepared)
    if task_of_data(prepared).label_kind == "token":
        st.subheader(t("text_data.shift_header"))
        st.caption(t("text_data.shift_note"))
        show_table(tv.shift_frame(prepared, "train", 0, L), hide_index=True, width="stretch")
    else:
        names = tuple(t(f"text_data.classes.{c}") for c in prepared.class_names)
        plot(cv.class_balance_figure(class_counts(prepared), names, L), key="text_class_balance")
        st.subheader(t("text_data.reviews_header"))
        show_table(tv.reviews_frame(prepared, REVIEWS, L), hide_index=True, width="stretch")
