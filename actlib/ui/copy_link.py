"""**Copy link to this view**: the full address of what the page shows, with a visible
confirmation.

The address is read in the browser when the button is pressed, not sent from the server:
every control writes itself into the address bar as it moves, so the browser's own URL is
the view, and a link built on the server at the top of a run would lag one change behind.
A small inline component (Streamlit 1.67's ``st.components.v2``, no build step, trusted
code only: it is given no user text) copies it and shows it.
"""

from __future__ import annotations

import streamlit as st

_HTML = """
<div class="copy-link">
  <button type="button" class="copy-button" title="Copy the full address of this view">
    🔗 Copy link to this view</button>
  <div class="copy-status" role="status" aria-live="polite"></div>
</div>
"""

_CSS = """
.copy-link { font-family: inherit; }
.copy-button {
  font: inherit; font-size: 1rem; padding: 0.35rem 0.8rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.25); background: #ffffff; color: #262730;
  cursor: pointer; white-space: nowrap;
}
.copy-button:hover { border-color: #ff4b4b; color: #ff4b4b; }
.copy-status { font-size: 0.9rem; color: #1a7f37; margin-top: 0.25rem; max-width: 28rem;
  overflow-wrap: anywhere; }
.copy-status:empty { display: none; }
"""

_JS = """
export default function(component) {
  const { parentElement } = component;
  const button = parentElement.querySelector('.copy-button');
  const status = parentElement.querySelector('.copy-status');
  let timer = null;
  const copyByHand = (text) => {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let done = false;
    try { done = document.execCommand('copy'); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  };
  const onClick = async () => {
    const url = window.location.href;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch (e) {
      copied = copyByHand(url);
    }
    status.textContent = (copied ? '✓ Link copied: ' : 'Copy this link by hand: ') + url;
    status.setAttribute('data-copied', copied ? 'yes' : 'no');
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(() => { status.textContent = ''; }, 8000);
  };
  button.addEventListener('click', onClick);
  return () => {
    button.removeEventListener('click', onClick);
    if (timer) { clearTimeout(timer); }
  };
}
"""

_COMPONENT = st.components.v2.component("activation_lab_copy_link", html=_HTML, css=_CSS,
                                        js=_JS, isolate_styles=False)
"""Styles not isolated: the presenter view's style sheet enlarges the button like the rest
of the page (the class names are this component's own)."""


def copy_link_button() -> None:
    """Draw the button; it copies the browser's current address and shows it."""
    _COMPONENT(key="copy_link_to_view", width="content")
