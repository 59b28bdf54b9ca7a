"""Setting values a task brings when it is picked: its data source's defaults, its loss, the Architecture
explorer's shape and head."""

from __future__ import annotations

from rnn_lab.tasks.registry import get_task


def task_defaults(name: str) -> dict:
    """Setting values to apply when the user picks the task ``name`` (an on_change callback applies them): its
    default data source with that source's own defaults, and its default loss. Other settings stay as they are."""
    from rnn_lab.data.settings import source_defaults  # upward (data sits above tasks): kept in the function

    spec = get_task(name)
    out = dict(spec.default_source)
    if out.get("data_source_kind") in ("toy", "bundled", "digits", "text"):
        out.update(
            source_defaults(
                out["data_source_kind"], out.get("data_toy", "counting"), text=out.get("data_text", "tiny-en")
            )
        )
    out["train_loss"] = spec.default_loss
    out.update(arch_defaults(name, out.get("data_source_kind", "toy"), maxlen=out.get("data_text_maxlen", 40)))
    return out


def arch_defaults(task: str, source_kind: str, toy_length: int = 20, maxlen: int = 40, vocab: int = 1000) -> dict:
    """The Architecture explorer's shape and head for a task's data: a digit is 28 steps x 28 pixels into
    Dense(10, softmax), the first-vs-last toy ``toy_length`` steps x 1 into Dense(2, softmax), forecasting the
    tutorial's 5 steps x 1 into Dense(1); text: ``maxlen`` token ids into an Embedding, then Dense(2, softmax)
    for sentiment or Dense(vocab, softmax) on every step for next_token (the vocabulary is the data's: the
    training variant sets it; ``vocab`` is the explorer's stand-in). A language model masks [PAD] (mask_zero): its
    lines are padded at the end, and without the mask the loss, the accuracy curve and the model's effort would go
    to predicting [PAD] after every line."""
    if source_kind == "text" or task == "next_token":
        vocab = min(int(vocab), 1024)  # the explorer's head (arch_dense_units) allows up to 1024 units
        text = {
            "arch_timesteps": int(maxlen),
            "arch_features": 1,
            "arch_embedding": True,
            "arch_embedding_vocab": vocab,
            "arch_dense": True,
        }
        if task == "next_token":  # post-padded lines: mask_zero keeps [PAD] out of the loss and the curves
            return {**text, "arch_dense_units": vocab, "arch_return_sequences": True, "arch_mask_zero": True}
        return {**text, "arch_dense_units": 2, "arch_mask_zero": False}  # pre padding: the text ends at step T
    numbers = {"arch_embedding": False, "arch_mask_zero": False}  # numbers in: no Embedding (maybe on from text)
    if task == "classify":
        if source_kind == "digits":
            return {**numbers, "arch_timesteps": 28, "arch_features": 28, "arch_dense": True, "arch_dense_units": 10}
        return {
            **numbers,
            "arch_timesteps": int(toy_length),
            "arch_features": 1,
            "arch_dense": True,
            "arch_dense_units": 2,
        }
    return {**numbers, "arch_timesteps": 5, "arch_features": 1, "arch_dense": True, "arch_dense_units": 1}
