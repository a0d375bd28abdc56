"""The admin's import of a registered kind (`ImportacionDeHojaMixin`): django-import-export's
preview and confirmation, with the kind's format and resource, its file kept as the portal's
(`casmul.hojas.guardadas`), and its messages in Spanish."""

import os
from pathlib import Path

from django.contrib import messages
from django.core import signing
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportMixin

from .forms import HojaImportForm
from .guardadas import (
    CADUCADA,
    VIGENCIA_VISTA_PREVIA,
    VOLVER_A_SUBIR,
    TemporalDeImportacion,
    guardada_borrar,
    guardada_tomar,
    temporal_ruta,
)
from .importacion import importacion_resumen
from .lector import HojaRechazada
from .registro import TipoImportable, importable

_FIRMA_ADMIN = "casmul.hojas.importacion_admin"


class ImportacionDeHojaMixin(ImportMixin):
    """ModelAdmin mixin: imports the registered kind `tipo_importable` (`importable_registrar`)
    from spreadsheets as clerks write them, with its format, its resource, the form that
    refuses a wrong file before reading it, a link to its template and messages in Spanish."""

    tipo_importable = ""
    import_form_class = HojaImportForm
    # Fixed, not left to the settings: the confirmation takes its file from this folder
    # (`_temporal_tomar`).
    tmp_storage_class = TemporalDeImportacion

    def importable(self) -> TipoImportable:
        return importable(self.tipo_importable)

    def get_import_formats(self):
        return [self.importable().formato]

    def get_import_resource_classes(self, request):
        return [self.importable().recurso]

    def create_import_form(self, request):
        form = super().create_import_form(request)
        tipo = self.importable()
        form.fields["import_file"].help_text = format_html(
            'Columnas: {}. <a href="{}">Descargar la plantilla</a>.',
            ", ".join(tipo.encabezados),
            reverse("importar_plantilla", args=[tipo.slug]),
        )
        return form

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, HojaRechazada):
            # Said in Spanish, with what to do; import-export's own text names the exception.
            form.add_error("import_file", e.mensaje)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_confirm_form_initial(self, request, import_form):
        inicial = super().get_confirm_form_initial(request, import_form)
        if inicial.get("import_file_name"):
            # import-export posts back the bare name of its temporary file, and reads whatever
            # file of the temporary folder the confirmation names: signed, bound to the user
            # and the model, it can name only this preview's file.
            inicial["import_file_name"] = signing.dumps(
                {
                    "archivo": os.path.basename(inicial["import_file_name"]),
                    "usuario": request.user.pk,
                    "modelo": self.opts.label_lower,
                },
                salt=_FIRMA_ADMIN,
            )
        return inicial

    def process_import(self, request, **kwargs):
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # 405 or 403, as import-export
        try:
            tomado = self._temporal_tomar(request)
        except HojaRechazada as error:
            # A confirmation sent twice, too late, or altered: said on the import page, where
            # the file can be uploaded again, instead of a FileNotFoundError (500).
            self.message_user(request, error.mensaje, messages.ERROR)
            return HttpResponseRedirect(self._pagina_de_importar())
        request.POST = request.POST.copy()
        request.POST["import_file_name"] = tomado.name
        try:
            return super().process_import(request, **kwargs)
        finally:
            # Imported or refused, the preview is spent.
            guardada_borrar(tomado)

    def _temporal_tomar(self, request) -> Path:
        """The preview's temporary file named by the confirmation's signed token, taken
        (`guardada_tomar`). Raises `HojaRechazada`, in Spanish, when there is none to import."""
        token = request.POST.get("import_file_name", "")
        try:
            datos = signing.loads(token, salt=_FIRMA_ADMIN, max_age=VIGENCIA_VISTA_PREVIA)
        except signing.SignatureExpired:
            vencida = self._temporal_suyo(request, signing.loads(token, salt=_FIRMA_ADMIN))
            if vencida is not None:
                guardada_borrar(vencida)
            raise HojaRechazada(CADUCADA) from None
        except signing.BadSignature:
            datos = None
        ruta = self._temporal_suyo(request, datos)
        formatos = [str(indice) for indice in range(len(self.get_import_formats()))]
        if ruta is None or request.POST.get("format") not in formatos:
            raise HojaRechazada(
                f"La confirmación no corresponde a una vista previa suya de "
                f"{self.opts.verbose_name_plural} y no se importó nada. {VOLVER_A_SUBIR}"
            )
        return guardada_tomar(ruta)

    def _temporal_suyo(self, request, datos) -> Path | None:
        """The file the token's data name, when they are the user's for this model."""
        if (
            not isinstance(datos, dict)
            or datos.get("usuario") != request.user.pk
            or datos.get("modelo") != self.opts.label_lower
        ):
            return None
        return temporal_ruta(str(datos.get("archivo", "")))

    def _pagina_de_importar(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Between the preview and the confirmation a row became invalid (a month approved
            # or a year published meanwhile, for example): the import was rolled back whole.
            self.message_user(
                request,
                "No se importó ninguna fila: el archivo tiene filas que ya no son válidas "
                "(por ejemplo, un mes aprobado o un año publicado mientras tanto). Vuelva a "
                "subirlo para ver cuáles.",
                messages.ERROR,
            )
            return HttpResponseRedirect(self._pagina_de_importar())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        self.message_user(request, importacion_resumen(result), messages.SUCCESS)
