"""History of records created in bulk: the rows the database copies are those
django-simple-history's own `bulk_create_with_history` writes."""

import datetime

import pytest
from simple_history.utils import bulk_create_with_history

from casmul.historia import creados_con_historia
from centros.models import Beneficiario, Inscripcion
from tests.factories import CentroFactory, UserFactory, cedula_valida

pytestmark = pytest.mark.django_db

# Every stored column but the history's own id.
SIN_ID = ("history_id",)


def _personas(desde: int, cantidad: int) -> list[Beneficiario]:
    """`cantidad` people with cédulas from the `desde`-th on, and the same other data whatever
    `desde` is."""
    grupos = Beneficiario.GrupoPrioritario.values
    return [
        Beneficiario(
            cedula=cedula_valida(desde + n),
            nombres=f"Nombre {n} «ñ»",
            apellidos="O'Neil" if n % 2 else "Peña",
            fecha_nacimiento=datetime.date(1950 + n % 60, n % 12 + 1, n % 28 + 1),
            sexo=Beneficiario.Sexo.MASCULINO if n % 2 else Beneficiario.Sexo.FEMENINO,
            tiene_discapacidad=n % 3 == 0,
            porcentaje_discapacidad=40 + n % 50 if n % 3 == 0 else None,
            grupo_prioritario=grupos[n % len(grupos)],
        )
        for n in range(cantidad)
    ]


def _historia(modelo, ids) -> list[dict]:
    filas = modelo.history.filter(id__in=ids).order_by("id").values()
    return [{k: v for k, v in fila.items() if k not in SIN_ID} for fila in filas]


def _sin_datos_propios(filas: list[dict], *campos) -> list[dict]:
    return [{k: v for k, v in fila.items() if k not in campos} for fila in filas]


def test_history_copied_by_the_database_equals_simple_historys_field_by_field():
    usuario = UserFactory()
    fecha = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    # More than one batch of ids.
    propios = creados_con_historia(
        _personas(0, 950), Beneficiario, usuario=usuario, motivo="Importado de a.csv", fecha=fecha
    )
    suyos = bulk_create_with_history(
        _personas(5000, 950),
        Beneficiario,
        default_user=usuario,
        default_change_reason="Importado de a.csv",
        default_date=fecha,
    )
    nuestra = _historia(Beneficiario, [p.pk for p in propios])
    de_simple_history = _historia(Beneficiario, [p.pk for p in suyos])
    assert len(nuestra) == len(de_simple_history) == 950
    # Same values in every column, but the person's id and cédula.
    propias = ("id", "cedula")
    assert _sin_datos_propios(nuestra, *propias) == _sin_datos_propios(de_simple_history, *propias)
    assert {fila["history_type"] for fila in nuestra} == {"+"}
    assert {fila["history_user_id"] for fila in nuestra} == {usuario.pk}
    # And each history row is its record as stored, field by field.
    guardadas = {
        fila["id"]: fila
        for fila in Beneficiario.objects.filter(pk__in=[p.pk for p in propios]).values()
    }
    for fila in nuestra:
        assert {campo: fila[campo] for campo in guardadas[fila["id"]]} == guardadas[fila["id"]]


def test_foreign_keys_and_empty_values_are_copied_and_the_reason_is_cut_to_its_column():
    usuario = UserFactory()
    centro = CentroFactory()
    personas = creados_con_historia(
        _personas(0, 3), Beneficiario, usuario=usuario, motivo="x" * 300
    )
    inscripciones = creados_con_historia(
        [
            Inscripcion(
                beneficiario=persona,
                centro=centro,
                desde=datetime.date(2024, 2, 1),
                hasta=datetime.date(2024, 6, 30) if persona is personas[0] else None,
            )
            for persona in personas
        ],
        Inscripcion,
        usuario=usuario,
        motivo="Importado",
    )
    historia = _historia(Inscripcion, [i.pk for i in inscripciones])
    assert [(f["beneficiario_id"], f["centro_id"], f["hasta"]) for f in historia] == [
        (personas[0].pk, centro.pk, datetime.date(2024, 6, 30)),
        (personas[1].pk, centro.pk, None),
        (personas[2].pk, centro.pk, None),
    ]
    assert {
        len(f["history_change_reason"]) for f in _historia(Beneficiario, [p.pk for p in personas])
    } == {100}
    # The history reads back as simple_history's own: the record as it was, by whom.
    registro = Inscripcion.history.get(id=inscripciones[0].pk)
    assert registro.history_user == usuario
    assert registro.instance.beneficiario == personas[0]


def test_no_history_when_simple_history_is_disabled(settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    personas = creados_con_historia(
        _personas(0, 2), Beneficiario, usuario=UserFactory(), motivo="Importado"
    )
    assert Beneficiario.objects.filter(pk__in=[p.pk for p in personas]).count() == 2
    assert not Beneficiario.history.exists()


def test_a_history_date_given_is_kept_exactly():
    fecha = datetime.datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=datetime.UTC)
    (persona,) = creados_con_historia(
        _personas(0, 1), Beneficiario, usuario=None, motivo="", fecha=fecha
    )
    registro = Beneficiario.history.get(id=persona.pk)
    assert registro.history_date == fecha
    assert registro.history_user is None
