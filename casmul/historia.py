"""Change history of records written in bulk (django-simple-history), copied by the database.

`simple_history.utils.bulk_create_with_history` builds one historical model instance per record
in Python and inserts it field by field: for a file of 100.000 people with their enrolments that
was half of the import's time. Here the database copies the rows just written into the history
table (`INSERT … SELECT`), one statement per batch of ids, with the same values
`bulk_history_create` would give them: every tracked field, the date, the user, the reason and
the type «+» (tests/casmul/test_historia.py compares both, row by row).
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

# Ids per statement: within SQLite's 999 parameters, with the four of the history's own.
LOTE = 900


def creados_con_historia(objetos: list, modelo, *, usuario, motivo: str, fecha=None) -> list:
    """`modelo.objects.bulk_create(objetos)` and their history «+» (created) with `usuario`,
    `motivo` and `fecha` (now by default), in one transaction. Returns the objects with their
    ids."""
    with transaction.atomic(savepoint=False):
        creados = modelo._default_manager.bulk_create(objetos, batch_size=LOTE)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            _historia_copiar(creados, modelo, usuario=usuario, motivo=motivo, fecha=fecha)
    return creados


def _historia_copiar(objetos: list, modelo, *, usuario, motivo: str, fecha) -> None:
    historico = modelo.history.model
    ids = [objeto.pk for objeto in objetos]
    if None in ids:
        # Both supported databases give the ids of a bulk insert back (PostgreSQL, SQLite 3.35+).
        raise ValueError("La base de datos no devolvió los ids de los registros creados.")
    campos = historico.tracked_fields
    nombre = connection.ops.quote_name
    destino = [nombre(historico._meta.get_field(campo.name).column) for campo in campos]
    destino += [
        nombre(historico._meta.get_field(campo).column)
        for campo in ("history_date", "history_user", "history_change_reason", "history_type")
    ]
    origen = ", ".join(nombre(campo.column) for campo in campos)
    fecha = historico._meta.get_field("history_date").get_db_prep_value(
        fecha or timezone.now(), connection
    )
    largo = historico._meta.get_field("history_change_reason").max_length
    fijos = [fecha, getattr(usuario, "pk", None), motivo[:largo] if largo else motivo, "+"]
    clave = nombre(modelo._meta.pk.column)
    with connection.cursor() as cursor:
        for inicio in range(0, len(ids), LOTE):
            lote = ids[inicio : inicio + LOTE]
            cursor.execute(
                f"INSERT INTO {nombre(historico._meta.db_table)} ({', '.join(destino)}) "
                f"SELECT {origen}, %s, %s, %s, %s FROM {nombre(modelo._meta.db_table)} "
                f"WHERE {clave} IN ({', '.join(['%s'] * len(lote))}) ORDER BY {clave}",
                [*fijos, *lote],
            )
