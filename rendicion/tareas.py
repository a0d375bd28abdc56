"""The report's long work as background tasks (docs/tareas.md): publishing a year and building
its PDF take from seconds to a minute on large data, longer than a request should wait."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from casmul.tareas import TareaRechazada, archivo_generado_guardar, tarea_describir

from .documento import documento_pdf_del_anio
from .enlaces import enlaces_comprobar
from .services import informe_publicar


@task()
def informe_publicar_tarea(*, anio: int, usuario_id: int, motivo: str = "") -> dict:
    """Publishes the year as `rendicion.services.informe_publicar` does (atomic: a failure
    half-way leaves nothing published)."""
    usuario = get_user_model().objects.get(pk=usuario_id)
    try:
        publicacion = informe_publicar(anio=anio, usuario=usuario, motivo=motivo)
    except ValidationError as error:
        raise TareaRechazada(error) from error
    return {"texto": f"Se publicó {publicacion}.", "enlace": reverse("publicaciones:archivo")}


@task()
def informe_pdf_tarea(*, anio: int, borrador: bool, usuario_id: int) -> dict:
    """Builds the year's report as a PDF and keeps it for the user who asked (a file, since a
    task's result must be JSON)."""
    pdf = documento_pdf_del_anio(anio=anio, borrador=borrador, hoy=timezone.localdate())
    if pdf is None:
        raise TareaRechazada(f"No existe el informe de {anio}.")
    archivo = archivo_generado_guardar(contenido=pdf, extension="pdf")
    return {
        "texto": f"El PDF del informe {anio}{' (borrador)' if borrador else ''} está listo.",
        "archivo": archivo,
        "nombre": f"informe-rendicion-{anio}{'-borrador' if borrador else ''}.pdf",
    }


@task()
def cpccs_enlaces_tarea(*, anio: int, usuario_id: int) -> dict:
    """Opens every link of the year's CPCCS form (`rendicion.enlaces`). `usuario_id`: who
    asked, the one who may follow it on the task's page (`casmul.tareas`)."""
    resultados = enlaces_comprobar(anio=anio)
    rotos = [r for r in resultados if not r.correcto]
    texto = (
        f"Los {len(resultados)} enlaces del formulario {anio} responden con su documento."
        if not rotos
        else f"{len(rotos)} de {len(resultados)} enlaces del formulario {anio} no responden con "
        "su documento: están en el panel del informe."
    )
    return {"texto": texto, "enlace": reverse("rendicion:cpccs", args=[anio])}


tarea_describir(
    cpccs_enlaces_tarea,
    titulo="Comprobar los enlaces del formulario CPCCS {anio}",
    para_que="Abre cada medio de verificación del formulario, como lo hará el CPCCS, y anota "
    "los que no responden o responden con otro documento que el registrado.",
)
tarea_describir(
    informe_publicar_tarea,
    titulo="Publicar el informe de rendición de cuentas {anio}",
    para_que="Genera y guarda el PDF, el HTML, el libro de tablas y las cifras del año, cada "
    "uno con su huella, y los publica para descargar y verificar.",
)
tarea_describir(
    informe_pdf_tarea,
    titulo="Preparar el PDF del informe {anio}",
    para_que="Genera el PDF del informe con las cifras de hoy, para descargarlo cuando esté "
    "listo (no se publica).",
)
