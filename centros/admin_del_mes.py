"""Admin pieces for records that belong to a month (a centre's figures, the clinic's rows):
they write through the month write of the monthly pages and the import (`centros.services.mes`).
The admin saves inside one transaction, so the form's clean opens the month — locked and
checked (`reporte_bloquear`, `mes_abierto_a_registro`), its refusals shown on the form — and
the save writes the row and closes the month through a `MesEnEdicion` of it. Kept outside
`centros.admin` so that `salud` uses them without importing another app's admin."""

from contextlib import contextmanager

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction

from casmul.cierres import anio_cerrado_motivo
from casmul.meses import Mes

from .models import ReporteMensual
from .services import MesEnEdicion, mes_abierto_a_registro, reporte_bloquear

MOTIVO_ADMIN = "Editado en la administración"


class MesCerradoSoloLectura:
    """Admin of records that belong to a month: read-only (for everyone, superusers included)
    once the month is approved, or its year's report published without an erratum open. The
    only way to change them is to reopen the month (which, in a published year, opens its
    erratum)."""

    def reporte_de(self, obj) -> ReporteMensual:
        return obj.reporte

    def mes_cerrado(self, obj) -> bool:
        if obj is None or obj.pk is None:
            return False
        reporte = self.reporte_de(obj)
        return reporte.aprobado or anio_cerrado_motivo(reporte.anio) is not None

    def has_change_permission(self, request, obj=None):
        return not self.mes_cerrado(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.mes_cerrado(obj) and super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a posted revert after checking only the *view*
        # permission: check the change permission against the record as it is now. The
        # transaction holds the row locks taken by the form's checks until the save is done.
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.method == "POST":
                actual = self.get_object(request, object_id)
                if actual is None or not self.has_change_permission(request, actual):
                    raise PermissionDenied
            return super().history_form_view(request, object_id, version_id, extra_context)


def meses_abrir(reportes) -> list[ReporteMensual]:
    """Opens the months a row leaves and enters: each locked (the admin saves inside one
    transaction, so they stay locked until the save is done) with the checks of every write.
    Returns them, for the save to write and close."""
    abiertos = []
    for reporte in {reporte.pk: reporte for reporte in reportes if reporte is not None}.values():
        abiertos.append(reporte_bloquear(reporte_id=reporte.pk, version=None))
        mes_abierto_a_registro(centro=reporte.centro, mes=Mes(reporte.anio, reporte.mes))
    return abiertos


class FilaDelMesForm(forms.ModelForm):
    """A row typed in the admin: never into or out of an approved month, nor into a month the
    centre does not operate or that has not come. The months it leaves and enters are opened
    here (`meses_abiertos`)."""

    def reporte_destino(self, cleaned_data) -> ReporteMensual | None:
        return cleaned_data.get("reporte")

    def clean(self):
        cleaned_data = super().clean()
        actual = self.instance.reporte if self.instance.reporte_id else None
        try:
            self.meses_abiertos = meses_abrir([actual, self.reporte_destino(cleaned_data)])
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None
        return cleaned_data


class EdicionDelMesAdmin:
    """Admin of rows that belong to a month: each save or delete goes through the month write,
    so the month gets a new version (a form opened earlier cannot overwrite it), its warnings
    again, and a history entry naming who changed it here."""

    def save_model(self, request, obj, form, change):
        # The months the row leaves and enters were opened by the form's clean.
        ediciones = {
            reporte.pk: MesEnEdicion(reporte=reporte, usuario=request.user, motivo=MOTIVO_ADMIN)
            for reporte in form.meses_abiertos
        }
        ediciones[obj.reporte_id].fila_guardar(obj)
        for edicion in ediciones.values():
            edicion.cerrar()

    @contextmanager
    def _meses_que_pierden_filas(self, request, reporte_ids):
        """The months rows are deleted from, locked while they go and closed after. No form
        checked them: the delete permission already refused an approved month or a closed
        year, and a row may leave a month whatever the month's other rules."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            ediciones = [
                MesEnEdicion(
                    reporte=reporte_bloquear(reporte_id=reporte_id, version=None),
                    usuario=request.user,
                    motivo=MOTIVO_ADMIN,
                )
                for reporte_id in sorted(reporte_ids)
            ]
            yield
            for edicion in ediciones:
                edicion.cerrar()

    def delete_model(self, request, obj):
        with self._meses_que_pierden_filas(request, [obj.reporte_id]):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with self._meses_que_pierden_filas(
            request, set(queryset.values_list("reporte_id", flat=True))
        ):
            super().delete_queryset(request, queryset)
