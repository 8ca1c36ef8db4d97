"""PyTorch code generation: a short, runnable script for one choice of activation.

The guide ends with "here is the code for exactly that choice", and a later "reproduce in
PyTorch" download needs the same thing. Every activation expression comes from the
catalogue (:mod:`actlib.activations`), so a snippet can never disagree with the curves the
app draws. Snippets are built from constant templates filled with numbers and catalogue
strings only; the tests execute every one of them.

Three rules about the output layer are written into every snippet, because they are the
most common PyTorch mistakes with activations:

* ``nn.BCEWithLogitsLoss`` and ``nn.CrossEntropyLoss`` take raw logits: no sigmoid or
  softmax layer goes before them; the activation is applied only when predicting.
* Multi-label means one independent sigmoid per label (``BCEWithLogitsLoss`` on a logit
  per label), not a softmax.
* Bounded and positive regression put their squashing function (tanh, softplus) inside the
  model, since the loss compares the squashed value with the target.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from actlib.activations import ActivationSpec, Params, get
from actlib.vocabulary import INIT_LABELS

MAX_DEPTH = 50
MAX_WIDTH = 1024
EXPLICIT_LAYERS_UP_TO = 4
"""Up to this many hidden layers a snippet lists every layer; deeper ones use a loop."""

NormKind = Literal["none", "batch", "layer"]
RnnCell = Literal["lstm", "gru", "rnn"]


class OutputTask(StrEnum):
    """What the network's outputs mean; decides the output activation and the loss."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"
    REGRESSION = "regression"
    BOUNDED = "bounded"
    POSITIVE = "positive"


@dataclass(frozen=True)
class OutputHead:
    """How one output task is wired: activation, where it lives, loss and fake targets.

    ``in_model`` says whether the activation is the model's last layer (tanh, softplus) or
    is applied only when predicting because the loss takes raw logits (sigmoid, softmax).
    ``target`` is an expression with ``{n}`` (batch size) and ``{out}`` (outputs).
    """

    task: OutputTask
    label: str
    activation: str
    in_model: bool
    loss: str
    loss_comment: str
    target: str
    default_outputs: int
    min_outputs: int = 1
    max_outputs: int | None = None


OUTPUT_HEADS: dict[OutputTask, OutputHead] = {
    OutputTask.BINARY: OutputHead(
        OutputTask.BINARY, "Binary classification", "sigmoid", False,
        "nn.BCEWithLogitsLoss()", "sigmoid + binary cross-entropy in one stable step",
        "torch.randint(0, 2, ({n}, {out})).float()", 1, max_outputs=1,
    ),
    OutputTask.MULTICLASS: OutputHead(
        OutputTask.MULTICLASS, "Multi-class classification", "softmax", False,
        "nn.CrossEntropyLoss()", "log-softmax + negative log-likelihood on raw logits",
        "torch.randint(0, {out}, ({n},))", 3, min_outputs=2,
    ),
    OutputTask.MULTILABEL: OutputHead(
        OutputTask.MULTILABEL, "Multi-label classification", "sigmoid", False,
        "nn.BCEWithLogitsLoss()", "one independent sigmoid + binary cross-entropy per label",
        "torch.randint(0, 2, ({n}, {out})).float()", 3,
    ),
    OutputTask.REGRESSION: OutputHead(
        OutputTask.REGRESSION, "Regression (unbounded)", "identity", False,
        "nn.MSELoss()", "mean squared error on the raw outputs",
        "torch.randn({n}, {out})", 1,
    ),
    OutputTask.BOUNDED: OutputHead(
        OutputTask.BOUNDED, "Regression bounded in [-1, 1]", "tanh", True,
        "nn.MSELoss()", "targets scaled to [-1, 1], like images as x / 127.5 - 1",
        "torch.rand({n}, {out}) * 2 - 1", 1,
    ),
    OutputTask.POSITIVE: OutputHead(
        OutputTask.POSITIVE, "Regression of a positive quantity", "softplus", True,
        "nn.MSELoss()", "or nn.GaussianNLLLoss / nn.PoissonNLLLoss for variances and rates",
        "torch.rand({n}, {out}) * 5", 1,
    ),
}


@dataclass(frozen=True)
class InitTemplate:
    """One initialisation scheme: a display name and the line that initialises a weight."""

    name: str
    weight_line: str


INIT_TEMPLATES: dict[str, InitTemplate] = {
    "default": InitTemplate(INIT_LABELS["default"], ""),
    "xavier_uniform": InitTemplate(
        INIT_LABELS["xavier_uniform"], "nn.init.xavier_uniform_(module.weight)"
    ),
    "xavier_normal": InitTemplate(
        INIT_LABELS["xavier_normal"], "nn.init.xavier_normal_(module.weight)"
    ),
    "he": InitTemplate(
        INIT_LABELS["he"], 'nn.init.kaiming_normal_(module.weight, nonlinearity="relu")'
    ),
    "lecun": InitTemplate(
        INIT_LABELS["lecun"],
        "nn.init.normal_(module.weight, 0.0, module.weight[0].numel() ** -0.5)",
    ),
    "orthogonal": InitTemplate(INIT_LABELS["orthogonal"], "nn.init.orthogonal_(module.weight)"),
    "naive": InitTemplate(
        INIT_LABELS["naive"] + ", σ = {sigma}", "nn.init.normal_(module.weight, 0.0, {sigma})"
    ),
}
"""Keyed like the training engine's init schemes (``actlib.nets.INIT_SCHEMES``), named as in
the vocabulary, with the same meaning: every scheme but the default starts biases at zero."""

NO_AUTOGRAD_DERIVATIVE = frozenset({"step"})
"""Catalogue functionals that autograd cannot differentiate (``torch.heaviside``). Their
true derivative is zero almost everywhere, so the snippet detaches the input: the same
"no gradient flows back" the catalogue's step implementation gives."""


@dataclass(frozen=True)
class ActivationCode:
    """How a snippet writes one activation: a module expression, maybe a class behind it."""

    expression: str
    definition: str = ""
    note: str = ""
    uses_functional: bool = False


def _class_name(spec: ActivationSpec) -> str:
    return "".join(part.capitalize() for part in spec.key.split("_"))


def activation_code(key: str, params: Params | None = None) -> ActivationCode:
    """The module expression for an elementwise activation, read from the catalogue.

    The catalogue's module expression is exact for every parameter value it is given
    (Swish is ``nn.SiLU()`` only at beta = 1); where torch has no module for it (``(no
    module: ...)``), a small ``nn.Module`` wraps the functional form.
    """
    spec = get(key)
    if spec.kind != "elementwise":
        raise ValueError(f"{spec.name} is not elementwise: a hidden layer here needs one that is")
    values = spec.resolve(params)
    code, _, note = spec.module_call(values).partition("#")
    code, note = code.strip(), note.strip()
    if not code.startswith("(") and (not note or values == spec.defaults()):
        return ActivationCode(code, note=note)
    functional = spec.functional_call(values)
    name = _class_name(spec)
    lines = [
        f"class {name}(nn.Module):",
        f'    """{spec.name} as a module: {functional}."""',
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
    ]
    if key in NO_AUTOGRAD_DERIVATIVE:
        lines += [
            "        # autograd has no derivative for this; the true one is 0, so detach:",
            "        x = x.detach()",
        ]
    lines.append(f"        return {functional}")
    return ActivationCode(
        f"{name}()", "\n".join(lines), note, uses_functional=bool(re.search(r"\bF\.", functional))
    )


def _default_module(key: str) -> str:
    """The exact module of an output activation at its default parameters."""
    code = activation_code(key) if get(key).kind == "elementwise" else None
    if code is not None and not code.definition:
        return code.expression
    return get(key).module_call().partition("#")[0].strip()


def _head(task: OutputTask | str, out_features: int | None) -> tuple[OutputHead, int]:
    head = OUTPUT_HEADS[OutputTask(task)]
    out = head.default_outputs if out_features is None else int(out_features)
    if out < head.min_outputs or (head.max_outputs is not None and out > head.max_outputs):
        upper = head.max_outputs if head.max_outputs is not None else "any"
        raise ValueError(
            f"{head.label} takes {head.min_outputs} to {upper} outputs, got {out}"
        )
    return head, out


def _check_range(name: str, value: int, low: int, high: int) -> int:
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must lie between {low} and {high}, got {value}")
    return value


def _render(sections: list[str]) -> str:
    """Join code sections: two blank lines around top-level defs and classes, else one."""
    sections = [s.strip("\n") for s in sections if s.strip()]
    text = sections[0]
    for before, after in itertools.pairwise(sections):
        top_level_def = any(s.startswith(("def ", "class ")) for s in (before, after))
        text += ("\n\n\n" if top_level_def else "\n\n") + after
    return text + "\n"


def _preamble(title: str, code: ActivationCode | None, seed: int) -> list[str]:
    """Docstring, imports, the seed and the activation's wrapper class if it needs one."""
    imports = ["import torch"]
    if code is not None and code.uses_functional:
        imports.append("import torch.nn.functional as F")
    imports.append("from torch import nn")
    doc = "\n".join([
        '"""' + textwrap.fill(title, width=88),
        "",
        "Generated by Activation Lab from its activation catalogue; runs as it is.",
        '"""',
    ])
    sections = [doc, "\n".join(imports), f"torch.manual_seed({int(seed)})"]
    if code is not None and code.definition:
        sections.append(code.definition)
    return sections


LEAKY_KEYS = frozenset({"leaky_relu", "prelu"})
"""Activations whose He init takes the negative slope: kaiming_normal_'s gain for
nonlinearity="leaky_relu" is √(2 / (1 + a²)) (He et al., 2015, eq. 15)."""


def _weight_line(init: str, sigma: float, key: str | None, params: Params | None) -> str:
    """The init line; He for a leaky unit passes its slope (not nonlinearity="relu")."""
    if init == "he" and key in LEAKY_KEYS:
        slope = float(get(key).resolve(params)["slope"])
        return (f"nn.init.kaiming_normal_(module.weight, a={slope:g}, "
                'nonlinearity="leaky_relu")')
    return INIT_TEMPLATES[init].weight_line.format(sigma=f"{float(sigma):g}")


def _init_sections(
    init: str, layer_types: str, sigma: float, key: str | None = None,
    params: Params | None = None,
) -> list[str]:
    if init not in INIT_TEMPLATES:
        raise ValueError(f"unknown init {init!r}; known: {', '.join(INIT_TEMPLATES)}")
    template = INIT_TEMPLATES[init]
    if not template.weight_line:
        return ["# Initialisation: PyTorch's default for nn.Linear, U(±1/√fan_in), kept."]
    function = "\n".join([
        "def init_weights(module: nn.Module) -> None:",
        f'    """{_init_name(init, sigma)} weights, zero biases."""',
        f"    if isinstance(module, {layer_types}):",
        "        " + _weight_line(init, sigma, key, params),
        "        if module.bias is not None:",
        "            nn.init.zeros_(module.bias)",
    ])
    return [function, "model.apply(init_weights)"]


def _training_sections(
    head: OutputHead, out: int, x_expr: str, batch: int, steps: int, clip: bool = False
) -> list[str]:
    """Loss, fake data, a short training loop and the prediction-time activation."""
    steps = _check_range("steps", steps, 1, 100_000)
    loop = [
        f"for step in range({int(steps)}):",
        "    outputs = model(x)",
        "    loss = loss_fn(outputs, y)",
        "    optimizer.zero_grad()",
        "    loss.backward()",
    ]
    if clip:
        loop.append("    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)")
    loop.append("    optimizer.step()")
    if head.in_model or head.activation == "identity":
        predict = "predict = model  # the output activation, if any, is part of the model"
    else:
        predict = (f"predict = nn.Sequential(model, {_default_module(head.activation)})"
                   "  # probabilities, for prediction only")
    return [
        f"loss_fn = {head.loss}  # {head.loss_comment}\n"
        "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)",
        f"x = {x_expr}\ny = {head.target.format(n=batch, out=out)}",
        "\n".join(loop),
        predict + '\nprint(f"loss after {step + 1} steps: {loss.item():.4f}")',
    ]


def _output_layers(head: OutputHead, linear: str) -> list[tuple[str, str]]:
    """The last layer(s) as (expression, comment): the rule about logits spelled out."""
    if head.in_model:
        return [(linear, ""), (_default_module(head.activation), "")]
    if head.activation == "identity":
        return [(linear, "no output activation: predictions stay unbounded")]
    loss_name = head.loss.split("(")[0]
    return [(linear, f"raw logits, no {get(head.activation).name} layer: {loss_name} applies it")]


def _listed(items: list[tuple[str, str]], indent: str) -> list[str]:
    """One item per line; a comment goes at the end, or above the item if that is too long."""
    lines = []
    for expr, comment in items:
        line = f"{indent}{expr}," + (f"  # {comment}" if comment else "")
        lines += [f"{indent}# {comment}", f"{indent}{expr},"] if len(line) > 100 else [line]
    return lines


def _sequential(
    hidden_blocks: list[list[str]], tail: list[tuple[str, str]], note: str
) -> str:
    """``model = nn.Sequential(...)``: listed layer by layer, or built in a loop if deep."""
    lines = [note] if note else []
    depth = len(hidden_blocks)
    if depth <= EXPLICIT_LAYERS_UP_TO:
        hidden = [(item, "") for block in hidden_blocks for item in block]
        lines += ["model = nn.Sequential(", *_listed(hidden + tail, "    "), ")"]
    else:
        first, repeated = hidden_blocks[0], hidden_blocks[1]
        lines += [
            f"layers = [{', '.join(first)}]",
            f"for _ in range({depth - 1}):",
            f"    layers += [{', '.join(repeated)}]",
            f"model = nn.Sequential(*layers, {', '.join(expr for expr, _ in tail)})",
        ]
        lines += [f"# {comment}" for _, comment in tail if comment]
    return "\n".join(lines)


def _init_name(init: str, sigma: float) -> str:
    return INIT_TEMPLATES[init].name.format(sigma=f"{float(sigma):g}")


def _title_parts(spec: ActivationSpec, params: Params | None, init: str, sigma: float) -> str:
    values = spec.resolve(params)
    shown = ", ".join(
        f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in values.items()
    )
    activation = spec.name + (f" ({shown})" if shown else "")
    if init not in INIT_TEMPLATES:
        raise ValueError(f"unknown init {init!r}; known: {', '.join(INIT_TEMPLATES)}")
    return f"{activation}, {_init_name(init, sigma)} init"


def _note(spec: ActivationSpec, code: ActivationCode) -> str:
    return f"# {spec.name}: {code.note}" if code.note else ""


def model_snippet(
    key: str,
    params: Params | None = None,
    depth: int = 2,
    width: int = 64,
    in_features: int = 2,
    out_features: int | None = None,
    init: str = "he",
    output_task: OutputTask | str = OutputTask.BINARY,
    *,
    norm: NormKind = "none",
    init_sigma: float = 1.0,
    batch_size: int = 64,
    steps: int = 100,
    seed: int = 0,
) -> str:
    """A runnable MLP script: ``depth`` hidden layers of ``width`` units with this activation.

    Each hidden layer is ``Linear -> [norm] -> activation``; then a linear head wired for
    ``output_task`` (``out_features`` defaults to what the task usually has), the init
    applied to every linear layer, the matching loss and a short training loop on random
    data. ``norm`` puts batch or layer norm before each activation.
    """
    spec = get(key)
    code = activation_code(key, params)
    head, out = _head(output_task, out_features)
    depth = _check_range("depth", depth, 1, MAX_DEPTH)
    width = _check_range("width", width, 1, MAX_WIDTH)
    in_features = _check_range("in_features", in_features, 1, MAX_WIDTH)
    norm_layers = {"none": [], "batch": [f"nn.BatchNorm1d({width})"],
                   "layer": [f"nn.LayerNorm({width})"]}
    if norm not in norm_layers:
        raise ValueError(f"unknown norm {norm!r}; known: {', '.join(norm_layers)}")
    blocks = [
        [f"nn.Linear({in_features if i == 0 else width}, {width})", *norm_layers[norm],
         code.expression]
        for i in range(depth)
    ]
    tail = _output_layers(head, f"nn.Linear({width}, {out})")
    title = (
        f"Activation Lab: an MLP with {depth} hidden layer{'s' if depth > 1 else ''} of "
        f"{width} units, {_title_parts(spec, params, init, init_sigma)}, for {head.label.lower()}."
    )
    return _render([
        *_preamble(title, code, seed),
        _sequential(blocks, tail, _note(spec, code)),
        *_init_sections(init, "nn.Linear", init_sigma, key, params),
        *_training_sections(head, out, f"torch.randn({batch_size}, {in_features})",
                            batch_size, steps),
    ])


def cnn_snippet(
    key: str,
    params: Params | None = None,
    depth: int = 3,
    channels: int = 16,
    in_channels: int = 3,
    image_size: int = 16,
    out_features: int | None = None,
    init: str = "he",
    output_task: OutputTask | str = OutputTask.MULTICLASS,
    *,
    init_sigma: float = 1.0,
    batch_size: int = 32,
    steps: int = 20,
    seed: int = 0,
) -> str:
    """A runnable small CNN script: ``depth`` blocks of ``Conv -> BatchNorm -> activation``.

    Batch norm before the activation is the CNN convention that keeps ReLU-family units
    alive and the signal's scale steady; global average pooling and a linear head follow.
    """
    spec = get(key)
    code = activation_code(key, params)
    head, out = _head(output_task, out_features)
    depth = _check_range("depth", depth, 1, MAX_DEPTH)
    channels = _check_range("channels", channels, 1, 256)
    in_channels = _check_range("in_channels", in_channels, 1, 256)
    image_size = _check_range("image_size", image_size, 1, 512)
    blocks = [
        [
            f"nn.Conv2d({in_channels if i == 0 else channels}, {channels}, 3, padding=1, "
            "bias=False)",
            f"nn.BatchNorm2d({channels})",
            code.expression,
        ]
        for i in range(depth)
    ]
    tail = [
        ("nn.AdaptiveAvgPool2d(1)", ""),
        ("nn.Flatten()", ""),
        *_output_layers(head, f"nn.Linear({channels}, {out})"),
    ]
    title = (
        f"Activation Lab: a CNN with {depth} convolution block{'s' if depth > 1 else ''} "
        f"({channels} channels), {_title_parts(spec, params, init, init_sigma)}, for "
        f"{head.label.lower()}."
    )
    x_expr = f"torch.randn({batch_size}, {in_channels}, {image_size}, {image_size})"
    return _render([
        *_preamble(title, code, seed),
        _sequential(blocks, tail, _note(spec, code)),
        *_init_sections(init, "(nn.Conv2d, nn.Linear)", init_sigma, key, params),
        *_training_sections(head, out, x_expr, batch_size, steps),
    ])


_CELLS: Mapping[str, str] = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN"}


def rnn_snippet(
    cell: RnnCell = "lstm",
    key: str = "tanh",
    depth: int = 1,
    hidden_size: int = 32,
    in_features: int = 8,
    seq_len: int = 12,
    out_features: int | None = None,
    output_task: OutputTask | str = OutputTask.BINARY,
    *,
    batch_size: int = 32,
    steps: int = 20,
    seed: int = 0,
) -> str:
    """A runnable recurrent script: an LSTM/GRU/RNN reads a sequence, a head reads its end.

    LSTM and GRU cells fix their activations (sigmoid gates, tanh candidate), so ``key``
    must be tanh for them; a plain ``nn.RNN`` also takes ReLU. Input weights get Xavier,
    recurrent weights orthogonal init (keeps the state's scale over time steps), and the
    loop clips the gradient norm, the usual guard against exploding gradients in time.
    """
    if cell not in _CELLS:
        raise ValueError(f"unknown cell {cell!r}; known: {', '.join(_CELLS)}")
    if key not in ("tanh", "relu") or (cell != "rnn" and key != "tanh"):
        raise ValueError("LSTM and GRU cells use tanh (and sigmoid gates); nn.RNN takes tanh "
                         "or relu")
    head, out = _head(output_task, out_features)
    depth = _check_range("depth", depth, 1, MAX_DEPTH)
    hidden_size = _check_range("hidden_size", hidden_size, 1, MAX_WIDTH)
    in_features = _check_range("in_features", in_features, 1, MAX_WIDTH)
    extra = f", nonlinearity={key!r}" if cell == "rnn" else ""
    inside = (f"{get('sigmoid').name} gates, {get('tanh').name} candidate" if cell != "rnn"
              else f"{get(key).name} on the state")
    head_layers = _listed(_output_layers(head, f"nn.Linear({hidden_size}, {out})"), " " * 12)
    model_class = "\n".join([
        "class SequenceModel(nn.Module):",
        f'    """{_CELLS[cell]} over the sequence; a linear head reads the last step."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        f"        self.rnn = {_CELLS[cell]}({in_features}, {hidden_size}, num_layers={depth}, "
        f"batch_first=True{extra})",
        "        self.head = nn.Sequential(",
        *head_layers,
        "        )",
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        "        states, _ = self.rnn(x)",
        "        return self.head(states[:, -1])",
    ])
    init_lines = [
        "model = SequenceModel()",
        "for name, weight in model.rnn.named_parameters():",
        '    if name.startswith("weight_ih"):',
        "        nn.init.xavier_uniform_(weight)  # Glorot: suits tanh and sigmoid",
        '    elif name.startswith("weight_hh"):',
        "        nn.init.orthogonal_(weight)  # keeps the state's scale across time steps",
        "    else:",
        "        nn.init.zeros_(weight)",
    ]
    if cell == "lstm":
        # Gers, Schmidhuber and Cummins (2000); Jozefowicz, Zaremba and Sutskever (2015):
        # a forget-gate bias of 1 keeps the cell's memory at the start of training.
        init_lines += [
            f'        if name.startswith("bias_ih"):  # gates i, f, g, o: f is [{hidden_size}:'
            f'{2 * hidden_size}]',
            f"            weight.data[{hidden_size}:{2 * hidden_size}].fill_(1.0)  "
            "# forget-gate bias 1: remember by default",
        ]
    init = "\n".join(init_lines)
    title = (
        f"Activation Lab: a {depth}-layer {_CELLS[cell]} ({hidden_size} units, {inside}) "
        f"for {head.label.lower()}."
    )
    x_expr = f"torch.randn({batch_size}, {seq_len}, {in_features})"
    return _render([
        *_preamble(title, None, seed),
        model_class,
        init,
        *_training_sections(head, out, x_expr, batch_size, steps, clip=True),
    ])


def transformer_snippet(
    key: str = "gelu",
    params: Params | None = None,
    depth: int = 2,
    d_model: int = 32,
    heads: int = 4,
    seq_len: int = 10,
    out_features: int | None = None,
    output_task: OutputTask | str = OutputTask.MULTICLASS,
    *,
    batch_size: int = 16,
    steps: int = 10,
    seed: int = 0,
) -> str:
    """A runnable transformer-encoder script with this activation in its feed-forward block.

    ``nn.TransformerEncoderLayer`` takes the activation as a module; its own initialisation
    is kept (PyTorch's defaults; a pre-trained model brings its own weights anyway). The
    blocks are pre-norm (``norm_first=True``, with a final LayerNorm), as the guide advises
    for deep transformers (Xiong et al., 2020, "On layer normalization in the transformer
    architecture"); nn.TransformerEncoderLayer's default is the original post-norm.
    """
    spec = get(key)
    code = activation_code(key, params)
    head, out = _head(output_task, out_features)
    depth = _check_range("depth", depth, 1, MAX_DEPTH)
    if d_model < 1 or heads < 1 or d_model % heads:
        raise ValueError(f"d_model ({d_model}) must be a positive multiple of heads ({heads})")
    head_layers = _listed(_output_layers(head, f"nn.Linear({d_model}, {out})"), " " * 12)
    model_class = "\n".join([
        "class SequenceClassifier(nn.Module):",
        f'    """Transformer encoder ({spec.name} in the feed-forward block), mean-pooled."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        "        layer = nn.TransformerEncoderLayer(",
        f"            d_model={d_model}, nhead={heads}, dim_feedforward={4 * d_model},",
        f"            activation={code.expression}, batch_first=True,",
        "            norm_first=True,  # pre-norm: LayerNorm before attention and feed-forward",
        "        )",
        f"        self.encoder = nn.TransformerEncoder(layer, num_layers={depth}, "
        f"norm=nn.LayerNorm({d_model}),",
        "                                             enable_nested_tensor=False)",
        "        self.head = nn.Sequential(",
        *head_layers,
        "        )",
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        "        # x: [batch, tokens, d_model], already embedded",
        "        return self.head(self.encoder(x).mean(dim=1))",
    ])
    model = "\n".join(filter(None, [
        _note(spec, code),
        "model = SequenceClassifier()",
        "# Initialisation: PyTorch's defaults for these layers (or the pre-trained weights).",
    ]))
    title = (
        f"Activation Lab: a {depth}-layer transformer encoder (d_model {d_model}) with "
        f"{spec.name} in its feed-forward blocks, for {head.label.lower()}."
    )
    x_expr = f"torch.randn({batch_size}, {seq_len}, {d_model})"
    return _render([
        *_preamble(title, code, seed),
        model_class,
        model,
        *_training_sections(head, out, x_expr, batch_size, steps),
    ])
