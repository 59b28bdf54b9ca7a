"""The Inside-the-cell page's settings (keys prefixed ``inside_``)."""

from rnn_lab.data.toys import TOYS
from rnn_lab.settings import Setting

SOURCES = ("untrained", "run")  # the current architecture with seeded initial weights, or a trained run
SPLITS = ("train", "val", "test")
TEXT_FROM = ("sample", "typed")
# what is drawn below the step view: one section at a time, so a switch to the page draws the step view and the heat
# maps with one section's figures, not all of them at once (issue 22: the browser's drawing was most of the wait).
# The page opens on the NumPy code (no figure: the two weight heat maps cost the browser about a third of the switch's
# main-thread time, docs/benchmarks.md, seventh session); the code is the equations above the step view, line by line.
SECTIONS = (
    "code",
    "weights",
    "before_after",
    "grad",
    "experiment",
)  # text: a sentence of the dataset, or one the user types (kept in the session only)

SETTINGS = (
    Setting("inside_source", "untrained", choices=SOURCES),
    Setting("inside_run", "", choices=None),  # name of a trained run; validated against st.session_state["runs"]
    Setting("inside_seed", 0, min=0, max=2**31 - 1),  # initial weights of the untrained model
    Setting("inside_split", "val", choices=SPLITS),  # where the input window comes from
    Setting("inside_window", 0, min=0, max=1_000_000),  # index of the window in that split
    Setting("inside_text_from", "sample", choices=TEXT_FROM),
    Setting("inside_layer", 1, min=1, max=4),  # which recurrent layer to open (1 = bottom)
    Setting("inside_step", 1, min=1, max=1000),  # the time step t shown (1-based)
    Setting("inside_section", "code", choices=SECTIONS),  # the section shown below the step view
    # The vanishing-gradient experiment (long_memory toy): answer = rho * the value `lag` steps back.
    # One lag everywhere: the toy's default (Data page), this experiment and the "Why LSTM?" lesson.
    Setting("inside_exp_lag", TOYS["long_memory"].params["lag"], min=5, max=100),
    Setting("inside_exp_units", 16, min=2, max=64),
    Setting("inside_exp_epochs", 20, min=1, max=60),
)
