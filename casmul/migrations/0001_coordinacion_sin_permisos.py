"""The coordination's group loses the model permissions `roles_asegurar` used to give it (view
on the portal's apps, add/change/delete on the report's): they only counted in the admin, which
is now the administration's alone, and no page of the portal checks them. New installations
never get them; this takes them away from the existing ones on `migrate`."""

from django.db import migrations

# The group's name as `casmul.roles.Rol.COORDINACION` had it when this migration was written
# (a migration does not import the code it outlives).
COORDINACION = "Coordinación de planificación"


def quitar_permisos_a_la_coordinacion(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for grupo in Group.objects.filter(name=COORDINACION):
        grupo.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Nothing to give back on the way down: the permissions were of no use.
        migrations.RunPython(quitar_permisos_a_la_coordinacion, migrations.RunPython.noop),
    ]
