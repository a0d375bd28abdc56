from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from centros.selectors import centros_de_usuario

from .roles import Rol, tiene_rol


@login_required
def inicio(request):
    context = {
        "es_coordinacion": tiene_rol(request.user, Rol.COORDINACION, Rol.ADMINISTRACION),
        "es_administracion": tiene_rol(request.user, Rol.ADMINISTRACION),
        "centros": centros_de_usuario(request.user),
    }
    return render(request, "inicio.html", context)
