"""One frozen dataclass describes a recurrent architecture (nanoGPT's ``GPTConfig`` style).

The defaults are the classic Keras tutorial: ``SimpleRNN(10, input_shape=[5, 1])``
followed by ``Dense(1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rnn_lab.i18n import MessageError
from rnn_lab.tasks import task_of_data

CELLS = ("SimpleRNN", "LSTM", "GRU")
FAMILIES = ("rnn", "conv1d", "dense")  # recurrent stack | Conv1D + pooling + Flatten | Flatten + Dense
HEAD_ACTIVATIONS = ("linear", "softmax")  # regression | class (or token) probabilities
MAX_FILTERS = 512
MAX_KERNEL = 64
MERGE_MODES = ("concat", "sum", "mul", "ave")
MAX_LAYERS = 4
MAX_UNITS = 1024
MAX_TIMESTEPS = 1000
MAX_FEATURES = 64
MAX_BATCH = 4096
MAX_DENSE = 1024
MAX_VOCAB = 50_000  # Embedding input_dim, and the next_token head (one unit per token)
MAX_EMBED_DIM = 512


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ArchError(MessageError):
    """A combination of layers the data cannot feed (e.g. a Conv1D kernel longer than the window), said in the
    reader's language on the pages (``locales/<lang>/arch.toml``, ``[err]``)."""

    namespace = "arch.err"


@dataclass(frozen=True)
class ArchConfig:
    cell: str = "SimpleRNN"  # "SimpleRNN" | "LSTM" | "GRU"
    units: tuple[int, ...] = (10,)  # hidden size D_h of each stacked recurrent layer, bottom first (1-4 layers)
    bidirectional: bool = False  # wrap every recurrent layer in keras.layers.Bidirectional
    merge_mode: str = "concat"  # how Bidirectional combines forward and backward: concat | sum | mul | ave
    return_sequences: bool = False  # of the LAST recurrent layer; the layers below always return sequences
    return_state: bool = False  # the last recurrent layer also returns its final state(s) (functional API)
    dropout: float = 0.0  # dropout on the inputs x_t of every recurrent layer, 0 <= p < 1
    recurrent_dropout: float = 0.0  # dropout on the recurrent state h_{t-1}, 0 <= p < 1
    timesteps: int = 5  # window length T (the tutorial's input_shape=[5, 1])
    features: int = 1  # input features d per step (the old input_dim)
    batch_size: int | None = None  # fixed batch size (the old batch_input_shape); None = any batch
    dense_units: int | None = 1  # units of the Dense head; None = no head
    head_activation: str = "linear"  # of the Dense head: "linear" (forecast) | "softmax" (classify: one unit a class)
    # The layer family. "rnn": the recurrent stack above. "conv1d": Conv1D(filters, kernel_size, padding="valid",
    # relu) + MaxPooling1D(pool_size) (none when pool_size == 1) + Flatten. "dense": Flatten only. Both then add
    # Dense(dense_hidden, relu) when dense_hidden is set, then the head. The recurrent options (cell, units,
    # bidirectional, return_sequences/state, dropouts) only apply to "rnn".
    family: str = "rnn"
    filters: int = 16  # conv1d: f, number of filters (output channels)
    kernel_size: int = 3  # conv1d: k, time steps each filter sees
    pool_size: int = 2  # conv1d: MaxPooling1D window (stride = window); 1 = no pooling layer
    dense_hidden: int | None = None  # conv1d / dense: units of a hidden Dense(relu) before the head; None = none
    # An optional Embedding(embedding_vocab, embedding_dim, mask_zero) in front, for token ids (text): the input is
    # then (batch, T) int ids instead of (batch, T, features) numbers, and the first layer reads embedding_dim
    # values per step. mask_zero=True marks id 0 ([PAD]) as "no token": recurrent layers skip those steps (they keep
    # their state) and the loss leaves them out; the shapes do not change. None = no Embedding (numbers in).
    embedding_vocab: int | None = None  # V: vocabulary size including [PAD] and [UNK]
    embedding_dim: int = 8  # d_e: the vector each token becomes
    mask_zero: bool = False

    def __post_init__(self):
        # Accept lists for units (from JSON / widgets) but store a tuple so the config stays hashable.
        if isinstance(self.units, list):
            object.__setattr__(self, "units", tuple(self.units))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the allowed values (scikit-learn style)."""
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}; got {self.cell!r}")
        if not isinstance(self.units, tuple) or not 1 <= len(self.units) <= MAX_LAYERS:
            raise ValueError(f"units must list 1 to {MAX_LAYERS} layer sizes; got {self.units!r}")
        for u in self.units:
            if not _is_int(u) or not 1 <= u <= MAX_UNITS:
                raise ValueError(f"units per layer must be whole numbers from 1 to {MAX_UNITS}; got {u!r}")
        if self.merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {', '.join(MERGE_MODES)}; got {self.merge_mode!r}")
        for name in ("dropout", "recurrent_dropout"):
            p = getattr(self, name)
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
                raise ValueError(f"{name} must be a number with 0 <= {name} < 1; got {p!r}")
        if not _is_int(self.timesteps) or not 1 <= self.timesteps <= MAX_TIMESTEPS:
            raise ValueError(f"timesteps must be a whole number from 1 to {MAX_TIMESTEPS}; got {self.timesteps!r}")
        if not _is_int(self.features) or not 1 <= self.features <= MAX_FEATURES:
            raise ValueError(f"features must be a whole number from 1 to {MAX_FEATURES}; got {self.features!r}")
        if self.batch_size is not None and (not _is_int(self.batch_size) or not 1 <= self.batch_size <= MAX_BATCH):
            raise ValueError(
                f"batch_size must be None or a whole number from 1 to {MAX_BATCH}; got {self.batch_size!r}"
            )
        max_head = MAX_VOCAB if self.embedding_vocab is not None else MAX_DENSE  # next_token: one unit per token
        if self.dense_units is not None and (not _is_int(self.dense_units) or not 1 <= self.dense_units <= max_head):
            raise ValueError(
                f"dense_units must be None (no Dense head) or a whole number from 1 to {max_head}; "
                f"got {self.dense_units!r}"
            )
        if self.embedding_vocab is not None:
            if not _is_int(self.embedding_vocab) or not 2 <= self.embedding_vocab <= MAX_VOCAB:
                raise ValueError(
                    f"embedding_vocab must be None (no Embedding) or a whole number from 2 to {MAX_VOCAB}; "
                    f"got {self.embedding_vocab!r}"
                )
            if self.features != 1:
                raise ValueError(
                    f"with an Embedding each step is one token id, so features must be 1; got {self.features!r}"
                )
        if not _is_int(self.embedding_dim) or not 1 <= self.embedding_dim <= MAX_EMBED_DIM:
            raise ValueError(
                f"embedding_dim must be a whole number from 1 to {MAX_EMBED_DIM}; got {self.embedding_dim!r}"
            )
        if not isinstance(self.mask_zero, bool):
            raise ValueError(f"mask_zero must be True or False; got {self.mask_zero!r}")
        if self.mask_zero and self.embedding_vocab is not None and self.family != "rnn":
            raise ArchError("mask_zero_rnn_only")

        if self.head_activation not in HEAD_ACTIVATIONS:
            raise ValueError(
                f"head_activation must be one of {', '.join(HEAD_ACTIVATIONS)}; got {self.head_activation!r}"
            )
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {self.family!r}")
        if not _is_int(self.filters) or not 1 <= self.filters <= MAX_FILTERS:
            raise ValueError(f"filters must be a whole number from 1 to {MAX_FILTERS}; got {self.filters!r}")
        if not _is_int(self.kernel_size) or not 1 <= self.kernel_size <= MAX_KERNEL:
            raise ValueError(f"kernel_size must be a whole number from 1 to {MAX_KERNEL}; got {self.kernel_size!r}")
        if not _is_int(self.pool_size) or not 1 <= self.pool_size <= MAX_KERNEL:
            raise ValueError(f"pool_size must be a whole number from 1 to {MAX_KERNEL}; got {self.pool_size!r}")
        if self.dense_hidden is not None and (
            not _is_int(self.dense_hidden) or not 1 <= self.dense_hidden <= MAX_DENSE
        ):
            raise ValueError(
                f"dense_hidden must be None or a whole number from 1 to {MAX_DENSE}; got {self.dense_hidden!r}"
            )
        if self.family == "conv1d":
            if self.kernel_size > self.timesteps:
                raise ArchError("kernel_too_long", kernel=self.kernel_size, timesteps=self.timesteps)
            if self.pool_size > self.timesteps - self.kernel_size + 1:
                raise ArchError("pool_too_long", pool=self.pool_size, left=self.timesteps - self.kernel_size + 1)

    @property
    def is_rnn(self) -> bool:
        return self.family == "rnn"

    @property
    def has_embedding(self) -> bool:
        return self.embedding_vocab is not None

    @property
    def input_width(self) -> int:
        """d of the first layer: the embedding's d_e with token ids, else the features per step."""
        return self.embedding_dim if self.has_embedding else self.features

    @property
    def n_layers(self) -> int:
        return len(self.units)


def training_variant(cfg: ArchConfig, timesteps, features: int | None = None, horizon_outputs: int = 1) -> ArchConfig:
    """The model the Train page fits: ``cfg``'s recurrent stack on the data's window, one output per horizon step.

    The explorer lets users turn on ``return_sequences``, ``return_state`` or a fixed batch
    to *see* what they do, but a many-to-one forecaster needs exactly one vector per window
    (``return_sequences=False``), a single output tensor that ``fit`` can compare to ``y``
    (``return_state=False``), any batch size (``batch_size=None``: the last batch of an epoch
    is usually smaller) and a Dense head with one unit per predicted step. The cells, units,
    bidirectional wrapping and dropouts are kept, so what was explored is what is trained.

    ``timesteps`` may be a prepared dataset instead (``training_variant(cfg, dataset)``): its window and
    features, and its task's head: one linear output for forecasting, ``Dense(n_classes, softmax)`` for
    classification (next_token: one softmax over the vocabulary on every step, ``return_sequences=True``).
    Token data (``input_kind == "tokens"``) get an Embedding of the data's vocabulary (``cfg``'s dim and
    mask_zero); number data none.
    """
    if not isinstance(timesteps, int):
        dataset = timesteps
        task = task_of_data(dataset)
        if task.return_sequences and cfg.family != "rnn":
            raise ValueError(
                f"the task {task.name} predicts at every step: it needs recurrent layers, not {cfg.family}"
            )
        outputs = dataset.n_classes if task.is_classification else horizon_outputs
        tokens = getattr(dataset, "input_kind", "values") == "tokens"
        return replace(
            cfg,
            return_sequences=task.return_sequences,
            return_state=False,
            batch_size=None,
            dense_units=int(outputs),
            head_activation=task.head_activation,
            timesteps=int(dataset.window),
            features=int(dataset.n_features),
            embedding_vocab=int(dataset.vocab_size) if tokens else None,
            mask_zero=bool(cfg.mask_zero) if tokens and cfg.family == "rnn" else False,
        )
    return replace(
        cfg,
        return_sequences=False,
        return_state=False,
        batch_size=None,
        dense_units=horizon_outputs,
        timesteps=timesteps,
        features=features,
    )
