"""Forms of `centros`: the monthly figures of a centre, as its staff type them."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from casmul.formato import numero
from casmul.numeros import Clase, numero_leer
from casmul.widgets import FechaInput

from .selectors.mensual import FilaFormulario, FormularioMensual

ENVIAR = "enviar"
BORRADOR = "borrador"
ACCIONES = [(BORRADOR, "Guardar borrador"), (ENVIAR, "Enviar a revisión")]


def cifra_mostrar(valor, decimales: int) -> str:
    """How a stored value appears in its input: 1234 -> '1.234', 56.5 -> '56,50'."""
    return "" if valor is None else numero(valor, decimales)


class CifraField(forms.Field):
    """A figure typed the Ecuadorian way, read by `casmul.numeros` with the rules of its kind
    (the same at every door: the page, the import, the admin)."""

    def __init__(self, *, clase: Clase, **kwargs):
        self.clase = clase
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "decimal" if clase.decimales else "numeric",
                    "autocomplete": "off",
                    "class": "cifra",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return numero_leer(value, clase=self.clase)


class EdicionMesForm(forms.Form):
    """What both month forms (a centre's figures, the clinic's patients) share: the version
    the user opened, the comment, and the button pressed. Nothing else of the POST is read:
    the centre and the month come from the URL, the status from the button."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    comentario = forms.CharField(
        label="Comentario",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Explique lo que llame la atención en las cifras. Es obligatorio para enviar "
        "un mes con advertencias.",
    )
    accion = forms.ChoiceField(choices=ACCIONES, required=False)

    VACIO_GUARDADO = "Ya hay un valor guardado: escriba 0 si no hubo ninguno."

    def __init__(self, data=None, *, version: int, comentario: str, **kwargs):
        super().__init__(data, **kwargs)
        self.initial.update({"version": version, "comentario": comentario})
        self.fields["version"].error_messages["required"] = (
            "Falta la versión del mes: recargue la página y vuelva a escribir sus cifras."
        )

    @property
    def enviar(self) -> bool:
        return self.is_bound and self.data.get("accion") == ENVIAR

    def campo_de_error(self, clave: str) -> str | None:
        """The field a service error key belongs to (None: the whole form)."""
        return clave if clave in self.fields else None

    def errores_del_servicio(self, error: ValidationError) -> None:
        """Puts the service's refusal next to the fields it names."""
        if hasattr(error, "error_dict"):
            for clave, errores in error.error_dict.items():
                self.add_error(self.campo_de_error(clave), errores)
        else:
            self.add_error(None, error)

    @property
    def falta_comentario(self) -> bool:
        return "comentario" in self.errors

    def add_error(self, field, error):
        super().add_error(field, error)
        if "comentario" in self.errors:
            # The comment is what the user must write next: put the cursor there.
            self.fields["comentario"].widget.attrs["autofocus"] = True


class CifrasMesForm(EdicionMesForm):
    """A centre's figures of one month: one input per figure it reports."""

    PREFIJO = "cifra_"

    def __init__(self, data=None, *, formulario: FormularioMensual, **kwargs):
        comentario = formulario.reporte.comentario if formulario.reporte else ""
        super().__init__(data, version=formulario.version, comentario=comentario, **kwargs)
        self.formulario = formulario
        for fila in formulario.filas:
            clase = Clase.de_unidad(fila.unidad)
            nombre = self.PREFIJO + fila.codigo
            self.fields[nombre] = CifraField(
                label=fila.nombre, help_text=fila.descripcion, clase=clase
            )
            self.initial[nombre] = cifra_mostrar(fila.valor, clase.decimales)

    def campo_de_error(self, clave: str) -> str | None:
        campo = self.PREFIJO + clave
        return campo if campo in self.fields else super().campo_de_error(clave)

    def clean(self):
        datos = super().clean()
        for fila in self.formulario.filas:
            campo = self.PREFIJO + fila.codigo
            if campo not in datos or datos[campo] is not None:
                continue
            if fila.valor is not None:
                self.add_error(campo, self.VACIO_GUARDADO)
            elif self.enviar:
                self.add_error(campo, "Escriba la cifra para enviar el mes (0 si no hubo).")
        return datos

    def valores(self) -> dict[str, Decimal | None]:
        return {
            fila.codigo: self.cleaned_data.get(self.PREFIJO + fila.codigo)
            for fila in self.formulario.filas
        }

    def filas(self) -> list[tuple[FilaFormulario, forms.BoundField]]:
        """Each figure with its input, in the centre's order (for the template)."""
        return [(fila, self[self.PREFIJO + fila.codigo]) for fila in self.formulario.filas]

    def comparar_con(self, guardado: FormularioMensual) -> list[dict]:
        """After a conflict: each figure as stored now beside what the user typed (call on
        a valid form)."""
        escritos = self.valores()
        filas = []
        for fila in guardado.filas:
            decimales = 2 if fila.es_monetaria else 0
            escrito = escritos.get(fila.codigo)
            filas.append(
                {
                    "nombre": fila.nombre,
                    "guardado": cifra_mostrar(fila.valor, decimales) or "—",
                    "escrito": cifra_mostrar(escrito, decimales) or "—",
                    "distinto": fila.valor != escrito,
                }
            )
        return filas


_SELECCION = re.compile(r"([0-9]{1,10}):([0-9]{1,10})")


class SeleccionField(forms.Field):
    """Months chosen on the matrix, each as "id:version" (the version the coordinator saw),
    from checkboxes (one each) or a row's button ("12:3,15:2")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> dict[int, int]:
        versiones = {}
        for parte in value or []:
            for texto in str(parte).split(","):
                texto = texto.strip()
                if not texto:
                    continue
                if not (encontrado := _SELECCION.fullmatch(texto)):
                    raise ValidationError("Selección no válida.", code="invalid")
                versiones[int(encontrado[1])] = int(encontrado[2])
        return versiones


class AprobarForm(forms.Form):
    # Checked cells, or the months of one row when its own button was pressed.
    reportes = SeleccionField(required=False)
    fila = forms.CharField(required=False)
    filtros = forms.CharField(required=False)

    def clean(self):
        cleaned_data = super().clean()
        if self.has_error("reportes"):
            return cleaned_data
        fila = cleaned_data.get("fila")
        versiones = SeleccionField().clean([fila]) if fila else cleaned_data.get("reportes")
        if not versiones:
            raise ValidationError("Seleccione al menos un mes enviado para aprobar.")
        cleaned_data["versiones"] = versiones
        return cleaned_data


class AprobarMesForm(forms.Form):
    """The approval of one month from its review, with the version on screen."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SinAtencionForm(forms.Form):
    desde = forms.DateField(label="Desde", widget=FechaInput())
    hasta = forms.DateField(label="Hasta", widget=FechaInput())
    motivo = forms.CharField(
        label="Motivo",
        max_length=300,
        help_text="Por ejemplo: «Cierre por emergencia sanitaria», «Vacaciones de fin de año».",
        error_messages={"required": "Escriba por qué el centro no atendió."},
    )


class PlazoForm(forms.Form):
    dia = forms.IntegerField(
        label="Día del mes siguiente",
        min_value=1,
        max_value=28,
        error_messages={
            "required": "Escriba el día.",
            "min_value": "Escriba un día del 1 al 28: todos los meses lo tienen.",
            "max_value": "Escriba un día del 1 al 28: todos los meses lo tienen.",
            "invalid": "Escriba el día con números, por ejemplo 10.",
        },
    )


class DevolverForm(forms.Form):
    """A submitted month sent back to its centre: why (required) and, optionally, a remark on
    each figure it concerns (`observacion_<code>`), with the version on screen."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    motivo = forms.CharField(
        label="Qué debe revisar el centro",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="El personal lo verá en su inicio y en el formulario del mes.",
        error_messages={"required": "Escriba qué debe revisar el centro para devolver el mes."},
    )

    def __init__(self, *args, codigos: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.codigos = codigos
        for codigo in codigos:
            self.fields[f"observacion_{codigo}"] = forms.CharField(
                required=False, max_length=500, widget=forms.TextInput
            )

    @property
    def observaciones(self) -> dict[str, str]:
        return {
            codigo: self.cleaned_data.get(f"observacion_{codigo}", "") for codigo in self.codigos
        }


class ReabrirForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo de la reapertura",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Quedará en el historial del mes y lo verá el personal del centro.",
        error_messages={"required": "Indique por qué se reabre el mes."},
    )


class AvisosForm(forms.Form):
    """A checkbox per kind of notice the user's roles receive; checked: sent."""

    def __init__(self, *args, tipos, desactivados: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.tipos = [tipo.value for tipo in tipos]
        for tipo in tipos:
            self.fields[tipo.value] = forms.BooleanField(
                label=tipo.label, required=False, initial=tipo.value not in desactivados
            )

    @property
    def activos(self) -> set[str]:
        return {tipo for tipo in self.tipos if self.cleaned_data.get(tipo)}
