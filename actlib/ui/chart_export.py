"""Every chart downloads as SVG, and every live frame as PNG, from one place: the chart's
own toolbar (hover a chart).

Streamlit 1.67's chart toolbar offers "Download as PNG" but no SVG, while it draws every
Altair chart as an SVG in the page (``[data-testid="stVegaLiteChart"] svg.marks``). A
components-v2 script runs in the main document (no iframe: checked in a real browser), so
one small trusted element, mounted once per page by the page header, watches the document
(a ``MutationObserver``) and adds an **SVG** button to each chart's toolbar, beside
Streamlit's own and shown on hover like them, including charts drawn later (another tab,
a live frame). The button serialises that chart's SVG as a standalone file: the
namespaces, its size, a background rectangle and, inlined per element, the fonts, sizes,
colours and line widths the page's style sheets give it (the presenter view's sizes, the
dark theme's colours), so a file viewer shows what the page showed.

The Playground's live frames are PNG pictures (:mod:`actlib.live_plots`), not Altair charts:
they have no SVG, so they get a **PNG** button in the same corner, and its tooltip says so.

Trusted code only: the script is given no data at all; file names come from the page's
path and the chart's own title (or its axis titles), cut to safe characters.
"""

from __future__ import annotations

import streamlit as st

SVG_BUTTON_CLASS = "al-export-svg"
PNG_BUTTON_CLASS = "al-export-png"

_JS = """
export default function () {
  if (window.__activationLabExport) { window.__activationLabExport.scan(); return; }
  const SVG_CLASS = '__SVG_CLASS__', PNG_CLASS = '__PNG_CLASS__';
  const style = document.createElement('style');
  style.id = 'al-export-style';
  style.textContent = `
    .${SVG_CLASS} { font-weight: 700 !important; font-size: 0.8rem !important;
      letter-spacing: 0.02em; min-width: 2.2rem; }
    .al-export-host { position: relative; }
    .${PNG_CLASS} { position: absolute; top: 0.25rem; right: 0.25rem; z-index: 3;
      font: 700 0.8rem/1 inherit; padding: 0.35rem 0.5rem; border-radius: 0.4rem;
      border: 1px solid rgba(128, 128, 128, 0.5); background: rgba(255, 255, 255, 0.92);
      color: #262730; cursor: pointer; opacity: 0; transition: opacity 0.15s; }
    .al-export-host:hover .${PNG_CLASS}, .${PNG_CLASS}:focus { opacity: 1; }`;
  document.head.appendChild(style);

  const page = () => (location.pathname.replace(/^\\/+|\\/+$/g, '') || 'home')
    .split('/').pop();
  const slug = (text) => text.toLowerCase().normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);

  function chartName(svg) {
    const pick = (selector) => [...svg.querySelectorAll(selector)]
      .map((t) => t.textContent.trim()).filter(Boolean);
    const title = pick('.role-title-text text');
    const axes = pick('.role-axis-title text');
    const words = title.length ? title.slice(0, 1) : axes.slice(0, 2).reverse();
    if (words.length) return slug(words.join(' vs '));
    const all = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks')];
    return `chart-${all.indexOf(svg) + 1}`;
  }

  function hex(color) {
    const m = /rgba?\\(([^)]+)\\)/.exec(color || '');
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    const h = '#' + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
    return { hex: h, alpha: a === undefined || Number.isNaN(a) ? 1 : a };
  }

  function inlinePaint(from, to, property, opacityProperty) {
    const computed = getComputedStyle(from);
    const value = computed.getPropertyValue(property);
    if (!value || value === 'none') { to.style.setProperty(property, 'none'); return; }
    const color = hex(value);
    if (!color) return;  // a gradient or pattern reference: keep the attribute
    if (color.alpha === 0) { to.style.setProperty(property, 'none'); return; }
    to.style.setProperty(property, color.hex);
    const opacity = parseFloat(computed.getPropertyValue(opacityProperty));
    const total = (Number.isNaN(opacity) ? 1 : opacity) * color.alpha;
    if (total < 1) to.style.setProperty(opacityProperty, String(+total.toFixed(3)));
  }

  function serialise(svg) {
    const clone = svg.cloneNode(true);
    const from = [svg, ...svg.querySelectorAll('*')];
    const to = [clone, ...clone.querySelectorAll('*')];
    for (let i = 0; i < from.length; i++) {
      const element = from[i], copy = to[i];
      const tag = element.tagName.toLowerCase();
      if (tag === 'text' || tag === 'tspan') {
        const computed = getComputedStyle(element);
        let family = computed.fontFamily || 'sans-serif';
        if (!/sans-serif\\s*$/.test(family)) family += ', Helvetica, Arial, sans-serif';
        copy.style.setProperty('font-family', family);
        copy.style.setProperty('font-size', computed.fontSize);
        copy.style.setProperty('font-weight', computed.fontWeight);
        inlinePaint(element, copy, 'fill', 'fill-opacity');
      } else if (['path', 'line', 'rect', 'circle', 'ellipse', 'polyline', 'polygon']
                 .includes(tag)) {
        inlinePaint(element, copy, 'fill', 'fill-opacity');
        inlinePaint(element, copy, 'stroke', 'stroke-opacity');
        const width = getComputedStyle(element).strokeWidth;
        if (width) copy.style.setProperty('stroke-width', width);
      }
    }
    const box = svg.getBoundingClientRect();
    const width = svg.getAttribute('width') || String(Math.round(box.width));
    const height = svg.getAttribute('height') || String(Math.round(box.height));
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
    clone.setAttribute('width', width);
    clone.setAttribute('height', height);
    if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
    // The page's background, drawn: a viewer would show a transparent file on its own.
    let background = hex(getComputedStyle(svg).backgroundColor);
    let node = svg.parentElement;
    while ((!background || background.alpha === 0) && node) {
      background = hex(getComputedStyle(node).backgroundColor);
      node = node.parentElement;
    }
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    rect.setAttribute('width', '100%');
    rect.setAttribute('height', '100%');
    rect.setAttribute('fill', background && background.alpha > 0 ? background.hex : '#ffffff');
    clone.insertBefore(rect, clone.firstChild);
    clone.removeAttribute('style');
    return '<?xml version="1.0" encoding="UTF-8"?>\\n'
      + new XMLSerializer().serializeToString(clone);
  }

  function download(href, name) {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function addSvgButton(chart) {
    const wrapper = chart.parentElement;
    const row = wrapper && wrapper.querySelector(
      '[data-testid="stElementToolbar"] [data-testid="stElementToolbarButtonContainer"]');
    if (!row || row.querySelector('.' + SVG_CLASS)) return;
    const button = document.createElement('button');
    const model = row.querySelector('button');
    button.className = (model ? model.className + ' ' : '') + SVG_CLASS;
    button.type = 'button';
    button.textContent = 'SVG';
    button.title = 'Download as SVG';
    button.setAttribute('aria-label', 'Download as SVG');
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      const svg = wrapper.querySelector('[data-testid="stVegaLiteChart"] svg.marks');
      if (!svg) return;
      const blob = new Blob([serialise(svg)], { type: 'image/svg+xml' });
      const url = URL.createObjectURL(blob);
      download(url, `${page()}-${chartName(svg)}.svg`);
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    row.insertBefore(button, row.firstChild);
  }

  function addPngButton(image) {
    const host = image.closest('[data-testid="stElementContainer"]');
    if (!host || host.querySelector(':scope > .' + PNG_CLASS)) return;
    host.classList.add('al-export-host');
    const button = document.createElement('button');
    button.className = PNG_CLASS;
    button.type = 'button';
    button.textContent = 'PNG';
    button.title = 'Download this frame as PNG (a live frame is a picture: it has no SVG)';
    button.setAttribute('aria-label', 'Download this frame as PNG');
    button.addEventListener('click', () => {
      const now = host.querySelector('img[src^="data:image/png"]');
      if (!now) return;
      const name = slug(now.getAttribute('alt') || '') || 'frame';
      download(now.src, `${page()}-${name}.png`);
    });
    host.appendChild(button);
  }

  let queued = false;
  function scan() {
    queued = false;
    document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach(addSvgButton);
    document.querySelectorAll('[data-testid="stMarkdownContainer"] img[src^="data:image/png"]')
      .forEach(addPngButton);
  }
  const observer = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(scan); }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  window.__activationLabExport = { scan, observer };
  scan();
}
""".replace("__SVG_CLASS__", SVG_BUTTON_CLASS).replace("__PNG_CLASS__", PNG_BUTTON_CLASS)

_COMPONENT = st.components.v2.component("activation_lab_chart_export", js=_JS)


def mount() -> None:
    """Mount the watcher (once per page run; the page header calls it). It draws nothing
    itself: the buttons go into each chart's toolbar."""
    _COMPONENT(key="chart_export_watcher")
