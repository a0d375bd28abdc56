from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rendicion.documento import documento_html, pdf_de_html
from rendicion.selectors import informe_rendicion


class Command(BaseCommand):
    help = "Genera el informe de rendición de cuentas de un año en PDF y/o HTML."

    def add_arguments(self, parser):
        parser.add_argument("anio", type=int, help="Año del informe, p. ej. 2023.")
        parser.add_argument("--pdf", type=Path, metavar="ARCHIVO", help="Escribe el PDF aquí.")
        parser.add_argument("--html", type=Path, metavar="ARCHIVO", help="Escribe el HTML aquí.")
        parser.add_argument(
            "--borrador",
            action="store_true",
            help="Vista previa: cuenta también los meses sin aprobar y lo dice en cada página.",
        )

    def handle(self, *args, anio, pdf, html, borrador, **options):
        if not pdf and not html:
            raise CommandError("Indique --pdf ARCHIVO, --html ARCHIVO o ambos.")
        informe = informe_rendicion(anio=anio, borrador=borrador)
        if informe is None:
            raise CommandError(
                f"No existe el informe de {anio}: créelo en el portal (Rendición de cuentas)."
            )
        if html:
            html.write_text(documento_html(informe), encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"HTML escrito en {html}"))
        if pdf:
            pdf.write_bytes(pdf_de_html(documento_html(informe, para_pdf=True)))
            self.stdout.write(self.style.SUCCESS(f"PDF escrito en {pdf}"))
