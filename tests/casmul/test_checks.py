import builtins

from casmul.checks import PAQUETES_DEBIAN, weasyprint_disponible


def test_missing_pango_is_reported_with_the_packages_to_install(monkeypatch):
    importar = builtins.__import__

    def sin_pango(nombre, *args, **kwargs):
        if nombre == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return importar(nombre, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", sin_pango)

    errores = weasyprint_disponible(None)

    assert [error.id for error in errores] == ["casmul.E001"]
    assert "libpango-1.0-0" in errores[0].msg
    assert PAQUETES_DEBIAN in errores[0].hint
    assert "apt-get install" in errores[0].hint


def test_no_error_when_weasyprint_loads():
    assert weasyprint_disponible(None) == []
