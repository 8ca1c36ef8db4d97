"""Activation Lab compute package: the catalogue, settings, data, the batched engine and
training, probes, topic logic and charts. Only ``actlib.ui`` imports Streamlit."""

import os as _os

# The same link must give the same numbers in every session. MKL picks its code path (and
# so its rounding) by the memory alignment of each buffer unless told otherwise; two
# sessions training at once see different alignments. Strict conditional numerical
# reproducibility fixes the path. Set before torch loads MKL (every actlib import is first).
_os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
