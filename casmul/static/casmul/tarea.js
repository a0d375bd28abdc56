/*
 * A background task's page (templates/tareas/tarea.html): asks the server for the task's state
 * every few seconds and shows it; when the task has finished, reloads the page, which then
 * shows the result or the error.
 *
 * A static file and no inline handlers, so that the Content-Security-Policy allows it. Without
 * it the page still works: reloading it shows the current state.
 */
(function () {
  "use strict";

  const INTERVALO_MS = 2000;

  function consultar(seccion, estado) {
    fetch(seccion.dataset.estadoUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((respuesta) => (respuesta.ok ? respuesta.json() : Promise.reject(respuesta.status)))
      .then((datos) => {
        if (datos.terminada) {
          window.location.reload();
          return;
        }
        estado.textContent = datos.estado;
        window.setTimeout(() => consultar(seccion, estado), INTERVALO_MS);
      })
      .catch(() => {
        // A lost connection or a restarting server: keep trying, more slowly.
        window.setTimeout(() => consultar(seccion, estado), INTERVALO_MS * 5);
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const seccion = document.getElementById("tarea");
    const estado = document.getElementById("tarea-estado");
    if (seccion && estado && seccion.dataset.estadoUrl) {
      window.setTimeout(() => consultar(seccion, estado), INTERVALO_MS);
    }
  });
})();
