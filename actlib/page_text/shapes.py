"""The Shapes and saturation page's words: what saturation does, how the property sheet is
computed, what a layer does to normal inputs, softmax's temperature and gated units."""

from __future__ import annotations

STEP = ("The step function's derivative is 0 everywhere except at 0, where it does not "
        "exist: gradient descent gets no signal through it at all.")
SATURATION = (
    "Backpropagation multiplies these slopes layer by layer. Where a curve is flat, the "
    "product shrinks towards zero: that is saturation, and it is why deep sigmoid networks "
    "stop learning (see Vanishing gradients)."
)
PROPERTIES = (
    "Every entry is computed from the function: ranges from limits and a wide grid (a square "
    "bracket means the bound is reached), extrema refined by golden-section search, "
    "expectations by quadrature over x ~ N(0, 1). A gradient's size changes per layer by "
    "√E[f′(x)²] (times the weights' factor), not by the mean slope E[f′(x)]: ReLU's is "
    "√½ ≈ 0.707, not 0.5. At a kink f′(0) is PyTorch's convention (ReLU: 0), not a "
    "derivative."
)
SOFTMAX = (
    "Softmax turns a vector of scores into probabilities. Cool it (T → 0) and all the mass "
    "goes to the largest logit, like argmax; heat it (T large) and every class tends to 1/n. "
    "It belongs on the output layer; PyTorch's CrossEntropyLoss applies it itself, so feed "
    "that loss raw logits."
)
GATED = (
    "A gated unit takes **two** projections of its input: a value *a* and a gate *b*. The "
    "gate's activation decides how much of *a* passes. The layer before it is twice as wide, "
    "and the output has half its width."
)


def through_layer(scale: float) -> str:
    """What pushing N(0, scale²) inputs through each activation shows."""
    return (f"4,000 evenly spread quantiles of N(0, {scale:g}²) pushed through each "
            "activation. Widen the inputs and sigmoid and tanh pile up at their bounds "
            "(saturated); ReLU sends half of them to exactly zero (sparse).")


def empty_window(x_min: float, x_max: float) -> str:
    return (f"The x window [{x_min:g}, {x_max:g}] has no width: drag its ends apart to see "
            "the curves.")
