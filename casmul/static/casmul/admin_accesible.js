// What Django's admin and its select2 leave unnamed, named for a screen reader (WCAG 4.1.2):
// the fields of a tabular inline or an editable changelist (their label is the column's
// header), select2's box and search field (their label is the original <select>'s), and the
// help icons' role. Run on load, and again whenever the admin adds rows or select2 redraws.
"use strict";

(function () {
  function textoDe(elemento) {
    return elemento ? elemento.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function etiquetaDe(select) {
    return textoDe(document.querySelector('label[for="' + select.id + '"]'));
  }

  // A table of fields (a tabular inline, a changelist with editable columns): each field is
  // named by its column's header and its row (the record's name in the row's header cell).
  function nombrarEnTabla(tabla) {
    const encabezados = Array.from(tabla.querySelectorAll("thead th"));
    tabla.querySelectorAll("tbody tr").forEach(function (fila, indice) {
      const registro = textoDe(fila.querySelector("th")) || "fila " + (indice + 1);
      Array.from(fila.children).forEach(function (celda, columna) {
        const titulo = textoDe(encabezados[columna]);
        celda.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (campo) {
          if (titulo && !campo.labels.length && !campo.hasAttribute("aria-label")) {
            campo.setAttribute("aria-label", titulo + " (" + registro + ")");
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
    document.querySelectorAll(".tabular table, #result_list").forEach(nombrarEnTabla);
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
