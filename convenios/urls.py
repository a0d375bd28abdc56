app_name = "convenios"

urlpatterns: list = []
