"""The Architecture explorer: one recurrent model described by :class:`ArchConfig`.

``config`` (the dataclass), ``settings`` (the page's settings), ``params`` (analytic
parameter formulas and shape flow, no TensorFlow), ``keras_model`` (the real Keras
model), ``codegen`` (the Keras 3 code), ``diagram`` (the unrolled figure).
"""
