"""Text from a trained next-token model: one token at a time, each fed back as input (issue 11).

At each step the model reads the last ``window`` tokens (padded the way it was trained), its softmax at the last
real step is the distribution of the next token; the top 5 are kept for the page. Temperature reshapes the
distribution before choosing: p_i^(1/temperature), renormalised. At temperature 0 (or below ``GREEDY_BELOW``)
the most probable token is taken (argmax: the same text every time); above, the token is drawn at random with
``numpy.random.default_rng(seed)`` (the same seed, the same text). [PAD] is never generated: it means "no token".
When the model picks ``[END]`` (it learned where its training lines end) the line is over and generation stops,
before ``length`` tokens; the step is kept (its top 5 show how sure the model was that the line ends).

The vocabulary travels with a saved model as ``<run>.vocab.json`` next to ``<run>.keras``
(:func:`save_run` / :func:`load_run`): the tokens in id order, how they join (char/word), the window and padding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnn_lab.data.text import END_ID, PAD_ID, Vocab, pad_ids
from rnn_lab.tasks import task_of_data

GREEDY_BELOW = 1e-3  # temperatures below this choose the most probable token
TOP_K = 5


@dataclass(frozen=True)
class TextSpec:
    """What generation needs to know of the data a model was trained on (a PreparedText has all of it)."""

    vocab: Vocab
    window: int
    padding: str = "pre"
    task: str = "next_token"
    source: str = ""


@dataclass
class Generation:
    prompt: str
    prompt_ids: list[int]
    ids: list[int]  # the generated ids, in order ([END] last when the model ended the line)
    tokens: list[str]  # the generated tokens
    text: str  # prompt + generated tokens, joined as the vocabulary joins them ([END] is not text)
    steps: list[dict] = field(default_factory=list)  # per step: {"id", "token", "p", "top": [{"token", "id", "p"}]}
    ended: bool = False  # the model picked [END]: the line is over (before ``length`` tokens)

    def to_dict(self) -> dict:
        return {
            "prompt": self.prompt,
            "text": self.text,
            "tokens": self.tokens,
            "ids": self.ids,
            "steps": self.steps,
            "ended": self.ended,
        }


def _spec(prepared) -> TextSpec:
    if isinstance(prepared, TextSpec):
        return prepared
    return TextSpec(prepared.vocab, int(prepared.window), prepared.padding, prepared.task, prepared.source)


def next_distribution(model, spec: TextSpec, ids: list[int]) -> np.ndarray:
    """float64 (V,): the model's distribution of the token after ``ids`` (the last ``window`` of them are read)."""
    context = ids[-spec.window :]
    x = pad_ids([context], spec.window, spec.padding, "pre")  # (1, T)
    out = np.asarray(model(x, training=False))  # (1, T, V) softmax at every step
    at = spec.window - 1 if spec.padding == "pre" else len(context) - 1  # the step that read the last token
    return out[0, at].astype(np.float64)


def generate(model, prepared, prompt: str, length: int = 50, temperature: float = 0.8, seed: int = 0) -> Generation:
    """``length`` tokens after ``prompt`` from a next-token ``model`` trained on ``prepared`` (a PreparedText or a
    :class:`TextSpec`), with the top-5 probabilities at each step. ValueError for an empty prompt, a prompt of
    unknown tokens only, or a length below 1."""
    spec = _spec(prepared)
    if task_of_data(spec).label_kind != "token":
        raise ValueError("only a next-token model generates text; this one was trained to classify")
    length = int(length)
    if length < 1:
        raise ValueError(f"length must be at least 1 token; got {length}")
    if temperature < 0:
        raise ValueError(f"temperature must be 0 or more; got {temperature}")
    prompt_ids = spec.vocab.encode_text(prompt)
    if not prompt_ids:
        raise ValueError("the prompt is empty: type the first word (or letter) to continue from")
    rng = np.random.default_rng(seed)
    ids = list(prompt_ids)
    steps = []
    ended = False
    for _ in range(length):
        p = next_distribution(model, spec, ids)
        p[PAD_ID] = 0.0  # [PAD] is "no token": never generated
        p = p / p.sum()
        if temperature < GREEDY_BELOW:
            choice = int(np.argmax(p))
        else:
            logp = np.log(np.clip(p, 1e-12, 1.0)) / temperature
            q = np.exp(logp - logp.max())
            q[PAD_ID] = 0.0
            q /= q.sum()
            choice = int(rng.choice(len(q), p=q))
        top = np.argsort(-p, kind="stable")[:TOP_K]
        steps.append(
            {
                "id": choice,
                "token": spec.vocab.tokens[choice],
                "p": float(p[choice]),
                "top": [{"token": spec.vocab.tokens[i], "id": int(i), "p": float(p[i])} for i in top],
            }
        )
        ids.append(choice)
        if choice == END_ID and spec.vocab.has_end:
            ended = True
            break
    new = ids[len(prompt_ids) :]
    return Generation(
        prompt=prompt,
        prompt_ids=list(prompt_ids),
        ids=new,
        tokens=[spec.vocab.tokens[i] for i in new],
        text=spec.vocab.decode_text(ids),
        steps=steps,
        ended=ended,
    )


def vocab_path(model_path) -> Path:
    """``run.keras`` -> ``run.vocab.json`` (the vocabulary and text settings saved beside the model)."""
    path = Path(model_path)
    return path.with_name(path.name.removesuffix(".keras") + ".vocab.json")


def save_run(model, prepared, path) -> tuple[Path, Path]:
    """Save ``model`` as ``path`` (.keras) and, for text data, its vocabulary as ``<path>.vocab.json``."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"the model file must end in .keras; got {path.name}")
    model.save(path)
    meta = vocab_path(path)
    spec = _spec(prepared)
    meta.write_text(
        json.dumps(
            {
                "task": spec.task,
                "source": spec.source,
                "window": spec.window,
                "padding": spec.padding,
                "vocab": spec.vocab.to_dict(),
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path, meta


def load_run(path):
    """(model, TextSpec) of a run saved by :func:`save_run`."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such model file: {path}")
    meta = vocab_path(path)
    if not meta.is_file():
        raise ValueError(f"{meta.name} is missing: the vocabulary is saved beside the model by `train --save`")
    data = json.loads(meta.read_text(encoding="utf-8"))
    spec = TextSpec(
        Vocab.from_dict(data["vocab"]), int(data["window"]), data["padding"], data["task"], data.get("source", "")
    )
    return keras.models.load_model(path), spec
