"""Activation Lab compute package: catalogue, settings, curves, charts and (soon) training."""
