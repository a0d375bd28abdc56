app_name = "presupuesto"

urlpatterns: list = []
