"""Hotseat: a practice partner that plays difficult customers and scores conflict handling."""

import os

# The classifier's matrix products are a few thousand multiply-adds per message: a BLAS
# thread pool only adds wake-ups, and with several Hotseat processes on one machine its
# spinning threads compete for the cores (p99 at 1,000 sessions over 2 processes: 27 ms
# with the default pool, 9 ms with one thread; bench/scale.py). Set before numpy loads;
# an operator's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
