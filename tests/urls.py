from django_duet.pages.client_routes import client_routes

urlpatterns = [client_routes("app/", "index.html", name="app")]
