"""The choosing guide: a few answers in, a ranked and reasoned recommendation out.

The advice is a table of rules, not a tree of ifs. Each :class:`Rule` says when it applies
(:class:`When`) and casts :class:`Vote` s for catalogue keys, every vote carrying its reason
in one short sentence; a rule may also add a caveat. :func:`advise` sums the votes, ranks
the candidates and attaches the matching initialisation, the loss for an output layer and a
ready PyTorch snippet. Keeping the knowledge as data lets a page show *why* each candidate
is there, and lets the tests walk every combination of answers.

The questions themselves are declared once (:data:`QUESTIONS`), so a page can build its
widgets and URL settings from them (:data:`GUIDE_SETTINGS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from actlib.activations import ActivationSpec, get
from actlib.settings import Choice, MultiChoice, PageSettings, Setting
from actlib.snippets import (
    INIT_TEMPLATES,
    MAX_DEPTH,
    OUTPUT_HEADS,
    OutputTask,
    cnn_snippet,
    model_snippet,
    rnn_snippet,
    transformer_snippet,
)

__all__ = [
    "GUIDE_SETTINGS",
    "QUESTIONS",
    "RULES",
    "Advice",
    "Answers",
    "Architecture",
    "Constraint",
    "Depth",
    "InitAdvice",
    "LossAdvice",
    "OutputTask",
    "Placement",
    "Question",
    "Recommendation",
    "Rule",
    "Vote",
    "When",
    "advise",
    "answers_from_settings",
    "matching_init",
]

DEEP_FROM_LAYERS = 10
"""From about ten layers on, vanishing signals and dead units start to decide training."""
LAYERS_FOR = {"shallow": 2, "deep": 12}
"""How many hidden layers the snippet builds for a depth given as a word."""
MAX_LAYERS = 1000
MAX_RANKED = 5


class Placement(StrEnum):
    HIDDEN = "hidden"
    OUTPUT = "output"


class Architecture(StrEnum):
    MLP = "mlp"
    CNN = "cnn"
    RNN = "rnn"
    TRANSFORMER = "transformer"
    LLM = "llm"
    GAN_DISCRIMINATOR = "gan_discriminator"
    DECODER = "decoder"
    DIFFUSION = "diffusion"


class Depth(StrEnum):
    SHALLOW = "shallow"
    DEEP = "deep"


class Constraint(StrEnum):
    EDGE = "edge"
    FINE_TUNING = "fine_tuning"
    DYING_UNITS = "dying_units"


# --- the questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question of the guide: its URL key (a field of :class:`Answers`) and options."""

    key: str
    prompt: str
    options: tuple[str, ...]
    labels: Mapping[str, str]
    default: str | tuple[str, ...]
    multiple: bool = False
    only_for: Placement | None = None
    widget: str = "selectbox"
    help: str = ""

    def relevant(self, answers: Answers) -> bool:
        """Whether the page should ask it, given the other answers."""
        return self.only_for is None or answers.placement == self.only_for

    def to_setting(self) -> Setting:
        """The URL-synced settings declaration for this question."""
        if self.multiple:
            return MultiChoice(self.key, self.prompt, self.help, options=self.options,
                               default=tuple(self.default), labels=dict(self.labels))
        return Choice(self.key, self.prompt, self.help, options=self.options,
                      default=self.default, labels=dict(self.labels), widget=self.widget)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "placement", "Where does the activation go?", tuple(Placement),
        {Placement.HIDDEN: "Hidden layers", Placement.OUTPUT: "Output layer"},
        Placement.HIDDEN, widget="segmented",
    ),
    Question(
        "architecture", "What kind of network?", tuple(Architecture),
        {
            Architecture.MLP: "MLP (fully connected)",
            Architecture.CNN: "CNN",
            Architecture.RNN: "RNN / LSTM / GRU",
            Architecture.TRANSFORMER: "Transformer (BERT, GPT-2, ViT)",
            Architecture.LLM: "Large language model (LLaMA, PaLM)",
            Architecture.GAN_DISCRIMINATOR: "GAN discriminator",
            Architecture.DECODER: "VAE / GAN decoder (image generator)",
            Architecture.DIFFUSION: "Diffusion model",
        },
        Architecture.MLP,
    ),
    Question(
        "task", "What do the outputs mean?", tuple(OutputTask),
        {task: head.label for task, head in OUTPUT_HEADS.items()},
        OutputTask.BINARY, only_for=Placement.OUTPUT,
        help="The output activation and the loss follow from the task.",
    ),
    Question(
        "depth", "How deep is the network?", tuple(Depth),
        {Depth.SHALLOW: f"Shallow (under {DEEP_FROM_LAYERS} layers)",
         Depth.DEEP: f"Deep ({DEEP_FROM_LAYERS} layers or more)"},
        Depth.SHALLOW, widget="segmented",
    ),
    Question(
        "constraints", "Anything else that applies?", tuple(Constraint),
        {
            Constraint.EDGE: "Edge deployment / speed critical",
            Constraint.FINE_TUNING: "Fine-tuning a pre-trained model",
            Constraint.DYING_UNITS: "Units dying (always output zero)",
        },
        (), multiple=True,
    ),
)
GUIDE_SETTINGS = PageSettings(tuple(q.to_setting() for q in QUESTIONS))


@dataclass(frozen=True)
class Answers:
    """The user's answers. ``depth`` is a word (shallow/deep) or a number of hidden layers.

    Strings are accepted for every field and turned into the enums, so values straight
    from a URL or a widget work; anything else raises ValueError naming the field.
    """

    placement: Placement = Placement.HIDDEN
    architecture: Architecture = Architecture.MLP
    task: OutputTask = OutputTask.BINARY
    depth: Depth | int = Depth.SHALLOW
    constraints: frozenset[Constraint] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "placement", _coerce(Placement, self.placement, "placement"))
        set_(self, "architecture", _coerce(Architecture, self.architecture, "architecture"))
        set_(self, "task", _coerce(OutputTask, self.task, "task"))
        set_(self, "depth", _coerce_depth(self.depth))
        if isinstance(self.constraints, str):
            raise ValueError("constraints must be a collection, not one string")
        set_(self, "constraints",
             frozenset(_coerce(Constraint, c, "constraints") for c in self.constraints))

    @property
    def layers(self) -> int:
        """The number of hidden layers these answers stand for."""
        return self.depth if isinstance(self.depth, int) else LAYERS_FOR[self.depth]

    @property
    def deep(self) -> bool:
        return self.layers >= DEEP_FROM_LAYERS

    def has(self, constraint: Constraint) -> bool:
        return constraint in self.constraints


def _coerce(enum: type[StrEnum], value: Any, name: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"{name}={value!r} is not one of {allowed}") from None


def _coerce_depth(value: Any) -> Depth | int:
    if isinstance(value, bool):
        raise ValueError("depth must be shallow, deep or a number of layers")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        layers = int(value)
        if not 1 <= layers <= MAX_LAYERS:
            raise ValueError(f"depth must lie between 1 and {MAX_LAYERS} layers, got {layers}")
        return layers
    return _coerce(Depth, value, "depth")


def answers_from_settings(values: Mapping[str, Any]) -> Answers:
    """Answers from the values of :data:`GUIDE_SETTINGS` (missing keys take defaults)."""
    known = {q.key for q in QUESTIONS}
    return Answers(**{k: v for k, v in values.items() if k in known})


# --- the rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """The answers a rule applies to; an empty collection or None means "any"."""

    placement: Placement
    architectures: frozenset[Architecture] = frozenset()
    tasks: frozenset[OutputTask] = frozenset()
    deep: bool | None = None
    constraint: Constraint | None = None

    def __call__(self, answers: Answers) -> bool:
        return (
            answers.placement == self.placement
            and (not self.architectures or answers.architecture in self.architectures)
            and (not self.tasks or answers.task in self.tasks)
            and (self.deep is None or answers.deep == self.deep)
            and (self.constraint is None or answers.has(self.constraint))
        )


def hidden(*architectures: Architecture, deep: bool | None = None,
           constraint: Constraint | None = None) -> When:
    return When(Placement.HIDDEN, frozenset(architectures), deep=deep, constraint=constraint)


def output(*tasks: OutputTask, architectures: Iterable[Architecture] = (),
           constraint: Constraint | None = None) -> When:
    return When(Placement.OUTPUT, frozenset(architectures), frozenset(tasks),
                constraint=constraint)


@dataclass(frozen=True)
class Vote:
    """Weight for (positive) or against (negative) one activation, with the reason why."""

    key: str
    weight: float
    reason: str
    params: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True)
class Rule:
    when: Callable[[Answers], bool]
    votes: tuple[Vote, ...] = ()
    caveat: str = ""


A = Architecture
T = OutputTask
C = Constraint

_LEAKY_CHEAP = "Costs the same as ReLU, but a small slope for x < 0 keeps every unit trainable."
_COSTLY = "Costlier on small hardware: an exp, erf or tanh per element (see the cost page)."
_RELU_FAMILY_ARCHS = (A.MLP, A.CNN, A.DECODER, A.GAN_DISCRIMINATOR)

HIDDEN_DEFAULTS: dict[Architecture, tuple[Vote, ...]] = {
    A.MLP: (
        Vote("relu", 10, "A cheap, robust default for MLPs: slope 1 wherever a unit is active, "
             "so the gradient does not shrink layer after layer."),
        Vote("leaky_relu", 4, _LEAKY_CHEAP),
        Vote("gelu", 3, "A smooth ReLU-like curve; often a little better, a little costlier."),
    ),
    A.CNN: (
        Vote("relu", 10, "The CNN standard (AlexNet, VGG, ResNet): cheap and sparse, and "
             "stable with batch norm placed before it."),
        Vote("leaky_relu", 4, _LEAKY_CHEAP),
        Vote("swish", 3, "EfficientNet's choice: smooth, often slightly more accurate."),
    ),
    A.RNN: (
        Vote("tanh", 10, "LSTM/GRU cells squash the candidate and cell output with tanh: "
             "zero-centred and bounded, so the state stays in range step after step."),
        Vote("sigmoid", 8, "The gates use sigmoid: a share in (0, 1) of what to keep, "
             "forget or let out."),
        Vote("relu", 2, "A plain nn.RNN may use ReLU, but its unbounded state then needs "
             "gradient clipping."),
    ),
    A.TRANSFORMER: (
        Vote("gelu", 10, "BERT, GPT-2 and ViT use GELU in the feed-forward block: smooth, "
             "and it lets small negative values through."),
        Vote("swiglu", 6, "Recent large language models (LLaMA, PaLM) use SwiGLU, a gated "
             "feed-forward block that learns a little more per parameter."),
        Vote("relu", 3, "The original Transformer (2017) and the original T5 used ReLU: "
             "the cheapest option."),
    ),
    A.LLM: (
        Vote("swiglu", 10, "LLaMA and PaLM use SwiGLU, a gated feed-forward block "
             "(Shazeer, 2020): the gate is a SiLU of a second projection."),
        Vote("geglu", 6, "T5 v1.1 uses GEGLU, the same gated block with a GELU gate."),
        Vote("gelu", 3, "GPT-2 and GPT-3 use a plain GELU feed-forward block."),
    ),
    A.GAN_DISCRIMINATOR: (
        Vote("leaky_relu", 10, "DCGAN's choice: a 0.2 slope for x < 0 passes gradient back to "
             "the generator even for samples the discriminator rejects.", (("slope", 0.2),)),
        Vote("prelu", 3, "Learns the negative slope instead of fixing it."),
        Vote("elu", 2, "A smooth alternative that also keeps a gradient for x < 0."),
    ),
    A.DECODER: (
        Vote("relu", 10, "DCGAN's generator and typical VAE decoders use ReLU in their "
             "hidden layers."),
        Vote("leaky_relu", 5, "A common swap when generator units die or gradients are sparse."),
        Vote("swish", 4, "Modern image decoders (Stable Diffusion's VAE) use SiLU.",
             (("beta", 1.0),)),
    ),
    A.DIFFUSION: (
        Vote("swish", 10, "DDPM and Stable Diffusion U-Nets use SiLU (Swish with β = 1): "
             "smooth, and works well with group norm.", (("beta", 1.0),)),
        Vote("gelu", 5, "Diffusion transformers (DiT) use GELU (tanh form) in their "
             "feed-forward blocks."),
        Vote("geglu", 4, "Stable Diffusion's cross-attention transformer blocks use a GEGLU "
             "feed-forward."),
        Vote("mish", 2, "A similar smooth shape, at a little more cost."),
    ),
}
"""The hidden-layer activation each architecture is known for (first), then the runners-up."""

OUTPUT_DEFAULTS: dict[OutputTask, tuple[Vote, ...]] = {
    T.BINARY: (
        Vote("sigmoid", 10, "One probability in (0, 1) for the positive class; pairs with "
             "binary cross-entropy."),
        Vote("softmax", 3, "The same model as two logits with CrossEntropyLoss; handy if "
             "more classes may follow."),
    ),
    T.MULTICLASS: (
        Vote("softmax", 10, "Turns one logit per class into probabilities that sum to 1; "
             "pairs with cross-entropy."),
        Vote("sigmoid", 2, "If an example can have several classes at once, the task is "
             "multi-label: one sigmoid per class."),
    ),
    T.MULTILABEL: (
        Vote("sigmoid", 10, "Labels are not exclusive: an independent sigmoid per label gives "
             "each its own probability."),
        Vote("softmax", 2, "Only if exactly one label is ever true: then it is multi-class."),
    ),
    T.REGRESSION: (
        Vote("identity", 10, "Any real number can be a target: no squashing, so predictions "
             "are never capped."),
        Vote("softplus", 2, "If the target can only be positive."),
        Vote("tanh", 2, "If the target is known to lie in [-1, 1]."),
    ),
    T.BOUNDED: (
        Vote("tanh", 10, "Maps onto (-1, 1) and is zero-centred: matches targets scaled to "
             "[-1, 1]."),
        Vote("identity", 3, "A linear output clipped at prediction time avoids tanh's flat "
             "ends when many targets sit right at ±1."),
        Vote("sigmoid", 2, "For targets in [0, 1] instead."),
    ),
    T.POSITIVE: (
        Vote("softplus", 10, "Smooth and always positive, with a gradient everywhere: suits "
             "variances, rates and scales."),
        Vote("identity", 3, "Or predict log y without bounds and exponentiate afterwards."),
        Vote("relu", 2, "Also never negative, but a prediction stuck at 0 gets no gradient."),
    ),
}
"""The output activation each task calls for (first), then what to try if the task is
really a neighbouring one."""

_DEEP_NOTE = ("Depth needs more than a good activation: normalisation, residual connections "
              "and the matching initialisation matter at least as much.")
_DYING_NOTE = ("Dead units also come from a high learning rate or a large negative bias: "
               "lower the rate, use He init, put batch norm before the activation, and "
               "watch the share of units that are zero for every input.")
_FINE_TUNE_NOTE = ("Keep what the checkpoint uses (ResNet: ReLU, BERT/GPT-2: GELU, "
                   "original T5: ReLU, T5 v1.1: GEGLU, LLaMA: SwiGLU); the snippet builds a "
                   "fresh model, load your weights into the same layers instead.")
_LOGIT_NOTE = ("At inference a hard decision needs no output activation: argmax of the "
               "logits equals argmax of the softmax, and sigmoid(z) > 0.5 exactly when z > 0.")

RULES: tuple[Rule, ...] = (
    # Hidden layers: the architecture's known choice.
    *(Rule(hidden(arch), votes) for arch, votes in HIDDEN_DEFAULTS.items()),
    # Hidden layers, deep.
    Rule(hidden(A.MLP, A.CNN, A.DECODER, deep=True), (
        Vote("swish", 6, "Very deep nets: smooth, non-monotonic Swish often trains a little "
             "better than ReLU (EfficientNet)."),
        Vote("mish", 5, "Behaves like Swish and helped very deep detectors (YOLOv4); a "
             "little slower."),
    ), _DEEP_NOTE),
    Rule(hidden(A.MLP, deep=True), (
        Vote("selu", 5, "Deep MLPs without batch norm: SELU keeps activations near mean 0, "
             "variance 1, given LeCun normal init, standardised inputs and AlphaDropout "
             "instead of Dropout."),
    )),
    Rule(hidden(A.RNN, deep=True), caveat="Many layers or long sequences: prefer LSTM/GRU over "
         "a plain RNN, and clip the gradient norm."),
    Rule(hidden(A.TRANSFORMER, A.LLM, deep=True), caveat="Deep transformers rely on "
         "pre-norm residual blocks and learning-rate warm-up more than on the activation."),
    # Hidden layers, units dying.
    Rule(hidden(*_RELU_FAMILY_ARCHS, constraint=C.DYING_UNITS), (
        Vote("leaky_relu", 12, "Dead ReLUs get zero gradient for every input; a small "
             "negative slope gives them a way back."),
        Vote("elu", 11, "ELU keeps a gradient for x < 0 and pulls mean activations towards "
             "zero."),
    ), _DYING_NOTE),
    Rule(hidden(A.RNN, A.TRANSFORMER, A.LLM, A.DIFFUSION, constraint=C.DYING_UNITS),
         caveat="Smooth or saturating units (tanh, GELU, SiLU) rarely die the way ReLUs do; "
         "check the learning rate and the initialisation, and watch the share of units that "
         "are zero for every input."),
    # Hidden layers, speed.
    Rule(hidden(*(a for a in A if a != A.RNN), constraint=C.EDGE), (
        Vote("relu", 8, "The cheapest non-linearity: one comparison, no exponential; it "
             "fuses with the layer before and quantises cleanly to int8."),
        Vote("leaky_relu", 6, "Nearly as cheap as ReLU: one comparison and one multiply."),
        Vote("gelu", -3, _COSTLY),
        Vote("swish", -3, _COSTLY),
        Vote("mish", -4, _COSTLY),
        Vote("elu", -2, _COSTLY),
        Vote("selu", -2, _COSTLY),
    ), "Measure on the target device: the cost page times every activation on this machine."),
    Rule(hidden(A.RNN, constraint=C.EDGE), caveat="LSTM and GRU fix their activations; for "
         "speed use a GRU (fewer gates) or a smaller hidden state."),
    # Hidden layers, fine-tuning: keep what the checkpoint was trained with.
    *(
        Rule(hidden(arch, constraint=C.FINE_TUNING), (
            Vote(votes[0].key, 20, "Pre-trained weights were learned with this activation; "
                 "swapping it shifts every layer's inputs and wastes what was learned.",
                 votes[0].params),
        ), _FINE_TUNE_NOTE)
        for arch, votes in HIDDEN_DEFAULTS.items()
    ),
    # Output layer: the task decides.
    *(Rule(output(task), votes) for task, votes in OUTPUT_DEFAULTS.items()),
    # Output layer: what the architecture adds.
    Rule(output(T.BOUNDED, architectures=[A.DECODER]), (
        Vote("tanh", 2, "Image decoders (DCGAN, many VAEs) emit pixels scaled to [-1, 1] "
             "through tanh."),
    )),
    Rule(output(T.BINARY, T.MULTILABEL, architectures=[A.DECODER]), (
        Vote("sigmoid", 2, "Pixels in [0, 1]: one sigmoid per pixel with BCEWithLogitsLoss, "
             "as in the classic VAE."),
    )),
    Rule(output(T.MULTICLASS, T.REGRESSION, T.POSITIVE, architectures=[A.DECODER]),
         caveat="Image decoders usually end in tanh (pixels in [-1, 1]) or sigmoid "
         "(pixels in [0, 1])."),
    Rule(output(T.BINARY, architectures=[A.GAN_DISCRIMINATOR]), (
        Vote("sigmoid", 2, "DCGAN's discriminator ends in a sigmoid trained with binary "
             "cross-entropy; in PyTorch prefer one raw logit with BCEWithLogitsLoss, which "
             "applies the sigmoid stably."),
    ), "A WGAN critic outputs an unbounded score instead: no activation and no BCE."),
    Rule(output(*(t for t in T if t != T.BINARY), architectures=[A.GAN_DISCRIMINATOR]),
         caveat="A GAN discriminator usually answers one binary question: real or fake."),
    Rule(output(T.REGRESSION, architectures=[A.DIFFUSION]), (
        Vote("identity", 2, "Diffusion networks predict the added noise, an unbounded "
             "target: no output activation."),
    )),
    Rule(output(*(t for t in T if t != T.REGRESSION), architectures=[A.DIFFUSION]),
         caveat="Diffusion models usually predict noise: an unbounded regression output."),
    Rule(output(T.MULTICLASS, architectures=[A.TRANSFORMER, A.LLM]), (
        Vote("softmax", 2, "Language models end in a softmax over the vocabulary; the loss "
             "takes the logits."),
    )),
    Rule(output(T.BINARY, T.MULTICLASS, T.MULTILABEL, constraint=C.EDGE), caveat=_LOGIT_NOTE),
    Rule(output(constraint=C.FINE_TUNING), caveat="A new task needs a new head: replace the "
         "last layer for the new outputs and keep the body's activations as they are."),
    Rule(output(constraint=C.DYING_UNITS), caveat="Dying units are a hidden-layer problem: "
         "ask the guide about the hidden layers."),
    # Everyone.
    Rule(lambda answers: True, caveat="The activation is a hyperparameter: train two or three "
         "candidates on your own data (the bake-off page does this) before settling."),
)


# --- initialisation and loss ---------------------------------------------------------------


@dataclass(frozen=True)
class InitAdvice:
    """The weight initialisation that suits an activation; ``scheme`` is a snippet init key."""

    scheme: str
    why: str

    @property
    def name(self) -> str:
        return INIT_TEMPLATES[self.scheme].name


_INIT_BY_ARCHITECTURE: dict[Architecture, InitAdvice] = {
    A.RNN: InitAdvice("xavier_uniform", "Xavier/Glorot for the input weights and orthogonal "
                      "recurrent weights, which keep the state's scale across time steps."),
    A.TRANSFORMER: InitAdvice("default", "Keep the library's or the checkpoint's init "
                              "(BERT and GPT-2 draw N(0, 0.02²); nn.Transformer uses "
                              "Xavier uniform)."),
    A.LLM: InitAdvice("default", "Keep the checkpoint's weights, and its library's init "
                      "for any layer you add."),
}


def matching_init(key: str, architecture: Architecture | None = None) -> InitAdvice:
    """The initialisation to pair with an activation (architecture-specific where it is,
    else the catalogue entry's own ``recommended_init``)."""
    spec = get(key)  # unknown keys fail with the catalogue's message
    if architecture is not None and architecture in _INIT_BY_ARCHITECTURE:
        return _INIT_BY_ARCHITECTURE[architecture]
    return InitAdvice(spec.recommended_init, spec.init_reason)


@dataclass(frozen=True)
class LossAdvice:
    """The loss an output layer pairs with, and the PyTorch pitfall that goes with it."""

    loss: str
    activation_in_model: bool
    why: str
    pitfall: str


_LOSS_TEXT: dict[OutputTask, tuple[str, str]] = {
    T.BINARY: (
        "Binary cross-entropy: the log-likelihood of a yes/no label.",
        "nn.BCEWithLogitsLoss takes raw logits and applies the sigmoid itself, stably: put "
        "no nn.Sigmoid before it; apply torch.sigmoid only to read probabilities.",
    ),
    T.MULTICLASS: (
        "Cross-entropy: the log-likelihood of the true class under the softmax.",
        "nn.CrossEntropyLoss takes raw logits and class indices: a softmax layer before it "
        "squashes twice and slows learning; apply softmax only to read probabilities.",
    ),
    T.MULTILABEL: (
        "Binary cross-entropy for each label separately.",
        "nn.BCEWithLogitsLoss on one raw logit per label, with float 0/1 targets of shape "
        "[batch, labels]; not softmax, which would make the labels compete.",
    ),
    T.REGRESSION: (
        "Mean squared error (or nn.L1Loss / nn.HuberLoss when outliers matter).",
        "Do not squash the output: a bounded activation caps every prediction.",
    ),
    T.BOUNDED: (
        "Mean squared or absolute error against targets in [-1, 1].",
        "Scale the targets to [-1, 1] first (images: x / 127.5 - 1); tanh can never reach "
        "a target outside it.",
    ),
    T.POSITIVE: (
        "Mean squared error, or nn.GaussianNLLLoss / nn.PoissonNLLLoss for variances and "
        "rates.",
        "nn.PoissonNLLLoss expects log-rates by default: with a softplus output pass "
        "log_input=False.",
    ),
}


def loss_advice(task: OutputTask | str) -> LossAdvice:
    """The loss for an output task, as the snippets wire it, with why and the pitfall."""
    head = OUTPUT_HEADS[OutputTask(task)]
    why, pitfall = _LOSS_TEXT[head.task]
    return LossAdvice(head.loss, head.in_model, why, pitfall)


# --- the advice ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """One ranked candidate: its catalogue key and parameters, score, reasons and init."""

    key: str
    params: tuple[tuple[str, float | str], ...]
    score: float
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    init: InitAdvice

    @property
    def spec(self) -> ActivationSpec:
        return get(self.key)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def param_dict(self) -> dict[str, float | str]:
        return dict(self.params)

    @property
    def module(self) -> str:
        """The PyTorch module expression, from the catalogue."""
        return self.spec.module_call(self.param_dict)


@dataclass(frozen=True)
class Advice:
    """Everything the guide says for one set of answers."""

    answers: Answers
    ranked: tuple[Recommendation, ...]
    loss: LossAdvice | None
    caveats: tuple[str, ...]
    snippet: str
    body: Recommendation
    """The hidden-layer activation the snippet builds with (the best one for hidden layers)."""

    @property
    def best(self) -> Recommendation:
        return self.ranked[0]

    @property
    def alternatives(self) -> tuple[Recommendation, ...]:
        """What to try next, best first."""
        return self.ranked[1:]

    @property
    def init(self) -> InitAdvice:
        return self.best.init


def _strongest_first(texts: Mapping[str, list[tuple[float, str]]], key: str) -> tuple[str, ...]:
    return tuple(text for _, text in sorted(texts.get(key, ()), key=lambda item: -item[0]))


def _init_for(key: str, answers: Answers) -> InitAdvice:
    """Hidden layers: the activation's own scheme. Output layer: the body's, as the snippet."""
    if answers.placement == Placement.OUTPUT:
        body = _hidden_body(answers)
        return InitAdvice(body.init.scheme, "The output layer is initialised like the hidden "
                          f"layers ({body.name}: {body.init.name}); the output activation "
                          "decides the loss, not the init.")
    return matching_init(key, answers.architecture)


def _rank(answers: Answers, rules: Iterable[Rule]) -> tuple[list[Recommendation], list[str]]:
    scores: dict[str, float] = {}
    reasons: dict[str, list[tuple[float, str]]] = {}
    concerns: dict[str, list[tuple[float, str]]] = {}
    params: dict[str, tuple[float, tuple[tuple[str, float | str], ...]]] = {}
    caveats: list[str] = []
    for rule in rules:
        if not rule.when(answers):
            continue
        if rule.caveat and rule.caveat not in caveats:
            caveats.append(rule.caveat)
        for vote in rule.votes:
            scores[vote.key] = scores.get(vote.key, 0.0) + vote.weight
            bucket = reasons if vote.weight > 0 else concerns
            bucket.setdefault(vote.key, []).append((abs(vote.weight), vote.reason))
            if vote.params and vote.weight > params.get(vote.key, (float("-inf"), ()))[0]:
                params[vote.key] = (vote.weight, vote.params)
    order = list(scores)  # first vote first: breaks ties in the rules' own order
    ranked = sorted((k for k in order if scores[k] > 0), key=lambda k: (-scores[k], order.index(k)))
    recommendations = [
        Recommendation(
            key, params.get(key, (0.0, ()))[1], scores[key], _strongest_first(reasons, key),
            _strongest_first(concerns, key), _init_for(key, answers),
        )
        for key in ranked[:MAX_RANKED]
    ]
    return recommendations, caveats


_SNIPPET_TASK: dict[Architecture, OutputTask] = {
    A.MLP: T.BINARY, A.CNN: T.MULTICLASS, A.RNN: T.BINARY, A.TRANSFORMER: T.MULTICLASS,
    A.LLM: T.MULTICLASS,
    A.GAN_DISCRIMINATOR: T.BINARY, A.DECODER: T.BOUNDED, A.DIFFUSION: T.REGRESSION,
}
"""The head a hidden-layer snippet gets: what that architecture usually outputs."""


def _snippet(answers: Answers, body: Recommendation, task: OutputTask) -> str:
    """PyTorch code for the answers: the body's activation in that architecture, the head."""
    layers = min(answers.layers, MAX_DEPTH)
    if answers.architecture == A.RNN:
        cell = "rnn" if body.key == "relu" else "lstm"
        key = "relu" if cell == "rnn" else "tanh"
        return rnn_snippet(cell, key, depth=min(layers, 3), output_task=task)
    if answers.architecture in (A.TRANSFORMER, A.LLM):
        return transformer_snippet(body.key, body.param_dict, depth=min(layers, 12),
                                   output_task=task)
    if answers.architecture == A.CNN:
        return cnn_snippet(body.key, body.param_dict, depth=layers, init=body.init.scheme,
                           output_task=task)
    return model_snippet(body.key, body.param_dict, depth=layers, init=body.init.scheme,
                         output_task=task)


def _elementwise_body(ranked: Iterable[Recommendation]) -> Recommendation:
    """The best candidate a plain layer can hold (gated ones need a wider projection)."""
    return next(r for r in ranked if get(r.key).kind == "elementwise")


def _hidden_body(answers: Answers) -> Recommendation:
    """The hidden-layer activation that goes with these answers, whatever the placement."""
    ranked, _ = _rank(replace(answers, placement=Placement.HIDDEN), RULES)
    return _elementwise_body(ranked)


def advise(answers: Answers) -> Advice:
    """Rank the activations for these answers and explain the choice."""
    ranked, caveats = _rank(answers, RULES)
    if answers.placement == Placement.OUTPUT:
        body = _hidden_body(answers)
        task = answers.task
        loss: LossAdvice | None = loss_advice(task)
    else:
        body = _elementwise_body(ranked)
        task = _SNIPPET_TASK[answers.architecture]
        loss = None
    if answers.layers > MAX_DEPTH:
        caveats.insert(-1, f"The snippet stops at {MAX_DEPTH} layers to stay readable.")
    snippet = _snippet(answers, body, task)
    return Advice(answers, tuple(ranked), loss, tuple(caveats), snippet, body)
