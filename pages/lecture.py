"""Lecture builder: put scenes in order and get the link of your own lecture."""

import streamlit as st

from actlib import lecture as lec
from actlib.scenes import SCENES, find
from actlib.ui import lecture_nav as nav
from actlib.ui.layout import page_header
from actlib.ui.page_registry import title_of

page_header("Lecture builder", "Pick scenes in the order you will show them; the link holds "
            "the lecture.")

labels = {s.id: f"{title_of(s.page)} · {s.title}" for s in SCENES}
chosen = st.multiselect(
    "Scenes, in the order of the lecture", list(labels), default=list(lec.DEFAULT_LECTURE),
    format_func=labels.__getitem__, max_selections=lec.MAX_SCENES, key="builder_scenes",
    help=f"At most {lec.MAX_SCENES}. Remove a scene with its ×; a new pick goes to the end.",
)
if not chosen:
    st.info("Pick at least one scene to make a lecture.")
    st.stop()

lecture = lec.Lecture(tuple(find(i) for i in chosen))  # type: ignore[misc]
present = st.toggle("Open it in the presenter view", value=nav.presenting(),
                    key="builder_present")
st.markdown("**The lecture's link**, opening its first scene:")
st.code(nav.absolute_link(lecture.current.page, lec.step_query(lecture, present)),
        language=None, wrap_lines=True)
st.button("Start this lecture", icon="▶️", type="primary", key="builder_start",
          on_click=nav.request_step, args=(lecture, present))
st.markdown("\n".join(f"{i}. **{s.title}** ({title_of(s.page)}): {s.notice}"
                      for i, s in enumerate(lecture.scenes, start=1)))
