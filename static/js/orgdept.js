// Small behaviours of the shell. Pages carry no inline scripts or on…= attributes (the Content-Security-Policy
// forbids them); they ask for these behaviours with data- attributes instead.

// "/" focuses the list search box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.target.matches("input, textarea, select")) return;
  const search = document.querySelector('.filter-bar input[name="q"]');
  if (search) { event.preventDefault(); search.focus(); search.select(); }
});

// data-confirm on a form or on its submit button: ask before sending.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// data-autosubmit on a select: choosing sends the form.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-autosubmit]") && target.form) target.form.submit();
  // data-toggle-class + data-toggle-target on a checkbox: the class follows the box.
  if (target.matches("input[type=checkbox][data-toggle-class]")) {
    const shown = document.getElementById(target.dataset.toggleTarget);
    if (shown) shown.classList.toggle(target.dataset.toggleClass, target.checked);
  }
});

// data-weights-total="#output" on a form: the sum of its input.weight fields, marked bad unless 100.
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (!form || !form.dataset.weightsTotal) return;
  let total = 0;
  let whole = true;
  form.querySelectorAll("input.weight").forEach((input) => {
    const value = input.value.trim();
    if (/^\d+$/.test(value)) total += parseInt(value, 10); else whole = false;
  });
  const output = form.querySelector(form.dataset.weightsTotal);
  if (!output) return;
  output.value = whole ? total + "%" : "—";
  output.closest(".weights-total").classList.toggle("bad", !whole || total !== 100);
});
