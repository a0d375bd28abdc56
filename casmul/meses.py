"""Months of a year: the one value every app uses for "which month", its neighbours, its name,
and whether it has come yet. Month names and the portal's range of years live only here."""

import calendar
import datetime
from dataclasses import dataclass

NOMBRES_MES = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)
# Choices for model fields and forms: [(1, "Enero"), …].
MESES = list(enumerate(NOMBRES_MES, start=1))

# The first year the portal holds records for.
PRIMER_ANIO = 2000


def anio_valido(anio: int, *, hoy: datetime.date) -> bool:
    """A year the portal can show or create: from the first year of records to next year
    (a report or a plan may be prepared ahead; months still refuse to be written early)."""
    return PRIMER_ANIO <= anio <= hoy.year + 1


@dataclass(frozen=True, order=True)
class Mes:
    """A month of a year. Ordered in time; `Mes(2024, 1).anterior == Mes(2023, 12)`."""

    anio: int
    numero: int

    def __post_init__(self):
        if not 1 <= self.numero <= 12:
            raise ValueError(f"Mes fuera de rango: {self.numero}")

    @classmethod
    def de_fecha(cls, fecha: datetime.date) -> "Mes":
        return cls(fecha.year, fecha.month)

    @classmethod
    def del_anio(cls, anio: int) -> list["Mes"]:
        return [cls(anio, numero) for numero in range(1, 13)]

    def mas(self, meses: int) -> "Mes":
        """The month `meses` months later (earlier when negative)."""
        indice = self.anio * 12 + self.numero - 1 + meses
        return Mes(indice // 12, indice % 12 + 1)

    @property
    def anterior(self) -> "Mes":
        return self.mas(-1)

    @property
    def siguiente(self) -> "Mes":
        return self.mas(1)

    @property
    def dias(self) -> int:
        return calendar.monthrange(self.anio, self.numero)[1]

    @property
    def primer_dia(self) -> datetime.date:
        return datetime.date(self.anio, self.numero, 1)

    @property
    def ultimo_dia(self) -> datetime.date:
        return datetime.date(self.anio, self.numero, self.dias)

    @property
    def nombre(self) -> str:
        """Its Spanish name: "Enero"."""
        return NOMBRES_MES[self.numero - 1]

    def es_futuro(self, hoy: datetime.date) -> bool:
        """Has not begun yet: nothing can be recorded for it."""
        return self > Mes.de_fecha(hoy)

    def en_curso(self, hoy: datetime.date) -> bool:
        """The running month: it is open, so nothing is missing from it yet."""
        return self == Mes.de_fecha(hoy)

    def vence(self, dia: int) -> datetime.date:
        """The day it is due: day `dia` of the following month."""
        siguiente = self.siguiente
        return datetime.date(siguiente.anio, siguiente.numero, dia)

    def dentro_de(self, desde: int, hasta: int) -> bool:
        """Whether it falls between two months of its own year (a centre's operation)."""
        return desde <= self.numero <= hasta

    def __str__(self) -> str:
        return f"{self.nombre.lower()} de {self.anio}"


@dataclass(frozen=True)
class Periodo:
    """The months a centre operated in a year, which its averages are taken over."""

    meses: tuple[Mes, ...]

    @classmethod
    def de_operacion(cls, anio: int, operaciones) -> "Periodo":
        """The months of the year inside any of the (from, to) operations given; the whole
        year when none is known (nothing was recorded then anyway)."""
        numeros = {m for desde, hasta in operaciones for m in range(desde, hasta + 1)}
        return cls(tuple(Mes(anio, numero) for numero in sorted(numeros or range(1, 13))))

    @property
    def cantidad(self) -> int:
        return len(self.meses)

    @property
    def dias(self) -> int:
        return sum(mes.dias for mes in self.meses)
