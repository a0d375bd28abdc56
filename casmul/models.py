from django.db import models


class VersionDeDatos(models.Model):
    """Where a year's data stands, for the pages computed from it (`casmul.versiones`): each
    write replaces a mark in the same transaction as the data, so a page kept under the marks
    it was computed from is never served after the data changed. Two marks, because drafts
    change at month-end every few seconds while the report (approved figures only) changes a
    few times a day. `anio` 0 stands for every year: definitions that span years."""

    anio = models.PositiveSmallIntegerField("año", unique=True)
    # Changes with any write of the year's records, drafts included.
    entrada = models.CharField(max_length=32)
    # Changes with the writes the report counts: approvals, reopenings, definitions, records.
    # Empty until the first of them.
    aprobada = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "versión de los datos del año"
        verbose_name_plural = "versiones de los datos"

    def __str__(self) -> str:
        return f"{self.anio or 'todos los años'}: {self.aprobada[:8]}/{self.entrada[:8]}"
