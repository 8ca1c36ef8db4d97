"""The batched MLP: M independent networks held as one set of stacked tensors.

Comparing nine activations over three seeds means training 27 small networks. One
``nn.Sequential`` per network spends almost all its time in Python dispatch; stacking the
27 weight matrices of a layer into one ``[M, fan_in, fan_out]`` tensor and multiplying with
``torch.baddbmm`` does the same arithmetic in one call per layer (measured 5-6x faster).

Equivalence is the contract: model ``i`` of a :class:`BatchedMLP` computes exactly what
:func:`reference_model` ``(config, i)`` computes, a network built from plain ``torch.nn``
modules, with the same initial weights (the same seed and the same draws in the same
order) and the same forward pass. Nothing couples two models: each has its own slice of
every tensor, its own batch-norm statistics and its own PReLU slopes, and the loss of the
ensemble is the sum of the per-model losses, so each model's gradient is its own.

Architecture: ``depth`` hidden layers of ``width`` units, each ``Linear -> [norm] ->
activation`` with an optional residual connection where the layer's input and output
widths agree (every hidden layer but the first, unless the input is as wide), then a linear
head. The activation of a hidden layer may be any elementwise catalogue entry (PReLU with
one learned slope per model and per layer, like ``nn.PReLU()``) or softmax over the units.
A member may name one activation per hidden layer (a *stack*, ``relu→tanh→gelu``): each
layer's stacked tensor is then split into that layer's own runs of equal activations, so
stacks and plain members train side by side in one ensemble.
Gated activations (the GLU family) are rejected: they halve the width of their input, so a
"width 32" layer would mean different things for different members of one ensemble.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from actlib.activations import (
    STACK_NAME_SEPARATOR,
    ActivationSpec,
    Params,
    get,
    is_stack_key,
    stack_key,
    stack_keys,
)
from actlib.batched_linear import batched_linear
from actlib.datasets import Task
from actlib.layer_activations import GroupedLayer, activate, layer_groups
from actlib.vocabulary import INIT_DESCRIPTIONS, NORM_DESCRIPTIONS

InitScheme = Literal[
    "default", "xavier_uniform", "xavier_normal", "he", "lecun", "orthogonal", "naive"
]
NormKind = Literal["none", "batch", "layer"]

INIT_SCHEMES: Mapping[str, str] = INIT_DESCRIPTIONS
"""The initialisation schemes the engine draws, keyed as in URLs; described in the
vocabulary, the one place their words live."""
NORM_KINDS: Mapping[str, str] = NORM_DESCRIPTIONS
"""The normalisations the engine inserts before the activation, described likewise."""
MIN_DEPTH, MAX_DEPTH = 1, 50
MIN_WIDTH, MAX_WIDTH = 2, 256
MAX_NAIVE_SIGMA = 10.0
MAX_ABS_BIAS = 5.0
NORM_EPS = 1e-5
BATCH_NORM_MOMENTUM = 0.1
DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}
T = TypeVar("T")


# --- members of an ensemble ----------------------------------------------------------------


LayerActivation = tuple[str, tuple[tuple[str, float | str], ...]]
"""One hidden layer's activation: its catalogue key and its resolved parameters."""


def _layer_activation(item: str | tuple[str, Params | None] | LayerActivation
                      ) -> LayerActivation:
    """A layer's (key, resolved params), from a key or a (key, params) pair."""
    key, params = (item, None) if isinstance(item, str) else item
    spec = get(key)
    if spec.kind == "gated":
        raise ValueError(
            f"{spec.name} is a gated activation: it halves the width of its input, so the "
            "batched MLP cannot hold it next to other activations. Use an elementwise "
            "activation or softmax."
        )
    raw = params if isinstance(params, Mapping) else dict(params or ())
    return key, tuple(sorted(spec.resolve(raw).items()))


def fit_stack(items: Sequence[T], depth: int) -> tuple[T, ...]:
    """A stack fitted to ``depth`` hidden layers: cut after ``depth``, or extended by
    repeating its last entry. What the Playground and the bake-off do when the number of
    hidden layers and the stack disagree (and they say so, see :func:`fit_note`)."""
    if not items:
        raise ValueError("a stack needs at least one activation")
    items = tuple(items)[:depth]
    return items + (items[-1],) * (depth - len(items))


def fit_note(names: Sequence[str], depth: int) -> str | None:
    """What :func:`fit_stack` did to a stack of these names, in a sentence; None if it
    fitted as it was."""
    n = len(names)
    if n == depth or n == 1:
        return None
    if n > depth:
        dropped = ", ".join(names[depth:])
        return (f"The stack names {n} activations for {depth} hidden "
                f"layer{'s' if depth != 1 else ''}: {dropped} "
                f"{'is' if n - depth == 1 else 'are'} left out.")
    layers = (f"layer {depth}" if depth - n == 1 else f"layers {n + 1} to {depth}")
    return (f"The stack names {n} activations for {depth} hidden layers: {layers} "
            f"repeat{'s' if depth - n == 1 else ''} the last, {names[-1]}.")


@dataclass(frozen=True)
class ModelSpec:
    """One member of an ensemble: an activation with its parameters, and a seed; or a
    *stack*, one activation per hidden layer (``layers``).

    ``params`` may be given as a mapping; it is stored as a sorted tuple of the *resolved*
    values (defaults filled in), so two specs that mean the same network are equal and hash
    alike, which is what caching a run by its config needs.

    A stack is given by ``layers`` (keys or ``(key, params)`` pairs, one per hidden layer)
    or by a stack key (``ModelSpec("relu→tanh→gelu")``, default parameters). Its ``key``
    is the stack key (:func:`actlib.activations.stack_key`), what frames and charts group
    it by; its own ``params`` are empty. A stack whose layers are all alike is stored as
    the plain member it equals (``ModelSpec("relu→relu") == ModelSpec("relu")``), so a
    single key keeps meaning "every layer". :attr:`spec` refuses a stack: code that
    needs f or f' asks for a layer's (:meth:`layer_spec`, :meth:`layer_activation`).
    """

    key: str
    params: tuple[tuple[str, float | str], ...] = ()
    seed: int = 0
    layers: tuple[LayerActivation, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "seed", int(self.seed))
        items = tuple(self.layers)
        if not items and is_stack_key(self.key):
            if self.params:
                raise ValueError(f"{self.key} is a stack: give each layer's parameters in "
                                 "layers=((key, params), ...)")
            items = stack_keys(self.key)
        if items:
            layers = tuple(_layer_activation(item) for item in items)
            if len(set(layers)) > 1:
                object.__setattr__(self, "layers", layers)
                object.__setattr__(self, "key", stack_key([k for k, _ in layers]))
                object.__setattr__(self, "params", ())
                return
            key, params = layers[0]
            object.__setattr__(self, "key", key)
            object.__setattr__(self, "params", params)
            object.__setattr__(self, "layers", ())
            return
        key, params = _layer_activation((self.key, self.params))
        object.__setattr__(self, "params", params)

    @property
    def is_stack(self) -> bool:
        """One activation per hidden layer, not all alike."""
        return bool(self.layers)

    @property
    def spec(self) -> ActivationSpec:
        """The activation of every layer; a stack has none (ValueError): ask a layer."""
        if self.layers:
            raise ValueError(f"{self.activation_label} has one activation per layer: ask "
                             "for a layer's (layer_spec)")
        return get(self.key)

    def layer_activation(self, layer: int) -> LayerActivation:
        """Hidden ``layer``'s (0-based) (key, params)."""
        return self.layers[layer] if self.layers else (self.key, self.params)

    def layer_spec(self, layer: int) -> ActivationSpec:
        return get(self.layer_activation(layer)[0])

    def layer_params(self, layer: int) -> dict[str, float | str]:
        return dict(self.layer_activation(layer)[1])

    def check_depth(self, depth: int) -> None:
        """A stack must name exactly one activation per hidden layer (ValueError)."""
        if self.layers and len(self.layers) != depth:
            raise ValueError(f"the stack {self.activation_label} names {len(self.layers)} "
                             f"activations for {depth} hidden layers")

    @property
    def param_dict(self) -> dict[str, float | str]:
        return dict(self.params)

    @property
    def mean_cost_ns(self) -> float:
        """The activation's cost per element, averaged over the layers of a stack."""
        keys = [k for k, _ in self.layers] or [self.key]
        return sum(get(k).cost_ns or 0.0 for k in keys) / len(keys)

    @staticmethod
    def _one_label(key: str, params: tuple[tuple[str, float | str], ...]) -> str:
        spec = get(key)
        changed = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in params if spec.defaults().get(k) != v]
        return spec.name + (f" ({', '.join(changed)})" if changed else "")

    @property
    def activation_label(self) -> str:
        """The activation's name, with any parameter that differs from its default; a
        stack's layers joined by arrows (``ReLU → Tanh → GELU``)."""
        if self.layers:
            return STACK_NAME_SEPARATOR.join(self._one_label(k, p) for k, p in self.layers)
        return self._one_label(self.key, self.params)

    @property
    def label(self) -> str:
        return f"{self.activation_label} · seed {self.seed}"


def ensemble(
    activations: Sequence[str | tuple[str, Params | None]], seeds: Sequence[int] = (0,)
) -> tuple[ModelSpec, ...]:
    """Every activation with every seed, activation-major (neighbours share an activation).

    ``activations`` holds keys or ``(key, params)`` pairs.
    """
    members = []
    for item in activations:
        key, params = (item, None) if isinstance(item, str) else item
        for seed in seeds:
            members.append(ModelSpec(key, tuple((params or {}).items()), seed))
    return tuple(members)


def stacked(layers: Sequence[str | tuple[str, Params | None]], seed: int = 0) -> ModelSpec:
    """A member with one activation per hidden layer (keys or ``(key, params)`` pairs)."""
    return ModelSpec(stack_key([item if isinstance(item, str) else item[0]
                                for item in layers]), seed=seed, layers=tuple(layers))


# --- architecture --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Architecture:
    """The shape of every network of an ensemble: hidden layers, their initialisation and
    normalisation. Shared, as a base class, by :class:`NetConfig`, by
    :class:`actlib.training.TrainConfig` and by the gradients page's experiment, so each
    field is declared once and passes from one to the other by :meth:`architecture`.

    Keyword-only: a subclass's own fields keep their positions. ``bias_init=None`` keeps
    each scheme's own bias (see :func:`init_linear_`). Checked by :meth:`check_architecture`
    (a :class:`NetConfig` checks itself when built).
    """

    depth: int = 3
    width: int = 32
    init: InitScheme = "default"
    init_sigma: float = 1.0
    bias_init: float | None = None
    norm: NormKind = "none"
    residual: bool = False
    layer_inits: tuple[str, ...] = ()
    """Empty: every layer draws with ``init``. Else one scheme per layer, the hidden layers
    in order and the head last (``depth + 1`` of them), overriding ``init``: how a stack of
    activations gets each layer's recommended initialisation (see
    :func:`recommended_inits`)."""

    def architecture(self) -> Architecture:
        """These fields alone, whatever holds them."""
        return Architecture(**{f.name: getattr(self, f.name) for f in fields(Architecture)})

    def check_architecture(self) -> None:
        """Raise ValueError naming the first field out of its range."""
        if not MIN_DEPTH <= self.depth <= MAX_DEPTH:
            raise ValueError(f"depth must lie between {MIN_DEPTH} and {MAX_DEPTH}: {self.depth}")
        if not MIN_WIDTH <= self.width <= MAX_WIDTH:
            raise ValueError(f"width must lie between {MIN_WIDTH} and {MAX_WIDTH}: {self.width}")
        if self.init not in INIT_SCHEMES:
            raise ValueError(f"unknown init {self.init!r}; known: {', '.join(INIT_SCHEMES)}")
        if not 0 < self.init_sigma <= MAX_NAIVE_SIGMA:
            raise ValueError(f"init_sigma must lie in (0, {MAX_NAIVE_SIGMA:g}]")
        if self.bias_init is not None and abs(self.bias_init) > MAX_ABS_BIAS:
            raise ValueError(f"bias_init must lie between -{MAX_ABS_BIAS:g} and {MAX_ABS_BIAS:g}")
        if self.norm not in NORM_KINDS:
            raise ValueError(f"unknown norm {self.norm!r}; known: {', '.join(NORM_KINDS)}")
        if self.layer_inits:
            if len(self.layer_inits) != self.depth + 1:
                raise ValueError(f"layer_inits needs {self.depth + 1} schemes (each hidden "
                                 f"layer and the head), got {len(self.layer_inits)}")
            for scheme in self.layer_inits:
                if scheme not in INIT_SCHEMES:
                    raise ValueError(f"unknown init {scheme!r}; known: {', '.join(INIT_SCHEMES)}")

    def layer_init(self, layer: int) -> str:
        """The scheme that draws layer ``layer`` (0-based; ``depth`` is the head)."""
        return self.layer_inits[layer] if self.layer_inits else self.init

    def net_config_for(self, in_dim: int, out_dim: int, models: Sequence[ModelSpec],
                       dtype: str = "float32") -> NetConfig:
        """The ensemble of ``models`` with this architecture, for data of these widths."""
        return NetConfig(in_dim, out_dim, tuple(models), dtype, **vars(self.architecture()))


@dataclass(frozen=True)
class NetConfig(Architecture):
    """The shared architecture of an ensemble, and its members. Frozen and hashable."""

    in_dim: int
    out_dim: int
    models: tuple[ModelSpec, ...] = field(default_factory=lambda: (ModelSpec("relu"),))
    dtype: str = "float32"

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        if not self.models:
            raise ValueError("an ensemble needs at least one model")
        if self.in_dim < 1 or self.out_dim < 1:
            raise ValueError("in_dim and out_dim must be positive")
        self.check_architecture()
        for member in self.models:
            member.check_depth(self.depth)
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}")

    @property
    def torch_dtype(self) -> torch.dtype:
        return DTYPES[self.dtype]

    @property
    def dims(self) -> tuple[int, ...]:
        """Units per layer, input to output: (in, width, ..., width, out)."""
        return (self.in_dim, *([self.width] * self.depth), self.out_dim)

    @property
    def residual_layers(self) -> tuple[bool, ...]:
        """For each hidden layer: does it add its input to its output?"""
        dims = self.dims
        return tuple(self.residual and dims[i] == dims[i + 1] for i in range(self.depth))

    @property
    def weights_per_model(self) -> int:
        dims = self.dims
        return sum(dims[i] * dims[i + 1] for i in range(len(dims) - 1))


# --- initialisation ------------------------------------------------------------------------


def init_generator(seed: int) -> torch.Generator:
    """The generator that draws a model's initial weights: ``manual_seed(seed)`` itself.

    So with the default scheme a student reproduces the weights with
    ``torch.manual_seed(seed)`` and plain ``nn.Linear`` layers built in order.
    """
    return torch.Generator().manual_seed(int(seed))


def init_linear_(
    weight: Tensor,
    bias: Tensor,
    scheme: str,
    sigma: float,
    bias_value: float | None,
    generator: torch.Generator,
) -> None:
    """Initialise one layer in place; ``weight`` in nn.Linear's ``[out, in]`` layout.

    Draws happen in nn.Linear's order (weight, then bias for the default scheme), so the
    default scheme reproduces ``nn.Linear(...)`` under the same seed. Schemes other than
    the default start biases at zero. A ``bias_value`` overrides the bias *after* the draws,
    so changing it never changes any weight (how a negative bias provokes dying ReLUs while
    everything else stays the same).
    """
    fan_in = weight.shape[1]
    with torch.no_grad():
        if scheme == "default":
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(bias, -bound, bound, generator=generator)
        else:
            if scheme == "xavier_uniform":
                nn.init.xavier_uniform_(weight, generator=generator)
            elif scheme == "xavier_normal":
                nn.init.xavier_normal_(weight, generator=generator)
            elif scheme == "he":
                nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
            elif scheme == "lecun":
                nn.init.normal_(weight, 0.0, 1 / math.sqrt(fan_in), generator=generator)
            elif scheme == "orthogonal":
                nn.init.orthogonal_(weight, generator=generator)
            elif scheme == "naive":
                nn.init.normal_(weight, 0.0, float(sigma), generator=generator)
            else:
                raise ValueError(f"unknown init {scheme!r}")
            bias.zero_()
        if bias_value is not None:
            bias.fill_(float(bias_value))


def _initial_layers(config: NetConfig, seed: int) -> list[tuple[Tensor, Tensor]]:
    """One model's initial (weight [out, in], bias [out]) per layer, head last."""
    g = init_generator(seed)
    dims = config.dims
    layers = []
    for i in range(len(dims) - 1):
        weight = torch.empty(dims[i + 1], dims[i], dtype=config.torch_dtype)
        bias = torch.empty(dims[i + 1], dtype=config.torch_dtype)
        is_head = i == config.depth
        init_linear_(weight, bias, config.layer_init(i), config.init_sigma,
                     None if is_head else config.bias_init, g)
        layers.append((weight, bias))
    return layers


def recommended_inits(member: ModelSpec, depth: int) -> tuple[InitScheme, tuple[str, ...]]:
    """``(init, layer_inits)`` for a member drawn with the catalogue's recommended
    initialisation. A plain member: its activation's scheme for every layer, no per-layer
    list. A stack: each hidden layer takes the scheme recommended for the activation that
    follows it (He before ReLU, Xavier before tanh: the scheme's gain is the gain of the
    layer's own non-linearity, as ``nn.init.calculate_gain`` is used), and the head takes the
    last hidden layer's (so a stack of one activation draws exactly as the plain member);
    when every layer's scheme is the same, it is the one ``init`` and no list is needed."""
    schemes = [member.layer_spec(i).recommended_init for i in range(depth)]
    schemes.append(schemes[-1])
    if len(set(schemes)) == 1:
        return schemes[0], ()  # type: ignore[return-value]
    return schemes[0], tuple(schemes)  # type: ignore[return-value]


# --- the batched network -------------------------------------------------------------------


@dataclass
class Trace:
    """Per hidden layer: linear output z, activation input a (z after the norm), output f.

    Each tensor is ``[M, B, width]`` and stays in the autograd graph, so a probe can ask
    for the loss gradient with respect to any of them.
    """

    z: list[Tensor] = field(default_factory=list)
    a: list[Tensor] = field(default_factory=list)
    f: list[Tensor] = field(default_factory=list)

    def record(self, z: Tensor, a: Tensor, f: Tensor) -> None:
        self.z.append(z)
        self.a.append(a)
        self.f.append(f)


def traced_eval(model: BatchedMLP, x: Tensor) -> Trace:
    """One evaluation-mode forward pass of ``x`` without gradients, every hidden layer
    recorded; the model is left in the mode it was in (a live run trains on after)."""
    trace = Trace()
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(x.to(model.config.torch_dtype), trace=trace, batch_stats=False,
                  update_stats=False)
    finally:
        model.train(was_training)
    return trace


def _per_model(values: list[Tensor], dtype: torch.dtype) -> nn.Parameter:
    return nn.Parameter(torch.stack(values).to(dtype).contiguous())


class BatchedMLP(nn.Module):
    """The ensemble of ``config.models`` as stacked tensors.

    Every parameter and buffer has the model index as its first dimension (weights
    ``[M, fan_in, fan_out]``, biases ``[M, 1, fan_out]``, norm scales ``[M, width]``, PReLU
    slopes ``[M, depth]``), which is what lets training clip each model's gradient by its own
    norm.
    """

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        self.layer_groups = layer_groups(config.models, config.depth)
        """Per hidden layer, its runs of models with one activation: a stacked tensor per
        layer is split into its own layer's groups."""
        self.grouped_layers = [GroupedLayer(groups) for groups in self.layer_groups]
        self.learned_layers = [layer.learned_slope for layer in self.grouped_layers]
        self.residual_layers = config.residual_layers
        dtype = config.torch_dtype
        per_model = [_initial_layers(config, m.seed) for m in config.models]
        n_layers = config.depth + 1
        self.weights = nn.ParameterList(
            [_per_model([layers[i][0].t() for layers in per_model], dtype) for i in range(n_layers)]
        )
        self.biases = nn.ParameterList(
            [_per_model([layers[i][1].unsqueeze(0) for layers in per_model], dtype)
             for i in range(n_layers)]
        )
        m, w = len(config.models), config.width
        if config.norm != "none":
            self.norm_weight = nn.ParameterList(
                [nn.Parameter(torch.ones(m, w, dtype=dtype)) for _ in range(config.depth)])
            self.norm_bias = nn.ParameterList(
                [nn.Parameter(torch.zeros(m, w, dtype=dtype)) for _ in range(config.depth)])
        if config.norm == "batch":
            for i in range(config.depth):
                self.register_buffer(f"running_mean_{i}", torch.zeros(m, w, dtype=dtype))
                self.register_buffer(f"running_var_{i}", torch.ones(m, w, dtype=dtype))
        self.has_prelu = any(self.learned_layers)
        if self.has_prelu:
            initial = [[float(m.layer_params(i)["slope"]) if m.layer_spec(i).learnable else 0.0
                        for i in range(config.depth)] for m in config.models]
            self.prelu_slope = nn.Parameter(torch.tensor(initial, dtype=dtype))

    @property
    def n_models(self) -> int:
        return len(self.config.models)

    def _normalise(self, layer: int, z: Tensor, batch_stats: bool, update_stats: bool) -> Tensor:
        kind = self.config.norm
        if kind == "none":
            return z
        gamma, beta = self.norm_weight[layer], self.norm_bias[layer]
        if kind == "layer":
            normed = F.layer_norm(z, (z.shape[-1],), eps=NORM_EPS)
            return normed * gamma.unsqueeze(1) + beta.unsqueeze(1)
        m, b, w = z.shape
        flat = z.transpose(0, 1).reshape(b, m * w)  # per (model, unit): one BN channel
        running_mean = getattr(self, f"running_mean_{layer}")
        running_var = getattr(self, f"running_var_{layer}")
        track = batch_stats and update_stats
        normed = F.batch_norm(
            flat,
            running_mean.view(-1) if (track or not batch_stats) else None,
            running_var.view(-1) if (track or not batch_stats) else None,
            gamma.reshape(-1),
            beta.reshape(-1),
            training=batch_stats,
            momentum=BATCH_NORM_MOMENTUM,
            eps=NORM_EPS,
        )
        return normed.view(b, m, w).transpose(0, 1)

    def _slopes(self, layer: int) -> Tensor | None:
        """Hidden ``layer``'s PReLU slopes ``[M]``, or None if no group there learns one."""
        return self.prelu_slope[:, layer] if self.learned_layers[layer] else None

    def activate(self, layer: int, a: Tensor) -> Tensor:
        """Each model's activation of hidden ``layer`` on its slice of ``a`` ``[M, B, W]``
        (group by group: :mod:`actlib.layer_activations`)."""
        return activate(a, self._slopes(layer), self.grouped_layers[layer])

    def local_derivative(self, layer: int, a: Tensor) -> Tensor:
        """f'(a) per model and unit of hidden ``layer``, from the catalogue's hand-written
        derivatives of that layer's activations."""
        grouped = self.grouped_layers[layer]
        with torch.no_grad():
            slopes = self._slopes(layer)
            slopes = grouped.slopes(None if slopes is None else slopes.detach())
            return torch.cat([g.derivative(x, s) for g, x, s in zip(
                grouped.groups, grouped.split(a.detach()), slopes, strict=True)], dim=0)

    def forward(
        self,
        x: Tensor,
        trace: Trace | None = None,
        batch_stats: bool | None = None,
        update_stats: bool = True,
    ) -> Tensor:
        """Outputs ``[M, B, out_dim]`` for inputs ``[B, in]`` (shared) or ``[M, B, in]``.

        Batch norm uses the batch's statistics when ``batch_stats`` (default: in training
        mode) and updates the running statistics only if ``update_stats`` as well.
        """
        use_batch = self.training if batch_stats is None else batch_stats
        h = x
        for layer in range(self.config.depth):
            z = self._linear(layer, h)
            a = self._normalise(layer, z, use_batch, update_stats)
            f = self.activate(layer, a)
            h = h + f if self.residual_layers[layer] else f
            if trace is not None:
                trace.record(z, a, f)
        return self._linear(self.config.depth, h)

    def _linear(self, layer: int, h: Tensor) -> Tensor:
        return batched_linear(h, self.weights[layer], self.biases[layer])

    def layer_parameters(self, index: int) -> list[tuple[Tensor, Tensor]]:
        """Model ``index``'s (weight [out, in], bias [out]) per layer, head last: a copy."""
        return [(w[index].detach().t().clone(), b[index, 0].detach().clone())
                for w, b in zip(self.weights, self.biases, strict=True)]

    def prelu_slopes(self) -> Tensor:
        """Learned slopes ``[M, depth]``; NaN for models whose activation is not PReLU."""
        m, depth = self.n_models, self.config.depth
        out = torch.full((m, depth), float("nan"), dtype=torch.float64)
        if self.has_prelu:
            learned = torch.tensor([[m.layer_spec(i).learnable for i in range(depth)]
                                    for m in self.config.models])
            out[learned] = self.prelu_slope.detach().double()[learned]
        return out


# --- the same network, one at a time, from plain torch.nn ----------------------------------


class Residual(nn.Module):
    """``x + body(x)``: a skip connection around one hidden layer."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class CatalogueActivation(nn.Module):
    """A catalogue function as a module, for entries without one (the step function)."""

    def __init__(self, spec: ActivationSpec, params: Mapping[str, float | str]) -> None:
        super().__init__()
        self.fn: Callable[[Tensor], Tensor] = lambda x: spec.forward(x, **params)

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)


def activation_module(member: ModelSpec, layer: int = 0) -> nn.Module:
    """The PyTorch module for a member's activation in hidden ``layer``
    (``nn.PReLU(init=slope)`` for PReLU)."""
    spec, params = member.layer_spec(layer), member.layer_params(layer)
    if spec.torch_module is None:
        return CatalogueActivation(spec, params)
    return spec.torch_module(**params)


def _norm_module(kind: str, width: int) -> nn.Module | None:
    if kind == "batch":
        return nn.BatchNorm1d(width, eps=NORM_EPS, momentum=BATCH_NORM_MOMENTUM)
    if kind == "layer":
        return nn.LayerNorm(width, eps=NORM_EPS)
    return None


def reference_model(config: NetConfig, index: int) -> nn.Sequential:
    """Model ``index`` of the ensemble as a plain ``nn.Sequential``, for checking and teaching.

    Built the way a student would build it (``nn.Linear``, ``nn.BatchNorm1d`` or
    ``nn.LayerNorm``, each layer's own activation module, a small :class:`Residual`
    wrapper), and
    initialised from the member's seed with the same draws as :class:`BatchedMLP`.
    """
    member = config.models[index]
    dims = config.dims
    layers = _initial_layers(config, member.seed)
    blocks: list[nn.Module] = []
    for i in range(config.depth):
        linear = nn.Linear(dims[i], dims[i + 1], dtype=config.torch_dtype)
        parts: list[nn.Module] = [linear]
        norm = _norm_module(config.norm, dims[i + 1])
        if norm is not None:
            parts.append(norm.to(config.torch_dtype))
        activation = activation_module(member, i).to(config.torch_dtype)
        if isinstance(activation, nn.PReLU):  # nn.PReLU rounds its init through float32
            with torch.no_grad():
                activation.weight.fill_(float(member.layer_params(i)["slope"]))
        parts.append(activation)
        body = nn.Sequential(*parts)
        blocks.append(Residual(body) if config.residual_layers[i] else body)
    head = nn.Linear(dims[-2], dims[-1], dtype=config.torch_dtype)
    blocks.append(head)
    model = nn.Sequential(*blocks)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for linear, (weight, bias) in zip(linears, layers, strict=True):
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
    return model


# --- losses and accuracy -------------------------------------------------------------------


def _per_model_targets(target: Tensor, m: int) -> Tensor:
    return target.expand(m, -1) if target.dim() == 1 else target


def task_loss(output: Tensor, target: Tensor, task: Task) -> Tensor:
    """Mean loss per model ``[M]`` for outputs ``[M, B, out]`` and targets ``[B]`` or ``[M, B]``.

    Binary: BCE with logits on the single output. Multi-class: cross-entropy on the logits.
    Regression: mean squared error. The same losses as :func:`reference_loss`.
    """
    target = _per_model_targets(target, output.shape[0])
    if task == "multiclass":
        # Classes on dim 1 ([M, C, B]): measured 3x faster than flattening to [M * B, C].
        return F.cross_entropy(output.transpose(1, 2), target, reduction="none").mean(1)
    if task == "binary":
        logits = output[..., 0]
        losses = F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype),
                                                    reduction="none")
        return losses.mean(1)
    return ((output[..., 0] - target.to(output.dtype)) ** 2).mean(1)


def reference_loss(output: Tensor, target: Tensor, task: Task) -> Tensor:
    """The loss of one plain model: ``output [B, out]``, ``target [B]``."""
    if task == "multiclass":
        return F.cross_entropy(output, target)
    if task == "binary":
        return F.binary_cross_entropy_with_logits(output[:, 0], target.to(output.dtype))
    return F.mse_loss(output[:, 0], target.to(output.dtype))


def task_accuracy(output: Tensor, target: Tensor, task: Task) -> Tensor:
    """Share of correct predictions per model ``[M]``; NaN for regression."""
    m = output.shape[0]
    if task == "regression":
        return torch.full((m,), float("nan"), dtype=torch.float64)
    target = _per_model_targets(target, m)
    predicted = output.argmax(-1) if task == "multiclass" else (output[..., 0] > 0).long()
    return (predicted == target).double().mean(1)
