// Small behaviours of the shell: keyboard shortcut "/" focuses the list search box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.target.matches("input, textarea, select")) return;
  const search = document.querySelector('.filter-bar input[name="q"]');
  if (search) { event.preventDefault(); search.focus(); search.select(); }
});
