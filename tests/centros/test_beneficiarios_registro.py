"""Writes of the registry (enrol, exit), possible duplicates, and distinct persons per year
against the users figure of the approved months (the panel's discrepancy)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Beneficiario, Inscripcion
from centros.selectors.beneficiarios import (
    nombre_normalizado,
    personas_del_anio,
    posibles_duplicados,
)
from centros.selectors.consistencia import registro_discrepante
from centros.services import beneficiario_inscribir, inscripcion_finalizar
from tests.factories import (
    BeneficiarioFactory,
    CentroFactory,
    IndicadorFactory,
    InscripcionFactory,
    UserFactory,
    cedula_valida,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

CEDULA = "1104680135"
ANIO = 2023


def _persona(**cambios):
    datos = {
        "apellidos": "Quizhpe Guamán",
        "nombres": "María José",
        "fecha_nacimiento": datetime.date(2019, 4, 12),
        "sexo": Beneficiario.Sexo.FEMENINO,
        "tiene_discapacidad": False,
        "porcentaje_discapacidad": None,
        "grupo_prioritario": Beneficiario.GrupoPrioritario.NINEZ,
    }
    return datos | cambios


# --- Enrol -----------------------------------------------------------------------------------


def test_enrolling_a_new_cedula_registers_the_person(db):
    centro = CentroFactory()

    resultado = beneficiario_inscribir(
        cedula=CEDULA, datos=_persona(), centro=centro, desde=datetime.date(2024, 2, 5)
    )

    assert not resultado.persona_existente
    assert resultado.inscripcion.beneficiario.cedula == CEDULA
    assert resultado.inscripcion.centro == centro


def test_enrolling_a_known_cedula_reuses_the_person_and_keeps_their_data(db):
    registrada = BeneficiarioFactory(cedula=CEDULA, apellidos="Original")
    InscripcionFactory(beneficiario=registrada, centro=CentroFactory())

    resultado = beneficiario_inscribir(
        cedula=CEDULA,
        datos=_persona(apellidos="Otro"),
        centro=CentroFactory(),
        desde=datetime.date(2024, 2, 5),
    )

    assert resultado.persona_existente
    assert resultado.inscripcion.beneficiario_id == registrada.pk
    assert Beneficiario.objects.count() == 1
    registrada.refresh_from_db()
    assert registrada.apellidos == "Original"


def test_a_new_person_needs_their_data(db):
    with pytest.raises(ValidationError) as error:
        beneficiario_inscribir(
            cedula=CEDULA,
            datos=_persona(apellidos="", fecha_nacimiento=None),
            centro=CentroFactory(),
            desde=datetime.date(2024, 2, 5),
        )

    assert set(error.value.message_dict) == {"apellidos", "fecha_nacimiento"}
    assert not Beneficiario.objects.exists()


def test_an_open_enrolment_in_the_same_centre_is_not_duplicated(db):
    inscripcion = InscripcionFactory(beneficiario__cedula=CEDULA, desde=datetime.date(2024, 1, 8))

    with pytest.raises(ValidationError, match="ya está inscrita"):
        beneficiario_inscribir(
            cedula=CEDULA, datos={}, centro=inscripcion.centro, desde=datetime.date(2024, 3, 1)
        )

    assert Inscripcion.objects.count() == 1


def test_a_person_can_come_back_after_their_exit(db):
    inscripcion = InscripcionFactory(
        beneficiario__cedula=CEDULA,
        desde=datetime.date(2023, 1, 9),
        hasta=datetime.date(2023, 6, 30),
    )

    resultado = beneficiario_inscribir(
        cedula=CEDULA, datos={}, centro=inscripcion.centro, desde=datetime.date(2023, 9, 4)
    )

    assert resultado.persona_existente
    assert Inscripcion.objects.filter(beneficiario=inscripcion.beneficiario).count() == 2


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO])


def _formulario(centro, **cambios):
    datos = {
        "cedula": CEDULA,
        "apellidos": "Quizhpe Guamán",
        "nombres": "María José",
        "fecha_nacimiento": "12/04/2019",
        "sexo": "F",
        "grupo_prioritario": Beneficiario.GrupoPrioritario.NINEZ,
        "centro": centro.pk,
        "desde": "2024-02-05",
    }
    return datos | cambios


def test_the_enrol_page_registers_and_opens_the_persons_page(client, personal):
    centro = CentroFactory(personal_asignado=[personal])
    client.force_login(personal)

    respuesta = client.post(reverse("centros:beneficiario_inscribir"), _formulario(centro))

    persona = Beneficiario.objects.get(cedula=CEDULA)
    assert respuesta.status_code == 302
    assert respuesta.url == reverse("centros:beneficiario", args=[persona.pk])
    assert persona.inscripciones.get().centro == centro


def test_the_enrol_page_says_a_known_cedula_enrolled_the_existing_person(client, personal):
    centro = CentroFactory(personal_asignado=[personal])
    InscripcionFactory(beneficiario__cedula=CEDULA, beneficiario__apellidos="Registrada")
    client.force_login(personal)

    respuesta = client.post(
        reverse("centros:beneficiario_inscribir"),
        _formulario(centro, apellidos="", nombres=""),
        follow=True,
    )

    assert Beneficiario.objects.count() == 1
    assert "La cédula ya estaba en el registro" in respuesta.content.decode()
    assert "sin duplicar a la persona" in respuesta.content.decode()


@pytest.mark.parametrize(
    ("cedula", "mensaje"),
    [
        ("1104680136", "El dígito verificador de la cédula no es válido."),
        ("9904680135", "no corresponden a una provincia"),
        ("11046801", "La cédula debe tener exactamente 10 dígitos."),
    ],
)
def test_an_invalid_cedula_gets_the_validators_spanish_message(client, personal, cedula, mensaje):
    centro = CentroFactory(personal_asignado=[personal])
    client.force_login(personal)

    respuesta = client.post(
        reverse("centros:beneficiario_inscribir"), _formulario(centro, cedula=cedula)
    )

    assert respuesta.status_code == 400
    assert mensaje in str(respuesta.context["form"].errors["cedula"])
    assert not Beneficiario.objects.exists()


def test_a_percentage_without_disability_is_refused_in_spanish(client, personal):
    centro = CentroFactory(personal_asignado=[personal])
    client.force_login(personal)

    respuesta = client.post(
        reverse("centros:beneficiario_inscribir"),
        _formulario(centro, porcentaje_discapacidad="40"),
    )

    assert respuesta.status_code == 400
    assert "solo si la persona tiene discapacidad" in respuesta.content.decode()


def test_the_coordination_cannot_enrol(client, db):
    centro = CentroFactory()
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))

    respuesta = client.post(reverse("centros:beneficiario_inscribir"), _formulario(centro))

    assert respuesta.status_code == 403
    assert not Beneficiario.objects.exists()


# --- Exit ------------------------------------------------------------------------------------


def test_an_exit_before_the_enrolment_is_refused(db):
    inscripcion = InscripcionFactory(desde=datetime.date(2023, 3, 6))

    with pytest.raises(ValidationError) as error:
        inscripcion_finalizar(
            inscripcion=inscripcion, hasta=datetime.date(2023, 3, 5), motivo="Egresó"
        )

    assert error.value.message_dict == {
        "hasta": ["La fecha de salida no puede ser anterior a la de inscripción (06/03/2023)."]
    }
    inscripcion.refresh_from_db()
    assert inscripcion.hasta is None


def test_an_exit_on_the_first_day_is_accepted(db):
    inscripcion = InscripcionFactory(desde=datetime.date(2023, 3, 6))

    inscripcion_finalizar(
        inscripcion=inscripcion, hasta=datetime.date(2023, 3, 6), motivo="Cambio de domicilio"
    )

    inscripcion.refresh_from_db()
    assert inscripcion.hasta == datetime.date(2023, 3, 6)
    assert inscripcion.motivo_salida == "Cambio de domicilio"


def test_an_exit_without_its_reason_is_refused_and_changes_nothing(db):
    inscripcion = InscripcionFactory(desde=datetime.date(2023, 3, 6))

    with pytest.raises(ValidationError) as error:
        inscripcion_finalizar(inscripcion=inscripcion, hasta=datetime.date(2023, 4, 1), motivo=" ")

    assert error.value.message_dict == {"motivo": ["Escriba por qué sale la persona del centro."]}
    inscripcion.refresh_from_db()
    assert inscripcion.hasta is None


def test_the_exit_page_shows_the_refusal_and_then_saves(client, personal):
    inscripcion = InscripcionFactory(
        centro=CentroFactory(personal_asignado=[personal]), desde=datetime.date(2023, 3, 6)
    )
    client.force_login(personal)
    url = reverse("centros:inscripcion_salida", args=[inscripcion.pk])

    rechazo = client.post(url, {"hasta": "2023-03-01", "motivo": "Egresó"})
    sin_motivo = client.post(url, {"hasta": "2023-07-31"})
    guardado = client.post(url, {"hasta": "2023-07-31", "motivo": "Cumplió la edad del servicio"})

    assert rechazo.status_code == 400
    assert "no puede ser anterior a la de inscripción" in rechazo.content.decode()
    assert sin_motivo.status_code == 400
    assert guardado.status_code == 302
    detalle = client.get(reverse("centros:beneficiario", args=[inscripcion.beneficiario_id]))
    assert "Cumplió la edad del servicio" in detalle.content.decode()
    inscripcion.refresh_from_db()
    assert inscripcion.hasta == datetime.date(2023, 7, 31)


# --- Duplicates ------------------------------------------------------------------------------


def test_one_cedula_in_two_centres_at_once_is_a_possible_duplicate(db):
    persona = BeneficiarioFactory(apellidos="Doble")
    InscripcionFactory(beneficiario=persona, desde=datetime.date(2023, 1, 9))
    InscripcionFactory(
        beneficiario=persona,
        desde=datetime.date(2023, 5, 2),
        hasta=datetime.date(2023, 8, 31),
    )
    # One after the other in two centres, and twice in the same centre: not duplicates.
    sucesiva = BeneficiarioFactory(apellidos="Sucesiva")
    InscripcionFactory(
        beneficiario=sucesiva, desde=datetime.date(2023, 1, 9), hasta=datetime.date(2023, 4, 28)
    )
    InscripcionFactory(beneficiario=sucesiva, desde=datetime.date(2023, 5, 2))
    misma = BeneficiarioFactory(apellidos="Misma")
    centro = CentroFactory()
    InscripcionFactory(beneficiario=misma, centro=centro, desde=datetime.date(2023, 1, 9))
    InscripcionFactory(beneficiario=misma, centro=centro, desde=datetime.date(2023, 2, 1))

    grupos = posibles_duplicados()

    assert [[p.beneficiario_id for p in g.personas] for g in grupos] == [[persona.pk]]
    assert len(grupos[0].personas[0].inscripciones) == 2


def test_different_cedulas_with_the_same_name_and_birth_date_are_possible_duplicates(db):
    nacimiento = datetime.date(2016, 8, 3)
    una = BeneficiarioFactory(
        cedula=cedula_valida(11),
        apellidos="Peña Ordóñez",
        nombres="José",
        fecha_nacimiento=nacimiento,
    )
    otra = BeneficiarioFactory(
        cedula=cedula_valida(12),
        apellidos="PENA  ORDONEZ",
        nombres="jose",
        fecha_nacimiento=nacimiento,
    )
    BeneficiarioFactory(  # same name, another day
        cedula=cedula_valida(13),
        apellidos="Peña Ordóñez",
        nombres="José",
        fecha_nacimiento=datetime.date(2016, 8, 4),
    )
    BeneficiarioFactory(  # same day, another name
        cedula=cedula_valida(14), apellidos="Ruiz", nombres="José", fecha_nacimiento=nacimiento
    )

    grupos = posibles_duplicados()

    assert [sorted(p.beneficiario_id for p in g.personas) for g in grupos] == [
        sorted([una.pk, otra.pk])
    ]
    assert "mismo nombre" in grupos[0].motivo


def test_names_are_compared_without_accents_case_or_extra_spaces():
    assert nombre_normalizado("  MUÑOZ  Pérez", "ÁNGEL") == nombre_normalizado(
        "munoz perez", "angel"
    )


def test_the_duplicates_page_masks_the_cedulas(client, db):
    nacimiento = datetime.date(2016, 8, 3)
    BeneficiarioFactory(cedula=CEDULA, apellidos="Loja", nombres="Ana", fecha_nacimiento=nacimiento)
    BeneficiarioFactory(
        cedula=cedula_valida(7), apellidos="loja", nombres="ana", fecha_nacimiento=nacimiento
    )
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))

    contenido = client.get(reverse("centros:beneficiarios_duplicados")).content.decode()

    assert "******0135" in contenido
    assert CEDULA not in contenido


def test_the_duplicates_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    def poblar(n):
        for i in range(n):
            persona = BeneficiarioFactory(apellidos="Igual", nombres=f"N{i % 3}")
            InscripcionFactory(beneficiario=persona)
            InscripcionFactory(beneficiario=persona)

    poblar(3)
    with django_assert_max_num_queries(4):
        posibles_duplicados()

    poblar(30)
    with django_assert_max_num_queries(4):
        grupos = posibles_duplicados()
    assert len(grupos) == 33 + 3


# --- Distinct persons per year and the panel's discrepancy ---------------------------------


def test_distinct_persons_of_a_year_count_each_person_once_per_centre(
    db, django_assert_num_queries
):
    centro, otro = CentroFactory(), CentroFactory()
    persona = BeneficiarioFactory()
    InscripcionFactory(
        beneficiario=persona,
        centro=centro,
        desde=datetime.date(2023, 1, 9),
        hasta=datetime.date(2023, 3, 31),
    )
    InscripcionFactory(beneficiario=persona, centro=centro, desde=datetime.date(2023, 9, 4))
    InscripcionFactory(centro=centro, desde=datetime.date(2022, 2, 1))  # still open in 2023
    InscripcionFactory(
        centro=centro, desde=datetime.date(2022, 2, 1), hasta=datetime.date(2022, 12, 31)
    )  # left before 2023
    InscripcionFactory(centro=centro, desde=datetime.date(2024, 1, 2))  # came after
    InscripcionFactory(centro=otro, desde=datetime.date(2023, 12, 31))

    with django_assert_num_queries(1):
        cuentas = personas_del_anio(2023, [centro.pk, otro.pk])

    assert cuentas == {centro.pk: 2, otro.pk: 1}
    assert personas_del_anio(2023, [otro.pk]) == {otro.pk: 1}


def _centro_con_registro(maximos, inscripciones, **kwargs):
    centro = centro_con_indicador_usuarios(IndicadorFactory(agregacion="maximo"), **kwargs)
    cifras_del_anio(centro, centro.indicador_usuarios, maximos, anio=ANIO)
    for desde, hasta in inscripciones:
        InscripcionFactory(
            centro=centro,
            desde=datetime.date(ANIO, desde, 1),
            hasta=datetime.date(ANIO, hasta, 28) if hasta else None,
        )
    return centro


def test_the_panel_lists_centres_whose_monthly_maximum_differs_from_the_registry(db):
    # Children come and go: at most 2 a month, 4 different children in the year.
    rotacion = _centro_con_registro([2, 2, 2, 2], [(1, 2), (1, 4), (3, 4), (3, None)])
    # The same 2 children all year: the maximum is right.
    estable = _centro_con_registro([2, 2, 2, 2], [(1, None), (1, None)])
    # Figures without a registry: nothing to compare.
    _centro_con_registro([5, 5], [])

    discrepantes = registro_discrepante(ANIO)

    assert [(r.centro_id, r.personas, r.usuarios) for r in discrepantes] == [(rotacion.pk, 4, 2)]
    assert discrepantes[0].diferencia == 2
    assert discrepantes[0].regla == "máximo mensual"
    assert estable.pk not in [r.centro_id for r in discrepantes]


def test_the_panel_counts_only_approved_months(db):
    centro = _centro_con_registro([], [(1, None), (1, None), (1, None)])
    cifras_del_anio(centro, centro.indicador_usuarios, [3], anio=ANIO, estado="enviado")

    # No approved users figure: the months panel names those months, not this one.
    assert registro_discrepante(ANIO) == []


def test_the_panel_query_count_does_not_grow_with_centres(db, django_assert_max_num_queries):
    for _ in range(2):
        _centro_con_registro([1], [(1, None), (2, None)])
    with django_assert_max_num_queries(4):
        assert len(registro_discrepante(ANIO)) == 2

    for _ in range(20):
        _centro_con_registro([1], [(1, None), (2, None)])
    with django_assert_max_num_queries(4):
        assert len(registro_discrepante(ANIO)) == 22
