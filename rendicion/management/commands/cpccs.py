from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rendicion.cpccs import formulario_cpccs, libro_cpccs, pdf_cpccs
from rendicion.enlaces import enlaces_comprobar
from rendicion.selectors import informe_del_anio


class Command(BaseCommand):
    help = (
        "Genera el formulario de rendición de cuentas del CPCCS de un año (XLSX para el "
        "sistema del CPCCS, PDF para imprimir) y comprueba sus enlaces."
    )

    def add_arguments(self, parser):
        parser.add_argument("anio", type=int, help="Año del informe, p. ej. 2023.")
        parser.add_argument("--xlsx", type=Path, metavar="ARCHIVO", help="Escribe el XLSX aquí.")
        parser.add_argument("--pdf", type=Path, metavar="ARCHIVO", help="Escribe el PDF aquí.")
        parser.add_argument(
            "--comprobar",
            action="store_true",
            help="Abre cada enlace del formulario y lista los que no responden con su documento.",
        )

    def handle(self, *args, anio, xlsx, pdf, comprobar, **options):
        if not (xlsx or pdf or comprobar):
            raise CommandError("Indique --xlsx ARCHIVO, --pdf ARCHIVO o --comprobar.")
        if informe_del_anio(anio=anio) is None:
            raise CommandError(
                f"No existe el informe de {anio}: créelo en el portal (Rendición de cuentas)."
            )
        formulario = formulario_cpccs(anio=anio)
        if xlsx:
            xlsx.write_bytes(libro_cpccs(formulario))
            self.stdout.write(self.style.SUCCESS(f"XLSX escrito en {xlsx}"))
        if pdf:
            pdf.write_bytes(pdf_cpccs(formulario))
            self.stdout.write(self.style.SUCCESS(f"PDF escrito en {pdf}"))
        faltan = formulario.filas_sin_evidencia
        if faltan:
            self.stdout.write(self.style.WARNING(f"{len(faltan)} filas sin medio de verificación:"))
            for seccion, fila in faltan:
                self.stdout.write(f"  {seccion.titulo}: {fila.valores[0]}")
        if comprobar:
            resultados = enlaces_comprobar(anio=anio)
            rotos = [r for r in resultados if not r.correcto]
            for roto in rotos:
                self.stdout.write(self.style.ERROR(f"{roto.fila}: {roto.url} {roto.problema}"))
            resumen = f"{len(resultados) - len(rotos)} de {len(resultados)} enlaces correctos."
            if rotos:
                raise CommandError(resumen)
            self.stdout.write(self.style.SUCCESS(resumen))
