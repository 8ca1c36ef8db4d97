"""The Vanishing & exploding page's words: captions of the flow charts, the verdict on a
clipped run, and the symptoms and remedies of both failures."""

from __future__ import annotations

from actlib.gradients import PROBE_ROWS, THEORY_TERMS, WEIGHTS_TERM, TheoryKind
from actlib.training import Snapshot

CHAIN_RULE = (
    "Backpropagation applies the chain rule layer by layer: δₗ = f′(zₗ) ⊙ (Wₗ₊₁ᵀ δₗ₊₁). "
    "Each step back multiplies by the local slopes f′ and by the weights."
)
RMS_CAPTION = (
    "RMS = ‖∂L/∂W‖ / √(number of weights). Raw norms are not comparable: the first layer "
    "has only (inputs × width) weights, the others width²."
)
INIT_RULE = (
    "Why He for ReLU and Xavier for tanh: a layer keeps the size of the signal when "
    "(number of inputs) × Var(w) × E[f′²] ≈ 1. ReLU passes half the units with slope 1 "
    "(E[f′²] = ½), so He init doubles the variance: Var(w) = 2/fan_in. Tanh has slope ≈ 1 "
    "near 0, so Xavier's Var(w) = 2/(fan_in + fan_out) (= 1/width here) fits it. Sigmoid's "
    f"slope is at most ¼: no common init rescues it at depth. Measured on the first "
    f"{PROBE_ROWS} training rows in float64, one batched pass for all activations."
)
BATCH_NORM_SNAPSHOTS = (
    "Batch norm: every snapshot measures the network in evaluation mode, with its running "
    "statistics. At step 0 those have seen no batch yet, so the first column still shows "
    "the un-normalised network."
)
WEIGHT_SIZE = (
    "**Too large weights** push the activation inputs far from 0: sigmoid and tanh sit on "
    "their flat tails (saturated share near 100%), their slope is ≈ 0 and the gradient "
    "dies. **Too small weights** shrink the inputs layer by layer (the std falls on the left "
    "chart): the outputs of the deep layers carry almost no signal, and for GELU and SiLU "
    "each layer halves it."
)
STATISTICS_CAPTION = (
    "Dashed: the untrained network, on the probe batch (batch norm uses the batch's "
    "statistics). Solid: the last snapshot of the training run, in evaluation mode. "
    "Saturated: the share of (sample, unit) pairs where |f′| < 0.05; for ReLU that is its "
    "inactive half, where f′ = 0."
)
VANISHING = """**Symptoms**
- the loss plateaus early, often at the chance level
- the first layers barely update (a dark band at the top of the heatmap)

**Remedies** (each one is a lecture scenario above)
- ReLU-family activations: slope 1 wherever the unit is active
- initialisation matched to the activation: He for ReLU, Xavier for tanh
- normalisation before the activation: batch norm rescues even sigmoid here; layer norm \
alone does not (try it: sigmoid's slope stays ≤ ¼)
- residual connections, h + f(Wh + b): the skip path carries the gradient past every layer"""
EXPLODING = """**Symptoms**
- the loss jumps, grows, and becomes NaN
- huge updates: weights and gradients grow layer by layer

**Remedies** (each one is a lecture scenario above)
- gradient clipping (`torch.nn.utils.clip_grad_norm_`)
- layer normalisation
- a lower learning rate
- a sane initialisation (He, Xavier) instead of a fixed large σ"""
CLIPPING_CODE = (
    "loss.backward()\n"
    "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n"
    "optimizer.step()"
)


def flow_caption(kind: TheoryKind) -> str:
    """The chain rule, and what the dashed theory line multiplies when one is shown."""
    if kind == "none":
        return CHAIN_RULE
    return (f"{CHAIN_RULE} Dashed: the theory, the last layer's signal times one factor per "
            f"layer in between: the {THEORY_TERMS[kind]}, {WEIGHTS_TERM}.")


def training_caption(chance: float | None) -> str:
    """How vanishing and exploding show in the training charts."""
    level = "" if chance is None else f"{chance:.3f} "
    return (
        f"Vanishing shows as a flat loss (a plateau at the chance level {level}— the network "
        "guesses) and a dark band in the first rows of the heatmap: those layers get almost "
        "no gradient, so they barely change. Exploding shows as a bright heatmap, a loss that "
        "jumps, and finally NaN. Adam rescales every weight's step by its own gradient size, "
        "which hides part of a vanishing gradient."
    )


def clipped_note(last: Snapshot, chance: float) -> str:
    """Clipping keeps a run finite, not good: each healthy model's final loss against the
    loss of a network that only guesses."""
    healthy = [(m.activation_label, float(loss)) for m, loss, step in
               zip(last.info.models, last.train_loss, last.diverged_step, strict=True)
               if step < 0]
    losses = ", ".join(f"{name} {loss:.3g}" for name, loss in healthy)
    worse = [name for name, loss in healthy if loss > chance]
    verdict = (f"{' and '.join(worse)} still {'does' if len(worse) == 1 else 'do'} worse than "
               "guessing: clipping only shortens each step, it does not undo a bad start."
               if worse else "every model now does better than guessing.")
    return (f"**Clipped:** final training loss {losses} after {last.step} steps, against "
            f"{chance:.3f} for a network that only guesses (the chance level): {verdict}")


def stage_note(last: Snapshot | None) -> str:
    """The legend of the statistics charts: dashed at init, solid after training."""
    if last is None:
        return "Dashed ╌╌ at initialisation"
    return f"Dashed ╌╌ at initialisation · solid ── after {last.step} training steps"
