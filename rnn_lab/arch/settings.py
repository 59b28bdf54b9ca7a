"""The Architecture page's settings (keys prefixed ``arch_``) and the config they describe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rnn_lab.arch.config import (
    CELLS,
    FAMILIES,
    MAX_BATCH,
    MAX_DENSE,
    MAX_EMBED_DIM,
    MAX_FEATURES,
    MAX_FILTERS,
    MAX_KERNEL,
    MAX_LAYERS,
    MAX_TIMESTEPS,
    MAX_UNITS,
    MAX_VOCAB,
    MERGE_MODES,
    ArchConfig,
)
from rnn_lab.settings import Setting
from rnn_lab.tasks import task_of

SETTINGS = (
    Setting("arch_cell", "SimpleRNN", choices=CELLS),
    Setting("arch_layers", 1, min=1, max=MAX_LAYERS),
    *(Setting(f"arch_units_{i}", 10, min=1, max=MAX_UNITS) for i in range(1, MAX_LAYERS + 1)),
    Setting("arch_bidirectional", False),
    Setting("arch_merge_mode", "concat", choices=MERGE_MODES),
    Setting("arch_return_sequences", False),
    Setting("arch_return_state", False),
    Setting("arch_dropout", 0.0, min=0.0, max=0.9),
    Setting("arch_recurrent_dropout", 0.0, min=0.0, max=0.9),
    Setting("arch_timesteps", 5, min=1, max=MAX_TIMESTEPS),
    Setting("arch_features", 1, min=1, max=MAX_FEATURES),
    Setting("arch_fixed_batch", False),
    Setting("arch_batch_size", 8, min=1, max=MAX_BATCH),
    Setting("arch_dense", True),
    Setting("arch_dense_units", 1, min=1, max=MAX_DENSE),
    # the layer family (RNN vs Conv1D vs a plain Dense model) and the non-recurrent families' sizes
    Setting("arch_family", "rnn", choices=FAMILIES),
    Setting("arch_filters", 16, min=1, max=MAX_FILTERS),
    Setting("arch_kernel_size", 3, min=1, max=MAX_KERNEL),
    Setting("arch_pool", 2, min=1, max=MAX_KERNEL),  # MaxPooling1D size; 1 = no pooling
    Setting("arch_dense_hidden", 0, min=0, max=MAX_DENSE),  # hidden Dense(relu) units of conv1d/dense; 0 = none
    # an Embedding in front for token ids (text); the trained model takes the data's vocabulary instead of
    # arch_embedding_vocab (the explorer's stand-in, so its formula V*d_e has a number)
    Setting("arch_embedding", False),
    Setting("arch_embedding_vocab", 2000, min=2, max=MAX_VOCAB),
    Setting("arch_embedding_dim", 8, min=1, max=MAX_EMBED_DIM),
    Setting("arch_mask_zero", False),
)


def config_from_values(values: Mapping[str, Any]) -> ArchConfig:
    """The :class:`ArchConfig` described by the ``arch_*`` keys of ``values`` (missing keys -> defaults).

    Works with any mapping, e.g. ``st.session_state`` or parsed URL parameters. Raises
    ValueError naming the setting and what is allowed when a value is out of range.
    """
    v = {s.key: s.read(values) for s in SETTINGS}
    head_activation = task_of(values).head_activation  # the task decides the head (softmax to classify)
    if head_activation == "softmax" and (not v["arch_dense"] or v["arch_dense_units"] < 2):
        # Dense(1, softmax) always outputs 1.0: never show it as a classifier
        raise ValueError(
            "a softmax head needs one unit per class (2 or more): set the Dense head's units to the number of "
            f"classes (10 for the digits, 2 for the first-vs-last toy); got {v['arch_dense_units'] if v['arch_dense'] else 'no head'}"
        )
    return ArchConfig(
        cell=v["arch_cell"],
        units=tuple(v[f"arch_units_{i}"] for i in range(1, v["arch_layers"] + 1)),
        bidirectional=v["arch_bidirectional"],
        merge_mode=v["arch_merge_mode"],
        return_sequences=v["arch_return_sequences"],
        return_state=v["arch_return_state"],
        dropout=float(v["arch_dropout"]),
        recurrent_dropout=float(v["arch_recurrent_dropout"]),
        timesteps=v["arch_timesteps"],
        features=1 if v["arch_embedding"] else v["arch_features"],  # with an Embedding a step is one token id
        batch_size=v["arch_batch_size"] if v["arch_fixed_batch"] else None,
        dense_units=v["arch_dense_units"] if v["arch_dense"] else None,
        head_activation=head_activation,
        family=v["arch_family"],
        filters=v["arch_filters"],
        kernel_size=v["arch_kernel_size"],
        pool_size=v["arch_pool"],
        dense_hidden=v["arch_dense_hidden"] or None,
        embedding_vocab=v["arch_embedding_vocab"] if v["arch_embedding"] else None,
        embedding_dim=v["arch_embedding_dim"],
        mask_zero=bool(v["arch_mask_zero"]) and v["arch_family"] == "rnn",
    )
