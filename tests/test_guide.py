"""The choosing guide: every answer gets reasoned advice, and the advice is the curriculum's."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import re
from urllib.parse import parse_qs

import pytest
import torch
from torch import nn

from actlib.activations import ACTIVATIONS, get
from actlib.guide import (
    GUIDE_SETTINGS,
    QUESTIONS,
    RULES,
    Answers,
    Architecture,
    Constraint,
    Depth,
    Placement,
    advise,
    answers_from_settings,
    loss_advice,
    matching_init,
)
from actlib.settings import read_url_value
from actlib.snippets import INIT_TEMPLATES, OUTPUT_HEADS, OutputTask

A, T, C = Architecture, OutputTask, Constraint
CONSTRAINT_SETS = [
    frozenset(combo) for r in range(len(C) + 1) for combo in itertools.combinations(C, r)
]
DEPTHS = [Depth.SHALLOW, Depth.DEEP, 3, 60]
EVERY_ANSWER = [
    Answers(placement, architecture, task, depth, constraints)
    for placement, architecture, task, depth, constraints in itertools.product(
        Placement, Architecture, OutputTask, DEPTHS, CONSTRAINT_SETS
    )
]
HYPERPARAMETER_NOTE = "The activation is a hyperparameter"


def hidden(architecture=A.MLP, depth=Depth.SHALLOW, *constraints):
    return advise(Answers(Placement.HIDDEN, architecture, depth=depth,
                          constraints=frozenset(constraints)))


def output(task, architecture=A.MLP, *constraints):
    return advise(Answers(Placement.OUTPUT, architecture, task,
                          constraints=frozenset(constraints)))


def keys(advice):
    return [r.key for r in advice.ranked]


# --- every combination ---------------------------------------------------------------------


def test_every_answer_combination_gets_a_reasoned_recommendation():
    assert len(EVERY_ANSWER) == 2 * 8 * 6 * 4 * 8
    for answers in EVERY_ANSWER:
        advice = advise(answers)
        where = f"for {answers}"
        assert advice.ranked, where
        assert len(set(keys(advice))) == len(advice.ranked), where
        scores = [r.score for r in advice.ranked]
        assert scores == sorted(scores, reverse=True) and scores[-1] > 0, where
        for rec in advice.ranked:
            assert rec.key in ACTIVATIONS, where
            assert rec.reasons and all(reason.strip() for reason in rec.reasons), where
            assert rec.init.scheme in INIT_TEMPLATES and rec.init.why, where
            get(rec.key).resolve(rec.param_dict)  # parameters within their ranges
            assert rec.module  # the catalogue's PyTorch expression fills in
        assert get(advice.body.key).kind == "elementwise", where
        assert advice.caveats[-1].startswith(HYPERPARAMETER_NOTE), where
        if answers.placement == Placement.OUTPUT:
            head = OUTPUT_HEADS[answers.task]
            assert advice.best.key == head.activation, where  # the task decides
            assert advice.loss is not None and advice.loss.loss == head.loss, where
            assert head.loss in advice.snippet, where
        else:
            assert advice.loss is None, where
            # LLMs use gated blocks (SwiGLU); every other architecture an elementwise unit
            expected = "gated" if answers.architecture == A.LLM else "elementwise"
            assert get(advice.best.key).kind == expected, where
        compile(advice.snippet, "<guide snippet>", "exec")


def run(source: str, steps: int = 2) -> dict:
    """Execute a snippet, its training loop shortened to a few steps (the suite stays fast)."""
    source, count = re.subn(r"for step in range\(\d+\):", f"for step in range({steps}):", source)
    assert count == 1
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "<guide snippet>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("placement", Placement)
@pytest.mark.parametrize("architecture", Architecture)
def test_guide_snippets_run(placement, architecture):
    advice = advise(Answers(placement, architecture, T.MULTICLASS))
    namespace = run(advice.snippet)
    outputs = namespace["model"](namespace["x"])
    namespace["loss_fn"](outputs, namespace["y"]).backward()
    assert torch.isfinite(outputs).all()


def test_snippet_builds_the_recommended_activation():
    namespace = run(hidden(A.GAN_DISCRIMINATOR).snippet)
    leaky = [m for m in namespace["model"] if isinstance(m, nn.LeakyReLU)]
    assert leaky and all(m.negative_slope == 0.2 for m in leaky)


def test_deep_answers_build_deep_snippets_up_to_a_cap():
    assert "for _ in range(11):" in hidden(A.MLP, Depth.DEEP).snippet
    assert "for _ in range(29):" in hidden(A.CNN, 30).snippet
    capped = hidden(A.MLP, 200)
    assert "for _ in range(49):" in capped.snippet
    assert any("stops at 50 layers" in c for c in capped.caveats)


# --- the curriculum's answers (section 6) --------------------------------------------------


@pytest.mark.parametrize("architecture", [A.MLP, A.CNN])
def test_hidden_mlp_and_cnn_start_with_relu_and_he(architecture):
    advice = hidden(architecture)
    assert advice.best.key == "relu"
    assert advice.init.scheme == "he" and "He" in advice.init.name


@pytest.mark.parametrize("architecture", [A.MLP, A.CNN, A.DECODER])
def test_dying_units_call_for_leaky_relu_or_elu(architecture):
    advice = hidden(architecture, Depth.SHALLOW, C.DYING_UNITS)
    assert keys(advice)[:2] == ["leaky_relu", "elu"]
    assert any("zero gradient" in r for r in advice.best.reasons)
    assert any("learning rate" in c for c in advice.caveats)


def test_transformers_use_gelu_with_gated_and_relu_alternatives():
    advice = hidden(A.TRANSFORMER)
    assert advice.best.key == "gelu"
    assert {"swiglu", "relu"} <= set(keys(advice))
    assert "activation=nn.GELU(" in advice.snippet


def test_recurrent_cells_use_tanh_and_sigmoid_gates():
    advice = hidden(A.RNN)
    assert keys(advice)[:2] == ["tanh", "sigmoid"]
    assert any("gate" in r for r in advice.ranked[1].reasons)
    assert advice.init.scheme == "xavier_uniform" and "orthogonal" in advice.init.why
    assert "nn.LSTM(" in advice.snippet


def test_gan_discriminators_use_leaky_relu_with_slope_0_2():
    advice = hidden(A.GAN_DISCRIMINATOR)
    assert advice.best.key == "leaky_relu" and advice.best.param_dict == {"slope": 0.2}
    assert advice.best.module == "nn.LeakyReLU(negative_slope=0.2)"
    # units dying does not undo the 0.2 slope
    assert hidden(A.GAN_DISCRIMINATOR, Depth.SHALLOW, C.DYING_UNITS).best.param_dict == {
        "slope": 0.2
    }


def test_diffusion_models_use_silu():
    advice = hidden(A.DIFFUSION)
    assert advice.best.key == "swish" and advice.best.param_dict == {"beta": 1.0}
    assert "nn.SiLU()" in advice.snippet


def test_binary_output_is_sigmoid_with_bce_on_logits():
    advice = output(T.BINARY)
    assert advice.best.key == "sigmoid"
    assert advice.loss.loss == "nn.BCEWithLogitsLoss()" and not advice.loss.activation_in_model
    assert "logits" in advice.loss.pitfall and "no nn.Sigmoid" in advice.loss.pitfall
    namespace = run(advice.snippet)
    assert not any(isinstance(m, nn.Sigmoid) for m in namespace["model"].modules())


def test_multiclass_output_is_softmax_with_cross_entropy_on_logits():
    advice = output(T.MULTICLASS)
    assert advice.best.key == "softmax"
    assert advice.loss.loss == "nn.CrossEntropyLoss()"
    assert "raw logits" in advice.loss.pitfall and "softmax layer before it" in advice.loss.pitfall
    namespace = run(advice.snippet)
    assert not any(isinstance(m, nn.Softmax) for m in namespace["model"].modules())


def test_multilabel_output_is_one_sigmoid_per_label():
    advice = output(T.MULTILABEL)
    assert advice.best.key == "sigmoid"
    assert advice.loss.loss == "nn.BCEWithLogitsLoss()" and "per label" in advice.loss.pitfall


@pytest.mark.parametrize(("task", "key", "in_model"), [
    (T.REGRESSION, "identity", False), (T.BOUNDED, "tanh", True), (T.POSITIVE, "softplus", True),
])
def test_regression_outputs(task, key, in_model):
    advice = output(task)
    assert advice.best.key == key and advice.loss.activation_in_model == in_model


def test_decoder_images_in_minus_one_to_one_use_tanh():
    advice = output(T.BOUNDED, A.DECODER)
    assert advice.best.key == "tanh"
    assert any("[-1, 1]" in r for r in advice.best.reasons)


@pytest.mark.parametrize("architecture", [A.MLP, A.CNN, A.TRANSFORMER, A.DIFFUSION])
def test_edge_and_speed_pick_relu(architecture):
    advice = hidden(architecture, Depth.SHALLOW, C.EDGE)
    assert advice.best.key == "relu"
    assert any("int8" in r for r in advice.best.reasons)


def test_edge_with_dying_units_picks_the_cheap_fix():
    assert hidden(A.MLP, Depth.SHALLOW, C.EDGE, C.DYING_UNITS).best.key == "leaky_relu"


def test_edge_marks_costly_alternatives():
    advice = hidden(A.TRANSFORMER, Depth.SHALLOW, C.EDGE)
    gelu = next(r for r in advice.ranked if r.key == "gelu")
    assert gelu.concerns and "Costlier" in gelu.concerns[0]


@pytest.mark.parametrize("architecture", [A.CNN, A.MLP])
def test_very_deep_networks_suggest_swish_and_mish(architecture):
    advice = hidden(architecture, 50)
    assert advice.best.key == "relu"
    assert {"swish", "mish"} <= {r.key for r in advice.alternatives}
    assert any("residual" in c for c in advice.caveats)


def test_deep_plain_mlp_offers_selu_with_lecun_init():
    selu = next(r for r in hidden(A.MLP, Depth.DEEP).ranked if r.key == "selu")
    assert selu.init.scheme == "lecun"


def test_fine_tuning_follows_the_named_architecture():
    """A LLaMA-like checkpoint keeps SwiGLU, far above GELU; a BERT-like one keeps GELU."""
    llm = hidden(A.LLM, Depth.SHALLOW, C.FINE_TUNING)
    assert llm.best.key == "swiglu"
    gelu = next((r for r in llm.ranked if r.key == "gelu"), None)
    assert gelu is None or gelu.score < llm.best.score / 3
    assert any("Pre-trained" in r for r in llm.best.reasons)


def test_fine_tuning_keeps_the_original_activation():
    advice = hidden(A.TRANSFORMER, Depth.SHALLOW, C.FINE_TUNING, C.EDGE)
    assert advice.best.key == "gelu"
    assert any("Pre-trained" in r for r in advice.best.reasons)
    assert any("Keep what the checkpoint uses" in c for c in advice.caveats)
    assert hidden(A.MLP, Depth.SHALLOW, C.FINE_TUNING, C.DYING_UNITS).best.key == "relu"


def test_output_advice_notes_architecture_mismatches():
    assert any("real or fake" in c for c in output(T.REGRESSION, A.GAN_DISCRIMINATOR).caveats)
    assert any("WGAN" in c for c in output(T.BINARY, A.GAN_DISCRIMINATOR).caveats)
    assert any("predict noise" in c for c in output(T.BOUNDED, A.DIFFUSION).caveats)


def test_initialisation_matches_the_activation_family():
    for key in ("relu", "leaky_relu", "prelu", "elu", "gelu", "swish", "mish"):
        assert matching_init(key).scheme == "he", key
    for key in ("tanh", "sigmoid"):
        assert matching_init(key).scheme == "xavier_uniform", key
    assert matching_init("selu").scheme == "lecun"
    for key in ACTIVATIONS:  # every catalogue entry has an answer
        assert matching_init(key).scheme in INIT_TEMPLATES
    with pytest.raises(KeyError, match="unknown activation"):
        matching_init("sparkle")


def test_loss_advice_covers_every_task():
    for task in OutputTask:
        advice = loss_advice(task)
        assert advice.loss == OUTPUT_HEADS[task].loss and advice.why and advice.pitfall


# --- the rules as data ---------------------------------------------------------------------


def test_rules_point_into_the_catalogue_with_short_reasons():
    for rule in RULES:
        assert rule.votes or rule.caveat
        for vote in rule.votes:
            get(vote.key).resolve(dict(vote.params))
            assert 10 < len(vote.reason) <= 200, vote.reason
        assert len(rule.caveat) <= 300


# --- answers and questions -----------------------------------------------------------------


def test_answers_accept_strings_and_numbers():
    answers = Answers("output", "cnn", "multilabel", "24", ["edge"])
    assert answers.placement is Placement.OUTPUT and answers.architecture is A.CNN
    assert answers.task is T.MULTILABEL and answers.depth == 24 and answers.deep
    assert answers.constraints == frozenset({C.EDGE})
    assert not Answers(depth=3).deep and Answers(depth=Depth.DEEP).deep


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"placement": "middle"}, "placement='middle'"),
    ({"architecture": "lstm"}, "architecture='lstm'"),
    ({"task": "ranking"}, "task='ranking'"),
    ({"depth": 0}, "depth"),
    ({"depth": "very"}, "depth='very'"),
    ({"depth": True}, "depth"),
    ({"constraints": "edge"}, "collection"),
    ({"constraints": ["cheap"]}, "constraints='cheap'"),
])
def test_bad_answers_name_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Answers(**kwargs)


def test_questions_declare_every_answer_field_with_its_default():
    fields = {f.name: f for f in dataclasses.fields(Answers)}
    assert [q.key for q in QUESTIONS] == list(fields)
    defaults = Answers()
    for question in QUESTIONS:
        value = getattr(defaults, question.key)
        expected = tuple(value) if question.multiple else value
        assert question.default == expected
        assert set(question.labels) == set(question.options)


def test_task_question_is_asked_only_for_the_output_layer():
    task = next(q for q in QUESTIONS if q.key == "task")
    assert task.relevant(Answers(placement="output"))
    assert not task.relevant(Answers(placement="hidden"))


def test_settings_round_trip_through_the_url():
    assert answers_from_settings(GUIDE_SETTINGS.defaults()) == Answers()
    values = {"placement": "output", "architecture": "decoder", "task": "bounded",
              "depth": "deep", "constraints": ("edge", "fine_tuning")}
    query = parse_qs(GUIDE_SETTINGS.query_string(values))
    parsed = {}
    for setting in GUIDE_SETTINGS:
        reading = read_url_value(setting, query.get(setting.key))
        assert reading.problem is None
        parsed[setting.key] = reading.value
    assert answers_from_settings(parsed) == Answers(**values)


def test_a_bad_url_value_falls_back_with_a_note():
    reading = read_url_value(GUIDE_SETTINGS["architecture"], ["perceptron"])
    assert reading.value == A.MLP and "perceptron" in reading.problem
