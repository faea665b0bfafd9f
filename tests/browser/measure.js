// What tests/browser/checks.py asserts on, measured in the page as it is drawn: overflow, the nav chrome,
// tap targets, the smallest text, checkbox shapes. Evaluated with page.evaluate(); returns plain data.
() => {
  const W = window.innerWidth;
  const H = window.innerHeight;
  const px = (n) => Math.round(n * 10) / 10;
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const HIDING = '[aria-hidden="true"], [hidden], .visually-hidden, .sr-only, script, style, noscript, template';

  // "main > form > button.secondary[data-testid=x]": up to three levels, stopping at an id or test id.
  const one = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) return `${s}#${el.id}`;
    const testid = el.getAttribute('data-testid');
    const classes = [...el.classList].slice(0, 2).map((c) => `.${c}`).join('');
    s += classes;
    if (testid) s += `[data-testid=${testid}]`;
    else if (el.getAttribute('type') && el.tagName !== 'BUTTON') s += `[type=${el.getAttribute('type')}]`;
    else if (el.getAttribute('name')) s += `[name=${el.getAttribute('name')}]`;
    return s;
  };
  const selector = (el) => {
    const parts = [one(el)];
    let node = el.parentElement;
    while (node && node !== document.body && parts.length < 4 && !el.id && !el.getAttribute('data-testid')) {
      parts.unshift(one(node));
      if (node.id || node.getAttribute('data-testid')) break;
      node = node.parentElement;
    }
    return parts.join(' > ');
  };
  const label = (el) => {
    const raw = el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('alt') ||
      el.getAttribute('title') || el.getAttribute('href') || '';
    return raw.trim().replace(/\s+/g, ' ').slice(0, 40);
  };
  const size = (r) => `${px(r.width)}x${px(r.height)}`;
  // Off the page until focused (a skip link above the top edge): not drawn where anyone can tap it.
  const offPage = (r) => r.bottom + window.scrollY <= 0 || r.right + window.scrollX <= 0;

  // Horizontal overflow: the document against the window, and the elements where the overflow starts
  // (sticking out while their parent does not), outside scroll containers that clip them.
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(node).overflowX)) return true;
    }
    return false;
  };
  const outside = (r) => r.right > W + 0.5 || r.left < -0.5;
  const sticking = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (sticking.length >= 8 || !shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || !outside(r) || offPage(r) || clipped(el)) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && outside(parent.getBoundingClientRect())) continue;
    sticking.push({ selector: selector(el), text: label(el), left: px(r.left), right: px(r.right) });
  }

  // The nav chrome: the top bar (the first header outside the page content) and a bottom tab bar (a nav
  // whose fixed or sticky box sits at the bottom of the window).
  const top = [...document.querySelectorAll('header')].find(
    (h) => shown(h) && !h.parentElement.closest('main, article, section, aside, footer, dialog'));
  const pinned = (nav) => {
    for (let node = nav; node && node !== document.documentElement; node = node.parentElement) {
      const position = getComputedStyle(node).position;
      if (position === 'fixed' || position === 'sticky') {
        const r = node.getBoundingClientRect();
        return r.bottom >= H - 1 && r.top > H / 2 ? node : null;
      }
    }
    return null;
  };
  let tabBar = null;
  for (const nav of document.querySelectorAll('nav')) {
    const box = shown(nav) && pinned(nav);
    if (box) { tabBar = { selector: selector(nav), height: px(box.getBoundingClientRect().height) }; break; }
  }

  // Tap targets: every visible link, button and form control, but an inline link in running text
  // (an inline <a> inside p/li/td/dd that has words of its own outside any link: WCAG 2.5.8 "inline").
  const wordsOutsideLinks = (block) => {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement.closest('a') && /[\p{L}\p{N}]/u.test(node.data)) return true;
    }
    return false;
  };
  const inline = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.closest('p, li, td, dd');
    return Boolean(block) && wordsOutsideLinks(block);
  };
  const union = (a, b) => {
    const left = Math.min(a.left, b.left);
    const top = Math.min(a.top, b.top);
    return { width: Math.max(a.right, b.right) - left, height: Math.max(a.bottom, b.bottom) - top };
  };
  const labelOf = (el) => el.closest('label') ||
    (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null);
  const TARGETS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]';
  const small = [];
  let exempt = 0;
  let targets = 0;
  for (const el of document.querySelectorAll(TARGETS)) {
    if (!shown(el) || el.closest(HIDING)) continue;
    let r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || offPage(r)) continue; // visually hidden, or off the page until focused
    if (inline(el)) { exempt += 1; continue; }
    targets += 1;
    let via = '';
    let named = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const own = labelOf(el);
      if (own && shown(own)) { r = union(r, own.getBoundingClientRect()); via = ' (with its label)'; named = own; }
    }
    if (r.width < 43.5 || r.height < 43.5) {
      small.push({ selector: selector(el), text: label(named), size: size(r) + via });
    }
  }

  // Text: every visible text node's computed font size (SVG text scaled as drawn).
  const textHidden = (el) => {
    if (!shown(el) || el.closest(HIDING)) return true;
    const closed = el.closest('details:not([open])');
    return Boolean(closed) && !el.closest('summary');
  };
  const sizes = new Map();
  let smallest = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.data.trim() || !el || textHidden(el)) continue;
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || offPage(r)) continue;
    let fontSize = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) {
      const m = el.getScreenCTM();
      fontSize *= Math.hypot(m.a, m.b);
    }
    const found = { selector: selector(el), text: node.data.trim().replace(/\s+/g, ' ').slice(0, 40),
      size: px(fontSize) };
    if (!smallest || fontSize < smallest.size) smallest = found;
    if (fontSize < 11 && !sizes.has(found.selector)) sizes.set(found.selector, found);
  }

  // Checkboxes and radios drawn square.
  // A checkbox with role="switch" is drawn as a switch (Pico's toggle), not as a box.
  const boxes = [...document.querySelectorAll(
    'input[type="checkbox"]:not([role="switch"]), input[type="radio"]')].filter(shown);
  const stretched = boxes
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width >= 2 && Math.abs(r.width - r.height) > 1)
    .map(({ el, r }) => ({ selector: selector(el), text: label(labelOf(el) || el), size: size(r) }));

  return {
    url: location.href,
    title: document.title,
    lang: document.documentElement.getAttribute('lang'),
    window: { width: W, height: H },
    scrollWidth: document.documentElement.scrollWidth,
    sticking,
    header: top ? { selector: selector(top), height: px(top.getBoundingClientRect().height) } : null,
    tabBar,
    targets,
    exempt,
    smallTargets: small,
    smallest,
    smallText: [...sizes.values()],
    checkboxes: boxes.length,
    stretched,
  };
}
