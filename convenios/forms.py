"""Forms of `convenios`: an agreement as the administration types it in the portal."""

from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.text import slugify

from casmul.admin_montos import MontoField
from casmul.widgets import FechaInput
from centros.models import Centro

from .models import Convenio, Institucion

# A signed agreement scanned at 300 dpi is a few MB; more is a wrong file, or a photo album.
TAMANO_MAXIMO_DOCUMENTO = 10 * 1024 * 1024
FIRMA_PDF = b"%PDF-"


@dataclass(frozen=True)
class _EnlaceAlDocumento:
    """What the file input shows for the stored document: its name, linked to the download
    view (`widget.value.url` in Django's template), never to its MEDIA_URL."""

    nombre: str
    url: str

    def __str__(self) -> str:
        return self.nombre


class DocumentoInput(forms.ClearableFileInput):
    """The signed PDF: the stored one is linked through `convenios:documento`, which checks
    the user's role, so the page never gives away the file's public address."""

    url_de_descarga = ""

    def format_value(self, value):
        if self.is_initial(value):
            return _EnlaceAlDocumento(nombre=PurePath(value.name).name, url=self.url_de_descarga)
        return None


class ConvenioForm(forms.ModelForm):
    """Create or edit an agreement. The model's `clean()` runs on `is_valid()` (dates, MIES
    programme, and a published year's lock), so every rule answers next to its field."""

    class Meta:
        model = Convenio
        fields = [
            "numero",
            "titulo",
            "tipo",
            "programa_mies",
            "instituciones",
            "fecha_suscripcion",
            "fecha_inicio",
            "fecha_fin",
            "indefinido",
            "duracion_declarada_meses",
            "plazo_nota",
            "objeto",
            "centros",
            "monto",
            "documento",
        ]
        # The portal's reader of es-EC money ("1.234,56", "1.250" refused as ambiguous).
        field_classes = {"monto": MontoField}
        widgets = {
            "titulo": forms.Textarea(attrs={"rows": 2}),
            "objeto": forms.Textarea(attrs={"rows": 4}),
            "fecha_suscripcion": FechaInput,
            "fecha_inicio": FechaInput,
            "fecha_fin": FechaInput,
            "instituciones": forms.SelectMultiple(attrs={"size": 8}),
            "centros": forms.SelectMultiple(attrs={"size": 10}),
            "documento": DocumentoInput(attrs={"accept": "application/pdf,.pdf"}),
        }
        help_texts = {
            "monto": "En dólares, por ejemplo 1.234,56.",
            "documento": "PDF del convenio firmado, de 10 MB como máximo.",
            "instituciones": "Mantenga pulsada Ctrl (⌘ en Mac) para elegir varias.",
            "centros": "Mantenga pulsada Ctrl (⌘ en Mac) para elegir varios.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instituciones"].queryset = Institucion.objects.order_by("nombre")
        self.fields["centros"].queryset = Centro.objects.order_by("numero")
        self.fields["centros"].label_from_instance = lambda c: f"{c.numero}. {c.nombre_corto}"
        for nombre in ("fecha_suscripcion", "fecha_inicio", "fecha_fin"):
            campo = self.fields[nombre]
            # The picker sends 2024-01-31; a browser without it, what the user types.
            campo.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
            campo.error_messages["invalid"] = "Escriba la fecha como dd/mm/aaaa."
        if self.instance.pk:
            self.fields["documento"].widget.url_de_descarga = reverse(
                "convenios:documento", args=[self.instance.pk]
            )

    @classmethod
    def inicial_de_renovacion(cls, anterior: Convenio) -> dict:
        """What a renewal keeps from the agreement it renews, with the dates that follow it;
        the number, the amount and the signed document are the new agreement's own."""
        inicio, fin = anterior.periodo_de_renovacion()
        return {
            "titulo": anterior.titulo,
            "tipo": anterior.tipo,
            "programa_mies": anterior.programa_mies,
            "instituciones": list(anterior.instituciones.all()),
            "centros": list(anterior.centros.all()),
            "fecha_inicio": inicio,
            "fecha_fin": fin,
            "indefinido": anterior.indefinido,
            "duracion_declarada_meses": anterior.duracion_declarada_meses,
            "plazo_nota": anterior.plazo_nota,
            "objeto": anterior.objeto,
        }

    def clean_documento(self):
        documento = self.cleaned_data.get("documento")
        # Only a new upload is checked: the stored file was checked when it came in.
        if not isinstance(documento, UploadedFile):
            return documento
        if documento.size > TAMANO_MAXIMO_DOCUMENTO:
            raise ValidationError(
                "El documento pesa más de 10 MB: escanéelo con menos resolución o en blanco y "
                "negro.",
                code="tamano",
            )
        # The content decides, not the name or the type the browser claims.
        documento.seek(0)
        firma = documento.read(len(FIRMA_PDF))
        documento.seek(0)
        if firma != FIRMA_PDF:
            raise ValidationError(
                "El documento no es un PDF: suba el convenio firmado en formato PDF.", code="pdf"
            )
        # The stored name is ours: a PDF always ends in .pdf, whatever it was called.
        documento.name = f"{slugify(PurePath(documento.name).stem)[:80] or 'convenio'}.pdf"
        return documento
