"""Export a run: the Keras model, history and predictions as CSV, a standalone training script and a notebook.

The script needs only TensorFlow/Keras, NumPy and pandas, and carries its data: a forecast's cleaned series as CSV
text (:func:`data_csv`), a classifier's exact splits as a base64 .npz (:func:`class_data_npz`) when it is at most
:data:`EMBED_LIMIT` bytes (else it says it needs the file beside it, as in the .zip). It also carries the trained
weights (same limit) and scores them exactly as the Train page does (metrics, baseline, skill; labels cleaning
filled in left out), then builds the model with the same seeded initializers as the app
(``rnn_lab.arch.keras_model``), feeds ``model.fit`` the same batch order as the app's engine
(``np.random.default_rng(seed)`` permutations) and scores that model too. :func:`notebook` is the same code as a
Jupyter notebook, one step a cell.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import re
import tempfile
import zipfile
from dataclasses import asdict

import numpy as np
import pandas as pd

from rnn_lab.i18n import t
from rnn_lab.tasks import inputs_of, task_of_data

DATA_FILE = "rnn_lab_data.csv"
CLASS_DATA_FILE = "rnn_lab_data.npz"
VOCAB_FILE = "rnn_lab_vocab.json"  # a text run's vocabulary: the tokens in id order, how they join, the padding
EMBED_LIMIT = 3_000_000  # bytes: data or weights larger than this stay out of the script (the .zip has the data)
FILLED_COLUMN = "filled_by_cleaning"  # 1 where cleaning filled the target in: such labels are not scored


def history_csv(run) -> bytes:
    """One row per epoch: epoch, loss, val_loss (when there is a validation split)."""
    frame = pd.DataFrame({k: v for k, v in run.history.items() if v})
    frame.insert(0, "epoch", range(1, len(frame) + 1))
    return frame.to_csv(index=False).encode()


def predictions_csv(run) -> bytes:
    """split, index (date or row), actual, predicted, naive: all in original units."""
    return run.predictions.to_csv(index=False).encode()


def is_classify(run) -> bool:
    """Exact splits in an .npz: a classifier's (numbers or token ids) and a language model's (token ids): labelled
    sequences (``Task.sequence_labels``, label_kind "class" or "token"), not windows of a number series. Not the
    same as ``Task.is_classification`` (a softmax head), though both hold for the three tasks there are."""
    return task_of_data(run).sequence_labels


def is_text(run) -> bool:
    """Token ids in (the data's axis, not the task's): the vocabulary goes with the export."""
    return inputs_of(run.prepared) == "tokens"


def vocab_json(run) -> bytes:
    """A text run's vocabulary and text settings (the same fields as ``rnn_lab.train.generate.save_run``)."""
    p = run.prepared
    data = {"task": run.task, "source": p.source, "window": p.window, "padding": p.padding, "vocab": p.vocab.to_dict()}
    return json.dumps(data, ensure_ascii=False).encode()


def data_file(run) -> str:
    """The name of the data file the script reads: the series as CSV, or a classifier's exact splits as .npz."""
    return CLASS_DATA_FILE if is_classify(run) else DATA_FILE


def data_bytes(run) -> bytes:
    return class_data_npz(run) if is_classify(run) else data_csv(run)


def class_data_npz(run) -> bytes:
    """A classifier's exact splits as the app trained and scored them: X_<split> float32 (n, T, F) or int32 token ids
    (n, T), y_<split> int32 (n,) (a language model's: (n, T), the next token at every step), and idx_<split> (each
    sample's number in the source, e.g. the MNIST image, the review or the line)."""
    p = run.prepared
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"X_{split}"] = p.X(split)
        arrays[f"y_{split}"] = p.y(split)
        arrays[f"idx_{split}"] = p.idx(split)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def data_csv(run) -> bytes:
    """The cleaned series the run was prepared from (the columns it uses), with its index."""
    p = run.prepared
    columns = list(dict.fromkeys([*p.features, p.target]))
    frame = p.series[columns].copy()
    frame.index.name = frame.index.name or "index"
    if getattr(p, "filled", None) is not None:
        frame[FILLED_COLUMN] = p.filled.astype(int)
    return frame.to_csv().encode()


def model_bytes(run) -> bytes:
    """The trained model as a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        run.model.save(path)
        with open(path, "rb") as fh:
            return fh.read()


def trained_arch(run) -> dict:
    """The architecture that was trained, as plain data: a Conv1D or Dense run has no cell and no recurrent units
    (its explorer's leftovers, e.g. LSTM(32), are not exported as if they had been trained)."""
    arch = asdict(run.arch)
    arch["units"] = list(arch["units"])
    if arch.get("family", "rnn") != "rnn":
        arch["cell"], arch["units"] = None, []
    return arch


def _plain(value):
    """Metrics as JSON-ready plain data (NaN -> None; tuples -> lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def app_scores(run) -> dict:
    """The numbers the Train page shows for ``run``: split, model and baseline metrics, skill (forecast)."""
    return task_of_data(run).shown_metrics(run.metrics, _plain)


def config(run) -> dict:
    """Everything the script needs besides the data and the weights."""
    p = run.prepared
    arch = trained_arch(run)
    if is_classify(run):
        return {
            "task": run.task,
            "data_file": CLASS_DATA_FILE,
            "vocab": json.loads(vocab_json(run)) if is_text(run) else None,
            "class_names": list(run.class_names or ()),
            "arch": arch,
            "train": run.train.to_dict(),
            "epochs_run": run.epochs_run,
            "app_final_loss": run.final_loss,
            "app_test_accuracy": run.metrics["model"]["accuracy"] if run.metrics.get("split") == "test" else None,
            "app_scores": app_scores(run),
        }
    return {
        "task": "forecast",
        "data_file": DATA_FILE,
        "target": p.target,
        "features": list(p.features),
        "window": p.window,
        "horizon": p.horizon,
        "val_frac": p.val_frac,
        "test_frac": p.test_frac,
        "scaling": p.scaler.kind,
        "arch": arch,
        "train": run.train.to_dict(),
        "epochs_run": run.epochs_run,
        "app_final_loss": run.final_loss,
        "app_scores": app_scores(run),
    }


def weights_npz(run) -> bytes:
    """The trained weights (``model.get_weights()`` order) as a compressed .npz: arr_0, arr_1, ..."""
    buf = io.BytesIO()
    np.savez_compressed(buf, *run.model.get_weights())
    return buf.getvalue()


def _b64_literal(data: bytes) -> str | None:
    """A bytes literal as base64 text in lines of 100 characters, or None beyond :data:`EMBED_LIMIT`."""
    if len(data) > EMBED_LIMIT:
        return None
    text = base64.b64encode(data).decode()
    return '(\n    "' + '"\n    "'.join(text[i : i + 100] for i in range(0, len(text), 100)) + '"\n)'


def _embedded(run) -> dict[str, str]:
    """The script's DATA_CSV, DATA_NPZ and WEIGHTS lines' values (Python literals or ``None``)."""
    csv_literal, npz_literal = "None", "None"
    if is_classify(run):
        npz_literal = _b64_literal(class_data_npz(run)) or "None"
    else:
        text = data_csv(run).decode()
        if len(text.encode()) <= EMBED_LIMIT and '"""' not in text and not text.endswith("\\"):
            csv_literal = 'r"""' + text + '"""'
    return {"DATA_CSV": csv_literal, "DATA_NPZ": npz_literal, "WEIGHTS": _b64_literal(weights_npz(run)) or "None"}


SCRIPT = r'''"""Standalone re-run of an RNN Lab training run: __NAME__.

Needs only TensorFlow/Keras, NumPy and pandas: run ``python __SCRIPT_NAME__``. __DATA_NOTE__
It scores the app's trained model (its weights are in this file, when small enough) on the same split with the
same metrics and baseline as the Train page, then trains a fresh model from the same seeded initial weights in the
same batch order with Keras ``fit`` and scores it too; the app reached loss __APP_LOSS__.
"""

# %%
import base64
import io
import json
import os
import sys

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

CONFIG = json.loads(r"""__CONFIG_JSON__""")
HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
# The data and the trained weights travel inside this file (None: too large, read from the file beside it).
DATA_CSV = __DATA_CSV__  # a series: the cleaned columns the windows are cut from, as CSV text
DATA_NPZ = __DATA_NPZ__  # sequences: the exact splits as a base64 .npz
WEIGHTS = __WEIGHTS__  # the app's trained weights as a base64 .npz (model.get_weights() order)


# %%
def prepare(frame):
    """Windows (n, window, features), labels (n,), chronological splits, scaler fitted on training rows only."""
    c = CONFIG
    columns = list(dict.fromkeys(c["features"] + [c["target"]]))
    values = frame[columns].to_numpy(dtype=np.float64)  # (rows, columns), original units
    n_rows = len(values)
    b1 = round(n_rows * (1.0 - c["val_frac"] - c["test_frac"]))  # rows [0, b1) are the training period
    b2 = round(n_rows * (1.0 - c["test_frac"]))  # rows [b1, b2) validation, [b2, n) test
    train_rows = values[:b1]
    if c["scaling"] == "minmax":
        offset, scale = train_rows.min(axis=0), train_rows.max(axis=0) - train_rows.min(axis=0)
    elif c["scaling"] == "standard":
        offset, scale = train_rows.mean(axis=0), train_rows.std(axis=0)
    else:
        offset, scale = np.zeros(values.shape[1]), np.ones(values.shape[1])
    scale = np.where(scale > 0, scale, 1.0)
    scaled = ((values - offset) / scale).astype(np.float32)
    window, horizon = c["window"], c["horizon"]
    n = n_rows - window - horizon + 1  # number of windows
    label_rows = np.arange(n) + window - 1 + horizon  # row of each window's label
    feats = [columns.index(f) for f in c["features"]]
    X = np.stack([scaled[i:i + window, feats] for i in range(n)])  # (n, window, features)
    y = scaled[label_rows, columns.index(c["target"])]  # (n,)
    split = {"train": label_rows < b1, "val": (label_rows >= b1) & (label_rows < b2), "test": label_rows >= b2}
    target = values[:, columns.index(c["target"])]  # original units
    filled = frame["filled_by_cleaning"].to_numpy(bool) if "filled_by_cleaning" in frame else np.zeros(n_rows, bool)
    t = columns.index(c["target"])
    UNITS["offset"], UNITS["scale"] = float(offset[t]), float(scale[t])  # to undo the target's scaling
    for k, m in split.items():  # per split: real labels, the naive baseline, labels cleaning filled in
        rows = label_rows[m]
        EXTRA[k] = {"actual": target[rows], "naive": target[rows - horizon], "filled": filled[rows]}
    return {k: (np.ascontiguousarray(X[m]), np.ascontiguousarray(y[m])) for k, m in split.items()}


UNITS = {}  # the target's scaling (offset, scale), set by prepare
EXTRA = {}  # split -> actual, naive and filled labels in original units, set by prepare


def seed_of(seed, layer, part):
    """The app's per-weight seed (rnn_lab.arch.keras_model._seed)."""
    return (seed * 1009 + layer * 31 + part) % (2**31 - 1)


def build_model(seed):
    """The same layers and seeded initializers as the app (rnn_lab.arch.keras_model.build_model)."""
    a = CONFIG["arch"]

    def glorot(layer, part):
        return keras.initializers.GlorotUniform(seed=seed_of(seed, layer, part))

    head = keras.layers.Dense(a["dense_units"], activation=a.get("head_activation", "linear"),
                              kernel_initializer=glorot(0, 99), name="dense")
    if a.get("embedding_vocab"):  # token ids (batch, T) -> vectors (batch, T, embedding_dim)
        inputs = [keras.Input((a["timesteps"],), dtype="int32", name="input"),
                  keras.layers.Embedding(a["embedding_vocab"], a["embedding_dim"], mask_zero=a["mask_zero"],
                                         embeddings_initializer=keras.initializers.RandomUniform(
                                             -0.05, 0.05, seed=seed_of(seed, 0, 77)),
                                         name="embedding")]
    else:
        inputs = [keras.Input((a["timesteps"], a["features"]), name="input")]
    if a.get("family", "rnn") != "rnn":  # Conv1D + pooling + Flatten, or Flatten alone; then [Dense(relu)], head
        layers = []
        if a["family"] == "conv1d":
            layers.append(keras.layers.Conv1D(a["filters"], a["kernel_size"], padding="valid", activation="relu",
                                              kernel_initializer=glorot(1, 1), name="conv1d"))
            if a["pool_size"] > 1:
                layers.append(keras.layers.MaxPooling1D(a["pool_size"], name="max_pooling1d"))
        layers.append(keras.layers.Flatten(name="flatten"))
        if a["dense_hidden"]:
            layers.append(keras.layers.Dense(a["dense_hidden"], activation="relu", kernel_initializer=glorot(2, 1),
                                             name="dense_hidden"))
        return keras.Sequential([*inputs, *layers, head], name="rnn_lab")
    base = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[a["cell"]]

    def recurrent(i, units, last, backward):
        part = 10 if backward else 0
        return getattr(keras.layers, a["cell"])(
            units, return_sequences=(not last) or a["return_sequences"], dropout=a["dropout"], recurrent_dropout=a["recurrent_dropout"],
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed_of(seed, i, part + 1)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed_of(seed, i, part + 2)),
            seed=seed_of(seed, i, part + 3), go_backwards=backward,
            name=("backward_" if backward else "") + f"{base}_{i}")

    layers = []
    for i, units in enumerate(a["units"], start=1):
        last = i == len(a["units"])
        layer = recurrent(i, units, last, False)
        if a["bidirectional"]:
            layer = keras.layers.Bidirectional(layer, merge_mode=a["merge_mode"],
                                               backward_layer=recurrent(i, units, last, True),
                                               name=f"bidirectional_{i}")
        layers.append(layer)
    return keras.Sequential([*inputs, *layers, head], name="rnn_lab")


def load_data():
    """{split: (X, y)}: a classifier's exact splits, or the series' windows rebuilt from its CSV; embedded in this
    file when they fit, else read from the file beside it."""
    path = os.path.join(HERE, CONFIG["data_file"])
    if CONFIG["task"] in ("classify", "next_token"):
        if DATA_NPZ is None and not os.path.exists(path):
            sys.exit(f"This script needs {CONFIG['data_file']} beside it (too large to embed): download the .zip "
                     "from the Train page, which holds both.")
        d = np.load(io.BytesIO(base64.b64decode(DATA_NPZ)) if DATA_NPZ is not None else path)
        return {s: (d[f"X_{s}"], d[f"y_{s}"]) for s in ("train", "val", "test")}
    frame = pd.read_csv(io.StringIO(DATA_CSV) if DATA_CSV is not None else path, index_col=0)
    return prepare(frame)


def outputs(model, X, batch_size=4096):
    """The model's outputs for X in batches of 4096, as the app computes them (no model.predict)."""
    if len(X) == 0:
        return np.zeros((0,), np.float32)
    return np.concatenate([np.asarray(model(X[i:i + batch_size], training=False))
                           for i in range(0, len(X), batch_size)])


def metrics_split(data):
    """Test if it exists, else validation, else the training windows (as the Train page)."""
    return next((s for s in ("test", "val") if len(data[s][0])), "train")


def scores(model, data):
    """The Train page's scores: a forecast's RMSE, MAE, MAPE and MSE (original units) against repeating the last
    value, over the labels read from the file (labels cleaning filled in are left out); a classifier's accuracy
    against the majority class; a language model's accuracy and perplexity against the unigram baseline."""
    split = metrics_split(data)
    X, y = data[split]
    out = outputs(model, X)
    if CONFIG["task"] == "forecast":
        e = EXTRA[split]
        pred = out.reshape(len(X), -1)[:, 0].astype(np.float64) * UNITS["scale"] + UNITS["offset"]
        keep = ~e["filled"] if not e["filled"].all() else np.ones(len(pred), bool)

        a = e["actual"][keep]
        # MAPE misleads when the labels change sign or come within 2 % of zero (relative to the largest |label|)
        mape_note = ("crosses_zero" if a.min() < 0 < a.max()
                     else "near_zero" if np.abs(a).min() <= 0.02 * np.abs(a).max() else None)

        def errors(guess):
            g = guess[keep]
            mape = None if mape_note else float(100 * np.mean(np.abs(a - g) / np.abs(a)))
            mse = float(np.mean((a - g) ** 2))
            return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(a - g))), "mape": mape}

        model_m, naive_m = errors(pred), errors(e["naive"])
        skill = float("nan") if naive_m["rmse"] == 0 else 1.0 - model_m["rmse"] / naive_m["rmse"]
        left_out = int((~keep).sum())
        return {"split": split, "model": model_m, "naive": naive_m, "skill": skill, "left_out": left_out,
                "mape_note": mape_note}
    y_train = data["train"][1]
    if CONFIG["task"] == "classify":
        probs = out.astype(np.float64)
        majority = int(np.argmax(np.bincount(y_train, minlength=probs.shape[1])))
        return {"split": split, "model": {"accuracy": float(np.mean(probs.argmax(axis=1) == y))},
                "baseline": {"accuracy": float(np.mean(y == majority)), "class": majority}}
    probs = out.astype(np.float64)  # (n, T, V): the next-token probabilities at every step
    valid = y != 0  # [PAD] is no token
    p = probs[valid]
    true = y[valid].astype(np.int64)
    loss = float(np.mean(-np.log(np.clip(p[np.arange(len(true)), true], 1e-7, 1 - 1e-7))))
    counts = np.bincount(y_train[y_train != 0].ravel(), minlength=probs.shape[-1]).astype(np.float64)
    unigram = counts / counts.sum()  # the training split's token frequencies
    base = float(np.mean(-np.log(np.clip(unigram[true], 1e-7, 1 - 1e-7))))
    return {"split": split, "model": {"accuracy": float(np.mean(p.argmax(axis=1) == true)),
                                      "perplexity": float(np.exp(loss))},
            "baseline": {"accuracy": float(np.mean(true == int(np.argmax(unigram)))),
                         "perplexity": float(np.exp(base))}}


def app_model():
    """The app's trained model: the same layers with the weights embedded in this file (None when not embedded)."""
    if WEIGHTS is None:
        return None
    model = build_model(CONFIG["train"]["seed"])
    d = np.load(io.BytesIO(base64.b64decode(WEIGHTS)))
    model.set_weights([d[f"arr_{i}"] for i in range(len(d.files))])
    return model


def batches(n, batch_size, epochs, seed):
    """The app's batch order: a fresh permutation per epoch from np.random.default_rng(seed), cut in batches."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        perm = rng.permutation(n)
        out.append([perm[i:i + batch_size] for i in range(0, n, batch_size)])
    return out


def train(data):
    """A fresh model (the app's seeded initial weights) trained with Keras fit in the app's batch order."""
    c, t = CONFIG, CONFIG["train"]
    X, y = data["train"]
    bs = min(t["batch_size"], len(X))  # larger than the training set -> one full batch
    epochs = c["epochs_run"]  # as many epochs as the app ran (early stopping or Stop may end a run sooner)
    order = batches(len(X), bs, epochs, t["seed"])
    parts = [tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(bs)
             for e in order]
    dataset = parts[0]
    for part in parts[1:]:
        dataset = dataset.concatenate(part)  # epoch after epoch, in the app's order
    model = build_model(t["seed"])
    # With an Embedding (token ids) and Adam or RMSprop, Keras on TensorFlow squares the Embedding's gradient one
    # token slice at a time, so a token read twice in a batch takes another step than in RNN Lab, which sums the
    # slices first (the textbook update, as Keras on the JAX backend does): the final loss can differ a little.
    optimizer = {"adam": lambda: keras.optimizers.Adam(t["learning_rate"]),
                 "rmsprop": lambda: keras.optimizers.RMSprop(t["learning_rate"]),
                 "sgd": lambda: keras.optimizers.SGD(t["learning_rate"], momentum=0.9)}[t["optimizer"]]()
    loss = {"mse": "mse", "mae": "mae", "huber": keras.losses.Huber(),
            "sparse_categorical_crossentropy": "sparse_categorical_crossentropy"}[t["loss"]]
    classify = c["task"] in ("classify", "next_token")
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"] if classify else None)
    val = data["val"] if len(data["val"][0]) else None
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=len(order[0]), validation_data=val, verbose=0)
    return model, {k: v[-1] for k, v in history.history.items()}


def main():
    c = CONFIG
    data = load_data()
    X = data["train"][0]
    print("samples: train", X.shape, "val", data["val"][0].shape, "test", data["test"][0].shape)
    trained = app_model()
    if trained is not None:
        print("the app's trained model:", json.dumps(scores(trained, data)))
    print("the Train page showed:", json.dumps(c["app_scores"]))
    model, final = train(data)
    print("final losses:", json.dumps(final))
    mine = scores(model, data)
    print("this script's training:", json.dumps(mine))
    if c["task"] == "classify" and len(data["test"][0]):
        print("test accuracy:", json.dumps(mine["model"]["accuracy"]), "(the app:", c["app_test_accuracy"], ")")
    if c.get("vocab"):
        show_text(model, X)
    return final


def show_text(model, X):
    """The vocabulary from the .json: the first training sample as text, and (a language model) what the
    trained model writes after its first token, always taking the most likely next token."""
    meta = CONFIG["vocab"]  # the vocabulary file's content (rnn_lab_vocab.json in the .zip)
    tokens, sep = meta["vocab"]["tokens"], "" if meta["vocab"]["kind"] == "char" else " "

    def text(ids):
        return sep.join(tokens[i] for i in ids if tokens[i] not in ("[PAD]", "[END]"))  # not text

    print("first training sample:", text(X[0]))
    if CONFIG["task"] != "next_token":
        return
    window, post = meta["window"], meta["padding"] == "post"
    ids = [int(i) for i in X[0] if i != 0][:1]
    for _ in range(20):
        context = ids[-window:]
        pad = [0] * (window - len(context))
        x = np.array([context + pad if post else pad + context], dtype="int32")  # (1, T)
        probs = model.predict(x, verbose=0)[0, len(context) - 1 if post else window - 1]  # (V,) after the last
        probs[0] = 0.0  # [PAD] is "no token"
        ids.append(int(probs.argmax()))
        if tokens[ids[-1]] == "[END]":  # the model says the line ends here
            break
    print("generated (temperature 0):", text(ids))


# %%
if __name__ == "__main__":
    main()
'''


def script(run, script_name: str = "train_rnn_lab.py") -> str:
    """The standalone Python script for ``run``: its data and trained weights inside when small enough."""
    embedded = _embedded(run)
    if embedded["DATA_CSV"] != "None" or embedded["DATA_NPZ"] != "None":
        note = "Its data are inside this file: nothing else is needed."
    else:
        note = f"It needs {data_file(run)} beside it (too large to embed: the .zip from the Train page has both)."
    values = {
        "NAME": run.name.replace('"', "'"),
        "SCRIPT_NAME": script_name,
        "DATA_NOTE": note,
        "APP_LOSS": f"{run.final_loss:.6g}",
        "CONFIG_JSON": json.dumps(config(run), indent=2),
        **embedded,
    }
    # one pass: a value (the CSV, a run's name) that happens to contain a placeholder is never replaced again
    return re.sub(r"__(" + "|".join(values) + r")__", lambda m: values[m.group(1)], SCRIPT)


def zip_bundle(run, script_name: str = "train_rnn_lab.py") -> bytes:
    """The script and its data (CSV or .npz) in one zip; a text run's vocabulary (.json) beside them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(script_name, script(run, script_name))
        zf.writestr(data_file(run), data_bytes(run))
        if is_text(run):
            zf.writestr(VOCAB_FILE, vocab_json(run))
    return buf.getvalue()


def notebook(run, lang: str = "en") -> bytes:
    """``run`` as a Jupyter notebook (nbformat 4): the script's code one step a cell, with its data, seed and
    trained weights; run top to bottom it prints the Train page's numbers for the trained model, then trains the
    same model again and scores it. Headings in ``lang``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    code = script(run, "notebook")
    sections = code.split("# %%\n")  # [docstring, setup, functions, the __main__ guard]
    setup, functions = sections[1].strip(), sections[2].strip()
    split = run.metrics.get("split", "test")
    md = lambda key, **v: new_markdown_cell(t(f"train.notebook.{key}", lang, **v))  # noqa: E731
    cells = [
        new_markdown_cell(
            f"# {t('train.notebook.title', lang, name=run.name)}\n\n"
            + t("train.notebook.intro", lang, source=run.source, seed=run.train.seed, epochs=run.epochs_run)
        ),
        md("setup"),
        new_code_cell(setup),
        md("functions"),
        *[new_code_cell(part.strip()) for part in functions.split("\n\n\n") if part.strip()],
        md("data"),
        new_code_cell('data = load_data()\nprint("samples:", {s: data[s][0].shape for s in ("train", "val", "test")})'),
        md("app_scores", split=t(f"train.split_short.{split}", lang)),
        new_code_cell(
            "trained = app_model()  # None when the weights were too large to embed\n"
            'if trained is not None:\n    print("the app\'s trained model:", json.dumps(scores(trained, data)))\n'
            'print("the Train page showed:", json.dumps(CONFIG["app_scores"]))'
        ),
        md("train"),
        new_code_cell('model, final = train(data)\nprint("final losses:", json.dumps(final))'),
        md("train_scores"),
        new_code_cell('print("this script\'s training:", json.dumps(scores(model, data)))'),
    ]
    if is_text(run):
        cells += [md("text"), new_code_cell('show_text(model, data["train"][0])')]
    nb = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    return nbformat.writes(nb).encode()
