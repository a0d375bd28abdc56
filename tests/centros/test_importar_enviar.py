"""The import's option to submit the months it wrote: complete drafts without warnings go to
review with the import, in the same transaction; the others stay drafts and are named."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, ReporteMensual
from centros.resources import CifraMensualResource
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

E = ReporteMensual.Estado
COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]
URL_IMPORTAR = reverse("admin:centros_ciframensual_import")
URL_CONFIRMAR = reverse("admin:centros_ciframensual_process_import")
ETIQUETA = "Enviar a revisión los meses importados que estén completos y sin advertencias"


class Datos:
    pass


@pytest.fixture
def datos(db):
    d = Datos()
    d.usuarios = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    d.talleres = IndicadorFactory(codigo="talleres", nombre="Talleres")
    d.visitas = IndicadorFactory(codigo="visitas", nombre="Visitas domiciliarias")
    d.cdi = CentroFactory(numero=1003, nombre_corto="CDI 3", capacidad=500)
    IndicadorCentroFactory(centro=d.cdi, indicador=d.usuarios, orden=0)
    IndicadorCentroFactory(centro=d.cdi, indicador=d.talleres, orden=1)
    d.otro = CentroFactory(numero=1004, nombre_corto="Casa 4")
    IndicadorCentroFactory(centro=d.otro, indicador=d.visitas)
    for centro in (d.cdi, d.otro):
        OperacionAnualFactory(centro=centro, anio=2023)
    # A complete draft the file does not touch: the option sends only what the file wrote.
    d.fuera = ReporteMensualFactory(centro=d.cdi, anio=2023, mes=9)
    CifraMensualFactory(reporte=d.fuera, indicador=d.usuarios, valor=30)
    CifraMensualFactory(reporte=d.fuera, indicador=d.talleres, valor=4)
    return d


FILAS = [
    (1003, 2023, 1, "usuarios", 30),
    (1003, 2023, 1, "talleres", 4),
    (1003, 2023, 2, "usuarios", 31),
    (1003, 2023, 2, "talleres", 4),
    # March triples February's users: a warning.
    (1003, 2023, 3, "usuarios", 95),
    (1003, 2023, 3, "talleres", 4),
    # April lacks its users.
    (1003, 2023, 4, "talleres", 4),
    (1004, 2023, 1, "visitas", 12),
]


def _estados():
    return {
        (centro, mes): estado
        for centro, mes, estado in ReporteMensual.objects.values_list(
            "centro__numero", "mes", "estado"
        )
    }


def _foto():
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        list(CifraMensual.objects.order_by("pk").values_list("pk", "valor")),
        ReporteMensual.history.count(),
        CifraMensual.history.count(),
    )


def _administracion():
    return usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )


def _cliente(usuario):
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _csv(*filas):
    contenido = tablib.Dataset(*filas, headers=COLUMNAS).export("csv").encode()
    return SimpleUploadedFile("cifras.csv", contenido, content_type="text/csv")


def _subir(cliente, *filas, enviar):
    datos = {"format": "0", "import_file": _csv(*filas)}  # format 0 is CSV
    if enviar:
        datos["enviar"] = "on"
    return cliente.post(URL_IMPORTAR, datos)


def _importar(cliente, *filas, enviar):
    vista_previa = _subir(cliente, *filas, enviar=enviar)
    return cliente.post(URL_CONFIRMAR, vista_previa.context["confirm_form"].initial, follow=True)


# --- Ticked -------------------------------------------------------------------------------------


def test_ticked_the_complete_months_without_warnings_are_submitted_with_their_history(datos):
    usuario = _administracion()

    respuesta = _importar(_cliente(usuario), *FILAS, enviar=True)

    assert respuesta.redirect_chain[-1][0] == reverse("admin:centros_ciframensual_changelist")
    assert _estados() == {
        (1003, 1): E.ENVIADO,
        (1003, 2): E.ENVIADO,
        (1003, 3): E.BORRADOR,
        (1003, 4): E.BORRADOR,
        (1003, 9): E.BORRADOR,  # not in the file
        (1004, 1): E.ENVIADO,
    }
    enero = ReporteMensual.objects.get(centro=datos.cdi, anio=2023, mes=1)
    assert enero.enviado_en is not None
    assert enero.actualizado_por == usuario
    ultimo = enero.history.latest()
    assert (ultimo.estado, ultimo.history_user) == (E.ENVIADO, usuario)
    assert ultimo.history_change_reason == "Enviado a revisión desde «cifras.csv»"
    # The import's own entry comes first, as a draft: the figures, then the submission.
    assert enero.history.order_by("-history_id")[1].estado == E.BORRADOR


def test_ticked_the_message_counts_the_months_sent_and_names_those_left_and_why(datos):
    respuesta = _importar(_cliente(_administracion()), *FILAS, enviar=True)

    html = respuesta.content.decode()
    assert "Importación terminada: 8 cifras nuevas y 0 actualizadas." in html
    assert (
        "Se enviaron a revisión 3 meses; "
        "1 quedó en borrador por advertencias: CDI 3 – marzo de 2023; "
        "1 quedó en borrador por faltar cifras: CDI 3 – abril de 2023."
    ) in html
    marzo = ReporteMensual.objects.get(centro=datos.cdi, anio=2023, mes=3)
    assert marzo.advertencias  # the reason it stayed a draft


def test_ticked_a_month_already_in_review_stays_so_and_is_counted(datos):
    enviado = ReporteMensualFactory(centro=datos.otro, anio=2023, mes=2, estado=E.ENVIADO)

    respuesta = _importar(
        _cliente(_administracion()),
        (1004, 2023, 1, "visitas", 12),
        (1004, 2023, 2, "visitas", 13),
        enviar=True,
    )

    enviado.refresh_from_db()
    assert enviado.estado == E.ENVIADO
    assert "Se envió a revisión 1 mes; 1 ya estaba en revisión." in respuesta.content.decode()


# --- Not ticked, preview, refused files ----------------------------------------------------------


def test_unticked_every_imported_month_stays_a_draft_as_before(datos):
    respuesta = _importar(_cliente(_administracion()), *FILAS, enviar=False)

    assert set(_estados().values()) == {E.BORRADOR}
    html = respuesta.content.decode()
    assert "Importación terminada: 8 cifras nuevas y 0 actualizadas." in html
    assert "Se envi" not in html and "ningún mes a revisión" not in html


def test_the_option_is_offered_on_the_upload_and_carried_to_the_confirmation(datos):
    cliente = _cliente(_administracion())

    pagina = cliente.get(URL_IMPORTAR).content.decode()
    vista_previa = _subir(cliente, *FILAS, enviar=True)

    assert ETIQUETA in pagina
    assert vista_previa.context["confirm_form"].initial["enviar"] is True
    assert ETIQUETA in vista_previa.content.decode()


def test_the_preview_submits_nothing_even_ticked(datos):
    antes = _foto()

    vista_previa = _subir(_cliente(_administracion()), *FILAS, enviar=True)

    assert "confirm_form" in vista_previa.context  # a valid file, ready to confirm
    assert _foto() == antes


def test_a_dry_run_of_the_resource_submits_nothing_even_asked(datos):
    antes = _foto()

    resultado = CifraMensualResource(enviar=True).import_data(
        tablib.Dataset(*FILAS, headers=COLUMNAS), dry_run=True, user=_administracion()
    )

    assert not resultado.has_errors() and not resultado.has_validation_errors()
    assert resultado.envio is None
    assert _foto() == antes


def test_a_file_with_a_refused_row_writes_nothing_and_sends_nothing(datos):
    antes = _foto()

    resultado = CifraMensualResource(enviar=True).import_data(
        tablib.Dataset(*FILAS, (1003, 2023, 5, "usuarios", -1), headers=COLUMNAS),
        dry_run=False,
        user=_administracion(),
    )

    assert resultado.has_validation_errors()
    assert resultado.envio is None
    assert _foto() == antes


def test_a_month_approved_before_the_confirmation_rejects_the_file_and_sends_nothing(datos):
    cliente = _cliente(_administracion())
    enviado = ReporteMensualFactory(centro=datos.otro, anio=2023, mes=2, estado=E.ENVIADO)
    vista_previa = _subir(cliente, *FILAS, (1004, 2023, 2, "visitas", 5), enviar=True)
    ReporteMensual.objects.filter(pk=enviado.pk).update(estado=E.APROBADO)
    antes = _foto()

    respuesta = cliente.post(URL_CONFIRMAR, vista_previa.context["confirm_form"].initial)

    assert respuesta["Location"] == URL_IMPORTAR
    assert _foto() == antes
    assert E.ENVIADO not in _estados().values()


# --- Who may submit -----------------------------------------------------------------------------


def test_a_failed_submission_undoes_the_whole_import(datos):
    """The coordination reviews months and does not submit them: asked for anyway (a script),
    the submission is refused and the figures written before it are undone with it."""
    coordinacion = usuario_con_rol_guardar(
        username="coordinacion", password="clave-de-prueba-1", rol=Rol.COORDINACION
    )
    antes = _foto()

    resultado = CifraMensualResource(enviar=True).import_data(
        tablib.Dataset(*FILAS, headers=COLUMNAS), dry_run=False, user=coordinacion
    )

    assert resultado.has_errors()
    assert "no permite enviar meses a revisión" in str(resultado.base_errors[0].error)
    assert _foto() == antes
