# RNN Lab as a classroom server (issue 12): one container, the pinned requirements, the scheduler's settings.
# Build once with network access; the image then runs offline (no download at run time: data, fonts and icons ship
# in the repository). See docs/deploy.md for the settings and the step beyond one server.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN python -m pip install -r requirements.txt -c constraints.txt

COPY .streamlit .streamlit
COPY app.py ./
COPY app_pages app_pages
COPY ui ui
COPY rnn_lab rnn_lab
COPY assets assets

# The classroom settings measured in docs/benchmarks.md ("A classroom on one server"): one training fewer than
# the cores, each on one TensorFlow thread, so a core is left for everybody's pages; caps per run and per session.
# Override any of them with `docker run -e NAME=value`.
ENV RNN_LAB_MAX_TRAININGS=1 \
    TF_NUM_INTRAOP_THREADS=1 \
    TF_NUM_INTEROP_THREADS=1 \
    RNN_LAB_MAX_QUEUE=100 \
    RNN_LAB_MAX_RUNS=10 \
    RNN_LAB_MAX_PARAMS=500000 \
    RNN_LAB_MAX_SAMPLE_EPOCHS=5000000 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    KERAS_HOME=/tmp/keras \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --create-home --uid 1000 rnnlab && mkdir /data && chown rnnlab /data
USER rnnlab

# Saved runs (issue 24): the SQLite run store lives in this volume (`docker run -v rnnlab-data:/data ...`), so every
# workspace link still works after the container is replaced; RNN_LAB_DATABASE_URL=postgresql+psycopg://... instead
# puts it on a PostgreSQL server.
ENV RNN_LAB_DATA_DIR=/data
VOLUME /data

EXPOSE 8501
# Streamlit's own health endpoint: 200 once the server accepts sessions.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
