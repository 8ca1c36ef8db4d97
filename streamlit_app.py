"""Activation Lab: the entry point. Page config, torch set-up, navigation and the closed
sessions' reaper, nothing else."""

import streamlit as st

from actlib.runtime import configure_torch, freeze_long_lived_objects, release_free_memory
from actlib.ui.fault import guarded
from actlib.ui.layout import through_app_entry
from actlib.ui.page_registry import HOME_PREVIEWS, SECTIONS, all_pages, page_imports, page_of
from actlib.ui.session_reaper import start_session_reaper
from actlib.ui.settings_widgets import note_page_run
from actlib.ui.warm_up import prefetch_charts_once_drawn, warm_up_after_this_run

st.set_page_config(page_title="Activation Lab", page_icon="🧠", layout="wide")
start_session_reaper()  # once per process: closed sessions' memory goes back

sections: dict[str, list] = {section: [] for section in SECTIONS}
for info in all_pages():
    sections[info.section].append(
        st.Page(info.path, title=info.title, icon=info.icon, default=info.stem == "home")
    )
navigation = st.navigation({name: pages for name, pages in sections.items() if pages})
note_page_run(navigation.url_path)
page = page_of(navigation.url_path)
if page.needs_torch:
    # Altair is loaded here, not at the top: the home page draws pictures, no charts.
    from actlib.ui import chart_conversion

    chart_conversion.install()  # sessions convert their charts side by side, not in turn
    configure_torch()  # before the page imports torch and trains
with through_app_entry():  # a page run without it is Streamlit's pages/ relic
    guarded(f"page {navigation.url_path or 'home'}")(navigation.run)()
freeze_long_lived_objects()  # after the page, whose imports are then loaded
release_free_memory()  # what the page's run freed goes back to the system
if not page.needs_torch:
    # The home page is drawn without torch, Altair or Vega: load them while the student
    # reads, so the first page opened from it does not wait for them.
    prefetch_charts_once_drawn(HOME_PREVIEWS)
    warm_up_after_this_run(page_imports())
