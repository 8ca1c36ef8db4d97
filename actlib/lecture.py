"""Lecture sequences: an ordered list of scenes across pages, played with Next and Previous.

A sequence lives in the link (``lecture=default`` or ``lecture=nl-collapse,grad-vanishing``,
with ``at=3`` for the position), so a lecturer prepares one as a link and opens it in class.
This module holds the pure part: parsing the link's text with clear messages, the default
lecture, and the query of each step. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from actlib import lecture_keys as keys
from actlib.scenes import Scene, find
from actlib.settings import code_span

DEFAULT_NAME = "default"
DEFAULT_LECTURE: tuple[str, ...] = (
    "nl-collapse",
    "nl-approx-relu",
    "shapes-saturation",
    "grad-vanishing",
    "grad-relu-he",
    "grad-clipping",
    "dr-die",
    "dr-leaky",
    "nl-softmax-cold",
    "guide-advice",
    "guide-bakeoff-digits",
)
"""The shipped lecture: collapse, approximation, saturation, vanishing and its remedy,
exploding and clipping, dying units and their remedy, softmax, then choosing."""

MAX_SCENES = 40
"""The longest sequence a link may hold (a lecture, not a catalogue)."""


@dataclass(frozen=True)
class Lecture:
    """A parsed sequence and the position in it (0-based here, 1-based in the link)."""

    scenes: tuple[Scene, ...]
    position: int = 0
    problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.scenes:
            raise ValueError("a lecture needs at least one scene")
        if not 0 <= self.position < len(self.scenes):
            raise ValueError(f"position {self.position} outside 0..{len(self.scenes) - 1}")

    @property
    def current(self) -> Scene:
        return self.scenes[self.position]

    @property
    def progress(self) -> str:
        """"3 of 8"."""
        return f"{self.position + 1} of {len(self.scenes)}"

    @property
    def has_next(self) -> bool:
        return self.position + 1 < len(self.scenes)

    @property
    def has_previous(self) -> bool:
        return self.position > 0

    def moved(self, step: int) -> Lecture:
        """The same lecture ``step`` scenes on (clamped to its ends)."""
        position = min(max(self.position + step, 0), len(self.scenes) - 1)
        return Lecture(self.scenes, position)

    def text(self) -> str:
        """The link's form of the sequence: ``default`` for the shipped one."""
        return lecture_text(s.id for s in self.scenes)


def lecture_text(ids: Sequence[str] | object) -> str:
    ids = tuple(ids)  # type: ignore[arg-type]
    return DEFAULT_NAME if ids == DEFAULT_LECTURE else ",".join(ids)


def parse_ids(text: str) -> tuple[tuple[Scene, ...], list[str]]:
    """The scenes a link's ``lecture`` text names, and a message per unknown entry.

    ``default`` is the shipped lecture; otherwise ids are separated by commas (spaces
    allowed). Unknown ids are dropped and named; past :data:`MAX_SCENES` the rest is cut.
    """
    if text.strip().lower() == DEFAULT_NAME:
        return tuple(find(i) for i in DEFAULT_LECTURE), []  # type: ignore[misc]
    scenes: list[Scene] = []
    problems: list[str] = []
    for entry in (e for e in text.replace(" ", ",").split(",") if e.strip()):
        found = find(entry)
        if found is None:
            problems.append(f"{code_span(entry)} is not a scene; skipped")
        else:
            scenes.append(found)
    if len(scenes) > MAX_SCENES:
        problems.append(f"a lecture holds at most {MAX_SCENES} scenes; the rest is cut")
        scenes = scenes[:MAX_SCENES]
    return tuple(scenes), problems


def read(query: Mapping[str, Sequence[str]]) -> Lecture | None:
    """The lecture a link holds (``lecture`` and ``at``), or None when it holds none or
    none of its scenes is known. Problems travel with the result, for the page's note."""
    raw = list(query.get(keys.LECTURE, ()))
    if not raw:
        return None
    scenes, problems = parse_ids(",".join(raw))
    if not scenes:
        return None
    at_raw = list(query.get(keys.AT, ()))
    position = 0
    if at_raw:
        text = at_raw[0].strip()
        if text.isdigit() and 1 <= int(text) <= len(scenes):
            position = int(text) - 1
        else:
            problems.append(f"{code_span('at=' + text)} is not a step from 1 to {len(scenes)}; "
                            "starting at 1")
    return Lecture(scenes, position, tuple(problems))


FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True,
              "0": False, "false": False, "no": False, "off": False}
"""What a link's on/off key (``present``, ``dark``) may say, in any letter case."""


def parse_flag(text: str) -> bool | None:
    """A link's on/off value, or None when it is neither (the page names it and ignores
    it)."""
    return FLAG_WORDS.get(text.strip().lower())


def flag_problem(key: str, text: str) -> str | None:
    """The page's note for a bad on/off value in the link, or None when it is valid."""
    if parse_flag(text) is not None:
        return None
    return f"{code_span(key + '=' + text)} is not 1 or 0; ignored"


def step_query(lecture: Lecture, present: bool, dark: bool = False) -> dict[str, list[str]]:
    """The full query that opens the lecture's current scene: the scene's parameters, its
    id, the sequence and position, and the presenter flags (kept across Next/Previous)."""
    query = scene_query(lecture.current, present, dark)
    query[keys.LECTURE] = [lecture.text()]
    query[keys.AT] = [str(lecture.position + 1)]
    return query


def scene_query(scene: Scene, present: bool, dark: bool = False) -> dict[str, list[str]]:
    """The query that opens one scene (the Scenes menu, the home index): its parameters and
    id; in the presenter view also the flag, the dark theme when it is on, and the
    controls the scene tucks away."""
    query = scene.query()
    query[keys.SCENE] = [scene.id]
    if present:
        query[keys.PRESENT] = ["1"]
        if dark:
            query[keys.DARK] = ["1"]
        if scene.hide:
            query[keys.HIDE] = list(scene.hide)
    return query
