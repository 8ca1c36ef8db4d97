"""One vocabulary: the labels of initialisations, normalisations and optimisers and the
learning-rate ladder live in actlib/vocabulary.py only, and the pages offer exactly them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from actlib import nets, snippets
from actlib.page_settings import settings_of
from actlib.vocabulary import (
    INIT_DESCRIPTIONS,
    INIT_LABELS,
    LEARNING_RATES,
    NORM_DESCRIPTIONS,
    NORM_LABELS,
    OPTIMIZER_LABELS,
    learning_rates,
)
from tests.browser import REPO

CONCEPT_KEYS = (set(INIT_LABELS), set(NORM_LABELS), set(OPTIMIZER_LABELS))
WORDINGS = {
    *INIT_LABELS.values(), *NORM_LABELS.values(), *OPTIMIZER_LABELS.values(),
    # earlier spellings of the same labels, one per file they were written in
    "He (Kaiming)", "He normal", "He/Kaiming normal", "He / Kaiming", "Xavier uniform",
    "Xavier/Glorot uniform", "Xavier / Glorot", "Momentum", "PyTorch's default",
}
def _sources() -> list[Path]:
    files = [*(REPO / "actlib").rglob("*.py"), *(REPO / "pages").glob("*.py"),
             REPO / "streamlit_app.py"]
    return [f for f in files if f.name != "vocabulary.py"]


def _label_dicts(tree: ast.AST) -> list[int]:
    """Lines of dict literals mapping two or more keys of one concept to strings."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            texts = all(isinstance(v, ast.JoinedStr) or (isinstance(v, ast.Constant)
                        and isinstance(v.value, str)) for v in node.values)
            if texts and any(len(keys & concept) >= 2 for concept in CONCEPT_KEYS):
                lines.append(node.lineno)
    return lines


def _ladders(tree: ast.AST) -> list[int]:
    """Lines of tuples or lists of four or more learning-rate rungs."""
    rungs = set(LEARNING_RATES)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List):
            numbers = [e.value for e in node.elts if isinstance(e, ast.Constant)
                       and isinstance(e.value, float)]
            if len(numbers) >= 4 and {0.001, 0.01} <= set(numbers) <= rungs:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_label_dict_or_ladder_outside_the_vocabulary(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert not _label_dicts(tree), f"a label dict for a vocabulary concept at {path}"
    assert not _ladders(tree), f"a learning-rate list at {path}: use learning_rates(low, high)"
    words = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and isinstance(n.value, str) and n.value in WORDINGS]
    assert not words, f"vocabulary words written out in {path}: {words}"


def test_the_scan_finds_what_it_looks_for() -> None:
    tree = ast.parse('X = {"sgd": "SGD", "momentum": "Momentum"}\nR = (0.001, 0.003, 0.01, 0.1)')
    assert _label_dicts(tree) == [1] and _ladders(tree) == [2]


def test_engine_and_snippets_read_the_vocabulary() -> None:
    assert dict(nets.INIT_SCHEMES) == dict(INIT_DESCRIPTIONS)
    assert dict(nets.NORM_KINDS) == dict(NORM_DESCRIPTIONS)
    assert {k: t.name for k, t in snippets.INIT_TEMPLATES.items() if k != "naive"} == {
        k: v for k, v in INIT_LABELS.items() if k != "naive"}


@pytest.mark.parametrize("stem", ["gradients", "dead_relu"])
def test_pages_offer_the_vocabularys_labels_and_ladder(stem: str) -> None:
    settings = settings_of(stem)
    for key in ("init", "opt"):
        choice = settings[key]
        assert {o: choice.label_of(o) for o in choice.options} == {
            o: {**INIT_LABELS, **OPTIMIZER_LABELS}[o] for o in choice.options}
    rates = settings["lr"].options
    assert rates == learning_rates(rates[0], rates[-1])


OLD_LADDERS = {
    "gradients": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
    "dead_relu": (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
}


@pytest.mark.parametrize("stem", sorted(OLD_LADDERS))
def test_every_learning_rate_an_old_link_could_hold_is_still_accepted(stem: str) -> None:
    lr = settings_of(stem)["lr"]
    for rate in OLD_LADDERS[stem]:
        assert lr.parse([f"{rate:g}"]) == rate


def test_gradients_norm_choice_is_the_vocabulary() -> None:
    norm = settings_of("gradients")["norm"]
    assert {o: norm.label_of(o) for o in norm.options} == dict(NORM_LABELS)
    assert settings_of("dead_relu")["bn"].label == NORM_LABELS["batch"]
