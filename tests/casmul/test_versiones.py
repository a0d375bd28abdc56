"""The marks of a year's data (`casmul.versiones`): what each write changes, what a rolled-back
write leaves, and a page computed once per version, by one process at a time."""

import threading
import time

import pytest
from django.db import transaction

from casmul import versiones
from casmul.versiones import calculado, datos_cambiaron, version_de_los_datos


@pytest.mark.django_db
def test_a_draft_changes_the_preview_s_version_and_not_the_report_s():
    datos_cambiaron(2023)
    informe, borradores = (
        version_de_los_datos([2023]),
        version_de_los_datos([2023], borradores=True),
    )

    datos_cambiaron(2023, solo_borradores=True)

    assert version_de_los_datos([2023]) == informe
    assert version_de_los_datos([2023], borradores=True) != borradores


@pytest.mark.django_db
def test_a_year_s_write_leaves_other_years_and_a_write_for_every_year_reaches_them_all():
    datos_cambiaron(2023)
    datos_cambiaron(2024)
    del_2024 = version_de_los_datos([2024])

    datos_cambiaron(2023)
    assert version_de_los_datos([2024]) == del_2024

    datos_cambiaron()
    assert version_de_los_datos([2024]) != del_2024


@pytest.mark.django_db
def test_the_first_draft_of_a_year_leaves_its_report_s_version_as_it_was():
    antes = version_de_los_datos([2031])

    datos_cambiaron(2031, solo_borradores=True)

    assert version_de_los_datos([2031]) == antes
    assert version_de_los_datos([2031], borradores=True) != antes


@pytest.mark.django_db
def test_a_write_that_rolls_back_leaves_the_marks():
    datos_cambiaron(2023)
    antes = version_de_los_datos([2023], borradores=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        datos_cambiaron(2023)
        raise RuntimeError("la escritura falla después de marcar")

    assert version_de_los_datos([2023], borradores=True) == antes


@pytest.mark.django_db
def test_a_page_is_computed_once_per_version(cache_de_paginas):
    calculos = []

    def calcular():
        calculos.append(1)
        return len(calculos)

    primero = calculado("prueba", calcular, anios=[2023])
    segundo = calculado("prueba", calcular, anios=[2023])
    datos_cambiaron(2023)
    tercero = calculado("prueba", calcular, anios=[2023])

    assert (primero, segundo, tercero) == (1, 1, 2)


def test_processes_asking_together_for_a_missing_page_wait_for_the_one_computing_it(
    cache_de_paginas, monkeypatch
):
    # Threads have connections of their own: the version read is not what is tested here.
    monkeypatch.setattr(versiones, "version_de_los_datos", lambda *a, **k: "2023:marca")
    calculos, resultados = [], []

    def calcular():
        calculos.append(1)
        time.sleep(0.5)
        return "página"

    def pedir():
        resultados.append(calculado("lenta", calcular, anios=[2023]))

    hilos = [threading.Thread(target=pedir) for _ in range(5)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert resultados == ["página"] * 5
    assert len(calculos) == 1


def test_a_computation_that_fails_lets_the_next_request_compute(cache_de_paginas, monkeypatch):
    monkeypatch.setattr(versiones, "version_de_los_datos", lambda *a, **k: "2023:marca")

    def fallar():
        raise RuntimeError("la base no respondió")

    with pytest.raises(RuntimeError):
        calculado("fragil", fallar, anios=[2023])

    assert calculado("fragil", lambda: "ya", anios=[2023]) == "ya"
