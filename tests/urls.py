from django_duet.views import client_routes

urlpatterns = [client_routes("app/", "index.html", name="app")]
