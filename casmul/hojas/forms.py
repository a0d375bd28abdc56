"""The forms of an import: the admin's and the portal's upload, which refuse a file too large or
not named as a spreadsheet before it is read, and the portal's confirmation of a preview."""

from collections.abc import Sequence

from django import forms
from import_export.forms import ImportForm

from .lector import TAMANO_MAXIMO, HojaRechazada, archivo_comprobar
from .registro import OpcionDeImportacion

# A text option (a comment for many months): the browser stops the typing there.
MAXIMO_TEXTO_DE_OPCION = 1000


def _subida_comprobar(archivo):
    try:
        archivo_comprobar(nombre=archivo.name, tamano=archivo.size)
    except HojaRechazada as error:
        raise forms.ValidationError(error.mensaje, code="hoja") from None
    return archivo


class HojaImportForm(ImportForm):
    """The admin's import form, refusing a file too large or of another type before it is read."""

    class Media:
        # The refused rows' reasons shown, not hidden until hovered.
        css = {"all": ["casmul/admin_importar.css"]}

    def clean_import_file(self):
        return _subida_comprobar(self.cleaned_data["import_file"])


class HojaSubidaForm(forms.Form):
    """The portal's import form: the admin's rules (`HojaImportForm`), before the file is read."""

    archivo = forms.FileField(
        label="Archivo",
        help_text=f"CSV o XLSX, hasta {TAMANO_MAXIMO // 1024 // 1024} MB.",
        error_messages={
            "required": "Elija el archivo que va a importar.",
            "empty": "El archivo está vacío.",
        },
    )

    def clean_archivo(self):
        return _subida_comprobar(self.cleaned_data["archivo"])


class ConfirmacionForm(forms.Form):
    """The portal's confirmation of a preview: its token, and the kind's options the user is
    offered (`TipoImportable.opciones_de`)."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, opciones: Sequence[OpcionDeImportacion] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.opciones = tuple(opciones)
        for opcion in self.opciones:
            self.fields[f"opcion_{opcion.nombre}"] = (
                forms.CharField(
                    label=opcion.etiqueta,
                    help_text=opcion.ayuda,
                    required=False,
                    max_length=MAXIMO_TEXTO_DE_OPCION,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                if opcion.texto
                else forms.BooleanField(
                    label=opcion.etiqueta, help_text=opcion.ayuda, required=False
                )
            )

    @property
    def opciones_elegidas(self) -> dict[str, bool | str]:
        """The resource's keyword arguments: only the options offered, never another; a text
        only when written."""
        return {
            opcion.nombre: valor
            for opcion in self.opciones
            if (valor := self.cleaned_data.get(f"opcion_{opcion.nombre}"))
        }
