import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Devolucion, ReporteMensual
from participacion.services import pasos_abrir
from tests.factories import CentroFactory, OperacionAnualFactory, ReporteMensualFactory

HOY = timezone.localdate()
# The month to report now is the one that just ended.
ANIO_A_REPORTAR, MES_A_REPORTAR = (HOY.year, HOY.month - 1) if HOY.month > 1 else (HOY.year - 1, 12)


def _centros_en_operacion(cantidad):
    centros = CentroFactory.create_batch(cantidad)
    for centro in centros:
        OperacionAnualFactory(centro=centro, anio=HOY.year)
    return centros


@pytest.fixture
def centros(db):
    return _centros_en_operacion(3)


def _usuario(rol, centros=()):
    return usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}",
        password="clave-de-prueba-1",
        rol=rol,
        centro_ids=[c.pk for c in centros],
    )


def test_login_page_is_in_spanish(client, db):
    respuesta = client.get(reverse("login"))

    assert respuesta.status_code == 200
    assert "Ingresar al portal" in respuesta.content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    respuesta = client.get(reverse("inicio"))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


def test_centre_staff_home_lists_only_their_centres(client, centros):
    propio, ajeno, _ = centros
    client.force_login(_usuario(Rol.PERSONAL_CENTRO, [propio]))

    contenido = client.get(reverse("inicio")).content.decode()

    assert propio.nombre in contenido
    assert ajeno.nombre not in contenido


def test_coordinator_home_lists_every_centre(client, centros):
    client.force_login(_usuario(Rol.COORDINACION))

    contenido = client.get(reverse("inicio")).content.decode()

    assert all(centro.nombre in contenido for centro in centros)


def test_login_with_demo_style_credentials_reaches_home(client, centros):
    _usuario(Rol.ADMINISTRACION)

    respuesta = client.post(
        reverse("login"), {"username": "u-administracion", "password": "clave-de-prueba-1"}
    )

    assert respuesta.status_code == 302
    assert respuesta.url == reverse("inicio")


def test_centre_staff_see_the_month_to_report_with_its_status_and_link(client, centros):
    propio = centros[0]
    ReporteMensualFactory(
        centro=propio, anio=ANIO_A_REPORTAR, mes=MES_A_REPORTAR, estado="borrador"
    )
    client.force_login(_usuario(Rol.PERSONAL_CENTRO, [propio]))

    respuesta = client.get(reverse("inicio"))
    contenido = respuesta.content.decode()

    assert reverse("centros:mes", args=[propio.pk, ANIO_A_REPORTAR, MES_A_REPORTAR]) in contenido
    assert reverse("centros:anio", args=[propio.pk, HOY.year]) in contenido
    assert "Continuar el borrador" in contenido
    assert "estado-borrador" in contenido
    assert "Matriz de completitud" not in contenido


def test_centre_staff_without_centres_are_told_to_ask_for_them(client, centros):
    client.force_login(_usuario(Rol.PERSONAL_CENTRO))

    contenido = client.get(reverse("inicio")).content.decode()

    assert "No tiene centros asignados" in contenido


def test_the_coordinator_sees_the_years_completeness_and_its_links(client, centros):
    ReporteMensualFactory(centro=centros[0], anio=HOY.year, mes=1, estado="enviado")
    ReporteMensualFactory(centro=centros[1], anio=HOY.year, mes=1, estado="aprobado")
    client.force_login(_usuario(Rol.COORDINACION))

    respuesta = client.get(reverse("inicio"))
    contenido = respuesta.content.decode()

    matriz = respuesta.context["matriz"]
    assert (matriz.enviados, matriz.aprobados) == (1, 1)
    # Every closed month so far but the two reported; the running month is not missing yet.
    assert matriz.sin_datos == 3 * (HOY.month - 1) - (2 if HOY.month > 1 else 0)
    assert reverse("centros:completitud", args=[HOY.year]) in contenido
    assert reverse("rendicion:indice") in contenido
    assert "Requiere atención" not in contenido


def test_the_administrator_also_sees_what_needs_attention(client, centros):
    con_personal = centros[0]
    ReporteMensualFactory(centro=centros[1], anio=HOY.year, mes=1, estado="enviado")
    _usuario(Rol.PERSONAL_CENTRO, [con_personal])
    client.force_login(_usuario(Rol.ADMINISTRACION))

    respuesta = client.get(reverse("inicio"))
    contenido = respuesta.content.decode()

    assert "Requiere atención" in contenido
    assert [c.pk for c in respuesta.context["sin_personal"]] == [centros[1].pk, centros[2].pk]
    assert [fila.centro.pk for fila in respuesta.context["por_aprobar"]] == [centros[1].pk]
    assert "2 centros sin personal asignado" in contenido
    assert "1 centro con meses enviados" in contenido
    assert reverse("centros:completitud", args=[HOY.year]) in contenido


@pytest.mark.parametrize("rol", [Rol.PERSONAL_CENTRO, Rol.COORDINACION, Rol.ADMINISTRACION])
def test_home_query_count_does_not_grow_with_centres(
    client, db, rol, django_assert_max_num_queries
):
    pocos = _centros_en_operacion(3)
    usuario = _usuario(rol, pocos if rol == Rol.PERSONAL_CENTRO else ())
    for centro in pocos:
        ReporteMensualFactory(centro=centro, anio=HOY.year, mes=1, estado="enviado")
    client.force_login(usuario)
    # At most 14 for every role: session, user and roles; the year's centres with their
    # definitions, months, operation and due day (the matrix, which also gives the month to
    # report); the user's centres; the months sent back of any year; then each role's own
    # (the coordination: the months to review and their count; agreements; the steps of the
    # rendición de cuentas coming due).
    with django_assert_max_num_queries(14) as consultas:
        client.get(reverse("inicio"))

    muchos = _centros_en_operacion(30)
    coordinacion = _usuario(Rol.COORDINACION) if rol == Rol.PERSONAL_CENTRO else usuario
    for centro in muchos:
        ReporteMensualFactory(centro=centro, anio=HOY.year, mes=1, estado="aprobado")
        # Work waiting on someone, of earlier years too.
        ReporteMensualFactory(centro=centro, anio=HOY.year - 1, mes=12, estado="enviado")
        devuelto = ReporteMensualFactory(
            centro=centro, anio=HOY.year - 1, mes=11, estado="devuelto"
        )
        Devolucion.objects.create(
            reporte=devuelto, version=1, motivo="Revise las raciones", devuelto_por=coordinacion
        )
        ReporteMensualFactory(
            centro=centro, anio=HOY.year - 2, mes=5, motivo_reapertura="Falta un niño"
        )
        ReporteMensualFactory(centro=centro, anio=HOY.year - 2, mes=6)  # a forgotten draft
    pasos_abrir(anio=HOY.year - 1)
    if rol == Rol.PERSONAL_CENTRO:
        usuario.centros_asignados.add(*muchos)
    with django_assert_max_num_queries(len(consultas.captured_queries)):
        respuesta = client.get(reverse("inicio"))
    assert len(respuesta.context["centros"]) == 33
    assert len(respuesta.context["esperan"]) == 60
    if rol == Rol.PERSONAL_CENTRO:
        assert (
            len([c for c, celda in respuesta.context["atrasados"] if celda.mes.anio < HOY.year])
            == 30
        )
    if rol != Rol.PERSONAL_CENTRO:
        assert respuesta.context["por_revisar_total"] == 33
    assert ReporteMensual.objects.count() == 153


def test_the_greeting_assumes_no_gender(client, centros):
    client.force_login(_usuario(Rol.PERSONAL_CENTRO, centros))

    contenido = client.get(reverse("inicio")).content.decode()

    assert "<h1>Le damos la bienvenida, " in contenido
    assert "Bienvenido" not in contenido and "Bienvenida," not in contenido
