"""Lecture scenes: named page states, each a link with a title and what to notice.

A scene is data, not code: the page it opens, the query parameters of that page's state (in
their URL form, exactly what a lecturer would paste), the settings whose controls it tucks
away in the presenter view, and one line for the class. Every parameter is checked against
the page's own declaration (:func:`actlib.page_settings.settings_of`), so a scene cannot
drift from the page it opens; a warm-up can iterate :data:`SCENES` and train each state.
Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actlib.page_settings import settings_of
from actlib.settings import PageSettings, read_url_value

TOPIC_STEMS: tuple[str, ...] = (
    "nonlinearity", "playground", "shapes", "gradients", "dead_relu", "guide",
)
"""The topic pages, each with at least three scenes (home is not a topic page)."""

PROGRESS_KEYS: Mapping[str, frozenset[str]] = {
    "playground": frozenset({"p_steps", "p_lrs"}),
}
"""Settings that record how far a run has gone rather than a choice: pressing Play moves
them, and the scene is still the one the lecturer opened."""

ParamValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Scene:
    """One prepared state of one page.

    ``params`` holds the page's query parameters in URL form (a tuple for a repeated key);
    ``hide`` names settings whose controls the scene tucks away (presenter view).
    """

    id: str
    page: str
    title: str
    notice: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    hide: tuple[str, ...] = ()

    @property
    def settings(self) -> PageSettings:
        settings = settings_of(self.page)
        if settings is None:
            raise ValueError(f"scene {self.id}: page {self.page!r} has no settings")
        return settings

    def query(self) -> dict[str, list[str]]:
        """The page's query parameters of this scene, each as a list of URL values."""
        return {k: [v] if isinstance(v, str) else list(v) for k, v in self.params.items()}

    def problems(self) -> list[str]:
        """What the page would reject in this scene's parameters (empty when clean)."""
        settings = self.settings
        found = [f"{key} is not a setting of {self.page}"
                 for key in settings.unknown_keys(list(self.params))]
        for key, raw in self.query().items():
            if key in settings.key_list():
                reading = read_url_value(settings[key], raw)
                if reading.problem:
                    found.append(reading.problem)
        found += [f"hide={key} is not a setting of {self.page}"
                  for key in self.hide if key not in settings.key_list()]
        return found

    def values(self) -> dict[str, Any]:
        """Every setting of the page as this scene sets it (defaults for the rest)."""
        settings = self.settings
        values = settings.defaults()
        for key, raw in self.query().items():
            values[key] = read_url_value(settings[key], raw).value
        return values

    def matches(self, current: Mapping[str, Any]) -> bool:
        """True while ``current`` (the page's values now) is still this scene's state."""
        ignored = PROGRESS_KEYS.get(self.page, frozenset())
        wanted = self.values()
        return all(current.get(k) == v for k, v in wanted.items() if k not in ignored)


def _from_values(stem: str, values: Mapping[str, Any],
                 always: Sequence[str] = ()) -> dict[str, ParamValue]:
    """URL parameters of ``values`` on page ``stem``, defaults left out (as the page's
    own links leave them out) except the keys in ``always`` (a scene names its tab)."""
    settings = settings_of(stem)
    assert settings is not None
    params: dict[str, ParamValue] = {}
    for setting in settings:
        value = values.get(setting.key, setting.default)
        if value != setting.default or setting.key in always:
            text = setting.serialize(value)
            params[setting.key] = text[0] if len(text) == 1 else tuple(text)
    return params


class _GradientScenario(Mapping[str, ParamValue]):
    """The Gradients page's own lecture scenario ``key`` as scene parameters (one
    definition), worked out when first read.

    The scenarios live with that page's settings, whose declaration imports the training
    engine and so torch; the home page and the Scenes menu list every scene by its title
    and must not wait for torch, so the parameters are computed by the first caller that
    opens, checks or compares the scene. Two threads reading at once compute the same dict.
    """

    def __init__(self, key: str) -> None:
        self._key = key
        self._params: dict[str, ParamValue] | None = None

    def _resolved(self) -> dict[str, ParamValue]:
        if self._params is None:
            from actlib.page_settings.gradients import scenario_values

            self._params = _from_values("gradients", scenario_values(self._key),
                                        always=("view",))
        return self._params

    def __getitem__(self, key: str) -> ParamValue:
        return self._resolved()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())

    def __repr__(self) -> str:
        return f"_GradientScenario({self._key!r})"


_TRAINING_CONTROLS = ("seed", "opt", "init", "chart", "inspect", "layer")
"""The Dead ReLU monitor's controls a presenter does not need to show."""
_RUN_CONTROLS = (*_TRAINING_CONTROLS, "data", "bias", "bn", "depth", "width", "steps")
"""...and those a scene about the learning rate does not need either: its result then
starts on the first screen at 1920 × 1080."""
_GRADIENT_CONTROLS = ("seed", "data", "theory", "width")

SCENES: tuple[Scene, ...] = (
    # Why non-linearity
    Scene("nl-collapse", "nonlinearity", "A deep identity network is one matrix",
          "Six identity layers fold into one W′: the boundary stays straight, ReLU bends it.",
          {"demo": "Collapse", "c_depth": "6", "c_data": "moons"}),
    Scene("nl-approx-relu", "nonlinearity", "Eight ReLUs draw a sine in straight pieces",
          "Each unit adds one kink: the fit is piecewise linear.",
          {"demo": "Approximation", "a_act": "relu", "a_units": "8"}),
    Scene("nl-approx-smooth", "nonlinearity", "tanh and GELU fit the same sine smoothly",
          "Same eight units, no kinks: smooth units give a smooth fit.",
          {"demo": "Approximation", "a_act": ("tanh", "gelu"), "a_units": "8"}),
    Scene("nl-softmax-cold", "nonlinearity", "Softmax at temperature 0.1",
          "A low temperature puts almost all the probability on the largest logit.",
          {"demo": "Softmax", "softmax_temperature": "0.1"}),
    Scene("nl-softmax-hot", "nonlinearity", "Softmax at temperature 10",
          "A high temperature flattens the same logits towards equal shares.",
          {"demo": "Softmax", "softmax_temperature": "10"}),
    Scene("nl-step", "nonlinearity", "The step neuron gets no gradient",
          "Gradient descent cannot move a step unit; Rosenblatt's rule needs no derivative.",
          {"demo": "Step neuron", "s_rule": "true"}),
    # Playground
    Scene("pg-identity", "playground", "Identity units draw only a straight line",
          "However deep, a linear network cannot separate the circle.",
          {"p_act": "identity", "p_steps": "500"}, hide=("p_test", "p_noise", "p_seed")),
    Scene("pg-circle-tanh", "playground", "tanh separates the circle",
          "Two small tanh layers bend the boundary round the inner class.",
          {"p_act": "tanh", "p_steps": "500"}, hide=("p_test", "p_noise", "p_seed")),
    Scene("pg-xor-relu", "playground", "ReLU units carve XOR from straight pieces",
          "Each unit's map is a half-plane; the output adds them into quadrants.",
          {"p_data": "xor", "p_act": "relu", "p_steps": "500"},
          hide=("p_test", "p_noise", "p_seed")),
    # Shapes and saturation
    Scene("shapes-saturation", "shapes", "Sigmoid and tanh go flat",
          "Beyond about ±4 their slope is below ε: gradients through there vanish.",
          {"view": "Curves", "act": ("sigmoid", "tanh", "relu"), "x": ("-8", "8")},
          hide=("d2",)),
    Scene("shapes-properties", "shapes", "Properties computed from the functions",
          "Range, zero-centring, monotonicity, smoothness and sparsity side by side.",
          {"view": "Properties", "act": ("sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                         "gelu", "swish")}),
    Scene("shapes-layer", "shapes", "Wide inputs saturate a sigmoid layer",
          "With std 3 most sigmoid outputs sit near 0 or 1, where the slope is tiny.",
          {"view": "Through a layer", "act": ("sigmoid", "tanh", "relu"), "scale": "3"}),
    Scene("shapes-gated", "shapes", "A gated unit: SwiGLU",
          "One projection gates the other: the product is what transformers use.",
          {"view": "Gated units", "gate": "swiglu"}),
    # Vanishing and exploding
    Scene("grad-vanishing", "gradients", "Sigmoid vanishes at depth 20",
          "Each sigmoid layer scales the gradient by at most 0.25: the first layers get "
          "almost nothing.", _GradientScenario("vanishing"), hide=_GRADIENT_CONTROLS),
    Scene("grad-relu-he", "gradients", "ReLU with He initialisation fixes it",
          "He init keeps ReLU's gradient the same size in every layer.",
          _GradientScenario("relu_he"), hide=_GRADIENT_CONTROLS),
    Scene("grad-exploding", "gradients", "Gradients explode without clipping",
          "Naive init with σ = 0.3 and rate 0.1: the loss turns to NaN.",
          _GradientScenario("exploding_init"), hide=_GRADIENT_CONTROLS),
    Scene("grad-clipping", "gradients", "Clipping tames them",
          "The same run with the gradient norm clipped to 1 trains.",
          _GradientScenario("clipping"), hide=_GRADIENT_CONTROLS),
    # Dead ReLU
    Scene("dr-die", "dead_relu", "ReLU units die at a learning rate of 0.3",
          "Watch the share of dead units climb while the loss stalls.",
          {"view": "Training run", "act": "relu", "lr": "0.3", "opt": "sgd"},
          hide=_RUN_CONTROLS),
    Scene("dr-leaky", "dead_relu", "Leaky ReLU keeps them alive",
          "Same rate: a small negative slope keeps every unit's gradient.",
          {"view": "Training run", "act": ("relu", "leaky_relu"), "lr": "0.3", "opt": "sgd"},
          hide=_RUN_CONTROLS),
    Scene("dr-bias", "dead_relu", "A negative bias kills units before training",
          "With every bias at -1 many units never fire, even at init.",
          {"view": "Census at init", "bias": "-1"}, hide=_TRAINING_CONTROLS),
    Scene("dr-prelu", "dead_relu", "PReLU learns its own slope",
          "The negative slope is a weight: watch it move while the network trains.",
          {"view": "PReLU slope", "act": ("relu", "prelu")}, hide=_TRAINING_CONTROLS),
    # Choosing
    Scene("guide-advice", "guide", "Advice for a plain MLP",
          "Start with ReLU and He init; the reasons are listed under each pick.",
          {"view": "Advice"}),
    Scene("guide-transformer", "guide", "Advice for a transformer",
          "GELU, and keep the original activation when fine-tuning.",
          {"view": "Advice", "architecture": "transformer"}),
    Scene("guide-bakeoff-digits", "guide", "The bake-off on digits",
          "Treat the activation as a hyperparameter: train each over seeds and compare.",
          {"view": "Bake-off", "data": "digits", "seeds": "2", "steps": "300"},
          hide=("stack",)),
    Scene("guide-history", "guide", "From the step to GELU",
          "Step, sigmoid and tanh, ReLU, then the smooth variants: each fixed a problem.",
          {"view": "History"}),
)

_BY_ID = {scene.id: scene for scene in SCENES}


def scene(scene_id: str) -> Scene:
    """The scene with this id; KeyError naming the known ones otherwise."""
    try:
        return _BY_ID[scene_id]
    except KeyError:
        raise KeyError(f"unknown scene {scene_id!r}") from None


def find(scene_id: str) -> Scene | None:
    """The scene with this id, or None (a link may carry anyone's text)."""
    return _BY_ID.get(scene_id.strip().lower())


def scenes_of(page: str) -> tuple[Scene, ...]:
    return tuple(s for s in SCENES if s.page == page)


def by_page(stems: Sequence[str] = TOPIC_STEMS) -> dict[str, tuple[Scene, ...]]:
    """The scenes grouped by page, in the given page order (menus and the home index)."""
    return {stem: scenes_of(stem) for stem in stems if scenes_of(stem)}
