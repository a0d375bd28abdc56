"""The process around the report: steps of the four phases with their dates, the public
deliberation with its acta and suggestions, the plan de trabajo followed into next year's
form, and evidence published with its SHA-256."""

import datetime
import hashlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from participacion.models import (
    AccionDelPlan,
    AvanceDeAccion,
    Deliberacion,
    Evidencia,
    MedioDifusion,
    PasoDelProceso,
    PoliticaIgualdad,
    Sugerencia,
)
from participacion.services import PASOS, pasos_abrir
from rendicion.cpccs import formulario_cpccs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def coordinacion(db) -> Client:
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return cliente


def _acta(nombre="acta.pdf", contenido=PDF):
    return SimpleUploadedFile(nombre, contenido, content_type="application/pdf")


def _deliberacion_datos(**cambios) -> dict:
    datos = {
        "fecha": "28/05/2025",
        "lugar": "Auditorio del Municipio de Loja",
        "mujeres": "34",
        "hombres": "21",
        "glbti": "1",
        "mestizos": "50",
        "indigenas": "4",
        "afroecuatorianos": "1",
        "montubios": "0",
        "blancos": "1",
        "otros_pueblos": "0",
        "sugerencias-TOTAL_FORMS": "2",
        "sugerencias-INITIAL_FORMS": "0",
        "sugerencias-MIN_NUM_FORMS": "0",
        "sugerencias-MAX_NUM_FORMS": "1000",
        "sugerencias-0-texto": "Ampliar el horario del CDI de Carigán",
        "sugerencias-0-compromiso": "on",
        "sugerencias-0-respuesta": "Se ampliará en el segundo semestre.",
        "sugerencias-1-texto": "Transporte para las personas adultas mayores",
        "sugerencias-1-respuesta": "Depende del presupuesto municipal.",
    }
    return {**datos, **cambios}


def test_the_coordination_registers_the_deliberation_with_two_suggestions_and_its_acta(
    coordinacion,
):
    respuesta = coordinacion.post(
        reverse("participacion:deliberacion", args=[2024]),
        {**_deliberacion_datos(), "acta_archivo": _acta()},
    )

    assert respuesta.status_code == 302
    deliberacion = Deliberacion.objects.get(anio=2024)
    assert (deliberacion.fecha, deliberacion.participantes) == (datetime.date(2025, 5, 28), 56)
    assert [(s.texto, s.compromiso) for s in deliberacion.sugerencias.all()] == [
        ("Ampliar el horario del CDI de Carigán", True),
        ("Transporte para las personas adultas mayores", False),
    ]
    assert deliberacion.acta.sha256 == hashlib.sha256(PDF).hexdigest()
    publica = Client().get(reverse("evidencia", args=[deliberacion.acta.pk]))
    assert publica.status_code == 200
    assert b"".join(publica.streaming_content) == PDF
    assert "sandbox" in publica["Content-Security-Policy"]


def test_a_refused_deliberation_keeps_what_was_typed_and_writes_nothing(coordinacion):
    respuesta = coordinacion.post(
        reverse("participacion:deliberacion", args=[2024]),
        {**_deliberacion_datos(fecha="31/02/2025"), "acta_archivo": _acta()},
    )

    html = respuesta.content.decode()
    assert respuesta.status_code == 400
    assert "Ampliar el horario del CDI de Carigán" in html
    assert "Auditorio del Municipio de Loja" in html
    assert not Deliberacion.objects.exists() and not Evidencia.objects.exists()


@pytest.mark.parametrize(
    ("nombre", "contenido", "mensaje"),
    [
        ("acta.docx", b"PK\x03\x04", "Suba el documento en PDF, JPG o PNG."),
        ("acta.pdf", b"<html><script>alert(1)</script>", "El archivo no es un PDF válido"),
    ],
)
def test_only_a_real_pdf_or_image_is_published_as_evidence(
    coordinacion, nombre, contenido, mensaje
):
    respuesta = coordinacion.post(
        reverse("participacion:deliberacion", args=[2024]),
        {**_deliberacion_datos(), "acta_archivo": _acta(nombre, contenido)},
    )

    assert respuesta.status_code == 400
    assert mensaje in respuesta.content.decode()
    assert not Evidencia.objects.exists()


def _plan_2024() -> Sugerencia:
    deliberacion = Deliberacion.objects.create(
        anio=2024, fecha=datetime.date(2025, 5, 28), lugar="Loja", mujeres=10, hombres=8
    )
    sugerencia = Sugerencia.objects.create(
        deliberacion=deliberacion, orden=1, texto="Ampliar el horario del CDI", compromiso=True
    )
    accion = AccionDelPlan.objects.create(
        sugerencia=sugerencia,
        descripcion="Horario extendido hasta las 17:00",
        responsable="Coordinación de Desarrollo Infantil",
        fecha_inicio=datetime.date(2025, 7, 1),
        fecha_fin=datetime.date(2025, 12, 31),
    )
    AvanceDeAccion.objects.create(accion=accion, fecha=datetime.date(2025, 9, 30), porcentaje=40)
    AvanceDeAccion.objects.create(
        accion=accion,
        fecha=datetime.date(2025, 12, 15),
        porcentaje=80,
        descripcion="Dos de tres CDI con horario extendido",
    )
    return sugerencia


def test_a_2024_suggestion_appears_with_its_progress_in_the_2025_form_s_previous_year():
    _plan_2024()

    seccion = next(
        s for s in formulario_cpccs(anio=2025).secciones if s.slug == "aportes-anio-anterior"
    )

    assert [fila.valores for fila in seccion.filas] == [
        (
            "Ampliar el horario del CDI",
            "Horario extendido hasta las 17:00",
            "Dos de tres CDI con horario extendido",
            "80 %",
        )
    ]
    assert seccion.filas[0].enlace.url.endswith("/publicaciones/plan-de-trabajo/2024/")
    del_2024 = next(
        s for s in formulario_cpccs(anio=2024).secciones if s.slug == "aportes-anio-anterior"
    )
    assert del_2024.filas[0].enlace.no_aplica


def test_the_public_plan_shows_each_action_s_progress_to_anyone():
    _plan_2024()

    respuesta = Client().get(reverse("plan_de_trabajo", args=[2024]))

    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Horario extendido hasta las 17:00" in html
    assert 'data-avance="80"' in html
    assert Client().get(reverse("plan_de_trabajo", args=[2023])).status_code == 404


def test_the_coordination_records_an_action_and_its_progress_with_evidence(coordinacion):
    sugerencia = _plan_2024()
    url = reverse("participacion:sugerencia", args=[sugerencia.pk])
    accion = sugerencia.acciones.get()

    respuesta = coordinacion.post(
        url,
        {
            "avance": "1",
            "accion": str(accion.pk),
            "fecha": "20/12/2025",
            "porcentaje": "100",
            "descripcion": "Los tres CDI con horario extendido",
            "archivo": _acta("informe.pdf"),
        },
    )

    assert respuesta.status_code == 302
    ultimo = accion.avances.order_by("-fecha").first()
    assert (ultimo.porcentaje, ultimo.evidencia.anio) == (100, 2024)
    fila = next(
        s for s in formulario_cpccs(anio=2025).secciones if s.slug == "aportes-anio-anterior"
    ).filas[0]
    assert fila.valores[3] == "100 %"
    assert fila.enlace.sha256 == hashlib.sha256(PDF).hexdigest()


def test_the_steps_of_the_four_phases_are_opened_once_with_next_year_s_dates(coordinacion):
    respuesta = coordinacion.post(reverse("participacion:anio", args=[2024]), {"abrir": "1"})

    assert respuesta.status_code == 302
    pasos = list(PasoDelProceso.objects.filter(anio=2024))
    assert len(pasos) == len(PASOS)
    assert {p.fase for p in pasos} == {1, 2, 3, 4}
    assert all(p.fecha_limite.year == 2025 for p in pasos)
    assert pasos_abrir(anio=2024) == []


@pytest.mark.parametrize(
    "ruta",
    [
        ("participacion:anio", [2024]),
        ("participacion:deliberacion", [2024]),
    ],
)
def test_centre_staff_never_reach_the_process_pages(ruta):
    personal = Client()
    personal.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))

    assert personal.get(reverse(ruta[0], args=ruta[1])).status_code == 403
    assert Client().get(reverse(ruta[0], args=ruta[1])).status_code == 302


def test_the_coordination_s_home_reminds_the_steps_overdue_or_due_within_15_days(
    coordinacion, settings
):
    pasos_abrir(anio=2024)
    hoy = datetime.date(2025, 4, 22)
    PasoDelProceso.objects.filter(descripcion__startswith="Conformación").update(
        cumplido_el=datetime.date(2025, 2, 10)
    )

    with mock.patch("django.utils.timezone.localdate", return_value=hoy):
        html = coordinacion.get(reverse("inicio")).content.decode()

    # Done: not reminded. Overdue (before 22/04) and due by 07/05: reminded. Later: not yet.
    assert "Conformación del equipo técnico" not in html
    assert "vencido el 28/02/2025" in html  # the Asamblea's questions
    assert "vence el 25/04/2025" in html  # the authority's approval
    assert "Difusión del informe" not in html  # due 10/05


def test_anyone_can_verify_a_published_evidence_file_by_its_fingerprint(coordinacion):
    coordinacion.post(
        reverse("participacion:deliberacion", args=[2024]),
        {**_deliberacion_datos(), "acta_archivo": _acta()},
    )

    igual = Client().post(reverse("publicaciones:verificar"), {"archivo": _acta("copia.pdf")})
    cambiada = Client().post(
        reverse("publicaciones:verificar"), {"archivo": _acta("otra.pdf", PDF + b" ")}
    )

    assert (
        "Es el medio de verificación <strong>Acta de la deliberación pública del informe 2024"
        in (igual.content.decode())
    )
    assert "no es</strong>" in cambiada.content.decode()


def test_the_coordination_sets_a_step_s_date_marks_it_done_with_its_evidence(coordinacion):
    pasos_abrir(anio=2024)
    url = reverse("participacion:anio", args=[2024])
    coordinacion.post(
        reverse("participacion:evidencia_subir", args=[2024]),
        {"evidencia-titulo": "Acta del equipo técnico", "evidencia-archivo": _acta()},
    )
    evidencia = Evidencia.objects.get()
    pasos = list(PasoDelProceso.objects.filter(anio=2024))
    datos = {
        "pasos-TOTAL_FORMS": str(len(pasos)),
        "pasos-INITIAL_FORMS": str(len(pasos)),
        "pasos-MIN_NUM_FORMS": "0",
        "pasos-MAX_NUM_FORMS": "1000",
    }
    for i, paso in enumerate(pasos):
        datos[f"pasos-{i}-id"] = str(paso.pk)
        datos[f"pasos-{i}-fecha_limite"] = paso.fecha_limite.strftime("%d/%m/%Y")
    datos["pasos-0-fecha_limite"] = "20/02/2025"
    datos["pasos-0-cumplido_el"] = "18/02/2025"
    datos["pasos-0-evidencia"] = str(evidencia.pk)

    respuesta = coordinacion.post(url, datos)

    assert respuesta.status_code == 302
    primero = PasoDelProceso.objects.get(pk=pasos[0].pk)
    assert (primero.fecha_limite, primero.cumplido_el, primero.evidencia) == (
        datetime.date(2025, 2, 20),
        datetime.date(2025, 2, 18),
        evidencia,
    )
    fila = next(s for s in formulario_cpccs(anio=2024).secciones if s.slug == "fases").filas[0]
    assert fila.valores[1:] == ("SÍ", "20/02/2025", "18/02/2025")
    assert fila.enlace.sha256 == evidencia.sha256


def test_an_evidence_with_both_a_file_and_an_address_is_refused_keeping_the_page(coordinacion):
    respuesta = coordinacion.post(
        reverse("participacion:evidencia_subir", args=[2024]),
        {
            "evidencia-titulo": "Informe",
            "evidencia-archivo": _acta(),
            "evidencia-url": "https://gad.loja.gob.ec/informe.pdf",
        },
    )

    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert "Suba el archivo o escriba su dirección (una de las dos)." in html
    assert 'value="Informe"' in html
    assert not Evidencia.objects.exists()


def test_the_process_page_costs_the_same_queries_with_more_steps_and_evidence(
    coordinacion, django_assert_max_num_queries
):
    pasos_abrir(anio=2024)
    url = reverse("participacion:anio", args=[2024])
    coordinacion.get(url)
    with django_assert_max_num_queries(30) as pocas:
        coordinacion.get(url)
    for i in range(10):
        Evidencia.objects.create(anio=2024, titulo=f"Acta {i}", url=f"https://gad.test/{i}")
        PasoDelProceso.objects.create(anio=2024, fase=4, orden=20 + i, descripcion=f"Paso {i}")

    with django_assert_max_num_queries(len(pocas.captured_queries)):
        html = coordinacion.get(url).content.decode()
    assert html.count("Acta 9</option>") == PasoDelProceso.objects.filter(anio=2024).count()


def _registros_vacios() -> dict:
    datos = {}
    for prefijo in ("mecanismos", "politicas", "medios"):
        datos |= {
            f"{prefijo}-TOTAL_FORMS": "1",
            f"{prefijo}-INITIAL_FORMS": "0",
            f"{prefijo}-MIN_NUM_FORMS": "0",
            f"{prefijo}-MAX_NUM_FORMS": "1000",
        }
    return datos


def test_the_coordination_records_a_mechanism_a_policy_and_a_medium_that_reach_the_form(
    coordinacion,
):
    acta = Evidencia.objects.create(
        anio=2024, titulo="Informe de la veeduría", url="https://x.ec/v"
    )
    datos = _registros_vacios() | {
        "mecanismos-0-clase": "control_social",
        "mecanismos-0-nombre": "Veeduría ciudadana",
        "mecanismos-0-implementado": "on",
        "mecanismos-0-veces": "2",
        "mecanismos-0-actores": "Comité de padres de familia",
        "mecanismos-0-resultados": "Informe de la veeduría al servicio de alimentación",
        "mecanismos-0-evidencia": str(acta.pk),
        "politicas-0-eje": "genero",
        "politicas-0-implementada": "on",
        "politicas-0-descripcion": "Agentes por la igualdad",
        "politicas-0-evidencia": str(acta.pk),
        "medios-0-medio": "radio",
        "medios-0-cantidad": "2",
    }

    respuesta = coordinacion.post(reverse("participacion:registros", args=[2024]), datos)

    assert respuesta.status_code == 302
    secciones = {s.slug: s for s in formulario_cpccs(anio=2024).secciones}
    (veeduria,) = secciones["control-social"].filas
    assert veeduria.valores[:3] == ("Veeduría ciudadana", "SÍ", "2")
    assert veeduria.enlace.url == "https://x.ec/v"
    genero = next(f for f in secciones["igualdad"].filas if f.valores[0] == "Género")
    assert (genero.valores[1], genero.valores[2]) == ("SÍ", "Agentes por la igualdad")
    assert secciones["difusion"].filas[0].valores == ("Radio", "2", "—")
    assert secciones["difusion"].filas[0].enlace is None  # no evidence chosen: listed missing


def test_the_same_policy_twice_is_refused_keeping_what_was_typed_and_writing_nothing(
    coordinacion,
):
    datos = _registros_vacios() | {
        "politicas-TOTAL_FORMS": "2",
        "politicas-0-eje": "genero",
        "politicas-0-descripcion": "Agentes por la igualdad",
        "politicas-1-eje": "genero",
        "politicas-1-descripcion": "Género sin violencia",
        "medios-0-medio": "radio",
        "medios-0-cantidad": "2",
    }

    respuesta = coordinacion.post(reverse("participacion:registros", args=[2024]), datos)

    html = respuesta.content.decode()
    assert respuesta.status_code == 400
    assert "está dos veces: deje una sola fila." in html
    assert "Género sin violencia" in html
    assert not PoliticaIgualdad.objects.exists() and not MedioDifusion.objects.exists()
