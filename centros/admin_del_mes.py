"""Admin pieces for records that belong to a month (a centre's figures, the clinic's rows):
they write through the same month services as the monthly pages and the import — the month
locked and checked on open (`reporte_bloquear`, `mes_abierto_a_registro`), each row saved with
its history (`fila_del_mes_guardar`), the month closed with a new version and its warnings
(`reporte_cerrar_edicion`). Kept outside `centros.admin` so that `salud` uses them without
importing another app's admin."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction

from casmul.cierres import anio_cerrado_motivo

from .models import ReporteMensual
from .services import (
    fila_del_mes_guardar,
    mes_abierto_a_registro,
    reporte_bloquear,
    reporte_cerrar_edicion,
)

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


def meses_abrir(reportes) -> None:
    """Locks the months a row leaves and enters (the admin saves inside one transaction, so
    they stay locked until the save is done) with the checks of every write."""
    for reporte in {reporte.pk: reporte for reporte in reportes if reporte is not None}.values():
        reporte_bloquear(reporte_id=reporte.pk, version=None)
        mes_abierto_a_registro(centro=reporte.centro, anio=reporte.anio, mes=reporte.mes)


class FilaDelMesForm(forms.ModelForm):
    """A row typed in the admin: never into or out of an approved month, nor into a month the
    centre does not operate or that has not come."""

    def reporte_destino(self, cleaned_data) -> ReporteMensual | None:
        return cleaned_data.get("reporte")

    def clean(self):
        cleaned_data = super().clean()
        actual = self.instance.reporte if self.instance.reporte_id else None
        try:
            meses_abrir([actual, self.reporte_destino(cleaned_data)])
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None
        return cleaned_data


class EdicionDelMesAdmin:
    """Admin of rows that belong to a month: each save or delete goes through the month's
    write services, so the month gets a new version (a form opened earlier cannot overwrite
    it), its warnings again, and a history entry naming who changed it here."""

    def _cerrar(self, request, reporte_ids) -> None:
        for reporte in ReporteMensual.objects.select_related("centro").filter(
            pk__in=list(reporte_ids)
        ):
            reporte_cerrar_edicion(reporte=reporte, usuario=request.user, motivo=MOTIVO_ADMIN)

    def save_model(self, request, obj, form, change):
        fila_del_mes_guardar(fila=obj, usuario=request.user, motivo=MOTIVO_ADMIN)
        self._cerrar(request, {obj.reporte_id, form.initial.get("reporte") or obj.reporte_id})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._cerrar(request, [obj.reporte_id])

    def delete_queryset(self, request, queryset):
        reportes = set(queryset.values_list("reporte_id", flat=True))
        super().delete_queryset(request, queryset)
        self._cerrar(request, reportes)
