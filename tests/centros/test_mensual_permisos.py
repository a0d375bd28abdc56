"""Who may see and who may write the monthly pages: every URL × every role × GET/POST, with
the rows and values of the database compared before and after each request."""

from decimal import Decimal

import pytest
from django.urls import reverse

from casmul.roles import Rol
from centros.models import CifraMensual, LineaServicio, ReporteMensual
from salud.models import AtencionClinica, Servicio
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    EspecialidadFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
)

ANIO, MES = 2024, 6

ROLES = [
    "anonimo",
    "personal_propio",
    "personal_ajeno",
    "coordinacion",
    "administracion",
    "sin_rol",
]


@pytest.fixture
def mundo(db):
    """A centre and the clinic, each with one stored month; staff of each; another centre
    with its own staff; a coordinator, an administrator and a user without role."""
    propio = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    ajeno = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro = centro_con_indicador_usuarios(IndicadorFactory(codigo="usuarios"))
    centro.personal_asignado.add(propio)
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD, personal_asignado=[propio])
    otro = CentroFactory(personal_asignado=[ajeno])
    for c in (centro, clinica, otro):
        OperacionAnualFactory(centro=c, anio=ANIO)
    reporte = ReporteMensualFactory(centro=centro, anio=ANIO, mes=MES, version=1)
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=30)
    reporte_clinica = ReporteMensualFactory(centro=clinica, anio=ANIO, mes=MES, version=1)
    AtencionClinica.objects.create(
        reporte=reporte_clinica, servicio=Servicio.EMERGENCIA, pacientes=80
    )
    EspecialidadFactory(nombre="PEDIATRÍA")
    usuarios = {
        "anonimo": None,
        "personal_propio": propio,
        "personal_ajeno": ajeno,
        "coordinacion": UserFactory(roles=[Rol.COORDINACION]),
        "administracion": UserFactory(roles=[Rol.ADMINISTRACION]),
        "sin_rol": UserFactory(),
    }
    return {"centro": centro, "clinica": clinica, "usuarios": usuarios}


def _foto():
    """Everything the monthly pages could write, to compare before and after."""
    return (
        sorted(CifraMensual.objects.values_list("reporte_id", "indicador_id", "valor")),
        sorted(ReporteMensual.objects.values_list("centro_id", "anio", "mes", "estado", "version")),
        sorted(AtencionClinica.objects.values_list("reporte_id", "servicio", "pacientes")),
    )


def _peticion(mundo, destino):
    centro, clinica = mundo["centro"], mundo["clinica"]
    return {
        "mes": (
            reverse("centros:mes", args=[centro.pk, ANIO, MES]),
            {"version": "1", "cifra_usuarios": "31", "accion": "borrador"},
        ),
        "anio": (reverse("centros:anio", args=[centro.pk, ANIO]), {}),
        "inicio": (reverse("inicio"), {}),
        "clinica": (
            reverse("salud:mes", args=[clinica.pk, ANIO, MES]),
            {
                "version": "1",
                "pacientes_emergencia_sin": "81",
                "pacientes_hospitalizacion_sin": "12",
                "accion": "borrador",
            },
        ),
    }[destino]


# (destination, method) -> expected status per role; 302 means "login" for the anonymous
# user and "saved, back to the month" for those who may write.
ESPERADO = {
    ("mes", "get"): [302, 200, 404, 200, 200, 404],
    ("mes", "post"): [302, 302, 404, 403, 302, 404],
    ("anio", "get"): [302, 200, 404, 200, 200, 404],
    ("anio", "post"): [302, 405, 405, 405, 405, 405],
    ("inicio", "get"): [302, 200, 200, 200, 200, 200],
    ("inicio", "post"): [302, 405, 405, 405, 405, 405],
    ("clinica", "get"): [302, 200, 404, 200, 200, 404],
    ("clinica", "post"): [302, 302, 404, 403, 302, 404],
}
CASOS = [
    (destino, metodo, rol, codigo)
    for (destino, metodo), codigos in ESPERADO.items()
    for rol, codigo in zip(ROLES, codigos, strict=True)
]
ESCRIBEN = {("mes", "post"), ("clinica", "post")}


@pytest.mark.parametrize(("destino", "metodo", "rol", "codigo"), CASOS)
def test_each_role_gets_its_status_and_only_writers_change_the_data(
    client, mundo, destino, metodo, rol, codigo
):
    usuario = mundo["usuarios"][rol]
    if usuario:
        client.force_login(usuario)
    url, datos = _peticion(mundo, destino)
    antes = _foto()

    respuesta = getattr(client, metodo)(url, datos if metodo == "post" else None)

    assert respuesta.status_code == codigo
    if rol == "anonimo":
        assert respuesta.url.startswith(reverse("login"))
    escribe = (destino, metodo) in ESCRIBEN and rol in ("personal_propio", "administracion")
    if escribe:
        assert _foto() != antes
    else:
        assert _foto() == antes


def test_staff_of_another_centre_do_not_learn_the_centre_exists(client, mundo):
    client.force_login(mundo["usuarios"]["personal_ajeno"])
    inexistente = reverse("centros:mes", args=[999999, ANIO, MES])
    ajeno = reverse("centros:mes", args=[mundo["centro"].pk, ANIO, MES])

    assert client.get(inexistente).status_code == client.get(ajeno).status_code == 404


def test_the_coordinator_reads_the_month_without_inputs_or_buttons(client, mundo):
    client.force_login(mundo["usuarios"]["coordinacion"])

    contenido = client.get(reverse("centros:mes", args=[mundo["centro"].pk, ANIO, MES])).content
    contenido = contenido.decode()

    assert 'name="cifra_usuarios"' not in contenido
    assert "Enviar a revisión" not in contenido
    assert "Solo lectura" in contenido
    assert "30" in contenido


def test_the_administrator_saves_a_month_of_any_centre(client, mundo):
    client.force_login(mundo["usuarios"]["administracion"])
    url, datos = _peticion(mundo, "mes")

    client.post(url, datos)

    assert CifraMensual.objects.get(reporte__mes=MES, reporte__centro=mundo["centro"]).valor == (
        Decimal("31")
    )


def test_a_month_outside_one_to_twelve_does_not_exist(client, mundo):
    client.force_login(mundo["usuarios"]["personal_propio"])

    respuesta = client.get(reverse("centros:mes", args=[mundo["centro"].pk, ANIO, 13]))

    assert respuesta.status_code == 404
