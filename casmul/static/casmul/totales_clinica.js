// Clinic grid of a month (templates/salud/mes_clinica.html): a file, not an inline script,
// so that the Content-Security-Policy can forbid inline scripts.
(function () {
  // Live totals of what is typed, read the Ecuadorian way (1.234 = mil doscientos treinta y cuatro).
  var tabla = document.querySelector(".tabla-clinica");
  // The page loads this only with input fields; nothing to total on a read-only grid.
  if (!tabla || !tabla.querySelector("input.cifra")) return;
  function leer(texto) {
    texto = texto.replace(/\s/g, "");
    if (/^\d{1,3}(\.\d{3})+$/.test(texto)) texto = texto.replace(/\./g, "");
    var n = Number(texto.replace(",", "."));
    return isFinite(n) ? n : 0;
  }
  function formato(n) { return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function sumar() {
    var todos = 0;
    tabla.querySelectorAll("tbody.grupo-servicio").forEach(function (grupo) {
      var suma = 0;
      grupo.querySelectorAll("input.cifra").forEach(function (e) { suma += leer(e.value); });
      todos += suma;
      var salida = tabla.querySelector('output[data-total="' + grupo.dataset.servicio + '"]');
      if (salida) salida.textContent = formato(suma);
    });
    tabla.querySelector('output[data-total="todos"]').textContent = formato(todos);
  }
  tabla.addEventListener("input", sumar);
  sumar();
})();
