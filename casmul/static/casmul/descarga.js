/*
 * Downloads that take a while (the report's PDF is built on request, several seconds on large
 * data): a link marked `data-descarga="<id of an aria-live element>"` is fetched here, with
 * a status text meanwhile, instead of leaving the page silent until the file arrives.
 *
 * Progressive enhancement: without this script the link is a plain download. A static file
 * and no inline handlers, so that a Content-Security-Policy without inline scripts allows it.
 */
(function () {
  "use strict";

  const TEXTOS = {
    preparando: "Preparando el PDF… puede tardar hasta un minuto.",
    listo: "PDF descargado.",
    error: (estado) => `No se pudo generar el PDF (error ${estado}). Intente de nuevo.`,
    sinConexion: "No se pudo generar el PDF (sin conexión con el servidor). Intente de nuevo.",
  };

  // The name the server gives the file (`filename*=UTF-8''…` first, as RFC 6266 prefers),
  // or the last part of the address when it gives none.
  function nombreDelArchivo(cabecera, direccion) {
    const extendido = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cabecera || "");
    if (extendido) {
      try {
        return decodeURIComponent(extendido[1].trim());
      } catch (error) {
        // A malformed escape: fall through to the plain name.
      }
    }
    const simple = /filename\s*=\s*"?([^";]+)"?/i.exec(cabecera || "");
    if (simple) {
      return simple[1].trim();
    }
    const partes = new URL(direccion, document.baseURI).pathname.split("/").filter(Boolean);
    return partes.length ? partes[partes.length - 1] : "descarga";
  }

  function guardar(contenido, nombre) {
    const url = URL.createObjectURL(contenido);
    const enlace = document.createElement("a");
    enlace.href = url;
    enlace.download = nombre;
    enlace.hidden = true;
    document.body.appendChild(enlace);
    enlace.click();
    enlace.remove();
    // Revoked a moment later: revoking at once may cancel the download that just started.
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function ocupado(enlace, si) {
    if (si) {
      enlace.setAttribute("aria-disabled", "true");
      enlace.classList.add("descargando");
    } else {
      enlace.removeAttribute("aria-disabled");
      enlace.classList.remove("descargando");
    }
  }

  function avisar(estado, texto, esError) {
    if (!estado) {
      return;
    }
    estado.textContent = texto;
    estado.classList.toggle("estado-error", Boolean(esError));
  }

  async function descargar(enlace, estado) {
    ocupado(enlace, true);
    avisar(estado, TEXTOS.preparando, false);
    try {
      const respuesta = await fetch(enlace.href, { credentials: "same-origin" });
      const disposicion = respuesta.headers.get("Content-Disposition") || "";
      if (!respuesta.ok) {
        avisar(estado, TEXTOS.error(respuesta.status), true);
      } else if (!/attachment/i.test(disposicion)) {
        // Not the file (an expired session answers with the login page): go there, as the
        // plain link would.
        window.location.assign(respuesta.url);
      } else {
        guardar(await respuesta.blob(), nombreDelArchivo(disposicion, respuesta.url));
        avisar(estado, TEXTOS.listo, false);
      }
    } catch (error) {
      avisar(estado, TEXTOS.sinConexion, true);
    } finally {
      ocupado(enlace, false);
    }
  }

  function alPulsar(evento) {
    const enlace = evento.target.closest("a[data-descarga]");
    if (!enlace) {
      return;
    }
    // A modified click (new tab, save as…) is left to the browser.
    if (evento.button !== 0 || evento.metaKey || evento.ctrlKey || evento.shiftKey || evento.altKey) {
      return;
    }
    evento.preventDefault();
    if (enlace.getAttribute("aria-disabled") === "true") {
      return; // already on its way
    }
    descargar(enlace, document.getElementById(enlace.dataset.descarga));
  }

  if (window.fetch && window.URL && URL.createObjectURL) {
    document.addEventListener("click", alPulsar);
  }
})();
