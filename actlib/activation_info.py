"""What the activation catalogue says about each activation, importable without torch.

The catalogue's metadata: names, kinds and parameters, formulas in LaTeX, the PyTorch
names, history and sources, advice, colours, measured costs and recommended
initialisations, the key lists the pages offer (elementwise, hidden-layer, bake-off),
typed-formula and stack keys, and the colour scale every chart uses. The home page, the
navigation and the chart theme need only this, so they render before torch is loaded;
:mod:`actlib.activations` joins each entry to its torch implementation (forward,
derivative, module) and is where an activation is computed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["elementwise", "vector", "gated"]
Params = Mapping[str, float | str]


@dataclass(frozen=True)
class Param:
    """One adjustable parameter of an activation: a number in a range, or a choice."""

    key: str
    label: str
    default: float | str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def validate(self, value: float | str) -> float | str:
        """Return the value if allowed, else raise ValueError naming the allowed range."""
        if self.is_choice:
            if value not in self.choices:
                raise ValueError(f"{self.key} must be one of {', '.join(self.choices)}")
            return value
        number = float(value)
        if not (self.low <= number <= self.high):
            raise ValueError(f"{self.key} must lie between {self.low:g} and {self.high:g}")
        return number


@dataclass(frozen=True)
class ActivationInfo:
    """What the app says about one activation function, without computing it: names,
    formulas, history, advice, colour and cost. :class:`actlib.activations.ActivationSpec`
    adds the torch implementation."""

    key: str
    name: str
    kind: Kind
    latex: str
    derivative_latex: str
    module: str
    functional: str
    year: int
    origin: str
    use_when: str
    color: str
    params: tuple[Param, ...] = ()
    learnable: bool = False
    reference: bool = False
    sources: tuple[str, ...] = ()
    """The publications behind ``year``, ``origin`` and the uses named in it."""
    module_for: Callable[[Mapping[str, float | str]], str] | None = field(default=None,
                                                                           repr=False)
    """Where the module expression depends on the parameters (nn.SiLU is Swish only at
    beta = 1): resolved parameters -> expression, ``(no module: ...)`` where none exists."""
    dark_color: str | None = None
    """The colour on the presenter view's dark background where ``color`` is too dark
    there (under 3:1 against it); None keeps ``color``. Tested for contrast and for
    staying apart from every other activation's colour (tests/test_palette.py)."""
    gate: str | None = None
    """For a gated unit, the catalogue key of its gate's elementwise activation (SwiGLU's is
    SiLU): the engine's MLP holds only elementwise units, so a bake-off trains the gate's
    activation as the unit's stand-in."""
    latex_forms: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    """Per value of a ``form`` parameter: (formula, derivative) when they differ from
    ``latex`` and ``derivative_latex`` (GELU's tanh approximation)."""
    cost_ns: float | None = None
    """Forward plus backward per element, as the engine applies it (one thread, fastest of
    repeated timings; Mish and the learned-slope PReLU cost 7x ReLU): the training cost
    model's input. Every entry the engine can train has one; gated units (None) are not
    trained."""
    recommended_init: str = "default"
    """The weight initialisation that suits this activation (a key of
    :data:`actlib.vocabulary.INIT_LABELS`), and ``init_reason``, why: the guide's advice."""
    init_reason: str = ""

    @property
    def trainable(self) -> bool:
        """Can the engine's MLP hold it? Gated units halve their input's width: no."""
        return self.kind != "gated"

    def defaults(self) -> dict[str, float | str]:
        """The default value of every parameter, by key."""
        return {p.key: p.default for p in self.params}

    def resolve(self, params: Params | None = None) -> dict[str, float | str]:
        """Defaults overlaid with the given parameters, each checked against its range."""
        known = {p.key: p for p in self.params}
        values = self.defaults()
        for key, value in (params or {}).items():
            if key not in known:
                raise ValueError(f"{self.name} has no parameter {key!r}")
            values[key] = known[key].validate(value)
        return values

    def module_call(self, params: Params | None = None) -> str:
        """The PyTorch module expression with this parameter set filled in; it computes
        exactly this function, or reads ``(no module: ...)`` where torch has no module."""
        values = self.resolve(params)
        if self.module_for is not None:
            return self.module_for(values)
        return self.module.format(**values)

    def formula(self, params: Params | None = None) -> tuple[str, str]:
        """(LaTeX of f, LaTeX of f') for this parameter set: the form that is computed."""
        form = self.resolve(params).get("form")
        return self.latex_forms.get(str(form), (self.latex, self.derivative_latex))

    def functional_call(self, params: Params | None = None) -> str:
        """The functional expression, applied to ``x``, with parameters filled in."""
        return self.functional.format(**self.resolve(params))


# --- the catalogue's entries ----------------------------------------------------------

_HE_INIT = ("He/Kaiming: ReLU-like units pass about half of the signal, so the weights start "
            "with doubled variance (2/fan_in) to keep its scale through depth.")
_XAVIER_INIT = ("Xavier/Glorot: these functions are nearly linear around 0, and weights that "
                "keep the variance equal in and out keep the units off their flat ends.")
_SLOPE = Param("slope", "Negative slope a", 0.01, 0.001, 0.5, 0.001, help="f(x) = a·x for x < 0")

CATALOGUE_INFO: tuple[ActivationInfo, ...] = (
    ActivationInfo(
        key="identity",
        name="Identity (linear)",
        kind="elementwise",
        latex=r"f(x) = x",
        derivative_latex=r"f'(x) = 1",
        module="nn.Identity()",
        functional="x",
        year=1960,
        origin="ADALINE's linear unit (Widrow and Hoff, 1960); the baseline that shows why "
        "depth needs a non-linearity",
        use_when="Output layer of an unbounded regression; never in hidden layers",
        color="#777777",
        reference=True,
        sources=("B. Widrow and M. E. Hoff (1960), 'Adaptive switching circuits', IRE WESCON "
                 "Convention Record 4, 96-104",),
        cost_ns=0.8,
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="step",
        name="Step (Heaviside)",
        kind="elementwise",
        latex=r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = 0 \text{ for } x \ne 0 \text{ (undefined at 0)}",
        module="(no module)",
        functional="torch.heaviside(x, torch.zeros_like(x))",
        year=1943,
        origin="McCulloch and Pitts's threshold neuron; Rosenblatt's perceptron (1958)",
        use_when="Historical reference only: its zero derivative gives gradient descent nothing",
        color="#000000",
        dark_color="#e6e6e6",
        reference=True,
        sources=("W. S. McCulloch and W. Pitts (1943), 'A logical calculus of the ideas "
                 "immanent in nervous activity', Bull. Math. Biophysics 5, 115-133",
                 "F. Rosenblatt (1958), 'The perceptron: a probabilistic model for information "
                 "storage and organization in the brain', Psychological Review 65, 386-408"),
        cost_ns=3.1,
        recommended_init="default",
        init_reason="Any: the step's zero derivative leaves nothing to train.",
    ),
    ActivationInfo(
        key="sigmoid",
        name="Sigmoid (logistic)",
        kind="elementwise",
        latex=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative_latex=r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
        module="nn.Sigmoid()",
        functional="torch.sigmoid(x)",
        year=1986,
        origin="Backpropagation era (Rumelhart, Hinton and Williams)",
        use_when="Binary outputs and gates (LSTM/GRU); avoid in deep hidden stacks",
        color="#E69F00",
        sources=("D. E. Rumelhart, G. E. Hinton and R. J. Williams (1986), 'Learning "
                 "representations by back-propagating errors', Nature 323, 533-536",),
        cost_ns=1.8,
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="tanh",
        name="Tanh",
        kind="elementwise",
        latex=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative_latex=r"\tanh'(x) = 1 - \tanh^2(x)",
        module="nn.Tanh()",
        functional="torch.tanh(x)",
        year=1998,
        origin="Zero-centred, so preferred to the logistic sigmoid (as 1.7159·tanh(2x/3)) by "
        "LeCun, Bottou, Orr and Müller (1998), 'Efficient BackProp'",
        use_when="RNN/LSTM cells and outputs bounded in [-1, 1]; use Xavier init",
        color="#56B4E9",
        sources=("Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller (1998), 'Efficient "
                 "BackProp', in Neural Networks: Tricks of the Trade, LNCS 1524, 9-50",),
        cost_ns=4.2,
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="relu",
        name="ReLU",
        kind="elementwise",
        latex=r"f(x) = \max(0, x)",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        module="nn.ReLU()",
        functional="torch.relu(x)",
        year=2010,
        origin="Nair and Hinton (2010); Glorot et al. (2011); AlexNet (2012)",
        use_when="Default for hidden layers of MLPs and CNNs, with He initialisation",
        color="#0072B2",
        sources=("V. Nair and G. E. Hinton (2010), 'Rectified linear units improve restricted "
                 "Boltzmann machines', ICML",
                 "X. Glorot, A. Bordes and Y. Bengio (2011), 'Deep sparse rectifier neural "
                 "networks', AISTATS",
                 "A. Krizhevsky, I. Sutskever and G. E. Hinton (2012), 'ImageNet "
                 "classification with deep convolutional neural networks', NeurIPS"),
        cost_ns=1.5,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="leaky_relu",
        name="Leaky ReLU",
        kind="elementwise",
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module="nn.LeakyReLU(negative_slope={slope:g})",
        functional="F.leaky_relu(x, negative_slope={slope:g})",
        year=2013,
        origin="Maas, Hannun and Ng (2013)",
        use_when="When ReLU units die; GAN discriminators (a = 0.2)",
        color="#009E73",
        params=(_SLOPE,),
        sources=("A. L. Maas, A. Y. Hannun and A. Y. Ng (2013), 'Rectifier nonlinearities "
                 "improve neural network acoustic models', ICML Workshop on Deep Learning "
                 "for Audio, Speech and Language Processing",
                 "A. Radford, L. Metz and S. Chintala (2016), 'Unsupervised representation "
                 "learning with deep convolutional generative adversarial networks' (DCGAN: "
                 "slope 0.2 in the discriminator), ICLR"),
        cost_ns=1.5,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="prelu",
        name="PReLU",
        kind="elementwise",
        latex=r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},\ a \text{ learned}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        module="nn.PReLU(init={slope:g})",
        functional="F.prelu(x, weight)",
        year=2015,
        origin="He et al. (2015), 'Delving Deep into Rectifiers'",
        use_when="Let the network learn the negative slope; large data sets",
        color="#44AA99",
        params=(
            Param("slope", "Initial slope a", 0.25, 0.0, 0.5, 0.01, help="learned in training"),
        ),
        learnable=True,
        sources=("K. He, X. Zhang, S. Ren and J. Sun (2015), 'Delving deep into rectifiers: "
                 "surpassing human-level performance on ImageNet classification', ICCV",),
        cost_ns=10.5,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="elu",
        name="ELU",
        kind="elementwise",
        latex=r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        derivative_latex=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        module="nn.ELU(alpha={alpha:g})",
        functional="F.elu(x, alpha={alpha:g})",
        year=2015,
        origin="Clevert, Unterthiner and Hochreiter (2015)",
        use_when="Mean activations nearer zero than ReLU; when units die",
        color="#CC79A7",
        params=(Param("alpha", "Alpha", 1.0, 0.1, 3.0, 0.1, help="negative saturation at -alpha"),),
        sources=("D.-A. Clevert, T. Unterthiner and S. Hochreiter (2015), 'Fast and accurate "
                 "deep network learning by exponential linear units (ELUs)', "
                 "arXiv:1511.07289",),
        cost_ns=3.3,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="selu",
        name="SELU",
        kind="elementwise",
        latex=(
            r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 "
            r"\end{cases},\ \lambda \approx 1.0507,\ \alpha \approx 1.6733"
        ),
        derivative_latex=(
            r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}"
        ),
        module="nn.SELU()",
        functional="F.selu(x)",
        year=2017,
        origin="Klambauer et al. (2017), self-normalising networks",
        use_when="Plain deep MLPs, with what self-normalisation assumes: LeCun normal "
        "init, standardised inputs, AlphaDropout instead of Dropout, no batch norm",
        color="#882255",
        dark_color="#d9609c",
        sources=("G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter (2017), "
                 "'Self-normalizing neural networks', NeurIPS (LeCun normal init, "
                 "standardised inputs and alpha dropout are part of the method)",),
        cost_ns=3.2,
        recommended_init="lecun",
        init_reason="LeCun normal (variance 1/fan_in): the assumption under "
                    "SELU's self-normalisation.",
    ),
    ActivationInfo(
        key="gelu",
        name="GELU",
        kind="elementwise",
        latex=(
            r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}"
            r"\frac{x}{\sqrt{2}}\right)"
        ),
        derivative_latex=r"f'(x) = \Phi(x) + x\,\varphi(x)",
        module="nn.GELU(approximate='{form}')",
        functional="F.gelu(x, approximate='{form}')",
        year=2016,
        origin="Hendrycks and Gimpel (2016); used in BERT, GPT and GPT-2 (the original T5 "
        "used ReLU; T5 v1.1 uses GEGLU)",
        use_when="Transformers and very deep networks; keep it when fine-tuning",
        color="#D55E00",
        params=(
            Param(
                "form",
                "Form",
                "none",
                choices=("none", "tanh"),
                help="'none' is the exact erf form, 'tanh' the approximation",
            ),
        ),
        latex_forms={
            "tanh": (
                r"f(x) \approx \frac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,"
                r"(x + 0.044715\,x^{3})\right)\right)",
                r"f'(x) = \tfrac{1}{2}(1 + t) + \tfrac{x}{2}(1 - t^{2})\sqrt{2/\pi}\,"
                r"(1 + 0.134145\,x^{2}),\ t = \tanh\left(\sqrt{2/\pi}\,"
                r"(x + 0.044715\,x^{3})\right)",
            ),
        },
        sources=("D. Hendrycks and K. Gimpel (2016), 'Gaussian error linear units (GELUs)', "
                 "arXiv:1606.08415 (both forms)",
                 "J. Devlin, M.-W. Chang, K. Lee and K. Toutanova (2019), 'BERT: pre-training "
                 "of deep bidirectional transformers for language understanding', NAACL",
                 "A. Radford, K. Narasimhan, T. Salimans and I. Sutskever (2018), 'Improving "
                 "language understanding by generative pre-training' (GPT), OpenAI",
                 "C. Raffel et al. (2020), 'Exploring the limits of transfer learning with a "
                 "unified text-to-text transformer', JMLR 21 (T5: ReLU in the feed-forward "
                 "block)"),
        cost_ns=4.2,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="swish",
        name="Swish / SiLU",
        kind="elementwise",
        latex=r"f(x) = x\,\sigma(\beta x)",
        derivative_latex=r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
        module="nn.SiLU()",
        functional="x * torch.sigmoid({beta:g} * x)",
        year=2016,
        origin="x·σ(x) first proposed by Hendrycks and Gimpel (2016); SiLU by Elfwing, Uchibe "
        "and Doya (2017); with β as Swish by Ramachandran, Zoph and Le (2017)",
        use_when="Deep CNNs (EfficientNet) and diffusion models (SiLU)",
        color="#332288",
        dark_color="#8f84e8",
        params=(Param("beta", "Beta", 1.0, 0.1, 10.0, 0.1, help="beta = 1 is SiLU"),),
        module_for=lambda v: ("nn.SiLU()" if float(v["beta"]) == 1.0 else
                              f"(no module: x * torch.sigmoid({float(v['beta']):g} * x))"),
        sources=("D. Hendrycks and K. Gimpel (2016), 'Gaussian error linear units (GELUs)', "
                 "arXiv:1606.08415 (x·σ(x) as the SiLU)",
                 "S. Elfwing, E. Uchibe and K. Doya (2017), 'Sigmoid-weighted linear units for "
                 "neural network function approximation in reinforcement learning', "
                 "arXiv:1702.03118",
                 "P. Ramachandran, B. Zoph and Q. V. Le (2017), 'Searching for activation "
                 "functions', arXiv:1710.05941",
                 "M. Tan and Q. V. Le (2019), 'EfficientNet: rethinking model scaling for "
                 "convolutional neural networks', ICML"),
        cost_ns=3.7,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="mish",
        name="Mish",
        kind="elementwise",
        latex=r"f(x) = x \tanh(\ln(1 + e^{x}))",
        derivative_latex=(
            r"f'(x) = \tanh(\mathrm{sp}(x)) + x\,\mathrm{sech}^2(\mathrm{sp}(x))\,\sigma(x)"
        ),
        module="nn.Mish()",
        functional="F.mish(x)",
        year=2019,
        origin="Misra (2019); used in YOLOv4 (2020)",
        use_when="Very deep CNNs where its small accuracy gains are worth the cost",
        color="#999933",
        sources=("D. Misra (2019), 'Mish: a self regularized non-monotonic activation "
                 "function', arXiv:1908.08681",
                 "A. Bochkovskiy, C.-Y. Wang and H.-Y. M. Liao (2020), 'YOLOv4: optimal speed "
                 "and accuracy of object detection', arXiv:2004.10934"),
        cost_ns=10.8,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="softplus",
        name="Softplus",
        kind="elementwise",
        latex=r"f(x) = \ln(1 + e^{x})",
        derivative_latex=r"f'(x) = \sigma(x)",
        module="nn.Softplus()",
        functional="F.softplus(x)",
        year=2001,
        origin="Dugas et al. (2001), a smooth ReLU",
        use_when="When a strictly positive output is needed (variances, rates)",
        color="#AA4499",
        sources=("C. Dugas, Y. Bengio, F. Bélisle, C. Nadeau and R. Garcia (2001), "
                 "'Incorporating second-order functional knowledge for better option pricing', "
                 "NeurIPS 13",),
        cost_ns=3.6,
        recommended_init="he",
        init_reason=_HE_INIT,
    ),
    ActivationInfo(
        key="softmax",
        name="Softmax",
        kind="vector",
        latex=r"\mathrm{softmax}(x)_i = \frac{e^{x_i / T}}{\sum_j e^{x_j / T}}",
        derivative_latex=(
            r"\frac{\partial s_i}{\partial x_j} = \frac{1}{T}\, s_i\,(\delta_{ij} - s_j)"
        ),
        module="nn.Softmax(dim=-1)",
        functional="torch.softmax(x / {temperature:g}, dim=-1)",
        year=1989,
        origin="Bridle (1989), from the Boltzmann distribution",
        use_when="Output layer of multi-class classification (CrossEntropyLoss takes logits)",
        color="#117733",
        params=(
            Param("temperature", "Temperature T", 1.0, 0.05, 20.0, 0.05, help="T→0: argmax"),
        ),
        module_for=lambda v: (
            "nn.Softmax(dim=-1)" if float(v["temperature"]) == 1.0 else
            f"(no module: torch.softmax(x / {float(v['temperature']):g}, dim=-1))"),
        sources=("J. S. Bridle (1989), 'Training stochastic model recognition algorithms as "
                 "networks can lead to maximum mutual information estimation of parameters', "
                 "NeurIPS 2",),
        cost_ns=5.0,
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="glu",
        name="GLU",
        kind="gated",
        gate="sigmoid",
        latex=r"\mathrm{GLU}(a, b) = a \otimes \sigma(b)",
        derivative_latex=(
            r"\frac{\partial}{\partial a} = \sigma(b),\ "
            r"\frac{\partial}{\partial b} = a\,\sigma'(b)"
        ),
        module="nn.GLU(dim=-1)",
        functional="F.glu(x, dim=-1)",
        year=2016,
        origin="Dauphin et al. (2016), gated convolutional language models",
        use_when="Gated feed-forward blocks; halves the width of its input",
        color="#6699CC",
        sources=("Y. N. Dauphin, A. Fan, M. Auli and D. Grangier (2016), 'Language modeling "
                 "with gated convolutional networks', arXiv:1612.08083",),
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="swiglu",
        name="SwiGLU",
        kind="gated",
        gate="swish",
        latex=r"\mathrm{SwiGLU}(a, b) = a \otimes \mathrm{SiLU}(b)",
        derivative_latex=(
            r"\frac{\partial}{\partial a} = \mathrm{SiLU}(b),\ "
            r"\frac{\partial}{\partial b} = a\,\mathrm{SiLU}'(b)"
        ),
        module="(no module: a, b = x.chunk(2, -1); a * F.silu(b))",
        functional="a * F.silu(b)",
        year=2020,
        origin="Shazeer (2020), 'GLU Variants Improve Transformer'; LLaMA, PaLM",
        use_when="Transformer feed-forward blocks of large language models",
        color="#661100",
        dark_color="#b9733f",
        sources=("N. Shazeer (2020), 'GLU variants improve transformer', arXiv:2002.05202",
                 "H. Touvron et al. (2023), 'LLaMA: open and efficient foundation language "
                 "models', arXiv:2302.13971",
                 "A. Chowdhery et al. (2022), 'PaLM: scaling language modeling with "
                 "pathways', arXiv:2204.02311"),
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
    ActivationInfo(
        key="geglu",
        name="GEGLU",
        kind="gated",
        gate="gelu",
        latex=r"\mathrm{GEGLU}(a, b) = a \otimes \mathrm{GELU}(b)",
        derivative_latex=(
            r"\frac{\partial}{\partial a} = \mathrm{GELU}(b),\ "
            r"\frac{\partial}{\partial b} = a\,\mathrm{GELU}'(b)"
        ),
        module="(no module: a, b = x.chunk(2, -1); a * F.gelu(b))",
        functional="a * F.gelu(b)",
        year=2020,
        origin="Shazeer (2020), 'GLU Variants Improve Transformer'; T5 v1.1",
        use_when="Transformer feed-forward blocks",
        color="#888888",
        sources=("N. Shazeer (2020), 'GLU variants improve transformer', arXiv:2002.05202",
                 "T5 v1.1 release notes, github.com/google-research/"
                 "text-to-text-transfer-transformer (released_checkpoints.md): GEGLU "
                 "feed-forward"),
        recommended_init="xavier_uniform",
        init_reason=_XAVIER_INIT,
    ),
)


ACTIVATION_INFO: dict[str, ActivationInfo] = {info.key: info for info in CATALOGUE_INFO}
ELEMENTWISE_KEYS: tuple[str, ...] = tuple(
    s.key for s in CATALOGUE_INFO if s.kind == "elementwise"
)
"""Activations that act on each unit alone: the ones a hidden layer of the engine can use."""
HIDDEN_LAYER_KEYS: tuple[str, ...] = tuple(
    k for k in ELEMENTWISE_KEYS if k not in ("identity", "step")
)
"""The non-linear, trainable elementwise activations: the usual candidates for a hidden layer."""
BAKE_OFF_KEYS: tuple[str, ...] = (
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "swish", "mish",
)
"""The nine activations the app compares by default when it compares 'all of them'."""


def lookup(key: str) -> ActivationInfo:
    """What the catalogue says about a key, with a message listing the valid keys when it
    is unknown. A typed formula's key (``f:<formula>``) is parsed into its spec, which
    imports torch: only a page that offers formulas meets one."""
    try:
        return ACTIVATION_INFO[key]
    except KeyError:
        if is_custom(key):
            from actlib.activations import get

            return get(key)
        raise KeyError(f"unknown activation {key!r}; known: {', '.join(ACTIVATION_INFO)}") from None


CUSTOM_PREFIX = "f:"
"""Keys of typed formulas: ``f:`` and the formula's canonical text (``f:x * sigmoid(x)``)."""
FORMULA_OPTION = "formula"
"""The option an activation picker offers for the page's typed formula (``act=formula``,
the formula itself in its own setting, ``fx=``)."""
FORMULA_LABEL = "Your formula"
DEFAULT_FORMULA = "x * sigmoid(1.702 * x)"
"""The formula a page starts with: the sigmoid approximation of GELU (Hendrycks and Gimpel,
2016), close to a catalogue entry but not one of them."""


def is_custom(key: str) -> bool:
    """Is ``key`` a typed formula rather than a catalogue entry?"""
    return isinstance(key, str) and key.startswith(CUSTOM_PREFIX)


def is_hidden_layer_key(key: str) -> bool:
    """May a hidden layer of the engine use it? The usual candidates, and typed formulas
    (elementwise by construction)."""
    return key in HIDDEN_LAYER_KEYS or is_custom(key)


# --- stacks: one activation per hidden layer ---------------------------------------------

STACK_SEPARATOR = "→"
"""Joins the layer keys of a stack into one key (``relu→tanh→gelu``): the key that frames,
charts and tables group a stacked model by, next to plain keys. No catalogue key and no
formula (its parser knows no such character) contains it, so a stack key is never mistaken
for one activation."""
STACK_NAME_SEPARATOR = " → "


def is_stack_key(key: str) -> bool:
    """Is ``key`` a stack (one activation per hidden layer) rather than one activation?"""
    return isinstance(key, str) and STACK_SEPARATOR in key


def stack_key(keys: Sequence[str]) -> str:
    """The key of a stack of layer keys; a single key stays itself."""
    return STACK_SEPARATOR.join(keys)


def stack_keys(key: str) -> tuple[str, ...]:
    """The layer keys of a stack key (one key for a plain activation)."""
    return tuple(key.split(STACK_SEPARATOR))


def display_name(key: str) -> str:
    """The name a student reads: the catalogue name, or a stack's names joined by arrows
    (``ReLU → tanh → GELU``)."""
    return STACK_NAME_SEPARATOR.join(lookup(k).name for k in stack_keys(key))


STACK_COLORS: tuple[str, ...] = ("#7570B3", "#E7298A", "#A6761D", "#66A61E", "#B15928",
                                 "#6A3D9A")
"""Colours for stacks, none of them a catalogue activation's: a stack drawn beside its own
layers' activations (ReLU, ReLU → Tanh) must not look like one of them."""
STACK_COLORS_DARK: dict[str, str] = {"#6A3D9A": "#B850F8"}
"""The dark theme's variant of each stack colour too dark on its background (2.5:1, under
the 3:1 lines need); the others carry as they are (3.9:1 and more)."""


def entry_color(key: str) -> str:
    """The colour of an activation; a stack's is one of :data:`STACK_COLORS`, chosen by its
    key (the same on every page and in every session)."""
    if not is_stack_key(key):
        return lookup(key).color
    return STACK_COLORS[zlib.crc32(key.encode()) % len(STACK_COLORS)]


def color_scale(keys: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(display names, colours) in the given order, for an Altair colour scale; a stack key
    gets its arrowed name and its own colour, the next free stack colour when another
    stack in ``keys`` has taken it."""
    colors: list[str] = []
    for key in keys:
        color = entry_color(key)
        if is_stack_key(key) and color in colors:
            color = next((c for c in STACK_COLORS if c not in colors), color)
        colors.append(color)
    return [display_name(k) for k in keys], colors
