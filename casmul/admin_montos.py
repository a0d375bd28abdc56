"""Dollar amounts in the admin, typed and shown the Ecuadorian way ("1.234,56").

Django gives a DecimalField a number input, and Chromium reads what is typed in it by the
browser's locale, not ours: "123456,78" arrived as 12345678.00 and "123.456,78" as 123.45678.
A text input read by `casmul.numeros` stores what the user wrote, or refuses it.
"""

from django import forms
from django.contrib import admin
from django.db import models

from .formato import dinero, numero
from .numeros import Clase, numero_leer


class MontoInput(forms.TextInput):
    """A text input that shows a stored amount as 1.234,56 (and what was typed, as typed)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return numero(value, Clase.DINERO.decimales)


class MontoField(forms.DecimalField):
    """A dollar amount read by `numero_leer` (the rules of every door: at most two decimals,
    "1.250" refused as ambiguous, an upper bound)."""

    widget = MontoInput

    def to_python(self, value):
        return numero_leer(value, clase=Clase.DINERO)


class MontosEnDolares:
    """ModelAdmin (or inline) mixin: every DecimalField of the model holds dollars and gets a
    `MontoField`. Not for a model whose decimals are counts (a monthly figure)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            return db_field.formfield(form_class=MontoField, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def columna_dinero(modelo: type[models.Model], campo: str):
    """A changelist column for `list_display` showing the money field `campo` of `modelo` as
    $1.234,56, titled and sorted by the field."""
    titulo = modelo._meta.get_field(campo).verbose_name

    @admin.display(description=titulo, ordering=campo)
    def columna(obj):
        return dinero(getattr(obj, campo))

    columna.__name__ = campo
    return columna


# --- Counts (people, services) ------------------------------------------------------------------


class CuentaInput(forms.TextInput):
    """A text input that shows a stored count as 4.321 (and what was typed, as typed)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return numero(value)


class CuentaField(forms.IntegerField):
    """A whole count typed in the admin ("4.321"), read by `numero_leer` with the rules of its
    `Clase` (PERSONAS or SERVICIOS: no decimals, not negative, an upper bound). Declared on a
    form (`pacientes = CuentaField(clase=Clase.PERSONAS)`) or given by `CifrasContadas`."""

    widget = CuentaInput

    def __init__(self, *, clase: Clase, **kwargs):
        if clase is Clase.DINERO:
            raise ValueError("Un monto en dólares se escribe con MontoField.")
        self.clase = clase
        super().__init__(**kwargs)

    def to_python(self, value):
        cantidad = numero_leer(value, clase=self.clase)
        return None if cantidad is None else int(cantidad)


class CifrasContadas:
    """ModelAdmin (or inline) mixin: the integer fields named in `cifras_contadas`, each with
    the `Clase` it counts (`{"capacidad": Clase.PERSONAS}`), get a `CuentaField`."""

    cifras_contadas: dict[str, Clase] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        clase = self.cifras_contadas.get(db_field.name)
        if clase is not None:
            # Not the admin's number widget: the field brings its text input.
            kwargs.pop("widget", None)
            return db_field.formfield(form_class=CuentaField, clase=clase, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
