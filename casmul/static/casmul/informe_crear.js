// New report page (templates/rendicion/informe_crear.html): a file, not an inline script,
// so that the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  // Says, as the year is typed, which year's texts will be copied (the server says the same).
  var existentes = JSON.parse(document.getElementById("anios-existentes").textContent);
  var campo = document.getElementById("id_anio");
  var aviso = document.getElementById("aviso-copia");
  campo.addEventListener("input", function () {
    var anio = parseInt(campo.value, 10);
    var texto = "";
    if (anio >= 2000 && anio <= 2999) {
      if (existentes.indexOf(anio) >= 0) {
        texto = "Ya existe el informe de " + anio + ".";
      } else {
        var anteriores = existentes.filter(function (a) { return a < anio; });
        texto = anteriores.length
          ? "El informe " + anio + " empezará con una copia de los textos de " + Math.max.apply(null, anteriores) + "."
          : "No hay un informe anterior a " + anio + ": el informe " + anio + " empezará con los textos vacíos.";
      }
    }
    aviso.textContent = texto;
    aviso.hidden = !texto;
  });
})();
