"""Training on workers (issue 25): Celery with Redis behind the :class:`~rnn_lab.train.scheduler.Scheduler`
interface, chosen by ``RNN_LAB_SCHEDULER=celery`` and ``RNN_LAB_REDIS_URL``.

A job is a run id and nothing else. The page (or the CLI) makes the queued run record in the run store
(:mod:`rnn_lab.store`) and submits its id; a worker process claims the record, rebuilds the data from the settings
(bundled data from its own assets, an upload from the store's blobs), trains it through the same
:class:`~rnn_lab.train.runs.TrainJob` the in-process queue runs, publishes its progress to Redis (at most four times
a second) and to the record (every few seconds), and writes the finished run. The page reads the progress and the
queue from Redis through a ticket, as it reads a local job's.

- :mod:`rnn_lab.workers.config`: the settings (environment variables).
- :mod:`rnn_lab.workers.state`: the Redis keys (queue, running runs, progress, stop flags, heartbeats).
- :mod:`rnn_lab.workers.claim`: the run record claim (queued/interrupted -> running with this owner, atomically).
- :mod:`rnn_lab.workers.job`: what a worker does with a run id (imports TensorFlow only when a job runs).
- :mod:`rnn_lab.workers.celery_app`: the Celery application (``celery -A rnn_lab.workers.celery_app worker``).
- :mod:`rnn_lab.workers.scheduler`: the app side, :class:`CeleryScheduler` and :class:`RemoteTrainJob`.

Nothing here imports Streamlit; nothing imports TensorFlow at module import.
"""
