"""The only part of actlib that imports Streamlit: widgets, page registry, live runner."""
