"""Scenes and lecture sequences as data: every scene is a clean link of its page, and a
lecture link parses with clear messages."""

from __future__ import annotations

from collections import Counter

import pytest

from actlib import lecture as lec
from actlib import lecture_keys as keys
from actlib.page_settings import settings_of
from actlib.scenes import SCENES, TOPIC_STEMS, by_page, find, scene
from actlib.settings import RESERVED_KEYS, Choice
from actlib.ui.page_registry import TOPIC_PAGES


@pytest.mark.parametrize("item", SCENES, ids=lambda s: s.id)
def test_every_scene_parses_cleanly_with_its_pages_settings(item) -> None:
    assert item.problems() == []
    settings = settings_of(item.page)
    assert settings is not None
    for key, raw in item.query().items():
        # the same check the page runs on a link, value by value
        assert settings[key].parse(raw) == item.values()[key]


@pytest.mark.parametrize("item", SCENES, ids=lambda s: s.id)
def test_every_scene_names_its_tab_and_at_least_one_setting(item) -> None:
    """A scene must name a setting (a link naming none restores the page's last state in
    the session instead of the scene's), and the tab where it shows."""
    assert item.params, item.id
    tabs = [s.key for s in item.settings if isinstance(s, Choice) and s.widget == "tabs"]
    for key in tabs:
        assert key in item.params, f"{item.id} does not say which {key} tab it opens"
    assert item.title and item.notice and len(item.notice) < 130


def test_three_scenes_per_topic_page_and_unique_ids() -> None:
    assert set(TOPIC_STEMS) == {p.stem for p in TOPIC_PAGES}
    counts = Counter(s.page for s in SCENES)
    assert all(counts[stem] >= 3 for stem in TOPIC_STEMS), counts
    assert len({s.id for s in SCENES}) == len(SCENES)
    assert list(by_page()) == list(TOPIC_STEMS)


def test_a_bad_scene_is_caught_by_its_own_check() -> None:
    from actlib.scenes import Scene

    bad = Scene("x", "dead_relu", "t", "n", {"lr": "0.37", "nope": "1"}, hide=("zzz",))
    problems = bad.problems()
    assert any("nope" in p for p in problems)
    assert any("lr=0.37" in p for p in problems)
    assert any("hide=zzz" in p for p in problems)


def test_values_and_matches() -> None:
    item = scene("dr-die")
    values = item.values()
    assert values["lr"] == 0.3 and values["act"] == ("relu",) and values["opt"] == "sgd"
    assert values["steps"] == settings_of("dead_relu")["steps"].default
    assert item.matches(values)
    assert not item.matches({**values, "lr": 0.1})
    assert not item.matches({**values, "view": "Census at init"})


def test_playground_progress_does_not_leave_the_scene() -> None:
    item = scene("pg-xor-relu")
    values = item.values()
    assert item.matches({**values, "p_steps": 1500, "p_lrs": ((0, 0.03), (600, 0.1))})
    assert not item.matches({**values, "p_act": "tanh"})


def test_lecture_keys_are_reserved_and_no_page_declares_them() -> None:
    assert keys.LECTURE_KEYS <= RESERVED_KEYS
    for stem in TOPIC_STEMS:
        settings = settings_of(stem)
        assert settings is not None
        assert not keys.LECTURE_KEYS & set(settings.key_list()), stem


def test_default_lecture_covers_the_curriculum_in_about_ten_scenes() -> None:
    scenes = [scene(i) for i in lec.DEFAULT_LECTURE]
    assert 8 <= len(scenes) <= 12
    pages = {s.page for s in scenes}
    assert {"nonlinearity", "shapes", "gradients", "dead_relu", "guide"} <= pages
    assert len(set(lec.DEFAULT_LECTURE)) == len(scenes)


def test_lecture_links_parse_with_clear_messages() -> None:
    default = lec.read({keys.LECTURE: ["default"], keys.AT: ["3"]})
    assert default is not None
    assert default.progress == f"3 of {len(lec.DEFAULT_LECTURE)}"
    assert default.current.id == lec.DEFAULT_LECTURE[2]
    assert default.text() == "default"

    own = lec.read({keys.LECTURE: ["grad-vanishing, nope ,dr-die"], keys.AT: ["9"]})
    assert own is not None
    assert [s.id for s in own.scenes] == ["grad-vanishing", "dr-die"]
    assert own.position == 0
    assert any("`nope` is not a scene" in p for p in own.problems)
    assert any("`at=9`" in p for p in own.problems)
    assert own.text() == "grad-vanishing,dr-die"

    assert lec.read({keys.LECTURE: ["nothing,known"]}) is None
    assert lec.read({}) is None
    long = lec.read({keys.LECTURE: [",".join(["dr-die"] * (lec.MAX_SCENES + 5))]})
    assert long is not None and len(long.scenes) == lec.MAX_SCENES
    assert any("at most" in p for p in long.problems)


def test_next_and_previous_clamp_at_the_ends() -> None:
    lecture = lec.Lecture(tuple(scene(i) for i in ("nl-collapse", "dr-die", "guide-advice")))
    assert not lecture.has_previous and lecture.has_next
    last = lecture.moved(1).moved(1).moved(1)
    assert last.progress == "3 of 3" and not last.has_next
    assert last.moved(-5).position == 0


def test_step_query_carries_the_scene_the_sequence_and_the_presenter_flag() -> None:
    lecture = lec.read({keys.LECTURE: ["default"], keys.AT: ["4"]})
    assert lecture is not None
    query = lec.step_query(lecture, present=True)
    current = lecture.current
    assert query[keys.SCENE] == [current.id]
    assert query[keys.LECTURE] == ["default"] and query[keys.AT] == ["4"]
    assert query[keys.PRESENT] == ["1"] and query[keys.HIDE] == list(current.hide)
    for key, raw in current.query().items():
        assert query[key] == raw
    desk = lec.step_query(lecture.moved(1), present=False)
    assert keys.PRESENT not in desk and keys.HIDE not in desk
    assert desk[keys.AT] == ["5"]


def test_find_is_lenient_about_case_and_space() -> None:
    assert find(" DR-Die ") is scene("dr-die")
    assert find("<script>") is None
    with pytest.raises(KeyError):
        scene("nope")
