from django.urls import path

from safeguard.frontend import views

app_name = "frontend"
urlpatterns = [path("", views.my_work, name="my_work")]
