"""Forms of the budget pages. Money is typed and shown the Ecuadorian way (1.234,56) through
the admin's own `MontoField`, so the portal and the admin read an amount by the same rules;
dates are typed dd/mm/aaaa."""

from django import forms
from django.db import models

from casmul.admin_montos import MontoField
from casmul.widgets import FechaInput
from centros.models import Area, Centro

from .models import GastoComun, LineaPresupuestaria, PresupuestoInstitucional, ProcesoContratacion


def _campo(campo_modelo: models.Field, **kwargs) -> forms.Field | None:
    """Every DecimalField of these models holds dollars; dates are typed dd/mm/aaaa."""
    if isinstance(campo_modelo, models.DecimalField):
        return campo_modelo.formfield(form_class=MontoField, **kwargs)
    if isinstance(campo_modelo, models.DateField):
        kwargs["widget"] = FechaInput()
    return campo_modelo.formfield(**kwargs)


class _AnioInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"class": "campo-anio", "placeholder": "aaaa"})


class LineaPresupuestariaForm(forms.ModelForm):
    class Meta:
        model = LineaPresupuestaria
        fields = ["anio", "area", "centro", "partida", "descripcion", "codificado", "ejecutado"]
        formfield_callback = _campo
        widgets = {"anio": _AnioInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("orden", "nombre")
        self.fields["centro"].queryset = Centro.objects.order_by("numero")
        self.fields["centro"].empty_label = "Sin centro (línea del área)"


class PresupuestoInstitucionalForm(forms.ModelForm):
    class Meta:
        model = PresupuestoInstitucional
        fields = ["anio", "ingresos_percibidos", "gasto_codificado", "gasto_ejecutado"]
        formfield_callback = _campo
        widgets = {"anio": _AnioInput()}


class GastoComunForm(forms.ModelForm):
    class Meta:
        model = GastoComun
        fields = ["anio", "concepto", "descripcion", "monto"]
        formfield_callback = _campo
        widgets = {"anio": _AnioInput(), "descripcion": forms.Textarea(attrs={"rows": 3})}


class ProcesoContratacionForm(forms.ModelForm):
    class Meta:
        model = ProcesoContratacion
        fields = [
            "anio",
            "tipo",
            "codigo",
            "objeto",
            "fecha",
            "monto",
            "estado",
            "fecha_adjudicacion",
            "fecha_finalizacion",
            "monto_final",
        ]
        formfield_callback = _campo
        widgets = {"anio": _AnioInput()}
