// What Django's admin and its select2 leave unnamed, named for a screen reader (WCAG 4.1.2):
// the fields of a tabular inline (their label is the column's header), select2's box and
// search field (their label is the original <select>'s), and the help icons' role. Run on
// load, and again whenever the admin adds rows or select2 redraws itself.
"use strict";

(function () {
  function textoDe(elemento) {
    return elemento ? elemento.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function etiquetaDe(select) {
    return textoDe(document.querySelector('label[for="' + select.id + '"]'));
  }

  function nombrarEnLinea(tabla) {
    const encabezados = Array.from(tabla.querySelectorAll("thead th"));
    tabla.querySelectorAll("tbody tr").forEach(function (fila, indice) {
      Array.from(fila.children).forEach(function (celda) {
        const columna = Array.from(fila.children).indexOf(celda);
        const titulo = textoDe(encabezados[columna]);
        celda.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (campo) {
          if (titulo && !campo.labels.length && !campo.hasAttribute("aria-label")) {
            campo.setAttribute("aria-label", titulo + " (fila " + (indice + 1) + ")");
          }
        });
      });
    });
  }

  function nombrarSelect2(select) {
    const contenedor = select.nextElementSibling;
    if (!contenedor || !contenedor.classList.contains("select2")) {
      return;
    }
    const etiqueta = etiquetaDe(select) || select.name;
    contenedor.querySelectorAll(".select2-selection, [role=textbox]").forEach(function (caja) {
      caja.setAttribute("aria-label", etiqueta);
    });
    contenedor.querySelectorAll(".select2-search__field").forEach(function (campo) {
      campo.setAttribute("aria-label", "Buscar: " + etiqueta);
    });
    contenedor.querySelectorAll("ul.select2-selection__rendered").forEach(function (lista) {
      lista.setAttribute("role", "list");
      Array.from(lista.children).forEach(function (hijo) {
        if (hijo.tagName !== "LI") {
          hijo.setAttribute("role", "listitem");
        }
      });
    });
  }

  function nombrar() {
    document.querySelectorAll(".tabular table").forEach(nombrarEnLinea);
    document.querySelectorAll("select.admin-autocomplete").forEach(nombrarSelect2);
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icono) {
      icono.setAttribute("role", "img");
    });
  }

  let pendiente = false;
  function nombrarLuego() {
    if (!pendiente) {
      pendiente = true;
      window.requestAnimationFrame(function () {
        pendiente = false;
        nombrar();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nombrar();
    new MutationObserver(nombrarLuego).observe(document.body, { childList: true, subtree: true });
  });
  document.addEventListener("formset:added", nombrarLuego);
})();
