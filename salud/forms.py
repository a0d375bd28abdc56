"""Forms of `salud`: the clinic's patients of one month, by service and specialty."""

from decimal import Decimal

from casmul.numeros import Clase
from centros.forms import CifraField, EdicionMesForm, cifra_mostrar

from .selectors import FormularioClinica

Clave = tuple[str, int | None]


def _nombre_campo(clave: Clave) -> str:
    servicio, especialidad = clave
    return f"pacientes_{servicio}_{especialidad or 'sin'}"


class AtencionesMesForm(EdicionMesForm):
    """One input per row of the clinic's grid (specialties of consulta externa, a row
    without specialty, the totals of emergencia and hospitalización)."""

    def __init__(self, data=None, *, formulario: FormularioClinica, **kwargs):
        comentario = formulario.reporte.comentario if formulario.reporte else ""
        super().__init__(data, version=formulario.version, comentario=comentario, **kwargs)
        self.formulario = formulario
        for grupo in formulario.grupos:
            for fila in grupo.filas:
                nombre = _nombre_campo(fila.clave)
                self.fields[nombre] = CifraField(
                    label=f"{grupo.nombre}: {fila.nombre}", clase=Clase.PERSONAS
                )
                self.initial[nombre] = cifra_mostrar(fila.valor, 0)

    def campo_de_error(self, clave: str) -> str | None:
        # The service names a row "servicio-especialidad" (especialidad empty when none).
        servicio, _, especialidad = clave.partition("-")
        campo = _nombre_campo((servicio, int(especialidad) if especialidad.isdigit() else None))
        return campo if campo in self.fields else super().campo_de_error(clave)

    def clean(self):
        datos = super().clean()
        for grupo in self.formulario.grupos:
            escritos = 0
            for fila in grupo.filas:
                campo = _nombre_campo(fila.clave)
                if campo not in datos:
                    escritos += 1  # an invalid value was typed: reported on its own
                elif datos[campo] is not None:
                    escritos += 1
                elif fila.valor is not None:
                    self.add_error(campo, self.VACIO_GUARDADO)
            if self.enviar and not escritos:
                self.add_error(
                    _nombre_campo((grupo.servicio, None)),
                    f"Escriba los pacientes de {grupo.nombre.lower()} para enviar el mes "
                    "(0 si no hubo).",
                )
        return datos

    def valores(self) -> dict[Clave, Decimal | None]:
        return {
            fila.clave: self.cleaned_data.get(_nombre_campo(fila.clave))
            for fila in self.formulario.filas
        }

    def grupos(self):
        """Each service with its rows and their inputs (for the template)."""
        return [
            (grupo, [(fila, self[_nombre_campo(fila.clave)]) for fila in grupo.filas])
            for grupo in self.formulario.grupos
        ]

    def comparar_con(self, guardado: FormularioClinica) -> list[dict]:
        """After a conflict: each row as stored now beside what the user typed."""
        escritos = self.valores()
        return [
            {
                "nombre": f"{grupo.nombre}: {fila.nombre}",
                "guardado": cifra_mostrar(fila.valor, 0) or "—",
                "escrito": cifra_mostrar(escritos.get(fila.clave), 0) or "—",
                "distinto": fila.valor != escritos.get(fila.clave),
            }
            for grupo in guardado.grupos
            for fila in grupo.filas
            if fila.valor is not None or escritos.get(fila.clave) is not None
        ]
