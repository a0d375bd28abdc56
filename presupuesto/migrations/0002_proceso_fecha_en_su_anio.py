from django.db import migrations, models
from django.db.models import F, Q


def comprobar_fechas(apps, schema_editor):
    """Adding the constraint over a process dated outside its year would fail with the
    database's bare error. Which of the two is wrong (the year or the date) only a person
    can say, so the migration stops and names the processes to fix instead of guessing."""
    ProcesoContratacion = apps.get_model("presupuesto", "ProcesoContratacion")
    fuera = (
        ProcesoContratacion.objects.using(schema_editor.connection.alias)
        .exclude(fecha__isnull=True)
        .exclude(fecha__year=F("anio"))
        .order_by("anio", "codigo")
        .values_list("codigo", "anio", "fecha")
    )
    if fuera:
        procesos = "; ".join(
            f"{codigo} (año {anio}, fecha {fecha:%d/%m/%Y})" for codigo, anio, fecha in fuera
        )
        raise RuntimeError(
            "Hay procesos de contratación con la fecha fuera de su año; corrija la fecha o el "
            f"año de cada uno y vuelva a migrar: {procesos}."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("presupuesto", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(comprobar_fechas, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="procesocontratacion",
            constraint=models.CheckConstraint(
                condition=Q(fecha__isnull=True) | Q(fecha__year=F("anio")),
                name="proceso_fecha_en_su_anio",
                violation_error_code="fecha_fuera_del_anio",
                violation_error_message=(
                    "La fecha del proceso debe caer dentro de su año: corrija la fecha o el año."
                ),
            ),
        ),
    ]
