"""Generated PyTorch snippets: every one compiles, runs, and builds what the catalogue says.

The snippets are the app's own constant templates filled with catalogue strings and
numbers, so executing them here is safe; doing so is the only real proof that a student
can paste one and run it.
"""

from __future__ import annotations

import contextlib
import io
import math
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib.activations import ELEMENTWISE_KEYS, get
from actlib.snippets import (
    INIT_TEMPLATES,
    OUTPUT_HEADS,
    OutputTask,
    activation_code,
    cnn_snippet,
    model_snippet,
    rnn_snippet,
    transformer_snippet,
)

TASKS = tuple(OutputTask)


def run_snippet(source: str) -> dict:
    """Execute a snippet in a fresh namespace (its print captured) and return the namespace."""
    namespace: dict = {"__name__": "snippet"}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(compile(source, "<snippet>", "exec"), namespace)
    namespace["_printed"] = printed.getvalue()
    return namespace


def check_forward_backward(namespace: dict) -> None:
    """A fresh forward pass and backward on new random data, with finite gradients."""
    model, loss_fn, x, y = (namespace[k] for k in ("model", "loss_fn", "x", "y"))
    model.zero_grad()
    outputs = model(torch.randn_like(x))
    loss = loss_fn(outputs, y)
    loss.backward()
    assert torch.isfinite(loss)
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads, "no parameter received a gradient"
    assert all(torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


def param_cases() -> list[tuple[str, dict]]:
    """Every elementwise activation at its defaults and at each parameter's limits."""
    cases: list[tuple[str, dict]] = []
    for key in ELEMENTWISE_KEYS:
        cases.append((key, {}))
        for param in get(key).params:
            values = param.choices if param.is_choice else (param.low, param.high)
            cases.extend((key, {param.key: value}) for value in values)
    return cases


def build_activation(key: str, params: dict) -> nn.Module:
    code = activation_code(key, params)
    namespace: dict = {"torch": torch, "nn": nn, "F": F}
    if code.definition:
        exec(code.definition, namespace)
    return eval(code.expression, namespace)


@pytest.mark.parametrize(("key", "params"), param_cases())
def test_activation_code_computes_the_catalogue_function(key, params):
    module = build_activation(key, params)
    x = torch.linspace(-8, 8, 1601)  # float32, what the snippets train in
    expected = get(key)(x, params)
    torch.testing.assert_close(module(x), expected, rtol=1e-5, atol=1e-6)


def test_modules_are_used_only_where_exact():
    """nn.SiLU is Swish at beta = 1 only: other betas get a module that computes them, and
    no snippet carries a comment that claims what the code does not do."""
    assert activation_code("swish").expression == "nn.SiLU()"
    assert activation_code("swish").note == ""
    assert get("swish").module_call({"beta": 2.0}) == "(no module: x * torch.sigmoid(2 * x))"
    assert get("softmax").module_call({"temperature": 2.0}).startswith("(no module:")
    for snippet in (model_snippet("swish"), model_snippet("swish", {"beta": 2.0})):
        assert "# beta" not in snippet and "nn.SiLU is" not in snippet
    scaled = activation_code("swish", {"beta": 2.0})
    assert scaled.expression == "Swish()" and "torch.sigmoid(2 * x)" in scaled.definition
    assert activation_code("step").definition  # no module in torch: a wrapper class
    assert activation_code("leaky_relu", {"slope": 0.2}).expression == (
        "nn.LeakyReLU(negative_slope=0.2)"
    )


@pytest.mark.parametrize("key", ["softmax", "glu", "swiglu", "geglu"])
def test_non_elementwise_activations_are_refused(key):
    with pytest.raises(ValueError, match="not elementwise"):
        model_snippet(key)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_every_mlp_snippet_compiles_and_runs(key, task):
    source = model_snippet(key, output_task=task, steps=1)
    namespace = run_snippet(source)
    check_forward_backward(namespace)
    model = namespace["model"]
    hidden = [m for m in model if not isinstance(m, nn.Linear)]
    head = OUTPUT_HEADS[task]
    assert len(hidden) == 2 + (1 if head.in_model else 0)
    assert namespace["_printed"].startswith("loss after 1 steps")


@pytest.mark.parametrize("task", [OutputTask.BINARY, OutputTask.MULTICLASS,
                                  OutputTask.MULTILABEL])
def test_classification_models_end_in_raw_logits(task):
    namespace = run_snippet(model_snippet("relu", output_task=task, steps=1))
    model, loss_fn = namespace["model"], namespace["loss_fn"]
    assert isinstance(model[-1], nn.Linear)  # no sigmoid/softmax before the loss
    expected = nn.CrossEntropyLoss if task == OutputTask.MULTICLASS else nn.BCEWithLogitsLoss
    assert isinstance(loss_fn, expected)
    probabilities = namespace["predict"](namespace["x"])
    assert ((probabilities > 0) & (probabilities < 1)).all()
    if task == OutputTask.MULTICLASS:
        torch.testing.assert_close(probabilities.sum(dim=-1), torch.ones(len(probabilities)))
    else:  # binary and multi-label: one independent sigmoid per output
        torch.testing.assert_close(probabilities, torch.sigmoid(model(namespace["x"])))


def test_multilabel_targets_are_one_float_per_label():
    namespace = run_snippet(model_snippet("relu", output_task="multilabel", out_features=4,
                                          steps=1))
    assert namespace["y"].shape == (64, 4) and namespace["y"].dtype == torch.float32


@pytest.mark.parametrize(("task", "low", "high"), [("bounded", -1.0, 1.0),
                                                   ("positive", 0.0, math.inf)])
def test_bounded_and_positive_outputs_stay_in_range(task, low, high):
    namespace = run_snippet(model_snippet("relu", output_task=task, steps=1))
    outputs = namespace["model"](torch.randn(500, 2) * 100)
    assert (outputs >= low).all() and (outputs <= high).all()
    assert type(namespace["model"][-1]) is type(get(OUTPUT_HEADS[task].activation).torch_module())


def test_regression_output_is_unsquashed():
    namespace = run_snippet(model_snippet("relu", output_task="regression", steps=1))
    assert isinstance(namespace["model"][-1], nn.Linear)
    assert isinstance(namespace["loss_fn"], nn.MSELoss)


@pytest.mark.parametrize(("key", "params"), [("swish", {"beta": 2.0}), ("gelu", {"form": "tanh"}),
                                             ("leaky_relu", {"slope": 0.2}), ("step", {})])
def test_deep_snippets_use_a_loop_and_still_run(key, params):
    source = model_snippet(key, params, depth=7, norm="batch", steps=1)
    assert "for _ in range(6):" in source
    namespace = run_snippet(source)
    check_forward_backward(namespace)
    linears = [m for m in namespace["model"] if isinstance(m, nn.Linear)]
    norms = [m for m in namespace["model"] if isinstance(m, nn.BatchNorm1d)]
    assert len(linears) == 8 and len(norms) == 7


def test_training_loop_lowers_the_loss():
    first = run_snippet(model_snippet("relu", steps=1))["loss"].item()
    last = run_snippet(model_snippet("relu"))["loss"].item()  # the default 100 steps
    assert last < first


@pytest.mark.parametrize(("init", "std"), [
    ("he", lambda fan_in, fan_out: math.sqrt(2 / fan_in)),
    ("lecun", lambda fan_in, fan_out: math.sqrt(1 / fan_in)),
    ("xavier_normal", lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out))),
    ("xavier_uniform", lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out))),
    ("naive", lambda fan_in, fan_out: 0.5),
])
def test_init_schemes_give_their_weight_scale(init, std):
    source = model_snippet("tanh", depth=2, width=256, in_features=256, init=init,
                           init_sigma=0.5, steps=1)
    layer = run_snippet(source)["model"][2]  # the second hidden layer: 256 -> 256
    with torch.no_grad():
        weight = layer.weight.clone()
    # one Adam step of lr 1e-3 barely moves the weights; 65k draws pin the std to ~1%
    assert weight.std().item() == pytest.approx(std(256, 256), rel=0.05)


def test_init_schemes_match_the_training_engine():
    nets = pytest.importorskip("actlib.nets")
    assert set(INIT_TEMPLATES) == set(nets.INIT_SCHEMES)


def test_default_init_leaves_pytorch_alone():
    source = model_snippet("relu", init="default", steps=1)
    assert "init_weights" not in source


@pytest.mark.parametrize("task", TASKS)
def test_cnn_snippets_run_for_every_task(task):
    namespace = run_snippet(cnn_snippet("relu", output_task=task, steps=1))
    check_forward_backward(namespace)


@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_cnn_snippets_run_for_every_activation(key):
    source = cnn_snippet(key, depth=5, channels=4, image_size=6, steps=1)
    namespace = run_snippet(source)
    check_forward_backward(namespace)
    convs = [m for m in namespace["model"] if isinstance(m, nn.Conv2d)]
    assert len(convs) == 5


@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_transformer_snippets_run_for_every_activation(key):
    namespace = run_snippet(transformer_snippet(key, depth=1, steps=1))
    check_forward_backward(namespace)
    activation = namespace["model"].encoder.layers[0].activation
    # PReLU's slope has taken one training step: compare at the slope it has now
    params = {"slope": activation.weight.item()} if get(key).learnable else {}
    x = torch.linspace(-5, 5, 101)
    torch.testing.assert_close(activation(x), get(key)(x, params), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("task", TASKS)
def test_transformer_snippets_run_for_every_task(task):
    check_forward_backward(run_snippet(transformer_snippet(output_task=task, steps=1)))


RNN_CASES = [
    *(("lstm", "tanh", task) for task in TASKS),
    ("gru", "tanh", "multiclass"), ("rnn", "tanh", "regression"), ("rnn", "relu", "binary"),
]


@pytest.mark.parametrize(("cell", "key", "task"), RNN_CASES)
def test_rnn_snippets_run(cell, key, task):
    namespace = run_snippet(rnn_snippet(cell, key, depth=2, output_task=task, steps=1))
    check_forward_backward(namespace)
    weight_hh = namespace["model"].rnn.weight_hh_l0.detach()
    if cell == "rnn":  # orthogonal recurrent weights (before one small Adam step)
        eye = torch.eye(weight_hh.shape[0])
        torch.testing.assert_close(weight_hh @ weight_hh.T, eye, atol=0.05, rtol=0)


def test_rnn_cells_refuse_activations_they_cannot_take():
    with pytest.raises(ValueError, match="LSTM and GRU"):
        rnn_snippet("lstm", "relu")
    with pytest.raises(ValueError, match="unknown cell"):
        rnn_snippet("transformer")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"output_task": "binary", "out_features": 2}, "takes 1 to 1 outputs"),
    ({"output_task": "multiclass", "out_features": 1}, "takes 2 to"),
    ({"depth": 0}, "depth"),
    ({"width": 0}, "width"),
    ({"init": "glorious"}, "unknown init"),
    ({"norm": "group"}, "unknown norm"),
    ({"steps": 0}, "steps"),
])
def test_bad_arguments_say_what_is_allowed(kwargs, message):
    with pytest.raises(ValueError, match=message):
        model_snippet("relu", **kwargs)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError):
        model_snippet("relu", output_task="ranking")


@pytest.mark.parametrize("builder", [
    lambda: model_snippet("swish", {"beta": 2.0}, depth=9, init="naive"),
    lambda: cnn_snippet("mish", depth=6),
    lambda: rnn_snippet("gru", depth=3, output_task="multilabel"),
    lambda: transformer_snippet("gelu", {"form": "tanh"}, output_task="regression"),
])
def test_snippets_read_well(builder):
    source = builder()
    assert all(len(line) <= 100 for line in source.splitlines())
    assert "\n\n\n\n" not in source and source.endswith("\n")
    assert re.search(r"^import torch$", source, re.M)
    assert source.count("torch.manual_seed(0)") == 1


def test_snippets_name_activations_from_the_catalogue():
    source = model_snippet("leaky_relu", {"slope": 0.2})
    assert get("leaky_relu").name in source
    assert get("leaky_relu").module_call({"slope": 0.2}) in source


# --- practice the snippets follow, each from its source ---------------------------------


@pytest.mark.parametrize(("key", "slope"), [("leaky_relu", 0.2), ("prelu", 0.25)])
def test_he_init_for_leaky_units_passes_the_slope(key: str, slope: float) -> None:
    """kaiming_normal_(a=slope, nonlinearity="leaky_relu") has gain √(2 / (1 + a²)) (He et
    al., 2015); nonlinearity="relu" would ignore the slope."""
    source = model_snippet(key, {"slope": slope}, init="he")
    assert f'kaiming_normal_(module.weight, a={slope:g}, nonlinearity="leaky_relu")' in source
    assert 'nonlinearity="relu"' not in source
    assert nn.init.calculate_gain("leaky_relu", slope) == pytest.approx(
        math.sqrt(2 / (1 + slope**2)))
    assert 'nonlinearity="relu"' in model_snippet("relu", init="he")


def test_transformer_snippet_is_pre_norm_and_runs() -> None:
    """Pre-norm blocks (Xiong et al., 2020), as the guide advises for deep transformers."""
    source = transformer_snippet(depth=12)
    assert "norm_first=True" in source and "norm=nn.LayerNorm(32)" in source
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(transformer_snippet(depth=2, steps=1), "<snippet>", "exec"), namespace)
    layer = namespace["model"].encoder.layers[0]
    assert layer.norm_first


def test_lstm_snippet_starts_the_forget_gate_bias_at_one() -> None:
    """Gers et al. (2000), Jozefowicz et al. (2015): forget-gate bias 1. PyTorch orders the
    LSTM gates (input, forget, cell, output), so the forget gate is the second quarter."""
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(rnn_snippet("lstm", hidden_size=8, steps=1), "<snippet>", "exec"),
             namespace)
    rnn = namespace["model"].rnn
    bias = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()
    # one Adam step of lr 1e-3 moves each of the two biases by about 1e-3
    torch.testing.assert_close(bias[8:16], torch.ones(8), atol=3e-3, rtol=0)
    torch.testing.assert_close(bias[:8], torch.zeros(8), atol=3e-3, rtol=0)
    assert "fill_(1.0)" not in rnn_snippet("gru")
