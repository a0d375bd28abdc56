"""Forms shared by the apps."""

from django import forms

from .meses import PRIMER_ANIO


class AnioForm(forms.Form):
    """A year chosen on a page (`?anio=`): the agreement's coverage, the budget's totals."""

    anio = forms.IntegerField(min_value=PRIMER_ANIO, max_value=2100, label="Año")
