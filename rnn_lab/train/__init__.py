"""Training: the fast engine, metrics against a naive baseline, runs, export and the ``train`` CLI command.

Nothing here imports TensorFlow at module level; the engine imports it inside its functions.
"""
