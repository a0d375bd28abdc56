"""Who sees which beneficiaries: staff only their centres' people (404 for another centre's
person), the administration everyone, the coordination no personal page at all (403)."""

import pytest
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Beneficiario, Inscripcion
from tests.factories import CentroFactory, InscripcionFactory, UserFactory

CEDULA = "1104680135"


@pytest.fixture
def mundo(db):
    """Two centres, each with its staff and one enrolled person; a coordinator, an
    administrator and a user without role."""
    propio = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    ajeno = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro = CentroFactory(personal_asignado=[propio])
    otro = CentroFactory(personal_asignado=[ajeno])
    mia = InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    de_otro = InscripcionFactory(centro=otro, beneficiario__apellidos="Ajena")
    return {
        "centro": centro,
        "otro": otro,
        "mia": mia,
        "de_otro": de_otro,
        "propio": propio,
        "ajeno": ajeno,
        "coordinacion": UserFactory(roles=[Rol.COORDINACION]),
        "administracion": UserFactory(roles=[Rol.ADMINISTRACION]),
        "sin_rol": UserFactory(),
    }


def _urls(mundo):
    return {
        "lista": reverse("centros:beneficiarios"),
        "detalle": reverse("centros:beneficiario", args=[mundo["mia"].beneficiario_id]),
        "exportar": reverse("centros:beneficiarios_exportar") + "?formato=csv",
        "inscribir": reverse("centros:beneficiario_inscribir"),
        "salida": reverse("centros:inscripcion_salida", args=[mundo["mia"].pk]),
    }


@pytest.mark.parametrize("pagina", ["lista", "detalle", "exportar", "inscribir", "salida"])
@pytest.mark.parametrize("rol", ["coordinacion", "sin_rol"])
def test_the_coordination_and_users_without_role_get_403_on_every_personal_page(
    client, mundo, pagina, rol
):
    client.force_login(mundo[rol])

    assert client.get(_urls(mundo)[pagina]).status_code == 403


def test_a_coordinator_also_assigned_to_a_centre_still_gets_403(client, mundo):
    # Her role sees every centre: being assigned to one must not open the registry.
    mundo["coordinacion"].groups.add(*mundo["propio"].groups.all())
    mundo["centro"].personal_asignado.add(mundo["coordinacion"])
    client.force_login(mundo["coordinacion"])

    assert client.get(reverse("centros:beneficiarios")).status_code == 403


def test_the_cedula_search_is_refused_to_the_coordination(client, mundo):
    client.force_login(mundo["coordinacion"])

    respuesta = client.post(reverse("centros:beneficiarios_buscar"), {"cedula": CEDULA})

    assert respuesta.status_code == 403


@pytest.mark.parametrize("pagina", ["lista", "detalle", "inscribir"])
def test_anonymous_users_go_to_the_login_page(client, mundo, pagina):
    respuesta = client.get(_urls(mundo)[pagina])

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


def test_staff_see_only_their_centres_people_in_the_list(client, mundo):
    client.force_login(mundo["propio"])

    respuesta = client.get(reverse("centros:beneficiarios"))

    assert [f["inscripcion"].pk for f in respuesta.context["filas"]] == [mundo["mia"].pk]
    assert "Ajena" not in respuesta.content.decode()


def test_the_administration_sees_everyone(client, mundo):
    client.force_login(mundo["administracion"])

    respuesta = client.get(reverse("centros:beneficiarios"))

    assert {f["inscripcion"].pk for f in respuesta.context["filas"]} == {
        mundo["mia"].pk,
        mundo["de_otro"].pk,
    }


def test_another_centres_person_is_a_404_for_staff(client, mundo):
    client.force_login(mundo["propio"])

    detalle = client.get(reverse("centros:beneficiario", args=[mundo["de_otro"].beneficiario_id]))
    salida = client.post(
        reverse("centros:inscripcion_salida", args=[mundo["de_otro"].pk]),
        {"hasta": "2023-06-30"},
    )

    assert detalle.status_code == 404
    assert salida.status_code == 404
    mundo["de_otro"].refresh_from_db()
    assert mundo["de_otro"].hasta is None


def test_another_centres_person_is_absent_from_the_staff_export(client, mundo):
    client.force_login(mundo["propio"])

    respuesta = client.get(reverse("centros:beneficiarios_exportar"), {"formato": "csv"})

    contenido = respuesta.content.decode("utf-8-sig")
    assert "Ajena" not in contenido
    assert mundo["mia"].beneficiario.nombres in contenido


def test_the_centre_filter_offers_only_the_users_centres(client, mundo):
    client.force_login(mundo["propio"])

    respuesta = client.get(reverse("centros:beneficiarios"), {"centro": mundo["otro"].pk})

    opciones = list(respuesta.context["filtro"].form.fields["centro"].queryset)
    assert opciones == [mundo["centro"]]
    # An id of another centre is an invalid choice, not a way in.
    assert "Ajena" not in respuesta.content.decode()


def test_staff_cannot_enrol_anyone_in_another_centre(client, mundo):
    client.force_login(mundo["propio"])

    respuesta = client.post(
        reverse("centros:beneficiario_inscribir"),
        {
            "cedula": "1710034065",
            "apellidos": "Nueva",
            "nombres": "Persona",
            "fecha_nacimiento": "2018-03-01",
            "sexo": "F",
            "grupo_prioritario": Beneficiario.GrupoPrioritario.NINEZ,
            "centro": mundo["otro"].pk,
            "desde": "2024-01-08",
        },
    )

    assert respuesta.status_code == 400
    assert "centro" in respuesta.context["form"].errors
    assert (
        not Inscripcion.objects.filter(centro=mundo["otro"])
        .exclude(pk=mundo["de_otro"].pk)
        .exists()
    )
    assert not Beneficiario.objects.filter(apellidos="Nueva").exists()


def test_the_duplicates_page_is_for_the_administration_only(client, mundo):
    url = reverse("centros:beneficiarios_duplicados")
    for rol, esperado in [("propio", 403), ("coordinacion", 403), ("administracion", 200)]:
        client.force_login(mundo[rol])
        assert client.get(url).status_code == esperado, rol


def test_the_counts_page_is_open_to_the_coordination_and_has_no_personal_data(client, mundo):
    client.force_login(mundo["coordinacion"])

    respuesta = client.get(reverse("centros:beneficiarios_resumen", args=[2023]))

    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert mundo["centro"].nombre_corto in contenido
    assert CEDULA[-4:] not in contenido
    assert "Ajena" not in contenido
    client.force_login(mundo["propio"])
    assert client.get(reverse("centros:beneficiarios_resumen", args=[2023])).status_code == 403


@pytest.mark.parametrize(
    ("rol", "ve_enlace"),
    [("propio", True), ("coordinacion", False)],
)
def test_the_navigation_links_the_registry_for_staff_not_for_the_coordination(
    client, mundo, rol, ve_enlace
):
    client.force_login(mundo[rol])

    contenido = client.get(reverse("inicio")).content.decode()

    assert (f'href="{reverse("centros:beneficiarios")}"' in contenido) is ve_enlace


def test_the_navigation_links_the_registry_for_an_administrator(client, db):
    # Administrators are superusers (usuario_con_rol_guardar): the link needs no query.
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    contenido = client.get(reverse("inicio")).content.decode()

    assert f'href="{reverse("centros:beneficiarios")}"' in contenido


def test_pages_with_personal_data_are_never_cached(client, mundo):
    client.force_login(mundo["propio"])

    respuesta = client.get(_urls(mundo)["detalle"])

    assert "no-store" in respuesta["Cache-Control"]
