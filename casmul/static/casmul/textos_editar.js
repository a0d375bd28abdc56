// Report texts editor (templates/rendicion/textos_editar.html): a file, not an inline script,
// so that the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  // "Añadir" buttons: a copy of the empty row with the next index (without JavaScript the
  // blank rows already on the page serve the same purpose).
  document.querySelectorAll("[data-agregar]").forEach(function (boton) {
    var prefijo = boton.dataset.agregar;
    var total = document.getElementById("id_" + prefijo + "-TOTAL_FORMS");
    var maximo = parseInt(document.getElementById("id_" + prefijo + "-MAX_NUM_FORMS").value, 10);
    var actualizar = function () { boton.disabled = parseInt(total.value, 10) >= maximo; };
    boton.hidden = false;
    actualizar();
    boton.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      if (n >= maximo) { return; }
      var html = document.getElementById("plantilla-" + prefijo).innerHTML.replace(/__prefix__/g, n);
      var filas = document.getElementById("filas-" + prefijo);
      filas.insertAdjacentHTML("beforeend", html);
      total.value = n + 1;
      actualizar();
      var primero = filas.lastElementChild.querySelector("input:not([type=number]), textarea, select");
      if (primero) { primero.focus(); }
    });
  });
  // Warn before leaving with unsaved changes (a rejected save is still unsaved).
  var form = document.getElementById("form-textos");
  // A form sent back with errors starts as unsaved (data-pendiente, set by the server).
  var pendiente = form.dataset.pendiente === "true";
  form.addEventListener("input", function () { pendiente = true; });
  form.addEventListener("submit", function () { pendiente = false; });
  window.addEventListener("beforeunload", function (evento) {
    if (pendiente) { evento.preventDefault(); evento.returnValue = ""; }
  });
})();
