// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const text = document.getElementById("article-text");
  document.querySelectorAll("#legend input[data-layer]").forEach((box) => {
    box.addEventListener("change", () => {
      if (text) text.classList.toggle("hide-" + box.dataset.layer, !box.checked);
    });
  });
  // "/" focuses the search box, as on many search sites
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "/" || ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) return;
    const box = document.querySelector("form.search input[type=search], form.quick input");
    if (box) { ev.preventDefault(); box.focus(); }
  });
});
