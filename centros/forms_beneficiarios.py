"""Forms of the nominal registry: the cédula search, the enrolment and the exit."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from casmul.widgets import FechaInput

from .models import Beneficiario, Centro
from .validators import validar_cedula

FECHA = FechaInput()


class CedulaField(forms.CharField):
    """A cédula as people type it (with a hyphen or spaces), checked by the model's validator."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("validators", [validar_cedula])
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        texto = super().to_python(value)
        return "".join(texto.replace("-", " ").split())


class BusquedaCedulaForm(forms.Form):
    cedula = CedulaField(label="Cédula")


class InscripcionForm(forms.Form):
    """A person and the centre they enrol in. The person's fields are required only for
    someone not registered yet: with a known cédula, the registered person is enrolled and
    the typed data are left aside (the service decides, since it knows who exists)."""

    cedula = CedulaField(label="Cédula")
    apellidos = forms.CharField(max_length=120, required=False)
    nombres = forms.CharField(max_length=120, required=False)
    fecha_nacimiento = forms.DateField(label="Fecha de nacimiento", required=False, widget=FECHA)
    sexo = forms.ChoiceField(choices=[("", "—"), *Beneficiario.Sexo.choices], required=False)
    tiene_discapacidad = forms.BooleanField(label="Tiene discapacidad", required=False)
    porcentaje_discapacidad = forms.IntegerField(
        label="Porcentaje de discapacidad",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    grupo_prioritario = forms.ChoiceField(
        label="Grupo de atención prioritaria",
        choices=[("", "—"), *Beneficiario.GrupoPrioritario.choices],
        required=False,
    )
    centro = forms.ModelChoiceField(queryset=Centro.objects.none(), empty_label=None)
    desde = forms.DateField(label="Inscrito desde", widget=FECHA)

    CAMPOS_PERSONA = Beneficiario.DATOS

    def __init__(self, *args, centros, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's centres: another centre's id is refused like any invalid choice.
        self.fields["centro"].queryset = centros.order_by("numero")

    def clean(self):
        datos = super().clean()
        if datos.get("porcentaje_discapacidad") and not datos.get("tiene_discapacidad"):
            self.add_error(
                "porcentaje_discapacidad",
                "Indique el porcentaje solo si la persona tiene discapacidad.",
            )
        return datos

    def datos_persona(self) -> dict:
        return {campo: self.cleaned_data[campo] for campo in self.CAMPOS_PERSONA}


class SalidaForm(forms.Form):
    hasta = forms.DateField(label="Fecha de salida", widget=FECHA)
    motivo = forms.CharField(
        label="Motivo de la salida",
        max_length=300,
        help_text="Por ejemplo: «Cumplió la edad del servicio», «Cambio de domicilio».",
    )
