// Site script for every page (Jupyter Book adds every .js file in _static/ to every page,
// so only code that every page needs lives here). Both editions load it: the English one
// from the site's root, the Chinese one (tools/translate.py) from zh_CN/.

// The page's language, from <html lang> (Sphinx's `language`), and its words: each
// t("...") call's English text is its message id, and tools/sphinx_site.py writes the
// words of the page's language into every page at build time (BIRNN_WORDS.words, from the
// book's catalog). An id without a word stays English. (The language switch is built into
// the HTML at build time: tools/sphinx_site.py.)
const BIRNN_ZH = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
const birnnT = (id) => ((typeof BIRNN_WORDS !== "undefined" && BIRNN_WORDS.words[id]) || id);

// Live Code offline: sphinx-thebe loads THEBE_JS_URL with a <script> tag when a reader
// clicks the button and has no error path, so offline the button would spin forever.
document.addEventListener("error", (event) => {
  const src = event.target && event.target.src;
  if (typeof THEBE_JS_URL === "undefined" || src !== THEBE_JS_URL) return;
  const t = birnnT;
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.textContent = t("Live Code needs a network connection: it runs the code on Binder.");
  });
}, true);

document.addEventListener("DOMContentLoaded", () => {
  const t = birnnT;
  // Accessible names that match what is shown (WCAG 2.5.3; axe-core's
  // label-content-name-mismatch, serious). pydata-sphinx-theme 0.16 puts titled icons
  // inside buttons named by aria-label, and names the search field ("Search Ctrl+K") "Search".
  // Icons are decoration. (myst-nb's "Show code cell source" summaries are named by their
  // visible text at build time: tools/sphinx_site.py.)
  document.querySelectorAll("button i").forEach((icon) => icon.setAttribute("aria-hidden", "true"));
  document.querySelectorAll("button.search-button-field[aria-label]")
    .forEach((button) => button.removeAttribute("aria-label"));
  // The theme leaves the site logo and the chapter list of the left sidebar outside any
  // landmark (axe-core "region").
  const sidebar = document.getElementById("pst-primary-sidebar");
  if (sidebar && !sidebar.closest("nav, [role=navigation]")) {
    sidebar.setAttribute("role", "navigation");
    sidebar.setAttribute("aria-label", t("Site"));
  }

  // docutils marks a bibliography up as role="list" holding role="doc-biblioentry" items,
  // which axe-core rejects (aria-required-children, critical): make the items list items.
  document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]')
    .forEach((entry) => entry.setAttribute("role", "listitem"));

  // A solution's title links to its exercise. Keyboard readers reach the title's toggle
  // button instead of the link (Enter on the link would jump to the exercise rather than
  // open the solution; clicks already pass through the link, see site.css), and the
  // button is named after the solution, not "Toggle hidden content" (sphinx-togglebutton).
  document.querySelectorAll(".solution.dropdown > .admonition-title").forEach((title) => {
    title.querySelectorAll("a").forEach((a) => a.setAttribute("tabindex", "-1"));
    const button = title.querySelector(".toggle-button");
    if (button) button.setAttribute("aria-label", title.textContent.trim());
  });
});

// Figures open at full size: each picture in the text links to its image file (a phone
// screen shows plots at a third of their size).
document.addEventListener("DOMContentLoaded", () => {
  const t = birnnT;
  document.querySelectorAll(".bd-article figure img").forEach((img) => {
    if (img.closest("a")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "birnn-full-size";
    link.title = t("Open the figure at full size");
    img.replaceWith(link);
    link.append(img);
  });
});

// Display equations wider than the column scroll sideways; mark those that do (a fading
// edge until the reader reaches the end, see site.css) and let the keyboard scroll them.
function markScrollingEquations() {
  const t = birnnT;
  // The box that scrolls is KaTeX's display block (site.css), not its visible formula,
  // which KaTeX hides from screen readers (they read the MathML beside it), so the box
  // can take the focus.
  document.querySelectorAll(".bd-article div.math").forEach((math) => {
    const box = math.querySelector(".katex-display") || math;
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("birnn-scrolls", scrolls);
    if (scrolls) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", t("Equation, scrolls sideways"));
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
    const end = () => box.classList.toggle("birnn-scrolled-end",
      box.scrollLeft + box.clientWidth >= box.scrollWidth - 2);
    if (!box.dataset.birnnWatched) {
      box.dataset.birnnWatched = "1";
      box.addEventListener("scroll", end, { passive: true });
    }
    end();
  });
}
// The maths is typeset at build time; widths settle once KaTeX's fonts have loaded.
window.addEventListener("load", () => {
  document.fonts.ready.then(markScrollingEquations);
  window.addEventListener("resize", markScrollingEquations);
});

// Search snippets: Sphinx's search page quotes the text of each result's page, and a
// formula's text there is KaTeX's drawing (glyphs and struts) followed by its MathML,
// whose annotation is the TeX source. Quote the MathML's symbols alone ("H→t", not
// "\overrightarrow{\mathbf{H}}_t"). searchtools.js, on the search page only, loads after
// this file, so its Search object is wrapped once the page has been parsed.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".katex-html, .katex-mathml annotation").forEach((el) => el.remove());
    return htmlToText(doc.documentElement.outerHTML, anchor);
  };
});
