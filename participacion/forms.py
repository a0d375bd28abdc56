"""Forms of the participation pages."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory, modelformset_factory
from django.utils.functional import cached_property

from casmul.widgets import FechaInput

from .models import (
    AccionDelPlan,
    Deliberacion,
    Evidencia,
    Mecanismo,
    MedioDifusion,
    PasoDelProceso,
    PoliticaIgualdad,
    Sugerencia,
)

# An acta scanned at 300 dpi is a few MB; more is a wrong file.
TAMANO_MAXIMO = 10 * 1024 * 1024
# What may be published as evidence, told by the file's first bytes, not its name.
FIRMAS = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}


def archivo_de_evidencia_validar(archivo) -> None:
    extension = PurePath(archivo.name).suffix.lower()
    if extension not in FIRMAS:
        raise ValidationError("Suba el documento en PDF, JPG o PNG.", code="extension")
    if archivo.size > TAMANO_MAXIMO:
        raise ValidationError(
            "El archivo pasa de 10 MB: guárdelo con menos resolución.", code="tamano"
        )
    archivo.seek(0)
    inicio = archivo.read(8)
    archivo.seek(0)
    if not inicio.startswith(FIRMAS[extension]):
        raise ValidationError(
            f"El archivo no es un {extension[1:].upper()} válido: ábralo y guárdelo de nuevo.",
            code="contenido",
        )


class ArchivoDeEvidenciaField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    default_validators = [archivo_de_evidencia_validar]


class EvidenciaForm(forms.ModelForm):
    archivo = ArchivoDeEvidenciaField(required=False)
    url = forms.URLField(
        label="Dirección externa",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Si el documento está publicado en otro sitio (p. ej. el del GAD).",
    )

    class Meta:
        model = Evidencia
        fields = ["titulo", "archivo", "url"]

    def clean(self):
        datos = super().clean()
        if bool(datos.get("archivo")) == bool(datos.get("url")):
            raise ValidationError("Suba el archivo o escriba su dirección (una de las dos).")
        return datos


class DeliberacionForm(forms.ModelForm):
    acta_archivo = ArchivoDeEvidenciaField(
        label="Acta firmada (PDF)",
        required=False,
        help_text="Se publica con su SHA-256 en /publicaciones/ y es el medio de verificación "
        "de la deliberación.",
    )

    class Meta:
        model = Deliberacion
        fields = [
            "fecha",
            "lugar",
            "mujeres",
            "hombres",
            "glbti",
            "mestizos",
            "indigenas",
            "afroecuatorianos",
            "montubios",
            "blancos",
            "otros_pueblos",
        ]
        widgets = {"fecha": FechaInput}


SugerenciasFormSet = inlineformset_factory(
    Deliberacion,
    Sugerencia,
    fields=["texto", "compromiso", "respuesta"],
    widgets={
        "texto": forms.Textarea(attrs={"rows": 2}),
        "respuesta": forms.Textarea(attrs={"rows": 2}),
    },
    extra=2,
    can_delete=True,
)

AccionesFormSet = inlineformset_factory(
    Sugerencia,
    AccionDelPlan,
    fields=["descripcion", "responsable", "fecha_inicio", "fecha_fin"],
    widgets={"fecha_inicio": FechaInput, "fecha_fin": FechaInput},
    extra=1,
    can_delete=True,
)


class AvanceForm(forms.Form):
    accion = forms.ModelChoiceField(queryset=AccionDelPlan.objects.none(), label="Acción")
    fecha = forms.DateField(widget=FechaInput)
    porcentaje = forms.IntegerField(label="Avance (%)", min_value=0, max_value=100)
    descripcion = forms.CharField(label="Resultados", widget=forms.Textarea(attrs={"rows": 2}))
    archivo = ArchivoDeEvidenciaField(
        label="Medio de verificación (PDF, JPG o PNG)", required=False
    )

    def __init__(self, *args, acciones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accion"].queryset = acciones


class PasoForm(forms.ModelForm):
    class Meta:
        model = PasoDelProceso
        fields = ["fecha_limite", "cumplido_el", "evidencia", "observaciones"]
        widgets = {
            "fecha_limite": FechaInput,
            "cumplido_el": FechaInput,
            "observaciones": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A row of a table: each input named by its column and its step, for screen readers.
        for campo in self.fields.values():
            campo.widget.attrs["aria-label"] = f"{campo.label}: {self.instance.descripcion}"


def _formset_del_anio(anio: int, modelo, *, claves: tuple[str, ...] = (), **opciones):
    """A formset of the year's rows of `modelo`: new rows belong to the year, the evidence is
    chosen among the year's (read once for every row), and `claves` may not repeat."""
    Base = modelformset_factory(modelo, **opciones)
    evidencias = Evidencia.objects.filter(anio=anio)

    class DelAnio(Base):
        @cached_property
        def opciones_de_evidencia(self) -> list[tuple]:
            return [("", "Sin medio de verificación"), *evidencias.values_list("pk", "titulo")]

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("queryset", modelo.objects.filter(anio=anio))
            super().__init__(*args, **kwargs)

        def add_fields(self, form, index):
            super().add_fields(form, index)
            form.instance.anio = anio
            form.fields["evidencia"].queryset = evidencias
            form.fields["evidencia"].choices = self.opciones_de_evidencia

        def clean(self):
            super().clean()
            if not claves:
                return
            vistas = set()
            for form in self.forms:
                if not form.has_changed() and form.instance.pk is None:
                    continue
                if self.can_delete and self._should_delete_form(form):
                    continue
                clave = tuple(form.cleaned_data.get(campo) for campo in claves)
                if clave in vistas:
                    nombre = ", ".join(str(form[campo].value()) for campo in claves)
                    raise ValidationError(f"«{nombre}» está dos veces: deje una sola fila.")
                vistas.add(clave)

    return DelAnio


def pasos_formset(anio: int):
    return _formset_del_anio(anio, PasoDelProceso, form=PasoForm, extra=0)


def mecanismos_formset(anio: int):
    return _formset_del_anio(
        anio,
        Mecanismo,
        claves=("clase", "nombre"),
        fields=["clase", "nombre", "implementado", "veces", "actores", "resultados", "evidencia"],
        widgets={"resultados": forms.Textarea(attrs={"rows": 2})},
        extra=1,
        can_delete=True,
    )


def politicas_formset(anio: int):
    return _formset_del_anio(
        anio,
        PoliticaIgualdad,
        claves=("eje",),
        fields=["eje", "implementada", "descripcion", "resultados", "evidencia"],
        widgets={
            "descripcion": forms.Textarea(attrs={"rows": 2}),
            "resultados": forms.Textarea(attrs={"rows": 2}),
        },
        extra=1,
        can_delete=True,
    )


def medios_formset(anio: int):
    return _formset_del_anio(
        anio,
        MedioDifusion,
        claves=("medio",),
        fields=["medio", "cantidad", "detalle", "evidencia"],
        extra=1,
        can_delete=True,
    )
