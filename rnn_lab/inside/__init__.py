"""Inside the cell: a NumPy RNN that matches Keras, per-step values, gradient connectivity."""
