"""The history of activation functions as data: a timeline and who uses what today.

Years, names, origins and their sources come from the catalogue; this module only adds the
eras that group them and a table of the activations well-known architectures use, with
catalogue keys so every row can be drawn in the activation's own colour and linked to its
page, and with the publication behind every row (listed in the README's Sources).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from actlib.activation_info import CATALOGUE_INFO, lookup


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


TIMELINE_DOMAIN = (1938, 2024)
"""The years the timeline spans (its chart and the home page's card)."""


def timeline_rows() -> list[dict]:
    """One row per catalogue activation, oldest first (a stable sort by year): the data
    behind the timeline chart, as plain dicts (the home page draws them without pandas)."""
    rows = [
        {
            "key": spec.key,
            "name": spec.name,
            "year": spec.year,
            "origin": spec.origin,
            "sources": "; ".join(spec.sources),
            "era": era_of(spec.year).label,
            "era_order": ERAS.index(era_of(spec.year)),
            "period": era_of(spec.year).period,
            "kind": spec.kind,
            "color": spec.color,
        }
        for spec in CATALOGUE_INFO
    ]
    return sorted(rows, key=lambda row: row["year"])


def timeline() -> pd.DataFrame:
    """:func:`timeline_rows` as a frame."""
    import pandas as pd

    return pd.DataFrame(timeline_rows())


@dataclass(frozen=True)
class Usage:
    """Where an architecture uses an activation, with examples a student may know and the
    publication (or official code) that shows it."""

    architecture: str
    part: str
    key: str
    examples: str
    source: str
    params: tuple[tuple[str, float | str], ...] = ()


_DCGAN = ("Radford, Metz and Chintala (2016), 'Unsupervised representation learning with deep "
          "convolutional generative adversarial networks', ICLR")
_VAE_EXAMPLE = "github.com/pytorch/examples, vae/main.py"
_GLU_VARIANTS = "Shazeer (2020), 'GLU variants improve transformer', arXiv:2002.05202"

USAGE: tuple[Usage, ...] = (
    Usage("CNN", "hidden layers", "relu", "AlexNet, VGG, ResNet (with batch norm)",
          "Krizhevsky et al. (2012); Simonyan and Zisserman (2015); He et al. (2016), 'Deep "
          "residual learning for image recognition'"),
    Usage("CNN", "hidden layers (efficient / very deep)", "swish", "EfficientNet",
          "Tan and Le (2019), 'EfficientNet', ICML"),
    Usage("CNN", "hidden layers (detection)", "mish", "YOLOv4",
          "Bochkovskiy, Wang and Liao (2020), 'YOLOv4', arXiv:2004.10934"),
    Usage("RNN/LSTM/GRU", "gates", "sigmoid", "LSTM, GRU",
          "Hochreiter and Schmidhuber (1997), 'Long short-term memory'; Cho et al. (2014)"),
    Usage("RNN/LSTM/GRU", "cell candidate and output", "tanh", "LSTM, GRU, plain RNN",
          "Hochreiter and Schmidhuber (1997); Cho et al. (2014); torch.nn.LSTM/GRU/RNN docs"),
    Usage("Transformer", "feed-forward block", "gelu", "BERT, GPT-2, ViT",
          "Devlin et al. (2019), BERT; Radford et al. (2019), GPT-2; Dosovitskiy et al. "
          "(2021), ViT"),
    Usage("Transformer", "feed-forward block (original)", "relu",
          "Transformer (2017), original T5",
          "Vaswani et al. (2017), 'Attention is all you need'; Raffel et al. (2020), T5"),
    Usage("Transformer", "attention weights", "softmax", "every transformer",
          "Vaswani et al. (2017), 'Attention is all you need'"),
    Usage("GAN generator", "hidden layers", "relu", "DCGAN", _DCGAN),
    Usage("GAN generator", "image output", "tanh", "DCGAN (pixels in [-1, 1])", _DCGAN),
    Usage("GAN discriminator", "hidden layers", "leaky_relu", "DCGAN", _DCGAN,
          (("slope", 0.2),)),
    Usage("GAN discriminator", "real/fake output", "sigmoid",
          "DCGAN (a sigmoid output trained with BCE)", _DCGAN),
    Usage("VAE", "encoder and decoder hidden layers", "relu", "PyTorch's VAE example",
          _VAE_EXAMPLE),
    Usage("VAE", "image output", "sigmoid", "PyTorch's VAE example (pixels in [0, 1])",
          _VAE_EXAMPLE),
    Usage("Diffusion", "U-Net blocks and time embedding", "swish", "DDPM, Stable Diffusion",
          "Ho, Jain and Abbeel (2020), DDPM (github.com/hojonathanho/diffusion); Rombach et "
          "al. (2022), latent diffusion (github.com/CompVis/stable-diffusion)",
          (("beta", 1.0),)),
    Usage("Diffusion", "cross-attention transformer blocks", "geglu", "Stable Diffusion",
          "Rombach et al. (2022); github.com/CompVis/stable-diffusion, "
          "ldm/modules/attention.py (GEGLU in FeedForward)"),
    Usage("LLM feed-forward", "gated feed-forward", "swiglu", "LLaMA, PaLM",
          "Touvron et al. (2023), LLaMA; Chowdhery et al. (2022), PaLM"),
    Usage("LLM feed-forward", "gated feed-forward", "geglu", "T5 v1.1",
          _GLU_VARIANTS + "; T5 v1.1 notes in github.com/google-research/"
          "text-to-text-transfer-transformer"),
    Usage("LLM feed-forward", "feed-forward", "gelu", "GPT-2, GPT-3",
          "Radford et al. (2019), GPT-2; Brown et al. (2020), GPT-3"),
    Usage("Classifier", "output layer", "softmax", "image and text classifiers",
          "Bridle (1989); torch.nn.CrossEntropyLoss docs"),
)
"""Who uses what. Swish with beta = 1 is PyTorch's nn.SiLU, the name diffusion code uses.
DCGAN's discriminator ends in a sigmoid with binary cross-entropy; in PyTorch the same model
is better written as one logit with BCEWithLogitsLoss (the guide's advice, not DCGAN's)."""


def usage_table() -> pd.DataFrame:
    """The usage table as a tidy frame, with names, PyTorch modules and colours filled in."""
    import pandas as pd

    rows = []
    for use in USAGE:
        spec = lookup(use.key)
        rows.append({
            "architecture": use.architecture,
            "part": use.part,
            "key": use.key,
            "name": spec.name,
            "module": spec.module_call(dict(use.params)),
            "examples": use.examples,
            "source": use.source,
            "year": spec.year,
            "color": spec.color,
        })
    return pd.DataFrame(rows)
