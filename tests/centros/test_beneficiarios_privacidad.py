"""Privacy of the registry (LOPDP): no cédula in an admin URL or a log line, every view of a
person's data logged, a person's data exported on request and anonymised for good."""

import datetime
import json
import logging

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Beneficiario, Inscripcion
from centros.selectors.beneficiarios import personas_del_anio
from centros.services import beneficiario_anonimizar, cedula_anonima
from centros.validators import validar_cedula
from tests.factories import CentroFactory, InscripcionFactory, UserFactory, cedula_valida

CEDULA = "1104680135"
OTRA_CEDULA = cedula_valida(987)  # valid, and nobody's
CEDULA_ERRADA = "1104680136"  # a wrong check digit


@pytest.fixture
def persona(db):
    """Rosa Guamán, enrolled in two centres in 2023, with a history of two changes."""
    inscripcion = InscripcionFactory(
        beneficiario__cedula=CEDULA,
        beneficiario__nombres="Rosa Elena",
        beneficiario__apellidos="Guamán Quizhpe",
        beneficiario__fecha_nacimiento=datetime.date(2015, 6, 17),
        desde=datetime.date(2023, 2, 1),
    )
    beneficiario = inscripcion.beneficiario
    InscripcionFactory(beneficiario=beneficiario, desde=datetime.date(2023, 5, 1))
    beneficiario.nombres = "Rosa Elena"
    beneficiario._change_reason = "Corrige el apellido de Guamán Quizhpe"
    beneficiario.save()
    return beneficiario


@pytest.fixture
def administracion(client, db):
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return client


def _registros(caplog) -> str:
    return "\n".join(registro.getMessage() for registro in caplog.records)


# --- 1. No cédula in an admin URL or log line ---------------------------------------------------


@pytest.mark.parametrize("modelo", ["beneficiario", "inscripcion"])
def test_the_admin_lists_do_not_search_by_cedula_through_the_url(admin_client, persona, modelo):
    respuesta = admin_client.get(reverse(f"admin:centros_{modelo}_changelist"), {"q": CEDULA})
    assert respuesta.status_code == 200
    assert respuesta.context["cl"].result_count == 0
    # Names are still searched.
    nombres = admin_client.get(reverse(f"admin:centros_{modelo}_changelist"), {"q": "Guamán"})
    assert nombres.context["cl"].result_count >= 1


@pytest.mark.parametrize("modelo", ["beneficiario", "inscripcion"])
def test_the_admin_lists_offer_a_post_form_to_search_by_cedula(admin_client, persona, modelo):
    html = admin_client.get(reverse(f"admin:centros_{modelo}_changelist")).content.decode()
    accion = reverse("admin:centros_beneficiario_buscar_cedula")
    assert f'method="post" action="{accion}"' in html
    assert "Buscar por cédula" in html


def test_the_admin_autocomplete_does_not_search_by_cedula(admin_client, persona):
    parametros = {
        "app_label": "centros",
        "model_name": "inscripcion",
        "field_name": "beneficiario",
    }
    url = reverse("admin:autocomplete")
    por_cedula = admin_client.get(url, {**parametros, "term": CEDULA}).json()
    por_nombre = admin_client.get(url, {**parametros, "term": "Guamán"}).json()
    assert por_cedula["results"] == []
    assert [fila["id"] for fila in por_nombre["results"]] == [str(persona.pk)]


def test_a_cedula_search_redirects_to_the_person_by_id_and_logs_no_cedula(
    admin_client, persona, caplog
):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    respuesta = admin_client.post(
        reverse("admin:centros_beneficiario_buscar_cedula"), {"cedula": CEDULA}
    )
    assert respuesta.status_code == 302
    assert respuesta.url == reverse("admin:centros_beneficiario_change", args=[persona.pk])
    assert CEDULA not in respuesta.url
    pagina = admin_client.get(respuesta.url)
    assert pagina.status_code == 200
    assert CEDULA not in _registros(caplog)
    assert f"halló al beneficiario id {persona.pk}" in _registros(caplog)


@pytest.mark.parametrize(("cedula", "volver"), [(OTRA_CEDULA, "inscripcion"), (CEDULA_ERRADA, "")])
def test_a_cedula_without_person_says_so_without_echoing_it(
    admin_client, persona, caplog, cedula, volver
):
    caplog.set_level(logging.DEBUG)
    respuesta = admin_client.post(
        reverse("admin:centros_beneficiario_buscar_cedula"),
        {"cedula": cedula, "volver": volver},
        follow=True,
    )
    destino = "inscripcion" if volver else "beneficiario"
    assert respuesta.redirect_chain[0][0] == reverse(f"admin:centros_{destino}_changelist")
    html = respuesta.content.decode()
    assert ("No hay nadie con esa cédula." in html) == (cedula == OTRA_CEDULA)
    assert cedula not in html
    assert cedula not in _registros(caplog)


def test_the_cedula_search_accepts_only_post(admin_client, persona):
    url = reverse("admin:centros_beneficiario_buscar_cedula")
    assert admin_client.get(url, {"cedula": CEDULA}).status_code == 405


def test_no_url_the_admin_produces_for_these_pages_contains_a_cedula(admin_client, persona):
    inscripcion = persona.inscripciones.first()
    paginas = [
        reverse("admin:centros_beneficiario_changelist"),
        reverse("admin:centros_inscripcion_changelist"),
        reverse("admin:centros_beneficiario_change", args=[persona.pk]),
        reverse("admin:centros_beneficiario_history", args=[persona.pk]),
        reverse("admin:centros_inscripcion_change", args=[inscripcion.pk]),
        reverse("admin:centros_inscripcion_history", args=[inscripcion.pk]),
    ]
    for pagina in paginas:
        html = admin_client.get(pagina).content.decode()
        for atributo in ("href", "action", "src"):
            for trozo in html.split(f'{atributo}="')[1:]:
                assert CEDULA not in trozo.split('"', 1)[0], (pagina, trozo[:80])


# --- 2. Every view of a person's data logged ----------------------------------------------------


@pytest.mark.parametrize("pagina", ["change", "history"])
@pytest.mark.parametrize("modelo", [Beneficiario, Inscripcion])
def test_the_admin_pages_of_a_person_log_one_line_without_cedula(
    admin_client, persona, caplog, pagina, modelo
):
    objeto = persona if modelo is Beneficiario else persona.inscripciones.first()
    nombre = modelo._meta.model_name
    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = admin_client.get(reverse(f"admin:centros_{nombre}_{pagina}", args=[objeto.pk]))
    assert respuesta.status_code == 200
    lineas = [r for r in caplog.records if r.name == "casmul.datos_personales"]
    assert len(lineas) == 1
    texto = lineas[0].getMessage()
    assert f"id {objeto.pk}" in texto
    assert "usuario=admin" in texto
    assert CEDULA not in texto and "Guamán" not in texto


# --- 3. Export on request ---------------------------------------------------------------------


def test_the_administration_sees_the_export_and_anonymise_actions(administracion, persona):
    html = administracion.get(reverse("centros:beneficiario", args=[persona.pk])).content.decode()
    assert reverse("centros:beneficiario_exportar", args=[persona.pk]) in html
    assert reverse("centros:beneficiario_anonimizar", args=[persona.pk]) in html
    assert "Exportar sus datos" in html and "Anonimizar" in html


@pytest.mark.parametrize("rol", [Rol.PERSONAL_CENTRO, Rol.COORDINACION])
def test_only_the_administration_exports_or_anonymises_a_person(client, persona, rol):
    usuario = UserFactory(roles=[rol])
    persona.inscripciones.first().centro.personal_asignado.add(usuario)
    client.force_login(usuario)
    for nombre in ("beneficiario_exportar", "beneficiario_anonimizar"):
        assert client.get(reverse(f"centros:{nombre}", args=[persona.pk])).status_code == 403
    if rol == Rol.PERSONAL_CENTRO:
        html = client.get(reverse("centros:beneficiario", args=[persona.pk])).content.decode()
        assert "Exportar sus datos" not in html


def test_the_export_holds_everything_stored_about_the_person(
    administracion, persona, caplog, django_assert_max_num_queries
):
    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = administracion.get(reverse("centros:beneficiario_exportar", args=[persona.pk]))
    assert respuesta.status_code == 200
    assert "no-store" in respuesta["Cache-Control"]
    assert respuesta["Content-Type"].startswith("application/json")
    disposicion = respuesta["Content-Disposition"]
    assert f"beneficiario-{persona.pk}.json" in disposicion and CEDULA not in disposicion
    datos = json.loads(respuesta.content)
    assert datos["persona"]["cedula"] == CEDULA
    assert datos["persona"]["apellidos"] == "Guamán Quizhpe"
    assert datos["persona"]["fecha_nacimiento"] == "2015-06-17"
    assert len(datos["inscripciones"]) == 2
    assert [fila["tipo"] for fila in datos["historial_de_la_persona"]] == ["creación", "cambio"]
    assert all("fecha" in fila and "usuario" in fila for fila in datos["historial_de_la_persona"])
    assert len(datos["historial_de_inscripciones"]) == 2
    texto = _registros(caplog)
    assert f"exportó todos los datos del beneficiario id {persona.pk}" in texto
    assert CEDULA not in texto


def test_the_export_reads_the_person_in_a_fixed_number_of_queries(
    persona, django_assert_num_queries
):
    from centros.datos_personales import datos_de_la_persona

    with django_assert_num_queries(3):
        datos_de_la_persona(persona)


# --- 3. Anonymisation -------------------------------------------------------------------------


def _todo_lo_guardado(persona) -> str:
    """Every stored row that could hold the person's identity, as text."""
    filas = [
        *Beneficiario.objects.filter(pk=persona.pk).values(),
        *Beneficiario.history.filter(id=persona.pk).values(),
        *LogEntry.objects.values("object_repr", "change_message"),
    ]
    return repr(filas)


def test_anonymising_leaves_no_old_cedula_or_name_in_any_row(persona, admin_user):
    # Given an admin log entry naming the person and one naming their enrolment
    for objeto in (persona, persona.inscripciones.first()):
        LogEntry.objects.log_actions(admin_user.pk, [objeto], CHANGE, single_object=True)
    assert CEDULA in _todo_lo_guardado(persona) and "Guamán" in _todo_lo_guardado(persona)

    beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="Solicitud 12/2024")

    guardado = _todo_lo_guardado(persona)
    for antiguo in (CEDULA, "Rosa", "Guamán", "Quizhpe", "2015-06-17", "2015, 6, 17"):
        assert antiguo not in guardado, antiguo
    persona.refresh_from_db()
    assert str(persona) == "Persona anonimizada"
    assert persona.cedula == cedula_anonima(persona.pk)
    assert persona.fecha_nacimiento == datetime.date(2015, 1, 1)
    # The history is kept (who and when), overwritten, with the anonymisation on top.
    historial = list(Beneficiario.history.filter(id=persona.pk).order_by("history_date"))
    assert len(historial) == 3
    assert historial[-1].history_user == admin_user
    assert historial[-1].history_change_reason == "Anonimización: Solicitud 12/2024"
    assert {fila.cedula for fila in historial} == {persona.cedula}
    assert (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Beneficiario))
        .get()
        .object_repr
        == "Persona anonimizada"
    )


def test_anonymising_keeps_the_aggregates(persona, admin_user):
    antes = personas_del_anio(2023)
    sexo, grupo = persona.sexo, persona.grupo_prioritario
    beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="Solicitud")
    assert personas_del_anio(2023) == antes
    persona.refresh_from_db()
    assert (persona.sexo, persona.grupo_prioritario) == (sexo, grupo)
    assert persona.inscripciones.count() == 2


def test_the_placeholder_cedula_fits_is_unique_and_is_no_real_cedula():
    campo = Beneficiario._meta.get_field("cedula")
    marcadores = [cedula_anonima(n) for n in (1, 42, 999_999, 1_000_000, 999_999_999)]
    assert len(set(marcadores)) == len(marcadores)
    for marcador in marcadores:
        assert len(marcador) <= campo.max_length
        with pytest.raises(ValidationError):
            validar_cedula(marcador)


def test_anonymising_needs_a_reason_and_happens_once(persona, admin_user):
    with pytest.raises(ValidationError):
        beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="  ")
    beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="Solicitud")
    with pytest.raises(ValidationError):
        beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="Otra vez")


def test_the_anonymise_page_confirms_requires_a_reason_and_logs(administracion, persona, caplog):
    url = reverse("centros:beneficiario_anonimizar", args=[persona.pk])
    confirmacion = administracion.get(url)
    assert confirmacion.status_code == 200
    assert "No se puede deshacer" in confirmacion.content.decode()
    sin_motivo = administracion.post(url, {"motivo": ""})
    assert sin_motivo.status_code == 400
    assert Beneficiario.objects.get(pk=persona.pk).cedula == CEDULA
    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        hecho = administracion.post(url, {"motivo": "Solicitud de la representante"})
    assert hecho.status_code == 302
    assert hecho.url == reverse("centros:beneficiario", args=[persona.pk])
    assert Beneficiario.objects.get(pk=persona.pk).cedula == cedula_anonima(persona.pk)
    assert f"anonimizó al beneficiario id {persona.pk}" in _registros(caplog)
    assert CEDULA not in _registros(caplog)


def test_another_person_is_untouched(persona, admin_user):
    otra = InscripcionFactory(centro=CentroFactory()).beneficiario
    datos = Beneficiario.objects.filter(pk=otra.pk).values().get()
    beneficiario_anonimizar(beneficiario=persona, usuario=admin_user, motivo="Solicitud")
    assert Beneficiario.objects.filter(pk=otra.pk).values().get() == datos
