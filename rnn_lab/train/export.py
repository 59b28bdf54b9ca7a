"""Export a run: the Keras model, history and predictions as CSV, and a standalone training script.

The script needs only TensorFlow/Keras, NumPy and pandas. A forecast's script reads the data CSV written by
:func:`data_csv` and redoes the windowing and the train-only scaling; a classifier's reads its exact splits from
the .npz written by :func:`class_data_npz`. Either way it builds the model with the same
seeded initializers as the app (``rnn_lab.arch.keras_model``), feeds ``model.fit`` the same batch
order as the app's engine (``np.random.default_rng(seed)`` permutations) and prints the final losses.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import asdict

import numpy as np
import pandas as pd

DATA_FILE = "rnn_lab_data.csv"
CLASS_DATA_FILE = "rnn_lab_data.npz"
VOCAB_FILE = "rnn_lab_vocab.json"  # a text run's vocabulary: the tokens in id order, how they join, the padding


def history_csv(run) -> bytes:
    """One row per epoch: epoch, loss, val_loss (when there is a validation split)."""
    frame = pd.DataFrame({k: v for k, v in run.history.items() if v})
    frame.insert(0, "epoch", range(1, len(frame) + 1))
    return frame.to_csv(index=False).encode()


def predictions_csv(run) -> bytes:
    """split, index (date or row), actual, predicted, naive: all in original units."""
    return run.predictions.to_csv(index=False).encode()


def is_classify(run) -> bool:
    """Exact splits in an .npz: a classifier's (numbers or token ids) and a language model's (token ids)."""
    return getattr(run, "task", "forecast") in ("classify", "next_token")


def is_text(run) -> bool:
    return getattr(run.prepared, "input_kind", "values") == "tokens"


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
    return frame.to_csv().encode()


def model_bytes(run) -> bytes:
    """The trained model as a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        run.model.save(path)
        with open(path, "rb") as fh:
            return fh.read()


def config(run) -> dict:
    """Everything the script needs besides the CSV."""
    p = run.prepared
    arch = asdict(run.arch)
    arch["units"] = list(arch["units"])
    if is_classify(run):
        return {
            "task": run.task,
            "data_file": CLASS_DATA_FILE,
            "vocab_file": VOCAB_FILE if is_text(run) else None,
            "class_names": list(run.class_names or ()),
            "arch": arch,
            "train": run.train.to_dict(),
            "epochs_run": run.epochs_run,
            "app_final_loss": run.final_loss,
            "app_test_accuracy": run.metrics["model"]["accuracy"] if run.metrics.get("split") == "test" else None,
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
    }


SCRIPT = '''"""Standalone re-run of an RNN Lab training run: {name}.

Needs only TensorFlow/Keras, NumPy and pandas. Put {data_file} next to this file and run
``python {script_name}``. It rebuilds the data preparation, the model (same seeded initial weights)
and the training (same batch order) and prints the final losses; the app reached loss {app_loss:.6g}.
"""

import json
import os

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

CONFIG = json.loads(r"""{config_json}""")
HERE = os.path.dirname(os.path.abspath(__file__))


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
    split = {{"train": label_rows < b1, "val": (label_rows >= b1) & (label_rows < b2), "test": label_rows >= b2}}
    return {{k: (np.ascontiguousarray(X[m]), np.ascontiguousarray(y[m])) for k, m in split.items()}}


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
    base = {{"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}}[a["cell"]]

    def recurrent(i, units, last, backward):
        part = 10 if backward else 0
        return getattr(keras.layers, a["cell"])(
            units, return_sequences=(not last) or a["return_sequences"], dropout=a["dropout"], recurrent_dropout=a["recurrent_dropout"],
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed_of(seed, i, part + 1)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed_of(seed, i, part + 2)),
            seed=seed_of(seed, i, part + 3), go_backwards=backward,
            name=("backward_" if backward else "") + f"{{base}}_{{i}}")

    layers = []
    for i, units in enumerate(a["units"], start=1):
        last = i == len(a["units"])
        layer = recurrent(i, units, last, False)
        if a["bidirectional"]:
            layer = keras.layers.Bidirectional(layer, merge_mode=a["merge_mode"],
                                               backward_layer=recurrent(i, units, last, True),
                                               name=f"bidirectional_{{i}}")
        layers.append(layer)
    return keras.Sequential([*inputs, *layers, head], name="rnn_lab")


def load_data():
    """{{split: (X, y)}}: a classifier's exact splits from the .npz, or the series' windows rebuilt from the CSV."""
    if CONFIG["task"] in ("classify", "next_token"):
        d = np.load(os.path.join(HERE, CONFIG["data_file"]))
        return {{s: (d[f"X_{{s}}"], d[f"y_{{s}}"]) for s in ("train", "val", "test")}}
    return prepare(pd.read_csv(os.path.join(HERE, CONFIG["data_file"]), index_col=0))


def batches(n, batch_size, epochs, seed):
    """The app's batch order: a fresh permutation per epoch from np.random.default_rng(seed), cut in batches."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        perm = rng.permutation(n)
        out.append([perm[i:i + batch_size] for i in range(0, n, batch_size)])
    return out


def main():
    c, t = CONFIG, CONFIG["train"]
    data = load_data()
    X, y = data["train"]
    print("samples: train", X.shape, "val", data["val"][0].shape, "test", data["test"][0].shape)
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
    optimizer = {{"adam": lambda: keras.optimizers.Adam(t["learning_rate"]),
                 "rmsprop": lambda: keras.optimizers.RMSprop(t["learning_rate"]),
                 "sgd": lambda: keras.optimizers.SGD(t["learning_rate"], momentum=0.9)}}[t["optimizer"]]()
    loss = {{"mse": "mse", "mae": "mae", "huber": keras.losses.Huber(),
            "sparse_categorical_crossentropy": "sparse_categorical_crossentropy"}}[t["loss"]]
    classify = c["task"] in ("classify", "next_token")
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"] if classify else None)
    val = data["val"] if len(data["val"][0]) else None
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=len(order[0]), validation_data=val, verbose=0)
    final = {{k: v[-1] for k, v in history.history.items()}}
    print("final losses:", json.dumps(final))
    if c["task"] == "classify" and len(data["test"][0]):
        probs = model.predict(data["test"][0], verbose=0)  # (n, classes)
        accuracy = float(np.mean(probs.argmax(axis=1) == data["test"][1]))
        print("test accuracy:", json.dumps(accuracy), "(the app:", c["app_test_accuracy"], ")")
    if c.get("vocab_file"):
        show_text(model, X)
    return final


def show_text(model, X):
    """The vocabulary from the .json: the first training sample as text, and (a language model) what the
    trained model writes after its first token, always taking the most likely next token."""
    with open(os.path.join(HERE, CONFIG["vocab_file"]), encoding="utf-8") as fh:
        meta = json.load(fh)
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


if __name__ == "__main__":
    main()
'''


def script(run, script_name: str = "train_rnn_lab.py") -> str:
    """The standalone Python script for ``run`` (expects :data:`DATA_FILE` beside it)."""
    cfg = config(run)
    return SCRIPT.format(
        name=run.name.replace('"', "'"),
        data_file=data_file(run),
        script_name=script_name,
        app_loss=run.final_loss,
        config_json=json.dumps(cfg, indent=2),
    )


def zip_bundle(run, script_name: str = "train_rnn_lab.py") -> bytes:
    """The script and its data (CSV or .npz) in one zip; a text run's vocabulary (.json) beside them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(script_name, script(run, script_name))
        zf.writestr(data_file(run), data_bytes(run))
        if is_text(run):
            zf.writestr(VOCAB_FILE, vocab_json(run))
    return buf.getvalue()
