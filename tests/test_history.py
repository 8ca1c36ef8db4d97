"""The timeline and the usage table: built from the catalogue, with keys that exist in it."""

from __future__ import annotations

import itertools

import pytest

from actlib.activations import CATALOGUE, get
from actlib.history import ERAS, USAGE, era_of, timeline, usage_table


def test_timeline_has_one_row_per_catalogue_entry_copied_from_it():
    frame = timeline()
    assert len(frame) == len(CATALOGUE)
    by_key = frame.set_index("key")
    for spec in CATALOGUE:
        row = by_key.loc[spec.key]
        assert (row["name"], row["year"], row["origin"], row["color"]) == (
            spec.name, spec.year, spec.origin, spec.color
        )


def test_timeline_is_oldest_first_and_eras_advance_with_it():
    frame = timeline()
    assert frame["year"].is_monotonic_increasing
    assert frame["era_order"].is_monotonic_increasing
    assert set(frame["era"]) == {era.label for era in ERAS}


@pytest.mark.parametrize(("key", "era"), [
    ("step", "threshold units"),
    ("sigmoid", "backprop era"),
    ("tanh", "backprop era"),
    ("relu", "rectifier era"),
    ("leaky_relu", "rectifier era"),
    ("elu", "modern smooth/self-normalising/gated"),
    ("selu", "modern smooth/self-normalising/gated"),
    ("gelu", "modern smooth/self-normalising/gated"),
    ("swish", "modern smooth/self-normalising/gated"),
    ("mish", "modern smooth/self-normalising/gated"),
    ("swiglu", "modern smooth/self-normalising/gated"),
])
def test_activations_fall_in_the_curriculum_eras(key, era):
    frame = timeline().set_index("key")
    assert frame.loc[key, "era"] == era


def test_eras_cover_the_years_without_gaps_or_overlaps():
    for before, after in itertools.pairwise(ERAS):
        assert before.last + 1 == after.first
    assert [era_of(y).label for y in (1943, 1958, 1986, 2001, 2010, 2014, 2015, 2024)] == [
        "threshold units", "threshold units", "backprop era", "backprop era",
        "rectifier era", "rectifier era", "modern smooth/self-normalising/gated",
        "modern smooth/self-normalising/gated",
    ]
    with pytest.raises(ValueError, match="no era"):
        era_of(1800)


def test_every_usage_key_and_parameter_exists_in_the_catalogue():
    for use in USAGE:
        get(use.key).resolve(dict(use.params))  # raises on an unknown key or a bad value


def test_usage_covers_the_modern_architectures():
    architectures = {use.architecture for use in USAGE}
    assert {"CNN", "RNN/LSTM/GRU", "Transformer", "GAN generator", "GAN discriminator", "VAE",
            "Diffusion", "LLM feed-forward"} <= architectures


@pytest.mark.parametrize(("architecture", "key"), [
    ("CNN", "relu"),
    ("RNN/LSTM/GRU", "sigmoid"),
    ("RNN/LSTM/GRU", "tanh"),
    ("Transformer", "gelu"),
    ("GAN discriminator", "leaky_relu"),
    ("GAN generator", "tanh"),
    ("Diffusion", "swish"),
    ("LLM feed-forward", "swiglu"),
])
def test_usage_pairs_match_the_curriculum(architecture, key):
    assert any(u.architecture == architecture and u.key == key for u in USAGE)


def test_usage_table_fills_names_and_modules_from_the_catalogue():
    frame = usage_table()
    assert len(frame) == len(USAGE)
    for use, row in zip(USAGE, frame.itertuples(), strict=True):
        spec = get(use.key)
        assert row.name == spec.name and row.color == spec.color and row.year == spec.year
        assert row.module == spec.module_call(dict(use.params))
    discriminator = frame[(frame["architecture"] == "GAN discriminator")
                          & (frame["key"] == "leaky_relu")]
    assert discriminator["module"].item() == "nn.LeakyReLU(negative_slope=0.2)"


def test_every_history_row_and_usage_row_carries_its_source():
    """Each catalogue entry names the publications behind its year and origin, and each
    usage row the publication or official code that shows the use."""
    for spec in CATALOGUE:
        assert spec.sources and all(len(text) > 20 for text in spec.sources), spec.key
        assert any(str(spec.year) in text for text in spec.sources), spec.key
    assert timeline()["sources"].str.len().gt(20).all()
    for use in USAGE:
        assert len(use.source) > 10, use
    assert usage_table()["source"].str.len().gt(10).all()


@pytest.mark.parametrize(("key", "year", "names"), [
    ("identity", 1960, ("Widrow", "Hoff")),  # ADALINE's linear unit, not McCulloch-Pitts
    ("tanh", 1998, ("LeCun", "Bottou", "Orr", "Müller")),  # 'Efficient BackProp' is 1998
    ("swish", 2016, ("Hendrycks", "Gimpel", "Elfwing", "Ramachandran")),
])
def test_dates_and_attributions_match_their_sources(key, year, names):
    spec = get(key)
    assert spec.year == year
    assert all(name in spec.origin for name in names), spec.origin


def test_usage_claims_checked_against_their_sources():
    """The original T5 used ReLU (Raffel et al., 2020), T5 v1.1 GEGLU; Stable Diffusion's
    cross-attention blocks use GEGLU; DCGAN ended in a sigmoid with BCE."""
    assert "T5" not in get("gelu").origin.split("(the original T5")[0]
    assert "original T5 used ReLU" in get("gelu").origin
    rows = {(u.architecture, u.key): u for u in USAGE}
    assert "Stable Diffusion" in rows[("Diffusion", "geglu")].examples
    assert "original T5" in rows[("Transformer", "relu")].examples
    dcgan = rows[("GAN discriminator", "sigmoid")].examples
    assert "BCEWithLogitsLoss" not in dcgan and "sigmoid" in dcgan
