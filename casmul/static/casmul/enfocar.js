// After a refused save, the focus goes to the summary of what to correct (marked
// data-enfocar), so that a screen reader reads it and the keyboard starts there (WCAG 3.3.1).
"use strict";

// On "load", after the browser has moved to any #fragment of the address (a skip link's).
window.addEventListener("load", function () {
  const resumen = document.querySelector("[data-enfocar]");
  if (resumen) {
    resumen.focus();
  }
});
