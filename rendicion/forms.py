"""Forms of `rendicion`: the year's texts page and the form that starts a new year."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone

from casmul.meses import PRIMER_ANIO

from .models import (
    CAMPOS_CONTACTO,
    CAMPOS_NARRATIVOS,
    CAMPOS_TEXTO,
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    SeccionFortalecimiento,
    TerminoGlosario,
)
from .services import TABLAS, informe_contenido, informe_huella

AYUDA_PARRAFOS = "Separe los párrafos con una línea en blanco."


def _area(filas: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": filas, "class": "texto-largo"})


class InformeTextosForm(forms.ModelForm):
    """The report's own texts and the contact block of its cover."""

    # How the page groups the fields: heading, anchor, fields.
    GRUPOS = [
        (
            "Portada y contacto",
            "portada",
            ["dirigido_a", *CAMPOS_CONTACTO],
        ),
        (
            "Textos del informe",
            "textos",
            CAMPOS_NARRATIVOS,
        ),
    ]

    class Meta:
        model = InformeAnual
        fields = CAMPOS_TEXTO
        help_texts = {
            "dirigido_a": "Destinatario del informe, tal como aparece en la portada.",
            "ciudad": "Ciudad y país de la sede.",
            "antecedentes": AYUDA_PARRAFOS,
            "introduccion": AYUDA_PARRAFOS,
            "mision": "Misión vigente de la institución.",
            "vision": "Visión vigente de la institución.",
            "informe_narrativo": "Párrafo que abre la sección 3. " + AYUDA_PARRAFOS,
            "convenios_intro": "Párrafo que precede a la lista de convenios.",
            "acciones_intro": "Párrafo que precede a las acciones generales del año.",
            "direccion": "Dirección de la sede.",
            "telefono": "Por ejemplo: +593 07 2584219.",
            "correo": "Por ejemplo: casmul@loja.gob.ec.",
            "sitio_web": "Por ejemplo: www.loja.gob.ec.",
            "redes_sociales": "Cuenta o usuario; por ejemplo: @casmuloja.",
        }
        widgets = {
            "antecedentes": _area(8),
            "introduccion": _area(8),
            "mision": _area(4),
            "vision": _area(4),
            "informe_narrativo": _area(5),
            "convenios_intro": _area(3),
            "acciones_intro": _area(3),
        }

    def grupos(self):
        """(heading, anchor, bound fields) for the template."""
        return [(titulo, ancla, [self[c] for c in campos]) for titulo, ancla, campos in self.GRUPOS]


class ControlVersionForm(forms.Form):
    """What the editor started from: the report's version and the fingerprint of its parts."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "Falta el número de versión: recargue la página."},
    )
    huella = forms.CharField(
        widget=forms.HiddenInput,
        max_length=2000,
        error_messages={"required": "Falta la huella del formulario: recargue la página."},
    )


# --- The four tables -----------------------------------------------------------------------


class _FilaForm(forms.ModelForm):
    """A row of one of the page's tables. The column heading is the visible label, so every
    input also carries its label as `aria-label`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for campo in self.fields.values():
            campo.widget.attrs.setdefault("aria-label", campo.label)


class ObjetivoForm(_FilaForm):
    class Meta:
        model = ObjetivoEstrategico
        fields = ["texto"]
        labels = {"texto": "Objetivo"}
        widgets = {"texto": forms.Textarea(attrs={"rows": 2, "class": "texto-largo"})}


class TerminoGlosarioForm(_FilaForm):
    class Meta:
        model = TerminoGlosario
        fields = ["sigla", "significado"]
        labels = {"sigla": "Sigla", "significado": "Significado"}
        widgets = {"sigla": forms.TextInput(attrs={"size": 10})}


class SeccionFortalecimientoForm(_FilaForm):
    class Meta:
        model = SeccionFortalecimiento
        fields = ["titulo", "texto"]
        widgets = {"texto": _area(6)}


class FirmanteForm(_FilaForm):
    class Meta:
        model = Firmante
        fields = ["rol", "nombre", "cargo"]
        labels = {"rol": "Firma como", "nombre": "Nombre", "cargo": "Cargo"}


class _FilasFormSet(forms.BaseFormSet):
    """A table of the report: rows can be added, deleted and (where `can_order`) reordered."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.can_order:
            orden = form.fields.pop(forms.formsets.ORDERING_FIELD_NAME)
            orden.widget.attrs.update({"aria-label": "Orden", "min": 0, "class": "orden"})
            # The order number reads best as the row's first column.
            form.fields = {forms.formsets.ORDERING_FIELD_NAME: orden, **form.fields}
        if self.can_delete and forms.formsets.DELETION_FIELD_NAME in form.fields:
            eliminar = form.fields[forms.formsets.DELETION_FIELD_NAME]
            eliminar.widget.attrs.update({"class": "eliminar", "aria-label": "Eliminar esta fila"})

    def _forms_vigentes(self):
        """Forms that will become rows: not deleted, not blank new rows."""
        for indice, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if indice >= self.initial_form_count() and not form.has_changed():
                continue
            yield form

    def _repetidos(self, campo: str, mensaje: str, clave=str, mostrar=str) -> None:
        """Marks `campo` on every row that repeats an earlier row's value: a form error next to
        the field rather than the database's unique constraint failing."""
        vistos = set()
        for form in self._forms_vigentes():
            valor = form.cleaned_data.get(campo)
            if not valor:
                continue
            if clave(valor) in vistos:
                form.add_error(campo, mensaje.format(valor=mostrar(valor)))
            vistos.add(clave(valor))

    def filas(self) -> list[dict[str, str]]:
        """The table's rows, in the order the editor gave them (call after `is_valid()`)."""
        forms_ = self.ordered_forms if self.can_order else list(self._forms_vigentes())
        return [{campo: f.cleaned_data[campo] for campo in f._meta.fields} for f in forms_]


class _GlosarioFormSet(_FilasFormSet):
    def clean(self):
        super().clean()
        # Case does not make a different acronym; the database would only catch exact repeats.
        self._repetidos(
            "sigla", "La sigla «{valor}» está repetida en el glosario.", clave=str.casefold
        )


class _FirmantesFormSet(_FilasFormSet):
    def clean(self):
        super().clean()
        self._repetidos(
            "rol",
            "Ya hay otro firmante con el rol «{valor}».",
            mostrar=lambda rol: Firmante.Rol(rol).label,
        )


_opciones = {"formset": _FilasFormSet, "can_delete": True, "can_delete_extra": False}
ObjetivosFormSet = forms.formset_factory(ObjetivoForm, extra=1, can_order=True, **_opciones)
GlosarioFormSet = forms.formset_factory(
    TerminoGlosarioForm, extra=1, **{**_opciones, "formset": _GlosarioFormSet}
)
FortalecimientoFormSet = forms.formset_factory(
    SeccionFortalecimientoForm, extra=1, can_order=True, **_opciones
)
FirmantesFormSet = forms.formset_factory(
    FirmanteForm,
    extra=len(Firmante.Rol.choices),
    max_num=len(Firmante.Rol.choices),
    validate_max=True,
    can_order=True,
    **{**_opciones, "formset": _FirmantesFormSet},
)

FORMSETS = {
    "objetivos": ObjetivosFormSet,
    "glosario": GlosarioFormSet,
    "fortalecimiento": FortalecimientoFormSet,
    "firmantes": FirmantesFormSet,
}
AYUDAS_TABLAS = {
    "objetivos": "Los objetivos se numeran en el orden de la columna «Orden».",
    "glosario": "El glosario se imprime en orden alfabético de sigla.",
    "fortalecimiento": (
        "Cada subsección lleva un título y su texto. Separe los párrafos con una línea en "
        "blanco; una línea que empieza con «- » es una viñeta."
    ),
    "firmantes": "Quienes firman el informe: elaborado, revisado y aprobado por.",
}


class EdicionTextos:
    """Every form of the texts page, bound or not, validated and read together."""

    def __init__(self, informe: InformeAnual, data=None):
        contenido = informe_contenido(informe)
        self.informe = informe
        self.textos = InformeTextosForm(data, instance=informe)
        self.control = ControlVersionForm(
            data, initial={"version": informe.version, "huella": informe_huella(contenido)}
        )
        self.tablas = {
            nombre: clase(data, prefix=nombre, initial=contenido[nombre])
            for nombre, clase in FORMSETS.items()
        }

    @property
    def is_bound(self) -> bool:
        return self.textos.is_bound

    def is_valid(self) -> bool:
        # Every form is validated (no short-circuit) so that all errors show at once.
        validos = [self.textos.is_valid(), self.control.is_valid()]
        validos += [formset.is_valid() for formset in self.tablas.values()]
        return all(validos)

    def datos(self) -> dict:
        """Keyword arguments for `services.informe_textos_guardar` (after `is_valid()`)."""
        return {
            "version": self.control.cleaned_data["version"],
            "huella": self.control.cleaned_data["huella"],
            "textos": {campo: self.textos.cleaned_data[campo] for campo in CAMPOS_TEXTO},
            **{nombre: formset.filas() for nombre, formset in self.tablas.items()},
        }

    def continuar_desde(self, *, version: int, huella: str) -> None:
        """After a conflict: the editor has been shown the stored report, so a new save starts
        from it. The typed texts and rows stay as they are."""
        self.control = ControlVersionForm(initial={"version": version, "huella": huella})

    def secciones_tablas(self):
        """(name, heading, help text, formset) of each table, for the template."""
        return [
            (nombre, TABLAS[nombre][2], AYUDAS_TABLAS[nombre], formset)
            for nombre, formset in self.tablas.items()
        ]

    def total_errores(self) -> int:
        if not self.is_bound:
            return 0
        total = len(self.textos.errors) + len(self.control.errors)
        for formset in self.tablas.values():
            total += len(formset.non_form_errors()) + sum(len(e) for e in formset.errors)
        return total


# --- A new year ----------------------------------------------------------------------------


class InformeCrearForm(forms.Form):
    anio = forms.IntegerField(
        label="Año del informe",
        min_value=PRIMER_ANIO,
        help_text="El año cuya gestión se rinde, por ejemplo 2024.",
    )

    def __init__(self, *args, anios_existentes: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        # The portal's years, as every page reads them (`casmul.meses.anio_valido`).
        ultimo = timezone.localdate().year + 1
        self.fields["anio"].max_value = ultimo
        self.fields["anio"].validators.append(MaxValueValidator(ultimo))
        self.fields["anio"].widget.attrs["max"] = ultimo
        self.anios_existentes = sorted(anios_existentes)
        if self.anios_existentes:
            self.initial.setdefault("anio", self.anios_existentes[-1] + 1)
        else:
            self.initial.setdefault("anio", timezone.localdate().year - 1)

    def clean_anio(self):
        anio = self.cleaned_data["anio"]
        if anio in self.anios_existentes:
            raise ValidationError(
                f"Ya existe el informe de {anio}; edite sus textos en lugar de crearlo.",
                code="anio_existente",
            )
        return anio

    def _anio_escrito(self) -> int | None:
        if not self.is_bound:
            return self.initial.get("anio")
        try:
            return int(self.data.get("anio", ""))
        except ValueError:
            return None

    def anio_duplicado(self) -> int | None:
        """The typed year when its report already exists (the page links to its texts)."""
        anio = self._anio_escrito()
        return anio if self.is_bound and anio in self.anios_existentes else None

    def aviso_copia(self) -> str:
        """What the new report will start from, for the year currently in the form."""
        anio = self._anio_escrito()
        if anio is None or anio in self.anios_existentes:
            return ""
        origen = self.anio_origen(anio)
        if origen:
            return f"El informe {anio} empezará con una copia de los textos de {origen}."
        return (
            f"No hay un informe anterior a {anio}: el informe {anio} empezará con los textos "
            "vacíos."
        )

    def anio_origen(self, anio: int | None) -> int | None:
        """The year whose texts a new report of `anio` would copy (the closest earlier one)."""
        if anio is None:
            return None
        anteriores = [existente for existente in self.anios_existentes if existente < anio]
        return anteriores[-1] if anteriores else None


# --- Publishing --------------------------------------------------------------------------------


class PublicarForm(forms.Form):
    """Publishing (or opening an erratum): the erratum's reason and, when the panel has open
    observations, that the coordinator read them (`pendientes`: how many)."""

    motivo = forms.CharField(
        label="Motivo de la fe de erratas",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Solo desde la segunda versión: se imprime junto a las cifras que cambiaron.",
    )
    revisado = forms.BooleanField(required=False)

    def __init__(self, *args, pendientes: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.pendientes = pendientes
        self.fields[
            "revisado"
        ].label = f"Revisé las {pendientes} observaciones del panel y publico igualmente"

    def publicar_comprobar(self) -> None:
        """Refuses to publish over open observations nobody acknowledged."""
        if self.pendientes and not self.cleaned_data.get("revisado"):
            self.add_error(
                "revisado",
                f"El panel tiene {self.pendientes} observaciones abiertas: revíselas (o "
                "corríjalas) y marque que las revisó para publicar.",
            )


# A PDF of the report is a few MB; ten times the data, some 20.
TAMANIO_MAXIMO_VERIFICAR = 50 * 1024 * 1024


class VerificarForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo a verificar",
        help_text="El PDF (o el HTML, el libro de tablas o las cifras) tal como lo recibió.",
    )

    def clean_archivo(self):
        archivo = self.cleaned_data["archivo"]
        if archivo.size > TAMANIO_MAXIMO_VERIFICAR:
            raise ValidationError(
                "El archivo pasa de 50 MB: ningún informe publicado es tan grande.", code="grande"
            )
        return archivo
