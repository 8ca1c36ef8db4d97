"""Activation Lab compute package: the catalogue, settings, data, the batched engine and
training, probes, topic logic and charts. Only ``actlib.ui`` imports Streamlit."""
