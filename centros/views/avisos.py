from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..forms import AvisosForm
from ..selectors.avisos import avisos_desactivados, tipos_de_aviso_de
from ..services import avisos_elegir


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mis_avisos(request):
    """Each person chooses which notices by e-mail they receive, among those of their roles."""
    tipos = tipos_de_aviso_de(request.user)
    formulario = AvisosForm(
        request.POST or None, tipos=tipos, desactivados=avisos_desactivados(request.user)
    )
    if request.method == "POST" and formulario.is_valid():
        avisos_elegir(usuario=request.user, activos=formulario.activos, tipos=formulario.tipos)
        messages.success(request, "Se guardaron sus avisos por correo.")
        return redirect("mis_avisos")
    return render(request, "centros/mis_avisos.html", {"formulario": formulario, "tipos": tipos})
