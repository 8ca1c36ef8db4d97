"""Each page's explanatory text, composed from its results, importable without the page.

One module per page (``actlib.page_text.<page stem>``). The long captions and notes live
here so a page script reads as layout (settings -> actlib -> charts), and the sentences
that depend on numbers (a verdict against the chance level, who lost units) are functions
that tests can call. Nothing here imports Streamlit.
"""
