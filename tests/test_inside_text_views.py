"""rnn_lab/inside/text_views.py: the embedding map labels only points whose labels do not cover each other."""

from __future__ import annotations

import itertools

import numpy as np

from rnn_lab.inside.text import EmbeddingMap
from rnn_lab.inside.text_views import MAP_PX, embedding_figure, label_width
from rnn_lab.style import PROJECTION


def test_dense_labels_do_not_overlap_and_the_first_named_come_first():
    rng = np.random.default_rng(0)
    cluster = [f"w{i}" for i in range(40)]  # 40 tokens in one dense cloud, a sentence token among them
    apart = ["가나다", "north", "south", "east", "west"]  # five far from it and from each other
    tokens = ["[UNK]", *cluster, *apart]
    coords = np.vstack(
        [
            [[-2.0, 2.0]],  # [UNK]
            rng.normal(scale=0.01, size=(40, 2)),
            [[0.0, 3.0], [0.0, 2.0], [0.0, -2.0], [2.0, 0.0], [-2.0, 0.0]],
        ]
    )
    emap = EmbeddingMap(np.arange(1, len(tokens) + 1), tokens, coords, np.array([0.5, 0.3]), 0)
    sentence = [tokens.index("w39") + 1]  # the least frequent of the cloud: named before the frequent ones
    font = PROJECTION["font"]
    fig = embedding_figure(emap, "ko", sentence_ids=sentence, font=font, marker=PROJECTION["marker"])
    labels = list(fig.data[0].text)
    assert labels[0] == "[UNK]" and labels[tokens.index("w39")] == "w39"
    assert all(labels[tokens.index(t)] == t for t in apart)  # nothing near them: all labelled
    assert [t for t in cluster if labels[tokens.index(t)]] == ["w39"]  # the cloud: room for one label
    # every two labels drawn, in pixels of the plot: apart sideways by half their widths, or by a line's height
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    px = (coords[:, 0] - x0) / (x1 - x0) * MAP_PX[0]
    py = (coords[:, 1] - y0) / (y1 - y0) * MAP_PX[1]
    named = [k for k, text in enumerate(labels) if text]
    for a, b in itertools.combinations(named, 2):
        wide = abs(px[a] - px[b]) >= (label_width(labels[a], font) + label_width(labels[b], font)) / 2
        assert wide or abs(py[a] - py[b]) >= 1.2 * font, (labels[a], labels[b])
    assert fig.data[0].hovertemplate.startswith("%{customdata[1]}")  # every point names its token on hover
