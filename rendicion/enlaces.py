"""The link check of a year's CPCCS form: every link opened as the CPCCS will open it, the
bytes received compared with the document recorded (its SHA-256)."""

import hashlib
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone

from casmul.versiones import datos_cambiaron

from .cpccs import formulario_cpccs
from .models import ComprobacionDeEnlace

# The largest evidence a link may answer with: a scanned acta, a report's PDF.
TAMANO_MAXIMO = 60 * 1024 * 1024
ESPERA = 20  # seconds


def _abrir(url: str) -> tuple[int | None, str, str]:
    """(HTTP status, SHA-256 of the body, error)."""
    solicitud = urllib.request.Request(url, headers={"User-Agent": "CASMUL-comprobador/1"})
    try:
        with urllib.request.urlopen(solicitud, timeout=ESPERA) as respuesta:
            huella = hashlib.sha256()
            leidos = 0
            while bloque := respuesta.read(1024 * 1024):
                leidos += len(bloque)
                if leidos > TAMANO_MAXIMO:
                    return respuesta.status, "", "el documento pasa de 60 MB"
                huella.update(bloque)
            return respuesta.status, huella.hexdigest(), ""
    except urllib.error.HTTPError as error:
        return error.code, "", ""
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        razon = getattr(error, "reason", error)
        return None, "", f"no abre: {razon}"[:300]


def enlaces_comprobar(*, anio: int) -> list[ComprobacionDeEnlace]:
    """Opens every link of the year's form and records, per link, what it answered. A link
    whose document the portal does not know (an external address) is compared with what it
    answered at its previous check: a change is listed too."""
    anteriores = {c.url: c for c in ComprobacionDeEnlace.objects.filter(anio=anio)}
    resultados = []
    for fila, enlace in formulario_cpccs(anio=anio).enlaces():
        estado, obtenido, error = _abrir(enlace.url)
        anterior = anteriores.get(enlace.url)
        esperado = enlace.sha256 or (
            anterior.sha256_esperado or anterior.sha256_obtenido if anterior else ""
        )
        resultados.append(
            ComprobacionDeEnlace(
                anio=anio,
                url=enlace.url,
                fila=fila[:500],
                sha256_esperado=esperado,
                estado_http=estado,
                sha256_obtenido=obtenido,
                error=error,
                comprobado_en=timezone.now(),
            )
        )
    with transaction.atomic():
        ComprobacionDeEnlace.objects.filter(anio=anio).delete()
        ComprobacionDeEnlace.objects.bulk_create(resultados)
        # The broken ones are listed in the report's panel.
        datos_cambiaron(anio, solo_borradores=True)
    return resultados
