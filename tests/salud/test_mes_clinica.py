"""The clinic's month in the browser: patients by service and specialty, under the same rules
as every centre's month."""

import re

import pytest
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import LineaServicio, ReporteMensual
from salud.models import AtencionClinica, Servicio
from salud.services import atenciones_guardar
from tests.factories import (
    AtencionClinicaFactory,
    CentroFactory,
    EspecialidadFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

ANIO, MES = 2024, 6
CE, EM, HO = Servicio.CONSULTA_EXTERNA, Servicio.EMERGENCIA, Servicio.HOSPITALIZACION


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO], first_name="Rosa", last_name="Cueva")


@pytest.fixture
def clinica(personal):
    clinica = CentroFactory(
        nombre_corto="Clínica", linea_servicio=LineaServicio.SALUD, personal_asignado=[personal]
    )
    OperacionAnualFactory(centro=clinica, anio=ANIO)
    return clinica


@pytest.fixture
def especialidades(db):
    return [
        EspecialidadFactory(nombre="PEDIATRÍA", orden=1),
        EspecialidadFactory(nombre="MEDICINA GENERAL", orden=2),
        EspecialidadFactory(nombre="CARDIOLOGÍA", orden=3, activa=False),
    ]


@pytest.fixture
def cliente(client, personal):
    client.force_login(personal)
    return client


def _url(clinica, anio=ANIO, mes=MES):
    return reverse("salud:mes", args=[clinica.pk, anio, mes])


def _campo(servicio, especialidad=None):
    return f"pacientes_{servicio}_{especialidad.pk if especialidad else 'sin'}"


def _foto():
    return (
        sorted(
            AtencionClinica.objects.values_list(
                "reporte_id", "servicio", "especialidad_id", "pacientes"
            )
        ),
        sorted(ReporteMensual.objects.values_list("centro_id", "anio", "mes", "estado", "version")),
    )


def _valor_del_campo(contenido: str, nombre: str) -> str | None:
    encontrado = re.search(rf'<input[^>]*name="{nombre}"[^>]*>', contenido)
    if not encontrado:
        return None
    valor = re.search(r'value="([^"]*)"', encontrado.group(0))
    return valor.group(1) if valor else ""


@pytest.fixture
def mes_de_2023(clinica):
    """A month stored as the 2023 fixtures store it: consulta externa without specialty."""
    reporte = ReporteMensualFactory(centro=clinica, anio=ANIO, mes=MES, version=1)
    AtencionClinicaFactory(reporte=reporte, servicio=CE, especialidad=None, pacientes=4744)
    AtencionClinicaFactory(reporte=reporte, servicio=EM, pacientes=186)
    AtencionClinicaFactory(reporte=reporte, servicio=HO, pacientes=574)
    anterior = ReporteMensualFactory(centro=clinica, anio=ANIO, mes=MES - 1)
    AtencionClinicaFactory(reporte=anterior, servicio=CE, pacientes=5000)
    return reporte


def test_the_grid_has_the_active_specialties_and_a_row_without_specialty(
    cliente, clinica, especialidades, mes_de_2023
):
    pediatria, general, cardiologia = especialidades

    respuesta = cliente.get(_url(clinica))
    contenido = respuesta.content.decode()

    assert respuesta.status_code == 200
    assert _valor_del_campo(contenido, _campo(CE, pediatria)) == ""
    assert _valor_del_campo(contenido, _campo(CE, general)) == ""
    assert _valor_del_campo(contenido, _campo(CE, cardiologia)) is None  # not offered
    assert _valor_del_campo(contenido, _campo(CE)) == "4.744"
    assert _valor_del_campo(contenido, _campo(EM)) == "186"
    assert _valor_del_campo(contenido, _campo(HO)) == "574"
    assert "Sin desagregar por especialidad" in contenido
    formulario = respuesta.context["formulario"]
    assert formulario.total == 4744 + 186 + 574
    assert formulario.grupos[0].total_mes_anterior == 5000


def test_a_row_of_an_inactive_specialty_with_data_is_still_shown(
    cliente, clinica, especialidades, mes_de_2023
):
    cardiologia = especialidades[2]
    AtencionClinicaFactory(reporte=mes_de_2023, servicio=CE, especialidad=cardiologia, pacientes=7)

    contenido = cliente.get(_url(clinica)).content.decode()

    assert _valor_del_campo(contenido, _campo(CE, cardiologia)) == "7"


def test_saving_by_specialty_keeps_the_row_without_specialty(
    cliente, clinica, especialidades, mes_de_2023
):
    pediatria = especialidades[0]
    datos = {
        "version": "1",
        "accion": "enviar",
        _campo(CE, pediatria): "120",
        _campo(CE): "4.744",
        _campo(EM): "190",
        _campo(HO): "574",
    }

    respuesta = cliente.post(_url(clinica), datos)

    assert respuesta.status_code == 302
    guardado = {
        (a.servicio, a.especialidad_id): a.pacientes
        for a in AtencionClinica.objects.filter(reporte=mes_de_2023)
    }
    assert guardado == {(CE, pediatria.pk): 120, (CE, None): 4744, (EM, None): 190, (HO, None): 574}
    mes_de_2023.refresh_from_db()
    assert mes_de_2023.estado == ReporteMensual.Estado.ENVIADO


def test_a_new_month_is_saved_as_a_draft(cliente, clinica, especialidades):
    datos = {"version": "0", "accion": "borrador", _campo(EM): "12"}

    respuesta = cliente.post(_url(clinica), datos)

    assert respuesta.status_code == 302
    assert AtencionClinica.objects.get().pacientes == 12
    assert "Se guardó el borrador" in cliente.get(_url(clinica)).content.decode()


@pytest.mark.parametrize("escrito", ["-4", "2,5", "muchos"])
def test_invalid_patients_come_back_next_to_the_field_and_nothing_is_written(
    cliente, clinica, especialidades, mes_de_2023, escrito
):
    antes = _foto()
    datos = {
        "version": "1",
        "accion": "borrador",
        _campo(CE): "4744",
        _campo(EM): escrito,
        _campo(HO): "574",
    }

    respuesta = cliente.post(_url(clinica), datos)

    assert respuesta.status_code == 400
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert _valor_del_campo(contenido, _campo(EM)) == escrito
    assert respuesta.context["form"].errors[_campo(EM)]


def test_leaving_a_stored_row_blank_is_refused(cliente, clinica, especialidades, mes_de_2023):
    antes = _foto()

    respuesta = cliente.post(
        _url(clinica), {"version": "1", "accion": "borrador", _campo(EM): "186", _campo(HO): "574"}
    )

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "escriba 0 si no hubo ninguno" in " ".join(respuesta.context["form"].errors[_campo(CE)])


def test_submitting_needs_every_service(cliente, clinica, especialidades):
    antes = _foto()

    respuesta = cliente.post(
        _url(clinica), {"version": "0", "accion": "enviar", _campo(EM): "12", _campo(CE): "40"}
    )

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "Escriba los pacientes de hospitalización" in respuesta.content.decode()


def test_a_stale_version_gets_409_with_the_stored_values_and_writes_nothing(
    cliente, clinica, especialidades, mes_de_2023
):
    colega = UserFactory(first_name="Jorge", last_name="Paz")
    atenciones_guardar(
        centro=clinica,
        mes=Mes(ANIO, MES),
        pacientes={(EM, None): 200},
        version=1,
        usuario=colega,
    )
    antes = _foto()

    respuesta = cliente.post(
        _url(clinica),
        {
            "version": "1",
            "accion": "borrador",
            _campo(CE): "4.744",
            _campo(EM): "195",
            _campo(HO): "574",
        },
    )

    assert respuesta.status_code == 409
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert "Otra persona guardó este mes" in contenido
    assert "Jorge Paz" in contenido
    filas = {fila["nombre"]: fila for fila in respuesta.context["conflicto"]["filas"]}
    assert filas["Emergencia: Total del servicio"]["guardado"] == "200"
    assert filas["Emergencia: Total del servicio"]["escrito"] == "195"
    assert filas["Emergencia: Total del servicio"]["distinto"]
    assert _valor_del_campo(contenido, _campo(EM)) == "195"
    assert _valor_del_campo(contenido, "version") == "2"


def test_an_approved_clinic_month_is_read_only(cliente, clinica, especialidades, mes_de_2023):
    ReporteMensual.objects.filter(pk=mes_de_2023.pk).update(estado="aprobado")
    antes = _foto()

    contenido = cliente.get(_url(clinica)).content.decode()
    respuesta = cliente.post(_url(clinica), {"version": "1", "accion": "borrador", _campo(EM): "1"})

    assert 'name="pacientes_' not in contenido
    assert "Enviar a revisión" not in contenido
    assert "4.744" in contenido
    assert "que lo reabra" in contenido
    assert respuesta.status_code == 400
    assert _foto() == antes


def test_the_clinic_history_lists_each_change_newest_first(
    cliente, clinica, especialidades, personal
):
    pediatria = especialidades[0]
    atenciones_guardar(
        centro=clinica,
        mes=Mes(ANIO, MES),
        pacientes={(CE, pediatria.pk): 100},
        version=0,
        usuario=personal,
    )
    cliente.post(
        _url(clinica),
        {"version": "1", "accion": "borrador", _campo(CE, pediatria): "110", "comentario": "Ok"},
    )

    historial = cliente.get(_url(clinica)).context["historial"]

    cambios = [(c.que, c.antes, c.despues) for c in historial if c.que != "Estado del mes"]
    assert cambios == [
        ("Consulta externa — PEDIATRÍA", 100, 110),
        ("Consulta externa — PEDIATRÍA", None, 100),
    ]


def test_a_centre_that_is_not_the_clinic_is_sent_to_its_figures(client, db):
    admin = UserFactory(roles=[Rol.ADMINISTRACION])
    centro = CentroFactory()
    client.force_login(admin)

    respuesta = client.get(_url(centro))

    assert respuesta.status_code == 302
    assert respuesta.url == reverse("centros:mes", args=[centro.pk, ANIO, MES])


def test_the_clinic_page_queries_do_not_grow_with_the_data(
    cliente, clinica, personal, django_assert_max_num_queries
):
    especialidad = EspecialidadFactory()
    atenciones_guardar(
        centro=clinica,
        mes=Mes(ANIO, MES),
        pacientes={(CE, especialidad.pk): 1},
        version=0,
        usuario=personal,
    )
    # 14: the month's history reads its returns too (their whole reasons); the navigation's
    # count of pending work.
    with django_assert_max_num_queries(14) as pocas:
        cliente.get(_url(clinica))

    especialidades = EspecialidadFactory.create_batch(10)
    for vuelta in range(1, 4):
        for mes in range(1, MES + 1):
            reporte = ReporteMensual.objects.filter(centro=clinica, anio=ANIO, mes=mes).first()
            atenciones_guardar(
                centro=clinica,
                mes=Mes(ANIO, mes),
                pacientes={(CE, e.pk): vuelta for e in especialidades} | {(EM, None): vuelta},
                version=reporte.version if reporte else 0,
                usuario=personal,
            )
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = cliente.get(_url(clinica))
    assert len(respuesta.context["historial"]) > 30


def test_saving_the_clinic_grid_takes_exactly_its_queries(
    cliente, clinica, especialidades, django_assert_num_queries
):
    # Given: an empty month of the clinic; three rows typed (two specialties, emergencies).
    pediatria, general, _ = especialidades
    datos = {"version": "0", "accion": "borrador"}
    datos |= {_campo(CE, pediatria): "120", _campo(CE, general): "80", _campo(EM): "15"}

    # When: the grid is saved.
    # Then: the same month write as a centre's figures (opened, rows with their history,
    # closed, the year's data marked as changed): a row adds its two writes, never a read. The
    # page's read of the grid does not ask whether the year is closed: the write asks.
    with django_assert_num_queries(31):
        respuesta = cliente.post(_url(clinica), datos)

    assert respuesta.status_code == 302
    assert AtencionClinica.objects.count() == 3
