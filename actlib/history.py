"""The history of activation functions as data: a timeline and who uses what today.

Years, names and origins come from the catalogue; this module only adds the eras that
group them and a table of the activations well-known architectures use, with catalogue keys
so every row can be drawn in the activation's own colour and linked to its page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from actlib.activations import CATALOGUE, get


@dataclass(frozen=True)
class Era:
    """A period of the story; ``first``/``last`` are inclusive years with no gaps between."""

    label: str
    period: str
    first: int
    last: int
    summary: str


ERAS: tuple[Era, ...] = (
    Era("threshold units", "1940s-50s", 1900, 1979,
        "Neurons as on/off switches: the perceptron learns, but only one layer deep."),
    Era("backprop era", "1980s-90s", 1980, 2009,
        "Gradient descent through layers needs a slope: smooth sigmoid and tanh take over."),
    Era("rectifier era", "2010-2014", 2010, 2014,
        "ReLU's constant slope lets deep networks train; AlexNet makes it the default."),
    Era("modern smooth/self-normalising/gated", "2015+", 2015, 9999,
        "Refinements for very deep nets and transformers: ELU, SELU, GELU, Swish, Mish, "
        "gated units."),
)
"""Softplus (2001) sits with the backprop era: it came before rectifiers took over."""


def era_of(year: int) -> Era:
    """The era a year belongs to."""
    for era in ERAS:
        if era.first <= year <= era.last:
            return era
    raise ValueError(f"no era covers the year {year}")


def timeline() -> pd.DataFrame:
    """One row per catalogue activation, oldest first: the data behind the timeline chart."""
    rows = [
        {
            "key": spec.key,
            "name": spec.name,
            "year": spec.year,
            "origin": spec.origin,
            "era": era_of(spec.year).label,
            "era_order": ERAS.index(era_of(spec.year)),
            "period": era_of(spec.year).period,
            "kind": spec.kind,
            "color": spec.color,
        }
        for spec in CATALOGUE
    ]
    frame = pd.DataFrame(rows)
    return frame.sort_values("year", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Usage:
    """Where an architecture uses an activation, with examples a student may know."""

    architecture: str
    part: str
    key: str
    examples: str
    params: tuple[tuple[str, float | str], ...] = ()


USAGE: tuple[Usage, ...] = (
    Usage("CNN", "hidden layers", "relu", "AlexNet, VGG, ResNet (with batch norm)"),
    Usage("CNN", "hidden layers (efficient / very deep)", "swish", "EfficientNet"),
    Usage("CNN", "hidden layers (detection)", "mish", "YOLOv4"),
    Usage("RNN/LSTM/GRU", "gates", "sigmoid", "LSTM, GRU"),
    Usage("RNN/LSTM/GRU", "cell candidate and output", "tanh", "LSTM, GRU, plain RNN"),
    Usage("Transformer", "feed-forward block", "gelu", "BERT, GPT-2, ViT"),
    Usage("Transformer", "feed-forward block (original)", "relu", "Transformer (2017)"),
    Usage("Transformer", "attention weights", "softmax", "every transformer"),
    Usage("GAN generator", "hidden layers", "relu", "DCGAN"),
    Usage("GAN generator", "image output", "tanh", "DCGAN (pixels in [-1, 1])"),
    Usage("GAN discriminator", "hidden layers", "leaky_relu", "DCGAN", (("slope", 0.2),)),
    Usage("GAN discriminator", "real/fake output", "sigmoid",
          "DCGAN (as logits with BCEWithLogitsLoss)"),
    Usage("VAE", "encoder and decoder hidden layers", "relu", "PyTorch's VAE example"),
    Usage("VAE", "image output", "sigmoid", "PyTorch's VAE example (pixels in [0, 1])"),
    Usage("Diffusion", "U-Net blocks and time embedding", "swish", "DDPM, Stable Diffusion",
          (("beta", 1.0),)),
    Usage("LLM feed-forward", "gated feed-forward", "swiglu", "LLaMA, PaLM"),
    Usage("LLM feed-forward", "gated feed-forward", "geglu", "T5 v1.1"),
    Usage("LLM feed-forward", "feed-forward", "gelu", "GPT-2, GPT-3"),
    Usage("Classifier", "output layer", "softmax", "image and text classifiers"),
)
"""Who uses what. Swish with beta = 1 is PyTorch's nn.SiLU, the name diffusion code uses."""


def usage_table() -> pd.DataFrame:
    """The usage table as a tidy frame, with names, PyTorch modules and colours filled in."""
    rows = []
    for use in USAGE:
        spec = get(use.key)
        rows.append({
            "architecture": use.architecture,
            "part": use.part,
            "key": use.key,
            "name": spec.name,
            "module": spec.module_call(dict(use.params)),
            "examples": use.examples,
            "year": spec.year,
            "color": spec.color,
        })
    return pd.DataFrame(rows)
