from django.apps import AppConfig


class CentrosConfig(AppConfig):
    name = "centros"
    verbose_name = "Centros y cifras mensuales"

    def ready(self):
        from casmul.aperturas import apertura_registrar
        from casmul.hojas import OpcionDeImportacion, TipoImportable, importable_registrar
        from casmul.permisos import puede_registrar_cifras
        from casmul.roles import Rol

        from .services.operaciones import operaciones_abrir_resumen

        # Opening a year (the report's «Nuevo informe») opens the centres' year.
        apertura_registrar(operaciones_abrir_resumen)

        from .resources import (
            CIFRAS_REFERENCIA_ENCABEZADOS,
            CentroResource,
            CifraMensualResource,
            HojaDeCentros,
            HojaDeCifras,
            centros_plantilla,
            cifras_plantilla,
            cifras_referencia,
        )

        # The spreadsheets this app imports (`casmul.hojas`): the admin, the template
        # download and the `importar` command find them there.
        importable_registrar(
            TipoImportable(
                slug="cifras",
                nombre="Cifras mensuales",
                recurso=CifraMensualResource,
                formato=HojaDeCifras,
                plantilla=cifras_plantilla,
                # The centres' staff fill the monthly figures too (only their centres').
                roles=(Rol.ADMINISTRACION, Rol.PERSONAL_CENTRO),
                referencia=cifras_referencia,
                referencia_encabezados=CIFRAS_REFERENCIA_ENCABEZADOS,
                referencia_titulo="Indicadores que reporta cada centro",
                opciones=(
                    OpcionDeImportacion(
                        nombre="enviar",
                        etiqueta=(
                            "Enviar a revisión los meses importados que estén completos y sin "
                            "advertencias"
                        ),
                        # The year page's rule: the coordination reviews, it does not submit.
                        permitida=puede_registrar_cifras,
                    ),
                    OpcionDeImportacion(
                        nombre="comentario",
                        etiqueta="Comentario para los meses con advertencias",
                        ayuda=(
                            "Si lo escribe, los meses completos del archivo se envían a revisión "
                            "también con advertencias, explicadas con este comentario (un mes "
                            "que ya tiene el suyo lo conserva). Sin él, esos meses quedan en "
                            "borrador para explicarlos desde su página."
                        ),
                        texto=True,
                        permitida=puede_registrar_cifras,
                    ),
                ),
            )
        )
        importable_registrar(
            TipoImportable(
                slug="centros",
                nombre="Centros",
                recurso=CentroResource,
                formato=HojaDeCentros,
                plantilla=centros_plantilla,
            )
        )
        from .resources_beneficiarios import (
            BeneficiarioResource,
            HojaDeBeneficiarios,
            beneficiarios_plantilla,
        )

        importable_registrar(
            TipoImportable(
                slug="beneficiarios",
                nombre="Beneficiarios e inscripciones",
                recurso=BeneficiarioResource,
                formato=HojaDeBeneficiarios,
                plantilla=beneficiarios_plantilla,
                # The centres' staff register their people too (only in their centres).
                roles=(Rol.ADMINISTRACION, Rol.PERSONAL_CENTRO),
            )
        )
